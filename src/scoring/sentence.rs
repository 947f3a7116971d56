//! The sentence model: one probability that a sentence is broken, from the language
//! model's features and the heuristics' findings, by logistic regression
//! (`models/combination.json`), and the verdict it gives.

use super::logistic::{check_parameters, positions, standardised_logistic, ParameterError};
use crate::data::{CheckId, SentenceKind, SentenceLm, Severity};
use serde::{Deserialize, Serialize};

/// Names and values of one sentence's features, in [`FEATURES`] order.
pub(crate) type FeatureVector = [f64; FEATURES.len()];

/// Every feature either model may use. LM features are 0 without LM evidence.
pub const FEATURES: [&str; 13] = [
    "ln_words",
    "heading",
    "heuristic_minor",
    "heuristic_major",
    "heuristic_critical",
    "lm_mean",
    "lm_max",
    "lm_slor",
    "lm_worst_span",
    "lm_frac_above_8",
    "lm_frac_above_12",
    "lm_ln_tokens",
    "lm_variant_llr",
];

/// Positions in [`FEATURES`] that the article estimate reads.
pub(crate) const LM_MEAN: usize = 5;
/// Position of `lm_ln_tokens` in [`FEATURES`].
pub(crate) const LM_LN_TOKENS: usize = 11;

/// Features that need language-model evidence.
pub(crate) fn needs_lm(feature: &str) -> bool {
    feature.starts_with("lm_")
}

/// The feature vector of one sentence: its length in words, its kind, the severities of
/// its own heuristic findings (the LM's finding excluded, as it is derived from this), and
/// the LM features when there are any.
pub fn features(
    words: usize,
    kind: SentenceKind,
    findings: impl IntoIterator<Item = (CheckId, Severity)>,
    lm: Option<&SentenceLm>,
) -> FeatureVector {
    let mut counts = [0f64; 3];
    for (check, severity) in findings {
        if check.is_language_model() {
            continue;
        }
        match severity {
            Severity::Minor => counts[0] += 1.0,
            Severity::Major => counts[1] += 1.0,
            Severity::Critical => counts[2] += 1.0,
        }
    }
    let mut x = [0f64; FEATURES.len()];
    x[0] = (1.0 + words as f64).ln();
    x[1] = f64::from(u8::from(kind == SentenceKind::Heading));
    x[2] = counts[0].min(3.0);
    x[3] = counts[1].min(3.0);
    x[4] = counts[2].min(3.0);
    if let Some(lm) = lm.filter(|lm| lm.tokens > 0) {
        x[5] = f64::from(lm.mean_surprisal);
        x[6] = f64::from(lm.max_surprisal);
        x[7] = f64::from(lm.slor).clamp(-10.0, 10.0);
        x[8] = lm.worst_span.map_or(0.0, |w| f64::from(w.mean_surprisal));
        x[9] = f64::from(lm.frac_above.nats_8);
        x[10] = f64::from(lm.frac_above.nats_12);
        x[11] = (lm.tokens as f64).ln();
        // Only a preference for another form is evidence; how much the written form is
        // preferred says nothing more. Capped: past e^10 every sentence is equally broken.
        let best = lm.variants.iter().map(|v| v.llr).fold(0.0, f32::max);
        x[12] = f64::from(best).min(10.0);
    }
    x
}

/// A logistic regression over a subset of [`FEATURES`], with its verdict thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentenceModel {
    /// Names of the features used, each one of [`FEATURES`].
    pub features: Vec<String>,
    /// Standardisation applied before the weights: (x − mean) / scale.
    pub mean: Vec<f64>,
    /// The divisor of the standardisation; positive.
    pub scale: Vec<f64>,
    /// Weight of each standardised feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub bias: f64,
    /// Probability at or above which a sentence is suspect, and broken.
    pub suspect: f64,
    /// Probability at or above which a sentence is broken.
    pub broken: f64,
}

impl SentenceModel {
    fn index(&self) -> Vec<usize> {
        positions(&self.features, &FEATURES)
    }

    /// The model's own features picked out of a full vector.
    #[cfg(test)]
    pub(crate) fn select(&self, x: &FeatureVector) -> Vec<f64> {
        self.index().into_iter().map(|i| x[i]).collect()
    }

    /// Probability that the sentence with features `x` is broken.
    pub(crate) fn probability(&self, x: &FeatureVector) -> f64 {
        standardised_logistic(
            self.index().into_iter().map(|i| x[i]),
            &self.mean,
            &self.scale,
            &self.weights,
            self.bias,
        )
    }

    pub(crate) fn validate(&self, name: &str) -> Result<(), ParameterError> {
        let lengths = [self.mean.len(), self.scale.len(), self.weights.len()];
        check_parameters(name, &self.features, &FEATURES, &lengths, &self.scale)?;
        if !(0.0 < self.suspect && self.suspect <= self.broken && self.broken < 1.0) {
            return Err(ParameterError::Thresholds {
                model: name.to_string(),
            });
        }
        Ok(())
    }
}
