//! Creating a vault, unlocking it (with the passphrase or the recovery key), bringing
//! an older format up to date, and checking the trail and every row at unlock.

use super::audit::{AuditAction as Action, AuditEvent};
use super::header::Header;
use super::revisions::ClientRevisions;
use super::settings::record_dosing_day_since;
use super::store::Keys;
use super::write::load_client_from;
use super::writer_lock::WriterLock;
use super::{
    Access, MIN_PASSPHRASE_CHARS, Vault, audit, create_private_file, map_history, schema, verify,
};
use crate::crypto::{KdfParams, RecoveryKey, SymmetricKey};
use crate::error::{Error, Refusal, Result};
use crate::records::Timestamp;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

impl Vault {
    /// Creates a new vault at `path` with production key-derivation settings. Returns
    /// the vault, open for writing, and the recovery key to show the clinician once.
    pub fn create(path: &Path, passphrase: &str) -> Result<(Vault, RecoveryKey)> {
        Self::create_with_kdf(path, passphrase, KdfParams::PRODUCTION)
    }

    /// Creates a vault with deliberately cheap key derivation, for tests only.
    #[cfg(any(test, feature = "test-support"))]
    pub fn create_insecure_for_tests(
        path: &Path,
        passphrase: &str,
    ) -> Result<(Vault, RecoveryKey)> {
        Self::create_with_kdf(path, passphrase, KdfParams::INSECURE_FOR_TESTS)
    }

