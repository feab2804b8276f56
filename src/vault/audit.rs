//! The audit trail: one entry for every change to the vault (and every unlock, export,
//! document and backup the vault knows of), in a chain that cannot be edited, reordered,
//! cut short or have entries removed without `verify` noticing.
//!
//! Invariants:
//! - Each entry's body (when, what, which record, a SHA-256 of the record's *sealed*
//!   bytes) is itself sealed under the data key, bound to the vault and its position,
//!   so the trail holds no plaintext at all, clinical or otherwise.
//! - Each entry carries `mac = HMAC(audit key, previous mac ‖ position ‖ sealed body)`;
//!   the audit key is derived from the data key with HKDF. The chain's length and last
//!   mac are sealed in the vault header (`audit_head`), so cutting entries off the end
//!   is caught too.
//! - Entries are appended in the same transaction as the change they describe.
//! - Autosave edits to one record within [`BURST_SECONDS`] of each other update the
//!   newest entry (its count, last time and hash) instead of adding one per keystroke.
//! - A failed unlock has no key to write with: it is counted in `unlock_failures`, in
//!   plaintext, and that count is written into the chain at the next unlock for writing.
//!   (Someone with the file can reset that counter; the limit is in docs/SECURITY.md.)

use super::store::{Keys, Table};
use crate::crypto::{AssociatedData, SymmetricKey};
use crate::error::{Error, Result};
use crate::records::{Client, Session, Timestamp};
use ring::{digest, hkdf, hmac};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Saves to one record closer together than this are one entry.
pub const BURST_SECONDS: i64 = 120;

const MAC_LEN: usize = 32;
const GENESIS: [u8; MAC_LEN] = [0; MAC_LEN];

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// An event about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub record: Option<(Table, String)>,
    pub client_id: Option<String>,
    pub content_sha256: Option<String>,
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn new(action: AuditAction) -> Self {
        AuditEvent {
            action,
            record: None,
            client_id: None,
            content_sha256: None,
            detail: None,
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
        self.content_sha256 =
            Some(data_encoding::HEXLOWER.encode(digest::digest(&digest::SHA256, sealed).as_ref()));
        self
    }
}

/// The trail read back, with whatever is wrong with its chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditTrail {
    pub entries: Vec<AuditEntry>,
    /// Empty when the chain is whole.
    pub problems: Vec<String>,
}

struct AuditKey(hmac::Key);

impl AuditKey {
    fn derive(keys: &Keys) -> AuditKey {
        AuditKey::from_data_key(&keys.data_key, &keys.vault_id)
    }

    fn from_data_key(data_key: &SymmetricKey, vault_id: &str) -> AuditKey {
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, vault_id.as_bytes());
        let prk = salt.extract(data_key.dangerously_expose_bytes());
        let info: &[&[u8]] = &[b"kapnotes audit chain v1"];
        let mut bytes = Zeroizing::new([0u8; 32]);
        prk.expand(info, hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(bytes.as_mut()))
            .unwrap_or_else(|_| unreachable!("32 bytes is within HKDF-SHA256's output limit"));
        AuditKey(hmac::Key::new(hmac::HMAC_SHA256, bytes.as_ref()))
    }

    fn mac(&self, previous: &[u8], position: u64, sealed: &[u8]) -> Vec<u8> {
        let mut context = hmac::Context::with_key(&self.0);
        context.update(b"kapnotes audit entry");
        context.update(previous);
        context.update(&position.to_be_bytes());
        context.update(sealed);
        context.sign().as_ref().to_vec()
    }

    fn verify(&self, previous: &[u8], position: u64, sealed: &[u8], mac: &[u8]) -> bool {
        let mut message = b"kapnotes audit entry".to_vec();
        message.extend_from_slice(previous);
        message.extend_from_slice(&position.to_be_bytes());
        message.extend_from_slice(sealed);
        hmac::verify(&self.0, &message, mac).is_ok()
    }
}

fn entry_ad(vault_id: &str, position: u64) -> AssociatedData {
    AssociatedData::new("audit-entry")
        .field(vault_id.as_bytes())
        .field(&position.to_be_bytes())
}

fn head_ad(vault_id: &str) -> AssociatedData {
    AssociatedData::new("audit-head").field(vault_id.as_bytes())
}

/// The chain's length and last mac, as sealed in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head {
    length: u64,
    mac: Vec<u8>,
}

/// Whether this file has an audit trail at all (vaults from before it was added do not,
/// until they are first unlocked for writing).
pub(crate) fn is_present(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries')",
        [],
        |r| r.get(0),
    )?)
}

