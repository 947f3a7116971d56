//! What `mtaudit eval` writes besides its table: the provenance of fitted parameters and
//! the per-item predictions.

use super::run::{ArticleOutcome, ItemOutcome};
use super::{fit, BROKEN_PRECISION, SUSPECT_PRECISION};
use crate::scoring::article::{ARTICLE_FEATURES, NEEDS_EDITOR_MQM};
use crate::scoring::sentence::SentenceModel;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// How a fit came about, for `models/combination.json`'s `provenance`.
pub struct FitRun<'a> {
    /// The command line.
    pub command: &'a [String],
    /// The gold files fitted on (`--gold`).
    pub gold: &'a [PathBuf],
    /// The label field read from them (`--label`).
    pub label: &'a str,
    /// One article in this many was evaluated (`--sample`).
    pub sample_one_in: usize,
    /// How many sentence items the fit saw.
    pub items: usize,
}

/// The provenance record of a fit.
pub fn provenance(run: &FitRun<'_>) -> Value {
    json!({
        "fitted_by": run.command.join(" "),
        "tool_version": env!("CARGO_PKG_VERSION"),
        "gold": run.gold.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "label": run.label,
        "sample_one_in": run.sample_one_in,
        "items": run.items,
        "cross_validation": format!("{} folds grouped by source document", fit::FOLDS),
        "precision_targets": {"suspect": SUSPECT_PRECISION, "broken": BROKEN_PRECISION},
        "article_label": format!("needs an editor: doc_mqm_mean >= {NEEDS_EDITOR_MQM}"),
    })
}

/// One JSON line per item (id, score, verdict), then one per article (estimate, gate,
/// gold and the article features under `sentence_model`).
pub fn predictions(
    items: &[ItemOutcome],
    scores: &[f64],
    articles: &[ArticleOutcome],
    article_scores: &[f64],
    sentence_model: &SentenceModel,
) -> String {
    let mut lines = String::new();
    for (item, score) in items.iter().zip(scores) {
        let line = json!({
            "id": item.id,
            "score": score,
            "verdict": item.verdict,
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    for (article, estimate) in articles.iter().zip(article_scores) {
        let features: Map<String, Value> = ARTICLE_FEATURES
            .iter()
            .zip(article.features_under(sentence_model))
            .map(|(name, value)| (name.to_string(), value.into()))
            .collect();
        let line = json!({
            "article": article.key,
            "needs_editor": estimate,
            "gate_passed": article.gate.passed,
            "doc_mqm_mean": article.doc_mqm_mean,
            "has_major": article.has_major,
            "group": article.group,
            "features": features,
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    lines
}
