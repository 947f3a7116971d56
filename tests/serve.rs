//! End-to-end tests of `mtaudit serve`: a child process on a free port, a real HTTP
//! client, and every response checked against docs/openapi.json.

mod support;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::SAMPLES;

const OPENAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");
const SHORT_GERMAN: &str = "Die Bundesregierung hat am Mittwoch einen neuen Haushalt beschlossen. \
    Der Finanzminister sprach von einem soliden Plan für die kommenden Jahre.\n";

/// A running `mtaudit serve`, killed when dropped (a failing test leaves no server).
struct Server {
    child: Child,
    base: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Self::start_with_env(args, &[])
    }

    fn start_with_env(args: &[&str], env: &[(&str, &Path)]) -> Server {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("mtaudit"));
        command
            .args(["serve", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("mtaudit starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = stderr.clone();
        // Keeps reading after the address line: a full pipe would block the server.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("mtaudit: listening on ") {
                    let _ = address_tx.send(address.to_string());
                }
                log.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            stderr,
        };
        match address_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => server.base = base,
            Err(_) => panic!("no address printed; stderr: {}", server.log()),
        }
        server
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits (polling /readyz) until the auditor is ready; returns the statuses seen.
    fn wait_ready(&self, client: &Client) -> Vec<u16> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            let reply = client.get(&self.url("/readyz"));
            seen.push(reply.status);
            if reply.status == 200 {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("not ready in time: {seen:?}; stderr: {}", self.log());
    }

    /// `mtaudit_queue_depth` from /metrics.
    fn queue_depth(&self, client: &Client) -> usize {
        metric(
            &client.get(&self.url("/metrics")).text,
            "mtaudit_queue_depth",
        ) as usize
    }

    fn terminate(&self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    retry_after: Option<String>,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap().to_string()
    }

    fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// An HTTP client whose every reply is checked against the OpenAPI document.
#[derive(Clone)]
struct Client {
    agent: ureq::Agent,
    token: Option<String>,
    openapi: Arc<Value>,
}

impl Client {
    fn new() -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build();
        let openapi = serde_json::from_slice(&std::fs::read(OPENAPI).unwrap()).unwrap();
        Client {
            agent: ureq::Agent::new_with_config(config),
            token: None,
            openapi: Arc::new(openapi),
        }
    }

    fn with_token(&self, token: &str) -> Client {
        Client {
            token: Some(token.to_string()),
            ..self.clone()
        }
    }

    fn get(&self, url: &str) -> Reply {
        let mut request = self.agent.get(url);
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        self.checked("get", url, request.call())
    }

    fn post(&self, url: &str, body: impl AsRef<[u8]>) -> Reply {
        let mut request = self.agent.post(url).content_type("application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        self.checked("post", url, request.send(body.as_ref()))
    }

    fn checked(
        &self,
        method: &str,
        url: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Reply {
        let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .unwrap();
        let reply = Reply {
            status,
            retry_after,
            text,
        };
        let path = url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap();
        check_against_openapi(&self.openapi, method, &path, &reply);
        reply
    }
}

/// The documented response for `method path status` exists, and a JSON body has what its
/// schema requires (types, required properties, enums; `oneOf` as any of).
fn check_against_openapi(openapi: &Value, method: &str, path: &str, reply: &Reply) {
    let Some(operation) = openapi["paths"].get(path).and_then(|p| p.get(method)) else {
        // Documented once for all: unknown paths 404, other methods 405, an Error body.
        let expected = if openapi["paths"].get(path).is_some() {
            405
        } else {
            404
        };
        assert_eq!(reply.status, expected, "{method} {path}: {}", reply.text);
        let error = json!({"$ref": "#/components/schemas/Error"});
        return conforms(openapi, &error, &reply.json()).unwrap();
    };
    let status = reply.status.to_string();
    let response = operation["responses"]
        .get(&status)
        .unwrap_or_else(|| panic!("{method} {path} → {status} is not documented"));
    if let Some(schema) = response.pointer("/content/application~1json/schema") {
        let body = reply.json();
        if let Err(problem) = conforms(openapi, schema, &body) {
            panic!("{method} {path} → {status}: {problem}\n{}", reply.text);
        }
    }
    if response.pointer("/headers/Retry-After").is_some() {
        assert!(
            reply.retry_after.is_some(),
            "{method} {path} → {status}: no Retry-After"
        );
    }
}

fn conforms(openapi: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = openapi.pointer(reference.trim_start_matches('#')).unwrap();
        return conforms(openapi, target, value);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        return match options.iter().any(|s| conforms(openapi, s, value).is_ok()) {
            true => Ok(()),
            false => Err(format!("matches none of oneOf: {value}")),
        };
    }
    let type_ok = match schema["type"].as_str() {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some(other) => return Err(format!("unknown type {other}")),
    };
    if !type_ok {
        return Err(format!("{value} is not of type {}", schema["type"]));
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{value} is not one of {allowed:?}"));
        }
    }
    for name in schema["required"].as_array().into_iter().flatten() {
        if value.get(name.as_str().unwrap()).is_none() {
            return Err(format!("required property {name} missing"));
        }
    }
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            if let Some(present) = value.get(name) {
                conforms(openapi, property, present).map_err(|e| format!("{name}: {e}"))?;
            }
        }
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        for item in values {
            conforms(openapi, items, item)?;
        }
    }
    Ok(())
}

