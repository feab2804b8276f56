//! The encrypted vault: one SQLite file holding sealed records, the keys that open
//! them, and the audit trail. Storage, keys and the trail only: import and export
//! (`interchange`), search and documents are layers above that call this API, and
//! whether a record is valid is `validation`'s, a layer below.
//!
//! Opening a vault ([`Vault::unlock`], unlock.rs) derives the key-encryption key from
//! the passphrase, unwraps the data key, checks the header seal, and checks the trail
//! and every row against it. A change to a client's existing records goes through one
//! path ([`Vault::modify_client`], write.rs): load the client's whole record, apply the
//! change in memory, refuse it if it breaks a signed note or is not valid, then write
//! only the rows that changed, with their audit entries, in one transaction. Creating
//! or deleting a client, an import (`Vault::insert_clients`), the settings
//! (settings.rs) and the secrets (secrets.rs) write their own transactions, each with
//! its audit entries. So the vault never holds a half-saved change or a dangling id.
//!
//! Beside the public API, the layers above use only these crate-visible parts, listed
//! here so that the list stays short: `Vault::client_ids`, `Vault::client_of`,
//! `Vault::records_today`, `Vault::insert_clients`, `Vault::record_disclosure`,
//! `OutputFile` and `AuditEvent` (to record what leaves the vault).

mod acknowledgements;
mod amendments;
mod attachments;
mod audit;
mod automatic_backup;
mod backup;
mod clients;
mod disposal;
mod header;
mod map_history;
mod note_history;
mod output_file;
mod private_file;
mod revisions;
mod schema;
mod secrets;
mod settings;
mod store;
mod unlock;
mod verify;
mod write;
mod writer_lock;

pub use amendments::{AmendmentChange, AmendmentDenial};
pub(crate) use attachments::{AddArchived, ArchivedContents};
pub use attachments::{CHUNK_BYTES, NewAttachment, archive_entry_name};
pub(crate) use audit::AuditEvent;
pub use audit::{AuditAction, AuditEntry, AuditTrail, BURST_SECONDS};
pub use automatic_backup::{
    BackupPolicy, BackupState, DEFAULT_POLICY, FoundBackup, STALE_AFTER_DAYS,
    automatic_backup_if_due, backup_state, changed_since_last_backup, default_backup_folder,
    list_backups, take_automatic_backup,
};
pub use backup::{BackupSummary, backup_file, replace_with_backup, restore_backup, write_backup};
pub use clients::PartsMap;
pub use disposal::{DisposalPreview, HeldBackup, RecordCount};
pub use note_history::NoteRevision;
pub use output_file::Overwrite;
pub(crate) use output_file::{Output, OutputFile};
use private_file::create_private_file;
pub use revisions::ClientRevision;
use settings::{CLINICIAN_SETTING, DOSING_DAY_SINCE_SETTING, THRESHOLDS_SETTING};
pub use store::Table;
use unlock::{open_sealed, remove_vault_files};
pub use verify::{Problem, VerifyReport};
pub(crate) use write::PracticeSettings;
use write::{ClientRecord, NoteHistory};

use crate::error::{Error, Refusal, Result};
use crate::records::Client;
use header::Header;
use revisions::ClientRevisions;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use store::Keys;
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

impl Vault {
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
    fn record_events(&self, events: &[AuditEvent]) -> Result<()> {
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

    // ----- for the layers above (interchange, search, documents) -----

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
    /// Only changes made through this `Vault` count: a read-only vault does not see what
    /// another process writes meanwhile (the app searches through its one writer).
    pub fn client_revision(&self, client_id: &str) -> ClientRevision {
        self.revisions.of(client_id)
    }

    // ----- the one write path -----
}
