//! The fitted combination of evidence: one probability that a sentence is broken, from
//! the language model's features and the heuristics' findings, by logistic regression.
//!
//! The parameters live in `models/combination.json` (embedded at build time), fitted on
//! the development gold data by `mtaudit eval --fit` with document-grouped
//! cross-validation; the suspect / broken thresholds are chosen there from precision
//! targets. There are two models: one for audits with language-model evidence and one
//! for `--no-lm` audits, each with its own features and thresholds.

use super::article::{ArticleModel, ArticleModels};
use super::logistic::ParameterError;
use super::sentence::{needs_lm, SentenceModel};
use serde::{Deserialize, Serialize};

/// The parameter file shipped with the tool.
const SHIPPED: &str = include_str!("../../models/combination.json");

/// Version of the parameter file's layout and features' meaning (2: the article estimate).
pub(crate) const COMBINATION_VERSION: u32 = 2;

/// Both models and where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    /// Bumped when the features' meaning changes.
    pub(crate) version: u32,
    /// How the parameters were obtained (data, command, cross-validated numbers).
    pub(crate) provenance: serde_json::Value,
    pub(crate) with_lm: SentenceModel,
    pub(crate) without_lm: SentenceModel,
    /// The article estimate over each model's sentence probabilities.
    pub(crate) article: ArticleModels,
}

impl Combination {
    /// The parameters shipped with the tool.
    pub(crate) fn shipped() -> Combination {
        Combination::parse(SHIPPED).expect("models/combination.json is valid (tested)")
    }

    /// Parses a parameter file and checks both models and both article estimates.
    pub fn parse(json: &str) -> Result<Combination, ParameterError> {
        let combination: Combination =
            serde_json::from_str(json).map_err(|e| ParameterError::Json(e.to_string()))?;
        combination.with_lm.validate("with_lm")?;
        combination.without_lm.validate("without_lm")?;
        combination.article.with_lm.validate("article.with_lm")?;
        combination
            .article
            .without_lm
            .validate("article.without_lm")?;
        if let Some(f) = combination.without_lm.features.iter().find(|f| needs_lm(f)) {
            return Err(ParameterError::LmFeature {
                model: "without_lm".into(),
                feature: f.clone(),
            });
        }
        Ok(combination)
    }

    /// The sentence model for audits with language-model evidence, or for `--no-lm` ones.
    pub fn model(&self, with_lm: bool) -> &SentenceModel {
        if with_lm {
            &self.with_lm
        } else {
            &self.without_lm
        }
    }

    pub(crate) fn article_model(&self, with_lm: bool) -> &ArticleModel {
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
    use crate::data::{CheckId, SentenceKind, Severity};
    use crate::scoring::sentence::{features, FEATURES, LM_LN_TOKENS, LM_MEAN};

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
        let model = SentenceModel {
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
        assert!(Combination::parse(&json)
            .unwrap_err()
            .to_string()
            .contains("lm_mean"));
    }
}
