//! Verdicts on sentences and their counts.

use serde::{Deserialize, Serialize};

/// Verdict on one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No finding.
    Ok,
    /// Findings of fewer than 5 penalty points (minor ones): worth a reviewer's look.
    Suspect,
    /// Findings of 5 points or more (a major or critical one): an error a reader sees.
    Broken,
}

impl Verdict {
    /// The name reports use ("broken").
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Suspect => "suspect",
            Verdict::Broken => "broken",
        }
    }
}

/// How many sentences got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    /// Sentences judged ok.
    pub ok: usize,
    /// Sentences judged suspect.
    pub suspect: usize,
    /// Sentences judged broken.
    pub broken: usize,
}

impl std::ops::AddAssign for VerdictCounts {
    fn add_assign(&mut self, other: Self) {
        self.ok += other.ok;
        self.suspect += other.suspect;
        self.broken += other.broken;
    }
}

impl VerdictCounts {
    /// All sentences counted.
    pub fn total(&self) -> usize {
        self.ok + self.suspect + self.broken
    }

    /// Counts one more sentence with `verdict`.
    pub fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Ok => self.ok += 1,
            Verdict::Suspect => self.suspect += 1,
            Verdict::Broken => self.broken += 1,
        }
    }

    /// Share of broken sentences, 0 for an article without sentences.
    pub fn broken_ratio(&self) -> f64 {
        if self.total() == 0 {
            0.0
        } else {
            self.broken as f64 / self.total() as f64
        }
    }
}
