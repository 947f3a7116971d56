//! Routes, request parsing and the JSON error bodies of `mtaudit serve`.

use super::metrics::Gauges;
use super::queue::{AuditQueue, Audited};
use super::state::AppState;
use crate::data::Article;
use crate::input::{self, InputError, Record};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Seconds a client is asked to wait (`Retry-After`) when the queue is full or the
/// model is still loading.
const RETRY_AFTER_SECONDS: &str = "1";

pub(super) fn router(state: Arc<AppState>) -> Router {
    let guarded = Router::new()
        .route("/v1/audit", post(audit))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(guarded)
        .fallback(|request: Request| async move {
            ApiError::NotFound {
                path: request.uri().path().to_string(),
            }
        })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_response,
        ))
        .with_state(state)
}

/// A request the API refuses, answered as `{"error": {"code", "message"}}`.
#[derive(Debug, thiserror::Error)]
enum ApiError {
    #[error("missing or wrong bearer token (send `Authorization: Bearer <token>`)")]
    Unauthorized,
    #[error("the model is still loading; retry shortly")]
    NotReady,
    #[error("the request body exceeds {limit} bytes (--max-body-bytes)")]
    BodyTooLarge { limit: usize },
    #[error("cannot read the request body: {0}")]
    BodyUnreadable(String),
    #[error("invalid request: {0}")]
    InvalidJson(String),
    #[error("{given} articles in one request; at most {limit} are allowed (--max-articles)")]
    TooManyArticles { given: usize, limit: usize },
    #[error("the request holds an empty list of articles")]
    NoArticles,
    #[error("article {article}: `text` is empty")]
    EmptyText { article: usize },
    #[error("article {article}: `text` exceeds {limit} bytes (--max-article-bytes)")]
    ArticleTooLarge { article: usize, limit: usize },
    #[error("article {article}: {message}")]
    InvalidField { article: usize, message: String },
    #[error("the audit queue is full ({capacity} articles, --max-queue); retry later")]
    QueueFull { capacity: usize },
    #[error("the request took longer than {seconds} s (--timeout)")]
    Timeout { seconds: f64 },
    #[error("the audit failed (an internal error; see the server's log)")]
    Internal,
    #[error("no such endpoint: {path}")]
    NotFound { path: String },
    #[error("method not allowed on this endpoint")]
    MethodNotAllowed,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::NotReady => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            ApiError::BodyTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::BodyUnreadable(_) => (StatusCode::BAD_REQUEST, "unreadable_body"),
            ApiError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            ApiError::TooManyArticles { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_many_articles")
            }
            ApiError::NoArticles => (StatusCode::UNPROCESSABLE_ENTITY, "no_articles"),
            ApiError::EmptyText { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "empty_text"),
            ApiError::ArticleTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "article_too_large")
            }
            ApiError::InvalidField { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
            ApiError::QueueFull { .. } => (StatusCode::SERVICE_UNAVAILABLE, "queue_full"),
            ApiError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "timeout"),
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = serde_json::json!({"error": {"code": code, "message": self.to_string()}});
        let mut response = json_response(status, body.to_string().into_bytes());
        let headers = response.headers_mut();
        match self {
            ApiError::QueueFull { .. } | ApiError::NotReady => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                );
            }
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, br#"{"status":"ok"}"#.to_vec())
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.auditor.get().is_some() {
        json_response(StatusCode::OK, br#"{"status":"ready"}"#.to_vec())
    } else {
        let mut response = json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            br#"{"status":"loading"}"#.to_vec(),
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        response
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let text = state.metrics.render(&Gauges {
        queue_depth: state.queue.depth(),
        queue_capacity: state.queue.capacity(),
        ready: state.auditor.get().is_some(),
    });
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

async fn require_token(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or("");
    if state.token_matches(given.trim()) {
        next.run(request).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

/// Counts every response by route (unknown paths as "other", to bound the label set).
async fn count_response(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = match request.uri().path() {
        "/v1/audit" => "/v1/audit",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        _ => "other",
    };
    let response = next.run(request).await;
    state
        .metrics
        .count_response(route, response.status().as_u16());
    response
}

async fn audit(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let timeout = state.limits.timeout;
    // The whole request, body upload included (a client trickling its body holds no
    // connection past it); dropping the request at the limit skips its unstarted jobs.
    let response = match tokio::time::timeout(timeout, audit_request(&state, request)).await {
        Ok(answer) => answer.unwrap_or_else(IntoResponse::into_response),
        Err(_) => ApiError::Timeout {
            seconds: timeout.as_secs_f64(),
        }
        .into_response(),
    };
    state.metrics.observe_latency(started.elapsed());
    response
}

/// Sets its flag when dropped: when a request ends (answered, timed out, or its client
/// gone), its jobs that have not started yet are skipped.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

async fn audit_request(state: &Arc<AppState>, request: Request) -> Result<Response, ApiError> {
    let auditor = state.auditor.get().cloned().ok_or(ApiError::NotReady)?;
    let limits = state.limits;
    let body = read_body(request, limits.max_body_bytes).await?;
    let (records, is_list) = parse_records(&body)?;
    if records.len() > limits.max_articles {
        return Err(ApiError::TooManyArticles {
            given: records.len(),
            limit: limits.max_articles,
        });
    }
    let articles = to_articles(records, limits.max_article_bytes)?;
    let slots = state
        .queue
        .reserve(articles.len())
        .ok_or(ApiError::QueueFull {
            capacity: state.queue.capacity(),
        })?;
    let cancel = CancelOnDrop(Arc::new(AtomicBool::new(false)));
    let receivers: Vec<_> = articles
        .into_iter()
        .zip(slots)
        .map(|(article, slot)| AuditQueue::submit(auditor.clone(), article, slot, cancel.0.clone()))
        .collect();
    let mut audited = Vec::with_capacity(receivers.len());
    for receiver in receivers {
        audited.push(
            receiver
                .await
                .map_err(|_| ApiError::Internal)?
                .map_err(|_| ApiError::Internal)?,
        );
    }
    state.metrics.count_audits(
        audited.len(),
        audited.iter().map(|a| a.sentences).sum(),
        audited.iter().map(|a| a.tokens).sum(),
    );
    Ok(json_response(StatusCode::OK, report_body(audited, is_list)))
}

async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    // Refused before reading a byte when the client says how much it will send.
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::BodyTooLarge { limit });
    }
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|e| {
            let cause = e.into_inner();
            if cause.is::<http_body_util::LengthLimitError>() {
                ApiError::BodyTooLarge { limit }
            } else {
                ApiError::BodyUnreadable(cause.to_string())
            }
        })
}

