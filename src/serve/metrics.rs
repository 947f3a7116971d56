//! Counters behind `GET /metrics`, written in the Prometheus text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram's buckets: from one short article
/// on heuristics alone to a full batch request with the model.
const LATENCY_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

#[derive(Default)]
pub(super) struct Metrics {
    /// Responses by route and status code.
    responses: Mutex<BTreeMap<(&'static str, u16), u64>>,
    articles: AtomicU64,
    sentences: AtomicU64,
    tokens: AtomicU64,
    /// Audit requests per latency bucket (not cumulative; the last one is +Inf).
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    latency_micros_sum: AtomicU64,
}

/// Gauges read when the metrics are rendered.
pub(super) struct Gauges {
    pub queue_depth: usize,
    pub queue_capacity: usize,
    pub ready: bool,
}

impl Metrics {
    pub fn count_response(&self, route: &'static str, status: u16) {
        let mut responses = self.responses.lock().unwrap_or_else(|e| e.into_inner());
        *responses.entry((route, status)).or_default() += 1;
    }

    pub fn count_audits(&self, articles: usize, sentences: usize, tokens: usize) {
        self.articles.fetch_add(articles as u64, Ordering::Relaxed);
        self.sentences
            .fetch_add(sentences as u64, Ordering::Relaxed);
        self.tokens.fetch_add(tokens as u64, Ordering::Relaxed);
    }

    pub fn observe_latency(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency_micros_sum.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "mtaudit_http_requests_total",
            "counter",
            "HTTP responses by route and status code.",
        );
        let responses = self.responses.lock().unwrap_or_else(|e| e.into_inner());
        for ((route, status), count) in responses.iter() {
            let _ = writeln!(
                out,
                "mtaudit_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        drop(responses);
        for (name, help, counter) in [
            (
                "mtaudit_articles_audited_total",
                "Articles audited.",
                &self.articles,
            ),
            (
                "mtaudit_sentences_audited_total",
                "Sentences audited.",
                &self.sentences,
            ),
            (
                "mtaudit_tokens_scored_total",
                "Tokens scored by the language model.",
                &self.tokens,
            ),
        ] {
            header(&mut out, name, "counter", help);
            let _ = writeln!(out, "{name} {}", counter.load(Ordering::Relaxed));
        }
        self.render_latency(&mut out);
        for (name, help, value) in [
            (
                "mtaudit_queue_depth",
                "Articles queued or being audited.",
                gauges.queue_depth,
            ),
            (
                "mtaudit_queue_capacity",
                "Most articles queued or being audited (--max-queue).",
                gauges.queue_capacity,
            ),
            (
                "mtaudit_ready",
                "1 once the model is loaded and audits are served.",
                usize::from(gauges.ready),
            ),
        ] {
            header(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {value}");
        }
        out
    }

    fn render_latency(&self, out: &mut String) {
        let name = "mtaudit_audit_request_duration_seconds";
        header(
            out,
            name,
            "histogram",
            "Latency of POST /v1/audit requests, whatever their status.",
        );
        let mut cumulative = 0;
        for (i, count) in self.latency_buckets.iter().enumerate() {
            cumulative += count.load(Ordering::Relaxed);
            let bound = LATENCY_BUCKETS
                .get(i)
                .map_or("+Inf".to_string(), f64::to_string);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let sum = self.latency_micros_sum.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {cumulative}");
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.observe_latency(Duration::from_millis(3));
        metrics.observe_latency(Duration::from_millis(700));
        metrics.observe_latency(Duration::from_secs(500));
        metrics.count_response("/v1/audit", 200);
        let text = metrics.render(&Gauges {
            queue_depth: 2,
            queue_capacity: 10,
            ready: true,
        });
        assert!(text.contains("mtaudit_audit_request_duration_seconds_bucket{le=\"0.005\"} 1\n"));
        assert!(text.contains("mtaudit_audit_request_duration_seconds_bucket{le=\"1\"} 2\n"));
        assert!(text.contains("mtaudit_audit_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("mtaudit_audit_request_duration_seconds_count 3\n"));
        assert!(
            text.contains("mtaudit_http_requests_total{route=\"/v1/audit\",status=\"200\"} 1\n")
        );
        assert!(text.contains("mtaudit_queue_depth 2\n"));
    }
}
