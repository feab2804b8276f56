//! Files kapnotes creates: readable by the owner alone, never replacing anything by
//! accident, and never seen half-written.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Creates the file (0600) and, if missing, its folder (0700), refusing to replace
/// anything that exists.
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::AlreadyExists(path.to_owned())
        } else {
            Error::io(path, e)
        }
    })
}

/// Writes `bytes` (an export: plaintext the clinician asked for) to `path` with 0600
/// permissions, through a temporary file renamed into place, so a reader never sees half
/// a document and an older file at `path` is replaced only once the new one is whole.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary =
        path.with_file_name(format!(".{name}.partial-{}", uuid::Uuid::new_v4().simple()));
    create_private_file(&temporary)?;
    let written = std::fs::OpenOptions::new()
        .write(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(Error::io(path, e));
    }
    Ok(())
}