fn metric(exposition: &str, name: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in\n{exposition}"))
        .parse()
        .unwrap()
}

fn samples() -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(SAMPLES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// `mtaudit audit --format jsonl` over `records` as a JSON Lines file: reports by id.
fn batch_reports(records: &[Value], extra: &[&str], env: &[(&str, &Path)]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    std::fs::write(&feed, lines.join("\n") + "\n").unwrap();
    let output = Command::new(assert_cmd::cargo::cargo_bin("mtaudit"))
        .args(["audit", "--format", "jsonl", "--exit-zero", "--quiet"])
        .args(extra)
        .arg(&feed)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A report without the fields that name where the article came from: `source`
/// (`request:N` here, `path:line` in a batch) and `fingerprint`, which hashes it.
fn without_origin(mut report: Value) -> Value {
    let object = report.as_object_mut().unwrap();
    object.remove("source");
    object.remove("fingerprint");
    report
}

/// An article of about `bytes` bytes (the samples repeated): long enough that its audit
/// takes a noticeable time on heuristics alone.
fn long_article(id: &str, bytes: usize) -> Value {
    let samples = samples().join("\n");
    let text = samples.repeat(bytes / samples.len() + 1);
    json!({"id": id, "text": text})
}

#[test]
fn fifty_concurrent_requests_get_the_batch_reports() {
    let server = Server::start(&["--no-lm"]);
    let client = Client::new();
    server.wait_ready(&client);
    let texts = samples();
    let records: Vec<Value> = (0..50)
        .map(|i| json!({"id": format!("a{i}"), "text": texts[i % texts.len()]}))
        .collect();
    let threads: Vec<_> = records
        .iter()
        .map(|record| {
            let (client, url, body) = (client.clone(), server.url("/v1/audit"), record.to_string());
            std::thread::spawn(move || client.post(&url, body))
        })
        .collect();
    let served: Vec<Value> = threads
        .into_iter()
        .map(|t| {
            let reply = t.join().unwrap();
            assert_eq!(reply.status, 200, "{}", reply.text);
            reply.json()
        })
        .collect();
    let batch = batch_reports(&records, &["--no-lm"], &[]);
    assert_eq!(batch.len(), 50);
    for (i, (served, batch)) in served.into_iter().zip(batch).enumerate() {
        assert_eq!(served["source"], "request:1");
        assert_eq!(
            without_origin(served),
            without_origin(batch),
            "article a{i}"
        );
    }
    let metrics = client.get(&server.url("/metrics")).text;
    assert_eq!(metric(&metrics, "mtaudit_articles_audited_total"), 50.0);
    assert!(
        metrics.contains("mtaudit_http_requests_total{route=\"/v1/audit\",status=\"200\"} 50\n")
    );
    assert_eq!(
        metric(&metrics, "mtaudit_audit_request_duration_seconds_count"),
        50.0
    );
}

#[test]
fn a_list_is_answered_with_a_list_in_request_order() {
    let server = Server::start(&["--no-lm", "--fail-under", "99"]);
    let client = Client::new();
    server.wait_ready(&client);
    let texts = samples();
    let records = vec![
        json!({"id": 7, "text": texts[2], "title": "Zwei"}),
        json!({"text": SHORT_GERMAN, "lang": "de"}),
        json!({"id": "last", "text": texts[0]}),
    ];
    let reply = client.post(
        &server.url("/v1/audit"),
        Value::from(records.clone()).to_string(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let served = reply.json();
    let served = served.as_array().unwrap();
    let ids: Vec<&str> = served.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["7", "item-2", "last"]);
    let sources: Vec<&str> = served
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["request:1", "request:2", "request:3"]);
    assert_eq!(served[1]["lang_source"], "input");
    // The gate flags apply: the garbled sample fails under --fail-under 99.
    assert_eq!(served[0]["gate"]["passed"], false);
    let batch = batch_reports(&records, &["--no-lm", "--fail-under", "99"], &[]);
    for (served, batch) in served.iter().zip(batch) {
        let mut batch = batch;
        if batch["id"] == "line-2" {
            batch["id"] = "item-2".into(); // ids default to the position
        }
        assert_eq!(without_origin(served.clone()), without_origin(batch));
    }
}

#[test]
fn health_readiness_metrics_and_unknown_routes() {
    let server = Server::start(&["--no-lm"]);
    let client = Client::new();
    assert_eq!(
        client.get(&server.url("/healthz")).json(),
        json!({"status": "ok"})
    );
    server.wait_ready(&client);
    assert_eq!(
        client.get(&server.url("/readyz")).json(),
        json!({"status": "ready"})
    );
    let metrics = client.get(&server.url("/metrics")).text;
    for name in [
        "mtaudit_articles_audited_total",
        "mtaudit_sentences_audited_total",
        "mtaudit_tokens_scored_total",
        "mtaudit_queue_depth",
        "mtaudit_queue_capacity",
        "mtaudit_ready",
    ] {
        metric(&metrics, name);
    }
    assert!(metrics.contains("# TYPE mtaudit_audit_request_duration_seconds histogram\n"));
    assert_eq!(metric(&metrics, "mtaudit_ready"), 1.0);
    let missing = client.get(&server.url("/v2/audit"));
    assert_eq!(
        (missing.status, missing.error_code().as_str()),
        (404, "not_found")
    );
    let wrong_method = client.get(&server.url("/v1/audit"));
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.error_code(), "method_not_allowed");
    let metrics = client.get(&server.url("/metrics")).text;
    assert!(metrics.contains("mtaudit_http_requests_total{route=\"other\",status=\"404\"} 1\n"));
    assert!(metrics.contains("mtaudit_http_requests_total{route=\"/healthz\",status=\"200\"} 1\n"));
}

#[test]
fn malformed_requests_name_the_problem() {
    let server = Server::start(&["--no-lm"]);
    let client = Client::new();
    server.wait_ready(&client);
    let url = server.url("/v1/audit");
    let cases: [(&str, u16, &str, &str); 8] = [
        (
            "{\"id\": \"a\",\n \"text\": ",
            400,
            "invalid_json",
            "line 2 column",
        ),
        (
            r#"{"id": "a", "text": "Hallo.", "body": "x"}"#,
            400,
            "invalid_json",
            "unknown field `body`",
        ),
        (
            r#"{"id": "a", "text": 5}"#,
            400,
            "invalid_json",
            "invalid type: integer `5`",
        ),
        (
            r#"{"id": "a"}"#,
            400,
            "invalid_json",
            "missing field `text`",
        ),
        (
            r#"[{"id": "a", "text": "Hallo."}, {"id": "b", "text": " \n"}]"#,
            422,
            "empty_text",
            "article 2: `text` is empty",
        ),
        (
            r#"{"id": "a", "text": "Hallo.", "lang": "xx"}"#,
            422,
            "invalid_field",
            "article 1: `lang`: unknown language \"xx\"",
        ),
        (
            r#"{"id": true, "text": "Hallo."}"#,
            422,
            "invalid_field",
            "`id` must be a string or a number",
        ),
        ("[]", 422, "no_articles", "empty list"),
    ];
    for (body, status, code, message) in cases {
        let reply = client.post(&url, body);
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        assert_eq!(reply.error_code(), code, "{body}");
        assert!(
            reply.error_message().contains(message),
            "{body}: {}",
            reply.text
        );
    }
}

#[test]
fn size_limits_answer_413() {
    let server = Server::start(&[
        "--no-lm",
        "--max-body-bytes",
        "4000",
        "--max-articles",
        "2",
        "--max-article-bytes",
        "300",
    ]);
    let client = Client::new();
    server.wait_ready(&client);
    let url = server.url("/v1/audit");
    let big_body = json!({"id": "a", "text": "Hallo Welt. ".repeat(500)}).to_string();
    let reply = client.post(&url, big_body);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (413, "payload_too_large")
    );
    assert!(reply
        .error_message()
        .contains("4000 bytes (--max-body-bytes)"));
    let three = json!([{"text": "Eins."}, {"text": "Zwei."}, {"text": "Drei."}]).to_string();
    let reply = client.post(&url, three);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (413, "too_many_articles")
    );
    assert!(reply.error_message().contains("3 articles"));
    let long = json!({"id": "a", "text": "Hallo Welt. ".repeat(30)}).to_string();
    let reply = client.post(&url, long);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (413, "article_too_large")
    );
    assert!(reply
        .error_message()
        .contains("article 1: `text` exceeds 300 bytes"));
    assert_eq!(
        client
            .post(&url, json!({"text": SHORT_GERMAN}).to_string())
            .status,
        200
    );
}

