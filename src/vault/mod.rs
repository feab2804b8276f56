//! The encrypted vault: one SQLite file holding sealed records.
//!
//! Opening a vault ([`Vault::unlock`]) derives the key-encryption key from the
//! passphrase, unwraps the data key, and checks the header seal. Every change to a
//! client's records goes through one path ([`Vault::modify_client`]): load the client's
//! whole record, apply the change in memory, refuse it if it breaks a signed note or
//! any rule of the interchange format, then write only the rows that changed, in one
//! transaction. So the vault never holds a half-saved change or a dangling id.

mod audit;
mod automatic_backup;
mod backup;
mod clients;
mod header;
mod map_history;
mod note_history;
mod output_file;
mod private_file;
mod revisions;
mod schema;
mod store;
mod verify;
mod writer_lock;

pub(crate) use audit::AuditEvent;
pub use audit::{AuditAction, AuditEntry, AuditTrail, BURST_SECONDS};
pub use automatic_backup::{
    BackupPolicy, BackupState, DEFAULT_POLICY, FoundBackup, STALE_AFTER_DAYS,
    automatic_backup_if_due, backup_state, changed_since_last_backup, default_backup_folder,
    list_backups, take_automatic_backup,
};
pub use backup::{BackupSummary, backup_file, replace_with_backup, restore_backup, write_backup};
pub use clients::PartsMap;
pub use note_history::NoteRevision;
pub use output_file::Overwrite;
pub(crate) use output_file::{Output, OutputFile};
pub(crate) use private_file::create_private_file;
pub use revisions::ClientRevision;
pub use store::Table;
pub use verify::{Problem, VerifyReport};

use crate::crypto::{KdfParams, KdfParamsProblem, RecoveryKey, SymmetricKey};
use crate::error::{Error, Internal, Refusal, Result};
use crate::records::{
    Agreement, Client, ClientProfile, Clinician, Measure, Part, PartGroup, Relationship, Session,
    Timestamp,
};
use crate::rules::{DosingThresholds, RuleSettings};
use audit::{AuditAction as Action, RowWritten};
use header::Header;
use revisions::ClientRevisions;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use store::{Identified, Keys, RowMeta};
use writer_lock::WriterLock;

/// The shortest passphrase a new vault accepts.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Whether a vault is opened to read only (export, verify) or to write. Writers hold
/// the vault's writer lock; readers never wait for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// Where the vault lives when no path is given: `<data dir>/kapnotes/vault.kapnotes`.
pub fn default_vault_path() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join("kapnotes").join("vault.kapnotes"))
}

pub(crate) fn kdf_problem(problem: KdfParamsProblem) -> Error {
    Error::DamagedHeader {
        detail: match problem {
            KdfParamsProblem::BelowFloor => {
                "its passphrase protection is weaker than kapnotes allows"
            }
            KdfParamsProblem::AboveCeiling => {
                "its passphrase protection would take too long to unlock"
            }
        },
    }
}

/// An unlocked vault. Dropping it (or calling [`Vault::lock`]) drops the keys and
/// releases the writer lock.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    header: Header,
    keys: Keys,
    writer: Option<WriterLock>,
    /// Which clients changed through this vault since it was unlocked.
    revisions: ClientRevisions,
    /// The failed unlock attempts this unlock found counted and wrote into the trail.
    failed_unlocks: Option<String>,
    /// What was wrong with the audit trail, or with a row against it, when the vault
    /// was unlocked. Non-empty means changes are refused (docs/SECURITY.md).
    trail_problems: Vec<String>,
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

fn check_new_passphrase(passphrase: &str) -> Result<()> {
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

/// The rows behind a loaded client: what each record's plaintext columns were, so a
/// change can bump the right revision.
pub(crate) struct LoadedClient {
    pub client: Client,
    pub rows: HashMap<(Table, String), RowMeta>,
}

/// A record kept in its own row under a client.
pub(crate) trait ClientRecord:
    serde::Serialize + serde::de::DeserializeOwned + PartialEq + Identified
{
    const TABLE: Table;
}

macro_rules! client_record {
    ($type:ty, $table:expr) => {
        impl ClientRecord for $type {
            const TABLE: Table = $table;
        }
        impl Identified for $type {
            fn record_id(&self) -> &str {
                &self.id
            }
        }
    };
}
client_record!(Part, Table::Parts);
client_record!(Relationship, Table::Relationships);
client_record!(Agreement, Table::Agreements);
client_record!(Session, Table::Sessions);
client_record!(Measure, Table::Measures);
client_record!(PartGroup, Table::Groups);

impl Identified for ClientProfile {
    fn record_id(&self) -> &str {
        &self.id
    }
}

/// How a change treats the session notes it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteHistory {
    /// Keep a revision when the editing burst is new or text was removed.
    Automatic,
    /// Always keep the note being replaced (restoring an older revision).
    KeepReplaced,
}

