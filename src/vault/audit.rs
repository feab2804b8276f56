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
//!   mac are sealed in the vault header together with the header's columns and a
//!   generation counter every write raises (header.rs), so cutting entries off the end,
//!   or putting back an older head, is caught too.
//! - A vault has its trail from its first moment: a new vault starts it, and a vault of
//!   format 1 gets it once, in its upgrade, with a baseline entry for every row it held.
//!   After that a missing head or missing entries is tampering, never a reason to start
//!   a new trail.
//! - Every stored row has an entry carrying the SHA-256 of its sealed bytes, whatever
//!   path wrote it (a change, an import, a note revision kept or pruned, a key
//!   rotation), and `verify` checks every row against the trail both ways.
//! - Entries are appended in the same transaction as the change they describe.
//! - Autosave edits to one record within [`BURST_SECONDS`] of each other update the
//!   newest entry (its count, last time and hash) instead of adding one per keystroke.
//! - A failed unlock has no key to write with: it is counted in `unlock_failures`, in
//!   plaintext, and that count is written into the chain at the next unlock for writing,
//!   after checking that it is a count and two times; anything else is recorded as
//!   tampering and never copied. (Someone with the file can reset that counter; the
//!   limit is in docs/SECURITY.md.)

use super::header::{Header, SealLayout, TrailHead};
use super::schema;
use super::store::{self, Keys, RowMeta, Table};
use crate::crypto::{AssociatedData, SymmetricKey};
use crate::error::{Error, Result};
use crate::records::{Client, Session, Timestamp};
use ring::{digest, hkdf, hmac};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use zeroize::Zeroizing;

/// Saves to one record closer together than this are one entry.
pub const BURST_SECONDS: i64 = 120;

const MAC_LEN: usize = 32;
const GENESIS: [u8; MAC_LEN] = [0; MAC_LEN];

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

/// The associated data of a format-2 trail head (kept apart in `audit_head`).
fn legacy_head_ad(vault_id: &str) -> AssociatedData {
    AssociatedData::new("audit-head").field(vault_id.as_bytes())
}

fn genesis_head() -> TrailHead {
    TrailHead {
        length: 0,
        mac: GENESIS.to_vec(),
        generation: 0,
    }
}

/// Whether this file has audit tables at all (format 1 has none until its upgrade).
pub(crate) fn is_present(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries')",
        [],
        |r| r.get(0),
    )?)
}

/// The error for a trail that cannot take another entry.
pub(crate) fn damaged(detail: impl Into<String>) -> Error {
    Error::DamagedTrail {
        detail: detail.into(),
    }
}

