//! From per-token surprisal to per-sentence features.
//!
//! A token belongs to the sentence that contains its first non-whitespace byte (a token
//! such as "▁Der" carries the space before the word); whitespace-only tokens (newlines,
//! runs of spaces) belong to no sentence.
//!
//! SLOR (Lau, Clark & Lappin 2017; Kann et al. 2018) is the sentence's log-probability
//! under the LM minus its log-probability under a unigram model, divided by its length.
//! Subtracting the unigram term stops rare but correct words (names, technical terms)
//! from making a sentence look broken, and dividing by the length lets short headings and
//! captions be compared with long sentences. The unigram baseline comes from the
//! shipped word-frequency lexicon ([`crate::lexicon`], Zipf scale: a word of Zipf `z`
//! has probability `10^(z-9)`), per word; words outside the 40,000 listed get
//! [`UNLISTED_ZIPF`]. The LM side is per token, so the length is the token count:
//! `slor = (unigram surprisal of the words − LM surprisal of the tokens) / tokens`.
//! Higher is more fluent; a broken sentence has a low (often negative) SLOR.
//!
//! The same baseline judges single words: a common word that the LM finds far less likely
//! in its context than its frequency predicts ("Wir wirkt uns …": "wirkt" is common, but
//! not after "Wir") marks a broken construction. Names and rare terms cannot trip this,
//! as only common lower-case words are judged.

use crate::data::{FracAbove, Sentence, SentenceLm, Span, UnlikelyWord, WorstSpan};
use crate::lexicon::Lexicon;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// Zipf frequency assumed for a word outside the lexicon: below its least frequent
/// entries (about 2.5 for the 40,000th word), i.e. once per 10⁷ words.
pub const UNLISTED_ZIPF: f32 = 2.0;

/// Surprisal above which a token counts against the text in the worst-span search: 4 nats
/// (p < 1/55), above the 2.5–4 nats a token of clean news costs on average, so a run of
/// ordinary tokens drifts below zero and the search cannot grow across fluent text.
pub const SPAN_EXCESS_NATS: f32 = 4.0;

/// Zipf frequency from which a word counts as common (about once per 10⁵ words:
/// "wirkt", "sofort", "allerdings"): frequent enough that its unigram surprisal is a
/// reliable baseline.
pub const COMMON_WORD_ZIPF: f32 = 4.0;

/// Zipf frequency from which a capitalised sentence-initial word counts as a function
/// word ("Wir", "Der"), not a name ("Trump" is 4.7), for judging the word after it.
pub const FUNCTION_WORD_ZIPF: f32 = 5.0;

/// The surprisal of one token of the article.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TokenSurprisal {
    /// Article-relative byte span of the token's text.
    pub span: Span,
    /// −ln p(token | everything before it), in nats.
    pub surprisal: f32,
}

/// Byte offset of the first non-whitespace character of `span` in `text`, if any.
pub(crate) fn content_start(text: &str, span: Span) -> Option<usize> {
    let slice = text.get(span.start..span.end)?;
    slice
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| span.start + i)
}

/// For each token, the index of the sentence it belongs to.
pub fn assign_tokens(
    text: &str,
    tokens: &[TokenSurprisal],
    sentences: &[Sentence],
) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    order.sort_by_key(|&i| sentences[i].span.start);
    tokens
        .iter()
        .map(|token| {
            let start = content_start(text, token.span)?;
            let after = order.partition_point(|&i| sentences[i].span.start <= start);
            let candidate = *order.get(after.checked_sub(1)?)?;
            (start < sentences[candidate].span.end).then_some(candidate)
        })
        .collect()
}

/// Surprisal (nats) of a word of Zipf frequency `zipf`, whose probability is `10^(zipf-9)`.
fn zipf_surprisal(zipf: f32) -> f32 {
    (9.0 - zipf) * std::f32::consts::LN_10
}

/// Unigram surprisal (nats) of the words of `sentence`.
pub fn unigram_surprisal(sentence: &str, lexicon: Option<&Lexicon>) -> f32 {
    sentence
        .unicode_words()
        .map(|word| zipf_surprisal(lexicon.and_then(|l| l.zipf(word)).unwrap_or(UNLISTED_ZIPF)))
        .sum()
}

