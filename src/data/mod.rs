//! The data layer: what an article is and what an audit says about it.
//!
//! Every other module depends on these types, and they depend on nothing else in the
//! crate: reading, segmentation, checks, the language model, scoring, the gate and the
//! reports all speak in them. The JSON report is their serialisation
//! ([`SCHEMA_VERSION`]), so their field names are part of the machine-readable interface.

mod article;
mod audit;
mod finding;
mod gate;
mod lang;
mod lm_features;
mod sentence;
mod span;
mod verdict;

pub use article::Article;
pub use audit::{
    ArticleAudit, Evidence, FindingAudit, InputFailure, LangSource, ModelInfo, RunSummary,
    SentenceAudit, TokenScore, SCHEMA_VERSION,
};
pub use finding::{CheckId, Finding, Severity, UnknownCheck};
pub use gate::{GatePolicy, GatePolicyError, GateResult, DEFAULT_MAX_NEEDS_EDITOR};
pub use lang::{Lang, UnknownLanguage};
pub use lm_features::{
    AgreementRule, FracAbove, SentenceLm, UnlikelyWord, VariantComparison, WorstSpan,
};
pub use sentence::{Sentence, SentenceKind};
pub use span::Span;
pub use verdict::{Verdict, VerdictCounts};
