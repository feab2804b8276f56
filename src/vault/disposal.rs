//! Retention and disposal: which clients are past the end of their retention, and the
//! deliberate disposal of one, the one exception to "signed notes are final". Every row
//! whose client is this client goes, in every record table (so a table added later is
//! covered by its place in `every_row`), with SQLite's secure delete on; the trail
//! keeps a tombstone: when, and how many records of each kind, never clinical text or
//! the client's name.

use super::Vault;
use super::audit::{self, AuditAction, AuditEvent};
use super::automatic_backup::list_backups;
use super::store::{self, Table};
use crate::error::{Refusal, Result};
use crate::records::Timestamp;
use crate::rules::retention::{Retention, is_past, retention};
use chrono::{Local, NaiveDateTime};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// How many records of one kind a client has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RecordCount {
    /// The kind of record, in words ("session", "note revision"…).
    pub kind: String,
    pub count: usize,
}

/// An automatic backup that still holds the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct HeldBackup {
    /// The backup's file name (its folder is the backup folder).
    pub file_name: String,
    /// When it was taken, local time, as `YYYY-MM-DD HH:MM`.
    pub taken_at: String,
}

/// What disposing of a client would delete, and where copies remain: shown before the
/// clinician confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DisposalPreview {
    pub retention: Retention,
    /// Whether the retention has ended (disposal is refused until it has).
    pub past_retention: bool,
    pub records: Vec<RecordCount>,
    /// When the client first came into this vault (their first audit entry).
    pub in_vault_since: Timestamp,
    /// The automatic backups taken since then, newest first: sealed copies that still
    /// hold the client until the rotation removes them.
    pub backups: Vec<HeldBackup>,
}

impl Vault {
    /// Every client's retention, the ones past it first (earliest end first).
    pub fn retention_list(&self) -> Result<Vec<Retention>> {
        let periods = self.retention_periods()?;
        let mut list = Vec::new();
        for id in self.client_ids()? {
            list.push(retention(&self.client(&id)?, &periods));
        }
        list.sort_by(|a, b| {
            a.retain_until
                .0
                .cmp(&b.retain_until.0)
                .then_with(|| a.client_id.cmp(&b.client_id))
        });
        Ok(list)
    }

    /// The clients whose retention has ended by today.
    pub fn past_retention(&self) -> Result<Vec<Retention>> {
        let today = Local::now().date_naive();
        Ok(self
            .retention_list()?
            .into_iter()
            .filter(|r| is_past(r, today))
            .collect())
    }

    /// What disposing of `client_id` would delete, and the automatic backups in
    /// `backup_folder` that still hold them (those taken since the client first came
    /// into the vault: each is a sealed copy of the vault as it was then).
    pub fn disposal_preview(
        &self,
        client_id: &str,
        backup_folder: Option<&Path>,
    ) -> Result<DisposalPreview> {
        let client = self.client(client_id)?;
        let retention = retention(&client, &self.retention_periods()?);
        let past_retention = is_past(&retention, Local::now().date_naive());
        let in_vault_since = self
            .client_audit_trail(client_id)?
            .entries
            .iter()
            .map(|e| e.at.clone())
            .min_by_key(|at| at.instant())
            .unwrap_or_else(|| client.profile.created_at.clone());
        let since: NaiveDateTime = in_vault_since.instant().with_timezone(&Local).naive_local();
        let mut backups = Vec::new();
        if let Some(folder) = backup_folder {
            for backup in list_backups(folder)? {
                // A backup's name has whole seconds: one taken in the same second counts.
                if backup.taken_at + chrono::Duration::seconds(1) >= since {
                    backups.push(HeldBackup {
                        file_name: backup
                            .path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        taken_at: backup.taken_at.format("%Y-%m-%d %H:%M").to_string(),
                    });
                }
            }
        }
        Ok(DisposalPreview {
            retention,
            past_retention,
            records: self.record_counts(client_id)?,
            in_vault_since,
            backups,
        })
    }

    /// How many stored rows of each kind belong to `client_id`.
    fn record_counts(&self, client_id: &str) -> Result<Vec<RecordCount>> {
        let mut counts: BTreeMap<usize, (&'static str, usize)> = BTreeMap::new();
        for (table, _, _, client) in store::every_row(&self.conn)? {
            if client.as_deref() == Some(client_id) {
                let order = Table::ALL.iter().position(|t| *t == table).unwrap_or(0);
                counts.entry(order).or_insert((table.record_name(), 0)).1 += 1;
            }
        }
        Ok(counts
            .into_values()
            .map(|(kind, count)| RecordCount {
                kind: kind.to_owned(),
                count,
            })
            .collect())
    }

    /// Disposes of a client whose retention has ended: every row of theirs in every
    /// record table is deleted (signed notes too), in one transaction, with a tombstone
    /// in the trail. `passphrase` must be the vault's: disposal cannot be undone.
    /// Returns what was deleted.
    pub fn dispose_client(
        &mut self,
        client_id: &str,
        passphrase: &str,
    ) -> Result<Vec<RecordCount>> {
        self.require_writable()?;
        self.check_passphrase(passphrase)?;
        let client = self.client(client_id)?;
        let retention = retention(&client, &self.retention_periods()?);
        if !is_past(&retention, Local::now().date_naive()) {
            return Err(Refusal::RetentionNotOver {
                until: retention.retain_until.to_string(),
            }
            .into());
        }
        // An undecided amendment request is a duty still running (45 CFR 164.526).
        if client
            .amendment_requests
            .iter()
            .any(|r| r.decision.is_none())
        {
            return Err(Refusal::AmendmentRequestOpen.into());
        }
        let counts = self.record_counts(client_id)?;
        let tx = self.conn.transaction()?;
        let rows: Vec<_> = store::every_row(&tx)?
            .into_iter()
            .filter(|(_, _, _, client)| client.as_deref() == Some(client_id))
            .collect();
        // Rows that refer to others first (a note revision before its session), the
        // client's own row last: later tables in `Table::ALL` hang under earlier ones.
        for table in Table::ALL.iter().rev() {
            for (_, meta, _, _) in rows.iter().filter(|(t, ..)| t == table) {
                store::delete(&tx, *table, &meta.id)?;
            }
        }
        let detail = counts
            .iter()
            .map(|c| format!("{} {}", c.count, plural(&c.kind, c.count)))
            .collect::<Vec<_>>()
            .join(", ");
        let event = AuditEvent::new(AuditAction::Disposed)
            .client(client_id)
            .record(Table::Clients, client_id)
            .detail(format!("kept until {}: {detail}", retention.retain_until));
        audit::append(&tx, &self.keys, &[event])?;
        tx.commit()?;
        self.revisions.changed(client_id);
        Ok(counts)
    }
}

fn plural(kind: &str, count: usize) -> String {
    match (kind, count) {
        (_, 1) => kind.to_owned(),
        ("map history version", _) => "map history versions".to_owned(),
        _ => format!("{kind}s"),
    }
}
