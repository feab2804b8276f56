//! `verify`: checks a whole vault and reports every failure, not just the first: the
//! SQLite file's own integrity, its foreign keys, the header and key material, that
//! every record opens and authenticates, that every row is the one the audit trail
//! recorded (and no recorded row is gone), and that each client's records obey the rules.

use super::Vault;
use super::attachments::{StoredAttachment, content_problems};
use super::audit::{AuditAction, AuditEntry, AuditTrail, sealed_sha256};
use super::header::Header;
use super::map_history::HistoryRow;
use super::note_history::NoteRevision;
use super::store::{self, Keys, StoredRow, Table, every_row};
use crate::error::{Error, Result};
use crate::records::{Acknowledgement, AmendmentRequest};
use crate::records::{
    Agreement, ClientProfile, Clinician, Measure, Part, PartGroup, Relationship, Session,
};
use rusqlite::Connection;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};

/// One thing `verify` found wrong, in a plain sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Problem {
    /// The record concerned, as `table/id`, when there is one.
    pub record: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub records_checked: usize,
    pub problems: Vec<Problem>,
    /// The audit trail's length as sealed in the header: note it down (the full-record
    /// PDF prints it) to catch a whole older copy of the file put back later.
    pub trail_length: u64,
    /// How many writes the vault has seen (since format 3), sealed with the length.
    pub write_generation: u64,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

fn problem(record: Option<String>, message: impl Into<String>) -> Problem {
    Problem {
        record,
        message: message.into(),
    }
}

impl Vault {
    fn check_rows<T: DeserializeOwned>(
        &self,
        table: Table,
        report: &mut VerifyReport,
        id_of: impl Fn(&T) -> &str,
    ) -> Result<()> {
        for (meta, sealed) in store::load_rows(&self.conn, table, None)? {
            report.records_checked += 1;
            let record = format!("{}/{}", table.name(), meta.id);
            match self.keys.open::<T>(table, &meta, &sealed) {
                Ok(value) if id_of(&value) == meta.id => {}
                Ok(_) => report.problems.push(problem(
                    Some(record),
                    Error::TamperedRecord {
                        table: table.name(),
                        id: meta.id.clone(),
                    }
                    .to_string(),
                )),
                Err(e) => report.problems.push(problem(Some(record), e.to_string())),
            }
        }
        Ok(())
    }

    /// Each setting opens as what its id says it is.
    fn check_settings(&self, report: &mut VerifyReport) -> Result<()> {
        for (meta, sealed) in store::load_rows(&self.conn, Table::Settings, None)? {
            report.records_checked += 1;
            let (table, id) = (Table::Settings, meta.id.as_str());
            let opened = match id {
                super::CLINICIAN_SETTING => {
                    self.keys.open::<Clinician>(table, &meta, &sealed).map(drop)
                }
                super::THRESHOLDS_SETTING => self
                    .keys
                    .open::<crate::rules::DosingThresholds>(table, &meta, &sealed)
                    .map(drop),
                super::settings::NOTE_TEMPLATES_SETTING => self
                    .keys
                    .open::<crate::records::NoteTemplates>(table, &meta, &sealed)
                    .map(drop),
                super::settings::RETENTION_SETTING => self
                    .keys
                    .open::<crate::rules::RetentionPeriods>(table, &meta, &sealed)
                    .map(drop),
                super::DOSING_DAY_SINCE_SETTING => self
                    .keys
                    .open::<crate::records::Timestamp>(table, &meta, &sealed)
                    .map(drop),
                _ => Err(Error::TamperedRecord {
                    table: table.name(),
                    id: meta.id.clone(),
                }),
            };
            if let Err(e) = opened {
                report.problems.push(problem(
                    Some(format!("{}/{id}", table.name())),
                    e.to_string(),
                ));
            }
        }
        Ok(())
    }

