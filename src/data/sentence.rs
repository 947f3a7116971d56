//! Sentences: the unit every verdict is about.

use super::span::Span;
use serde::{Deserialize, Serialize};

/// What kind of line a sentence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    /// Running text.
    Sentence,
    /// A line of its own without final punctuation: a title, heading, caption or credit.
    Heading,
}

/// One sentence of an article, as segmentation finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Article-relative byte span, without surrounding whitespace.
    pub span: Span,
    /// Running text or a line of its own.
    pub kind: SentenceKind,
}