/// A format-2 trail head, sealed apart from the header (`None` when it is missing).
fn legacy_head(conn: &Connection, keys: &Keys) -> Result<Option<TrailHead>> {
    let sealed: Option<Vec<u8>> = conn
        .query_row(
            "SELECT audit_head FROM vault_header WHERE singleton = 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|_| damaged("the audit trail's seal in the vault header is unreadable"))?
        .flatten();
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let unreadable = || damaged("the audit trail's seal in the vault header does not open");
    let opened = keys
        .data_key
        .open(&sealed, legacy_head_ad(&keys.vault_id).as_bytes())
        .map_err(|_| unreadable())?;
    if opened.len() != 8 + MAC_LEN {
        return Err(unreadable());
    }
    let mut length = [0u8; 8];
    length.copy_from_slice(&opened[..8]);
    Ok(Some(TrailHead {
        length: u64::from_be_bytes(length),
        mac: opened[8..].to_vec(),
        generation: 0,
    }))
}

/// The header as stored, and the trail's head sealed in it (format 3 on).
pub(crate) fn current_head(conn: &Connection, keys: &Keys) -> Result<(Header, TrailHead)> {
    let header = Header::read(conn)?.ok_or(Error::DamagedHeader {
        detail: "it is missing",
    })?;
    match header.trail_head(&keys.data_key)? {
        Some(head) => Ok((header, head)),
        None => Err(damaged(
            "this vault is from an older kapnotes and was not brought up to date",
        )),
    }
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
    .ok_or_else(|| damaged(format!("audit entry {position} is missing")))
}

fn seal_entry(keys: &Keys, position: u64, entry: &AuditEntry) -> Result<Vec<u8>> {
    let plain = Zeroizing::new(
        serde_json::to_vec(entry).map_err(|_| damaged("an audit entry could not be encoded"))?,
    );
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

/// Starts the chain of a new vault, whose `header` is written with it.
pub(crate) fn start(
    conn: &Connection,
    keys: &Keys,
    header: Header,
    action: AuditAction,
) -> Result<()> {
    append_with(
        conn,
        keys,
        header,
        genesis_head(),
        &[AuditEvent::new(action)],
    )
}

/// Appends `events` to the chain inside the caller's transaction, and reseals the
/// header with the new head. An update to the record the newest entry is about, within
/// a burst, updates that entry instead.
pub(crate) fn append(conn: &Connection, keys: &Keys, events: &[AuditEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let (header, head) = current_head(conn, keys)?;
    append_with(conn, keys, header, head, events)
}

/// Appends `events` after `head` and writes `header` (whose columns the caller may have
/// changed: a new passphrase, a new recovery key) sealed with the new head and the next
/// generation. Inside the caller's transaction.
pub(crate) fn append_with(
    conn: &Connection,
    keys: &Keys,
    mut header: Header,
    mut head: TrailHead,
    events: &[AuditEvent],
) -> Result<()> {
    let key = AuditKey::derive(keys);
    let now = Timestamp::now();
    let generation = head.generation + 1;
    // The newest entry and the mac before it are read once; after that they are the
    // entry this loop wrote last.
    let mut newest = match head.length {
        0 => None,
        n => {
            let sealed: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT sealed FROM audit_entries WHERE position = ?1",
                    [n as i64],
                    |r| r.get(0),
                )
                .optional()?;
            let sealed = sealed.ok_or_else(|| damaged(format!("audit entry {n} is missing")))?;
            Some(
                open_entry(keys, n, &sealed)
                    .ok_or_else(|| damaged(format!("audit entry {n} does not open")))?,
            )
        }
    };
    let mut mac_before_newest = match head.length {
        0 => GENESIS.to_vec(),
        n => mac_at(conn, n - 1)?,
    };
    for event in events {
        let (mut entry, previous) = match newest.take() {
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
                    generation,
                    session_id: event.session_id.clone(),
                };
                mac_before_newest = head.mac.clone();
                (entry, head.mac.clone())
            }
        };
        entry.generation = generation;
        let position = entry.position;
        let sealed = seal_entry(keys, position, &entry)?;
        let mac = key.mac(&previous, position, &sealed);
        conn.execute(
            "INSERT OR REPLACE INTO audit_entries (position, sealed, mac) VALUES (?1, ?2, ?3)",
            params![position as i64, sealed, mac],
        )?;
        head.length = position;
        head.mac = mac;
        newest = Some(entry);
    }
    head.generation = generation;
    header.schema_version = schema::current_version();
    header.seal_with_trail(&keys.data_key, &head)?;
    header.write(conn)
}

/// The trail's head as recorded in the header, for reading: format 3's sealed state,
/// format 2's separate head, or a problem saying why there is none.
fn recorded_head(conn: &Connection, keys: &Keys) -> std::result::Result<TrailHead, String> {
    let header = match Header::read(conn) {
        Ok(Some(header)) => header,
        Ok(None) => return Err("The vault header is missing.".into()),
        Err(e) => return Err(e.to_string()),
    };
    match header.trail_head(&keys.data_key) {
        Ok(Some(head)) => Ok(head),
        Err(e) => Err(e.to_string()),
        Ok(None) => match legacy_head(conn, keys) {
            Ok(Some(head)) => Ok(head),
            Ok(None) => Err("The audit trail's seal in the vault header is missing.".into()),
            Err(e) => Err(e.to_string()),
        },
    }
}

