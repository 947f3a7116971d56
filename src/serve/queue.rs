//! The bounded queue between the HTTP handlers and rayon.
//!
//! Every article of a request becomes one job on rayon's global pool (FIFO, so earlier
//! requests go first); the handler awaits each job's result on a oneshot channel. The
//! queue counts the articles waiting or being audited and refuses a request whose
//! articles would not fit, instead of letting latency grow without bound.

use crate::audit::Auditor;
use crate::data::Article;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::oneshot;

pub(super) struct AuditQueue {
    capacity: usize,
    depth: Arc<AtomicUsize>,
}

/// One article's place in the queue, given back when its job ends (or is dropped).
pub(super) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One finished audit, serialised on the rayon thread that made it.
pub(super) struct Audited {
    /// The JSON report, exactly as `--format json` writes it.
    pub json: Vec<u8>,
    pub sentences: usize,
    pub tokens: usize,
}

/// A job that panicked: the audit's bug, reported as a 500 instead of aborting.
#[derive(Debug)]
pub(super) struct JobFailed;

impl AuditQueue {
    pub fn new(capacity: usize) -> Self {
        AuditQueue {
            capacity,
            depth: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Articles waiting or being audited.
    pub fn depth(&self) -> usize {
        self.depth.load(Ordering::Acquire)
    }

    /// Places for `count` articles, all or none.
    pub fn reserve(&self, count: usize) -> Option<Vec<Slot>> {
        self.depth
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |depth| {
                (depth + count <= self.capacity).then_some(depth + count)
            })
            .ok()?;
        Some((0..count).map(|_| Slot(self.depth.clone())).collect())
    }

    /// Audits `article` on rayon. Skipped (the receiver then sees a closed channel) when
    /// `cancelled` is set before it starts: its request has already timed out.
    pub fn submit(
        auditor: Arc<Auditor>,
        article: Article,
        slot: Slot,
        cancelled: Arc<AtomicBool>,
    ) -> oneshot::Receiver<Result<Audited, JobFailed>> {
        let (sender, receiver) = oneshot::channel();
        rayon::spawn_fifo(move || {
            if cancelled.load(Ordering::Acquire) {
                return;
            }
            // A panic's message has gone to the server's stderr through the panic hook.
            let audited = auditor.audit_isolated(&article).map_err(|_| JobFailed);
            let audited = audited.and_then(|audit| {
                Ok(Audited {
                    json: serde_json::to_vec(&audit).map_err(|_| JobFailed)?,
                    sentences: audit.sentences.len(),
                    tokens: audit.tokens.as_ref().map_or(0, Vec::len),
                })
            });
            // Freed before the answer goes out: a client that has its reports never
            // sees them still counted in the queue.
            drop(slot);
            let _ = sender.send(audited);
        });
        receiver
    }
}
