//! Where the pipeline hands its results. The runners ([`super::run_batch`],
//! [`super::stream::run_stream`]) own this interface and the report printers implement it,
//! as ripgrep's searcher hands matches to a sink its printers implement: the pipeline
//! never knows about output formats.

use crate::data::{ArticleAudit, RunSummary};
use crate::input::InputError;

/// A consumer of audits, fed in input order.
pub trait Sink {
    /// Why the sink could not take a result (a report that cannot be written): fatal to
    /// the run, unlike a bad input.
    type Error;

    /// One audited article, as soon as it and every article before it are done.
    fn article(&mut self, audit: &ArticleAudit) -> Result<(), Self::Error>;

    /// An input that could not be audited. Streams answer it in its place; a batch
    /// collects input errors in the summary, so the default ignores them.
    fn input_error(&mut self, _error: &InputError) -> Result<(), Self::Error> {
        Ok(())
    }

    /// The end of a batch run, with its totals. A stream has no end to report: its
    /// totals would grow with it.
    fn finish(&mut self, summary: &RunSummary) -> Result<(), Self::Error>;
}

/// Audits of an earlier run, looked up by article id: a batch takes an article from them
/// instead of auditing it again when the fingerprint still matches.
pub trait EarlierAudits: Sync {
    /// The earlier audit of article `id`, if one can be read.
    fn audit_of(&self, id: &str) -> Option<ArticleAudit>;
}
