//! A minimal Chrome DevTools Protocol client for the HTML report's browser test.
//!
//! Chromium is started headless with `--remote-debugging-pipe`: it reads CDP commands
//! from file descriptor 3 and writes replies and events to descriptor 4, each message a
//! JSON object followed by a NUL byte. No WebSocket, no network, no extra crates beyond
//! `libc` for placing the pipes on those descriptors.

use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// The Chromium binary: `$CHROMIUM`, or the first of the usual names on the `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A pipe as (read end, write end), both closed on exec.
fn pipe() -> (File, File) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills both descriptors on success; each is then owned by one File.
    unsafe {
        assert_eq!(
            libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC),
            0,
            "pipe: {}",
            std::io::Error::last_os_error()
        );
        (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1]))
    }
}

pub struct Browser {
    child: Child,
    to_browser: File,
    replies: Receiver<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts headless Chromium with a fresh profile and opens one page.
    pub fn launch(chromium: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile folder");
        let (browser_reads, to_browser) = pipe();
        let (from_browser, browser_writes) = pipe();
        let (read_fd, write_fd) = (browser_reads.as_raw_fd(), browser_writes.as_raw_fd());
        let mut command = Command::new(chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-pipe",
                "--window-size=1400,1000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: between fork and exec only async-signal-safe calls (fcntl, dup2) run.
        // The pipe ends are first copied above 9, so that moving them to 3 and 4 cannot
        // close one with the other; dup2 clears close-on-exec on the copies it makes.
        unsafe {
            command.pre_exec(move || {
                let read_copy = libc::fcntl(read_fd, libc::F_DUPFD, 10);
                let write_copy = libc::fcntl(write_fd, libc::F_DUPFD, 10);
                if read_copy < 0
                    || write_copy < 0
                    || libc::dup2(read_copy, 3) < 0
                    || libc::dup2(write_copy, 4) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("chromium starts");
        drop((browser_reads, browser_writes));

        let (sender, replies) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from_browser);
            let mut message = Vec::new();
            while matches!(reader.read_until(0, &mut message), Ok(n) if n > 0) {
                if message.last() == Some(&0) {
                    message.pop();
                }
                if let Ok(value) = serde_json::from_slice::<Value>(&message) {
                    if sender.send(value).is_err() {
                        break;
                    }
                }
                message.clear();
            }
        });

        let mut browser = Browser {
            child,
            to_browser,
            replies,
            next_id: 0,
            session: String::new(),
            _profile: profile,
        };
        let target = browser.browser_call("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = browser.browser_call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        browser.call("Page.enable", json!({}));
        browser.call("Runtime.enable", json!({}));
        browser
    }

    fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::String(session);
        }
        let mut bytes = serde_json::to_vec(&message).expect("serialisable");
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .expect("chromium reads commands");
        let deadline = Instant::now() + REPLY_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.replies.recv_timeout(left) {
                Ok(reply) if reply["id"].as_u64() == Some(id) => {
                    assert!(
                        reply.get("error").is_none(),
                        "{method} failed: {}",
                        reply["error"]
                    );
                    return reply["result"].clone();
                }
                Ok(_event) => continue,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no reply to {method} within {REPLY_TIMEOUT:?}")
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("chromium closed the pipe during {method}")
                }
            }
        }
    }

    fn browser_call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    /// A command to the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session))
    }

    /// Evaluates `expression` in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression} threw: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Opens `path` and waits until the page has loaded; returns the wall time that took.
    pub fn open(&mut self, path: &Path) -> Duration {
        let url = format!("file://{}", path.display());
        let started = Instant::now();
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for(&format!(
            "document.readyState === 'complete' && location.href === {}",
            json!(url)
        ));
        started.elapsed()
    }

    /// Polls `condition` until it is true, for up to 30 seconds.
    pub fn wait_for(&mut self, condition: &str) {
        let deadline = Instant::now() + REPLY_TIMEOUT;
        while self.eval(condition) != Value::Bool(true) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {condition}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A real mouse click in the middle of the first element matching `selector`.
    pub fn click(&mut self, selector: &str) {
        let rect = self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.scrollIntoView({{block: 'center'}}); \
             const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()",
            json!(selector)
        ));
        let (x, y) = (rect[0].as_f64().expect("x"), rect[1].as_f64().expect("y"));
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// A key press as the keyboard would send it (a printable character).
    pub fn press(&mut self, key: &str) {
        let code = key
            .chars()
            .next()
            .map_or(0, |c| c.to_ascii_uppercase() as u32);
        self.call(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyDown", "key": key, "text": key, "windowsVirtualKeyCode": code }),
        );
        self.call(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyUp", "key": key, "windowsVirtualKeyCode": code }),
        );
    }

    /// A PNG of the viewport, base64-encoded as the protocol returns it.
    pub fn screenshot_base64(&mut self) -> String {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        shot["data"].as_str().expect("screenshot data").to_string()
    }

    /// Lets the page's downloads through, saved in `dir` under the names the page gives.
    pub fn allow_downloads(&mut self, dir: &Path) {
        self.browser_call(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": dir }),
        );
    }

    /// Types `text` into the focused element.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({ "text": text }));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
