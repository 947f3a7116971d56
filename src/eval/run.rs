//! Scoring gold data through the audit: gold articles and sentences become articles
//! (one gold segment per line, so sentences are judged in their article context), the
//! [`Auditor`] audits them exactly as `mtaudit audit` would, and each gold item gets the
//! probability, verdict, findings and features of the sentences on its line, and, where
//! the gold labels tokens, the findings that point into its text.

use super::gold::{group_into_articles, GoldFile, GoldLabel, GoldToken, SentenceItem, TokenLabels};
use super::gold::{ArticleRecord, SentenceGroup};
use crate::audit::Auditor;
use crate::data::{Article, ArticleAudit, CheckId, GateResult, Lang, Severity, Span, Verdict};
use crate::scoring::article::{
    article_features, ArticleFeatureVector, SentenceEvidence, NEEDS_EDITOR_MQM,
};
use crate::scoring::sentence::{self, FeatureVector, SentenceModel};
use crate::scoring::word_count;
use indicatif::ProgressBar;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// One gold item after the audit.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemOutcome {
    pub(crate) id: String,
    pub(crate) label: GoldLabel,
    pub(crate) severity_score: Option<f64>,
    pub(crate) lang: String,
    pub(crate) words: usize,
    /// Cross-validation group: the source document (shared by every system's translation).
    pub(crate) group: String,
    /// Highest calibrated probability among the sentences on the item's line.
    pub probability: f64,
    pub(crate) verdict: Verdict,
    pub(crate) checks_fired: Vec<CheckId>,
    /// Features for fitting the combination (see [`line_features`]).
    pub(crate) features: FeatureVector,
    /// The item's gold token labels against the findings on its text.
    pub(crate) tokens: ItemTokens,
}

/// A finding of the audit on a gold item, its span relative to the item's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ItemFinding {
    pub check: CheckId,
    pub severity: Severity,
    pub span: Span,
}

/// An item's gold token labels and the findings that point at part of its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TokenOutcome {
    pub tokens: Vec<GoldToken>,
    /// Findings on part of the item's text, clipped to it.
    pub findings: Vec<ItemFinding>,
    /// Findings over the item's whole (trimmed) text, left out: a sentence-wide verdict
    /// (a fragment, the implausible wording of a short sentence) says nothing about
    /// which token is wrong.
    pub whole_text_findings: usize,
}

/// What an item's gold token labels allow to measure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ItemTokens {
    /// The gold labels no tokens.
    Absent,
    /// The gold's tokens could not be located in the text the item was judged on.
    Unlocated,
    Located(TokenOutcome),
}

/// One audited article: a gold article, or gold sentences grouped into their article.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleOutcome {
    pub(crate) key: String,
    /// Cross-validation group: the source document.
    pub(crate) group: String,
    /// Mean MQM points per rated sentence, for gold articles.
    pub(crate) doc_mqm_mean: Option<f64>,
    /// Whether a sentence's mean MQM points reach a major error, for gold articles.
    pub(crate) has_major: Option<bool>,
    /// MQM-Core penalty points per word (the article score before clamping to 0–100).
    pub(crate) penalty_per_word: f64,
    /// The audit's article estimate.
    pub needs_editor: f64,
    /// Features of every sentence, to recompute the estimate under a refitted model.
    pub(crate) sentence_features: Vec<FeatureVector>,
    pub(crate) findings: Vec<(CheckId, Severity)>,
    pub(crate) gate: GateResult,
}

impl ArticleOutcome {
    /// The article features with sentence probabilities from `model`.
    pub(crate) fn features_under(&self, model: &SentenceModel) -> ArticleFeatureVector {
        let sentences: Vec<SentenceEvidence> = self
            .sentence_features
            .iter()
            .map(|x| (model.probability(x), *x))
            .collect();
        article_features(&sentences, self.findings.iter().copied())
    }

