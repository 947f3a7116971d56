//! What an audit produces: the data every report format renders.
//!
//! These types are serialised as the JSON report (see `SCHEMA_VERSION`); field names are
//! part of the machine-readable interface, so rename nothing without bumping it.

use super::finding::{CheckId, Finding, Severity};
use super::gate::{GatePolicy, GateResult};
use super::lang::Lang;
use super::lm_features::SentenceLm;
use super::sentence::SentenceKind;
use super::span::Span;
use super::verdict::{Verdict, VerdictCounts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the JSON report layout. Bumped on any incompatible change (2: the article
/// estimate `needs_editor`, and the summary's `gate_policy` replacing `thresholds`).
pub const SCHEMA_VERSION: u32 = 2;

/// Where the article language came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangSource {
    /// Identified from the text.
    Detected,
    /// Given by the input (the `lang` field of a JSON Lines record).
    Input,
    /// Forced with `--lang`.
    Override,
}

/// Which kinds of evidence the verdicts rest on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub heuristics: bool,
    /// The language model used, if any.
    pub language_model: Option<ModelInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    pub sha256: String,
    /// Whether the full vocabulary was used for every token (`--exact`).
    pub exact: bool,
    /// Where the model ran ("cpu", "cuda:0"): GPU scores differ from the CPU's in the
    /// last digits (f32 layers instead of integer kernels).
    pub device: String,
}

/// Per-token surprisal (nats) from the language model, for heat maps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenScore {
    pub start: usize,
    pub end: usize,
    pub surprisal: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceAudit {
    pub index: usize,
    #[serde(flatten)]
    pub span: Span,
    pub kind: SentenceKind,
    pub lang: Lang,
    pub verdict: Verdict,
    /// Indexes into [`ArticleAudit::findings`].
    pub findings: Vec<usize>,
    /// Calibrated probability that the sentence is broken (`models/combination.json`),
    /// from the language-model features when they were used and the heuristic findings.
    pub probability_broken: f64,
    /// Language-model features, when that evidence was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lm: Option<SentenceLm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingAudit {
    #[serde(flatten)]
    pub finding: Finding,
    /// Index of the sentence the finding belongs to; `None` for document-level findings.
    pub sentence: Option<usize>,
}

/// The audit of one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleAudit {
    pub schema_version: u32,
    pub id: String,
    /// Where the article came from: a path, `path:line` for JSON Lines, or `-` for stdin.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Hash of everything the audit depends on (tool version, settings, evidence, text);
    /// a re-run reuses a report whose fingerprint matches instead of auditing again.
    pub fingerprint: String,
    pub lang: Lang,
    pub lang_source: LangSource,
    pub evidence: Evidence,
    pub words: usize,
    /// MQM-Core penalty points: 1 per minor, 5 per major, 25 per critical finding.
    pub penalty: f64,
    /// `max(0, 100 × (1 − penalty / words))`.
    pub score: f64,
    /// The article estimate: calibrated probability that the article needs an editor (has
    /// a sentence with a major error), from its sentences' probabilities and its findings.
    pub needs_editor: f64,
    pub verdicts: VerdictCounts,
    pub findings_by_severity: BTreeMap<Severity, usize>,
    pub findings_by_check: BTreeMap<CheckId, usize>,
    pub gate: GateResult,
    /// The article text the offsets refer to (UTF-8, a leading BOM removed).
    pub text: String,
    pub sentences: Vec<SentenceAudit>,
    pub findings: Vec<FindingAudit>,
    /// Per-token surprisal, when the language model was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<TokenScore>>,
    /// Why the language model could not score this article, if it failed; the verdicts
    /// then rest on the heuristics alone (see `evidence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lm_error: Option<String>,
}

impl ArticleAudit {
    pub fn sentence_text(&self, sentence: &SentenceAudit) -> &str {
        sentence.span.slice(&self.text)
    }

    /// The findings of one sentence.
    pub fn findings_of<'a>(
        &'a self,
        sentence: &'a SentenceAudit,
    ) -> impl Iterator<Item = &'a Finding> + 'a {
        sentence.findings.iter().map(|&i| &self.findings[i].finding)
    }

    /// The check with the most penalty points in this article, if any finding exists.
    pub fn worst_check(&self) -> Option<CheckId> {
        let mut points: BTreeMap<CheckId, f64> = BTreeMap::new();
        for f in &self.findings {
            *points.entry(f.finding.check).or_default() += f.finding.severity.penalty();
        }
        points
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c)
    }
}

/// An input that could not be audited (unreadable, binary, wrong encoding, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFailure {
    pub source: String,
    pub error: String,
}

/// Totals of a whole run (`summary.json`, the index page, the table footer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub schema_version: u32,
    pub tool_version: String,
    pub articles: usize,
    pub sentences: usize,
    pub verdicts: VerdictCounts,
    pub failed_gate: usize,
    pub input_errors: Vec<InputFailure>,
    pub evidence: Evidence,
    pub gate_policy: GatePolicy,
    pub elapsed_seconds: f64,
    /// Articles taken from a previous run's reports instead of being audited again.
    pub reused: usize,
    pub mean_score: Option<f64>,
}