    fn create_with_kdf(
        path: &Path,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(Vault, RecoveryKey)> {
        check_new_passphrase(passphrase)?;
        create_private_file(path)?;
        let created = (|| {
            let writer = WriterLock::acquire(path)?;
            let mut conn = connect(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            let data_key = SymmetricKey::generate()?;
            let recovery = RecoveryKey::generate()?;
            let header = Header::new(
                &data_key,
                passphrase,
                kdf,
                &recovery,
                schema::current_version(),
            )?;
            let keys = Keys::new(&header.vault_id, data_key, header.layout);
            let tx = conn.transaction()?;
            schema::apply_pending(&tx)?;
            audit::start(&tx, &keys, header.clone(), Action::VaultCreated)?;
            record_dosing_day_since(&tx, &keys)?;
            tx.commit()?;
            let vault = Vault::assemble(conn, path, header, keys, Some(writer));
            Ok((vault, recovery))
        })();
        if created.is_err() {
            remove_vault_files(path);
        }
        created
    }

    fn assemble(
        conn: Connection,
        path: &Path,
        header: Header,
        keys: Keys,
        writer: Option<WriterLock>,
    ) -> Vault {
        Vault {
            conn,
            path: path.to_owned(),
            header,
            keys,
            writer,
            revisions: ClientRevisions::new(),
            failed_unlocks: None,
            trail_problems: Vec::new(),
        }
    }

    fn open_with(
        path: &Path,
        access: Access,
        how: &str,
        unwrap: impl FnOnce(&Header) -> Result<SymmetricKey>,
    ) -> Result<Vault> {
        // Take the writer lock first, so a second writer is refused before it spends
        // half a second on key derivation.
        let writer = match access {
            Access::ReadWrite => {
                if !path.is_file() {
                    return Err(Error::VaultNotFound(path.to_owned()));
                }
                Some(WriterLock::acquire(path)?)
            }
            Access::ReadOnly => None,
        };
        let (mut conn, header) = open_sealed(path)?;
        let master = match unwrap(&header) {
            Ok(key) => key,
            Err(e) => {
                if matches!(e, Error::WrongPassphrase | Error::WrongRecoveryKey) {
                    audit::count_failed_unlock(&conn);
                }
                return Err(e);
            }
        };
        // Only now that the key opened it: a wrong passphrase leaves a backup's bytes
        // as they were (but for the failed-unlock count).
        if writer.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        let mut upgrade_problem = None;
        if schema::stored_version(&conn)? < schema::current_version() {
            let keys = Keys::new(&header.vault_id, master.duplicate(), header.layout);
            upgrade_problem = upgrade(&mut conn, path, &keys, writer.is_some())?;
        }
        // Read again: the upgrade (here or by another process) rewrote it.
        let header = Header::read(&conn)?.ok_or(Error::DamagedHeader {
            detail: "it is missing",
        })?;
        header.check_format()?;
        header.check_seal(&master)?;
        let keys = Keys::new(&header.vault_id, master, header.layout);
        let mut vault = Vault::assemble(conn, path, header, keys, writer);
        // A damaged trail must not keep the clinician from reading their records: the
        // vault opens, `verify` and the app report what is wrong, and every change is
        // refused until a backup that verifies is restored. The same rule wherever the
        // damage sits: in the chain, its head, or a row that does not match it.
        vault.trail_problems = match upgrade_problem {
            Some(problem) => vec![problem],
            // A trail too mangled to read is a problem to report, not a locked door.
            None => vault.trail_check().unwrap_or_else(|e| vec![e.to_string()]),
        };
        if vault.writer.is_some() && vault.trail_problems.is_empty() {
            vault.failed_unlocks = vault.record_unlock(how)?;
            let tx = vault.immediate_transaction()?;
            record_dosing_day_since(&tx, &vault.keys)?;
            tx.commit()?;
        }
        Ok(vault)
    }

    /// Everything wrong with the trail and with the rows against it.
    fn trail_check(&self) -> Result<Vec<String>> {
        // One read snapshot, so a write by another process meanwhile cannot split it.
        let _snapshot = Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)?;
        let trail = audit::read(&self.conn, &self.keys)?;
        let mut problems = trail.problems.clone();
        // Every row against the trail, and every row opens: a plaintext column edited in
        // the file (a row moved to another client, or put in another place in creation
        // order) refuses changes at once, not only when `verify` or its record is read.
        let against = audit::is_present(&self.conn)?.then_some(&trail);
        problems.extend(verify::check_rows_at_unlock(
            &self.conn, against, &self.keys,
        )?);
        Ok(problems)
    }

    /// What was found wrong with the audit trail (or a row against it) at unlock; empty
    /// when it is whole. While it is not, changes are refused.
    pub fn trail_problems(&self) -> &[String] {
        &self.trail_problems
    }

    /// Writes this unlock, and the failed attempts counted before it, into the trail.
    /// Returns the failed attempts, if there were any.
    fn record_unlock(&self, how: &str) -> Result<Option<String>> {
        let tx = self.immediate_transaction()?;
        // The failed attempts came first, so they are written first.
        let failed = audit::take_failed_unlocks(&tx)?;
        let detail = failed.as_ref().map(|(failed, _)| failed.describe());
        let mut events: Vec<AuditEvent> = failed.into_iter().map(|(_, event)| event).collect();
        events.push(AuditEvent::new(Action::Unlocked).detail(how));
        audit::append(&tx, &self.keys, &events)?;
        tx.commit()?;
        Ok(detail)
    }

    /// Failed unlock attempts made since the last unlock for writing ("2 failed
    /// attempts, from … to …"), for the clinician to hear about: someone may have tried
    /// the passphrase.
    pub fn failed_unlocks_before_this_unlock(&self) -> Option<&str> {
        self.failed_unlocks.as_deref()
    }

    /// Unlocks the vault at `path` with its passphrase. A wrong passphrase changes
    /// nothing and returns [`Error::WrongPassphrase`].
    pub fn unlock(path: &Path, passphrase: &str, access: Access) -> Result<Vault> {
        Self::open_with(path, access, "with the passphrase", |header| {
            header.unwrap_with_passphrase(passphrase)
        })
    }

    /// Unlocks the vault with the recovery key that `init` printed.
    pub fn unlock_with_recovery_key(
        path: &Path,
        recovery_key: &str,
        access: Access,
    ) -> Result<Vault> {
        let key = RecoveryKey::parse(recovery_key).map_err(|_| Error::MalformedRecoveryKey)?;
        Self::open_with(path, access, "with the recovery key", |header| {
            header.unwrap_with_recovery_key(&key)
        })
    }

    /// Locks the vault: the keys are dropped and the writer lock released (a search
    /// index the caller keeps is the caller's to drop with it).
    pub fn lock(self) {}

    /// A second, read-only handle on this unlocked vault with its own connection, so a
    /// long check (the full `verify` after unlock) can run on another thread without
    /// holding up the clinician's work. It holds no writer lock and writes nothing.
    pub fn detached_reader(&self) -> Result<Vault> {
        let (conn, header) = open_sealed(&self.path)?;
        if header.vault_id != self.header.vault_id {
            return Err(Refusal::VaultReplacedWhileOpen.into());
        }
        Ok(Vault::assemble(
            conn,
            &self.path,
            header,
            self.keys.duplicate(),
            None,
        ))
    }
}

/// Opens the SQLite connection with the settings every vault uses.
fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

fn is_not_a_database(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Opens an existing vault file and reads its header, without any key.
pub(crate) fn open_sealed(path: &Path) -> Result<(Connection, Header)> {
    if !path.is_file() {
        return Err(Error::VaultNotFound(path.to_owned()));
    }
    // Read-write even for readers: a WAL reader must be able to use the -shm file.
    // Readers never write; the API refuses changes without the writer lock.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let not_a_vault = |e: rusqlite::Error| {
        if is_not_a_database(&e) {
            Error::NotAVault(path.to_owned())
        } else {
            Error::Storage(e)
        }
    };
    let conn = connect(path, flags).map_err(|e| match e {
        Error::Storage(e) => not_a_vault(e),
        other => other,
    })?;
    let has_header: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vault_header')",
            [],
            |r| r.get(0),
        )
        .map_err(not_a_vault)?;
    if !has_header {
        return Err(Error::NotAVault(path.to_owned()));
    }
    // Every vault records a schema version; a file without one is some other database.
    if schema::check_not_newer(&conn)? == 0 {
        return Err(Error::NotAVault(path.to_owned()));
    }
    // Before anything is written (even a failed unlock's count): a trigger, a view or
    // a reshaped table added behind kapnotes' back could act on every write.
    schema::check_structure(&conn)?;
    let header = Header::read(&conn)?.ok_or(Error::DamagedHeader {
        detail: "it is missing",
    })?;
    header.check_format()?;
    Ok((conn, header))
}

