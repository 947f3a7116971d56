//! `--format jsonl`: one JSON object per article on standard output, for pipes.

use super::ReportError;
use crate::audit::Sink;
use crate::data::{ArticleAudit, RunSummary};
use crate::input::InputError;
use serde::Serialize;
use std::io::Write;

/// The `--format jsonl` printer, writing to `out`.
pub struct JsonLinesReport<W: Write + Send> {
    out: W,
}

/// The line written in place of a report for an input that is not a valid article.
#[derive(Serialize)]
struct ErrorRecord<'a> {
    source: &'a str,
    error: String,
}

impl<W: Write + Send> JsonLinesReport<W> {
    /// A printer writing to `out` (standard output, for the command).
    pub fn new(out: W) -> Self {
        JsonLinesReport { out }
    }

    // Flushed per line so a consumer downstream sees each article as soon as it is done.
    fn write_line(&mut self, line: &[u8]) -> Result<(), ReportError> {
        self.out
            .write_all(line)
            .and_then(|_| self.out.write_all(b"\n"))
            .and_then(|_| self.out.flush())
            .map_err(ReportError::Output)
    }
}

impl<W: Write + Send> Sink for JsonLinesReport<W> {
    type Error = ReportError;

    fn article(&mut self, audit: &ArticleAudit) -> Result<(), ReportError> {
        let line = serde_json::to_vec(audit).map_err(|cause| ReportError::Serialise {
            id: audit.id.clone(),
            cause,
        })?;
        self.write_line(&line)
    }

    /// Writes `{"source", "error"}` for an input that could not be audited, so that a
    /// stream's consumer gets one line per input record.
    fn input_error(&mut self, error: &InputError) -> Result<(), ReportError> {
        let record = ErrorRecord {
            source: error.source_name(),
            error: error.to_string(),
        };
        let line = serde_json::to_string(&record).map_err(|cause| ReportError::Serialise {
            id: record.source.to_string(),
            cause,
        })?;
        self.write_line(line.as_bytes())
    }

    fn finish(&mut self, _summary: &RunSummary) -> Result<(), ReportError> {
        self.out.flush().map_err(ReportError::Output)
    }
}
