//! Files and folders kapnotes creates: readable by the owner alone, never replacing
//! anything by accident. Files written for the clinician (exports, PDFs, backups) go
//! through output_file.rs, which decides what may be replaced.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::Path;

/// Creates `folder` and any missing parents, each 0700. Only for the vault's own
/// folders (init, restore, automatic backups): an export, a PDF or a backup the
/// clinician names never creates a folder.
pub(crate) fn create_private_folder(folder: &Path) -> Result<()> {
    if folder.as_os_str().is_empty() || folder.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(|e| Error::io(folder, e))
}

/// Creates a new empty file (0600) in an existing folder, refusing to replace
/// anything that exists, even a dangling symbolic link.
pub(crate) fn create_new_private(path: &Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::AlreadyExists(path.to_owned())
        } else {
            Error::io(path, e)
        }
    })
}

/// Creates the file (0600) and, if missing, its folder (0700), refusing to replace
/// anything that exists. For a new vault and a restore's temporary copy.
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_private_folder(parent)?;
    }
    create_new_private(path).map(drop)
}
