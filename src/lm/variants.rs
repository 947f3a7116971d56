//! Variant evidence: is there a form of a word that the model finds far more likely in
//! its context than the form written?
//!
//! Summary statistics of surprisal say *that* a sentence is unusual; a comparison says
//! *which word* is wrong and what was meant. While the article is scored, each finished
//! sentence's most surprising words get candidate forms ([`crate::variants`]: "Rat" →
//! "Rates", "sei" → "sono"), and the words an agreement rule nominates get its repairs
//! ([`crate::agreement`]); they are compared with the written form in the same left
//! context, the article so far:
//!
//! 1. **Left context.** For every candidate, the first token where its text parts from the
//!    written one, against the written token there, read off the hidden state that
//!    predicts both: no forward pass. For "des Rat|es" against "des Rat| umfassender"
//!    that is the ending against the next word.
//! 2. **Right context.** The sentence's [`CONFIRMED_CANDIDATES`] best candidates of step 1
//!    are scored over the word and [`RIGHT_CONTEXT_TOKENS`] tokens after it, as branches
//!    of one forward pass over the article's KV cache
//!    ([`super::gemma3::Gemma3::forward_branches`]), so "des Rates umfassender Frieden"
//!    must beat "des Rat umfassender Frieden" over the words that agree with it, not at
//!    one token.
//!
//! The evidence is the log-likelihood ratio of step 2, `ln P(text with the candidate) −
//! ln P(text as written)` over that stretch, in nats, the written side read from the
//! scoring pass itself. The branches of every sentence finished by a chunk run together,
//! so the comparison adds few, well-filled forward passes. One approximation: a branch
//! sees the cache as it is after the chunk, whose sliding-window layers have dropped the
//! keys more than 511 positions before the chunk's end, so in a long article a branch
//! may miss up to a chunk's worth of its farthest local context, which the written side
//! saw.

use super::head::OutputHead;
use super::surprisal::{assign_tokens, content_start, TokenSurprisal};
use super::tokenizer::Token;
use super::{LanguageModel, LmError, ScoredChunk};
use crate::data::{AgreementRule, Lang, Sentence, Span, VariantComparison};
use candle_core::Tensor;

use unicode_segmentation::UnicodeSegmentation;

/// Candidates per sentence (over all its suspect words) confirmed over the right context.
pub const CONFIRMED_CANDIDATES: usize = 3;

/// Words per sentence whose forms are compared: the most surprising ones.
pub const WORDS_PER_SENTENCE: usize = 5;

/// Candidate forms per word.
pub const CANDIDATES_PER_WORD: usize = 5;

/// Surprisal (nats, in the article's context) of a word and the token after it from
/// which the word's forms are compared: p below 1/3,000. Most words of clean news cost
/// less; a wrong form costs more, at the word or where it ends.
pub const SUSPECT_WORD_NATS: f32 = 8.0;

/// Changes whenever the comparisons for the same model and text could change; part of
/// the score cache's key.
pub const VARIANTS_VERSION: &str = "variants-4";

/// A word of a sentence and the forms it might have been meant as.
#[derive(Debug, Clone, PartialEq)]
pub struct WordVariants {
    /// Article-relative byte span of the word.
    pub span: Span,
    pub candidates: Vec<String>,
    /// The agreement rule that nominated the word, whose repairs are then the candidates;
    /// `None` for a surprising word.
    pub rule: Option<AgreementRule>,
}

/// An article's token surprisal and, per sentence, its words' best variants.
pub struct ScoredWithVariants {
    pub tokens: Vec<TokenSurprisal>,
    /// One entry per sentence passed in: a comparison for each confirmed word.
    pub variants: Vec<Vec<VariantComparison>>,
}

/// One word's candidates, tokenised, from the token where they part from the written text.
struct WordBranches {
    /// Index of the first token where some candidate parts from the written text; the
    /// branches start at its position (`first + 1`, after BOS).
    first: usize,
    /// Per candidate: its tokens from `first`, up to the end of the compared stretch.
    candidates: Vec<Vec<u32>>,
    /// Written tokens from `first` over the same stretch.
    written_len: usize,
}

