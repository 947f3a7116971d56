//! `--format jsonl`: one JSON object per article on standard output, for pipes.

use super::{ArticleRow, Report, ReportError};
use crate::audit::result::{ArticleAudit, RunSummary};
use std::io::Write;

pub struct JsonLinesReport<W: Write + Send> {
    out: W,
}

impl<W: Write + Send> JsonLinesReport<W> {
    pub fn new(out: W) -> Self {
        JsonLinesReport { out }
    }
}

impl<W: Write + Send> Report for JsonLinesReport<W> {
    fn article(&mut self, audit: &ArticleAudit) -> Result<(), ReportError> {
        serde_json::to_writer(&mut self.out, audit).map_err(|cause| ReportError::Serialise {
            id: audit.id.clone(),
            cause,
        })?;
        // Flush per line so a consumer downstream sees each article as soon as it is done.
        self.out
            .write_all(b"\n")
            .and_then(|_| self.out.flush())
            .map_err(ReportError::Stdout)
    }

    fn finish(&mut self, _summary: &RunSummary, _rows: &[ArticleRow]) -> Result<(), ReportError> {
        self.out.flush().map_err(ReportError::Stdout)
    }
}
