//! The threshold gate for editorial pipelines: may this article go out as it stands?
//!
//! The default policy holds without any configuration: an article fails when it has a
//! critical finding (web boilerplate, markup debris, a garbled passage) or when the
//! article estimate puts the probability that it needs an editor above
//! [`crate::data::DEFAULT_MAX_NEEDS_EDITOR`]. `mtaudit.toml` (`[gate]`) and flags change or switch off
//! each part, and add the MQM-Core score and broken-ratio thresholds.

use crate::data::{GatePolicy, GateResult, VerdictCounts};

/// How the gate's reasons begin, by the part of the policy that gave them.
pub(crate) const CRITICAL_REASON: &str = "critical finding";
/// How the reason begins when the article estimate is over the threshold.
pub(crate) const NEEDS_EDITOR_REASON: &str = "needs an editor";

/// How many critical findings a failed gate names before summing up the rest.
const NAMED_CRITICAL: usize = 3;

/// What the gate looks at in one article.
#[derive(Debug, Clone, PartialEq)]
pub struct GateInput {
    /// The article's MQM-Core score, 0 to 100.
    pub score: f64,
    /// How many of its sentences got each verdict.
    pub verdicts: VerdictCounts,
    /// The article estimate: probability that the article needs an editor.
    pub needs_editor: f64,
    /// One short description per critical finding, in reading order.
    pub critical: Vec<String>,
}

/// Whether `article` may go out under `policy`, and if not, why.
pub fn evaluate(policy: &GatePolicy, article: &GateInput) -> GateResult {
    let mut reasons = Vec::new();
    if policy.fail_on_critical {
        let critical = &article.critical;
        reasons.extend(
            critical
                .iter()
                .take(NAMED_CRITICAL)
                .map(|c| format!("{CRITICAL_REASON}: {c}")),
        );
        if critical.len() > NAMED_CRITICAL {
            reasons.push(format!(
                "{CRITICAL_REASON}: {} more",
                critical.len() - NAMED_CRITICAL
            ));
        }
    }
    if article.needs_editor > policy.max_needs_editor {
        reasons.push(format!(
            "{NEEDS_EDITOR_REASON}: {:.0}% likely (limit {:.0}%)",
            100.0 * article.needs_editor,
            100.0 * policy.max_needs_editor
        ));
    }
    if let Some(min) = policy.fail_under {
        if article.score < min {
            reasons.push(format!("score {:.1} is below {min}", article.score));
        }
    }
    if let Some(max) = policy.max_broken_ratio {
        let verdicts = &article.verdicts;
        let ratio = verdicts.broken_ratio();
        if ratio > max {
            reasons.push(format!(
                "{} of {} sentences broken ({:.1}%), more than {:.1}%",
                verdicts.broken,
                verdicts.total(),
                100.0 * ratio,
                100.0 * max
            ));
        }
    }
    GateResult {
        passed: reasons.is_empty(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(score: f64, ok: usize, broken: usize, needs_editor: f64) -> GateInput {
        GateInput {
            score,
            verdicts: VerdictCounts {
                ok,
                suspect: 0,
                broken,
            },
            needs_editor,
            critical: Vec::new(),
        }
    }

    #[test]
    fn everything_switched_off_always_passes() {
        let mut worst = article(0.0, 0, 10, 1.0);
        worst.critical.push("boilerplate: “Lesen Sie auch”".into());
        assert!(evaluate(&GatePolicy::OFF, &worst).passed);
    }

    #[test]
    fn the_default_policy_fails_critical_findings_and_likely_editor_cases() {
        let policy = GatePolicy::default();
        assert!(evaluate(&policy, &article(50.0, 1, 9, 0.5)).passed);
        let likely = evaluate(&policy, &article(99.0, 9, 1, 0.95));
        assert_eq!(likely.reasons, ["needs an editor: 95% likely (limit 80%)"]);
        let mut critical = article(99.0, 10, 0, 0.1);
        critical.critical = (1..=5).map(|i| format!("boilerplate #{i}")).collect();
        let failed = evaluate(&policy, &critical);
        assert!(!failed.passed);
        assert_eq!(
            failed.reasons,
            [
                "critical finding: boilerplate #1",
                "critical finding: boilerplate #2",
                "critical finding: boilerplate #3",
                "critical finding: 2 more"
            ]
        );
    }

    #[test]
    fn score_threshold() {
        let t = GatePolicy {
            fail_under: Some(80.0),
            ..GatePolicy::OFF
        };
        assert!(evaluate(&t, &article(80.0, 1, 0, 0.0)).passed);
        let failed = evaluate(&t, &article(79.9, 1, 0, 0.0));
        assert!(!failed.passed);
        assert_eq!(failed.reasons, ["score 79.9 is below 80"]);
    }

    #[test]
    fn broken_ratio_threshold() {
        let t = GatePolicy {
            max_broken_ratio: Some(0.25),
            ..GatePolicy::OFF
        };
        assert!(evaluate(&t, &article(50.0, 3, 1, 0.0)).passed);
        assert!(!evaluate(&t, &article(50.0, 2, 1, 0.0)).passed);
        assert!(evaluate(&t, &article(50.0, 0, 0, 0.0)).passed);
    }
}
