//! Sealed rows: how a typed record becomes a row (plaintext columns plus a sealed
//! payload) and back. This is the only code that reads or writes record payloads, so
//! nothing clinical can reach the file unsealed.

use crate::crypto::{AssociatedData, SymmetricKey};
use crate::error::{Error, Internal, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

/// The record tables. Each has the columns `id`, an optional parent id, `creation_order`,
/// `revision` and `sealed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Settings,
    Clients,
    Parts,
    Relationships,
    Agreements,
    Sessions,
    Measures,
    NoteRevisions,
    /// Named clusters of parts (from format 4).
    Groups,
    /// The append-only history of the parts map (from format 4).
    MapHistory,
    /// Findings the clinician acknowledged, with the reason sealed (from format 5).
    Acknowledgements,
    /// Clients' requests to amend their record (from format 5).
    AmendmentRequests,
    /// Attached files' metadata (from format 6); their content is in
    /// `attachment_chunks`, bound to it (src/vault/attachments.rs).
    Attachments,
}

impl Table {
    pub const ALL: [Table; 13] = [
        Table::Settings,
        Table::Clients,
        Table::Parts,
        Table::Relationships,
        Table::Agreements,
        Table::Sessions,
        Table::Measures,
        Table::NoteRevisions,
        Table::Groups,
        Table::MapHistory,
        Table::Acknowledgements,
        Table::AmendmentRequests,
        Table::Attachments,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Settings => "settings",
            Table::Clients => "clients",
            Table::Parts => "parts",
            Table::Relationships => "relationships",
            Table::Agreements => "agreements",
            Table::Sessions => "sessions",
            Table::Measures => "measures",
            Table::NoteRevisions => "note_revisions",
            Table::Groups => "part_groups",
            Table::MapHistory => "map_history",
            Table::Acknowledgements => "acknowledgements",
            Table::AmendmentRequests => "amendment_requests",
            Table::Attachments => "attachments",
        }
    }

    /// What one row is called in messages.
    pub fn record_name(self) -> &'static str {
        match self {
            Table::Settings => "setting",
            Table::Clients => "client",
            Table::Parts => "part",
            Table::Relationships => "relationship",
            Table::Agreements => "agreement",
            Table::Sessions => "session",
            Table::Measures => "measure",
            Table::NoteRevisions => "note revision",
            Table::Groups => "group",
            Table::MapHistory => "map history version",
            Table::Acknowledgements => "acknowledgement",
            Table::AmendmentRequests => "amendment request",
            Table::Attachments => "attachment",
        }
    }

    pub fn parent_column(self) -> Option<&'static str> {
        match self {
            Table::Settings | Table::Clients => None,
            Table::NoteRevisions => Some("session_id"),
            _ => Some("client_id"),
        }
    }
}

/// The plaintext columns of a row. All of them are bound into the sealed payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMeta {
    pub id: String,
    pub parent: Option<String>,
    pub creation_order: i64,
    pub revision: i64,
}

/// A record that carries its own id, which must match its row's id.
pub trait Identified {
    fn record_id(&self) -> &str;
}

/// The vault's keys together with the vault id every seal is bound to.
pub struct Keys {
    pub vault_id: String,
    /// The key the header wraps under the passphrase and under the recovery key.
    pub master: SymmetricKey,
    /// The key that seals records, audit entries and the header's state. Up to format 2
    /// it is the master key itself; from format 3 it is derived from it, so that a
    /// header of an older format (which still unwraps the master key) cannot open a
    /// single row written since the upgrade.
    pub data_key: SymmetricKey,
}

/// The HKDF label of the records key from format 3 on.
const FORMAT_3_RECORDS_KEY: &[u8] = b"kapnotes records key, format 3";

impl Keys {
    /// The keys for a vault whose header has `layout`, from its unwrapped master key.
    pub fn new(vault_id: &str, master: SymmetricKey, layout: super::header::SealLayout) -> Keys {
        let data_key = match layout {
            super::header::SealLayout::ColumnsOnly => master.duplicate(),
            super::header::SealLayout::WithTrail => {
                master.derive(vault_id.as_bytes(), FORMAT_3_RECORDS_KEY)
            }
        };
        Keys {
            vault_id: vault_id.to_owned(),
            master,
            data_key,
        }
    }

