//! The article estimate: one calibrated probability that an article needs an editor, from
//! its sentences' probabilities and evidence and its findings.
//!
//! "Needs an editor" is measured on the development articles (`dev.docs`) as a mean of at
//! least [`NEEDS_EDITOR_MQM`] MQM points per rated sentence: errors dense enough that the
//! article cannot go out as it stands, rather than one slip somewhere in a long text. The
//! parameters are part of `models/combination.json`, fitted by `mtaudit eval --fit` and
//! cross-validated by source document.

use super::logistic::{check_parameters, positions, standardised_logistic, ParameterError};
use super::sentence::{FeatureVector, LM_LN_TOKENS, LM_MEAN};
use crate::data::{CheckId, Severity};
use serde::{Deserialize, Serialize};

/// Mean MQM points per rated sentence from which a gold article needs an editor: about
/// one major error in every two or three sentences. Half of the machine-translated
/// development articles reach it, and 7% of the human reference translations.
pub const NEEDS_EDITOR_MQM: f64 = 2.0;

/// Values of one article's features, in [`ARTICLE_FEATURES`] order.
pub(crate) type ArticleFeatureVector = [f64; ARTICLE_FEATURES.len()];

/// Every feature an article model may use. Tried on the development data and left out:
/// the share of minor heuristic findings per sentence and the count of article-level
/// findings (boilerplate, debris, credits): on WMT output they fire on few articles and
/// got negative weights, which would make a garbled web article look better.
pub const ARTICLE_FEATURES: [&str; 5] = [
    "ln_sentences",
    "mean_probability",
    "top3_probability",
    "lm_mean_surprisal",
    "ln_heuristic_major",
];

/// Features that need language-model evidence.
pub(crate) fn needs_lm(feature: &str) -> bool {
    feature.starts_with("lm_")
}

/// One sentence as the article estimate sees it: its calibrated probability of being
/// broken and the features that probability came from.
pub(crate) type SentenceEvidence = (f64, FeatureVector);

/// The features of an article with these sentences (reading order) and findings (the
/// language model's own finding left out: it is already in the probabilities).
pub(crate) fn article_features(
    sentences: &[SentenceEvidence],
    findings: impl IntoIterator<Item = (CheckId, Severity)>,
) -> ArticleFeatureVector {
    let n = sentences.len();
    let mut probabilities: Vec<f64> = sentences.iter().map(|(p, _)| *p).collect();
    probabilities.sort_by(|a, b| b.total_cmp(a));
    let mean = |values: &[f64]| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    // Mean surprisal per token over the sentences the LM scored (their feature vectors
    // hold the mean and ln of the token count; unscored sentences hold zeros).
    let (mut surprisal, mut tokens) = (0.0, 0.0);
    for (_, x) in sentences.iter().filter(|(_, x)| x[LM_MEAN] > 0.0) {
        let count = x[LM_LN_TOKENS].exp();
        surprisal += x[LM_MEAN] * count;
        tokens += count;
    }
    let major_or_worse = findings
        .into_iter()
        .filter(|&(check, severity)| !check.is_language_model() && severity >= Severity::Major)
        .count();
    [
        (1.0 + n as f64).ln(),
        mean(&probabilities),
        mean(&probabilities[..n.min(3)]),
        if tokens > 0.0 {
            surprisal / tokens
        } else {
            0.0
        },
        (1.0 + major_or_worse as f64).ln(),
    ]
}

/// A logistic regression over a subset of [`ARTICLE_FEATURES`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleModel {
    /// The features it reads, by name; every list below has one value per feature.
    pub features: Vec<String>,
    /// The range of each feature in the fitting data; values outside are clamped to it
    /// (`null`: no bound), so that a text unlike every article the model was fitted on
    /// does not get an estimate the data never backed. A one-sentence text, for one,
    /// has no context for the language model and a mean surprisal far above any
    /// article's.
    pub low: Vec<Option<f64>>,
    /// Upper bound of each feature, as `low` is the lower.
    pub high: Vec<Option<f64>>,
    /// Standardisation applied before the weights: (x − mean) / scale.
    pub mean: Vec<f64>,
    /// The divisor of the standardisation; positive.
    pub scale: Vec<f64>,
    /// Weight of each standardised feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub bias: f64,
}

/// Features whose values keep their meaning beyond the fitting data's range: one more
/// major finding is more evidence, whatever the count the development articles reached.
pub(crate) const UNBOUNDED_ABOVE: [&str; 1] = ["ln_heuristic_major"];