fn read_head(conn: &Connection, keys: &Keys) -> Result<Option<Head>> {
    let sealed: Option<Vec<u8>> = conn
        .query_row(
            "SELECT audit_head FROM vault_header WHERE singleton = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let damaged = || Error::DamagedHeader {
        detail: "its audit-trail seal does not open",
    };
    let opened = keys
        .data_key
        .open(&sealed, head_ad(&keys.vault_id).as_bytes())
        .map_err(|_| damaged())?;
    if opened.len() != 8 + MAC_LEN {
        return Err(damaged());
    }
    let mut length = [0u8; 8];
    length.copy_from_slice(&opened[..8]);
    Ok(Some(Head {
        length: u64::from_be_bytes(length),
        mac: opened[8..].to_vec(),
    }))
}

fn write_head(conn: &Connection, keys: &Keys, head: &Head) -> Result<()> {
    let mut plain = head.length.to_be_bytes().to_vec();
    plain.extend_from_slice(&head.mac);
    let sealed = keys
        .data_key
        .seal(&plain, head_ad(&keys.vault_id).as_bytes())?;
    conn.execute(
        "UPDATE vault_header SET audit_head = ?1 WHERE singleton = 1",
        [sealed],
    )?;
    Ok(())
}

fn mac_at(conn: &Connection, position: u64) -> Result<Vec<u8>> {
    if position == 0 {
        return Ok(GENESIS.to_vec());
    }
    conn.query_row(
        "SELECT mac FROM audit_entries WHERE position = ?1",
        [position as i64],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(broken_chain)
}

fn broken_chain() -> Error {
    Error::Refused(
        "The audit trail is damaged, so nothing more can be recorded; run `kapnotes verify` and restore a backup that verifies.".into(),
    )
}

fn seal_entry(keys: &Keys, position: u64, entry: &AuditEntry) -> Result<Vec<u8>> {
    let plain =
        Zeroizing::new(serde_json::to_vec(entry).map_err(|_| {
            Error::Refused("The audit entry could not be encoded for saving.".into())
        })?);
    Ok(keys
        .data_key
        .seal(&plain, entry_ad(&keys.vault_id, position).as_bytes())?)
}

fn open_entry(keys: &Keys, position: u64, sealed: &[u8]) -> Option<AuditEntry> {
    let plain = keys
        .data_key
        .open(sealed, entry_ad(&keys.vault_id, position).as_bytes())
        .ok()?;
    let mut entry: AuditEntry = serde_json::from_slice(&plain).ok()?;
    entry.position = position;
    Some(entry)
}

fn writes_burst(newest: &AuditEntry, event: &AuditEvent, now: &Timestamp) -> bool {
    let Some((table, id)) = &event.record else {
        return false;
    };
    event.action == AuditAction::Updated
        && newest.action == AuditAction::Updated
        && newest.record_kind.as_deref() == Some(table.record_name())
        && newest.record_id.as_deref() == Some(id.as_str())
        && (now.instant() - newest.last_at.instant()).num_seconds() < BURST_SECONDS
}

/// Starts the chain in a vault that has none yet (a new vault, or one made before the
/// audit trail existed). Does nothing when it has one.
pub(crate) fn start(conn: &Connection, keys: &Keys, action: AuditAction) -> Result<()> {
    if read_head(conn, keys)?.is_some() {
        return Ok(());
    }
    let existing: i64 = conn.query_row("SELECT COUNT(*) FROM audit_entries", [], |r| r.get(0))?;
    if existing > 0 {
        // Entries without a head: someone removed it. Never paper over that.
        return Err(broken_chain());
    }
    write_head(
        conn,
        keys,
        &Head {
            length: 0,
            mac: GENESIS.to_vec(),
        },
    )?;
    append(conn, keys, &[AuditEvent::new(action)])
}

/// Appends `events` to the chain inside the caller's transaction. An update to the
/// record the newest entry is about, within a burst, updates that entry instead.
pub(crate) fn append(conn: &Connection, keys: &Keys, events: &[AuditEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let Some(mut head) = read_head(conn, keys)? else {
        return Err(broken_chain());
    };
    let key = AuditKey::derive(keys);
    let now = Timestamp::now();
    // The newest entry and the mac before it are read once; after that they are the
    // entry this loop wrote last.
    let mut newest = match head.length {
        0 => None,
        n => {
            let sealed: Vec<u8> = conn.query_row(
                "SELECT sealed FROM audit_entries WHERE position = ?1",
                [n as i64],
                |r| r.get(0),
            )?;
            Some(open_entry(keys, n, &sealed).ok_or_else(broken_chain)?)
        }
    };
    let mut mac_before_newest = match head.length {
        0 => GENESIS.to_vec(),
        n => mac_at(conn, n - 1)?,
    };
    for event in events {
        let (entry, previous) = match newest.take() {
            Some(mut burst) if writes_burst(&burst, event, &now) => {
                burst.last_at = now.clone();
                burst.count = burst.count.saturating_add(1);
                burst.content_sha256 = event.content_sha256.clone();
                (burst, mac_before_newest.clone())
            }
            _ => {
                let entry = AuditEntry {
                    position: head.length + 1,
                    at: now.clone(),
                    last_at: now.clone(),
                    action: event.action,
                    record_kind: event
                        .record
                        .as_ref()
                        .map(|(table, _)| table.record_name().to_owned()),
                    record_id: event.record.as_ref().map(|(_, id)| id.clone()),
                    client_id: event.client_id.clone(),
                    content_sha256: event.content_sha256.clone(),
                    count: 1,
                    detail: event.detail.clone(),
                };
                mac_before_newest = head.mac.clone();
                (entry, head.mac.clone())
            }
        };
        let position = entry.position;
        let sealed = seal_entry(keys, position, &entry)?;
        let mac = key.mac(&previous, position, &sealed);
        conn.execute(
            "INSERT OR REPLACE INTO audit_entries (position, sealed, mac) VALUES (?1, ?2, ?3)",
            params![position as i64, sealed, mac],
        )?;
        head = Head {
            length: position,
            mac,
        };
        newest = Some(entry);
    }
    write_head(conn, keys, &head)
}

/// Reads the whole trail and checks its chain, reporting every break found.
pub(crate) fn read(conn: &Connection, keys: &Keys) -> Result<AuditTrail> {
    let mut trail = AuditTrail {
        entries: Vec::new(),
        problems: Vec::new(),
    };
    if !is_present(conn)? {
        return Ok(trail);
    }
    let head = match read_head(conn, keys) {
        Ok(head) => head,
        Err(e) => {
            trail.problems.push(e.to_string());
            None
        }
    };
    let key = AuditKey::derive(keys);
    let mut stmt =
        conn.prepare("SELECT position, sealed, mac FROM audit_entries ORDER BY position")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut previous = GENESIS.to_vec();
    let mut expected: u64 = 1;
    for (position, sealed, mac) in &rows {
        let position = *position as u64;
        if position != expected {
            trail.problems.push(format!(
                "Audit entries {expected} to {} are missing: the trail was cut.",
                position.saturating_sub(1).max(expected)
            ));
        }
        if !key.verify(&previous, position, sealed, mac) {
            trail.problems.push(format!(
                "Audit entry {position} does not fit the chain: it, or the one before it, was altered, moved or removed."
            ));
        }
        match open_entry(keys, position, sealed) {
            Some(entry) => trail.entries.push(entry),
            None => trail.problems.push(format!(
                "Audit entry {position} does not open: it was altered."
            )),
        }
        previous = mac.clone();
        expected = position + 1;
    }
    let found = rows.len() as u64;
    match head {
        None if found > 0 => trail
            .problems
            .push("The audit trail's seal in the vault header is missing.".into()),
        None => {}
        Some(head) => {
            let last = rows.last().map_or(0, |(p, _, _)| *p as u64);
            if head.length != last || head.mac != previous {
                trail.problems.push(format!(
                    "The audit trail was cut short or rolled back: the header expects {} entries, the file ends at {last}.",
                    head.length
                ));
            }
        }
    }
    Ok(trail)
}

/// Checks each record against the newest entry that recorded it (since the last
/// data-key rotation, which re-seals everything): a row whose sealed bytes are not the
/// ones recorded was rolled back or replaced, and a row recorded as deleted must not be
/// there. This is what catches a row put back to an older copy of itself, which still
/// authenticates on its own.
pub(crate) fn check_rows_against_trail(
    conn: &Connection,
    trail: &AuditTrail,
) -> Result<Vec<String>> {
    let since = trail
        .entries
        .iter()
        .rposition(|e| {
            matches!(
                e.action,
                AuditAction::DataKeyRotated | AuditAction::SecretsReplaced
            )
        })
        .map_or(0, |i| i + 1);
    let mut newest: std::collections::HashMap<(&str, &str), &AuditEntry> =
        std::collections::HashMap::new();
    for entry in &trail.entries[since..] {
        let recorded = entry.content_sha256.is_some() || entry.action == AuditAction::Deleted;
        if let (Some(kind), Some(id), true) = (&entry.record_kind, &entry.record_id, recorded) {
            newest.insert((kind.as_str(), id.as_str()), entry);
        }
    }
    let client_deleted = |client_id: &Option<String>| {
        client_id.as_deref().is_some_and(|id| {
            newest
                .get(&(Table::Clients.record_name(), id))
                .is_some_and(|e| e.action == AuditAction::Deleted)
        })
    };
    let mut problems = Vec::new();
    let mut checked: Vec<_> = newest.iter().collect();
    checked.sort_by_key(|(_, entry)| entry.position);
    for ((kind, id), entry) in checked {
        let Some(table) = Table::ALL.into_iter().find(|t| t.record_name() == *kind) else {
            continue;
        };
        let row = super::store::load_row(conn, table, id)?;
        match (entry.action, row, &entry.content_sha256) {
            (AuditAction::Deleted, Some(_), _) => problems.push(format!(
                "The {kind} {id} was deleted (audit entry {}) but is in the vault again.",
                entry.position
            )),
            (AuditAction::Deleted, None, _) => {}
            (_, None, _) if client_deleted(&entry.client_id) => {}
            (_, None, _) => problems.push(format!(
                "The {kind} {id} is missing (audit entry {} recorded it), and the trail records no deletion of it.",
                entry.position
            )),
            (_, Some((_, sealed)), Some(expected)) => {
                let found = data_encoding::HEXLOWER
                    .encode(digest::digest(&digest::SHA256, &sealed).as_ref());
                if &found != expected {
                    problems.push(format!(
                        "The {kind} {id} is not the version audit entry {} recorded: it was rolled back or replaced.",
                        entry.position
                    ));
                }
            }
            (_, Some(_), None) => {}
        }
    }
    Ok(problems)
}

/// Re-seals and re-chains every entry under a new data key (data-key rotation), after
/// checking the chain under the old one. Inside the caller's transaction.
pub(crate) fn rekey(conn: &Connection, old: &Keys, new: &Keys) -> Result<()> {
    if !is_present(conn)? {
        return Ok(());
    }
    let trail = read(conn, old)?;
    if !trail.problems.is_empty() {
        return Err(broken_chain());
    }
    if read_head(conn, old)?.is_none() {
        return Ok(());
    }
    let key = AuditKey::derive(new);
    let mut previous = GENESIS.to_vec();
    for entry in &trail.entries {
        let sealed = seal_entry(new, entry.position, entry)?;
        let mac = key.mac(&previous, entry.position, &sealed);
        conn.execute(
            "UPDATE audit_entries SET sealed = ?2, mac = ?3 WHERE position = ?1",
            params![entry.position as i64, sealed, mac],
        )?;
        previous = mac;
    }
    write_head(
        conn,
        new,
        &Head {
            length: trail.entries.len() as u64,
            mac: previous,
        },
    )
}

/// Counts a failed unlock (no key is available to write into the chain). Best effort:
/// a file that cannot be written, or predates the audit trail, is left alone.
pub(crate) fn count_failed_unlock(conn: &Connection) {
    let _ = conn.execute(
        "INSERT INTO unlock_failures (singleton, attempts, first_at, last_at)
         VALUES (1, 1, ?1, ?1)
         ON CONFLICT(singleton) DO UPDATE SET attempts = attempts + 1, last_at = ?1",
        [Timestamp::now().as_str()],
    );
}

/// The failed unlocks counted since the last unlock for writing, as an event, and
/// clears the count (inside the caller's transaction).
pub(crate) fn take_failed_unlocks(conn: &Connection) -> Result<Option<AuditEvent>> {
    let found: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT attempts, first_at, last_at FROM unlock_failures WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    conn.execute("DELETE FROM unlock_failures", [])?;
    let readable = |stamp: &str| {
        Timestamp::parse(stamp).map_or_else(
            |_| stamp.to_owned(),
            |t| t.instant().format("%-d %b %Y, %H:%M:%S").to_string(),
        )
    };
    Ok(found.map(|(attempts, first, last)| {
        let (first, last) = (readable(&first), readable(&last));
        let detail = if attempts == 1 {
            format!("1 failed attempt, at {first}")
        } else {
            format!("{attempts} failed attempts, from {first} to {last}")
        };
        AuditEvent::new(AuditAction::FailedUnlocks).detail(detail)
    }))
}

/// A row a change wrote: created, updated or deleted, with its sealed bytes unless it
/// went. The write path reports these, so the trail never diffs the records again.
pub(crate) struct RowWritten {
    pub action: AuditAction,
    pub table: Table,
    pub id: String,
    pub sealed: Option<Vec<u8>>,
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
            let event = AuditEvent::new(action)
                .client(new.id())
                .record(row.table, &row.id);
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
