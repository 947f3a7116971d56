//! The stream runner: JSON Lines records in, one result per record out, in input
//! order, in bounded memory whatever the stream's length (`audit --stdin-jsonl`, the
//! interface of shell pipelines, Spark's `RDD.pipe` and Hadoop streaming).
//!
//! The reader hands each record to the rayon pool as soon as it holds a credit; the writer
//! restores input order and returns a credit for every line it writes. At most `window`
//! records are therefore read but not yet written, however slow one article is.

use super::{Auditor, Sink};
use crate::data::ArticleAudit;
use crate::input::{InputError, JsonLinesRecords, Shard};
use indicatif::ProgressBar;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::mpsc;

/// Options of a stream run.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// Largest article text accepted, in bytes (`--max-article-bytes`).
    pub max_article_bytes: usize,
    /// Audit only the records (and report only the bad lines) of this shard.
    pub shard: Option<Shard>,
    /// Records read but not yet written, at most.
    pub window: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            max_article_bytes: crate::input::DEFAULT_MAX_ARTICLE_BYTES,
            shard: None,
            // Enough to keep every thread busy while one long article holds up the writer.
            window: 4 * rayon::current_num_threads().max(4),
        }
    }
}

/// Totals of a stream run. Counts only: a summary must not grow with the stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamTotals {
    /// Articles audited.
    pub articles: usize,
    /// Sentences in those articles.
    pub sentences: usize,
    /// Articles that failed the gate.
    pub failed_gate: usize,
    /// Lines answered with an error record.
    pub input_errors: usize,
}

/// What the writer receives for the record at one position of the stream.
enum Outcome {
    Audited(Box<ArticleAudit>),
    Failed(InputError),
    /// Another shard's record: nothing is written, but its position must be passed.
    OtherShard,
}

/// Audits the JSON Lines records of `reader` (named `source` in errors) and hands `sink`
/// one result per record, in stream order: the article's audit, or the input error of a
/// line that is not a valid article. `on_error` sees each bad line as it is handed on
/// (for stderr). Fails only when the sink does.
pub fn run_stream<R: BufRead, S>(
    reader: R,
    source: &str,
    sink: S,
    auditor: &Auditor,
    options: &StreamOptions,
    progress: &ProgressBar,
    on_error: &(dyn Fn(&InputError) + Sync),
) -> Result<StreamTotals, S::Error>
where
    S: Sink + Send,
    S::Error: Send,
{
    let window = options.window.max(1);
    let in_shard = |key: &str| Shard::admits(options.shard, key);
    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        credit_tx.send(()).expect("the receiver is alive");
    }
    let (done_tx, done_rx) = mpsc::channel::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        let writer =
            scope.spawn(move || write_in_order(done_rx, credit_tx, sink, progress, on_error));
        rayon::in_place_scope(|pool| {
            let records = JsonLinesRecords::new(reader, source, options.max_article_bytes);
            for (position, record) in records.enumerate() {
                // No credit left means the writer stopped (its output failed): stop reading.
                if credit_rx.recv().is_err() {
                    break;
                }
                let outcome = match record.article {
                    Ok(article) if in_shard(&article.id) => {
                        let done = done_tx.clone();
                        pool.spawn(move |_| {
                            let outcome = match auditor.audit_isolated(&article) {
                                Ok(audit) => Outcome::Audited(Box::new(audit)),
                                Err(e) => Outcome::Failed(e),
                            };
                            let _ = done.send((position, outcome));
                        });
                        continue;
                    }
                    Err(e) if in_shard(e.source_name()) => Outcome::Failed(e),
                    _ => Outcome::OtherShard,
                };
                if done_tx.send((position, outcome)).is_err() {
                    break;
                }
            }
            drop(done_tx);
        });
        writer.join().expect("the stream writer does not panic")
    })
}

/// Hands outcomes to the sink in stream order as they complete, returning a credit per
/// position.
fn write_in_order<S: Sink>(
    done: mpsc::Receiver<(usize, Outcome)>,
    credits: mpsc::SyncSender<()>,
    mut sink: S,
    progress: &ProgressBar,
    on_error: &(dyn Fn(&InputError) + Sync),
) -> Result<StreamTotals, S::Error> {
    let mut totals = StreamTotals::default();
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (position, outcome) in done {
        waiting.insert(position, outcome);
        while let Some(outcome) = waiting.remove(&next) {
            next += 1;
            match outcome {
                Outcome::Audited(audit) => {
                    totals.articles += 1;
                    totals.sentences += audit.sentences.len();
                    totals.failed_gate += usize::from(!audit.gate.passed);
                    sink.article(&audit)?;
                    progress.inc(1);
                }
                Outcome::Failed(error) => {
                    totals.input_errors += 1;
                    on_error(&error);
                    sink.input_error(&error)?;
                }
                Outcome::OtherShard => {}
            }
            // The reader may have finished and gone; then no credit is needed any more.
            let _ = credits.send(());
        }
    }
    Ok(totals)
}
