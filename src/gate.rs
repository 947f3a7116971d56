//! The threshold gate for editorial pipelines: does an article pass?

use crate::audit::result::VerdictCounts;
use serde::{Deserialize, Serialize};

/// Gate thresholds; an unset threshold always passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Minimum article score (0–100).
    pub fail_under: Option<f64>,
    /// Maximum share of broken sentences (0–1).
    pub max_broken_ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    pub passed: bool,
    /// Why the article failed, one line per threshold it missed.
    pub reasons: Vec<String>,
}

impl Thresholds {
    /// Checks that the thresholds lie in their ranges.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(score) = self.fail_under {
            if !(0.0..=100.0).contains(&score) {
                return Err(format!(
                    "the minimum score must be between 0 and 100, not {score}"
                ));
            }
        }
        if let Some(ratio) = self.max_broken_ratio {
            if !(0.0..=1.0).contains(&ratio) {
                return Err(format!(
                    "the maximum broken ratio must be between 0 and 1, not {ratio}"
                ));
            }
        }
        Ok(())
    }

    pub fn evaluate(&self, score: f64, verdicts: &VerdictCounts) -> GateResult {
        let mut reasons = Vec::new();
        if let Some(min) = self.fail_under {
            if score < min {
                reasons.push(format!("score {score:.1} is below {min}"));
            }
        }
        if let Some(max) = self.max_broken_ratio {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(ok: usize, broken: usize) -> VerdictCounts {
        VerdictCounts {
            ok,
            suspect: 0,
            broken,
        }
    }

    #[test]
    fn no_thresholds_always_pass() {
        assert!(Thresholds::default().evaluate(0.0, &counts(0, 10)).passed);
    }

    #[test]
    fn score_threshold() {
        let t = Thresholds {
            fail_under: Some(80.0),
            max_broken_ratio: None,
        };
        assert!(t.evaluate(80.0, &counts(1, 0)).passed);
        let failed = t.evaluate(79.9, &counts(1, 0));
        assert!(!failed.passed);
        assert_eq!(failed.reasons, ["score 79.9 is below 80"]);
    }

    #[test]
    fn broken_ratio_threshold() {
        let t = Thresholds {
            fail_under: None,
            max_broken_ratio: Some(0.25),
        };
        assert!(t.evaluate(50.0, &counts(3, 1)).passed);
        assert!(!t.evaluate(50.0, &counts(2, 1)).passed);
        assert!(t.evaluate(50.0, &counts(0, 0)).passed);
    }
}
