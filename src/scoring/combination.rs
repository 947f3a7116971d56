//! The fitted combination of evidence: one probability that a sentence is broken, from
//! the language model's features and the heuristics' findings, by logistic regression.
//!
//! The parameters live in `models/combination.json` (embedded at build time), fitted on
//! the development gold data by `mtaudit eval --fit` with document-grouped
//! cross-validation; the suspect / broken thresholds are chosen there from precision
//! targets. There are two models: one for audits with language-model evidence and one
//! for `--no-lm` audits, each with its own features and thresholds.

use super::article::{ArticleModel, ArticleModels};
use crate::data::{CheckId, SentenceKind, SentenceLm, Severity};
use serde::{Deserialize, Serialize};

/// The parameter file shipped with the tool.
const SHIPPED: &str = include_str!("../../models/combination.json");

/// Version of the parameter file's layout and features' meaning (2: the article estimate).
pub const COMBINATION_VERSION: u32 = 2;

/// Names and values of one sentence's features, in [`FEATURES`] order.
pub type FeatureVector = [f64; FEATURES.len()];

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
pub const LM_MEAN: usize = 5;
pub const LM_LN_TOKENS: usize = 11;

/// Features that need language-model evidence.
pub fn needs_lm(feature: &str) -> bool {
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
pub struct Model {
    /// Names of the features used, each one of [`FEATURES`].
    pub features: Vec<String>,
    /// Standardisation applied before the weights: (x − mean) / scale.
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub weights: Vec<f64>,
    pub bias: f64,
    /// Probability at or above which a sentence is suspect, and broken.
    pub suspect: f64,
    pub broken: f64,
}

impl Model {
    fn index(&self) -> Vec<usize> {
        positions(&self.features, &FEATURES)
    }

    /// The model's own features picked out of a full vector.
    pub fn select(&self, x: &FeatureVector) -> Vec<f64> {
        self.index().into_iter().map(|i| x[i]).collect()
    }

    /// Probability that the sentence with features `x` is broken.
    pub fn probability(&self, x: &FeatureVector) -> f64 {
        standardised_logistic(
            self.index().into_iter().map(|i| x[i]),
            &self.mean,
            &self.scale,
            &self.weights,
            self.bias,
        )
    }

    fn validate(&self, name: &str) -> Result<(), String> {
        let lengths = [self.mean.len(), self.scale.len(), self.weights.len()];
        check_parameters(name, &self.features, &FEATURES, &lengths, &self.scale)?;
        if !(0.0 < self.suspect && self.suspect <= self.broken && self.broken < 1.0) {
            return Err(format!("{name}: need 0 < suspect <= broken < 1"));
        }
        Ok(())
    }
}

/// Where each of `features` is in `known` (names validated on load).
pub(crate) fn positions(features: &[String], known: &[&str]) -> Vec<usize> {
    features
        .iter()
        .map(|name| {
            known
                .iter()
                .position(|f| f == name)
                .expect("feature names are validated on load")
        })
        .collect()
}

/// The checks every fitted logistic model passes on load: one value per feature in each
/// parameter list (`lengths`), known feature names, positive scales.
pub(crate) fn check_parameters(
    name: &str,
    features: &[String],
    known: &[&str],
    lengths: &[usize],
    scale: &[f64],
) -> Result<(), String> {
    if lengths.iter().any(|&len| len != features.len()) {
        return Err(format!(
            "{name}: the features and their parameter lists differ in length"
        ));
    }
    if let Some(bad) = features.iter().find(|f| !known.contains(&f.as_str())) {
        return Err(format!("{name}: unknown feature {bad:?}"));
    }
    if !scale.iter().all(|s| *s > 0.0) {
        return Err(format!("{name}: scales must be positive"));
    }
    Ok(())
}

/// σ(Σ w·(x − mean)/scale + bias): the form of every fitted model here.
pub fn standardised_logistic(
    x: impl IntoIterator<Item = f64>,
    mean: &[f64],
    scale: &[f64],
    weights: &[f64],
    bias: f64,
) -> f64 {
    let z: f64 = x
        .into_iter()
        .zip(mean)
        .zip(scale)
        .zip(weights)
        .map(|(((v, m), s), w)| w * (v - m) / s)
        .sum();
    sigmoid(z + bias)
}

pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Both models and where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    /// Bumped when the features' meaning changes.
    pub version: u32,
    /// How the parameters were obtained (data, command, cross-validated numbers).
    pub provenance: serde_json::Value,
    pub with_lm: Model,
    pub without_lm: Model,
    /// The article estimate over each model's sentence probabilities.
    pub article: ArticleModels,
}

