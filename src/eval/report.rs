//! The evaluation report: every metric for a set of scored gold items, overall, per
//! check and per language, as JSON (serde) and as a plain-text table; and the rank
//! agreement of article measures with the article gold; and the findings' spans against
//! gold token labels.

use super::gold::GoldLabel;
use super::metrics::{
    at_threshold, auroc, average_precision, best_f1_threshold, kendall_tau_b,
    length_stratified_auroc, spearman, LengthBand, StratifiedAuroc, ThresholdMetrics, TokenCounts,
    TokenScores,
};
use super::run::{ItemFinding, ItemTokens};
use crate::checks::{CheckId, Severity};
use crate::span::Span;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One gold item after scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredItem {
    /// Probability that the item is broken (higher is worse).
    pub score: f64,
    pub label: GoldLabel,
    pub severity_score: Option<f64>,
    /// Sentence length in words, for the length bands.
    pub words: usize,
    pub lang: String,
    /// Checks with at least one finding on the item.
    pub checks_fired: Vec<CheckId>,
}

/// Every metric for one set of items and one score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSet {
    pub n: usize,
    pub n_broken: usize,
    pub n_ok: usize,
    pub n_mid: usize,
    /// Over broken and ok items.
    pub auroc: Option<f64>,
    pub average_precision: Option<f64>,
    pub at_threshold: ThresholdMetrics,
    pub best_threshold: Option<ThresholdMetrics>,
    /// Items with a `severity_score`, mid ones included.
    pub n_with_severity: usize,
    pub spearman: Option<f64>,
    pub kendall_tau_b: Option<f64>,
    pub length_stratified: LengthStratified,
}

/// The same metrics within sentence-length bands, and their size-weighted means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LengthStratified {
    pub auroc: StratifiedAuroc,
    pub bands: Vec<BandMetrics>,
    /// Size-weighted mean of the defined band Spearman values (size: items with severity).
    pub spearman_weighted_mean: Option<f64>,
}

/// Metrics within one length band (without a further split by length).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandMetrics {
    pub band: LengthBand,
    pub label: String,
    pub n: usize,
    pub n_broken: usize,
    pub n_ok: usize,
    pub auroc: Option<f64>,
    pub average_precision: Option<f64>,
    pub at_threshold: ThresholdMetrics,
    pub n_with_severity: usize,
    pub spearman: Option<f64>,
    pub kendall_tau_b: Option<f64>,
}

/// How well "this check fired" alone predicts broken, and the score where it fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckMetrics {
    pub n_fired: usize,
    /// The indicator (1 fired, 0 not) as the score, flagged at 0.5.
    pub as_predictor: MetricSet,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub threshold: f64,
    pub overall: MetricSet,
    pub by_check: BTreeMap<CheckId, CheckMetrics>,
    pub by_lang: BTreeMap<String, MetricSet>,
}

/// Binary labels and the scores and lengths that go with them, mid items left out.
struct Binary {
    scores: Vec<f64>,
    labels: Vec<bool>,
    words: Vec<usize>,
}

fn binary(items: &[&ScoredItem], score: &dyn Fn(&ScoredItem) -> f64) -> Binary {
    let mut binary = Binary {
        scores: Vec::new(),
        labels: Vec::new(),
        words: Vec::new(),
    };
    for item in items {
        if let Some(broken) = item.label.is_broken() {
            binary.scores.push(score(item));
            binary.labels.push(broken);
            binary.words.push(item.words);
        }
    }
    binary
}

fn severity_pairs(
    items: &[&ScoredItem],
    score: &dyn Fn(&ScoredItem) -> f64,
) -> (Vec<f64>, Vec<f64>) {
    items
        .iter()
        .filter_map(|item| item.severity_score.map(|severity| (score(item), severity)))
        .unzip()
}

