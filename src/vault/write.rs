//! Loading a client's records, and the one write path for a change to them
//! ([`Vault::modify_client`]: load, change in memory, check, write only the rows that
//! changed with their audit entries, in one transaction), and inserting whole clients
//! (creation and imports).

use super::audit::{self, AuditAction as Action, AuditAction, AuditEvent, RowWritten};
use super::settings::{NOTE_TEMPLATES_SETTING, RETENTION_SETTING, write_setting_recorded};
use super::store::{self, Identified, Keys, RowMeta, Table};
use super::{CLINICIAN_SETTING, THRESHOLDS_SETTING, Vault, clients, map_history, note_history};
use crate::error::{Error, Refusal, Result};
use crate::records::{Acknowledgement, AmendmentRequest};
use crate::records::{
    Agreement, Client, ClientProfile, Clinician, Measure, NoteTemplates, Part, PartGroup,
    Relationship, Session, Timestamp,
};
use crate::rules::{DosingThresholds, RetentionPeriods};
use rusqlite::{Connection, Transaction};
use std::collections::HashMap;

/// The practice's settings a whole-vault import carries: each is taken only by a vault
/// that has none of its own.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PracticeSettings<'a> {
    pub clinician: Option<&'a Clinician>,
    pub thresholds: Option<&'a DosingThresholds>,
    pub note_templates: Option<&'a NoteTemplates>,
    pub retention: Option<&'a RetentionPeriods>,
}

impl Vault {
    /// A client's records without their map history: what a change works on.
    pub(super) fn load_client(&self, client_id: &str) -> Result<LoadedClient> {
        load_client_from(&self.conn, &self.keys, client_id)
    }

    /// When a client's map history began (`None` before the vault's upgrade to it).
    pub(super) fn map_history_since(&self, client_id: &str) -> Result<Option<Timestamp>> {
        map_history::since(&self.conn, &self.keys, client_id)
    }

    /// A client's map history (`None` before the vault's upgrade to it).
    pub(super) fn load_map_history(
        &self,
        client_id: &str,
    ) -> Result<Option<crate::records::MapHistory>> {
        map_history::load(&self.conn, &self.keys, client_id)
    }

    /// Applies `change` to a client's whole record, checks the result, and writes the
    /// rows that changed in one transaction. On any error nothing is written.
    pub(crate) fn modify_client<T>(
        &mut self,
        client_id: &str,
        history: NoteHistory,
        change: impl FnOnce(&mut Client) -> Result<T>,
    ) -> Result<T> {
        self.modify_client_with(client_id, history, change, |_, _, _| Ok(Vec::new()))
    }

    /// [`Vault::modify_client`], with `also` writing rows of its own (an attachment's)
    /// in the same transaction, after the client's rows, and returning their events:
    /// the change and those rows land together or not at all.
    pub(crate) fn modify_client_with<T>(
        &mut self,
        client_id: &str,
        history: NoteHistory,
        change: impl FnOnce(&mut Client) -> Result<T>,
        also: impl FnOnce(&Connection, &Keys, &Client) -> Result<Vec<AuditEvent>>,
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
        let mut events = audit::describe_change(
            written,
            &loaded.client,
            &updated,
            history == NoteHistory::KeepReplaced,
        );
        events.extend(also(&tx, &self.keys, &updated)?);
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
        settings: &PracticeSettings<'_>,
        action: AuditAction,
        attachments: Option<ImportedAttachments<'_, '_>>,
    ) -> Result<()> {
        self.require_writable()?;
        let clinician = settings.clinician;
        let set_clinician = clinician.is_some() && self.clinician()?.is_none();
        // Like the clinician: each setting is taken from a document only by a vault
        // that has none of its own, so an import never replaces what the clinician set
        // here.
        let thresholds = settings.thresholds.filter(|t| !t.is_default());
        let set_thresholds = thresholds.is_some()
            && self
                .setting::<DosingThresholds>(THRESHOLDS_SETTING)?
                .is_none();
        let templates = settings.note_templates.filter(|t| !t.is_default());
        let set_templates = templates.is_some()
            && self
                .setting::<NoteTemplates>(NOTE_TEMPLATES_SETTING)?
                .is_none();
        let retention = settings.retention.filter(|r| !r.is_default());
        let set_retention = retention.is_some()
            && self
                .setting::<RetentionPeriods>(RETENTION_SETTING)?
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
        if let Some((attachments, archive_name, contents)) = attachments {
            events.extend(super::attachments::insert_imported(
                &tx,
                &self.keys,
                attachments,
                archive_name,
                contents,
            )?);
        }
        if set_clinician {
            events.push(write_setting_recorded(
                &tx,
                &self.keys,
                CLINICIAN_SETTING,
                clinician,
            )?);
        }
        if set_thresholds {
            events.push(write_setting_recorded(
                &tx,
                &self.keys,
                THRESHOLDS_SETTING,
                thresholds,
            )?);
        }
        if set_templates {
            events.push(write_setting_recorded(
                &tx,
                &self.keys,
                NOTE_TEMPLATES_SETTING,
                templates,
            )?);
        }
        if set_retention {
            events.push(write_setting_recorded(
                &tx,
                &self.keys,
                RETENTION_SETTING,
                retention,
            )?);
        }
        audit::append(&tx, &self.keys, &events)?;
        tx.commit()?;
        for client in clients {
            self.revisions.changed(client.id());
        }
        Ok(())
    }
}

/// Attachments an import brings: their metadata, the archive's name (for messages),
/// and the archive's files.
pub(crate) type ImportedAttachments<'a, 'c> = (
    &'a [crate::records::Attachment],
    &'a str,
    &'c mut dyn super::attachments::ArchivedContents,
);

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
            // The row's own id: an acknowledgement's `record_id` field names another
            // record (the one its finding is about).
            #[allow(clippy::misnamed_getters)]
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
client_record!(Acknowledgement, Table::Acknowledgements);
client_record!(AmendmentRequest, Table::AmendmentRequests);

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

fn load_children<T: ClientRecord>(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
    rows: &mut HashMap<(Table, String), RowMeta>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    // A vault of an older format, read before its upgrade, has no table a later one added.
    if matches!(
        T::TABLE,
        Table::Groups | Table::Acknowledgements | Table::AmendmentRequests
    ) && !store::exists(conn, T::TABLE)?
    {
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
pub(super) fn load_client_from(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
) -> Result<LoadedClient> {
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
        acknowledgements: load_children(conn, keys, client_id, &mut rows)?,
        amendment_requests: load_children(conn, keys, client_id, &mut rows)?,
    };
    client.sort_canonically();
    Ok(LoadedClient { client, rows })
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
    )?;
    sync_table(
        tx,
        keys,
        client_id,
        &before.acknowledgements,
        &new.acknowledgements,
        rows,
        written,
    )?;
    sync_table(
        tx,
        keys,
        client_id,
        &before.amendment_requests,
        &new.amendment_requests,
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
            && note_history::note_changed(before, session)
        {
            written.extend(note_history::remember(
                tx,
                keys,
                &session.id,
                before,
                session,
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
