//! `verify`: checks a whole vault and reports every failure, not just the first: the
//! SQLite file's own integrity, its foreign keys, the header and key material, that
//! every record opens and authenticates, and that each client's records obey the rules.

use super::Vault;
use super::header::Header;
use super::map_history::HistoryRow;
use super::note_history::NoteRevision;
use super::store::{self, Table};
use crate::error::{Error, Result};
use crate::records::{
    Agreement, ClientProfile, Clinician, Measure, Part, PartGroup, Relationship, Session,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
            super::audit::check_rows_against_trail(&self.conn, &trail, &unreadable)?
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
                    .and_then(|client| crate::interchange::validate_client(&client));
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
