//! What an entry says: the actions, the entry as the clinician sees it, the event about
//! to be written, editing bursts, and the events a change or a whole-vault pass makes.

use crate::error::Result;
use crate::records::{Client, Session, Timestamp};
use crate::vault::store::{RowMeta, Table, every_row};
use ring::digest;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// Saves to one record closer together than this are one entry.
pub const BURST_SECONDS: i64 = 120;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    VaultCreated,
    AuditStarted,
    Unlocked,
    FailedUnlocks,
    Created,
    Updated,
    Deleted,
    Signed,
    Addendum,
    NoteRestored,
    Imported,
    Exported,
    DocumentWritten,
    BackupTaken,
    Restored,
    PassphraseChanged,
    RecoveryKeyReplaced,
    DataKeyRotated,
    SecretsReplaced,
    /// A row as it was found when the trail began (format 1) or when a format-2
    /// vault's rows without an entry of their own were first recorded.
    Baseline,
    /// A row re-encrypted under a new data key.
    Resealed,
    /// A vault of format 2 brought up to date (its trail kept, every row re-sealed).
    Upgraded,
    /// A client's records disposed of at the end of their retention: the tombstone
    /// (how many records of each kind, no clinical text, not the name).
    Disposed,
}

impl AuditAction {
    /// How the action reads in the audit view and documents.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::VaultCreated => "vault created",
            AuditAction::AuditStarted => "audit trail started",
            AuditAction::Unlocked => "unlocked",
            AuditAction::FailedUnlocks => "failed unlock attempts",
            AuditAction::Created => "created",
            AuditAction::Updated => "edited",
            AuditAction::Deleted => "deleted",
            AuditAction::Signed => "signed",
            AuditAction::Addendum => "addendum added",
            AuditAction::NoteRestored => "earlier note brought back",
            AuditAction::Imported => "imported",
            AuditAction::Exported => "exported",
            AuditAction::DocumentWritten => "document written",
            AuditAction::BackupTaken => "backup taken",
            AuditAction::Restored => "restored from a backup",
            AuditAction::PassphraseChanged => "passphrase changed",
            AuditAction::RecoveryKeyReplaced => "new recovery key",
            AuditAction::DataKeyRotated => "data key rotated",
            AuditAction::SecretsReplaced => "passphrase, data key and recovery key replaced",
            AuditAction::Baseline => "recorded as found when the audit trail began",
            AuditAction::Resealed => "re-encrypted under the new key",
            AuditAction::Upgraded => "brought up to date by a newer kapnotes",
            AuditAction::Disposed => "disposed of at the end of retention",
        }
    }
}

/// One entry of the trail, as the clinician sees it. Holds no clinical text: record
/// ids, a hash of sealed bytes, and short non-clinical details (a count, a file name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    #[serde(skip)]
    pub position: u64,
    pub at: Timestamp,
    /// The last save of a burst (equal to `at` for a single event).
    pub last_at: Timestamp,
    pub action: AuditAction,
    /// The kind of record (`session`, `part`…), when the entry is about one.
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
    pub client_id: Option<String>,
    /// SHA-256 of the record's sealed bytes after the change, in hex.
    pub content_sha256: Option<String>,
    /// How many saves this entry stands for.
    pub count: u32,
    pub detail: Option<String>,
    /// The vault's write generation when this entry was last written (0 for entries
    /// written before format 3).
    #[serde(default)]
    pub generation: u64,
    /// For a note revision, its session (so a records request that leaves a session
    /// out leaves its revisions' entries out too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// An event about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub record: Option<(Table, String)>,
    pub client_id: Option<String>,
    pub content_sha256: Option<String>,
    pub detail: Option<String>,
    pub session_id: Option<String>,
}

impl AuditEvent {
    pub fn new(action: AuditAction) -> Self {
        AuditEvent {
            action,
            record: None,
            client_id: None,
            content_sha256: None,
            detail: None,
            session_id: None,
        }
    }

    pub fn client(mut self, client_id: &str) -> Self {
        self.client_id = Some(client_id.to_owned());
        self
    }

    pub fn record(mut self, table: Table, id: &str) -> Self {
        self.record = Some((table, id.to_owned()));
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn sealed_content(mut self, sealed: &[u8]) -> Self {
        self.content_sha256 = Some(sealed_sha256(sealed));
        self
    }
}

/// The trail read back, with whatever is wrong with its chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditTrail {
    pub entries: Vec<AuditEntry>,
    /// Empty when the chain is whole.
    pub problems: Vec<String>,
    /// The length the header seal records (0 when it could not be read).
    pub length: u64,
    /// The vault's write generation the header seal records (0 when unknown).
    pub generation: u64,
}

pub(super) fn writes_burst(newest: &AuditEntry, event: &AuditEvent, now: &Timestamp) -> bool {
    let Some((table, id)) = &event.record else {
        return false;
    };
    event.action == AuditAction::Updated
        && newest.action == AuditAction::Updated
        && newest.record_kind.as_deref() == Some(table.record_name())
        && newest.record_id.as_deref() == Some(id.as_str())
        && (now.instant() - newest.last_at.instant()).num_seconds() < BURST_SECONDS
}

