//! The sealed, append-only history of each client's parts map (`map_history`, from
//! format 4). A client's first row holds when its history began; every other row is
//! one [`MapVersion`]. Rows are written once, in the transaction of the change they
//! record, each with its audit entry, and never changed: a row edited, removed or put
//! back is caught by the trail like any other (src/vault/audit/). The versions are derived from
//! the change itself (crate::parts_history), never taken from a caller.

use super::audit::{AuditAction, AuditEvent, RowWritten};
use super::store::{self, Identified, Keys, RowMeta, Table};
use crate::error::{Error, Result};
use crate::parts_history::{self, MapState};
use crate::records::{Client, Id, MapHistory, MapVersion, Timestamp, new_id};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// One stored row: the start of a history, or one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HistoryRow {
    pub id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<MapVersion>,
}

impl Identified for HistoryRow {
    fn record_id(&self) -> &str {
        &self.id
    }
}

fn tampered(id: &str) -> Error {
    Error::TamperedRecord {
        table: Table::MapHistory.name(),
        id: id.to_owned(),
    }
}

/// A client's history as stored, or `None` when it has none (a vault of an older
/// format read before its upgrade).
pub(crate) fn load(conn: &Connection, keys: &Keys, client_id: &str) -> Result<Option<MapHistory>> {
    if !store::exists(conn, Table::MapHistory)? {
        return Ok(None);
    }
    let mut history: Option<MapHistory> = None;
    for (meta, sealed) in store::load_rows(conn, Table::MapHistory, Some(client_id))? {
        let row: HistoryRow = keys.open_record(Table::MapHistory, &meta, &sealed)?;
        match (row.since, row.version, history.as_mut()) {
            (Some(since), None, None) => {
                history = Some(MapHistory {
                    since,
                    versions: Vec::new(),
                })
            }
            (None, Some(version), Some(history)) => history.versions.push(version),
            // A second start, a version before the start, or a row holding neither:
            // kapnotes never writes these.
            _ => return Err(tampered(&meta.id)),
        }
    }
    Ok(history)
}

/// When a client's history last moved: its newest row's time (the start, or the
/// newest version), or `None` before it began. Reads and opens that one row only.
pub(crate) fn last_at(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
) -> Result<Option<Timestamp>> {
    end_row_at(conn, keys, client_id, true)
}

/// When a client's history began (its first row), or `None`: the map screen's
/// `history_since` without opening every version.
pub(crate) fn since(conn: &Connection, keys: &Keys, client_id: &str) -> Result<Option<Timestamp>> {
    if !store::exists(conn, Table::MapHistory)? {
        return Ok(None);
    }
    end_row_at(conn, keys, client_id, false)
}

/// The time of a client's newest (`newest`) or first history row.
fn end_row_at(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
    newest: bool,
) -> Result<Option<Timestamp>> {
    let sql = if newest {
        "SELECT id, client_id, creation_order, revision, sealed FROM map_history
         WHERE client_id = ?1 ORDER BY creation_order DESC, id DESC LIMIT 1"
    } else {
        "SELECT id, client_id, creation_order, revision, sealed FROM map_history
         WHERE client_id = ?1 ORDER BY creation_order, id LIMIT 1"
    };
    let row = conn
        .prepare_cached(sql)?
        .query_row([client_id], |r| {
            Ok((
                RowMeta {
                    id: r.get(0)?,
                    parent: r.get(1)?,
                    creation_order: r.get(2)?,
                    revision: r.get(3)?,
                },
                r.get::<_, Vec<u8>>(4)?,
            ))
        })
        .optional()?;
    let Some((meta, sealed)) = row else {
        return Ok(None);
    };
    let row: HistoryRow = keys.open_record(Table::MapHistory, &meta, &sealed)?;
    match (row.since, row.version) {
        (Some(since), None) => Ok(Some(since)),
        // A history begins with its start: a first row holding a version was not
        // written by kapnotes.
        (None, Some(version)) if newest => Ok(Some(version.at)),
        _ => Err(tampered(&meta.id)),
    }
}

/// Whether a client's history has begun.
pub(crate) fn has_started(conn: &Connection, client_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM map_history WHERE client_id = ?1)")?
        .query_row([client_id], |r| r.get(0))?)
}

fn write_row(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
    row: &HistoryRow,
    written: &mut Vec<RowWritten>,
) -> Result<()> {
    let meta = RowMeta {
        id: row.id.clone(),
        parent: Some(client_id.to_owned()),
        creation_order: store::next_creation_order(conn, Table::MapHistory)?,
        revision: 1,
    };
    let sealed = keys.seal(Table::MapHistory, &meta, row)?;
    store::insert(conn, Table::MapHistory, &meta, &sealed)?;
    written.push(RowWritten {
        action: AuditAction::Created,
        table: Table::MapHistory,
        id: meta.id,
        sealed: Some(sealed),
        session: None,
    });
    Ok(())
}

/// Appends `versions` to a client's history (starting it at `since` first when given).
/// Returns the rows written, for the audit trail.
pub(crate) fn append(
    conn: &Connection,
    keys: &Keys,
    client_id: &str,
    since: Option<&Timestamp>,
    versions: &[MapVersion],
) -> Result<Vec<RowWritten>> {
    let mut written = Vec::new();
    if let Some(since) = since {
        let row = HistoryRow {
            id: new_id(),
            since: Some(since.clone()),
            version: None,
        };
        write_row(conn, keys, client_id, &row, &mut written)?;
    }
    for version in versions {
        let row = HistoryRow {
            id: new_id(),
            since: None,
            version: Some(version.clone()),
        };
        write_row(conn, keys, client_id, &row, &mut written)?;
    }
    Ok(written)
}

/// The history a client brings into the vault (created, or imported): the document's
/// own history, caught up with the document's map at `now`, or one that starts `now`
/// with every record of the map as found.
pub(crate) fn start_for_new_client(
    conn: &Connection,
    keys: &Keys,
    client: &Client,
    now: &Timestamp,
) -> Result<Vec<RowWritten>> {
    let map = MapState::of(client);
    match &client.map_history {
        Some(history) => {
            let mut versions = history.versions.clone();
            versions.extend(parts_history::catch_up(history, &map, now));
            append(conn, keys, client.id(), Some(&history.since), &versions)
        }
        None => append(
            conn,
            keys,
            client.id(),
            Some(now),
            &parts_history::baseline(&map, now),
        ),
    }
}

/// The events for rows written for `client_id` by something other than a change to
/// one client (an import, an upgrade).
pub(crate) fn events(
    rows: Vec<RowWritten>,
    client_id: &str,
    detail: Option<&str>,
) -> Vec<AuditEvent> {
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut event = AuditEvent::new(row.action)
                .client(client_id)
                .record(row.table, &row.id);
            if let Some(sealed) = &row.sealed {
                event = event.sealed_content(sealed);
            }
            match detail {
                Some(detail) if i == 0 => event.detail(detail),
                _ => event,
            }
        })
        .collect()
}