impl LanguageModel {
    /// Scores `text` as [`LanguageModel::score_tokens`] does and, after each chunk,
    /// compares the words of the sentences it finished with their variants.
    pub(crate) fn score_with_variants(
        &self,
        text: &str,
        sentences: &[Sentence],
        lang: Lang,
    ) -> Result<ScoredWithVariants, LmError> {
        let head = self.head(Some(lang))?;
        let encoded = self.tokenizer.encode(text)?;
        let ids: Vec<u32> = encoded.iter().map(|t| t.id).collect();
        let spans: Vec<TokenSurprisal> = encoded
            .iter()
            .map(|t| TokenSurprisal {
                span: t.span,
                surprisal: 0.0,
            })
            .collect();
        // Each sentence's token indices, and sentences in the order they finish.
        let owners = assign_tokens(text, &spans, sentences);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
        for (token, owner) in owners.iter().enumerate() {
            if let Some(owner) = owner {
                members[*owner].push(token);
            }
        }
        let mut finishing: Vec<usize> = (0..sentences.len())
            .filter(|&s| !members[s].is_empty())
            .collect();
        finishing.sort_by_key(|&s| std::cmp::Reverse(members[s].last().copied()));

        let mut variants = vec![Vec::new(); sentences.len()];
        let mut hidden_chunks: Vec<Tensor> = Vec::new();
        let surprisal = self.score_chunks(&ids, &head, |chunk: ScoredChunk<'_>| {
            hidden_chunks.push(chunk.hidden);
            let scored = chunk.surprisal.len();
            let mut done = Vec::new();
            while let Some(&s) = finishing.last() {
                if members[s].last().is_some_and(|&last| last < scored) {
                    done.push(s);
                    finishing.pop();
                } else {
                    break;
                }
            }
            let pass = Pass {
                text,
                sentences,
                encoded: &encoded,
                ids: &ids,
                surprisal: chunk.surprisal,
                hidden: &hidden_chunks,
                head: &head,
                lang,
            };
            for (s, compared) in pass.compare(self, chunk.cache, &done, &members)? {
                variants[s] = compared;
            }
            Ok(())
        })?;
        let tokens = encoded
            .iter()
            .zip(surprisal)
            .map(|(t, s)| TokenSurprisal {
                span: t.span,
                surprisal: s,
            })
            .collect();
        Ok(ScoredWithVariants { tokens, variants })
    }
}

/// A candidate of a comparison: (index of its word, index among the word's candidates).
type Pair = (usize, usize);

/// The scoring pass as far as it has come.
struct Pass<'a> {
    text: &'a str,
    sentences: &'a [Sentence],
    encoded: &'a [Token],
    ids: &'a [u32],
    surprisal: &'a [f32],
    /// Final hidden states chunk by chunk; row i overall predicts `ids[i]`.
    hidden: &'a [Tensor],
    head: &'a OutputHead,
    lang: Lang,
}

