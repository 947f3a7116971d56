//! What the language model says about a sentence: the features the scoring combines and
//! the reports show. Computed by `crate::lm`.

use super::span::Span;
use serde::{Deserialize, Serialize};

/// Fraction of a sentence's tokens whose surprisal exceeds 4, 8 and 12 nats (p below
/// about 1/55, 1/3,000 and 1/160,000). Clean news German averages about 2.5–4 nats per
/// token; tokens above 8 are rare in fluent text, above 12 almost only in garbled text
/// and in names.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct FracAbove {
    /// Share of tokens above 4 nats.
    pub nats_4: f32,
    /// Share of tokens above 8 nats.
    pub nats_8: f32,
    /// Share of tokens above 12 nats.
    pub nats_12: f32,
}

/// The contiguous run of tokens with the largest total surprisal in excess of
/// `SPAN_EXCESS_NATS` in `crate::lm::surprisal` (the maximal-scoring segment, as in Ruzzo
/// & Tompa 1999): as long as the implausible passage, not a fixed number of tokens. Its
/// byte span is widened to whole words so a reviewer sees "Freilassung", not the token
/// "▁Freilass".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WorstSpan {
    /// Article-relative byte span (from the first token's first non-space byte).
    pub span: Span,
    /// Tokens in the run.
    pub tokens: usize,
    /// Their mean surprisal, in nats.
    pub mean_surprisal: f32,
}

/// Language-model features of one sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceLm {
    /// Tokens of the sentence.
    pub tokens: usize,
    /// Mean token surprisal in nats (0 for a sentence without tokens).
    pub mean_surprisal: f32,
    /// Highest token surprisal, in nats.
    pub max_surprisal: f32,
    /// Shares of very surprising tokens.
    pub frac_above: FracAbove,
    /// Length-normalised log-probability against the unigram baseline (see module docs).
    pub slor: f32,
    /// The most implausible run of tokens, if any exceeds the baseline.
    pub worst_span: Option<WorstSpan>,
    /// The common word the LM finds most unlikely in its context relative to its
    /// frequency; `None` without a lexicon or without a common word past the first.
    pub unlikely_word: Option<UnlikelyWord>,
    /// For the sentence's most surprising words, the form the model prefers most, scored
    /// over the whole sentence (`crate::lm::variants`); empty without a suspect word with
    /// candidate forms, or when not computed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantComparison>,
}

/// A common word of the sentence and how much less likely the LM finds it in context than
/// on average. Judged are common (`COMMON_WORD_ZIPF` in `crate::lm::surprisal`) lower-case
/// words inside a clause (after a word or a comma: after a quotation mark or colon a new
/// sentence may start)
/// whose preceding word is lower case or a sentence-initial function word. After a name
/// ("Skoda versorgt …", "Brown wurde …") any continuation surprises the LM: on human
/// reference translations those words were most of the false alarms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnlikelyWord {
    /// Article-relative byte span of the word.
    pub span: Span,
    /// The LM's surprisal of the word's tokens, in nats.
    pub surprisal: f32,
    /// `surprisal` minus the word's unigram surprisal: how many nats less likely the word
    /// is here than its frequency predicts.
    pub excess: f32,
}

/// The candidate the model prefers most for a word, and by how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantComparison {
    /// Article-relative byte span of the word.
    pub span: Span,
    /// The form the model prefers.
    pub suggestion: String,
    /// `ln P(text with the suggestion) − ln P(text as written)` over the word and its right
    /// context, in nats.
    pub llr: f32,
    /// The agreement rule that pointed the model at the word, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<AgreementRule>,
}

/// A rule of agreement that a word's form breaks ([`crate::agreement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementRule {
    /// A German masculine or neuter noun after "des", "eines" or "keines" without its
    /// genitive ending.
    GenitiveEnding,
    /// An Italian verb in the second person singular where nobody is addressed.
    SecondPerson,
}

impl AgreementRule {
    /// Whether the rule is evidence on its own, reported where the model does not prefer
    /// a repair: 22 of the genitive rule's 31 hits in the German learner essays of
    /// MultiGED are on a marked error, and its 3 hits in WMT human reference translations
    /// are errors; 72 of the second person rule's 603 hits in the Italian essays are, most
    /// of which address their reader without a "tu".
    pub fn stands_alone(self) -> bool {
        matches!(self, AgreementRule::GenitiveEnding)
    }

    /// Why the written form is suspect, as a clause for a finding's message.
    pub fn explanation(self) -> &'static str {
        match self {
            AgreementRule::GenitiveEnding => "a noun after a genitive article takes its ending",
            AgreementRule::SecondPerson => "a second person verb where nobody is addressed",
        }
    }
}