    /// A second handle on the same keys (for a reader on another thread).
    pub fn duplicate(&self) -> Keys {
        Keys {
            vault_id: self.vault_id.clone(),
            master: self.master.duplicate(),
            data_key: self.data_key.duplicate(),
        }
    }
}

/// The associated data of one row: vault, table, and every plaintext column.
pub fn row_associated_data(vault_id: &str, table: Table, meta: &RowMeta) -> AssociatedData {
    AssociatedData::new("record")
        .field(vault_id.as_bytes())
        .field(table.name().as_bytes())
        .field(meta.id.as_bytes())
        .field(table.parent_column().unwrap_or("").as_bytes())
        .field(meta.parent.as_deref().unwrap_or("").as_bytes())
        .field(meta.creation_order.to_string().as_bytes())
        .field(meta.revision.to_string().as_bytes())
}

impl Keys {
    pub fn seal<T: Serialize>(&self, table: Table, meta: &RowMeta, value: &T) -> Result<Vec<u8>> {
        let plain = Zeroizing::new(
            serde_json::to_vec(value).map_err(|_| Internal::Encoding { what: "the record" })?,
        );
        let ad = row_associated_data(&self.vault_id, table, meta);
        Ok(self.data_key.seal(&plain, ad.as_bytes())?)
    }

    /// Opens a row's payload. A payload that fails to authenticate, or that
    /// authenticates but does not decode, is reported as a tampered record.
    pub fn open<T: DeserializeOwned>(
        &self,
        table: Table,
        meta: &RowMeta,
        sealed: &[u8],
    ) -> Result<T> {
        let tampered = || Error::TamperedRecord {
            table: table.name(),
            id: meta.id.clone(),
        };
        let ad = row_associated_data(&self.vault_id, table, meta);
        let plain = self
            .data_key
            .open(sealed, ad.as_bytes())
            .map_err(|_| tampered())?;
        serde_json::from_slice(&plain).map_err(|_| tampered())
    }

    /// Whether a row's payload opens under these keys with its plaintext columns as
    /// they are (nothing is decoded).
    pub fn authenticates(&self, table: Table, meta: &RowMeta, sealed: &[u8]) -> bool {
        let ad = row_associated_data(&self.vault_id, table, meta);
        self.data_key.open(sealed, ad.as_bytes()).is_ok()
    }

    /// Re-encrypts a row's payload under `new` keys, unchanged otherwise (key rotation).
    pub fn reseal(
        &self,
        new: &Keys,
        table: Table,
        meta: &RowMeta,
        sealed: &[u8],
    ) -> Result<Vec<u8>> {
        let ad = row_associated_data(&self.vault_id, table, meta);
        let plain =
            self.data_key
                .open(sealed, ad.as_bytes())
                .map_err(|_| Error::TamperedRecord {
                    table: table.name(),
                    id: meta.id.clone(),
                })?;
        Ok(new.data_key.seal(
            &plain,
            row_associated_data(&new.vault_id, table, meta).as_bytes(),
        )?)
    }

    /// Opens a record's payload and checks that the id inside is the row's id.
    pub fn open_record<T: DeserializeOwned + Identified>(
        &self,
        table: Table,
        meta: &RowMeta,
        sealed: &[u8],
    ) -> Result<T> {
        let record: T = self.open(table, meta, sealed)?;
        if record.record_id() != meta.id {
            return Err(Error::TamperedRecord {
                table: table.name(),
                id: meta.id.clone(),
            });
        }
        Ok(record)
    }
}