/// Posts four 1 MB articles (seconds of work on `-j 1`) from another thread and returns
/// once the server has queued them.
fn send_slow_request(server: &Server, client: &Client) -> std::thread::JoinHandle<Reply> {
    let slow: Value = (0..4)
        .map(|i| long_article(&format!("slow{i}"), 1_000_000))
        .collect();
    let request = {
        let (client, url) = (client.clone(), server.url("/v1/audit"));
        std::thread::spawn(move || client.post(&url, slow.to_string()))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.queue_depth(client) == 0 {
        assert!(Instant::now() < deadline, "the slow request never queued");
        std::thread::sleep(Duration::from_millis(5));
    }
    request
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let server = Server::start(&[
        "--no-lm",
        "-j",
        "1",
        "--max-queue",
        "4",
        "--max-articles",
        "4",
    ]);
    let client = Client::new();
    server.wait_ready(&client);
    let url = server.url("/v1/audit");
    let slow_request = send_slow_request(&server, &client);
    // Four more articles cannot fit while any of the slow ones is still queued.
    let four: Value = (0..4)
        .map(|i| json!({"id": i, "text": SHORT_GERMAN}))
        .collect();
    let reply = client.post(&url, four.to_string());
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (503, "queue_full")
    );
    assert_eq!(reply.retry_after.as_deref(), Some("1"));
    let slow_reply = slow_request.join().unwrap();
    assert_eq!(slow_reply.status, 200);
    assert_eq!(slow_reply.json().as_array().unwrap().len(), 4);
    assert_eq!(server.queue_depth(&client), 0);
}