    /// Whether the gold says the article needs an editor (see [`NEEDS_EDITOR_MQM`]).
    pub(crate) fn needs_editor_gold(&self) -> Option<bool> {
        self.doc_mqm_mean.map(|mqm| mqm >= NEEDS_EDITOR_MQM)
    }
}

/// Mean MQM points of a sentence with one major error (MQM-Core weight 5), the gold
/// set's bar for `broken`.
const MAJOR_POINTS: f64 = 5.0;

struct Line {
    text: String,
    /// Index into the item list, when the line is a labelled item.
    item: Option<usize>,
}

struct Context {
    key: String,
    group: String,
    lang: String,
    lines: Vec<Line>,
    doc_mqm_mean: Option<f64>,
    has_major: Option<bool>,
}

struct Item {
    id: String,
    label: GoldLabel,
    severity_score: Option<f64>,
    lang: String,
    group: String,
    token_labels: TokenLabels,
}

/// Whether the article `key` is in a 1-in-`one_in` sample (by a hash of the key, so
/// the same articles are picked on every run).
pub(crate) fn sampled(key: &str, one_in: usize) -> bool {
    one_in <= 1 || usize::from(Sha256::digest(key.as_bytes())[0]) % one_in == 0
}

/// Builds the articles to audit. Items come from the sentence files; when there are
/// none, from the labelled segments of the article files. A sentence item whose id is a
/// segment of a gold article is judged in that article; the others in the article their
/// own file groups them into (`doc_id` and `system`, in `seg_id` order), or alone.
fn contexts(files: &[GoldFile], one_in: usize) -> (Vec<Context>, Vec<Item>) {
    let mut builder = ContextBuilder::new(one_in);
    let segments_are_items = !files.iter().any(|f| matches!(f, GoldFile::Sentences(_)));
    for file in files {
        if let GoldFile::Articles(articles) = file {
            for article in articles {
                builder.add_article(article, segments_are_items);
            }
        }
    }
    for file in files {
        if let GoldFile::Sentences(sentences) = file {
            builder.add_sentences(sentences);
        }
    }
    builder.finish()
}

/// The articles to audit and the items on their lines, as [`contexts`] builds them.
struct ContextBuilder<'a> {
    one_in: usize,
    contexts: Vec<Context>,
    items: Vec<Item>,
    /// The context and line of each segment of a sampled gold article.
    segment_at: HashMap<&'a str, (usize, usize)>,
    /// Segments of gold articles left out of the sample: their items are left out too.
    unsampled: HashSet<&'a str>,
    /// Sentence items judged on a gold article's line: (context, line, item), linked to
    /// their lines at the end.
    in_articles: Vec<(usize, usize, usize)>,
}

impl<'a> ContextBuilder<'a> {
    fn new(one_in: usize) -> Self {
        ContextBuilder {
            one_in,
            contexts: Vec::new(),
            items: Vec::new(),
            segment_at: HashMap::new(),
            unsampled: HashSet::new(),
            in_articles: Vec::new(),
        }
    }

    /// A gold article, if sampled, with its labelled segments as items when
    /// `segments_are_items` (no sentence file gives the items).
    fn add_article(&mut self, article: &'a ArticleRecord, segments_are_items: bool) {
        if !sampled(&article.doc_key, self.one_in) {
            self.unsampled
                .extend(article.segments.iter().map(|s| s.id.as_str()));
            return;
        }
        let lang = article.lang.clone().unwrap_or_else(|| "und".into());
        let mut lines = Vec::new();
        for (line, segment) in article.segments.iter().enumerate() {
            self.segment_at
                .insert(&segment.id, (self.contexts.len(), line));
            let item = match segment.label {
                Some(label) if segments_are_items => Some(self.push_item(Item {
                    id: segment.id.clone(),
                    label,
                    severity_score: segment.severity_score,
                    lang: lang.clone(),
                    group: article.doc_key.clone(),
                    token_labels: TokenLabels::Absent,
                })),
                _ => None,
            };
            lines.push(Line {
                text: one_line(&segment.text),
                item,
            });
        }
        self.contexts.push(Context {
            key: article.doc_key.clone(),
            group: article
                .doc_id
                .clone()
                .unwrap_or_else(|| article.doc_key.clone()),
            lang,
            lines,
            doc_mqm_mean: Some(article.doc_mqm_mean),
            has_major: Some(article.segments.iter().any(|s| {
                s.severity_score
                    .is_some_and(|points| points >= MAJOR_POINTS)
            })),
        });
    }