fn select_columns(table: Table) -> String {
    format!(
        "SELECT id, {}, creation_order, revision, sealed FROM {}",
        table.parent_column().unwrap_or("NULL"),
        table.name()
    )
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(RowMeta, Vec<u8>)> {
    Ok((
        RowMeta {
            id: row.get(0)?,
            parent: row.get(1)?,
            creation_order: row.get(2)?,
            revision: row.get(3)?,
        },
        row.get(4)?,
    ))
}

/// Every row of `table` (under `parent`, when given) in creation order.
pub fn load_rows(
    conn: &Connection,
    table: Table,
    parent: Option<&str>,
) -> Result<Vec<(RowMeta, Vec<u8>)>> {
    let rows = match (parent, table.parent_column()) {
        (Some(parent), Some(column)) => {
            let sql = format!(
                "{} WHERE {column} = ?1 ORDER BY creation_order, id",
                select_columns(table)
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            stmt.query_map([parent], read_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
        _ => {
            let sql = format!("{} ORDER BY creation_order, id", select_columns(table));
            let mut stmt = conn.prepare_cached(&sql)?;
            stmt.query_map([], read_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(rows)
}

/// One row by id.
pub fn load_row(conn: &Connection, table: Table, id: &str) -> Result<Option<(RowMeta, Vec<u8>)>> {
    let sql = format!("{} WHERE id = ?1", select_columns(table));
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], read_row)
        .optional()?)
}

/// One row by id, or a "not found" error naming the kind of record.
pub fn require_row(conn: &Connection, table: Table, id: &str) -> Result<(RowMeta, Vec<u8>)> {
    load_row(conn, table, id)?.ok_or_else(|| Error::NotFound {
        what: table.record_name(),
        id: id.to_owned(),
    })
}

/// The parent id of a row (the client of a session, for instance).
pub fn parent_of(conn: &Connection, table: Table, id: &str) -> Result<Option<String>> {
    let Some(column) = table.parent_column() else {
        return Ok(None);
    };
    let sql = format!("SELECT {column} FROM {} WHERE id = ?1", table.name());
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Whether the file has `table` yet (an older format is read before its upgrade).
pub fn exists(conn: &Connection, table: Table) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        )?
        .query_row([table.name()], |r| r.get(0))?)
}

/// A stored row: its table, plaintext columns, sealed bytes, and the client it belongs to.
pub type StoredRow = (Table, RowMeta, Vec<u8>, Option<String>);

/// Every stored row of every record table.
pub fn every_row(conn: &Connection) -> Result<Vec<StoredRow>> {
    let mut session_clients: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    for (meta, _) in load_rows(conn, Table::Sessions, None)? {
        if let Some(client) = meta.parent {
            session_clients.insert(meta.id, client);
        }
    }
    let mut rows = Vec::new();
    for table in Table::ALL {
        // An older format checked before its upgrade has no table a later one added.
        if !exists(conn, table)? {
            continue;
        }
        for (meta, sealed) in load_rows(conn, table, None)? {
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

pub fn next_creation_order(conn: &Connection, table: Table) -> Result<i64> {
    let sql = format!(
        "SELECT COALESCE(MAX(creation_order), 0) + 1 FROM {}",
        table.name()
    );
    Ok(conn.query_row(&sql, [], |r| r.get(0))?)
}

pub fn insert(conn: &Connection, table: Table, meta: &RowMeta, sealed: &[u8]) -> Result<()> {
    match table.parent_column() {
        Some(column) => {
            let sql = format!(
                "INSERT INTO {} (id, {column}, creation_order, revision, sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
                table.name()
            );
            conn.prepare_cached(&sql)?.execute(params![
                meta.id,
                meta.parent,
                meta.creation_order,
                meta.revision,
                sealed
            ])?;
        }
        None => {
            let sql = format!(
                "INSERT INTO {} (id, creation_order, revision, sealed) VALUES (?1, ?2, ?3, ?4)",
                table.name()
            );
            conn.prepare_cached(&sql)?.execute(params![
                meta.id,
                meta.creation_order,
                meta.revision,
                sealed
            ])?;
        }
    }
    Ok(())
}

/// Replaces a row's payload with one sealed for `meta.revision` (the caller has
/// incremented it).
/// Replaces a row's sealed payload and nothing else (key rotation).
pub fn replace_sealed(conn: &Connection, table: Table, id: &str, sealed: &[u8]) -> Result<()> {
    let sql = format!("UPDATE {} SET sealed = ?2 WHERE id = ?1", table.name());
    conn.prepare_cached(&sql)?.execute(params![id, sealed])?;
    Ok(())
}

pub fn update(conn: &Connection, table: Table, meta: &RowMeta, sealed: &[u8]) -> Result<()> {
    let sql = format!(
        "UPDATE {} SET revision = ?2, sealed = ?3 WHERE id = ?1",
        table.name()
    );
    let changed = conn
        .prepare_cached(&sql)?
        .execute(params![meta.id, meta.revision, sealed])?;
    if changed != 1 {
        return Err(Error::NotFound {
            what: table.record_name(),
            id: meta.id.clone(),
        });
    }
    Ok(())
}

pub fn delete(conn: &Connection, table: Table, id: &str) -> Result<()> {
    let sql = format!("DELETE FROM {} WHERE id = ?1", table.name());
    conn.prepare_cached(&sql)?.execute([id])?;
    Ok(())
}
