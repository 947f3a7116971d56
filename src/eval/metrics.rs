//! Detection and rank-correlation metrics with exact, tie-aware definitions.
//!
//! Every function takes scores where higher means "more likely broken" and binary labels
//! where `true` means broken. Degenerate inputs (one class only, constant scores, fewer
//! than two items, a non-finite value) give `None` rather than NaN or a panic, so a
//! report can say "undefined" instead of printing a misleading number.
//!
//! Token-level metrics ([`TokenCounts`]) follow the grammatical-error-detection
//! convention instead: an undefined precision, recall or F0.5 is 0.

use super::gold::GoldToken;
use crate::data::Span;
use serde::Serialize;

/// Mid-ranks (1-based) of `values`: tied values share the mean of the ranks they span.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end, whose mean is (start + 1 + end) / 2.
        let mid_rank = (start + 1 + end) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = mid_rank;
        }
        start = end;
    }
    ranks
}

fn all_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

/// Area under the ROC curve as the Mann–Whitney statistic: the probability that a random
/// broken item scores above a random ok item, ties counted one half.
pub fn auroc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    if scores.len() != labels.len() || !all_finite(scores) {
        return None;
    }
    let positives = labels.iter().filter(|&&l| l).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let ranks = average_ranks(scores);
    let positive_rank_sum: f64 = ranks
        .iter()
        .zip(labels)
        .filter(|(_, &l)| l)
        .map(|(r, _)| r)
        .sum();
    let p = positives as f64;
    let u = positive_rank_sum - p * (p + 1.0) / 2.0;
    Some(u / (p * negatives as f64))
}

/// Flagging every item that scores at or above `threshold`: how many are flagged and how
/// many of those are broken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    pub threshold: f64,
    pub flagged: usize,
    pub hits: usize,
}

/// One [`Cut`] per distinct score, highest first (tied scores are flagged together).
pub fn cuts(scores: &[f64], labels: &[bool]) -> Vec<Cut> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut cuts: Vec<Cut> = Vec::new();
    let (mut flagged, mut hits) = (0, 0);
    for &i in &order {
        flagged += 1;
        hits += usize::from(labels[i]);
        match cuts.last_mut() {
            Some(last) if last.threshold == scores[i] => {
                (last.flagged, last.hits) = (flagged, hits);
            }
            _ => cuts.push(Cut {
                threshold: scores[i],
                flagged,
                hits,
            }),
        }
    }
    cuts
}

/// Average precision as scikit-learn's `average_precision_score`: the step-wise sum
/// `Σ (R_k − R_{k−1}) · P_k` over the distinct score thresholds, highest first (tied
/// scores enter together, no interpolation).
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    if scores.len() != labels.len() || !all_finite(scores) {
        return None;
    }
    let positives = labels.iter().filter(|&&l| l).count();
    if positives == 0 {
        return None;
    }
    let mut previous_recall = 0.0;
    let mut sum = 0.0;
    for cut in cuts(scores, labels) {
        let recall = cut.hits as f64 / positives as f64;
        let precision = cut.hits as f64 / cut.flagged as f64;
        sum += (recall - previous_recall) * precision;
        previous_recall = recall;
    }
    Some(sum)
}

/// Confusion counts and derived rates when items scoring at or above `threshold` are
/// flagged as broken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdMetrics {
    pub threshold: f64,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
    /// `None` when nothing is flagged.
    pub precision: Option<f64>,
    /// `None` when there is no broken item.
    pub recall: Option<f64>,
    /// `None` when precision or recall is undefined; 0 when both are 0.
    pub f1: Option<f64>,
}