    /// The items of one sentence file: on their gold article's line, else in the article
    /// the file groups them into, else alone.
    fn add_sentences(&mut self, sentences: &[SentenceItem]) {
        let unplaced = self.place_on_article_lines(sentences);
        let (groups, alone) = group_into_articles(&unplaced);
        for group in &groups {
            self.add_group(group);
        }
        for sentence in alone {
            self.add_alone(sentence);
        }
    }

    /// Places the sentences that are segments of a sampled gold article on their lines and
    /// drops those of unsampled ones; returns the rest.
    fn place_on_article_lines(&mut self, sentences: &[SentenceItem]) -> Vec<SentenceItem> {
        let mut unplaced = Vec::new();
        for sentence in sentences {
            if self.unsampled.contains(sentence.id.as_str()) {
                continue;
            }
            match self.segment_at.get(sentence.id.as_str()) {
                Some(&(context, line)) => {
                    let item = item_on_line(sentence, &self.contexts[context].lines[line].text);
                    let item = self.push_item(item);
                    self.in_articles.push((context, line, item));
                }
                None => unplaced.push(sentence.clone()),
            }
        }
        unplaced
    }

    /// The sentences of one article of a sentence file, if sampled.
    fn add_group(&mut self, group: &SentenceGroup<'_>) {
        let key = format!("{}|{}", group.system.unwrap_or(""), group.doc_id);
        if !sampled(&key, self.one_in) {
            return;
        }
        let lines = group
            .items
            .iter()
            .map(|sentence| Line {
                text: one_line(&sentence.text),
                item: Some(self.push_item(item_of(sentence))),
            })
            .collect();
        self.contexts.push(Context {
            key,
            group: group.doc_id.to_string(),
            lang: group.items[0].lang.clone(),
            lines,
            doc_mqm_mean: None,
            has_major: None,
        });
    }

    /// A sentence that no article holds, if sampled, as an article of its own.
    fn add_alone(&mut self, sentence: &SentenceItem) {
        if !sampled(&sentence.id, self.one_in) {
            return;
        }
        let item = self.push_item(item_of(sentence));
        self.contexts.push(Context {
            key: sentence.id.clone(),
            group: self.items[item].group.clone(),
            lang: sentence.lang.clone(),
            lines: vec![Line {
                text: one_line(&sentence.text),
                item: Some(item),
            }],
            doc_mqm_mean: None,
            has_major: None,
        });
    }

    /// Adds `item` and returns its index.
    fn push_item(&mut self, item: Item) -> usize {
        self.items.push(item);
        self.items.len() - 1
    }

    /// The contexts, each sentence placed on a gold article's line linked to it, and the
    /// items.
    fn finish(mut self) -> (Vec<Context>, Vec<Item>) {
        for (context, line, item) in self.in_articles {
            self.contexts[context].lines[line].item = Some(item);
        }
        (self.contexts, self.items)
    }
}

fn item_of(sentence: &SentenceItem) -> Item {
    Item {
        id: sentence.id.clone(),
        label: sentence.label,
        severity_score: sentence.severity_score,
        lang: sentence.lang.clone(),
        group: sentence
            .doc_id
            .clone()
            .unwrap_or_else(|| sentence.id.clone()),
        token_labels: sentence.token_labels.clone(),
    }
}

