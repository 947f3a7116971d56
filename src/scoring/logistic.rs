//! Logistic regression, the form of every fitted model here, and the checks its
//! parameters pass on load.

/// Fitted parameters that cannot be used (`models/combination.json`, or `--combination`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParameterError {
    /// The file is not JSON of the parameter file's shape; the parser's message.
    #[error("{0}")]
    Json(String),
    /// A parameter list does not have one value per feature.
    #[error("{model}: the features and their parameter lists differ in length")]
    Lengths {
        /// The model, by its place in the file (`with_lm`, `article.without_lm`).
        model: String,
    },
    /// A model names a feature that does not exist.
    #[error("{model}: unknown feature {feature:?}")]
    UnknownFeature {
        /// The model, by its place in the file.
        model: String,
        /// The unknown name.
        feature: String,
    },
    /// A standardisation scale is zero or negative.
    #[error("{model}: scales must be positive")]
    Scale {
        /// The model, by its place in the file.
        model: String,
    },
    /// A sentence model's suspect and broken thresholds are out of order or outside (0, 1).
    #[error("{model}: need 0 < suspect <= broken < 1")]
    Thresholds {
        /// The model, by its place in the file.
        model: String,
    },
    /// The model for `--no-lm` audits uses a language-model feature.
    #[error("{model}: uses the LM feature {feature:?}")]
    LmFeature {
        /// The model, by its place in the file.
        model: String,
        /// The language-model feature.
        feature: String,
    },
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
) -> Result<(), ParameterError> {
    let model = name.to_string();
    if lengths.iter().any(|&len| len != features.len()) {
        return Err(ParameterError::Lengths { model });
    }
    if let Some(bad) = features.iter().find(|f| !known.contains(&f.as_str())) {
        return Err(ParameterError::UnknownFeature {
            model,
            feature: bad.clone(),
        });
    }
    if !scale.iter().all(|s| *s > 0.0) {
        return Err(ParameterError::Scale { model });
    }
    Ok(())
}

/// σ(Σ w·(x − mean)/scale + bias): the form of every fitted model here.
pub(crate) fn standardised_logistic(
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

/// The logistic function, 1 / (1 + e^−z).
pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
