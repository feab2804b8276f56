//! The one way kapnotes writes a file the clinician named (an export, a PDF, a backup),
//! decided here so the command line and the app cannot differ:
//! - it never replaces a kapnotes vault or backup, nor a vault's side files (`-wal`,
//!   `-shm`, `-journal`, `.lock`), recognised by their content, through symbolic links
//!   and `..`; the one exception is a backup confirmed over an older backup of the same
//!   vault (the app's restore, which replaces the vault, does not come through here);
//! - it replaces any other existing file only when asked ([`Overwrite::Confirmed`]);
//! - it never creates a folder: a missing one is an error that names it;
//! - the file is written 0600 under a temporary name in the destination folder, made
//!   durable, and only then put in place, without replacing anything that appeared
//!   meanwhile unless replacing was asked. A caller enters the file in the audit trail
//!   between [`OutputFile::write`] and [`OutputFile::finish`]: the trail never names a
//!   file that was not whole on disk, and a failed entry leaves no file (dropping an
//!   unfinished [`OutputFile`] removes its temporary file).

use super::private_file::create_new_private;
use super::remove_vault_files;
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Whether an existing file at the destination may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Leave any existing file untouched and say so.
    Refuse,
    /// The clinician confirmed it (`--force`, or the save dialog's own question). A
    /// vault or backup is still never replaced, except an older backup of the same
    /// vault by a new backup.
    Confirmed,
}

/// What is being written, and from which vault.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Output<'a> {
    /// Plaintext (an export or a document) from the vault at `vault`.
    Plaintext { vault: &'a Path },
    /// A backup of the vault at `vault`, whose id is `vault_id`.
    Backup { vault: &'a Path, vault_id: &'a str },
}

impl Output<'_> {
    fn vault(&self) -> &Path {
        match self {
            Output::Plaintext { vault } | Output::Backup { vault, .. } => vault,
        }
    }
}

const SIDE_FILE_SUFFIXES: [&str; 4] = ["-wal", "-shm", "-journal", ".lock"];
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A temporary file left by an interrupted write (`.NAME.partial-<id>`) is removed once
/// it has not been modified for this long. Every kapnotes write of such a file, a
/// restore's check of a large vault included, touches it far more often (SQLite writes
/// as it copies, and the restore's trail entry follows its unlock), so a file this old
/// belongs to no running process; and judging by age needs no lock that SQLite's own
/// POSIX locks on the same file could be disturbed by.
pub(crate) const STALE_PARTIAL_AFTER: Duration = Duration::from_secs(15 * 60);

/// What is at a path.
#[derive(Debug, PartialEq, Eq)]
enum Existing {
    Nothing,
    Folder,
    /// A kapnotes vault or backup, or one of its side files. `vault_id` is unknown for
    /// a side file and for a vault whose newest pages are still in its write-ahead log;
    /// `is_backup` is true for a single self-contained file (a backup), false for a
    /// vault in use (write-ahead-log mode).
    Vault {
        vault_id: Option<String>,
        is_backup: bool,
    },
    Other,
}