pub(crate) const CLINICIAN_SETTING: &str = "clinician";
/// The dosing-day thresholds the clinician changed (no row: all defaults).
pub(crate) const THRESHOLDS_SETTING: &str = "thresholds";
/// When the vault gained the dosing-day record; written once, never changed.
pub(crate) const DOSING_DAY_SINCE_SETTING: &str = "dosing_day_since";

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

    /// A write transaction from `&self`, taken at once (so it never has to upgrade a
    /// read lock, which fails rather than waits when another writer got in first).
    fn immediate_transaction(&self) -> Result<Transaction<'_>> {
        Ok(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        )?)
    }

    /// Writes `events` into the audit trail on their own (for exports, documents and
    /// backups, which change no record). A vault from before the audit trail, opened
    /// read-only, has no trail to write to and is left as it is.
    pub(crate) fn record_events(&self, events: &[AuditEvent]) -> Result<()> {
        // A damaged trail takes no entry (docs/SECURITY.md: records can still be read
        // and exported, to rescue them, but nothing more is recorded).
        if !audit::is_present(&self.conn)? || !self.trail_problems.is_empty() {
            return Ok(());
        }
        let tx = self.immediate_transaction()?;
        audit::append(&tx, &self.keys, events)?;
        tx.commit()?;
        Ok(())
    }

    /// Records that clinical data left the vault unencrypted (an export or a
    /// document). A vault opened read-only from a file that cannot be written (a backup
    /// on read-only media) cannot hold the entry, and lets the data out unrecorded.
    pub(crate) fn record_disclosure(&self, event: AuditEvent) -> Result<()> {
        match self.record_events(&[event]) {
            // Only the file's own refusal to be written; any other failure to record
            // stops the disclosure.
            Err(Error::Storage(e))
                if !self.is_writable()
                    && e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// The whole audit trail, with any break in its chain.
    pub fn audit_trail(&self) -> Result<AuditTrail> {
        audit::read(&self.conn, &self.keys)
    }

    /// The entries about one client (the whole chain is still checked).
    pub fn client_audit_trail(&self, client_id: &str) -> Result<AuditTrail> {
        let mut trail = self.audit_trail()?;
        trail
            .entries
            .retain(|entry| entry.client_id.as_deref() == Some(client_id));
        Ok(trail)
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

    /// Locks the vault: the keys and every decrypted cache are dropped.
    pub fn lock(self) {}

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn vault_id(&self) -> &str {
        &self.header.vault_id
    }

    pub fn is_writable(&self) -> bool {
        self.writer.is_some()
    }

    fn require_writable(&self) -> Result<()> {
        if self.writer.is_none() {
            return Err(Refusal::ReadOnly.into());
        }
        if let Some(problem) = self.trail_problems.first() {
            return Err(audit::damaged(problem.trim_end_matches('.')));
        }
        Ok(())
    }

    /// Checks that `passphrase` is the vault's current passphrase (before a change of
    /// passphrase, say), without touching the open vault.
    pub fn check_passphrase(&self, passphrase: &str) -> Result<()> {
        let current = Header::read(&self.conn)?.ok_or(Error::DamagedHeader {
            detail: "it is missing",
        })?;
        current.unwrap_with_passphrase(passphrase).map(drop)
    }

    /// Rewraps the data key under a new passphrase. Records are not re-encrypted;
    /// backups taken before keep opening with the passphrase of their day.
    pub fn change_passphrase(&mut self, new_passphrase: &str) -> Result<()> {
        self.require_writable()?;
        check_new_passphrase(new_passphrase)?;
        let kdf = self.strengthened_kdf();
        let mut header = self.header.clone();
        header.wrap_for_passphrase(&self.keys.master, new_passphrase, kdf)?;
        self.replace_header(header, Action::PassphraseChanged)
    }

    /// The vault's key-derivation setting, strengthened to today's when it was made with
    /// a weaker one (below-floor settings only exist in test vaults and stay as they are).
    fn strengthened_kdf(&self) -> KdfParams {
        let current = self.header.kdf;
        if current.meets_floor()
            && u64::from(current.memory_kib) * u64::from(current.iterations)
                < u64::from(KdfParams::PRODUCTION.memory_kib)
                    * u64::from(KdfParams::PRODUCTION.iterations)
        {
            KdfParams::PRODUCTION
        } else {
            current
        }
    }

    /// Makes a new recovery key; the previous one stops working.
    pub fn regenerate_recovery_key(&mut self) -> Result<RecoveryKey> {
        self.require_writable()?;
        let recovery = RecoveryKey::generate()?;
        let mut header = self.header.clone();
        header.wrap_for_recovery(&self.keys.master, &recovery)?;
        self.replace_header(header, Action::RecoveryKeyReplaced)?;
        Ok(recovery)
    }

    /// Re-encrypts every record under a new data key, for a suspected compromise. The
    /// passphrase stays the same (it is asked for again, to wrap the new key) and a new
    /// recovery key replaces the old one. Backups taken before keep their old key and
    /// keep opening with the passphrase of their day. All or nothing.
    pub fn rotate_data_key(&mut self, passphrase: &str) -> Result<RecoveryKey> {
        self.require_writable()?;
        self.check_passphrase(passphrase)?;
        self.rekey(passphrase, self.header.kdf, Action::DataKeyRotated)
    }

    /// "Someone may know my passphrase": a new passphrase, a new data key (every record
    /// re-encrypted) and a new recovery key, in one transaction. It protects the vault
    /// and the copies made from now on; a copy made before still opens with the old
    /// passphrase and the old recovery key.
    pub fn replace_every_secret(
        &mut self,
        current_passphrase: &str,
        new_passphrase: &str,
    ) -> Result<RecoveryKey> {
        self.require_writable()?;
        self.check_passphrase(current_passphrase)?;
        check_new_passphrase(new_passphrase)?;
        let kdf = self.strengthened_kdf();
        self.rekey(new_passphrase, kdf, Action::SecretsReplaced)
    }

    /// A new data key wrapped under `passphrase`, every record and audit entry resealed
    /// under it, and a new recovery key: one transaction.
    fn rekey(&mut self, passphrase: &str, kdf: KdfParams, action: Action) -> Result<RecoveryKey> {
        let new_keys = Keys::new(
            &self.header.vault_id,
            SymmetricKey::generate()?,
            header::SealLayout::WithTrail,
        );
        let recovery = RecoveryKey::generate()?;
        let mut header = self.header.clone();
        header.wrap_for_passphrase(&new_keys.master, passphrase, kdf)?;
        header.wrap_for_recovery(&new_keys.master, &recovery)?;
        let tx = self.conn.transaction()?;
        // The stored header is checked under the old key before anything is re-sealed,
        // and every row against the trail: a rotation re-records every row as it is, so
        // a row put back or moved since the unlock's check would pass for genuine after.
        audit::current_head(&tx, &self.keys)?;
        let trail = audit::read(&tx, &self.keys)?;
        let against_trail = verify::check_rows_against_trail(&tx, &trail, &Default::default())?;
        if let Some(problem) = trail.problems.iter().chain(&against_trail).next() {
            return Err(audit::damaged(problem.clone()));
        }
        for table in Table::ALL {
            for (meta, sealed) in store::load_rows(&tx, table, None)? {
                let resealed = self.keys.reseal(&new_keys, table, &meta, &sealed)?;
                store::replace_sealed(&tx, table, &meta.id, &resealed)?;
            }
        }
        let head = audit::rekey(&tx, &self.keys, &new_keys)?;
        let mut events = vec![AuditEvent::new(action)];
        events.extend(audit::every_row_recorded_as(&tx, Action::Resealed)?);
        audit::append_with(&tx, &new_keys, header.clone(), head, &events)?;
        tx.commit()?;
        self.header = header;
        self.keys = new_keys;
        Ok(recovery)
    }

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

    /// Writes `header` (new key wraps) sealed with the trail, with its audit entry.
    fn replace_header(&mut self, header: Header, action: AuditAction) -> Result<()> {
        let tx = self.conn.transaction()?;
        let (_, head) = audit::current_head(&tx, &self.keys)?;
        audit::append_with(
            &tx,
            &self.keys,
            header.clone(),
            head,
            &[AuditEvent::new(action)],
        )?;
        tx.commit()?;
        self.header = header;
        Ok(())
    }

    // ----- settings -----

    /// The clinician whose records these are, if set.
    pub fn clinician(&self) -> Result<Option<Clinician>> {
        match store::load_row(&self.conn, Table::Settings, CLINICIAN_SETTING)? {
            Some((meta, sealed)) => Ok(Some(self.keys.open(Table::Settings, &meta, &sealed)?)),
            None => Ok(None),
        }
    }

    /// Sets (or clears, with `None`) the clinician printed on documents.
    pub fn set_clinician(&mut self, clinician: Option<&Clinician>) -> Result<()> {
        self.require_writable()?;
        if let Some(clinician) = clinician {
            crate::validation::validate_clinician(clinician)?;
            crate::validation::text::check_changed_clinician(
                clinician,
                self.clinician()?.as_ref(),
            )?;
        }
        let tx = self.conn.transaction()?;
        write_setting(&tx, &self.keys, CLINICIAN_SETTING, clinician)?;
        audit::append(&tx, &self.keys, &[setting_event(&tx, CLINICIAN_SETTING)?])?;
        tx.commit()?;
        Ok(())
    }

    fn setting<T: serde::de::DeserializeOwned>(&self, id: &str) -> Result<Option<T>> {
        match store::load_row(&self.conn, Table::Settings, id)? {
            Some((meta, sealed)) => Ok(Some(self.keys.open(Table::Settings, &meta, &sealed)?)),
            None => Ok(None),
        }
    }

    /// The dosing-day thresholds the rules use: the clinician's changes over the
    /// defaults.
    pub fn thresholds(&self) -> Result<DosingThresholds> {
        Ok(self
            .setting::<DosingThresholds>(THRESHOLDS_SETTING)?
            .unwrap_or_default())
    }

    /// Sets the dosing-day thresholds; all defaults removes the setting. A value out of
    /// its bounds, or a warning beyond its stop, is refused with its path.
    pub fn set_thresholds(&mut self, thresholds: &DosingThresholds) -> Result<()> {
        self.require_writable()?;
        let thresholds = thresholds.clone().normalized();
        thresholds.check("/thresholds")?;
        if thresholds == self.thresholds()? {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        write_setting(
            &tx,
            &self.keys,
            THRESHOLDS_SETTING,
            (!thresholds.is_default()).then_some(&thresholds),
        )?;
        audit::append(&tx, &self.keys, &[setting_event(&tx, THRESHOLDS_SETTING)?])?;
        tx.commit()?;
        Ok(())
    }

    /// When this vault gained the dosing-day record (created, or first opened for
    /// writing by a kapnotes that has it). `None` until then.
    pub fn dosing_day_since(&self) -> Result<Option<Timestamp>> {
        self.setting(DOSING_DAY_SINCE_SETTING)
    }

    /// What the rules judge by beside the records: the same for the app and the CLI.
    pub fn rule_settings(&self) -> Result<RuleSettings> {
        Ok(RuleSettings {
            thresholds: self.thresholds()?,
            dosing_day_since: self.dosing_day_since()?.map(|t| t.instant()),
        })
    }

    // ----- loading -----

    /// A client's records without their map history: what a change works on.
    pub(crate) fn load_client(&self, client_id: &str) -> Result<LoadedClient> {
        load_client_from(&self.conn, &self.keys, client_id)
    }

    /// When a client's map history began (`None` before the vault's upgrade to it).
    pub(crate) fn map_history_since(&self, client_id: &str) -> Result<Option<Timestamp>> {
        map_history::since(&self.conn, &self.keys, client_id)
    }

    /// A client's map history (`None` before the vault's upgrade to it).
    pub(crate) fn load_map_history(
        &self,
        client_id: &str,
    ) -> Result<Option<crate::records::MapHistory>> {
        map_history::load(&self.conn, &self.keys, client_id)
    }

    /// The ids of every client, in creation order.
    pub(crate) fn client_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM clients ORDER BY creation_order, id")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// The client a child record belongs to.
    pub(crate) fn client_of(&self, table: Table, id: &str) -> Result<String> {
        store::parent_of(&self.conn, table, id)?.ok_or_else(|| Error::NotFound {
            what: table.record_name(),
            id: id.to_owned(),
        })
    }

    /// A client's records as they are today, without the map's history (what search
    /// reads).
    pub(crate) fn records_today(&self, client_id: &str) -> Result<Client> {
        Ok(self.load_client(client_id)?.client)
    }

    /// The state of a client's records as this unlocked vault knows it: a caller that
    /// keeps something derived from them (search's index) builds it again when this
    /// differs from the revision it was built from. A new unlock starts new revisions.
    pub fn client_revision(&self, client_id: &str) -> ClientRevision {
        self.revisions.of(client_id)
    }

    // ----- the one write path -----

    /// Applies `change` to a client's whole record, checks the result, and writes the
    /// rows that changed in one transaction. On any error nothing is written.
    pub(crate) fn modify_client<T>(
        &mut self,
        client_id: &str,
        history: NoteHistory,
        change: impl FnOnce(&mut Client) -> Result<T>,
    ) -> Result<T> {
        self.require_writable()?;
        let loaded = self.load_client(client_id)?;
        let mut updated = loaded.client.clone();
        let out = change(&mut updated)?;
        // The history is derived from the change below, never taken from the caller.
        updated.map_history = None;
        updated.sort_canonically();
        if updated.profile.id != loaded.client.profile.id {
            return Err(Refusal::ClientIdChanged.into());
        }
        clients::guard_signed_sessions(&loaded.client, &updated)?;
        crate::validation::validate_client(&updated)?;
        crate::validation::text::check_changed_client(&mut updated, Some(&loaded.client))?;
        let tx = self.conn.transaction()?;
        let mut written = write_client_changes(&tx, &self.keys, &loaded, &updated, history)?;
        written.extend(write_map_versions(
            &tx,
            &self.keys,
            &loaded.client,
            &updated,
        )?);
        let events = audit::describe_change(
            written,
            &loaded.client,
            &updated,
            history == NoteHistory::KeepReplaced,
        );
        audit::append(&tx, &self.keys, &events)?;
        tx.commit()?;
        self.revisions.changed(client_id);
        Ok(out)
    }

    /// Inserts whole clients (and, for an import into a vault that has none, the
    /// clinician) in one transaction. The caller has validated them.
    pub(crate) fn insert_clients(
        &mut self,
        clients: &[Client],
        clinician: Option<&Clinician>,
        thresholds: Option<&DosingThresholds>,
        action: AuditAction,
    ) -> Result<()> {
        self.require_writable()?;
        let set_clinician = clinician.is_some() && self.clinician()?.is_none();
        // Like the clinician: taken from a document only by a vault that has none of
        // its own, so an import never replaces what the clinician set here.
        let set_thresholds = thresholds.filter(|t| !t.is_default()).is_some()
            && self
                .setting::<DosingThresholds>(THRESHOLDS_SETTING)?
                .is_none();
        let tx = self.conn.transaction()?;
        let mut events = Vec::new();
        let now = Timestamp::now();
        for client in clients {
            // Every row gets its own entry, so each one is checked against the trail.
            let mut rows = insert_client(&tx, &self.keys, client)?;
            rows.extend(map_history::start_for_new_client(
                &tx, &self.keys, client, &now,
            )?);
            for (i, row) in rows.into_iter().enumerate() {
                let mut event = AuditEvent::new(action)
                    .client(client.id())
                    .record(row.table, &row.id);
                if let Some(sealed) = &row.sealed {
                    event = event.sealed_content(sealed);
                }
                if i == 0 && action == Action::Imported {
                    event = event.detail(format!(
                        "{} parts, {} sessions, {} measures",
                        client.parts.len(),
                        client.sessions.len(),
                        client.measures.len()
                    ));
                }
                events.push(event);
            }
        }
        if set_clinician {
            write_setting(&tx, &self.keys, CLINICIAN_SETTING, clinician)?;
            events.push(setting_event(&tx, CLINICIAN_SETTING)?);
        }
        if set_thresholds {
            write_setting(&tx, &self.keys, THRESHOLDS_SETTING, thresholds)?;
            events.push(setting_event(&tx, THRESHOLDS_SETTING)?);
        }
        audit::append(&tx, &self.keys, &events)?;
        tx.commit()?;
        for client in clients {
            self.revisions.changed(client.id());
        }
        Ok(())
    }
}

fn load_children<T: ClientRecord>(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
    rows: &mut HashMap<(Table, String), RowMeta>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    // A vault of an older format, read before its upgrade, has no table a later one added.
    if T::TABLE == Table::Groups && !store::exists(conn, T::TABLE)? {
        return Ok(out);
    }
    for (meta, sealed) in store::load_rows(conn, T::TABLE, Some(client_id))? {
        let record: T = keys.open_record(T::TABLE, &meta, &sealed)?;
        out.push(record);
        rows.insert((T::TABLE, meta.id.clone()), meta);
    }
    Ok(out)
}

/// A client's records (without the map history) as stored, with their rows.
fn load_client_from(conn: &Connection, keys: &Keys, client_id: &str) -> Result<LoadedClient> {
    let (meta, sealed) = store::require_row(conn, Table::Clients, client_id)?;
    let profile: ClientProfile = keys.open_record(Table::Clients, &meta, &sealed)?;
    let mut rows = HashMap::new();
    rows.insert((Table::Clients, meta.id.clone()), meta);
    let mut client = Client {
        profile,
        parts: load_children(conn, keys, client_id, &mut rows)?,
        relationships: load_children(conn, keys, client_id, &mut rows)?,
        agreements: load_children(conn, keys, client_id, &mut rows)?,
        sessions: load_children(conn, keys, client_id, &mut rows)?,
        measures: load_children(conn, keys, client_id, &mut rows)?,
        groups: load_children(conn, keys, client_id, &mut rows)?,
        map_history: None,
    };
    client.sort_canonically();
    Ok(LoadedClient { client, rows })
}

/// The audit event for a change of the setting `id` (written just before).
fn setting_event(tx: &Transaction<'_>, id: &str) -> Result<AuditEvent> {
    Ok(match store::load_row(tx, Table::Settings, id)? {
        Some((_, sealed)) => AuditEvent::new(Action::Updated)
            .record(Table::Settings, id)
            .sealed_content(&sealed),
        None => AuditEvent::new(Action::Deleted).record(Table::Settings, id),
    })
}

/// Records, once, that the vault has the dosing-day record from now on, with its audit
/// entry. A vault that already has the date keeps it.
fn record_dosing_day_since(tx: &Transaction<'_>, keys: &Keys) -> Result<()> {
    if store::load_row(tx, Table::Settings, DOSING_DAY_SINCE_SETTING)?.is_some() {
        return Ok(());
    }
    write_setting(tx, keys, DOSING_DAY_SINCE_SETTING, Some(&Timestamp::now()))?;
    let Some((_, sealed)) = store::load_row(tx, Table::Settings, DOSING_DAY_SINCE_SETTING)? else {
        return Err(Internal::SettingNotReadBack.into());
    };
    let event = AuditEvent::new(Action::Created)
        .record(Table::Settings, DOSING_DAY_SINCE_SETTING)
        .sealed_content(&sealed)
        .detail("the date from which dosing days are recorded in full");
    audit::append(tx, keys, &[event])
}

/// Writes (or deletes, with `None`) the sealed setting `id`.
fn write_setting<T: serde::Serialize>(
    tx: &Transaction<'_>,
    keys: &Keys,
    id: &str,
    value: Option<&T>,
) -> Result<()> {
    let existing = store::load_row(tx, Table::Settings, id)?;
    match (value, existing) {
        (None, Some(_)) => store::delete(tx, Table::Settings, id)?,
        (None, None) => {}
        (Some(value), Some((mut meta, _))) => {
            meta.revision += 1;
            let sealed = keys.seal(Table::Settings, &meta, value)?;
            store::update(tx, Table::Settings, &meta, &sealed)?;
        }
        (Some(value), None) => {
            let meta = RowMeta {
                id: id.into(),
                parent: None,
                creation_order: store::next_creation_order(tx, Table::Settings)?,
                revision: 1,
            };
            let sealed = keys.seal(Table::Settings, &meta, value)?;
            store::insert(tx, Table::Settings, &meta, &sealed)?;
        }
    }
    Ok(())
}

/// Inserts a whole client; returns every row it wrote, the client's own first.
fn insert_client(tx: &Transaction<'_>, keys: &Keys, client: &Client) -> Result<Vec<RowWritten>> {
    let meta = RowMeta {
        id: client.profile.id.clone(),
        parent: None,
        creation_order: store::next_creation_order(tx, Table::Clients)?,
        revision: 1,
    };
    let sealed = keys.seal(Table::Clients, &meta, &client.profile)?;
    store::insert(tx, Table::Clients, &meta, &sealed)?;
    let mut written = vec![RowWritten {
        action: Action::Created,
        table: Table::Clients,
        id: meta.id,
        sealed: Some(sealed),
        session: None,
    }];
    let empty = LoadedClient {
        client: Client::new(client.profile.clone()),
        rows: HashMap::new(),
    };
    write_children(tx, keys, &empty, client, &mut written)?;
    Ok(written)
}

/// Writes the child rows that differ between `old` and `new`, and notes each in
/// `written` (for the audit trail).
fn write_children(
    tx: &Transaction<'_>,
    keys: &Keys,
    old: &LoadedClient,
    new: &Client,
    written: &mut Vec<RowWritten>,
) -> Result<()> {
    let client_id = new.id();
    let (before, rows) = (&old.client, &old.rows);
    sync_table(
        tx,
        keys,
        client_id,
        &before.parts,
        &new.parts,
        rows,
        written,
    )?;
    sync_table(
        tx,
        keys,
        client_id,
        &before.relationships,
        &new.relationships,
        rows,
        written,
    )?;
    sync_table(
        tx,
        keys,
        client_id,
        &before.agreements,
        &new.agreements,
        rows,
        written,
    )?;
    sync_table(
        tx,
        keys,
        client_id,
        &before.sessions,
        &new.sessions,
        rows,
        written,
    )?;
    sync_table(
        tx,
        keys,
        client_id,
        &before.measures,
        &new.measures,
        rows,
        written,
    )?;
    sync_table(
        tx,
        keys,
        client_id,
        &before.groups,
        &new.groups,
        rows,
        written,
    )
}

/// Writes the map history versions a change makes (none for a drag or a fold), in the
/// change's transaction. A client whose history has not begun (it cannot happen once
/// the vault is up to date) has it begun here, with the map as it was before.
fn write_map_versions(
    tx: &Transaction<'_>,
    keys: &Keys,
    old: &Client,
    new: &Client,
) -> Result<Vec<RowWritten>> {
    use crate::parts_history::{MapState, baseline, versions_between};
    let old_map = MapState::of(old);
    let new_map = MapState::of(new);
    if versions_between(&old_map, &new_map, &Timestamp::now()).is_empty() {
        return Ok(Vec::new());
    }
    // A history is a timeline: a clock set back since the last change still writes
    // after it, so the versions stay in time order.
    let last = map_history::last_at(tx, keys, new.id())?;
    let now = match &last {
        Some(last) if *last > Timestamp::now() => last.clone(),
        _ => Timestamp::now(),
    };
    let versions = versions_between(&old_map, &new_map, &now);
    let mut written = Vec::new();
    if last.is_none() {
        written.extend(map_history::append(
            tx,
            keys,
            new.id(),
            Some(&now),
            &baseline(&MapState::of(old), &now),
        )?);
    }
    written.extend(map_history::append(tx, keys, new.id(), None, &versions)?);
    Ok(written)
}

/// Writes every row that differs between `old` and `new`; returns what it wrote.
fn write_client_changes(
    tx: &Transaction<'_>,
    keys: &Keys,
    old: &LoadedClient,
    new: &Client,
    history: NoteHistory,
) -> Result<Vec<RowWritten>> {
    let mut written = Vec::new();
    if old.client.profile != new.profile {
        let mut meta = old.rows[&(Table::Clients, new.id().to_owned())].clone();
        meta.revision += 1;
        let sealed = keys.seal(Table::Clients, &meta, &new.profile)?;
        store::update(tx, Table::Clients, &meta, &sealed)?;
        written.push(RowWritten {
            action: Action::Updated,
            table: Table::Clients,
            id: meta.id,
            sealed: Some(sealed),
            session: None,
        });
    }
    for session in &new.sessions {
        if let Some(before) = old.client.session(&session.id)
            && before.note != session.note
        {
            written.extend(note_history::remember(
                tx,
                keys,
                &session.id,
                &before.note,
                &session.note,
                history,
            )?);
        }
    }
    write_children(tx, keys, old, new, &mut written)?;
    Ok(written)
}

/// Writes the difference between two lists of one kind of record: deletes the rows
/// that went, inserts the new ones (in list order), and reseals changed ones under
/// the next revision.
fn sync_table<T: ClientRecord>(
    tx: &Transaction<'_>,
    keys: &Keys,
    client_id: &str,
    old: &[T],
    new: &[T],
    rows: &HashMap<(Table, String), RowMeta>,
    written: &mut Vec<RowWritten>,
) -> Result<()> {
    let table = T::TABLE;
    for gone in old
        .iter()
        .filter(|o| !new.iter().any(|n| n.record_id() == o.record_id()))
    {
        // A session's note revisions go with it (ON DELETE CASCADE), each recorded.
        if table == Table::Sessions {
            for (revision, _) in store::load_rows(tx, Table::NoteRevisions, Some(gone.record_id()))?
            {
                written.push(RowWritten {
                    action: Action::Deleted,
                    table: Table::NoteRevisions,
                    id: revision.id,
                    sealed: None,
                    session: Some(gone.record_id().to_owned()),
                });
            }
        }
        store::delete(tx, table, gone.record_id())?;
        written.push(RowWritten {
            action: Action::Deleted,
            table,
            id: gone.record_id().to_owned(),
            sealed: None,
            session: None,
        });
    }
    let mut next_order = None;
    for record in new {
        match old.iter().find(|o| o.record_id() == record.record_id()) {
            Some(before) if before == record => {}
            Some(_) => {
                let mut meta = rows
                    .get(&(table, record.record_id().to_owned()))
                    .cloned()
                    .ok_or_else(|| Error::NotFound {
                        what: table.record_name(),
                        id: record.record_id().to_owned(),
                    })?;
                meta.revision += 1;
                let sealed = keys.seal(table, &meta, record)?;
                store::update(tx, table, &meta, &sealed)?;
                written.push(RowWritten {
                    action: Action::Updated,
                    table,
                    id: meta.id,
                    sealed: Some(sealed),
                    session: None,
                });
            }
            None => {
                let order = match next_order {
                    Some(order) => order,
                    None => store::next_creation_order(tx, table)?,
                };
                next_order = Some(order + 1);
                let meta = RowMeta {
                    id: record.record_id().to_owned(),
                    parent: Some(client_id.to_owned()),
                    creation_order: order,
                    revision: 1,
                };
                let sealed = keys.seal(table, &meta, record)?;
                store::insert(tx, table, &meta, &sealed).map_err(|e| match e {
                    Error::Storage(ref inner)
                        if inner.sqlite_error_code()
                            == Some(rusqlite::ErrorCode::ConstraintViolation) =>
                    {
                        Error::rejected(
                            "",
                            format!(
                                "the id {} is already used in this vault",
                                record.record_id()
                            ),
                        )
                    }
                    other => other,
                })?;
                written.push(RowWritten {
                    action: Action::Created,
                    table,
                    id: meta.id,
                    sealed: Some(sealed),
                    session: None,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{MapHistory, MapVersion, VersionedRecord};

    /// A change cannot hand the vault a history: whatever the closure puts in
    /// `map_history` is neither judged nor stored; the versions come from the change.
    #[test]
    fn a_change_cannot_write_its_own_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.kapnotes");
        let (mut vault, _) = Vault::create_insecure_for_tests(&path, "a long passphrase").unwrap();
        crate::interchange::import(
            &mut vault,
            include_str!("../../tests/fixtures/interchange/example.json"),
        )
        .unwrap();
        let client_id = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e01";
        let before = vault.client(client_id).unwrap().map_history.unwrap();
        let forged = MapHistory {
            since: Timestamp::parse("2030-01-01T00:00:00+00:00").unwrap(),
            // Before its own start: a history the rules would refuse.
            versions: vec![MapVersion {
                at: Timestamp::parse("2020-01-01T00:00:00+00:00").unwrap(),
                record: VersionedRecord::Part(Part::new("Forged", crate::records::PartRole::Exile)),
            }],
        };
        vault
            .modify_client(client_id, NoteHistory::Automatic, |client| {
                client.parts[0].name = "Self, renamed".into();
                client.map_history = Some(forged.clone());
                Ok(())
            })
            .unwrap();
        let after = vault.client(client_id).unwrap().map_history.unwrap();
        assert_eq!(after.since, before.since);
        assert_eq!(after.versions[..before.versions.len()], before.versions[..]);
        assert_eq!(after.versions.len(), before.versions.len() + 1);
        assert!(
            matches!(&after.versions[before.versions.len()].record, VersionedRecord::Part(p) if p.name == "Self, renamed")
        );
    }
}
