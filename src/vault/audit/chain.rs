//! The chain: each entry sealed under the data key and bound to its position, chained
//! by an HMAC under a key derived from the data key, appended inside the caller's
//! transaction with the header resealed over the new head; read back with every break
//! reported; re-chained under a new key.

use super::events::{AuditAction, AuditEntry, AuditEvent, AuditTrail, writes_burst};
use super::{damaged, is_present};
use crate::crypto::{AssociatedData, SymmetricKey};
use crate::error::{Error, Result};
use crate::records::Timestamp;
use crate::vault::header::{Header, TrailHead};
use crate::vault::schema;
use crate::vault::store::Keys;
use ring::{hkdf, hmac};
use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

const MAC_LEN: usize = 32;

const GENESIS: [u8; MAC_LEN] = [0; MAC_LEN];

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

pub(super) fn genesis_head() -> TrailHead {
    TrailHead {
        length: 0,
        mac: GENESIS.to_vec(),
        generation: 0,
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