/// Reads the whole trail and checks its chain, reporting every break found.
pub(crate) fn read(conn: &Connection, keys: &Keys) -> Result<AuditTrail> {
    let mut trail = AuditTrail {
        entries: Vec::new(),
        problems: Vec::new(),
        length: 0,
        generation: 0,
    };
    if !is_present(conn)? {
        trail.problems.push(
            "This vault is from an older kapnotes and has no audit trail yet; it gets one the first time this version opens it from a folder it can write to.".into(),
        );
        return Ok(trail);
    }
    let head = match recorded_head(conn, keys) {
        Ok(head) => {
            trail.length = head.length;
            trail.generation = head.generation;
            Some(head)
        }
        Err(problem) => {
            trail.problems.push(problem);
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
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|_| damaged("the audit trail's table was altered"))?;
    let mut previous = GENESIS.to_vec();
    let mut expected: u64 = 1;
    let mut generation_before = 0;
    for (position, sealed, mac) in &rows {
        // SQLite's integer key can be anything an editor wrote; only 1, 2, 3… are ours.
        let Ok(position) = u64::try_from(*position) else {
            trail.problems.push(format!(
                "An audit entry has the impossible position {position}: the trail was altered."
            ));
            continue;
        };
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
            Some(entry) => {
                if entry.generation < generation_before
                    || head
                        .as_ref()
                        .is_some_and(|h| entry.generation > h.generation)
                {
                    trail.problems.push(format!(
                        "Audit entry {position} is out of order with the vault's writes: parts of different copies of the vault were mixed."
                    ));
                }
                generation_before = entry.generation;
                trail.entries.push(entry);
            }
            None => trail.problems.push(format!(
                "Audit entry {position} does not open: it was altered."
            )),
        }
        previous = mac.clone();
        expected = position.saturating_add(1);
    }
    if let Some(head) = head {
        let last = rows
            .last()
            .map_or(0, |(p, _, _)| u64::try_from(*p).unwrap_or(0));
        if head.length != last || head.mac != previous {
            trail.problems.push(format!(
                "The audit trail was cut short or rolled back: the header expects {} entries, the file ends at {last}.",
                head.length
            ));
        }
    }
    Ok(trail)
}

/// The newest entry that recorded each row (its sealed hash, or its deletion), among
/// `entries`.
fn newest_recorded(entries: &[AuditEntry]) -> HashMap<(&str, &str), &AuditEntry> {
    let mut newest = HashMap::new();
    for entry in entries {
        let recorded = entry.content_sha256.is_some() || entry.action == AuditAction::Deleted;
        if let (Some(kind), Some(id), true) = (&entry.record_kind, &entry.record_id, recorded) {
            newest.insert((kind.as_str(), id.as_str()), entry);
        }
    }
    newest
}

fn sealed_sha256(sealed: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(digest::digest(&digest::SHA256, sealed).as_ref())
}

/// A stored row: its table, plaintext columns, sealed bytes, and the client it belongs to.
type StoredRow = (Table, RowMeta, Vec<u8>, Option<String>);