/// Precision, recall and F1 when every item scoring `>= threshold` is flagged broken.
pub fn at_threshold(scores: &[f64], labels: &[bool], threshold: f64) -> ThresholdMetrics {
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    for (&score, &broken) in scores.iter().zip(labels) {
        match (score >= threshold, broken) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    let precision = (tp + fp > 0).then(|| tp as f64 / (tp + fp) as f64);
    let recall = (tp + fn_ > 0).then(|| tp as f64 / (tp + fn_) as f64);
    let f1 = match (precision, recall) {
        (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    ThresholdMetrics {
        threshold,
        true_positives: tp,
        false_positives: fp,
        false_negatives: fn_,
        true_negatives: tn,
        precision,
        recall,
        f1,
    }
}

/// The threshold, among the distinct scores, with the highest F1; on a tie the highest
/// such threshold (fewest flags). `None` without broken items.
pub fn best_f1_threshold(scores: &[f64], labels: &[bool]) -> Option<ThresholdMetrics> {
    if scores.len() != labels.len() || !all_finite(scores) || !labels.contains(&true) {
        return None;
    }
    let positives = labels.iter().filter(|&&l| l).count();
    // Replacing only on a strictly higher F1 keeps the highest threshold among equals.
    let mut best: Option<(f64, f64)> = None;
    for cut in cuts(scores, labels) {
        // F1 = 2·tp / (flagged + positives), also 0 when tp is 0.
        let f1 = 2.0 * cut.hits as f64 / (cut.flagged + positives) as f64;
        if best.is_none_or(|(_, best_f1)| f1 > best_f1) {
            best = Some((cut.threshold, f1));
        }
    }
    best.map(|(threshold, _)| at_threshold(scores, labels, threshold))
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mean_x, b - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Spearman's rank correlation: Pearson's correlation of average ranks (scipy's
/// `spearmanr`). `None` for fewer than two items or a constant side.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 || !all_finite(x) || !all_finite(y) {
        return None;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Number of pairs within runs of equal values in an already sorted slice.
fn tied_pairs<T: PartialEq>(sorted: &[T]) -> u64 {
    let mut pairs = 0u64;
    let mut run = 1u64;
    for i in 1..=sorted.len() {
        if i < sorted.len() && sorted[i] == sorted[i - 1] {
            run += 1;
        } else {
            pairs += run * (run - 1) / 2;
            run = 1;
        }
    }
    pairs
}

/// Sorts `values` (merge sort) and returns the number of inversions: strictly
/// decreasing pairs, which are the discordant pairs once `x` is sorted.
fn sort_counting_inversions(values: &mut [f64], buffer: &mut Vec<f64>) -> u64 {
    let n = values.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut inversions = sort_counting_inversions(&mut values[..mid], buffer);
    inversions += sort_counting_inversions(&mut values[mid..], buffer);
    buffer.clear();
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if values[j] < values[i] {
            inversions += (mid - i) as u64;
            buffer.push(values[j]);
            j += 1;
        } else {
            buffer.push(values[i]);
            i += 1;
        }
    }
    buffer.extend_from_slice(&values[i..mid]);
    buffer.extend_from_slice(&values[j..n]);
    values.copy_from_slice(buffer);
    inversions
}

/// Kendall's tau-b (scipy's `kendalltau` default), in O(n log n) by Knight's method:
/// `(n₀ − n₁ − n₂ + n₃ − 2·swaps) / √((n₀ − n₁)(n₀ − n₂))` with n₀ all pairs, n₁ and n₂
/// pairs tied in x and in y, n₃ pairs tied in both. `None` when a side is constant.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 || !all_finite(x) || !all_finite(y) {
        return None;
    }
    let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let n = pairs.len() as u64;
    let all_pairs = n * (n - 1) / 2;
    let tied_x = tied_pairs(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
    let tied_both = tied_pairs(&pairs);
    let mut ys: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let mut buffer = Vec::with_capacity(ys.len());
    let swaps = sort_counting_inversions(&mut ys, &mut buffer);
    let tied_y = tied_pairs(&ys);
    let denominator = ((all_pairs - tied_x) as f64 * (all_pairs - tied_y) as f64).sqrt();
    if denominator == 0.0 {
        return None;
    }
    let numerator =
        all_pairs as f64 - tied_x as f64 - tied_y as f64 + tied_both as f64 - 2.0 * swaps as f64;
    Some(numerator / denominator)
}

/// A range of sentence lengths in words, both ends inclusive; `max_words: None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LengthBand {
    pub min_words: usize,
    pub max_words: Option<usize>,
}

impl LengthBand {
    pub fn contains(&self, words: usize) -> bool {
        words >= self.min_words && self.max_words.is_none_or(|max| words <= max)
    }

    /// "0–10", "31+".
    pub fn label(&self) -> String {
        match self.max_words {
            Some(max) => format!("{}–{}", self.min_words, max),
            None => format!("{}+", self.min_words),
        }
    }
}

/// Bands of 10 words; the first one also takes empty sentences so that every item has one.
pub const DEFAULT_LENGTH_BANDS: [LengthBand; 4] = [
    LengthBand {
        min_words: 0,
        max_words: Some(10),
    },
    LengthBand {
        min_words: 11,
        max_words: Some(20),
    },
    LengthBand {
        min_words: 21,
        max_words: Some(30),
    },
    LengthBand {
        min_words: 31,
        max_words: None,
    },
];

/// AUROC within one length band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandAuroc {
    pub band: LengthBand,
    pub n: usize,
    pub n_broken: usize,
    pub auroc: Option<f64>,
}

/// AUROC within each length band and the mean of the defined band values weighted by
/// band size, which removes what length alone separates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratifiedAuroc {
    pub bands: Vec<BandAuroc>,
    /// `None` when no band has both classes.
    pub weighted_mean: Option<f64>,
}

