//! The output folder a run writes its reports to, held for the run's whole length.

use super::{ReportError, TEMP_PREFIX, TEMP_SUFFIX};
use std::fs::{File, TryLockError};
use std::path::Path;

/// Name of the lock file inside the output folder.
pub(crate) const LOCK_FILE: &str = ".mtaudit.lock";

/// An output folder claimed by this run. Two runs writing to one folder would mix their
/// reports and leave a summary of only one of them, so the second is refused while the
/// first holds the lock; the operating system releases it when the holder exits, however
/// it exits.
#[derive(Debug)]
pub struct OutputDir {
    _lock: File,
}

impl OutputDir {
    /// Creates `path` if needed, takes its lock (or fails at once with
    /// [`ReportError::OutputBusy`]) and removes temporary files that a killed run left.
    pub fn claim(path: &Path) -> Result<Self, ReportError> {
        let write_error = |at: &Path| {
            let at = at.to_path_buf();
            move |cause| ReportError::Write { path: at, cause }
        };
        std::fs::create_dir_all(path).map_err(write_error(path))?;
        let lock_path = path.join(LOCK_FILE);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(write_error(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(ReportError::OutputBusy {
                    dir: path.to_path_buf(),
                    lock: lock_path,
                })
            }
            Err(TryLockError::Error(cause)) => return Err(write_error(&lock_path)(cause)),
        }
        remove_stale_temp_files(path).map_err(write_error(path))?;
        Ok(OutputDir { _lock: lock })
    }
}

/// Under the lock no other run writes here, so every temporary report file is a leftover.
fn remove_stale_temp_files(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            match std::fs::remove_file(entry.path()) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("reports");
        let first = OutputDir::claim(&out).unwrap();
        assert!(matches!(
            OutputDir::claim(&out),
            Err(ReportError::OutputBusy { .. })
        ));
        drop(first);
        OutputDir::claim(&out).unwrap();
    }

    #[test]
    fn leftover_temporary_files_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let leftover = dir.path().join(format!("{TEMP_PREFIX}a1B2c3{TEMP_SUFFIX}"));
        let report = dir.path().join("article.json");
        std::fs::write(&leftover, "half a rep").unwrap();
        std::fs::write(&report, "{}").unwrap();
        OutputDir::claim(dir.path()).unwrap();
        assert!(!leftover.exists());
        assert!(report.exists());
    }
}
