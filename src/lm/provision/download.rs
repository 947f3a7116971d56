//! Resumable, verified HTTP downloads.
//!
//! A download goes to `<dest>.partial` first; an interrupted one resumes with a Range
//! request next time. The file is renamed to `dest` only once its size and SHA-256 match,
//! so `dest` never holds unverified bytes.

use super::error::{sha256_file, ProvisionError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::{self, File, OpenOptions};
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;
use ureq::tls::{RootCerts, TlsConfig};
use ureq::Agent;

/// What a download must turn out to be.
pub(super) struct Expected<'a> {
    pub size: u64,
    pub sha256: &'a str,
}

pub(super) struct Downloader {
    agent: Agent,
    show_progress: bool,
}

/// How the server answered a request for the rest of a partial file.
enum Resumption {
    /// The body starts at the partial file's end.
    Append,
    /// The body is the whole file (no partial data, or the server ignored Range).
    Restart,
}

impl Downloader {
    pub fn new(connect_timeout: Duration, read_timeout: Duration, quiet: bool) -> Self {
        // The platform verifier reads the system's CA store, so a corporate or sandbox
        // CA the administrator installed is trusted as it is by curl and browsers.
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::PlatformVerifier)
            .build();
        let agent: Agent = Agent::config_builder()
            .tls_config(tls)
            .timeout_resolve(Some(connect_timeout))
            .timeout_connect(Some(connect_timeout))
            .timeout_recv_response(Some(read_timeout))
            .timeout_per_read(Some(read_timeout))
            .http_status_as_error(false)
            .user_agent(concat!("mtaudit/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Downloader {
            agent,
            show_progress: !quiet && io::stderr().is_terminal(),
        }
    }

    /// Downloads `url` to `dest` (whose directory must exist), resuming an earlier
    /// partial download, and verifies it. `label` names the file on the progress bar.
    pub fn fetch(
        &self,
        url: &str,
        label: &str,
        dest: &Path,
        expected: &Expected<'_>,
    ) -> Result<(), ProvisionError> {
        let partial = partial_path(dest);
        // Resumed data that turns out corrupt is discarded once, and the file fetched whole.
        let mut from_scratch = false;
        loop {
            let mut have = file_len(&partial)?;
            if have > expected.size || from_scratch {
                remove_if_present(&partial)?;
                have = 0;
            }
            if have < expected.size {
                self.transfer(url, label, &partial, have, expected.size)?;
            }
            let actual_size = file_len(&partial)?;
            let actual_sha = sha256_file(&partial)?;
            if actual_size == expected.size && actual_sha == expected.sha256 {
                return fs::rename(&partial, dest).map_err(|cause| ProvisionError::Io {
                    action: "move the finished download to",
                    path: dest.to_owned(),
                    cause,
                });
            }
            if have == 0 {
                remove_if_present(&partial)?;
                return Err(if actual_size != expected.size {
                    ProvisionError::SizeMismatch {
                        what: url.to_owned(),
                        expected: expected.size,
                        actual: actual_size,
                    }
                } else {
                    ProvisionError::ChecksumMismatch {
                        what: url.to_owned(),
                        expected: expected.sha256.to_owned(),
                        actual: actual_sha,
                    }
                });
            }
            from_scratch = true;
        }
    }

    /// Appends the rest of `url` from byte `have` to `partial`, or rewrites it whole if
    /// the server does not honour the Range request.
    fn transfer(
        &self,
        url: &str,
        label: &str,
        partial: &Path,
        have: u64,
        total: u64,
    ) -> Result<(), ProvisionError> {
        let http_error = |cause| ProvisionError::Http {
            url: url.to_owned(),
            cause: Box::new(cause),
        };
        let mut request = self.agent.get(url);
        if have > 0 {
            request = request.header("Range", format!("bytes={have}-"));
        }
        let response = request.call().map_err(http_error)?;
        let status = response.status().as_u16();
        let content_range = response
            .headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok());
        let resumption = match status {
            200 => Resumption::Restart,
            206 if content_range.is_some_and(|v| v.starts_with(&format!("bytes {have}-"))) => {
                Resumption::Append
            }
            // The server cannot serve the requested range (the partial file is not a
            // prefix of what it has): drop the partial data and fetch the file whole.
            206 | 416 if have > 0 => {
                drop(response);
                remove_if_present(partial)?;
                return self.transfer(url, label, partial, 0, total);
            }
            _ => {
                return Err(ProvisionError::HttpStatus {
                    url: url.to_owned(),
                    status,
                })
            }
        };
        let (mut file, start) = match resumption {
            Resumption::Append => (open_partial(partial, true)?, have),
            Resumption::Restart => (open_partial(partial, false)?, 0),
        };
        let bar = self.progress_bar(label, total, start);
        // Never more than the expected size: a wrong or hostile server cannot fill the disk.
        let body = response.into_body().into_reader().take(total - start);
        let mut body = bar.wrap_read(body);
        // Bytes already written stay in the partial file when the transfer breaks off,
        // so the next attempt resumes from there.
        let copied = io::copy(&mut body, &mut file);
        bar.finish_and_clear();
        copied.map_err(|cause| ProvisionError::Transfer {
            url: url.to_owned(),
            cause,
        })?;
        file.sync_all().map_err(|cause| ProvisionError::Io {
            action: "write",
            path: partial.to_owned(),
            cause,
        })
    }

    fn progress_bar(&self, label: &str, total: u64, start: u64) -> ProgressBar {
        if !self.show_progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} · {bytes_per_sec} · ETA {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_owned());
        bar.set_position(start);
        bar.reset_eta();
        bar
    }
}

/// Where the download of `dest` collects its bytes.
pub(super) fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    dest.with_file_name(name)
}

fn open_partial(path: &Path, append: bool) -> Result<File, ProvisionError> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    options.open(path).map_err(|cause| ProvisionError::Io {
        action: "open",
        path: path.to_owned(),
        cause,
    })
}

fn file_len(path: &Path) -> Result<u64, ProvisionError> {
    match fs::metadata(path) {
        Ok(meta) => Ok(meta.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(cause) => Err(ProvisionError::Io {
            action: "inspect",
            path: path.to_owned(),
            cause,
        }),
    }
}

fn remove_if_present(path: &Path) -> Result<(), ProvisionError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(cause) => Err(ProvisionError::Io {
            action: "remove",
            path: path.to_owned(),
            cause,
        }),
    }
}