impl Pass<'_> {
    /// The hidden state that predicts token `index`.
    fn row(&self, index: usize) -> Result<Tensor, LmError> {
        let rows = self.hidden[0].dim(0)?;
        Ok(self.hidden[index / rows].narrow(0, index % rows, 1)?)
    }

    /// The confirmed comparisons of the `sentences` (indices, with their token indices in
    /// `members`), all of whose tokens are scored and in `cache`.
    fn compare(
        &self,
        lm: &LanguageModel,
        cache: &super::gemma3::KvCache,
        sentences: &[usize],
        members: &[Vec<usize>],
    ) -> Result<Vec<(usize, Vec<VariantComparison>)>, LmError> {
        let mut words: Vec<(usize, WordVariants, WordBranches)> = Vec::new();
        for &s in sentences {
            let tokens: Vec<TokenSurprisal> = members[s]
                .iter()
                .map(|&i| TokenSurprisal {
                    span: self.encoded[i].span,
                    surprisal: self.surprisal[i],
                })
                .collect();
            for word in suspect_words(self.text, self.sentences[s].span, &tokens, self.lang) {
                if let Some(branches) = self.branches(lm, &members[s], &word)? {
                    words.push((s, word, branches));
                }
            }
        }
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let (pairs, confirmed) = self.first_token_choice(lm, &words, sentences)?;

        // Step 2: the confirmed candidates over the word and its right context.
        let branches: Vec<(usize, &[u32])> = confirmed
            .iter()
            .map(|&p| {
                let (w, c) = pairs[p];
                let word = &words[w].2;
                (word.first + 1, word.candidates[c].as_slice())
            })
            .collect();
        let costs = self.branch_costs(lm, cache, &branches)?;
        let mut best: Vec<Option<VariantComparison>> = vec![None; words.len()];
        for (&p, cost) in confirmed.iter().zip(costs) {
            let (w, c) = pairs[p];
            let (_, word, branches) = &words[w];
            let first = branches.first;
            let written: f32 = self.surprisal[first..first + branches.written_len]
                .iter()
                .sum();
            let llr = written - cost;
            if best[w].as_ref().is_none_or(|b| b.llr < llr) {
                best[w] = Some(VariantComparison {
                    span: word.span,
                    suggestion: word.candidates[c].clone(),
                    llr,
                    rule: word.rule,
                });
            }
        }
        let mut per_sentence: Vec<(usize, Vec<VariantComparison>)> = Vec::new();
        for ((s, _, _), comparison) in words.iter().zip(best) {
            let Some(comparison) = comparison else {
                continue;
            };
            match per_sentence.last_mut() {
                Some((last, list)) if last == s => list.push(comparison),
                _ => per_sentence.push((*s, vec![comparison])),
            }
        }
        Ok(per_sentence)
    }

    /// Step 1 of the comparison: every (word, candidate) pair of `words`, and the pairs
    /// confirmed for step 2 by the first token where the candidate parts from the written
    /// text: per sentence the [`CONFIRMED_CANDIDATES`] best within
    /// [`FIRST_TOKEN_SLACK_NATS`], and every repair of an agreement rule.
    fn first_token_choice(
        &self,
        lm: &LanguageModel,
        words: &[(usize, WordVariants, WordBranches)],
        sentences: &[usize],
    ) -> Result<(Vec<Pair>, Vec<usize>), LmError> {
        let mut pairs = Vec::new();
        let mut rows = Vec::new();
        let mut firsts = Vec::new();
        for (w, (_, _, branches)) in words.iter().enumerate() {
            for (c, tokens) in branches.candidates.iter().enumerate() {
                pairs.push((w, c));
                rows.push(self.row(branches.first)?);
                firsts.push(tokens[0]);
            }
        }
        let first_rows = lm.model.embedding_rows(&firsts)?;
        let first_costs = self
            .head
            .surprisal(&Tensor::cat(&rows, 0)?, &firsts, &first_rows)?;
        let gain = |p: usize| self.surprisal[words[pairs[p].0].2.first] - first_costs[p];
        let mut confirmed: Vec<usize> = Vec::new();
        for &s in sentences {
            let mut own: Vec<usize> = (0..pairs.len())
                .filter(|&p| words[pairs[p].0].0 == s && gain(p) > -FIRST_TOKEN_SLACK_NATS)
                .collect();
            own.sort_by(|&a, &b| gain(b).total_cmp(&gain(a)));
            confirmed.extend(own.into_iter().take(CONFIRMED_CANDIDATES));
        }
        // An agreement rule's repairs are decided over the right context whatever their
        // first token says: "des Rat|es umfassender" parts at "es" against "▁umfassender",
        // where the written form is still ahead.
        let repairs: Vec<usize> = (0..pairs.len())
            .filter(|&p| words[pairs[p].0].1.rule.is_some() && !confirmed.contains(&p))
            .collect();
        confirmed.extend(repairs);
        Ok((pairs, confirmed))
    }

    /// `word`'s candidates substituted into the text from the token holding the word's
    /// start to [`RIGHT_CONTEXT_TOKENS`] tokens past it (within the sentence whose token
    /// indices are `members`), tokenised, from the token where they part. `None` when that
    /// stretch does not tokenise on its own as it does in the article.
    fn branches(
        &self,
        lm: &LanguageModel,
        members: &[usize],
        word: &WordVariants,
    ) -> Result<Option<WordBranches>, LmError> {
        let tokens = self.encoded;
        let Some(&from) = members
            .iter()
            .find(|&&i| tokens[i].span.end > word.span.start)
        else {
            return Ok(None);
        };
        let after_word = members.partition_point(|&i| tokens[i].span.end <= word.span.end);
        let to = members[(after_word + RIGHT_CONTEXT_TOKENS).min(members.len()) - 1];
        if to < from {
            return Ok(None);
        }
        let (start, end) = (tokens[from].span.start, tokens[to].span.end);
        let written = lm.tokenizer.encode(&self.text[start..end])?;
        if !written
            .iter()
            .map(|t| t.id)
            .eq(self.ids[from..=to].iter().copied())
        {
            return Ok(None);
        }
        let mut variants = Vec::with_capacity(word.candidates.len());
        for candidate in &word.candidates {
            let stretch = format!(
                "{}{candidate}{}",
                &self.text[start..word.span.start],
                &self.text[word.span.end..end]
            );
            let ids: Vec<u32> = lm
                .tokenizer
                .encode(&stretch)?
                .iter()
                .map(|t| t.id)
                .collect();
            variants.push(ids);
        }
        // Part where the first candidate parts, keeping at least one token of every text
        // (the written one too) after the shared prefix.
        let shared = variants
            .iter()
            .map(|ids| {
                let common = ids
                    .iter()
                    .zip(&self.ids[from..=to])
                    .take_while(|(a, b)| a == b)
                    .count();
                common.min(ids.len().saturating_sub(1))
            })
            .min()
            .unwrap_or(0)
            .min(to - from);
        if variants.iter().any(|ids| ids.len() <= shared) {
            return Ok(None);
        }
        Ok(Some(WordBranches {
            first: from + shared,
            candidates: variants
                .into_iter()
                .map(|ids| ids[shared..].to_vec())
                .collect(),
            written_len: to + 1 - (from + shared),
        }))
    }

    /// Total surprisal of each branch's tokens (position it starts at, tokens): the first
    /// from the scoring pass's hidden state before it, the rest from one forward pass of
    /// all branches over `cache`.
    fn branch_costs(
        &self,
        lm: &LanguageModel,
        cache: &super::gemma3::KvCache,
        branches: &[(usize, &[u32])],
    ) -> Result<Vec<f32>, LmError> {
        if branches.is_empty() {
            return Ok(Vec::new());
        }
        // Every branch has a token: a candidate differs from the written text from its start.
        let fed: Vec<(usize, &[u32])> = branches
            .iter()
            .map(|&(start, ids)| (start, &ids[..ids.len() - 1]))
            .collect();
        let branch_hidden = match fed.iter().map(|f| f.1.len()).sum::<usize>() {
            0 => None,
            _ => Some(lm.model.forward_branches(&fed, cache)?),
        };
        let mut rows = Vec::with_capacity(2 * branches.len());
        let mut offset = 0;
        for &(start, inputs) in &fed {
            rows.push(self.row(start - 1)?);
            if let (Some(branch_hidden), false) = (&branch_hidden, inputs.is_empty()) {
                rows.push(branch_hidden.narrow(0, offset, inputs.len())?);
            }
            offset += inputs.len();
        }
        let targets: Vec<u32> = branches.iter().flat_map(|b| b.1.iter().copied()).collect();
        let surprisal = self.head.surprisal(
            &Tensor::cat(&rows, 0)?,
            &targets,
            &lm.model.embedding_rows(&targets)?,
        )?;
        let mut costs = Vec::with_capacity(branches.len());
        let mut next = 0;
        for (_, ids) in branches {
            costs.push(surprisal[next..next + ids.len()].iter().sum());
            next += ids.len();
        }
        Ok(costs)
    }
}