/// A sentence item judged on the segment `line` of a gold article: its token spans hold
/// only where the segment is worded as the item.
fn item_on_line(sentence: &SentenceItem, line: &str) -> Item {
    let mut item = item_of(sentence);
    if matches!(item.token_labels, TokenLabels::Located(_)) && one_line(&sentence.text) != line {
        item.token_labels = TokenLabels::Unlocated;
    }
    item
}

/// A gold segment as one line of the article (segments never span lines).
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Audits every gold item (in its article context where the gold gives one) and every
/// gold article. `one_in` > 1 audits only a hash-chosen 1-in-N sample of the articles.
pub fn evaluate(
    files: &[GoldFile],
    auditor: &Auditor,
    one_in: usize,
    progress: &ProgressBar,
) -> (Vec<ItemOutcome>, Vec<ArticleOutcome>) {
    let (contexts, items) = contexts(files, one_in);
    progress.set_length(contexts.len() as u64);
    let audited: Vec<(ArticleAudit, Vec<usize>)> = contexts
        .par_iter()
        .map(|context| {
            let text = context
                .lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let mut starts = Vec::with_capacity(context.lines.len());
            let mut offset = 0;
            for line in &context.lines {
                starts.push(offset);
                offset += line.text.len() + 1;
            }
            let article = Article {
                id: context.key.clone(),
                source: context.key.clone(),
                title: None,
                lang: context.lang.parse::<Lang>().ok(),
                text,
            };
            let audit = auditor.audit(&article);
            progress.inc(1);
            (audit, starts)
        })
        .collect();
    progress.finish_and_clear();

    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; items.len()];
    let mut articles = Vec::new();
    for (context, (audit, starts)) in contexts.iter().zip(&audited) {
        articles.push(ArticleOutcome {
            key: context.key.clone(),
            group: context.group.clone(),
            doc_mqm_mean: context.doc_mqm_mean,
            has_major: context.has_major,
            penalty_per_word: audit.penalty / audit.words.max(1) as f64,
            needs_editor: audit.needs_editor,
            sentence_features: audit
                .sentences
                .iter()
                .map(|s| line_features(audit, &[s.index], audit.sentence_text(s)))
                .collect(),
            findings: audit
                .findings
                .iter()
                .map(|f| (f.finding.check, f.finding.severity))
                .collect(),
            gate: audit.gate.clone(),
        });
        for (line_index, line) in context.lines.iter().enumerate() {
            let Some(item_index) = line.item else {
                continue;
            };
            let start = starts[line_index];
            let end = start + line.text.len();
            let on_line: Vec<usize> = audit
                .sentences
                .iter()
                .filter(|s| (start..end.max(start + 1)).contains(&s.span.start))
                .map(|s| s.index)
                .collect();
            let item = &items[item_index];
            outcomes[item_index] = Some(outcome(item, audit, &on_line, &line.text, start));
        }
    }
    (outcomes.into_iter().flatten().collect(), articles)
}

/// The outcome of `item`, judged on `line` (at byte `line_start` of the article text)
/// whose sentences are `on_line`.
fn outcome(
    item: &Item,
    audit: &ArticleAudit,
    on_line: &[usize],
    line: &str,
    line_start: usize,
) -> ItemOutcome {
    let sentences: Vec<_> = on_line.iter().map(|&i| &audit.sentences[i]).collect();
    let checks_fired: BTreeSet<CheckId> = sentences
        .iter()
        .flat_map(|s| s.findings.iter().map(|&f| audit.findings[f].finding.check))
        .collect();
    ItemOutcome {
        id: item.id.clone(),
        label: item.label,
        severity_score: item.severity_score,
        lang: item.lang.clone(),
        words: word_count(line),
        group: item.group.clone(),
        probability: sentences
            .iter()
            .map(|s| s.probability_broken)
            .fold(0.0, f64::max),
        verdict: sentences
            .iter()
            .map(|s| s.verdict)
            .max()
            .unwrap_or(Verdict::Ok),
        checks_fired: checks_fired.into_iter().collect(),
        features: line_features(audit, on_line, line),
        tokens: item_tokens(&item.token_labels, audit, line_start, line),
    }
}