/// The path with its folder resolved (symbolic links and `..`), its last component as
/// given: how two names for one place are compared, even before the file exists.
fn resolved(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(folder.canonicalize().ok()?.join(name))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether `path` names a side file of a vault (`VAULT-wal` and the like), whether or
/// not that side file exists right now.
fn is_side_file_of_a_vault(path: &Path) -> bool {
    let Some(text) = path.to_str() else {
        return false;
    };
    SIDE_FILE_SUFFIXES.iter().any(|suffix| {
        text.strip_suffix(suffix)
            .is_some_and(|main| matches!(classify(Path::new(main)), Existing::Vault { .. }))
    })
}

/// A `file:` URI for SQLite: every byte outside the unreserved set escaped.
fn sqlite_uri(path: &Path, query: &str) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut uri = String::from("file:");
    for byte in bytes {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// The vault id in a SQLite file's `vault_header`, read without writing anything next
/// to it (immutable: no lock, no journal, no `-shm`). `Ok(None)`: a SQLite file with no
/// header table; `Err`: unreadable.
fn header_vault_id(path: &Path) -> rusqlite::Result<Option<Option<String>>> {
    let conn = Connection::open_with_flags(
        sqlite_uri(path, "immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let has_header: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vault_header')",
        [],
        |r| r.get(0),
    )?;
    if !has_header {
        return Ok(None);
    }
    let id = conn
        .query_row("SELECT vault_id FROM vault_header LIMIT 1", [], |r| {
            r.get::<_, String>(0)
        })
        .ok();
    Ok(Some(id))
}

/// Judges a regular file by its content.
fn classify_content(path: &Path) -> Existing {
    let mut head = [0u8; 20];
    let read = std::fs::File::open(path).and_then(|mut file| {
        let mut filled = 0;
        loop {
            match file.read(&mut head[filled..])? {
                0 => return Ok(filled),
                n => filled += n,
            }
            if filled == head.len() {
                return Ok(filled);
            }
        }
    });
    let Ok(filled) = read else {
        return Existing::Other;
    };
    let is_sqlite = filled >= SQLITE_MAGIC.len() && &head[..SQLITE_MAGIC.len()] == SQLITE_MAGIC;
    if is_sqlite {
        // Bytes 18 and 19 are 2 in write-ahead-log mode (a vault in use), 1 in a
        // self-contained file (a kapnotes backup).
        let is_backup = filled == head.len() && head[18] == 1 && head[19] == 1;
        match header_vault_id(path) {
            Ok(Some(vault_id)) => {
                return Existing::Vault {
                    vault_id,
                    is_backup,
                };
            }
            Ok(None) => {}
            // A database that cannot be read right now may be a vault mid-checkpoint.
            Err(_) => {
                return Existing::Vault {
                    vault_id: None,
                    is_backup: false,
                };
            }
        }
    }
    // A database in write-ahead-log mode may hold everything, its schema included, in
    // the log beside it (a vault just created and still open): it cannot be told from
    // a vault without replaying the log, so it is kept.
    let has_log = std::fs::metadata(with_suffix(path, "-wal")).is_ok_and(|m| m.len() > 0);
    if (is_sqlite || filled == 0) && has_log {
        return Existing::Vault {
            vault_id: None,
            is_backup: false,
        };
    }
    Existing::Other
}

/// What is at `path`, following a symbolic link at its last component.
fn classify(path: &Path) -> Existing {
    if is_side_file_of_a_vault(path) {
        return Existing::Vault {
            vault_id: None,
            is_backup: false,
        };
    }
    let link = match std::fs::symlink_metadata(path) {
        Ok(link) => link,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Existing::Nothing,
        Err(_) => return Existing::Other,
    };
    let target = if link.file_type().is_symlink() {
        match path.canonicalize() {
            Ok(target) if is_side_file_of_a_vault(&target) => {
                return Existing::Vault {
                    vault_id: None,
                    is_backup: false,
                };
            }
            Ok(target) => target,
            // A link to nothing: replacing it loses no data, but it is still a name
            // the clinician gave to something.
            Err(_) => return Existing::Other,
        }
    } else {
        path.to_owned()
    };
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => Existing::Folder,
        Ok(meta) if meta.is_file() => classify_content(&target),
        // A device or a pipe: never read (it could block), never a vault.
        Ok(_) | Err(_) => Existing::Other,
    }
}

/// Whether `destination` is the vault `vault` or one of its side files, by place.
fn is_the_vault_or_its_side_file(destination: &Path, vault: &Path) -> bool {
    let (Some(destination), Some(vault)) = (resolved(destination), resolved(vault)) else {
        return false;
    };
    let destination_target = destination.canonicalize().unwrap_or(destination.clone());
    let vault_target = vault.canonicalize().unwrap_or(vault.clone());
    std::iter::once(String::new())
        .chain(SIDE_FILE_SUFFIXES.iter().map(|s| (*s).to_owned()))
        .any(|suffix| {
            [&destination, &destination_target].into_iter().any(|d| {
                *d == with_suffix(&vault, &suffix) || *d == with_suffix(&vault_target, &suffix)
            })
        })
}

/// The refusal for what is at `destination` now.
fn refusal(destination: &Path) -> Error {
    match classify(destination) {
        Existing::Vault { .. } => Error::WouldReplaceVault(destination.to_owned()),
        Existing::Folder => Error::OutputIsFolder(destination.to_owned()),
        _ => Error::OutputExists(destination.to_owned()),
    }
}

/// The folder a destination goes in (the current one for a bare file name).
fn folder_of(destination: &Path) -> &Path {
    match destination.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Decides whether `output` may be written at `destination`: `Ok(false)` to create a
/// new file, `Ok(true)` to replace the one there.
fn check(destination: &Path, overwrite: Overwrite, output: Output<'_>) -> Result<bool> {
    if destination.file_name().is_none() {
        return Err(Error::OutputIsFolder(destination.to_owned()));
    }
    let folder = folder_of(destination);
    match std::fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(Error::FolderMissing(folder.to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::FolderMissing(folder.to_owned()));
        }
        Err(e) => return Err(Error::io(folder, e)),
    }
    if is_the_vault_or_its_side_file(destination, output.vault()) {
        return Err(Error::WouldReplaceVault(destination.to_owned()));
    }
    match classify(destination) {
        Existing::Nothing => Ok(false),
        Existing::Folder => Err(Error::OutputIsFolder(destination.to_owned())),
        // The one vault a file may replace: an older backup of the vault being backed
        // up, when confirmed.
        Existing::Vault {
            vault_id: Some(found),
            is_backup: true,
        } if matches!(output, Output::Backup { vault_id, .. } if vault_id == found) => {
            match overwrite {
                Overwrite::Confirmed => Ok(true),
                Overwrite::Refuse => Err(Error::OutputExists(destination.to_owned())),
            }
        }
        Existing::Vault { .. } => Err(Error::WouldReplaceVault(destination.to_owned())),
        Existing::Other if overwrite == Overwrite::Confirmed => Ok(true),
        Existing::Other => Err(Error::OutputExists(destination.to_owned())),
    }
}

/// A temporary name beside `target`, in the same folder so the final rename is atomic.
pub(crate) fn temporary_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vault".into());
    target.with_file_name(format!(".{name}.partial-{}", uuid::Uuid::new_v4().simple()))
}

/// Whether `name` is one [`temporary_beside`] makes, or a SQLite side file of one.
fn is_partial_name(name: &str) -> bool {
    let main = SIDE_FILE_SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    name.starts_with('.')
        && main
            .rsplit_once(".partial-")
            .is_some_and(|(_, id)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Removes the temporary files that interrupted writes left in `folder` (a restore's
/// is as large as the vault, an export's is plaintext), once [`STALE_PARTIAL_AFTER`]
/// has passed since they were last modified. Best effort: a file that cannot be
/// removed stays for the next time.
pub(crate) fn remove_stale_partials(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_partial_name) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let stale = meta
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= STALE_PARTIAL_AFTER);
        if meta.is_file() && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Makes a rename in the folder of `path` durable; not possible (nor needed) on every
/// platform.
pub(crate) fn sync_folder_of(path: &Path) {
    if let Ok(dir) = std::fs::File::open(folder_of(path)) {
        let _ = dir.sync_all();
    }
}

/// Puts `temporary` at `destination` unless something is there.
fn place_without_replacing(temporary: &Path, destination: &Path) -> Result<()> {
    match std::fs::hard_link(temporary, destination) {
        Ok(()) => {
            let _ = std::fs::remove_file(temporary);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(refusal(destination)),
        Err(_) => {
            // A file system without hard links (FAT on a USB stick): reserve the name
            // with an exclusive create, then rename over that empty file of our own.
            create_new_private(destination).map_err(|e| match e {
                Error::AlreadyExists(_) => refusal(destination),
                other => other,
            })?;
            std::fs::rename(temporary, destination).map_err(|e| {
                let _ = std::fs::remove_file(destination);
                Error::io(destination, e)
            })
        }
    }
}

/// A file being written for the clinician: checked, written whole under a temporary
/// name, then put in place by [`OutputFile::finish`].
#[derive(Debug)]
pub(crate) struct OutputFile<'a> {
    destination: PathBuf,
    temporary: PathBuf,
    overwrite: Overwrite,
    output: Output<'a>,
    finished: bool,
}

impl<'a> OutputFile<'a> {
    /// Checks that `output` may be written at `destination` (nothing is written if
    /// not), removes stale leftovers of interrupted writes in its folder, and creates
    /// the empty temporary file (0600) beside it.
    pub(crate) fn begin(
        destination: &Path,
        overwrite: Overwrite,
        output: Output<'a>,
    ) -> Result<OutputFile<'a>> {
        check(destination, overwrite, output)?;
        remove_stale_partials(folder_of(destination));
        let temporary = temporary_beside(destination);
        create_new_private(&temporary)?;
        Ok(OutputFile {
            destination: destination.to_owned(),
            temporary,
            overwrite,
            output,
            finished: false,
        })
    }

    /// The temporary file, for a writer that needs a path (SQLite).
    pub(crate) fn temporary(&self) -> &Path {
        &self.temporary
    }

    /// Writes the whole content to the temporary file and makes it durable.
    pub(crate) fn write(&self, bytes: &[u8]) -> Result<()> {
        std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.temporary)
            .and_then(|mut file| {
                file.write_all(bytes)?;
                file.sync_all()
            })
            .map_err(|e| Error::io(&self.destination, e))
    }

    /// Writes the content through `fill` (a stream, never whole in memory) to the
    /// temporary file and makes it durable. Returns what `fill` returns.
    pub(crate) fn write_with<T>(
        &self,
        fill: impl FnOnce(&mut std::fs::File) -> Result<T>,
    ) -> Result<T> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.temporary)
            .map_err(|e| Error::io(&self.destination, e))?;
        let out = fill(&mut file)?;
        file.sync_all()
            .map_err(|e| Error::io(&self.destination, e))?;
        Ok(out)
    }

    /// Puts the whole, durable temporary file in place, checking the destination once
    /// more: what may be replaced is judged by what is there now.
    pub(crate) fn finish(mut self) -> Result<PathBuf> {
        let replace = check(&self.destination, self.overwrite, self.output)?;
        if replace {
            std::fs::rename(&self.temporary, &self.destination)
                .map_err(|e| Error::io(&self.destination, e))?;
        } else {
            place_without_replacing(&self.temporary, &self.destination)?;
        }
        self.finished = true;
        sync_folder_of(&self.destination);
        Ok(std::mem::take(&mut self.destination))
    }
}

impl Drop for OutputFile<'_> {
    fn drop(&mut self) {
        if !self.finished {
            remove_vault_files(&self.temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_names_are_recognised_and_nothing_else() {
        let id = "0123456789abcdef0123456789abcdef";
        for name in [
            format!(".vault.kapnotes.partial-{id}"),
            format!(".vault.kapnotes.partial-{id}-journal"),
            format!(".vault.kapnotes.partial-{id}.lock"),
            format!("..vault.kapnotes.partial-{id}.partial-{id}"),
            format!(".export.json.partial-{id}"),
        ] {
            assert!(is_partial_name(&name), "{name}");
        }
        for name in [
            format!("vault.kapnotes.partial-{id}"),
            ".vault.kapnotes.partial-123".to_owned(),
            format!(".vault.kapnotes.partial-{id}x"),
            "notes.txt".to_owned(),
        ] {
            assert!(!is_partial_name(&name), "{name}");
        }
    }

    #[test]
    fn uris_escape_what_sqlite_would_read_as_syntax() {
        assert_eq!(
            sqlite_uri(Path::new("/a b/c?d#e%f.kapnotes"), "immutable=1"),
            "file:/a%20b/c%3Fd%23e%25f.kapnotes?immutable=1"
        );
    }
}