pub(crate) fn sealed_sha256(sealed: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(digest::digest(&digest::SHA256, sealed).as_ref())
}

/// A baseline entry for one row as it is stored now.
fn baseline(table: Table, meta: &RowMeta, sealed: &[u8], client: Option<&str>) -> AuditEvent {
    let mut event = AuditEvent::new(AuditAction::Baseline)
        .record(table, &meta.id)
        .sealed_content(sealed);
    if table == Table::NoteRevisions {
        event.session_id = meta.parent.clone();
    }
    match client {
        Some(client) => event.client(client),
        None => event,
    }
}

/// One entry per stored row, as `action` (a rotation's or an upgrade's re-encryption,
/// or the baseline of a trail that begins), each with the hash of its sealed bytes.
pub(crate) fn every_row_recorded_as(
    conn: &Connection,
    action: AuditAction,
) -> Result<Vec<AuditEvent>> {
    Ok(every_row(conn)?
        .iter()
        .map(|(table, meta, sealed, client)| {
            let mut event = baseline(*table, meta, sealed, client.as_deref());
            event.action = action;
            event
        })
        .collect())
}

/// A row a change wrote: created, updated or deleted, with its sealed bytes unless it
/// went. The write path reports these, so the trail never diffs the records again.
pub(crate) struct RowWritten {
    pub action: AuditAction,
    pub table: Table,
    pub id: String,
    pub sealed: Option<Vec<u8>>,
    /// The session a note revision belongs to.
    pub session: Option<String>,
}

/// The events for the rows a change to one client's record wrote: an update to a
/// session says what kind it was (signed, an addendum, an earlier note brought back).
pub(crate) fn describe_change(
    written: Vec<RowWritten>,
    old: &Client,
    new: &Client,
    restoring_note: bool,
) -> Vec<AuditEvent> {
    written
        .into_iter()
        .map(|row| {
            let action = match (row.action, row.table) {
                (AuditAction::Updated, Table::Sessions) => {
                    match (old.session(&row.id), new.session(&row.id)) {
                        (Some(before), Some(after)) => {
                            session_action(before, after, restoring_note)
                        }
                        _ => AuditAction::Updated,
                    }
                }
                (action, _) => action,
            };
            let mut event = AuditEvent::new(action)
                .client(new.id())
                .record(row.table, &row.id);
            event.session_id = row.session;
            match &row.sealed {
                Some(sealed) => event.sealed_content(sealed),
                None => event,
            }
        })
        .collect()
}

fn session_action(before: &Session, after: &Session, restoring_note: bool) -> AuditAction {
    if before.signed_at.is_none() && after.signed_at.is_some() {
        AuditAction::Signed
    } else if after.addenda.len() > before.addenda.len() {
        AuditAction::Addendum
    } else if restoring_note {
        AuditAction::NoteRestored
    } else {
        AuditAction::Updated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: AuditAction, record_id: &str, last_at: &str) -> AuditEntry {
        let at = Timestamp::parse(last_at).unwrap();
        AuditEntry {
            position: 1,
            at: at.clone(),
            last_at: at,
            action,
            record_kind: Some("session".into()),
            record_id: Some(record_id.into()),
            client_id: None,
            content_sha256: None,
            count: 1,
            detail: None,
            generation: 0,
            session_id: None,
        }
    }

    #[test]
    fn a_burst_is_saves_to_one_record_without_a_long_pause() {
        let newest = entry(AuditAction::Updated, "a", "2026-11-23T10:00:00+00:00");
        let edit = |id: &str| AuditEvent::new(AuditAction::Updated).record(Table::Sessions, id);
        let at = |t: &str| Timestamp::parse(t).unwrap();
        assert!(writes_burst(
            &newest,
            &edit("a"),
            &at("2026-11-23T10:01:59+00:00")
        ));
        assert!(!writes_burst(
            &newest,
            &edit("a"),
            &at("2026-11-23T10:02:00+00:00")
        ));
        assert!(!writes_burst(
            &newest,
            &edit("b"),
            &at("2026-11-23T10:00:10+00:00")
        ));
        let signed = AuditEvent::new(AuditAction::Signed).record(Table::Sessions, "a");
        assert!(!writes_burst(
            &newest,
            &signed,
            &at("2026-11-23T10:00:10+00:00")
        ));
        let created = entry(AuditAction::Created, "a", "2026-11-23T10:00:00+00:00");
        assert!(!writes_burst(
            &created,
            &edit("a"),
            &at("2026-11-23T10:00:10+00:00")
        ));
        let part = AuditEvent::new(AuditAction::Updated).record(Table::Parts, "a");
        assert!(!writes_burst(
            &newest,
            &part,
            &at("2026-11-23T10:00:10+00:00")
        ));
    }
}
