//! Backups and restores. A backup needs no passphrase: it copies the sealed vault with
//! SQLite's online backup API in one step (a consistent snapshot, even while the app is
//! writing), checks the copy, and only then renames it into place. A restore checks the
//! file, opens it with the passphrase of the backup's day, authenticates every record,
//! and only then moves it into place, never over an existing vault.

use super::audit::{AuditAction, AuditEvent};
use super::{Access, Vault, create_private_file, open_sealed, remove_vault_files};
use crate::error::{Error, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
}

/// A temporary name beside `target`, in the same folder so the final rename is atomic.
fn temporary_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vault".into());
    target.with_file_name(format!(".{name}.partial-{}", uuid::Uuid::new_v4().simple()))
}

fn sync_folder_of(path: &Path) {
    // Makes the rename itself durable; not possible (nor needed) on every platform.
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
}

/// Copies `source` into a new file at `temporary` as one consistent snapshot, in
/// rollback-journal mode so the copy is a single self-contained file.
fn snapshot(source: &Connection, temporary: &Path) -> Result<()> {
    create_private_file(temporary)?;
    let mut copy = Connection::open_with_flags(temporary, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    {
        let backup = Backup::new(source, &mut copy)?;
        // -1 copies every page in one step, under one read transaction: a snapshot.
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(Error::Refused(
            "The backup copy failed SQLite's integrity check; try again.".into(),
        ));
    }
    copy.close().map_err(|(_, e)| Error::Storage(e))?;
    std::fs::File::open(temporary)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(temporary, e))?;
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes a consistent, checked copy of the sealed vault at `vault` to `destination`
/// (replacing an older file there only once the new copy is complete).
pub fn backup_file(vault: &Path, destination: &Path) -> Result<BackupSummary> {
    let (source, _header) = open_sealed(vault, false)?;
    if same_file(vault, destination) {
        return Err(Error::Refused(
            "The backup cannot be written over the vault itself; choose another file.".into(),
        ));
    }
    let temporary = temporary_beside(destination);
    let written = snapshot(&source, &temporary).and_then(|()| {
        // The copy must itself open as a vault before it replaces anything.
        open_sealed(&temporary, false)?;
        std::fs::rename(&temporary, destination).map_err(|e| Error::io(destination, e))
    });
    if let Err(e) = written {
        remove_vault_files(&temporary);
        return Err(e);
    }
    sync_folder_of(destination);
    let bytes = std::fs::metadata(destination)
        .map_err(|e| Error::io(destination, e))?
        .len();
    Ok(BackupSummary {
        path: destination.to_owned(),
        bytes,
    })
}

/// Restores the backup at `backup` as a new vault at `target`, after checking that
/// `passphrase` (the one valid when the backup was taken) opens it and that every
/// record authenticates. Never overwrites an existing file.
pub fn restore_backup(backup: &Path, target: &Path, passphrase: &str) -> Result<()> {
    if target.exists() {
        return Err(Error::AlreadyExists(target.to_owned()));
    }
    let (source, _header) = open_sealed(backup, false)?;
    if let Some(parent) = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let temporary = temporary_beside(target);
    let restored = snapshot(&source, &temporary).and_then(|()| {
        let vault = Vault::unlock(&temporary, passphrase, Access::ReadOnly)?;
        let report = vault.verify()?;
        if let Some(first) = report.problems.first() {
            return Err(Error::BackupDamaged {
                problems: report.problems.len(),
                first: first.message.clone(),
            });
        }
        let from = backup
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        vault.record_events(&[
            AuditEvent::new(AuditAction::Restored).detail(format!("from the backup {from}"))
        ])?;
        vault.lock();
        let conn = Connection::open_with_flags(&temporary, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.close().map_err(|(_, e)| Error::Storage(e))?;
        // A hard link fails if the target appeared meanwhile: never overwrite.
        std::fs::hard_link(&temporary, target).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::AlreadyExists(target.to_owned())
            } else {
                Error::io(target, e)
            }
        })
    });
    remove_vault_files(&temporary);
    restored?;
    sync_folder_of(target);
    Ok(())
}

/// Replaces the vault at `vault` with the backup at `backup` (the desktop app's
/// restore). The backup is first restored beside the vault and fully checked with the
/// passphrase of its day; then the current vault is copied to
/// `<vault>.replaced-<date and time>` and the restored one takes its place. Returns
/// where the replaced vault was kept. Refused while another process writes the vault.
pub fn replace_with_backup(vault: &Path, backup: &Path, passphrase: &str) -> Result<PathBuf> {
    if same_file(vault, backup) {
        return Err(Error::Refused(
            "That file is the vault itself, not a backup of it.".into(),
        ));
    }
    let _writer = super::writer_lock::WriterLock::acquire(vault)?;
    let staged = temporary_beside(vault);
    restore_backup(backup, &staged, passphrase)?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let name = vault
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vault".into());
    let kept = vault.with_file_name(format!("{name}.replaced-{stamp}"));
    let swapped = (|| {
        if vault.exists() {
            backup_file(vault, &kept)?;
            // Fold any write-ahead log into the old file and remove it, so it can never
            // be replayed onto the restored vault.
            let conn = Connection::open_with_flags(vault, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
            conn.pragma_update(None, "journal_mode", "DELETE")?;
            conn.close().map_err(|(_, e)| Error::Storage(e))?;
        }
        std::fs::rename(&staged, vault).map_err(|e| Error::io(vault, e))
    })();
    if swapped.is_err() {
        remove_vault_files(&staged);
    }
    swapped?;
    sync_folder_of(vault);
    Ok(kept)
}

impl Vault {
    /// A backup taken by the clinician from the unlocked vault: recorded in the audit
    /// trail first (so the copy holds its own entry), then written like
    /// [`backup_file`].
    pub fn backup_to(&self, destination: &Path) -> Result<BackupSummary> {
        self.record_backup(destination)?;
        backup_file(&self.path, destination)
    }

    pub(crate) fn record_backup(&self, destination: &Path) -> Result<()> {
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.record_events(&[AuditEvent::new(AuditAction::BackupTaken).detail(name)])
    }
}
