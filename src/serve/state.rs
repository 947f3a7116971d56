//! What the service's handlers share: the auditor, the queue, the metrics and the limits.

use super::metrics::Metrics;
use super::queue::AuditQueue;
use crate::audit::Auditor;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Request limits; each is a flag of `mtaudit serve`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most articles in one request.
    pub max_articles: usize,
    /// Largest article text, in bytes.
    pub max_article_bytes: usize,
    /// Most articles queued or being audited, over all requests.
    pub max_queue: usize,
    /// Longest a request may take, body upload and audits.
    pub timeout: Duration,
}

/// What the handlers share.
pub(super) struct AppState {
    /// Set once the auditor (and its model) is ready; `/readyz` answers 503 until then.
    pub auditor: OnceLock<Arc<Auditor>>,
    pub queue: AuditQueue,
    pub metrics: Metrics,
    pub limits: Limits,
    pub token_digest: Option<[u8; 32]>,
}

impl AppState {
    /// Whether `given` is the configured token. Both sides are hashed first, so the
    /// comparison takes the same time whatever the token's length and contents.
    pub fn token_matches(&self, given: &str) -> bool {
        let Some(expected) = &self.token_digest else {
            return true;
        };
        let given = token_digest(given);
        let difference = expected
            .iter()
            .zip(given.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        difference == 0
    }
}

/// The SHA-256 of a bearer token: what the state keeps and compares.
pub(super) fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
