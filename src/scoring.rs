//! From findings to verdicts and scores.
//!
//! Every source of evidence (the string heuristics, the language model) speaks through
//! [`Finding`]s with an MQM severity, so a new source plugs in by emitting findings.
//! A sentence's verdict follows from the penalty points of its findings; an article's
//! score follows the MQM-Core convention.

use crate::audit::result::Verdict;
use crate::checks::Finding;

/// Penalty points at or above which a sentence is broken (one major finding).
pub const BROKEN_PENALTY: f64 = 5.0;
/// Penalty points at or above which a sentence is suspect (one minor finding).
pub const SUSPECT_PENALTY: f64 = 1.0;

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

    #[test]
    fn words_ignore_punctuation_tokens() {
        assert_eq!(word_count("Der Ball – sei „vor“ dem Gericht , 2025 !"), 7);
    }
}