/// One article object, or a list of them; `true` for a list (answered with a list).
fn parse_records(body: &[u8]) -> Result<(Vec<Record>, bool), ApiError> {
    let is_list = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let parsed = if is_list {
        serde_json::from_slice::<Vec<Record>>(body)
    } else {
        serde_json::from_slice::<Record>(body).map(|record| vec![record])
    };
    let records = parsed.map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    Ok((records, is_list))
}

/// Articles from request records: the source of article N (from 1) is `request:N`, and
/// one without an id is called `item-N`.
fn to_articles(records: Vec<Record>, max_article_bytes: usize) -> Result<Vec<Article>, ApiError> {
    if records.is_empty() {
        return Err(ApiError::NoArticles);
    }
    records
        .into_iter()
        .enumerate()
        .map(|(index, record)| {
            let article = index + 1;
            input::record_to_article(
                record,
                format!("request:{article}"),
                || format!("item-{article}"),
                max_article_bytes,
            )
            .map_err(|e| match e {
                InputError::Empty { .. } => ApiError::EmptyText { article },
                InputError::TooLarge { limit, .. } => ApiError::ArticleTooLarge { article, limit },
                InputError::MalformedRecord { message, .. } => {
                    ApiError::InvalidField { article, message }
                }
                other => ApiError::InvalidField {
                    article,
                    message: other.to_string(),
                },
            })
        })
        .collect()
}

/// The reports as one JSON document: the object, or a list in request order.
fn report_body(audited: Vec<Audited>, is_list: bool) -> Vec<u8> {
    if !is_list {
        return audited
            .into_iter()
            .next()
            .map(|a| a.json)
            .unwrap_or_default();
    }
    let mut body = Vec::with_capacity(audited.iter().map(|a| a.json.len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, report) in audited.into_iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&report.json);
    }
    body.push(b']');
    body
}
