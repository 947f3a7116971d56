//! From findings to verdicts and scores.
//!
//! Every source of evidence (the string heuristics, the language model) speaks through
//! [`Finding`]s with an MQM severity, so a new source plugs in by emitting findings.
//! A sentence's verdict follows from the penalty points of its findings; an article's
//! score follows the MQM-Core convention.

use crate::audit::result::Verdict;
use crate::checks::{CheckId, Finding, Severity};
use crate::lm::SentenceLm;
use crate::segment::{Sentence, SentenceKind};

/// Penalty points at or above which a sentence is broken (one major finding).
pub const BROKEN_PENALTY: f64 = 5.0;
/// Penalty points at or above which a sentence is suspect (one minor finding).
pub const SUSPECT_PENALTY: f64 = 1.0;

/// Mean surprisal (nats) of a sentence's worst 3-token span above which the wording is
/// implausible, and above which it is very likely broken.
pub const IMPLAUSIBLE_SPAN_NATS: f32 = 11.0;
pub const BROKEN_SPAN_NATS: f32 = 14.0;
/// SLOR below which the whole sentence reads as implausible.
pub const IMPLAUSIBLE_SLOR: f32 = -1.0;
/// Mean surprisal (nats per token) of a running-text sentence above which it reads as
/// implausible as a whole: clean news German and Italian average 2.5–4 nats in context.
pub const IMPLAUSIBLE_MEAN_NATS: f32 = 4.5;
/// Fewest tokens for the mean to be judged: shorter sentences are too noisy.
pub const MIN_MEAN_TOKENS: usize = 6;

/// The language model's evidence on one sentence as a finding: its worst span, when that
/// span (or the sentence as a whole, judged by SLOR) is implausible.
pub fn implausible_wording(features: &SentenceLm, sentence: &Sentence) -> Option<Finding> {
    let worst = features.worst_span?;
    let span_bad = worst.mean_surprisal >= IMPLAUSIBLE_SPAN_NATS;
    let sentence_bad = features.tokens >= 4 && features.slor <= IMPLAUSIBLE_SLOR;
    let mean_bad = sentence.kind == SentenceKind::Sentence
        && features.tokens >= MIN_MEAN_TOKENS
        && features.mean_surprisal >= IMPLAUSIBLE_MEAN_NATS;
    if !span_bad && !sentence_bad && !mean_bad {
        return None;
    }
    let severity = if worst.mean_surprisal >= BROKEN_SPAN_NATS && sentence_bad {
        Severity::Major
    } else {
        Severity::Minor
    };
    let message = format!(
        "implausible wording: the language model finds this passage very unlikely ({:.1} nats per token here, {:.1} over the sentence; SLOR {:.2})",
        worst.mean_surprisal, features.mean_surprisal, features.slor
    );
    let span = if sentence.span.contains(worst.span) {
        worst.span
    } else {
        sentence.span
    };
    Some(Finding::new(
        CheckId::ImplausibleWording,
        severity,
        span,
        message,
    ))
}

/// Sum of MQM-Core penalty points: 1 per minor, 5 per major, 25 per critical finding.
pub fn penalty<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> f64 {
    findings.into_iter().map(|f| f.severity.penalty()).sum()
}

/// The verdict on a sentence with `points` penalty points from its own findings.
pub fn verdict(points: f64) -> Verdict {
    if points >= BROKEN_PENALTY {
        Verdict::Broken
    } else if points >= SUSPECT_PENALTY {
        Verdict::Suspect
    } else {
        Verdict::Ok
    }
}

/// MQM-Core article score: `max(0, 100 × (1 − penalty / words))`; 100 for an article
/// without words and without penalty, 0 when there is penalty but no words.
pub fn article_score(penalty: f64, words: usize) -> f64 {
    if words == 0 {
        return if penalty > 0.0 { 0.0 } else { 100.0 };
    }
    (100.0 * (1.0 - penalty / words as f64)).max(0.0)
}

/// Words for the MQM denominator: whitespace-separated tokens with a letter or digit.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{CheckId, Severity};
    use crate::span::Span;

    fn finding(severity: Severity) -> Finding {
        Finding::new(CheckId::Repetition, severity, Span::new(0, 1), "x")
    }

    #[test]
    fn mqm_core_penalties() {
        let f = [
            finding(Severity::Minor),
            finding(Severity::Major),
            finding(Severity::Critical),
        ];
        assert_eq!(penalty(&f), 31.0);
        assert_eq!(article_score(31.0, 100), 69.0);
        assert_eq!(article_score(31.0, 10), 0.0);
        assert_eq!(article_score(0.0, 0), 100.0);
        assert_eq!(article_score(1.0, 0), 0.0);
    }

    #[test]
    fn verdicts_by_points() {
        assert_eq!(verdict(0.0), Verdict::Ok);
        assert_eq!(verdict(1.0), Verdict::Suspect);
        assert_eq!(verdict(4.0), Verdict::Suspect);
        assert_eq!(verdict(5.0), Verdict::Broken);
    }

    fn features(tokens: usize, mean: f32, slor: f32, worst: f32) -> SentenceLm {
        SentenceLm {
            tokens,
            mean_surprisal: mean,
            max_surprisal: worst,
            frac_above: Default::default(),
            slor,
            worst_span: Some(crate::lm::WorstSpan {
                span: Span::new(4, 9),
                tokens: 3,
                mean_surprisal: worst,
            }),
        }
    }

    #[test]
    fn language_model_evidence_becomes_findings() {
        let sentence = Sentence {
            span: Span::new(0, 40),
            kind: SentenceKind::Sentence,
        };
        let heading = Sentence {
            span: Span::new(0, 40),
            kind: SentenceKind::Heading,
        };
        assert_eq!(
            implausible_wording(&features(20, 3.0, 2.0, 8.0), &sentence),
            None
        );
        let garbled = implausible_wording(&features(7, 5.2, 0.8, 9.0), &sentence).unwrap();
        assert_eq!(
            (garbled.severity, garbled.span),
            (Severity::Minor, Span::new(4, 9))
        );
        // A high mean alone does not condemn a heading (no context, names).
        assert_eq!(
            implausible_wording(&features(7, 5.2, 0.8, 9.0), &heading),
            None
        );
        let hopeless = implausible_wording(&features(12, 6.0, -2.0, 15.0), &heading).unwrap();
        assert_eq!(hopeless.severity, Severity::Major);
    }

    #[test]
    fn words_ignore_punctuation_tokens() {
        assert_eq!(word_count("Der Ball – sei „vor“ dem Gericht , 2025 !"), 7);
    }
}