/// The item's located token labels with the audit's findings that point at part of
/// `line` (at byte `line_start` of the article text), in line coordinates.
fn item_tokens(
    labels: &TokenLabels,
    audit: &ArticleAudit,
    line_start: usize,
    line: &str,
) -> ItemTokens {
    let tokens = match labels {
        TokenLabels::Absent => return ItemTokens::Absent,
        TokenLabels::Unlocated => return ItemTokens::Unlocated,
        TokenLabels::Located(tokens) => tokens.clone(),
    };
    let line_span = Span::new(line_start, line_start + line.len());
    let trimmed_start = line.len() - line.trim_start().len();
    let whole_text = Span::new(trimmed_start, line.trim_end().len().max(trimmed_start));
    let mut findings = Vec::new();
    let mut whole_text_findings = 0;
    for finding in audit.findings.iter().map(|f| &f.finding) {
        if !finding.span.overlaps(line_span) {
            continue;
        }
        // Findings of the article may run over several lines: only this line's part counts.
        let span = Span::new(
            finding.span.start.max(line_span.start) - line_start,
            finding.span.end.min(line_span.end) - line_start,
        );
        if span.contains(whole_text) {
            whole_text_findings += 1;
            continue;
        }
        findings.push(ItemFinding {
            check: finding.check,
            severity: finding.severity,
            span,
        });
    }
    ItemTokens::Located(TokenOutcome {
        tokens,
        findings,
        whole_text_findings,
    })
}