/// Features of every sentence, in the order given.
pub fn sentence_features(
    text: &str,
    tokens: &[TokenSurprisal],
    sentences: &[Sentence],
    lexicon: Option<&Lexicon>,
) -> Vec<SentenceLm> {
    let owner = assign_tokens(text, tokens, sentences);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
    for (token, sentence) in owner.iter().enumerate() {
        if let Some(s) = sentence {
            members[*s].push(token);
        }
    }
    sentences
        .iter()
        .zip(&members)
        .map(|(sentence, members)| {
            let values: Vec<f32> = members.iter().map(|&t| tokens[t].surprisal).collect();
            let n = values.len();
            if n == 0 {
                return SentenceLm {
                    tokens: 0,
                    mean_surprisal: 0.0,
                    max_surprisal: 0.0,
                    frac_above: FracAbove::default(),
                    slor: 0.0,
                    worst_span: None,
                    unlikely_word: None,
                    variants: Vec::new(),
                };
            }
            let total: f32 = values.iter().sum();
            let frac = |limit: f32| values.iter().filter(|&&v| v > limit).count() as f32 / n as f32;
            let unigram = unigram_surprisal(sentence.span.slice(text), lexicon);
            SentenceLm {
                tokens: n,
                mean_surprisal: total / n as f32,
                max_surprisal: values.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                frac_above: FracAbove {
                    nats_4: frac(4.0),
                    nats_8: frac(8.0),
                    nats_12: frac(12.0),
                },
                slor: (unigram - total) / n as f32,
                worst_span: worst_span(text, tokens, members, sentence.span),
                unlikely_word: lexicon
                    .and_then(|l| unlikely_word(text, tokens, members, sentence.span, l)),
                variants: Vec::new(),
            }
        })
        .collect()
}

fn worst_span(
    text: &str,
    tokens: &[TokenSurprisal],
    members: &[usize],
    sentence: Span,
) -> Option<WorstSpan> {
    // Kadane's scan over (surprisal − threshold): (best sum, first, last) member indices.
    let mut best: Option<(f32, usize, usize)> = None;
    let mut run = (0.0f32, 0usize);
    for (i, &t) in members.iter().enumerate() {
        if run.0 <= 0.0 {
            run = (0.0, i);
        }
        run.0 += tokens[t].surprisal - SPAN_EXCESS_NATS;
        if best.is_none_or(|b| run.0 > b.0) {
            best = Some((run.0, run.1, i));
        }
    }
    let (_, first, last) = best?;
    let window = &members[first..=last];
    let mean = window.iter().map(|&t| tokens[t].surprisal).sum::<f32>() / window.len() as f32;
    let first = tokens[window[0]].span;
    let last = tokens[window[window.len() - 1]].span;
    let start = content_start(text, first)
        .unwrap_or(first.start)
        .max(sentence.start);
    let end = last.end.min(sentence.end).max(start);
    Some(WorstSpan {
        span: whole_words(text, Span::new(start, end), sentence),
        tokens: window.len(),
        mean_surprisal: mean,
    })
}

/// The common word of `sentence` with the largest excess surprisal (see [`UnlikelyWord`]).
fn unlikely_word(
    text: &str,
    tokens: &[TokenSurprisal],
    members: &[usize],
    sentence: Span,
    lexicon: &Lexicon,
) -> Option<UnlikelyWord> {
    let slice = sentence.slice(text);
    // (first visible byte, surprisal) of the sentence's tokens, in text order.
    let starts: Vec<(usize, f32)> = members
        .iter()
        .filter_map(|&t| Some((content_start(text, tokens[t].span)?, tokens[t].surprisal)))
        .collect();
    let mut next_token = 0;
    let mut best: Option<UnlikelyWord> = None;
    let mut previous: Option<(usize, &str)> = None;
    for (position, (offset, word)) in slice.unicode_word_indices().enumerate() {
        let before = slice[..offset].trim_end();
        let inside_clause = offset > before.len()
            && before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == ',');
        let ordinary_context = previous.is_some_and(|(index, previous)| {
            previous.chars().all(char::is_alphabetic)
                && (previous.chars().all(char::is_lowercase)
                    || (index == 0
                        && lexicon
                            .zipf(previous)
                            .is_some_and(|z| z >= FUNCTION_WORD_ZIPF)))
        });
        previous = Some((position, word));
        if !inside_clause || !ordinary_context || !word.chars().all(char::is_lowercase) {
            continue;
        }
        let Some(zipf) = lexicon.zipf(word).filter(|&z| z >= COMMON_WORD_ZIPF) else {
            continue;
        };
        let span = Span::new(
            sentence.start + offset,
            sentence.start + offset + word.len(),
        );
        // The word's tokens: those whose first visible byte lies in it (one forward scan
        // over the sentence). A word whose first token starts before it (", so") shares
        // that token's surprisal: it is not judged.
        while starts
            .get(next_token)
            .is_some_and(|&(start, _)| start < span.start)
        {
            next_token += 1;
        }
        if starts.get(next_token).map(|&(start, _)| start) != Some(span.start) {
            continue;
        }
        let surprisal: f32 = starts[next_token..]
            .iter()
            .take_while(|&&(start, _)| start < span.end)
            .map(|&(_, s)| s)
            .sum();
        let excess = surprisal - zipf_surprisal(zipf);
        if best.is_none_or(|b| excess > b.excess) {
            best = Some(UnlikelyWord {
                span,
                surprisal,
                excess,
            });
        }
    }
    best
}

