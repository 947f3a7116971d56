//! `--format json`: one pretty-printed file per article under the output folder, plus
//! `summary.json` with the run's totals and a row per article.

use super::{file_stem, write_atomic, ArticleRow, ArticleRows, ReportError};
use crate::audit::{EarlierAudits, Sink};
use crate::data::{ArticleAudit, RunSummary};
use serde::Serialize;
use std::path::PathBuf;

/// The run's summary file in the output folder.
pub(crate) const SUMMARY_FILE: &str = "summary.json";

/// The `--format json` printer, writing into one output folder.
pub struct JsonReport {
    out_dir: PathBuf,
    rows: ArticleRows,
}

impl JsonReport {
    /// A printer writing into `out_dir`.
    pub fn new(out_dir: PathBuf) -> Self {
        JsonReport {
            out_dir,
            rows: ArticleRows::default(),
        }
    }

    /// Where the report of article `id` goes.
    fn article_path(&self, id: &str) -> PathBuf {
        article_path(&self.out_dir, id)
    }
}

fn article_path(out_dir: &std::path::Path, id: &str) -> PathBuf {
    out_dir.join(format!("{}.json", file_stem(id)))
}

/// A folder of JSON reports from an earlier run, read back for re-use.
pub struct JsonReportFolder(pub PathBuf);

impl EarlierAudits for JsonReportFolder {
    fn audit_of(&self, id: &str) -> Option<ArticleAudit> {
        let bytes = std::fs::read(article_path(&self.0, id)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    summary: &'a RunSummary,
    article_reports: Vec<SummaryRow<'a>>,
}

#[derive(Serialize)]
struct SummaryRow<'a> {
    #[serde(flatten)]
    row: &'a ArticleRow,
    report: String,
}

impl Sink for JsonReport {
    type Error = ReportError;

    fn article(&mut self, audit: &ArticleAudit) -> Result<(), ReportError> {
        let mut bytes =
            serde_json::to_vec_pretty(audit).map_err(|cause| ReportError::Serialise {
                id: audit.id.clone(),
                cause,
            })?;
        bytes.push(b'\n');
        self.rows.push(audit);
        write_atomic(&self.article_path(&audit.id), &bytes)
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), ReportError> {
        let article_reports = self
            .rows
            .sorted()
            .iter()
            .map(|row| SummaryRow {
                row,
                report: format!("{}.json", file_stem(&row.id)),
            })
            .collect();
        let mut bytes = serde_json::to_vec_pretty(&Summary {
            summary,
            article_reports,
        })
        .map_err(|cause| ReportError::Serialise {
            id: SUMMARY_FILE.into(),
            cause,
        })?;
        bytes.push(b'\n');
        write_atomic(&self.out_dir.join(SUMMARY_FILE), &bytes)
    }
}
