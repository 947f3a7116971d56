//! `mtaudit serve`: audits over HTTP with the model loaded once.
//!
//! Handlers run on a small tokio runtime and only parse, queue and answer; the audits
//! themselves run on rayon's global pool (`queue.rs`), the same pool the batch command
//! uses, so that concurrent requests share the cores the way a batch run's articles do.
//! The API is described in `docs/openapi.json`.

mod api;
mod metrics;
mod queue;
mod state;

use state::AppState;
pub use state::Limits;

use crate::audit::Auditor;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

/// Default of `--max-body-bytes`. (This and the three below are the defaults of the
/// flags behind [`Limits`].)
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Default of `--max-articles`: articles in one request.
pub const DEFAULT_MAX_ARTICLES: usize = 100;
/// Default of `--max-queue`: articles queued or being audited, all requests together.
pub const DEFAULT_MAX_QUEUE: usize = 1000;
/// Default of `--timeout`, in seconds: how long a request may take.
pub const DEFAULT_TIMEOUT_SECONDS: f64 = 300.0;

/// Where and how the server listens.
pub struct ServeConfig {
    /// The address and port to listen on.
    pub addr: SocketAddr,
    /// Bearer token every endpoint but `/healthz` then requires.
    pub token: Option<String>,
    /// What one request, and the queue, may hold.
    pub limits: Limits,
}

/// Why the server could not start, or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is not a loopback address and no token guards the endpoints.
    #[error("refusing to listen on {0}, which is not a loopback address, without --token-file")]
    PublicWithoutToken(IpAddr),
    /// A request could never fit: the queue is smaller than one request's articles.
    #[error("--max-queue ({queue}) must be at least --max-articles ({articles})")]
    QueueBelowRequest {
        /// `--max-queue`.
        queue: usize,
        /// `--max-articles`.
        articles: usize,
    },
    /// The token file is empty or only white space.
    #[error("the token file holds no token")]
    EmptyToken,
    /// The async runtime could not be built.
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
    /// The address could not be bound (in use, or not this machine's).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The listener or the HTTP server failed while serving.
    #[error("server failed: {0}")]
    Server(std::io::Error),
    /// Building the auditor failed (loading the model); the message is `prepare`'s.
    #[error("{0}")]
    Prepare(PrepareError),
}

/// Why `serve`'s `prepare` could not build the auditor.
pub type PrepareError = Box<dyn std::error::Error + Send + Sync>;

/// Listens on `config.addr`, prints the address (`mtaudit: listening on http://...`) on
/// stderr, builds the auditor with `prepare` (loading the model) while already
/// answering `/healthz` and `/readyz`, and serves until SIGTERM or Ctrl-C, then finishes
/// the requests in flight and returns.
pub fn serve<F>(config: ServeConfig, prepare: F) -> Result<(), ServeError>
where
    F: FnOnce() -> Result<Auditor, PrepareError> + Send + 'static,
{
    if config.token.is_none() && !config.addr.ip().is_loopback() {
        return Err(ServeError::PublicWithoutToken(config.addr.ip()));
    }
    let limits = config.limits;
    if limits.max_queue < limits.max_articles {
        return Err(ServeError::QueueBelowRequest {
            queue: limits.max_queue,
            articles: limits.max_articles,
        });
    }
    let token_digest = match config.token.as_deref().map(str::trim) {
        Some("") => return Err(ServeError::EmptyToken),
        Some(token) => Some(state::token_digest(token)),
        None => None,
    };
    let state = Arc::new(AppState {
        auditor: OnceLock::new(),
        queue: queue::AuditQueue::new(limits.max_queue),
        metrics: metrics::Metrics::default(),
        limits,
        token_digest,
    });
    // Two threads are plenty: handlers only parse, queue and copy bytes.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("mtaudit-http")
        .enable_io()
        .enable_time()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(run(config.addr, state, prepare))
}

/// Why the server stops.
enum Stop {
    Signal(&'static str),
    PrepareFailed(PrepareError),
}

async fn run<F>(addr: SocketAddr, state: Arc<AppState>, prepare: F) -> Result<(), ServeError>
where
    F: FnOnce() -> Result<Auditor, PrepareError> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(ServeError::Server)?;
    eprintln!("mtaudit: listening on http://{local}");

    let (stop_tx, mut stop_rx) = tokio::sync::mpsc::channel::<Stop>(4);
    let loading = state.clone();
    let failed = stop_tx.clone();
    tokio::task::spawn_blocking(move || match prepare() {
        Ok(auditor) => {
            let _ = loading.auditor.set(Arc::new(auditor));
            eprintln!("mtaudit: ready");
        }
        Err(error) => {
            let _ = failed.blocking_send(Stop::PrepareFailed(error));
        }
    });
    spawn_signal_listeners(stop_tx);

    let failure = Arc::new(std::sync::Mutex::new(None));
    let failure_seen = failure.clone();
    let shutdown = async move {
        match stop_rx.recv().await {
            Some(Stop::Signal(name)) => {
                eprintln!("mtaudit: {name}: finishing the requests in flight");
            }
            Some(Stop::PrepareFailed(error)) => {
                *failure_seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
            }
            None => {}
        }
    };
    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServeError::Server)?;
    let failure = failure.lock().unwrap_or_else(|e| e.into_inner()).take();
    match failure {
        Some(error) => Err(ServeError::Prepare(error)),
        None => Ok(()),
    }
}

fn spawn_signal_listeners(stop: tokio::sync::mpsc::Sender<Stop>) {
    let interrupted = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = interrupted.send(Stop::Signal("interrupted")).await;
        }
    });
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            terminate.recv().await;
            let _ = stop.send(Stop::Signal("SIGTERM")).await;
        }
    });
}