/// `span` widened to the start and end of the words it cuts, within `sentence`.
fn whole_words(text: &str, span: Span, sentence: Span) -> Span {
    let word_char = |c: char| c.is_alphanumeric();
    let starts_in_word = text[span.start..].chars().next().is_some_and(word_char);
    let start = if starts_in_word {
        sentence.start
            + text[sentence.start..span.start]
                .trim_end_matches(word_char)
                .len()
    } else {
        span.start
    };
    let ends_in_word = text[..span.end].chars().next_back().is_some_and(word_char);
    let after = &text[span.end..sentence.end];
    let end = if ends_in_word {
        span.end + after.find(|c: char| !word_char(c)).unwrap_or(after.len())
    } else {
        span.end
    };
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SentenceKind;

    /// Sentences (not headings) at the byte ranges `spans`.
    fn sentences(spans: &[(usize, usize)]) -> Vec<Sentence> {
        spans
            .iter()
            .map(|&(start, end)| Sentence {
                span: Span::new(start, end),
                kind: SentenceKind::Sentence,
            })
            .collect()
    }

    /// The text of `pieces` (its tokens, separated by `|`) and the tokens, with
    /// `surprisals` in order.
    fn tokenised(pieces: &str, surprisals: &[f32]) -> (String, Vec<TokenSurprisal>) {
        assert_eq!(pieces.split('|').count(), surprisals.len(), "{pieces}");
        let mut start = 0;
        let tokens = pieces
            .split('|')
            .zip(surprisals)
            .map(|(piece, &surprisal)| {
                let span = Span::new(start, start + piece.len());
                start = span.end;
                TokenSurprisal { span, surprisal }
            })
            .collect();
        (pieces.replace('|', ""), tokens)
    }

    /// The text of `pieces` (as for [`tokenised`]) and its features as one sentence.
    fn features(
        pieces: &str,
        surprisals: &[f32],
        lexicon: Option<&Lexicon>,
    ) -> (String, SentenceLm) {
        let (text, tokens) = tokenised(pieces, surprisals);
        let mut features =
            sentence_features(&text, &tokens, &sentences(&[(0, text.len())]), lexicon);
        (text, features.remove(0))
    }

    #[test]
    fn tokens_go_to_the_sentence_of_their_first_visible_byte() {
        let (text, tokens) = tokenised("Ab| cd|.|\n|Ef| gh|.", &[1.0; 7]);
        let owner = assign_tokens(&text, &tokens, &sentences(&[(7, 13), (0, 6)]));
        assert_eq!(
            owner,
            [Some(1), Some(1), Some(1), None, Some(0), Some(0), Some(0)]
        );
    }

    #[test]
    fn features_of_a_sentence() {
        let (text, f) = features(
            "Der| Hund| bellt| laut|.",
            &[2.0, 9.0, 13.0, 1.0, 0.0],
            None,
        );
        assert_eq!(f.tokens, 5);
        assert!((f.mean_surprisal - 5.0).abs() < 1e-6);
        assert_eq!(f.max_surprisal, 13.0);
        assert_eq!(
            f.frac_above,
            FracAbove {
                nats_4: 0.4,
                nats_8: 0.4,
                nats_12: 0.2
            }
        );
        // Excess over 4 nats: −2, 5, 9, −3, −4; the best run is "Hund bellt" (14).
        let worst = f.worst_span.unwrap();
        assert_eq!(worst.span.slice(&text), "Hund bellt");
        assert_eq!(worst.tokens, 2);
        assert!((worst.mean_surprisal - 11.0).abs() < 1e-6);
        // No lexicon: 4 words at the unlisted Zipf of 2 → 7 ln 10 nats each.
        let unigram = 4.0 * 7.0 * std::f32::consts::LN_10;
        assert!((f.slor - (unigram - 25.0) / 5.0).abs() < 1e-4);
    }

    #[test]
    fn worst_span_bridges_a_plausible_token_between_implausible_ones() {
        // Excess over 4 nats: " Ball" +4, " sei" +3, " dem" −2, " Gericht" +5.
        let (text, f) = features(
            "Er| sagte| Ball| sei| dem| Gericht| heute|.",
            &[1.0, 2.0, 8.0, 7.0, 2.0, 9.0, 1.0, 0.0],
            None,
        );
        let worst = f.worst_span.unwrap();
        assert_eq!(worst.span.slice(&text), "Ball sei dem Gericht");
        assert_eq!(worst.tokens, 4);
    }

    #[test]
    fn worst_span_covers_whole_words() {
        let (text, f) = features(
            "Die| Freilass|ung| ziv|iler| Gefangener|.",
            &[1.0, 2.0, 1.0, 9.0, 1.0, 2.0, 0.0],
            None,
        );
        assert_eq!(f.worst_span.unwrap().span.slice(&text), "ziviler");
    }

    #[test]
    fn fluent_sentence_gets_its_most_surprising_token_as_worst_span() {
        let (text, f) = features("Das| ist| gut|.", &[1.0, 3.0, 2.0, 0.5], None);
        let worst = f.worst_span.unwrap();
        assert_eq!(worst.span.slice(&text), "ist");
        assert_eq!(worst.mean_surprisal, 3.0);
    }

    #[test]
    fn frequent_words_lower_the_unigram_baseline() {
        let lexicon = crate::lexicon::for_lang(crate::data::Lang::GERMAN).expect("German lexicon");
        let common = unigram_surprisal("und die der", Some(lexicon));
        let rare = unigram_surprisal("Xqzv Wbrtt Plonk", Some(lexicon));
        assert!(common < rare, "{common} vs {rare}");
    }

    fn german() -> &'static Lexicon {
        crate::lexicon::for_lang(crate::data::Lang::GERMAN).expect("German lexicon")
    }

    #[test]
    fn unlikely_word_is_the_common_word_with_the_most_excess_surprisal() {
        let (text, f) = features(
            "Wir| wirkt| uns| sofort| wieder| auf|.",
            &[9.0, 18.2, 2.3, 6.7, 4.8, 1.0, 2.9],
            Some(german()),
        );
        let word = f.unlikely_word.expect("common words after the first");
        assert_eq!(word.span.slice(&text), "wirkt");
        assert_eq!(word.surprisal, 18.2);
        let zipf = german().zipf("wirkt").expect("listed");
        let expected = 18.2 - zipf_surprisal(zipf);
        assert!((word.excess - expected).abs() < 1e-4, "{}", word.excess);
        assert!(word.excess > 8.0, "{}", word.excess);
    }

    #[test]
    fn only_words_in_an_ordinary_context_are_judged() {
        // "und" is the first word; "sagte" follows a quotation mark, where a sentence may
        // start; "Berlin" is capitalised; "kam" follows a name. Only "nun" is judged.
        let pieces = "und| „|sagte| Berlin| kam| nun";
        let surprisals = [30.0, 1.0, 30.0, 30.0, 30.0, 3.0];
        let (text, f) = features(pieces, &surprisals, Some(german()));
        assert_eq!(f.unlikely_word.unwrap().span.slice(&text), "nun");
        // Without a lexicon there is no baseline to judge words by.
        let (_, f) = features(pieces, &surprisals, None);
        assert!(f.unlikely_word.is_none());
    }

    #[test]
    fn a_word_whose_token_starts_before_it_is_not_judged() {
        // The token ", so" carries the word "so", so its surprisal is not the word's alone.
        let (text, f) = features("ist| gut|, so", &[1.0, 2.0, 25.0], Some(german()));
        assert_eq!(f.unlikely_word.unwrap().span.slice(&text), "gut");
    }

    #[test]
    fn sentence_without_tokens_has_neutral_features() {
        let (_, f) = features("  ", &[3.0], None);
        assert_eq!(f.tokens, 0);
        assert!(f.worst_span.is_none());
    }
}