/// Features of a gold line for fitting: its length and kind, the heuristic findings of
/// all its sentences, and the LM features of its longest sentence (nearly every gold
/// line is one sentence).
pub(crate) fn line_features(audit: &ArticleAudit, on_line: &[usize], line: &str) -> FeatureVector {
    let sentences: Vec<_> = on_line.iter().map(|&i| &audit.sentences[i]).collect();
    let findings = sentences.iter().flat_map(|s| {
        s.findings.iter().map(|&f| {
            (
                audit.findings[f].finding.check,
                audit.findings[f].finding.severity,
            )
        })
    });
    let kind = sentences
        .first()
        .map_or(crate::data::SentenceKind::Sentence, |s| s.kind);
    let lm = sentences
        .iter()
        .filter_map(|s| s.lm.as_ref())
        .max_by_key(|lm| lm.tokens);
    sentence::features(word_count(line), kind, findings, lm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_stable_and_roughly_the_fraction() {
        let keys: Vec<String> = (0..4000).map(|i| format!("doc-{i}")).collect();
        let picked = keys.iter().filter(|k| sampled(k, 4)).count();
        assert!((800..1200).contains(&picked), "{picked}");
        assert!(keys.iter().all(|k| sampled(k, 1)));
        assert_eq!(sampled("doc-7", 4), sampled("doc-7", 4));
    }

    #[test]
    fn the_estimate_recomputed_for_fitting_is_the_audits() {
        use super::super::gold::{ArticleRecord, GoldSegment};
        use crate::scoring::combination::Combination;
        let sample = include_str!("../../tests/fixtures/samples/000_242c8710a1e8f699.txt");
        let segments = sample
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, text)| GoldSegment {
                id: format!("s{i}"),
                text: text.to_string(),
                label: None,
                severity_score: Some(if i == 3 { 5.0 } else { 0.0 }),
            })
            .collect();
        let files = [GoldFile::Articles(vec![ArticleRecord {
            doc_key: "t|sys|doc".into(),
            doc_id: Some("doc".into()),
            lang: Some("de".into()),
            segments,
            doc_mqm_mean: 2.5,
        }])];
        let auditor = Auditor::new(Default::default(), None);
        let (_, articles) = evaluate(&files, &auditor, 1, &ProgressBar::hidden());
        let article = &articles[0];
        assert_eq!(
            (
                article.group.as_str(),
                article.has_major,
                article.needs_editor_gold()
            ),
            ("doc", Some(true), Some(true))
        );
        let shipped = Combination::shipped();
        let recomputed = shipped
            .article_model(false)
            .probability(&article.features_under(shipped.model(false)));
        assert!(
            (recomputed - article.needs_editor).abs() < 1e-12,
            "{recomputed} vs {}",
            article.needs_editor
        );
    }

    /// A German sentence item with every token labelled correct but `erroneous`.
    fn labelled_item(id: &str, text: &str, seg_id: Option<u64>, erroneous: &str) -> SentenceItem {
        let tokens: Vec<&str> = text
            .split(' ')
            .flat_map(|word| match word.strip_suffix(['.', ',']) {
                Some(stem) => vec![stem, &word[stem.len()..]],
                None => vec![word],
            })
            .collect();
        let spans = super::super::gold::locate_tokens(text, &tokens).expect("located");
        SentenceItem {
            id: id.into(),
            text: text.into(),
            lang: "de".into(),
            label: GoldLabel::Broken,
            severity_score: None,
            doc_id: seg_id.map(|_| "doc".into()),
            seg_id,
            system: None,
            token_labels: TokenLabels::Located(
                tokens
                    .iter()
                    .zip(spans)
                    .map(|(token, span)| GoldToken {
                        span,
                        erroneous: *token == erroneous,
                    })
                    .collect(),
            ),
        }
    }

    fn token_outcome(outcomes: &[ItemOutcome], id: &str) -> TokenOutcome {
        match &outcomes.iter().find(|o| o.id == id).expect("item").tokens {
            ItemTokens::Located(outcome) => outcome.clone(),
            other => panic!("expected located tokens, got {other:?}"),
        }
    }

    #[test]
    fn a_whole_sentence_finding_does_not_count() {
        // The fragment check flags the whole of a paragraph that breaks off after a comma.
        let files = [GoldFile::Sentences(vec![labelled_item(
            "comma",
            "Die Regierung hat gestern in Berlin,",
            None,
            ",",
        )])];
        let auditor = Auditor::new(Default::default(), None);
        let (outcomes, _) = evaluate(&files, &auditor, 1, &ProgressBar::hidden());
        assert_eq!(outcomes[0].checks_fired, vec![CheckId::Fragment]);
        let outcome = token_outcome(&outcomes, "comma");
        assert_eq!(
            (outcome.findings.len(), outcome.whole_text_findings),
            (0, 1)
        );
    }

    #[test]
    fn findings_in_an_article_are_mapped_to_the_item() {
        // Two items of one article: the second line's lower-case start is flagged at
        // its own offset in the article, and comes back relative to the item's text.
        let files = [GoldFile::Sentences(vec![
            labelled_item(
                "first",
                "Der Bundestag hat ein Gesetz beschlossen.",
                Some(1),
                "",
            ),
            labelled_item("second", "ich habe das Buch gelesen.", Some(2), "ich"),
        ])];
        let auditor = Auditor::new(Default::default(), None);
        let (outcomes, articles) = evaluate(&files, &auditor, 1, &ProgressBar::hidden());
        assert_eq!(articles.len(), 1);
        assert!(token_outcome(&outcomes, "first").findings.is_empty());
        let second = token_outcome(&outcomes, "second");
        let capitalisation: Vec<Span> = second
            .findings
            .iter()
            .filter(|f| f.check == CheckId::Capitalisation)
            .map(|f| f.span)
            .collect();
        assert_eq!(capitalisation, vec![Span::new(0, 3)]);
    }

    #[test]
    fn segments_become_single_lines() {
        assert_eq!(
            one_line("Ein\nSatz\r\nmit  Lücken"),
            "Ein Satz  mit  Lücken"
        );
    }
}