/// How far behind the written form at the first token where the texts part a candidate
/// may be and still be confirmed: the token after the word often decides ("des
/// Rat|es umfassender" parts at "es" against "▁umfassender").
const FIRST_TOKEN_SLACK_NATS: f32 = 2.0;

/// Written tokens past the word that the right-context step scores: agreement reaches a
/// few words ahead ("des Rates umfassender Frieden"), and a bounded stretch bounds the cost.
pub const RIGHT_CONTEXT_TOKENS: usize = 6;

/// The words of the sentence at `sentence` that an agreement rule nominates
/// ([`crate::agreement`]), then its [`WORDS_PER_SENTENCE`] most surprising other words
/// (past [`SUSPECT_WORD_NATS`]) that have candidate forms.
/// `tokens` are the sentence's own tokens. Capitalised words outside the lexicon are left
/// alone: they are names, whose "variants" are other names.
pub fn suspect_words(
    text: &str,
    sentence: Span,
    tokens: &[TokenSurprisal],
    lang: Lang,
) -> Vec<WordVariants> {
    let lexicon = crate::lexicon::for_lang(lang);
    let nominated: Vec<WordVariants> = crate::agreement::disagreements(sentence.slice(text), lang)
        .into_iter()
        .map(|d| WordVariants {
            span: Span::new(sentence.start + d.range.start, sentence.start + d.range.end),
            candidates: d.repairs,
            rule: Some(d.rule),
        })
        .collect();
    let words: Vec<(usize, &str)> = sentence
        .slice(text)
        .split_word_bound_indices()
        .filter(|(_, w)| w.chars().all(char::is_alphabetic))
        .collect();
    let capitalised = |i: usize| words[i].1.chars().next().is_some_and(char::is_uppercase);
    let mut scored: Vec<(f32, Span)> = Vec::new();
    for (i, &(offset, word)) in words.iter().enumerate() {
        let span = Span::new(
            sentence.start + offset,
            sentence.start + offset + word.len(),
        );
        // The word's tokens and the token after it, which carries the word's end: in
        // "des Rat umfassender" the surprise is that "Rat" ends there, at "▁umfass".
        let inside = |t: &&TokenSurprisal| {
            content_start(text, t.span).is_some_and(|s| span.start <= s && s < span.end)
        };
        let own = tokens.iter().filter(inside).count();
        let first = tokens
            .iter()
            .position(|t| inside(&t))
            .unwrap_or(tokens.len());
        let cost: f32 = tokens
            .iter()
            .skip(first)
            .take(own + 1)
            .map(|t| t.surprisal)
            .sum();
        // Names: an unlisted capitalised word, or a capitalised word beside another one
        // inside the sentence ("Sam Greene", "Steve Witkoff").
        let name = capitalised(i)
            && (!lexicon.is_some_and(|l| l.contains(word))
                || (i + 1 < words.len() && capitalised(i + 1))
                || (i > 1 && capitalised(i - 1)));
        if cost >= SUSPECT_WORD_NATS && !name && !nominated.iter().any(|n| n.span == span) {
            scored.push((cost, span));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let surprising = scored
        .into_iter()
        .filter_map(|(_, span)| {
            let candidates =
                crate::variants::candidates(span.slice(text), lang, CANDIDATES_PER_WORD);
            (!candidates.is_empty()).then_some(WordVariants {
                span,
                candidates,
                rule: None,
            })
        })
        .take(WORDS_PER_SENTENCE);
    nominated.into_iter().chain(surprising).collect()
}