pub(super) fn check_new_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::WeakPassphrase {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
}

/// Removes a vault file and its SQLite side files (used to undo a failed creation).
pub(crate) fn remove_vault_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal", ".lock"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// Brings a vault of an older format up to date in one transaction, right after its
/// key was unwrapped (a reader takes the writer lock for it). Returns a problem, and
/// leaves the file as it was, when the old trail is damaged or the file cannot be
/// written: the vault then opens with every change refused.
fn upgrade(
    conn: &mut Connection,
    path: &Path,
    keys: &Keys,
    holds_writer: bool,
) -> Result<Option<String>> {
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        return Ok(Some(
            "This vault is from an older kapnotes and cannot be brought up to date while its file cannot be written; copy it to a folder you can write to.".into(),
        ));
    }
    let _lock = match holds_writer {
        true => None,
        false => match WriterLock::acquire(path) {
            Ok(lock) => Some(lock),
            // The writer holding it brought the vault up to date when it unlocked.
            Err(Error::WriterBusy)
                if schema::stored_version(conn)? == schema::current_version() =>
            {
                None
            }
            Err(e) => return Err(e),
        },
    };
    if schema::stored_version(conn)? == schema::current_version() {
        return Ok(None);
    }
    let tx = Transaction::new(conn, TransactionBehavior::Immediate)?;
    match audit::upgrade(&tx, keys, start_every_history) {
        Ok(()) => {
            tx.commit()?;
            Ok(None)
        }
        Err(Error::DamagedTrail { detail }) => Ok(Some(format!(
            "The vault could not be brought up to date because its audit trail is damaged: {detail}."
        ))),
        // A record that does not open cannot be carried over; it is reported as it
        // is read, and the vault stays as it was.
        Err(e) if e.kind() == crate::error::ErrorKind::Integrity => Ok(Some(format!(
            "The vault could not be brought up to date: {}",
            e
        ))),
        Err(e) => Err(e),
    }
}

/// Starts every client's map history at the upgrade that brings the vault to the
/// format with history: a baseline version of each part, relationship, agreement and
/// group as found, written (with `keys`, the upgraded vault's) in the upgrade's
/// transaction. Returns the events for the rows written.
fn start_every_history(conn: &Connection, keys: &Keys) -> Result<Vec<AuditEvent>> {
    let now = Timestamp::now();
    let mut events = Vec::new();
    let mut stmt = conn.prepare("SELECT id FROM clients ORDER BY creation_order, id")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for id in ids {
        if map_history::has_started(conn, &id)? {
            continue;
        }
        let client = load_client_from(conn, keys, &id)?.client;
        let rows = map_history::start_for_new_client(conn, keys, &client, &now)?;
        events.extend(map_history::events(
            rows,
            &id,
            Some("the parts map's history starts here, with the map as found"),
        ));
    }
    Ok(events)
}