impl ArticleModel {
    /// Probability that the article with features `x` needs an editor.
    pub(crate) fn probability(&self, x: &ArticleFeatureVector) -> f64 {
        let clamped = positions(&self.features, &ARTICLE_FEATURES)
            .into_iter()
            .zip(self.low.iter().zip(&self.high))
            .map(|(i, (low, high))| {
                let value = low.map_or(x[i], |low| x[i].max(low));
                high.map_or(value, |high| value.min(high))
            });
        standardised_logistic(clamped, &self.mean, &self.scale, &self.weights, self.bias)
    }

    pub(crate) fn validate(&self, name: &str) -> Result<(), ParameterError> {
        let lengths = [
            self.low.len(),
            self.high.len(),
            self.mean.len(),
            self.scale.len(),
            self.weights.len(),
        ];
        check_parameters(
            name,
            &self.features,
            &ARTICLE_FEATURES,
            &lengths,
            &self.scale,
        )
    }
}

/// The article models for audits with and without language-model evidence (the sentence
/// probabilities they read come from different sentence models).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleModels {
    /// For audits with language-model evidence.
    pub with_lm: ArticleModel,
    /// For `--no-lm` audits.
    pub without_lm: ArticleModel,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(probability: f64, lm: Option<(f64, usize)>) -> SentenceEvidence {
        let mut x = [0.0; crate::scoring::sentence::FEATURES.len()];
        if let Some((mean, tokens)) = lm {
            x[LM_MEAN] = mean;
            x[LM_LN_TOKENS] = (tokens as f64).ln();
        }
        (probability, x)
    }

    #[test]
    fn features_by_hand() {
        let x = article_features(
            &[
                sentence(0.1, Some((2.0, 10))),
                sentence(0.9, Some((5.0, 30))),
                sentence(0.2, None),
                sentence(0.5, Some((3.0, 10))),
            ],
            [
                (CheckId::Boilerplate, Severity::Critical),
                (CheckId::Repetition, Severity::Major),
                (CheckId::ImplausibleWording, Severity::Major),
                (CheckId::Punctuation, Severity::Minor),
            ],
        );
        let expected = [
            5f64.ln(),
            0.425,
            (0.9 + 0.5 + 0.2) / 3.0,
            (2.0 * 10.0 + 5.0 * 30.0 + 3.0 * 10.0) / 50.0,
            3f64.ln(),
        ];
        for (got, want) in x.iter().zip(expected) {
            assert!((got - want).abs() < 1e-9, "{x:?}");
        }
    }

    #[test]
    fn the_lm_feature_is_named_as_such() {
        let lm: Vec<&str> = ARTICLE_FEATURES
            .into_iter()
            .filter(|f| needs_lm(f))
            .collect();
        assert_eq!(lm, ["lm_mean_surprisal"]);
    }

    #[test]
    fn features_are_clamped_to_the_fitting_range() {
        let model = ArticleModel {
            features: vec!["lm_mean_surprisal".into(), "ln_heuristic_major".into()],
            low: vec![Some(2.5), None],
            high: vec![Some(4.0), None],
            mean: vec![3.0, 0.0],
            scale: vec![1.0, 1.0],
            weights: vec![1.0, 1.0],
            bias: 0.0,
        };
        let at = |surprisal: f64, major: f64| {
            let mut x = [0.0; ARTICLE_FEATURES.len()];
            x[3] = surprisal;
            x[4] = major;
            model.probability(&x)
        };
        assert_eq!(at(7.7, 0.0), at(4.0, 0.0));
        assert_eq!(at(1.0, 0.0), at(2.5, 0.0));
        assert!(
            at(3.0, 3.0) > at(3.0, 2.0),
            "no bound: more findings, more evidence"
        );
    }

    #[test]
    fn an_article_without_sentences_has_zero_features() {
        assert_eq!(article_features(&[], []), [0.0; ARTICLE_FEATURES.len()]);
    }

    #[test]
    fn unknown_features_are_rejected() {
        let model = ArticleModel {
            features: vec!["sentences".into()],
            low: vec![None],
            high: vec![None],
            mean: vec![0.0],
            scale: vec![1.0],
            weights: vec![1.0],
            bias: 0.0,
        };
        assert!(model
            .validate("with_lm")
            .unwrap_err()
            .to_string()
            .contains("sentences"));
    }
}
