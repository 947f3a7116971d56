//! Report printers, one per output format, each a [`Sink`] of the pipeline.
//!
//! The pipeline hands each finished article to [`Sink::article`] as soon as it is done
//! (so streaming formats print while the batch runs) and calls [`Sink::finish`] once with
//! the run's totals; printers that need a table of the run collect their own
//! `ArticleRows`. [`Printers`] feeds several formats at once.

pub mod html;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod merge;
pub mod out_dir;

use crate::audit::Sink;
use crate::data::{ArticleAudit, CheckId, Lang, RunSummary, VerdictCounts};
use crate::input::InputError;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

// The causes are part of each message (they end up in reports and on stderr as one
// line), so they are not chained as `source` too: that would print them twice.
/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report file could not be created, written or renamed into place.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// A stream such as standard output could not be written.
    #[error("cannot write the report: {0}")]
    Output(std::io::Error),
    /// An article's audit, an input's error record or the run's summary could not be
    /// turned into JSON.
    #[error("cannot serialise the report for {id}: {cause}")]
    Serialise {
        /// The article's id, the input's name, or the summary's file name.
        id: String,
        /// The serialiser's error.
        cause: serde_json::Error,
    },
    /// Another run holds the output folder's lock.
    #[error("another mtaudit run is writing to {dir} (it holds {lock}); wait for it to finish or choose another --out")]
    OutputBusy {
        /// The output folder (`--out`).
        dir: PathBuf,
        /// The lock file the other run holds.
        lock: PathBuf,
    },
    /// An HTML page's template failed to render.
    #[error("cannot render {what}: {message}")]
    Render {
        /// The page being rendered.
        what: String,
        /// The template engine's error, with its causes.
        message: String,
    },
}

/// One line of the run's article table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRow {
    /// The article's id.
    pub id: String,
    /// Where the article was read from.
    pub source: String,
    /// The article's title, where the input gave one.
    pub title: Option<String>,
    /// The language the article was audited as.
    pub lang: Lang,
    /// The article's word count.
    pub words: usize,
    /// The article's quality score, 0 to 100.
    pub score: f64,
    /// The calibrated probability that the article needs an editor.
    pub needs_editor: f64,
    /// How many of its sentences got each verdict.
    pub verdicts: VerdictCounts,
    /// The check with the most penalty points, if any finding exists.
    pub worst_check: Option<CheckId>,
    /// Whether the article passed the gate.
    pub gate_passed: bool,
    /// Why the article failed the gate (empty when it passed).
    pub gate_reasons: Vec<String>,
}

impl ArticleRow {
    /// The row for one article's audit.
    pub fn of(audit: &ArticleAudit) -> Self {
        ArticleRow {
            id: audit.id.clone(),
            source: audit.source.clone(),
            title: audit.title.clone(),
            lang: audit.lang,
            words: audit.words,
            score: audit.score,
            needs_editor: audit.needs_editor,
            verdicts: audit.verdicts,
            worst_check: audit.worst_check(),
            gate_passed: audit.gate.passed,
            gate_reasons: audit.gate.reasons.clone(),
        }
    }
}

/// The rows of a run's article table, collected as the articles arrive.
#[derive(Debug, Default)]
pub(crate) struct ArticleRows(Vec<ArticleRow>);

impl ArticleRows {
    /// Adds the row for one article's audit.
    pub fn push(&mut self, audit: &ArticleAudit) {
        self.0.push(ArticleRow::of(audit));
    }

    /// The rows sorted by article id, for output that is the same on every run.
    pub fn sorted(&mut self) -> &[ArticleRow] {
        self.0.sort_by(|a, b| a.id.cmp(&b.id));
        &self.0
    }
}

/// A report printer that the pipeline can feed from any thread.
pub type Printer = Box<dyn Sink<Error = ReportError> + Send>;

/// Several printers fed as one sink, in the order given.
#[derive(Default)]
pub struct Printers(pub Vec<Printer>);

impl Sink for Printers {
    type Error = ReportError;

    fn article(&mut self, audit: &ArticleAudit) -> Result<(), ReportError> {
        self.0.iter_mut().try_for_each(|p| p.article(audit))
    }

    fn input_error(&mut self, error: &InputError) -> Result<(), ReportError> {
        self.0.iter_mut().try_for_each(|p| p.input_error(error))
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), ReportError> {
        self.0.iter_mut().try_for_each(|p| p.finish(summary))
    }
}

/// Prefix and suffix of the temporary files [`write_atomic`] renames into place; a run
/// that was killed leaves them behind, and [`out_dir::OutputDir::claim`] removes them.
pub(crate) const TEMP_PREFIX: &str = ".mtaudit-";
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, renamed
/// over the target, so readers never see a half-written report. The file gets the
/// permissions the umask leaves of 0666, like any file the user creates. A file that
/// already holds exactly `bytes` is left alone, so a re-run does not rewrite (and sync)
/// the reports it reuses.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |cause| ReportError::Write {
        path: path.to_path_buf(),
        cause,
    };
    if holds_exactly(path, bytes) {
        return Ok(());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

fn holds_exactly(path: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|existing| existing == bytes)
}

/// Stems of the run's own files in the output folder (`summary.json`, `index.html`): an
/// article with such an id gets a hashed name like any id that needs cleaning. Compared
/// without case, for case-insensitive file systems.
const RESERVED_STEMS: &[&str] = &["summary", "index"];

/// A file name for an article id: safe on every file system, unique per id, never one of
/// the run's own files.
pub(crate) fn file_stem(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    let reserved = RESERVED_STEMS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(cleaned));
    if cleaned == id && !cleaned.is_empty() && !reserved {
        return cleaned.to_string();
    }
    // Different ids can clean to the same name: disambiguate with a short hash of the id.
    use sha2::{Digest, Sha256};
    let hash = hex::encode(&Sha256::digest(id.as_bytes())[..4]);
    format!("{cleaned}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("000_242c8710a1e8f699"), "000_242c8710a1e8f699");
        let a = file_stem("a/b");
        let b = file_stem("a?b");
        assert!(a.starts_with("a_b-") && b.starts_with("a_b-") && a != b);
        assert!(!file_stem("../etc/passwd").contains('/'));
        assert!(!file_stem("..").starts_with('.'));
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/report.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