fn band_metrics(
    items: &[&ScoredItem],
    score: &dyn Fn(&ScoredItem) -> f64,
    threshold: f64,
    band: LengthBand,
) -> BandMetrics {
    let in_band: Vec<&ScoredItem> = items
        .iter()
        .copied()
        .filter(|item| band.contains(item.words))
        .collect();
    let binary = binary(&in_band, score);
    let (scores, severities) = severity_pairs(&in_band, score);
    BandMetrics {
        band,
        label: band.label(),
        n: in_band.len(),
        n_broken: binary.labels.iter().filter(|&&l| l).count(),
        n_ok: binary.labels.iter().filter(|&&l| !l).count(),
        auroc: auroc(&binary.scores, &binary.labels),
        average_precision: average_precision(&binary.scores, &binary.labels),
        at_threshold: at_threshold(&binary.scores, &binary.labels, threshold),
        n_with_severity: scores.len(),
        spearman: spearman(&scores, &severities),
        kendall_tau_b: kendall_tau_b(&scores, &severities),
    }
}

fn metric_set(
    items: &[&ScoredItem],
    score: &dyn Fn(&ScoredItem) -> f64,
    threshold: f64,
    bands: &[LengthBand],
) -> MetricSet {
    let binary = binary(items, score);
    let (scores, severities) = severity_pairs(items, score);
    let band_rows: Vec<BandMetrics> = bands
        .iter()
        .map(|&band| band_metrics(items, score, threshold, band))
        .collect();
    let (weighted_sum, weight) = band_rows
        .iter()
        .filter_map(|b| {
            b.spearman
                .map(|rho| (rho * b.n_with_severity as f64, b.n_with_severity as f64))
        })
        .fold((0.0, 0.0), |(s, w), (x, n)| (s + x, w + n));
    MetricSet {
        n: items.len(),
        n_broken: binary.labels.iter().filter(|&&l| l).count(),
        n_ok: binary.labels.iter().filter(|&&l| !l).count(),
        n_mid: items
            .iter()
            .filter(|item| item.label == GoldLabel::Mid)
            .count(),
        auroc: auroc(&binary.scores, &binary.labels),
        average_precision: average_precision(&binary.scores, &binary.labels),
        at_threshold: at_threshold(&binary.scores, &binary.labels, threshold),
        best_threshold: best_f1_threshold(&binary.scores, &binary.labels),
        n_with_severity: scores.len(),
        spearman: spearman(&scores, &severities),
        kendall_tau_b: kendall_tau_b(&scores, &severities),
        length_stratified: LengthStratified {
            auroc: length_stratified_auroc(&binary.scores, &binary.labels, &binary.words, bands),
            bands: band_rows,
            spearman_weighted_mean: (weight > 0.0).then(|| weighted_sum / weight),
        },
    }
}

/// Threshold at which a fired/not-fired indicator counts as a flag.
const FIRED_THRESHOLD: f64 = 0.5;

impl EvalReport {
    /// Computes every metric for `items`, flagging items whose score is `>= threshold`.
    /// Every check in [`CheckId::ALL`] gets a row, so a check that never fires shows.
    pub fn new(items: &[ScoredItem], threshold: f64, bands: &[LengthBand]) -> EvalReport {
        let all: Vec<&ScoredItem> = items.iter().collect();
        let probability = |item: &ScoredItem| item.score;
        let by_check = CheckId::ALL
            .iter()
            .map(|&check| {
                let fired = move |item: &ScoredItem| {
                    f64::from(u8::from(item.checks_fired.contains(&check)))
                };
                let metrics = CheckMetrics {
                    n_fired: items
                        .iter()
                        .filter(|item| item.checks_fired.contains(&check))
                        .count(),
                    as_predictor: metric_set(&all, &fired, FIRED_THRESHOLD, bands),
                };
                (check, metrics)
            })
            .collect();
        let mut langs: BTreeMap<&str, Vec<&ScoredItem>> = BTreeMap::new();
        for item in items {
            langs.entry(item.lang.as_str()).or_default().push(item);
        }
        let by_lang = langs
            .into_iter()
            .map(|(lang, group)| {
                (
                    lang.to_string(),
                    metric_set(&group, &probability, threshold, bands),
                )
            })
            .collect();
        EvalReport {
            threshold,
            overall: metric_set(&all, &probability, threshold, bands),
            by_check,
            by_lang,
        }
    }

