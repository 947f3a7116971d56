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
    /// Whether the string heuristics ran (always, today).
    pub heuristics: bool,
    /// The language model used, if any.
    pub language_model: Option<ModelInfo>,
}

/// The language model behind an audit, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The model file's name.
    pub name: String,
    /// SHA-256 of the model file.
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
    /// Article-relative byte offset where the token's text starts.
    pub start: usize,
    /// Article-relative byte offset where the token's text ends.
    pub end: usize,
    /// −ln p(token | everything before it), in nats.
    pub surprisal: f32,
}

/// The audit of one sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceAudit {
    /// Position of the sentence in the article, from 0.
    pub index: usize,
    /// Article-relative byte span, without surrounding whitespace.
    #[serde(flatten)]
    pub span: Span,
    /// Running text or a line of its own without final punctuation.
    pub kind: SentenceKind,
    /// The sentence's language: the article's unless the text clearly says otherwise.
    pub lang: Lang,
    /// The verdict of the sentence's findings' penalty points.
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

/// A finding with the sentence it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingAudit {
    /// The finding (its fields stand in this object).
    #[serde(flatten)]
    pub finding: Finding,
    /// Index of the sentence the finding belongs to; `None` for document-level findings.
    pub sentence: Option<usize>,
}

/// The audit of one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleAudit {
    /// [`SCHEMA_VERSION`] of the report.
    pub schema_version: u32,
    /// The article's id: a file's path below the searched folder, or a record's `id`.
    pub id: String,
    /// Where the article came from: a path, `path:line` for JSON Lines, or `-` for stdin.
    pub source: String,
    /// The title a JSON Lines record gave, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Hash of everything the audit depends on (tool version, settings, evidence, text);
    /// a re-run reuses a report whose fingerprint matches instead of auditing again.
    pub fingerprint: String,
    /// The article's language.
    pub lang: Lang,
    /// Where `lang` came from.
    pub lang_source: LangSource,
    /// The evidence the verdicts rest on.
    pub evidence: Evidence,
    /// Words in the text (runs of letters and digits).
    pub words: usize,
    /// MQM-Core penalty points: 1 per minor, 5 per major, 25 per critical finding.
    pub penalty: f64,
    /// `max(0, 100 × (1 − penalty / words))`.
    pub score: f64,
    /// The article estimate: calibrated probability that the article needs an editor (has
    /// a sentence with a major error), from its sentences' probabilities and its findings.
    pub needs_editor: f64,
    /// The sentences' verdicts, counted.
    pub verdicts: VerdictCounts,
    /// Findings counted by severity.
    pub findings_by_severity: BTreeMap<Severity, usize>,
    /// Findings counted by check.
    pub findings_by_check: BTreeMap<CheckId, usize>,
    /// Whether the article may go out, and if not, why.
    pub gate: GateResult,
    /// The article text the offsets refer to (UTF-8, a leading BOM removed).
    pub text: String,
    /// Every sentence, in reading order.
    pub sentences: Vec<SentenceAudit>,
    /// Every finding, in reading order.
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
    /// The text of one of the article's sentences.
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
    /// The input, as the error names it.
    pub source: String,
    /// What is wrong with it.
    pub error: String,
}

/// Totals of a whole run (`summary.json`, the index page, the table footer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// [`SCHEMA_VERSION`] of the summary.
    pub schema_version: u32,
    /// The mtaudit version that wrote it.
    pub tool_version: String,
    /// Articles audited (or re-used).
    pub articles: usize,
    /// Sentences in them.
    pub sentences: usize,
    /// Their verdicts, counted.
    pub verdicts: VerdictCounts,
    /// Articles that failed the gate.
    pub failed_gate: usize,
    /// Inputs that could not be audited.
    pub input_errors: Vec<InputFailure>,
    /// The evidence the verdicts rest on.
    pub evidence: Evidence,
    /// The gate's policy for the run.
    pub gate_policy: GatePolicy,
    /// Wall time of the run.
    pub elapsed_seconds: f64,
    /// Articles taken from a previous run's reports instead of being audited again.
    pub reused: usize,
    /// Mean article score; `None` without articles.
    pub mean_score: Option<f64>,
}
