//! Findings: evidence that something is wrong, from a check or the language model.

use super::span::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a finding hurts, with MQM-Core penalty weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A blemish: 1 penalty point.
    Minor,
    /// An error a reader notices: 5 points.
    Major,
    /// Unpublishable as it stands (boilerplate, debris, garbling): 25 points.
    Critical,
}

impl Severity {
    /// MQM-Core penalty points: 1 per minor, 5 per major, 25 per critical finding.
    pub fn penalty(self) -> f64 {
        match self {
            Severity::Minor => 1.0,
            Severity::Major => 5.0,
            Severity::Critical => 25.0,
        }
    }

    /// The name reports and configuration use ("minor").
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Stable identifiers of every source of findings; they appear in reports and config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// Stuttered words and phrases ("Wir wir uns").
    Repetition,
    /// Spacing artefacts around hyphens ("US -Präsident").
    DetachedHyphen,
    /// Sentences, words and hybrids in another language.
    WrongLanguage,
    /// Web boilerplate glued into the body ("Lesen Sie auch").
    Boilerplate,
    /// Photo captions and credit lines.
    CaptionCredit,
    /// HTML attributes, broken link addresses and other markup.
    MarkupDebris,
    /// Capitalised articles mid-sentence, lower-case sentence starts and names.
    Capitalisation,
    /// Unbalanced quotes and brackets, misplaced spaces, doubled punctuation.
    Punctuation,
    /// Mojibake, replacement characters and invisible characters.
    Encoding,
    /// Fragments and truncated text: one-word sentences, cut-off words, dangling ends.
    Fragment,
    /// Sentences or paragraphs that (nearly) repeat an earlier one.
    NearDuplicate,
    /// Whole-article statistics: looping n-grams, repeated lines, odd character mix.
    DocumentStats,
    /// Evidence from the language model rather than a string heuristic.
    ImplausibleWording,
    /// A word the language model would rather see in another form ("des Rat" → "des
    /// Rates"): also the language model's evidence.
    Grammar,
}

impl CheckId {
    /// Every check, in report order.
    pub const ALL: [CheckId; 14] = [
        CheckId::Repetition,
        CheckId::DetachedHyphen,
        CheckId::WrongLanguage,
        CheckId::Boilerplate,
        CheckId::CaptionCredit,
        CheckId::MarkupDebris,
        CheckId::Capitalisation,
        CheckId::Punctuation,
        CheckId::Encoding,
        CheckId::Fragment,
        CheckId::NearDuplicate,
        CheckId::DocumentStats,
        CheckId::ImplausibleWording,
        CheckId::Grammar,
    ];

    /// The name reports and configuration use ("wrong-language").
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Repetition => "repetition",
            CheckId::DetachedHyphen => "detached-hyphen",
            CheckId::WrongLanguage => "wrong-language",
            CheckId::Boilerplate => "boilerplate",
            CheckId::CaptionCredit => "caption-credit",
            CheckId::MarkupDebris => "markup-debris",
            CheckId::Capitalisation => "capitalisation",
            CheckId::Punctuation => "punctuation",
            CheckId::Encoding => "encoding",
            CheckId::Fragment => "fragment",
            CheckId::NearDuplicate => "near-duplicate",
            CheckId::DocumentStats => "document-stats",
            CheckId::ImplausibleWording => "implausible-wording",
            CheckId::Grammar => "grammar",
        }
    }

    /// Whether the language model, not a string heuristic, raises this finding.
    pub fn is_language_model(self) -> bool {
        matches!(self, CheckId::ImplausibleWording | CheckId::Grammar)
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A check name that no check has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown check {0:?}")]
pub struct UnknownCheck(pub String);

impl std::str::FromStr for CheckId {
    type Err = UnknownCheck;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckId::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCheck(s.to_string()))
    }
}

/// One piece of evidence that something is wrong, with the text it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What raised it.
    pub check: CheckId,
    /// How much it hurts, after the configuration's overrides.
    pub severity: Severity,
    /// Article-relative byte span of the offending text.
    #[serde(flatten)]
    pub span: Span,
    /// What is wrong, in words a reviewer understands.
    pub message: String,
    /// The text the finding's span was likely meant to read, where the evidence names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Finding {
    /// A finding without a suggestion.
    pub fn new(check: CheckId, severity: Severity, span: Span, message: impl Into<String>) -> Self {
        Finding {
            check,
            severity,
            span,
            message: message.into(),
            suggestion: None,
        }
    }

    /// The finding with a suggested replacement for its span.
    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}
