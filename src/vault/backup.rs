//! Backups and restores. A backup needs no passphrase: it copies the sealed vault with
//! SQLite's online backup API in one step (a consistent snapshot, even while the app is
//! writing), checks the copy, and only then renames it into place. A restore checks the
//! file, opens it with the passphrase of the backup's day, authenticates every record,
//! and only then moves it into place, never over an existing vault.

use super::audit::{AuditAction, AuditEvent};
use super::output_file::{
    Output, OutputFile, Overwrite, remove_stale_partials, sync_folder_of, temporary_beside,
};
use super::private_file::create_private_folder;
use super::{Access, Vault, create_private_file, open_sealed, remove_vault_files};
use crate::error::{Error, Refusal, Result};
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

/// Copies `source` into the empty file at `temporary` as one consistent snapshot, in
/// rollback-journal mode so the copy is a single self-contained file.
fn snapshot(source: &Connection, temporary: &Path) -> Result<()> {
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
        return Err(Error::BackupCopyDamaged);
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

/// Writes a consistent, checked copy of the vault at `vault` to `destination`, through
/// [`OutputFile`]: never over a vault or another vault's backup, over an older backup
/// of this vault or any other file only with [`Overwrite::Confirmed`], never into a
/// missing folder. `before_copy` runs once the destination was accepted, before the
/// snapshot (the app records the backup there, so the copy holds its own entry).
fn back_up(
    vault: &Path,
    destination: &Path,
    overwrite: Overwrite,
    before_copy: impl FnOnce() -> Result<()>,
) -> Result<BackupSummary> {
    let (source, header) = open_sealed(vault)?;
    let output = OutputFile::begin(
        destination,
        overwrite,
        Output::Backup {
            vault,
            vault_id: &header.vault_id,
        },
    )?;
    before_copy()?;
    snapshot(&source, output.temporary())?;
    // The copy must itself open as a vault before it is put in place.
    open_sealed(output.temporary())?;
    let path = output.finish()?;
    let bytes = std::fs::metadata(&path)
        .map_err(|e| Error::io(&path, e))?
        .len();
    Ok(BackupSummary { path, bytes })
}

/// Writes a consistent, checked copy of the sealed vault at `vault` to `destination`.
/// An existing file there is replaced only with [`Overwrite::Confirmed`], and a vault
/// or backup only when it is an older backup of this same vault.
pub fn write_backup(
    vault: &Path,
    destination: &Path,
    overwrite: Overwrite,
) -> Result<BackupSummary> {
    back_up(vault, destination, overwrite, || Ok(()))
}

/// [`write_backup`] to a new file: replaces nothing.
pub fn backup_file(vault: &Path, destination: &Path) -> Result<BackupSummary> {
    write_backup(vault, destination, Overwrite::Refuse)
}

/// Restores the backup at `backup` as a new vault at `target`, after checking that
/// `passphrase` (the one valid when the backup was taken) opens it and that every
/// record authenticates. Never overwrites an existing file. The target's folder is
/// created (0700) if missing; leftovers of interrupted restores in it are removed.
pub fn restore_backup(backup: &Path, target: &Path, passphrase: &str) -> Result<()> {
    if target.exists() {
        return Err(Error::AlreadyExists(target.to_owned()));
    }
    let (source, _header) = open_sealed(backup)?;
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    create_private_folder(folder)?;
    remove_stale_partials(folder);
    let temporary = temporary_beside(target);
    create_private_file(&temporary)?;
    let restored = snapshot(&source, &temporary).and_then(|()| {
        // Opened for writing: the copy is private to this restore, and a write unlock
        // brings a copy of an older format up to date before it is checked.
        let vault = Vault::unlock(&temporary, passphrase, Access::ReadWrite)?;
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
        return Err(Refusal::BackupIsTheVault.into());
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
    /// A backup taken by the clinician from the unlocked vault, written like
    /// [`write_backup`]. It is recorded in the audit trail once the destination was
    /// accepted and before the snapshot, so the copy holds its own entry and a refused
    /// destination leaves no entry.
    pub fn backup_to(&self, destination: &Path, overwrite: Overwrite) -> Result<BackupSummary> {
        back_up(&self.path, destination, overwrite, || {
            self.record_backup(destination)
        })
    }

    pub(crate) fn record_backup(&self, destination: &Path) -> Result<()> {
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.record_events(&[AuditEvent::new(AuditAction::BackupTaken).detail(name)])
    }
}