    /// The report as plain-text tables: overall, length bands, languages, checks.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        write_summary(&mut out, &self.overall);
        write_band_table(&mut out, &self.overall.length_stratified.bands);
        self.write_language_table(&mut out);
        self.write_check_table(&mut out);
        out
    }

    fn write_language_table(&self, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "\nby language");
        let _ = writeln!(
            out,
            "{:<8} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "lang", "n", "broken", "ok", "AUROC", "AUROC/l", "AP", "F1", "rho", "tau-b"
        );
        for (lang, set) in &self.by_lang {
            let _ = writeln!(
                out,
                "{:<8} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
                lang,
                set.n,
                set.n_broken,
                set.n_ok,
                number(set.auroc),
                number(set.length_stratified.auroc.weighted_mean),
                number(set.average_precision),
                number(set.at_threshold.f1),
                number(set.spearman),
                number(set.kendall_tau_b),
            );
        }
    }

    fn write_check_table(&self, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "\nby check (fired = flagged)");
        let _ = writeln!(
            out,
            "{:<20} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "check", "fired", "P", "R", "F1", "AUROC", "AUROC/l", "rho"
        );
        for (check, metrics) in &self.by_check {
            let set = &metrics.as_predictor;
            let _ = writeln!(
                out,
                "{:<20} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
                check.as_str(),
                metrics.n_fired,
                number(set.at_threshold.precision),
                number(set.at_threshold.recall),
                number(set.at_threshold.f1),
                number(set.auroc),
                number(set.length_stratified.auroc.weighted_mean),
                number(set.spearman),
            );
        }
    }
}

/// The overall metrics, one per line.
fn write_summary(out: &mut String, set: &MetricSet) {
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "items {}  broken {}  ok {}  mid {}  with severity {}",
        set.n, set.n_broken, set.n_ok, set.n_mid, set.n_with_severity
    );
    let _ = writeln!(out, "AUROC               {}", number(set.auroc));
    let _ = writeln!(
        out,
        "AUROC by length     {} (size-weighted mean of bands)",
        number(set.length_stratified.auroc.weighted_mean)
    );
    let _ = writeln!(out, "average precision   {}", number(set.average_precision));
    let _ = writeln!(
        out,
        "at threshold        {}",
        threshold_row(&set.at_threshold)
    );
    match &set.best_threshold {
        Some(best) => {
            let _ = writeln!(out, "best F1 threshold   {}", threshold_row(best));
        }
        None => {
            let _ = writeln!(out, "best F1 threshold   -");
        }
    }
    let _ = writeln!(out, "Spearman            {}", number(set.spearman));
    let _ = writeln!(out, "Kendall tau-b       {}", number(set.kendall_tau_b));
    let _ = writeln!(
        out,
        "Spearman by length  {} (size-weighted mean of bands)",
        number(set.length_stratified.spearman_weighted_mean)
    );
}

fn write_band_table(out: &mut String, bands: &[BandMetrics]) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "\nby length (words)");
    let _ = writeln!(
        out,
        "{:<8} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "band", "n", "broken", "ok", "AUROC", "AP", "P", "R", "F1", "rho"
    );
    for band in bands {
        let _ = writeln!(
            out,
            "{:<8} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            band.label,
            band.n,
            band.n_broken,
            band.n_ok,
            number(band.auroc),
            number(band.average_precision),
            number(band.at_threshold.precision),
            number(band.at_threshold.recall),
            number(band.at_threshold.f1),
            number(band.spearman),
        );
    }
}

/// One gold article after scoring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredArticle {
    /// MQM-Core penalty points per word.
    pub penalty_per_word: f64,
    /// The article estimate: probability that the article needs an editor.
    pub needs_editor: f64,
    /// The gold mean MQM points per rated sentence.
    pub doc_mqm_mean: f64,
    /// Whether a sentence of the article has a major error (gold).
    pub has_major: bool,
}