impl Combination {
    /// The parameters shipped with the tool.
    pub fn shipped() -> Combination {
        Combination::parse(SHIPPED).expect("models/combination.json is valid (tested)")
    }

    pub fn parse(json: &str) -> Result<Combination, String> {
        let combination: Combination = serde_json::from_str(json).map_err(|e| e.to_string())?;
        combination.with_lm.validate("with_lm")?;
        combination.without_lm.validate("without_lm")?;
        combination.article.with_lm.validate("article.with_lm")?;
        combination
            .article
            .without_lm
            .validate("article.without_lm")?;
        if let Some(f) = combination.without_lm.features.iter().find(|f| needs_lm(f)) {
            return Err(format!("without_lm: uses the LM feature {f:?}"));
        }
        Ok(combination)
    }

    pub fn model(&self, with_lm: bool) -> &Model {
        if with_lm {
            &self.with_lm
        } else {
            &self.without_lm
        }
    }

    pub fn article_model(&self, with_lm: bool) -> &ArticleModel {
        if with_lm {
            &self.article.with_lm
        } else {
            &self.article.without_lm
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_positions_match_the_feature_names() {
        assert_eq!(FEATURES[LM_MEAN], "lm_mean");
        assert_eq!(FEATURES[LM_LN_TOKENS], "lm_ln_tokens");
    }

    #[test]
    fn shipped_parameters_are_valid() {
        let c = Combination::shipped();
        assert!(c.with_lm.features.iter().any(|f| needs_lm(f)));
    }

    #[test]
    fn probability_is_the_logistic_of_standardised_features() {
        let model = Model {
            features: vec!["ln_words".into(), "heuristic_major".into()],
            mean: vec![1.0, 0.0],
            scale: vec![2.0, 1.0],
            weights: vec![0.5, 3.0],
            bias: -1.0,
            suspect: 0.3,
            broken: 0.6,
        };
        let mut x = [0.0; FEATURES.len()];
        x[0] = 5.0;
        x[3] = 1.0;
        let z: f64 = 0.5 * (5.0 - 1.0) / 2.0 + 3.0 - 1.0;
        assert!((model.probability(&x) - 1.0 / (1.0 + (-z).exp())).abs() < 1e-12);
        assert_eq!(model.select(&x), vec![5.0, 1.0]);
    }

    #[test]
    fn features_count_heuristic_severities_but_not_the_lm_finding() {
        let x = features(
            9,
            SentenceKind::Sentence,
            [
                (CheckId::ImplausibleWording, Severity::Major),
                (CheckId::Repetition, Severity::Major),
                (CheckId::Repetition, Severity::Minor),
            ],
            None,
        );
        assert!((x[0] - 10f64.ln()).abs() < 1e-12);
        assert_eq!(&x[1..5], &[0.0, 1.0, 1.0, 0.0]);
        assert!(x[5..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn invalid_parameters_are_rejected_with_the_reason() {
        let mut c = Combination::shipped();
        c.without_lm.features[0] = "lm_mean".into();
        let json = serde_json::to_string(&c).unwrap();
        assert!(Combination::parse(&json).unwrap_err().contains("lm_mean"));
    }
}