/// Length-stratified AUROC over `bands`; items whose length falls in no band are left out.
pub fn length_stratified_auroc(
    scores: &[f64],
    labels: &[bool],
    words: &[usize],
    bands: &[LengthBand],
) -> StratifiedAuroc {
    let results: Vec<BandAuroc> = bands
        .iter()
        .map(|band| {
            let (mut band_scores, mut band_labels) = (Vec::new(), Vec::new());
            for ((&score, &label), &w) in scores.iter().zip(labels).zip(words) {
                if band.contains(w) {
                    band_scores.push(score);
                    band_labels.push(label);
                }
            }
            BandAuroc {
                band: *band,
                n: band_scores.len(),
                n_broken: band_labels.iter().filter(|&&l| l).count(),
                auroc: auroc(&band_scores, &band_labels),
            }
        })
        .collect();
    let (weighted_sum, weight) = results
        .iter()
        .filter_map(|b| b.auroc.map(|a| (a * b.n as f64, b.n as f64)))
        .fold((0.0, 0.0), |(s, w), (a, n)| (s + a, w + n));
    StratifiedAuroc {
        bands: results,
        weighted_mean: (weight > 0.0).then(|| weighted_sum / weight),
    }
}

/// Token confusion counts: a token counts as flagged when a predicted span overlaps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

/// [`TokenCounts`] with precision, recall and F0.5 (each 0 where undefined).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TokenScores {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f05: f64,
}

impl TokenCounts {
    /// Counts the `tokens` of one item against `predicted` spans in the same coordinates.
    pub fn add(&mut self, tokens: &[GoldToken], predicted: &[Span]) {
        for token in tokens {
            let flagged = predicted.iter().any(|span| span.overlaps(token.span));
            match (flagged, token.erroneous) {
                (true, true) => self.true_positives += 1,
                (true, false) => self.false_positives += 1,
                (false, true) => self.false_negatives += 1,
                (false, false) => {}
            }
        }
    }