/// Agreement between the tool's article measures and the article gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleMetrics {
    pub n: usize,
    /// Articles with a major error.
    pub with_major: usize,
    /// The article estimate: rank agreement with `doc_mqm_mean`, and AUROC for "has a
    /// major error".
    pub estimate_spearman: Option<f64>,
    pub estimate_kendall_tau_b: Option<f64>,
    pub estimate_auroc_major: Option<f64>,
    /// The MQM-Core form (penalty points per word) against `doc_mqm_mean`.
    pub penalty_spearman: Option<f64>,
    pub penalty_kendall_tau_b: Option<f64>,
}

impl ArticleMetrics {
    pub fn new(articles: &[ScoredArticle]) -> ArticleMetrics {
        let column = |f: fn(&ScoredArticle) -> f64| articles.iter().map(f).collect::<Vec<_>>();
        let gold = column(|a| a.doc_mqm_mean);
        let estimate = column(|a| a.needs_editor);
        let penalty = column(|a| a.penalty_per_word);
        let major: Vec<bool> = articles.iter().map(|a| a.has_major).collect();
        ArticleMetrics {
            n: articles.len(),
            with_major: major.iter().filter(|&&m| m).count(),
            estimate_spearman: spearman(&estimate, &gold),
            estimate_kendall_tau_b: kendall_tau_b(&estimate, &gold),
            estimate_auroc_major: auroc(&estimate, &major),
            penalty_spearman: spearman(&penalty, &gold),
            penalty_kendall_tau_b: kendall_tau_b(&penalty, &gold),
        }
    }

    pub fn render_table(&self) -> String {
        format!(
            "articles {} ({} with a major error)\n\
             estimate (needs an editor): Spearman {}  Kendall tau-b {} (against doc_mqm_mean)  AUROC {} (has a major error)\n\
             MQM-Core penalty per word:  Spearman {}  Kendall tau-b {}\n",
            self.n,
            self.with_major,
            number(self.estimate_spearman),
            number(self.estimate_kendall_tau_b),
            number(self.estimate_auroc_major),
            number(self.penalty_spearman),
            number(self.penalty_kendall_tau_b),
        )
    }
}

/// How many audited articles fail the gate (of the settings `eval` ran with), and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GateMetrics {
    pub articles: usize,
    pub failed: usize,
    /// Failed with a critical finding among the reasons.
    pub failed_critical: usize,
    /// Failed with the article estimate among the reasons.
    pub failed_needs_editor: usize,
}

impl GateMetrics {
    pub fn render_table(&self) -> String {
        format!(
            "gate: {} of {} articles fail ({:.1}%): {} with a critical finding, {} by the estimate\n",
            self.failed,
            self.articles,
            100.0 * self.failed as f64 / self.articles.max(1) as f64,
            self.failed_critical,
            self.failed_needs_editor,
        )
    }
}

/// The findings' spans against gold token labels (MultiGED): a token is predicted
/// erroneous when a finding that points at part of its sentence overlaps it. Counts are
/// micro-averaged over every token of the items whose tokens were located.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenMetrics {
    /// Items whose token labels were located in their text.
    pub items: usize,
    /// Items with token labels that could not be located in their text (left out).
    pub items_unlocated: usize,
    pub tokens: usize,
    pub erroneous_tokens: usize,
    /// Findings left out because they cover an item's whole text.
    pub whole_text_findings: usize,
    /// Every finding, minor and above.
    pub overall: TokenScores,
    pub major_and_above: TokenScores,
    /// Each check's findings alone, every severity.
    pub by_check: BTreeMap<CheckId, TokenScores>,
}