    /// Checks everything and reports each failure found.
    pub fn verify(&self) -> Result<VerifyReport> {
        // One read snapshot for the whole check: a save made meanwhile (the app's
        // background run) must not look like a row out of step with the trail.
        let snapshot = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Deferred,
        )?;
        let report = self.verify_in_snapshot();
        drop(snapshot);
        report
    }

    fn verify_in_snapshot(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport {
            records_checked: 0,
            problems: Vec::new(),
            trail_length: 0,
            write_generation: 0,
        };

        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if lines != ["ok"] {
            for line in lines {
                report.problems.push(problem(
                    None,
                    format!("The database file is damaged: {line}."),
                ));
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let dangling = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (table, rowid, parent) in dangling {
            report.problems.push(problem(
                Some(format!("{table}/row {}", rowid.unwrap_or(-1))),
                format!("A {table} row points to a {parent} row that does not exist."),
            ));
        }

        match Header::read(&self.conn)? {
            None => report
                .problems
                .push(problem(None, "The vault header is missing.")),
            Some(header) => {
                if let Err(e) = header
                    .check_format()
                    .and_then(|()| header.check_seal(&self.keys.master))
                {
                    report.problems.push(problem(None, e.to_string()));
                }
            }
        }

        self.check_settings(&mut report)?;
        self.check_rows::<ClientProfile>(Table::Clients, &mut report, |r| &r.id)?;
        self.check_rows::<Part>(Table::Parts, &mut report, |r| &r.id)?;
        self.check_rows::<Relationship>(Table::Relationships, &mut report, |r| &r.id)?;
        self.check_rows::<Agreement>(Table::Agreements, &mut report, |r| &r.id)?;
        self.check_rows::<Session>(Table::Sessions, &mut report, |r| &r.id)?;
        self.check_rows::<Measure>(Table::Measures, &mut report, |r| &r.id)?;
        self.check_rows::<NoteRevision>(Table::NoteRevisions, &mut report, |r| &r.id)?;
        // From format 4: a vault not yet brought up to date has neither table.
        if store::exists(&self.conn, Table::Groups)? {
            self.check_rows::<PartGroup>(Table::Groups, &mut report, |r| &r.id)?;
        }
        if store::exists(&self.conn, Table::MapHistory)? {
            self.check_rows::<HistoryRow>(Table::MapHistory, &mut report, |r| &r.id)?;
        }
        if store::exists(&self.conn, Table::Acknowledgements)? {
            self.check_rows::<Acknowledgement>(Table::Acknowledgements, &mut report, |r| &r.id)?;
        }
        if store::exists(&self.conn, Table::AmendmentRequests)? {
            self.check_rows::<AmendmentRequest>(Table::AmendmentRequests, &mut report, |r| &r.id)?;
        }
        // From format 6: every attachment's metadata, then every chunk opened and the
        // whole file checked against its size and hash.
        if store::exists(&self.conn, Table::Attachments)? {
            self.check_rows::<StoredAttachment>(Table::Attachments, &mut report, |r| &r.id)?;
            let chunks: i64 =
                self.conn
                    .query_row("SELECT COUNT(*) FROM attachment_chunks", [], |r| r.get(0))?;
            report.records_checked += usize::try_from(chunks).unwrap_or_default();
            for (record, message) in content_problems(&self.conn, &self.keys, true)? {
                report.problems.push(problem(Some(record), message));
            }
        }

        let trail = super::audit::read(&self.conn, &self.keys)?;
        report.records_checked += trail.entries.len();
        report.trail_length = trail.length;
        report.write_generation = trail.generation;
        let up_to_date =
            super::schema::stored_version(&self.conn)? == super::schema::current_version();
        if !up_to_date && let Some(found) = self.trail_problems.first() {
            report
                .problems
                .push(problem(Some("audit_entries".into()), found.clone()));
        }
        // Rows that did not open are reported once, above; every other row is compared
        // with the trail (only in the current format: older ones recorded less).
        let unreadable = report
            .problems
            .iter()
            .filter_map(|p| p.record.clone())
            .collect();
        let against_trail = if up_to_date {
            check_rows_against_trail(&self.conn, &trail, &unreadable)?
        } else {
            Vec::new()
        };
        for message in trail.problems.into_iter().chain(against_trail) {
            report
                .problems
                .push(problem(Some("audit_entries".into()), message));
        }

        // Each client's records as a whole: only for clients whose rows all opened,
        // so one tampered row is reported once.
        if report.problems.is_empty() {
            for id in self.client_ids()? {
                let outcome = self
                    .client(&id)
                    .and_then(|client| crate::validation::validate_client(&client));
                if let Err(e) = outcome {
                    report
                        .problems
                        .push(problem(Some(format!("clients/{id}")), e.to_string()));
                }
            }
        }
        Ok(report)
    }
}

/// The newest entry that recorded each row (its sealed hash, or its deletion), among
/// `entries`.
fn newest_recorded(entries: &[AuditEntry]) -> HashMap<(&str, &str), &AuditEntry> {
    let mut newest = HashMap::new();
    for entry in entries {
        let recorded = entry.content_sha256.is_some() || removes(entry);
        if let (Some(kind), Some(id), true) = (&entry.record_kind, &entry.record_id, recorded) {
            newest.insert((kind.as_str(), id.as_str()), entry);
        }
    }
    newest
}

/// Whether an entry records a row's removal: a deletion, or a client's disposal (which
/// covers their records recorded before it, like a client's deletion).
fn removes(entry: &AuditEntry) -> bool {
    matches!(entry.action, AuditAction::Deleted | AuditAction::Disposed)
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
pub(super) fn row_problems(
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
        if removes(entry)
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
            Some(entry) if removes(entry) => problems.push(format!(
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
        if !removes(entry) && !there && deleted_with_client(entry).is_none() {
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
    // Each attachment's chunks against the digest its (just authenticated) metadata
    // holds: the chunk rows have no entries of their own.
    problems.extend(
        content_problems(conn, keys, false)?
            .into_iter()
            .map(|(_, message)| message),
    );
    Ok(problems)
}
