//! `--format human`: a table of articles and the worst sentences of the run, for people
//! at a terminal.

use super::{ArticleRow, ArticleRows, ReportError};
use crate::audit::Sink;
use crate::data::{ArticleAudit, RunSummary, Verdict};
use crate::scoring;
use std::fmt::Write as _;
use std::io::Write;

/// How many of the run's worst sentences the table is followed by.
const WORST_SENTENCES: usize = 12;
const EXCERPT_CHARS: usize = 110;

struct WorstSentence {
    points: f64,
    article: String,
    index: usize,
    excerpt: String,
    reasons: Vec<String>,
}

/// The `--format human` printer: when the run is done, the article table, the worst
/// sentences and the totals.
pub struct HumanReport<W: Write + Send> {
    out: W,
    rows: ArticleRows,
    worst: Vec<WorstSentence>,
}

impl<W: Write + Send> HumanReport<W> {
    /// A printer writing to `out`.
    pub fn new(out: W) -> Self {
        HumanReport {
            out,
            rows: ArticleRows::default(),
            worst: Vec::new(),
        }
    }

    fn render(&self, summary: &RunSummary, rows: &[ArticleRow]) -> String {
        let mut s = String::new();
        let id_width = rows
            .iter()
            .map(|r| r.id.chars().count())
            .max()
            .unwrap_or(7)
            .clamp(7, 40);
        let _ = writeln!(
            s,
            "{:<id_width$}  {:<4} {:>6} {:>6} {:>6}  {:>4} {:>7} {:>6}  {:<4}  WORST CHECK",
            "ARTICLE", "LANG", "WORDS", "SCORE", "EDITOR", "OK", "SUSPECT", "BROKEN", "GATE"
        );
        for r in rows {
            let _ = writeln!(
                s,
                "{:<id_width$}  {:<4} {:>6} {:>6.1} {:>5.0}%  {:>4} {:>7} {:>6}  {:<4}  {}",
                truncate(&r.id, id_width),
                r.lang.code(),
                r.words,
                r.score,
                100.0 * r.needs_editor,
                r.verdicts.ok,
                r.verdicts.suspect,
                r.verdicts.broken,
                if r.gate_passed { "pass" } else { "FAIL" },
                r.worst_check.map(|c| c.as_str()).unwrap_or("-"),
            );
        }
        let failed: Vec<&ArticleRow> = rows.iter().filter(|r| !r.gate_passed).collect();
        if !failed.is_empty() {
            let _ = writeln!(s, "\nFailed the gate:");
            for r in failed {
                let _ = writeln!(s, "  {}", r.id);
                for reason in &r.gate_reasons {
                    let _ = writeln!(s, "      {}", truncate(reason, EXCERPT_CHARS));
                }
            }
        }
        if !self.worst.is_empty() {
            let _ = writeln!(s, "\nWorst sentences:");
            for w in &self.worst {
                let _ = writeln!(
                    s,
                    "  {} #{} ({} points): {}",
                    w.article,
                    w.index + 1,
                    w.points,
                    w.excerpt
                );
                for reason in &w.reasons {
                    let _ = writeln!(s, "      {reason}");
                }
            }
        }
        let v = summary.verdicts;
        let _ = write!(
            s,
            "\n{}, {}: {} ok, {} suspect, {} broken",
            counted(summary.articles, "article"),
            counted(summary.sentences, "sentence"),
            v.ok,
            v.suspect,
            v.broken
        );
        if let Some(mean) = summary.mean_score {
            let _ = write!(s, "; mean score {mean:.1}");
        }
        if summary.failed_gate > 0 {
            let _ = write!(s, "; {} failed the gate", summary.failed_gate);
        }
        if !summary.input_errors.is_empty() {
            let inputs = counted(summary.input_errors.len(), "input");
            let _ = write!(s, "; {inputs} could not be read");
        }
        let _ = writeln!(s, " ({:.1} s)", summary.elapsed_seconds);
        s
    }
}

impl<W: Write + Send> Sink for HumanReport<W> {
    type Error = ReportError;

    fn article(&mut self, audit: &ArticleAudit) -> Result<(), ReportError> {
        self.rows.push(audit);
        for sentence in audit
            .sentences
            .iter()
            .filter(|s| s.verdict == Verdict::Broken)
        {
            let findings: Vec<_> = audit.findings_of(sentence).collect();
            self.worst.push(WorstSentence {
                points: scoring::penalty(findings.iter().copied()),
                article: audit.id.clone(),
                index: sentence.index,
                excerpt: truncate(audit.sentence_text(sentence), EXCERPT_CHARS),
                reasons: findings
                    .iter()
                    .map(|f| format!("{} ({}): {}", f.check, f.severity, f.message))
                    .collect(),
            });
        }
        // Keep only the worst few; ties broken by article and position for stable output.
        self.worst.sort_by(|a, b| {
            b.points
                .total_cmp(&a.points)
                .then_with(|| a.article.cmp(&b.article))
                .then(a.index.cmp(&b.index))
        });
        self.worst.truncate(WORST_SENTENCES);
        Ok(())
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), ReportError> {
        let mut rows = std::mem::take(&mut self.rows);
        let text = self.render(summary, rows.sorted());
        self.out
            .write_all(text.as_bytes())
            .and_then(|_| self.out.flush())
            .map_err(ReportError::Output)
    }
}

/// "1 article", "2 articles".
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` cut to at most `max` characters, with an ellipsis when cut; newlines flattened.
fn truncate(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("Größe", 5), "Größe");
        assert_eq!(truncate("Größenordnung", 5), "Größ…");
        assert_eq!(truncate("a\nb", 5), "a b");
    }
}