impl TokenMetrics {
    /// `None` when no item has token labels.
    pub fn new<'a>(items: impl IntoIterator<Item = &'a ItemTokens>) -> Option<TokenMetrics> {
        let mut labelled = false;
        let (mut located, mut unlocated, mut tokens, mut erroneous, mut whole_text) =
            (0, 0, 0, 0, 0);
        let (mut overall, mut major) = (TokenCounts::default(), TokenCounts::default());
        let mut by_check: BTreeMap<CheckId, TokenCounts> = CheckId::ALL
            .iter()
            .map(|&check| (check, TokenCounts::default()))
            .collect();
        for item in items {
            let outcome = match item {
                ItemTokens::Absent => continue,
                ItemTokens::Unlocated => {
                    labelled = true;
                    unlocated += 1;
                    continue;
                }
                ItemTokens::Located(outcome) => outcome,
            };
            labelled = true;
            located += 1;
            tokens += outcome.tokens.len();
            erroneous += outcome.tokens.iter().filter(|t| t.erroneous).count();
            whole_text += outcome.whole_text_findings;
            let spans = |keep: &dyn Fn(&ItemFinding) -> bool| -> Vec<Span> {
                outcome
                    .findings
                    .iter()
                    .filter(|f| keep(f))
                    .map(|f| f.span)
                    .collect()
            };
            overall.add(&outcome.tokens, &spans(&|_| true));
            major.add(&outcome.tokens, &spans(&|f| f.severity >= Severity::Major));
            for (&check, counts) in &mut by_check {
                counts.add(&outcome.tokens, &spans(&|f| f.check == check));
            }
        }
        labelled.then(|| TokenMetrics {
            items: located,
            items_unlocated: unlocated,
            tokens,
            erroneous_tokens: erroneous,
            whole_text_findings: whole_text,
            overall: overall.scores(),
            major_and_above: major.scores(),
            by_check: by_check
                .into_iter()
                .map(|(check, counts)| (check, counts.scores()))
                .collect(),
        })
    }

    /// The overall and major rows, then the checks that flagged a token.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "tokens (gold token labels): items {}  not located {}  tokens {}  erroneous {}  \
             whole-sentence findings left out {}",
            self.items,
            self.items_unlocated,
            self.tokens,
            self.erroneous_tokens,
            self.whole_text_findings
        );
        let _ = writeln!(
            out,
            "{:<20} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "findings", "tp", "fp", "fn", "P", "R", "F0.5"
        );
        let flagged_checks = self
            .by_check
            .iter()
            .filter(|(_, s)| s.true_positives + s.false_positives > 0)
            .map(|(check, scores)| (check.as_str(), scores));
        let rows = [
            ("all", &self.overall),
            ("major and above", &self.major_and_above),
        ];
        for (name, scores) in rows.into_iter().chain(flagged_checks) {
            let _ = writeln!(
                out,
                "{:<20} {:>7} {:>7} {:>7} {:>7.3} {:>7.3} {:>7.3}",
                name,
                scores.true_positives,
                scores.false_positives,
                scores.false_negatives,
                scores.precision,
                scores.recall,
                scores.f05
            );
        }
        out
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}

fn threshold_row(metrics: &ThresholdMetrics) -> String {
    format!(
        "t={:.3}  P {}  R {}  F1 {}  (tp {} fp {} fn {} tn {})",
        metrics.threshold,
        number(metrics.precision),
        number(metrics.recall),
        number(metrics.f1),
        metrics.true_positives,
        metrics.false_positives,
        metrics.false_negatives,
        metrics.true_negatives
    )
}

#[cfg(test)]
mod tests {
    use super::super::gold::{read_gold, GoldFile};
    use super::super::metrics::DEFAULT_LENGTH_BANDS;
    use super::*;
    use crate::scoring::word_count;
    use std::path::Path;