/// Every stored row of every record table.
fn every_row(conn: &Connection) -> Result<Vec<StoredRow>> {
    let mut session_clients: HashMap<String, String> = HashMap::new();
    for (meta, _) in store::load_rows(conn, Table::Sessions, None)? {
        if let Some(client) = meta.parent {
            session_clients.insert(meta.id, client);
        }
    }
    let mut rows = Vec::new();
    for table in Table::ALL {
        // An older format checked before its upgrade has no table a later one added.
        if !store::exists(conn, table)? {
            continue;
        }
        for (meta, sealed) in store::load_rows(conn, table, None)? {
            let client = match table {
                Table::Settings => None,
                Table::Clients => Some(meta.id.clone()),
                Table::NoteRevisions => meta
                    .parent
                    .as_ref()
                    .and_then(|session| session_clients.get(session).cloned()),
                _ => meta.parent.clone(),
            };
            rows.push((table, meta, sealed, client));
        }
    }
    Ok(rows)
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

/// Brings a vault of an older format up to date inside the caller's transaction. Every
/// row and audit entry is re-sealed under
/// the format-3 records key (derived from the master key), so a header of the older
/// format put back later, which still unwraps the master key, opens none of them. A
/// format-1 vault gets its trail here, with a baseline entry for every row. A format-2
/// vault keeps its trail, checked first with every row against it (rows its imports
/// did not record on their own pass): a damaged one is never carried over as whole.
///
/// From format 3 on the keys and the trail stay as they are ([`upgrade_in_place`]).
/// Either way `start_histories` writes what the new format adds for each client (with
/// the new keys), after every row was re-sealed, and returns the events for its rows.
pub(crate) fn upgrade(
    tx: &rusqlite::Transaction<'_>,
    old: &Keys,
    start_histories: impl FnOnce(&Connection, &Keys) -> Result<Vec<AuditEvent>>,
) -> Result<()> {
    if schema::stored_version(tx)? >= 3 {
        return upgrade_in_place(tx, old, start_histories);
    }
    let new = Keys::new(&old.vault_id, old.master.duplicate(), SealLayout::WithTrail);
    let (head, first, each_row) = if is_present(tx)? {
        let trail = read(tx, old)?;
        if let Some(problem) = trail.problems.first() {
            return Err(damaged(problem.trim_end_matches('.')));
        }
        let since_rotation = trail
            .entries
            .iter()
            .rposition(|e| e.action == AuditAction::DataKeyRotated)
            .map_or(0, |i| i + 1);
        let rows = row_problems(
            &every_row(tx)?,
            &trail.entries[since_rotation..],
            &HashSet::new(),
            true,
        );
        if let Some(problem) = rows.first() {
            return Err(damaged(problem.trim_end_matches('.')));
        }
        (
            rekey(tx, old, &new)?,
            AuditAction::Upgraded,
            AuditAction::Resealed,
        )
    } else {
        (
            genesis_head(),
            AuditAction::AuditStarted,
            AuditAction::Baseline,
        )
    };
    for table in Table::ALL {
        // Tables a later format adds are not there yet, and hold nothing to re-seal.
        if !store::exists(tx, table)? {
            continue;
        }
        for (meta, sealed) in store::load_rows(tx, table, None)? {
            let resealed = old.reseal(&new, table, &meta, &sealed)?;
            store::replace_sealed(tx, table, &meta.id, &resealed)?;
        }
    }
    schema::apply_pending(tx)?;
    let header = Header::read(tx)?.ok_or(Error::DamagedHeader {
        detail: "it is missing",
    })?;
    let mut events = vec![AuditEvent::new(first)];
    events.extend(every_row_recorded_as(tx, each_row)?);
    events.extend(start_histories(tx, &new)?);
    append_with(tx, &new, header, head, &events)
}

/// Brings a vault of format 3 or later up to date: its keys and trail stay; the trail
/// and every row are checked against each other first (a damaged trail is never carried
/// over as whole, and no history is started from a row put back behind its back).
fn upgrade_in_place(
    tx: &rusqlite::Transaction<'_>,
    keys: &Keys,
    start_histories: impl FnOnce(&Connection, &Keys) -> Result<Vec<AuditEvent>>,
) -> Result<()> {
    let trail = read(tx, keys)?;
    if let Some(problem) = trail.problems.first() {
        return Err(damaged(problem.trim_end_matches('.')));
    }
    let rows = row_problems(&every_row(tx)?, &trail.entries, &HashSet::new(), false);
    if let Some(problem) = rows.first() {
        return Err(damaged(problem.trim_end_matches('.')));
    }
    // The head is read under the old format's seal, before the format changes.
    let (header, head) = current_head(tx, keys)?;
    let from = schema::stored_version(tx)?;
    schema::apply_pending(tx)?;
    let mut events = vec![AuditEvent::new(AuditAction::Upgraded).detail(format!(
        "from format {from} to format {}",
        schema::current_version()
    ))];
    events.extend(start_histories(tx, keys)?);
    let mut header = header;
    header.schema_version = schema::current_version();
    append_with(tx, keys, header, head, &events)
}

/// Checks every stored row against the trail, both ways: each row must have an entry
/// whose hash is that of its sealed bytes (a row put back to an older copy of itself
/// still authenticates on its own, but not against the trail), no row recorded as
/// deleted may be there, and no recorded row may be gone without a deletion (a
/// client's deletion covers the records recorded before it). Rows in `unreadable` (as
/// `table/id`: they failed to open, and are reported as such) only count as present.
pub(crate) fn check_rows_against_trail(
    conn: &Connection,
    trail: &AuditTrail,
    unreadable: &HashSet<String>,
) -> Result<Vec<String>> {
    Ok(row_problems(
        &every_row(conn)?,
        &trail.entries,
        unreadable,
        false,
    ))
}

/// The check above over `entries`; with `allow_unrecorded`, a row without any entry
/// passes (a format-2 trail recorded an import as one entry per client).
fn row_problems(
    rows: &[StoredRow],
    entries: &[AuditEntry],
    unreadable: &HashSet<String>,
    allow_unrecorded: bool,
) -> Vec<String> {
    let newest = newest_recorded(entries);
    // Where each client was deleted: it covers its records recorded before then, and a
    // record of that client recorded before then must not be back.
    let mut deleted_clients: HashMap<&str, Vec<u64>> = HashMap::new();
    for entry in entries {
        if entry.action == AuditAction::Deleted
            && entry.record_kind.as_deref() == Some(Table::Clients.record_name())
            && let Some(id) = entry.record_id.as_deref()
        {
            deleted_clients.entry(id).or_default().push(entry.position);
        }
    }
    let deleted_with_client = |entry: &AuditEntry| {
        entry.client_id.as_deref().and_then(|client| {
            deleted_clients
                .get(client)?
                .iter()
                .find(|at| **at > entry.position)
                .copied()
        })
    };
    let mut problems = Vec::new();
    let mut present: HashSet<(&'static str, String)> = HashSet::new();
    for (table, meta, sealed, client) in rows {
        let kind = table.record_name();
        let parent = meta.parent.as_deref();
        let id = meta.id.clone();
        if unreadable.contains(&format!("{}/{id}", table.name())) {
            present.insert((kind, id));
            continue;
        }
        match newest.get(&(kind, id.as_str())) {
            None if allow_unrecorded => {}
            None => problems.push(format!(
                "The {kind} {id} is in the vault, but the audit trail has no entry for it: it was added behind kapnotes' back."
            )),
            Some(entry) if entry.action == AuditAction::Deleted => problems.push(format!(
                "The {kind} {id} was deleted (audit entry {}) but is in the vault again.",
                entry.position
            )),
            Some(entry) => {
                if let Some(at) = deleted_with_client(entry) {
                    problems.push(format!(
                        "The {kind} {id} was deleted with its client (audit entry {at}) but is in the vault again."
                    ));
                } else if entry.content_sha256.as_deref() != Some(sealed_sha256(sealed).as_str()) {
                    problems.push(format!(
                        "The {kind} {id} is not the version audit entry {} recorded: it was rolled back or replaced.",
                        entry.position
                    ));
                } else if moved(entry, *table, client.as_deref(), parent) {
                    // Its sealed bytes are untouched, but its row now names another
                    // client (or session): the record would vanish from one and, unread,
                    // sit in the other.
                    problems.push(format!(
                        "The {kind} {id} is filed under another client or session than audit entry {} recorded: it was moved behind kapnotes' back.",
                        entry.position
                    ));
                }
            }
        }
        present.insert((kind, id));
    }
    let mut recorded: Vec<_> = newest.iter().collect();
    recorded.sort_by_key(|(_, entry)| entry.position);
    for ((kind, id), entry) in recorded {
        let there = present.contains(&(*kind, (*id).to_owned()));
        if entry.action != AuditAction::Deleted && !there && deleted_with_client(entry).is_none() {
            problems.push(format!(
                "The {kind} {id} is missing (audit entry {} recorded it), and the trail records no deletion of it.",
                entry.position
            ));
        }
    }
    problems
}

/// Whether a row names another client, or (a note revision) another session, than the
/// entry that recorded it. Entries of older trails that name none are not compared.
fn moved(entry: &AuditEntry, table: Table, client: Option<&str>, parent: Option<&str>) -> bool {
    let other_client = entry
        .client_id
        .as_deref()
        .is_some_and(|recorded| Some(recorded) != client);
    let other_session = table == Table::NoteRevisions
        && entry
            .session_id
            .as_deref()
            .is_some_and(|recorded| Some(recorded) != parent);
    other_client || other_session
}

/// The check at unlock, reading every row once: each row against the trail, when there
/// is one (as [`check_rows_against_trail`]), and each row's seal under `keys`, so that a plaintext
/// column (its parent, its place in creation order, its revision) or its sealed bytes
/// edited in the file is caught at once. Seals are only authenticated, not decoded, so
/// the check stays cheap.
pub(crate) fn check_rows_at_unlock(
    conn: &Connection,
    trail: Option<&AuditTrail>,
    keys: &Keys,
) -> Result<Vec<String>> {
    let rows = every_row(conn)?;
    let mut problems = trail.map_or_else(Vec::new, |trail| {
        row_problems(&rows, &trail.entries, &HashSet::new(), false)
    });
    problems.extend(
        rows.iter()
            .filter(|(table, meta, sealed, _)| !keys.authenticates(*table, meta, sealed))
            .map(|(table, meta, _, _)| {
                format!(
                    "The {} {} does not open: it was altered in the file.",
                    table.record_name(),
                    meta.id
                )
            }),
    );
    Ok(problems)
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

/// Re-seals and re-chains every entry under a new data key (data-key rotation), after
/// checking the chain under the old one. Inside the caller's transaction; returns the
/// head of the re-chained trail (the header is resealed by the caller's next append).
pub(crate) fn rekey(conn: &Connection, old: &Keys, new: &Keys) -> Result<TrailHead> {
    let trail = read(conn, old)?;
    if let Some(problem) = trail.problems.first() {
        return Err(damaged(problem.clone()));
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
    Ok(TrailHead {
        length: trail.entries.len() as u64,
        mac: previous,
        generation: trail.generation,
    })
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

/// The most failed attempts a genuine counter can plausibly hold; more is an edit.
const MOST_FAILED_ATTEMPTS: i64 = 1_000_000_000;

/// What the unsealed counter of failed unlocks held, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FailedUnlocks {
    Counted {
        attempts: i64,
        first: Timestamp,
        last: Timestamp,
    },
    /// The counter was edited in the file: it is not a count and two times in order.
    Altered,
}

impl FailedUnlocks {
    /// How the clinician and the trail hear of it.
    pub(crate) fn describe(&self) -> String {
        let readable = |t: &Timestamp| t.instant().format("%-d %b %Y, %H:%M:%S").to_string();
        match self {
            FailedUnlocks::Counted {
                attempts: 1, first, ..
            } => format!("1 failed attempt, at {}", readable(first)),
            FailedUnlocks::Counted {
                attempts,
                first,
                last,
            } => format!(
                "{attempts} failed attempts, from {} to {}",
                readable(first),
                readable(last)
            ),
            FailedUnlocks::Altered => "the unsealed count of failed attempts had been altered in the file, so how many there were is unknown".into(),
        }
    }
}

/// Reads the unsealed counter, accepting only what kapnotes itself writes there.
fn check_failed_unlocks(attempts: Value, first: Value, last: Value) -> FailedUnlocks {
    let time = |value: Value| match value {
        Value::Text(text) => Timestamp::parse(&text).ok(),
        _ => None,
    };
    match (attempts, time(first), time(last)) {
        (Value::Integer(attempts), Some(first), Some(last))
            if (1..=MOST_FAILED_ATTEMPTS).contains(&attempts)
                && first.instant() <= last.instant() =>
        {
            FailedUnlocks::Counted {
                attempts,
                first,
                last,
            }
        }
        _ => FailedUnlocks::Altered,
    }
}

/// The failed unlocks counted since the last unlock for writing, checked, as an event;
/// clears the count (inside the caller's transaction).
pub(crate) fn take_failed_unlocks(
    conn: &Connection,
) -> Result<Option<(FailedUnlocks, AuditEvent)>> {
    let found = conn
        .query_row(
            "SELECT attempts, first_at, last_at FROM unlock_failures",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional();
    let failed = match found {
        Ok(None) => None,
        Ok(Some((attempts, first, last))) => {
            conn.execute("DELETE FROM unlock_failures", [])?;
            Some(check_failed_unlocks(attempts, first, last))
        }
        // Unreadable values (the table's shape is checked when the file is opened).
        Err(_) => {
            conn.execute("DELETE FROM unlock_failures", [])?;
            Some(FailedUnlocks::Altered)
        }
    };
    Ok(failed.map(|failed| {
        let event = AuditEvent::new(AuditAction::FailedUnlocks).detail(failed.describe());
        (failed, event)
    }))
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