    /// F0.5 = 1.25·P·R / (0.25·P + R), which weighs precision twice as much as recall
    /// (the MultiGED measure).
    pub fn scores(&self) -> TokenScores {
        let share = |part: usize, whole: usize| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64
            }
        };
        let precision = share(
            self.true_positives,
            self.true_positives + self.false_positives,
        );
        let recall = share(
            self.true_positives,
            self.true_positives + self.false_negatives,
        );
        let denominator = 0.25 * precision + recall;
        TokenScores {
            true_positives: self.true_positives,
            false_positives: self.false_positives,
            false_negatives: self.false_negatives,
            precision,
            recall,
            f05: if denominator > 0.0 {
                1.25 * precision * recall / denominator
            } else {
                0.0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("metric is defined");
        assert!((actual - expected).abs() < 1e-12, "{actual} != {expected}");
    }

    // The binary items of tests/fixtures/eval/sentences.jsonl (label_fluency), with
    // scores: a .9 broken, b .4 broken, c .7 broken, d .7 ok, e .2 ok, f .1 ok.
    const SCORES: [f64; 6] = [0.9, 0.4, 0.7, 0.7, 0.2, 0.1];
    const BROKEN: [bool; 6] = [true, true, true, false, false, false];

    #[test]
    fn auroc_counts_ties_as_half() {
        // Broken vs ok pairs: a beats d, e, f (3); b loses to d, beats e, f (2); c ties d
        // (0.5), beats e, f (2). (3 + 2 + 2.5) / 9 = 0.8333.
        close(auroc(&SCORES, &BROKEN), 7.5 / 9.0);
    }

    #[test]
    fn average_precision_steps_over_distinct_thresholds() {
        // t=.9: R 1/3, P 1 → 1/3; t=.7 (c and d enter together): R 2/3, P 2/3 → 2/9;
        // t=.4: R 1, P 3/4 → 1/4; lower thresholds add no recall. Sum 29/36.
        close(average_precision(&SCORES, &BROKEN), 29.0 / 36.0);
    }

    #[test]
    fn precision_recall_f1_at_threshold() {
        // Flagged at ≥ .5: a, c (broken) and d (ok): tp 2, fp 1, fn 1 (b), tn 2.
        let m = at_threshold(&SCORES, &BROKEN, 0.5);
        assert_eq!(
            (
                m.true_positives,
                m.false_positives,
                m.false_negatives,
                m.true_negatives
            ),
            (2, 1, 1, 2)
        );
        close(m.precision, 2.0 / 3.0);
        close(m.recall, 2.0 / 3.0);
        close(m.f1, 2.0 / 3.0);
        // Nothing flagged: precision undefined, recall 0.
        let none = at_threshold(&SCORES, &BROKEN, 2.0);
        assert_eq!(
            (none.precision, none.recall, none.f1),
            (None, Some(0.0), None)
        );
    }

    #[test]
    fn cuts_flag_ties_together_highest_first() {
        let got = cuts(&[0.2, 0.9, 0.5, 0.9], &[false, true, true, false]);
        let cut = |threshold, flagged, hits| Cut {
            threshold,
            flagged,
            hits,
        };
        assert_eq!(got, [cut(0.9, 2, 1), cut(0.5, 3, 2), cut(0.2, 4, 2)]);
    }

    #[test]
    fn best_f1_threshold_is_found() {
        // F1 by threshold: .9 → 0.5, .7 → 2/3, .4 → P 3/4 R 1 → 6/7, .2 → 3/4, .1 → 2/3.
        let best = best_f1_threshold(&SCORES, &BROKEN).expect("defined");
        assert_eq!(best.threshold, 0.4);
        close(best.f1, 6.0 / 7.0);
    }

    #[test]
    fn rank_correlations_with_ties() {
        // Items a–g with their severity (h has none): scores .9 .4 .7 .7 .2 .1 .5,
        // severity 6 5 7 0 0 0 2.
        let scores = [0.9, 0.4, 0.7, 0.7, 0.2, 0.1, 0.5];
        let severity = [6.0, 5.0, 7.0, 0.0, 0.0, 0.0, 2.0];
        // Average ranks: x = 7 3 5.5 5.5 2 1 4, y = 6 5 7 2 2 2 4; both means 4.
        // Σdxdy = 16.5, Σdx² = 27.5, Σdy² = 26 → ρ = 16.5 / √715.
        close(spearman(&scores, &severity), 16.5 / 715f64.sqrt());
        // 21 pairs: 13 concordant, 4 discordant (a-c, b-d, b-g, d-g), 1 tied in x (c-d),
        // 3 tied in y (d-e, d-f, e-f). τb = (13 − 4) / √((21 − 1)(21 − 3)) = 9 / √360.
        close(kendall_tau_b(&scores, &severity), 9.0 / 360f64.sqrt());
    }

    #[test]
    fn degenerate_inputs_give_none() {
        assert_eq!(auroc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(auroc(&[], &[]), None);
        assert_eq!(auroc(&[f64::NAN, 0.2], &[true, false]), None);
        assert_eq!(average_precision(&[0.1, 0.2], &[false, false]), None);
        assert_eq!(best_f1_threshold(&[0.1, 0.2], &[false, false]), None);
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(kendall_tau_b(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
        assert_eq!(kendall_tau_b(&[1.0, 2.0], &[1.0]), None);
        // Constant scores with both classes are defined: chance level.
        close(auroc(&[0.3; 4], &[true, false, true, false]), 0.5);
    }

    #[test]
    fn length_bands_weight_by_size() {
        // Band 0–10: a (.9 broken), e (.2 ok), f (.1 ok) → 1.0; band 11–20: b (.4 broken),
        // c (.7 broken), d (.7 ok) → (0 + 0.5) / 2 = 0.25; no items above 20 words.
        // Weighted mean (3 · 1.0 + 3 · 0.25) / 6 = 0.625.
        let words = [8, 15, 12, 18, 5, 3];
        let result = length_stratified_auroc(&SCORES, &BROKEN, &words, &DEFAULT_LENGTH_BANDS);
        let band_aurocs: Vec<Option<f64>> = result.bands.iter().map(|b| b.auroc).collect();
        assert_eq!(band_aurocs, vec![Some(1.0), Some(0.25), None, None]);
        assert_eq!(result.bands[1].n, 3);
        assert_eq!(result.bands[1].n_broken, 2);
        close(result.weighted_mean, 0.625);
        assert_eq!(DEFAULT_LENGTH_BANDS[3].label(), "31+");
    }

    #[test]
    fn token_counts_and_f05_by_hand() {
        // "Das Haus ist gross ." with "ist" and "gross" erroneous; predicted spans over
        // "Haus ist" and ".": flagged Haus (fp), ist (tp), "." (fp); gross missed (fn).
        let token = |start, end, erroneous| GoldToken {
            span: Span::new(start, end),
            erroneous,
        };
        let tokens = [
            token(0, 3, false),
            token(4, 8, false),
            token(9, 12, true),
            token(13, 18, true),
            token(19, 20, false),
        ];
        let mut counts = TokenCounts::default();
        counts.add(&tokens, &[Span::new(5, 10), Span::new(19, 20)]);
        // A second item: its one erroneous token flagged by a span inside it.
        counts.add(&[token(0, 4, true)], &[Span::new(1, 2)]);
        let scores = counts.scores();
        assert_eq!(
            (
                scores.true_positives,
                scores.false_positives,
                scores.false_negatives
            ),
            (2, 2, 1)
        );
        // P 2/4, R 2/3: F0.5 = 1.25 · 1/2 · 2/3 / (1/8 + 2/3) = (5/12) / (19/24) = 10/19.
        close(Some(scores.precision), 0.5);
        close(Some(scores.recall), 2.0 / 3.0);
        close(Some(scores.f05), 10.0 / 19.0);
        // A span that ends where a token starts does not flag it.
        let mut touching = TokenCounts::default();
        touching.add(&tokens, &[Span::new(3, 4)]);
        assert_eq!(touching.false_positives, 0);
    }

    #[test]
    fn undefined_token_scores_are_zero() {
        let nothing_flagged = TokenCounts {
            true_positives: 0,
            false_positives: 0,
            false_negatives: 3,
        }
        .scores();
        assert_eq!(
            (
                nothing_flagged.precision,
                nothing_flagged.recall,
                nothing_flagged.f05
            ),
            (0.0, 0.0, 0.0)
        );
        let nothing_erroneous = TokenCounts {
            true_positives: 0,
            false_positives: 2,
            false_negatives: 0,
        }
        .scores();
        assert_eq!(
            (nothing_erroneous.recall, nothing_erroneous.f05),
            (0.0, 0.0)
        );
    }

    #[derive(serde::Deserialize)]
    struct RandomCase {
        scores: Vec<f64>,
        labels: Vec<bool>,
        severities: Vec<f64>,
    }

    #[test]
    fn matches_scikit_learn_and_scipy_on_a_random_case() {
        // Values from scripts/eval_metrics_crosscheck.py (scikit-learn 1.9.1, scipy
        // 1.17.1), which also wrote the data: 500 items, scores with one decimal (ties).
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/eval/random_scores.json"
        );
        let case: RandomCase =
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
        close(auroc(&case.scores, &case.labels), 0.7560390274608546);
        close(
            average_precision(&case.scores, &case.labels),
            0.5486446261609044,
        );
        let best = best_f1_threshold(&case.scores, &case.labels).expect("defined");
        assert_eq!(best.threshold, 0.6);
        close(best.f1, 0.5533333333333333);
        close(
            spearman(&case.scores, &case.severities),
            0.15623499505382565,
        );
        close(
            kendall_tau_b(&case.scores, &case.severities),
            0.12185886359960697,
        );
    }
}