#[test]
fn slow_audits_time_out_with_504() {
    let server = Server::start(&["--no-lm", "-j", "1", "--timeout", "0.05"]);
    let client = Client::new();
    server.wait_ready(&client);
    let slow: Value = (0..3)
        .map(|i| long_article(&format!("slow{i}"), 1_000_000))
        .collect();
    let reply = client.post(&server.url("/v1/audit"), slow.to_string());
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (504, "timeout")
    );
    assert!(reply
        .error_message()
        .contains("longer than 0.05 s (--timeout)"));
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits_0() {
    let mut server = Server::start(&["--no-lm", "-j", "1"]);
    let client = Client::new();
    server.wait_ready(&client);
    let in_flight = send_slow_request(&server, &client);
    server.terminate();
    let reply = in_flight.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json().as_array().unwrap().len(), 4);
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {}", server.log());
    assert!(server
        .log()
        .contains("SIGTERM: finishing the requests in flight"));
    let refused = client.agent.get(&server.url("/healthz")).call();
    assert!(refused.is_err(), "still listening after exit");
}

#[test]
fn a_token_guards_every_endpoint_but_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret-token\n").unwrap();
    let server = Server::start(&["--no-lm", "--token-file", token_file.to_str().unwrap()]);
    let anonymous = Client::new();
    let wrong = anonymous.with_token("s3cret-tokeN");
    let right = anonymous.with_token("s3cret-token");
    assert_eq!(anonymous.get(&server.url("/healthz")).status, 200);
    server.wait_ready(&right);
    for client in [&anonymous, &wrong] {
        for path in ["/readyz", "/metrics"] {
            let reply = client.get(&server.url(path));
            assert_eq!(
                (reply.status, reply.error_code().as_str()),
                (401, "unauthorized")
            );
        }
        let reply = client.post(
            &server.url("/v1/audit"),
            json!({"text": SHORT_GERMAN}).to_string(),
        );
        assert_eq!(reply.status, 401);
    }
    assert_eq!(right.get(&server.url("/metrics")).status, 200);
    let reply = right.post(
        &server.url("/v1/audit"),
        json!({"text": SHORT_GERMAN}).to_string(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn a_public_address_needs_a_token() {
    let output = Command::new(assert_cmd::cargo::cargo_bin("mtaudit"))
        .args(["serve", "--no-lm", "--port", "0", "--bind", "0.0.0.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a loopback address, without --token-file"),
        "{stderr}"
    );
}

#[test]
fn with_the_model_readiness_follows_loading_and_reports_match_the_batch() {
    let Some(model) = std::env::var_os("MTAUDIT_MODEL") else {
        eprintln!("skipped: set MTAUDIT_MODEL to a GGUF model to run this test");
        return;
    };
    assert!(Path::new(&model).exists());
    // Separate score caches: both sides score the text themselves.
    let (serve_home, batch_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = Server::start_with_env(&[], &[("MTAUDIT_HOME", serve_home.path())]);
    let client = Client::new();
    let record = json!({"id": "kurz", "text": SHORT_GERMAN});
    let early = client.post(&server.url("/v1/audit"), record.to_string());
    assert_eq!(
        (early.status, early.error_code().as_str()),
        (503, "not_ready")
    );
    assert_eq!(early.retry_after.as_deref(), Some("1"));
    let seen = server.wait_ready(&client);
    // The address is printed before the model loads (about 2 s): not ready at first.
    assert_eq!(seen.first(), Some(&503), "{seen:?}");
    assert!(seen.iter().all(|&s| s == 503 || s == 200), "{seen:?}");
    let reply = client.post(&server.url("/v1/audit"), record.to_string());
    assert_eq!(reply.status, 200, "{}", reply.text);
    let served = reply.json();
    assert!(served["evidence"]["language_model"].is_object());
    let tokens = served["tokens"].as_array().unwrap().len();
    assert!(tokens > 10);
    let batch = batch_reports(&[record], &[], &[("MTAUDIT_HOME", batch_home.path())]);
    assert_eq!(without_origin(served), without_origin(batch[0].clone()));
    let metrics = client.get(&server.url("/metrics")).text;
    assert_eq!(
        metric(&metrics, "mtaudit_tokens_scored_total"),
        tokens as f64
    );
}

#[test]
fn a_model_that_cannot_load_stops_the_server_with_exit_2() {
    let output = Command::new(assert_cmd::cargo::cargo_bin("mtaudit"))
        .args([
            "serve",
            "--port",
            "0",
            "--offline",
            "--model",
            "/nonexistent/model.gguf",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mtaudit: listening on "), "{stderr}");
    assert!(stderr.contains("/nonexistent/model.gguf"), "{stderr}");
}
