//! Report printers, one per output format, behind the [`Report`] trait.
//!
//! The pipeline hands each finished article to [`Report::article`] as soon as it is done
//! (so streaming formats print while the batch runs) and calls [`Report::finish`] once
//! with the run's totals and a row per article (for tables and index pages).

pub mod human;
pub mod json;
pub mod jsonl;

use crate::audit::result::{ArticleAudit, RunSummary, VerdictCounts};
use crate::checks::CheckId;
use crate::langid::Lang;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
    #[error("cannot serialise the report for {id}: {source}")]
    Serialise {
        id: String,
        source: serde_json::Error,
    },
    #[error("cannot render {what}: {message}")]
    Render { what: String, message: String },
}

/// One line of the run's article table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRow {
    pub id: String,
    pub source: String,
    pub title: Option<String>,
    pub lang: Lang,
    pub words: usize,
    pub score: f64,
    pub verdicts: VerdictCounts,
    pub worst_check: Option<CheckId>,
    pub gate_passed: bool,
}

impl ArticleRow {
    pub fn of(audit: &ArticleAudit) -> Self {
        ArticleRow {
            id: audit.id.clone(),
            source: audit.source.clone(),
            title: audit.title.clone(),
            lang: audit.lang,
            words: audit.words,
            score: audit.score,
            verdicts: audit.verdicts,
            worst_check: audit.worst_check(),
            gate_passed: audit.gate.passed,
        }
    }
}

/// An output format.
pub trait Report: Send {
    /// Called once per audited article, in completion order.
    fn article(&mut self, audit: &ArticleAudit) -> Result<(), ReportError>;
    /// Called once at the end with the totals and a row per article, sorted by id.
    fn finish(&mut self, summary: &RunSummary, rows: &[ArticleRow]) -> Result<(), ReportError>;
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, renamed
/// over the target, so readers never see a half-written report.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// A file name for an article id: safe on every file system, unique per id.
pub fn file_stem(id: &str) -> String {
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
    if cleaned == id && !cleaned.is_empty() {
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