    /// The fixture's items scored by hand: score and the checks that fired, by id.
    fn scored_fixture() -> Vec<ScoredItem> {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/sentences.jsonl");
        let GoldFile::Sentences(items) = read_gold(&path, "label_fluency").expect("reads") else {
            panic!("expected sentence items");
        };
        items
            .into_iter()
            .map(|item| {
                let (score, checks_fired) = match item.id.as_str() {
                    "a" => (0.9, vec![CheckId::Repetition]),
                    "b" => (0.4, vec![]),
                    "c" => (0.7, vec![CheckId::Repetition, CheckId::Punctuation]),
                    "d" => (0.7, vec![CheckId::Punctuation]),
                    "e" => (0.2, vec![]),
                    "f" => (0.1, vec![]),
                    "g" => (0.5, vec![CheckId::Repetition]),
                    "h" => (0.3, vec![]),
                    other => panic!("unexpected item {other}"),
                };
                ScoredItem {
                    score,
                    label: item.label,
                    severity_score: item.severity_score,
                    words: word_count(&item.text),
                    lang: item.lang,
                    checks_fired,
                }
            })
            .collect()
    }

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("metric is defined");
        assert!((actual - expected).abs() < 1e-12, "{actual} != {expected}");
    }

    #[test]
    fn overall_metrics_match_the_hand_computation() {
        // The hand computations are in metrics::tests: same items, same scores.
        let report = EvalReport::new(&scored_fixture(), 0.5, &DEFAULT_LENGTH_BANDS);
        let set = &report.overall;
        assert_eq!((set.n, set.n_broken, set.n_ok, set.n_mid), (8, 3, 3, 2));
        close(set.auroc, 7.5 / 9.0);
        close(set.average_precision, 29.0 / 36.0);
        close(set.at_threshold.f1, 2.0 / 3.0);
        assert_eq!(set.best_threshold.map(|b| b.threshold), Some(0.4));
        // Mid item g (severity 2) counts for rank correlation; h has no severity.
        assert_eq!(set.n_with_severity, 7);
        close(set.spearman, 16.5 / 715f64.sqrt());
        close(set.kendall_tau_b, 9.0 / 360f64.sqrt());
        close(set.length_stratified.auroc.weighted_mean, 0.625);
        // Band 21–30 holds only g (mid): no AUROC, one severity.
        let band = &set.length_stratified.bands[2];
        assert_eq!(
            (band.n, band.n_broken, band.n_ok, band.n_with_severity),
            (1, 0, 0, 1)
        );
        assert_eq!(band.auroc, None);
    }

    #[test]
    fn breakdowns_by_check_and_language() {
        let report = EvalReport::new(&scored_fixture(), 0.5, &DEFAULT_LENGTH_BANDS);
        // Repetition fired on a, c (broken) and g (mid): tp 2, fp 0, fn 1 (b) →
        // P 1, R 2/3, F1 0.8; AUROC: a, c beat d, e, f (6), b ties them (1.5) → 7.5/9.
        let repetition = &report.by_check[&CheckId::Repetition];
        assert_eq!(repetition.n_fired, 3);
        close(repetition.as_predictor.at_threshold.precision, 1.0);
        close(repetition.as_predictor.at_threshold.f1, 0.8);
        close(repetition.as_predictor.auroc, 7.5 / 9.0);
        assert_eq!(report.by_check[&CheckId::Encoding].n_fired, 0);
        assert_eq!(report.by_check.len(), CheckId::ALL.len());
        // de: a .9, b .4, c .7 broken vs d .7 ok → (1 + 0 + 0.5) / 3; it: only ok items.
        close(report.by_lang["de"].auroc, 0.5);
        assert_eq!(report.by_lang["it"].auroc, None);
        assert_eq!(report.by_lang["it"].n_ok, 2);
    }

    #[test]
    fn renders_table_and_json() {
        let report = EvalReport::new(&scored_fixture(), 0.5, &DEFAULT_LENGTH_BANDS);
        let table = report.render_table();
        assert!(table.contains("AUROC               0.833\n"), "{table}");
        assert!(
            table.contains("best F1 threshold   t=0.400  P 0.750  R 1.000  F1 0.857"),
            "{table}"
        );
        assert!(
            table
                .lines()
                .any(|l| l.starts_with("it ") && l.contains(" -")),
            "{table}"
        );
        assert!(
            table.lines().any(|l| l.starts_with("repetition ")),
            "{table}"
        );
        let json = serde_json::to_value(&report).expect("serialises");
        assert_eq!(json["by_check"]["repetition"]["n_fired"], 3);
        assert_eq!(json["by_lang"]["it"]["auroc"], serde_json::Value::Null);
        assert_eq!(json["overall"]["best_threshold"]["threshold"], 0.4);
    }

    #[test]
    fn token_metrics_by_severity_and_check() {
        use super::super::gold::GoldToken;
        use super::super::run::TokenOutcome;
        // "ich habe das Buch gelesen ." with "ich" and "gelesen" erroneous: a minor
        // capitalisation finding on "ich", a major fragment finding on "Buch gelesen".
        let tokens = [(0, 3, true), (4, 8, false), (9, 12, false), (13, 17, false)]
            .into_iter()
            .chain([(18, 25, true), (25, 26, false)])
            .map(|(start, end, erroneous)| GoldToken {
                span: Span::new(start, end),
                erroneous,
            })
            .collect();
        let finding = |check, severity, start, end| ItemFinding {
            check,
            severity,
            span: Span::new(start, end),
        };
        let located = ItemTokens::Located(TokenOutcome {
            tokens,
            findings: vec![
                finding(CheckId::Capitalisation, Severity::Minor, 0, 3),
                finding(CheckId::Fragment, Severity::Major, 13, 25),
            ],
            whole_text_findings: 2,
        });
        let items = [located, ItemTokens::Unlocated, ItemTokens::Absent];
        let metrics = TokenMetrics::new(&items).expect("items have token labels");
        assert_eq!(
            (
                metrics.items,
                metrics.items_unlocated,
                metrics.tokens,
                metrics.erroneous_tokens,
                metrics.whole_text_findings
            ),
            (1, 1, 6, 2, 2)
        );
        let counts = |s: &TokenScores| (s.true_positives, s.false_positives, s.false_negatives);
        // All findings: ich, gelesen (tp), Buch (fp). Major only: gelesen, Buch; ich missed.
        assert_eq!(counts(&metrics.overall), (2, 1, 0));
        assert_eq!(counts(&metrics.major_and_above), (1, 1, 1));
        assert_eq!(
            counts(&metrics.by_check[&CheckId::Capitalisation]),
            (1, 0, 1)
        );
        assert_eq!(counts(&metrics.by_check[&CheckId::Repetition]), (0, 0, 2));
        assert_eq!(metrics.by_check.len(), CheckId::ALL.len());
        // P 2/3, R 1: F0.5 = 1.25 · 2/3 / (1/6 + 1) = 5/7.
        close(Some(metrics.overall.f05), 5.0 / 7.0);
        // The table lists only the checks that flagged a token.
        let table = metrics.render_table();
        assert!(table.contains("\nfragment  "), "{table}");
        assert!(!table.contains("repetition"), "{table}");
        assert_eq!(TokenMetrics::new(&[ItemTokens::Absent]), None);
    }

    #[test]
    fn article_rank_agreement() {
        // Estimate 1 2 3 4 against gold 0.5 0.4 2 3: gold ranks 2 1 3 4, Σd² = 2 →
        // ρ = 1 − 6·2 / (4·15) = 0.8; one discordant pair of six → τb = (5 − 1) / 6.
        // Major errors in the last two: the estimate ranks them first, AUROC 1. The
        // penalty runs against the gold: ρ = −0.8.
        let articles: Vec<ScoredArticle> = [(1.0, 0.5), (2.0, 0.4), (3.0, 2.0), (4.0, 3.0)]
            .into_iter()
            .map(|(needs_editor, doc_mqm_mean)| ScoredArticle {
                penalty_per_word: -needs_editor,
                needs_editor,
                doc_mqm_mean,
                has_major: doc_mqm_mean > 1.0,
            })
            .collect();
        let metrics = ArticleMetrics::new(&articles);
        assert_eq!((metrics.n, metrics.with_major), (4, 2));
        close(metrics.estimate_spearman, 0.8);
        close(metrics.estimate_kendall_tau_b, 4.0 / 6.0);
        close(metrics.estimate_auroc_major, 1.0);
        close(metrics.penalty_spearman, -0.8);
        assert!(
            metrics
                .render_table()
                .contains("Spearman 0.800  Kendall tau-b 0.667"),
            "{}",
            metrics.render_table()
        );
        assert_eq!(ArticleMetrics::new(&articles[..1]).estimate_spearman, None);
    }
}
