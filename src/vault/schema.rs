//! The database schema, as an append-only list of migrations. A shipped migration is
//! never edited; a change is a new entry. `PRAGMA user_version` records how far a vault
//! has come, and a vault from a newer kapnotes is refused rather than misread.
//!
//! Every record table has the same shape: the id, the parent id queries need (a client
//! or a session), the creation order, a revision counter, and the sealed payload. All
//! of those plaintext columns are bound into the payload's associated data.

use crate::error::{Error, Result};
use rusqlite::{Connection, Transaction};

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "
    CREATE TABLE vault_header (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        vault_id TEXT NOT NULL,
        crypto_version INTEGER NOT NULL,
        kdf_memory_kib INTEGER NOT NULL,
        kdf_iterations INTEGER NOT NULL,
        kdf_parallelism INTEGER NOT NULL,
        passphrase_salt BLOB NOT NULL,
        passphrase_wrapped_key BLOB NOT NULL,
        recovery_wrapped_key BLOB NOT NULL,
        header_seal BLOB NOT NULL
    );
    CREATE TABLE settings (
        id TEXT PRIMARY KEY NOT NULL,
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE TABLE clients (
        id TEXT PRIMARY KEY NOT NULL,
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE TABLE parts (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX parts_by_client ON parts(client_id, creation_order);
    CREATE TABLE relationships (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX relationships_by_client ON relationships(client_id, creation_order);
    CREATE TABLE agreements (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX agreements_by_client ON agreements(client_id, creation_order);
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX sessions_by_client ON sessions(client_id, creation_order);
    CREATE TABLE measures (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX measures_by_client ON measures(client_id, creation_order);
    CREATE TABLE note_revisions (
        id TEXT PRIMARY KEY NOT NULL,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX note_revisions_by_session ON note_revisions(session_id, creation_order);
    ",
    ),
    (
        2,
        "
    ALTER TABLE vault_header ADD COLUMN audit_head BLOB;
    CREATE TABLE audit_entries (
        position INTEGER PRIMARY KEY NOT NULL,
        sealed BLOB NOT NULL,
        mac BLOB NOT NULL
    );
    CREATE TABLE unlock_failures (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        attempts INTEGER NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL
    );
    ",
    ),
    (
        3,
        // The trail's head moves into the header seal (sealed together with the header
        // columns and a generation counter); the key-dependent half of this step runs in
        // the same transaction, in audit::upgrade.
        "
    UPDATE vault_header SET audit_head = NULL;
    ",
    ),
    (
        4,
        // Parts work over time: named groups of parts, and the parts map's history
        // (append-only: a row is written once and never changed). Every client's
        // history starts in the same transaction (vault::map_history::start_for_upgrade).
        "
    CREATE TABLE part_groups (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX part_groups_by_client ON part_groups(client_id, creation_order);
    CREATE TABLE map_history (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX map_history_by_client ON map_history(client_id, creation_order);
    ",
    ),
    (
        5,
        // Findings a clinician can act on: the acknowledgements of warnings and notes,
        // each its own sealed row (the reason is clinical text); and clients' requests
        // to amend their record.
        "
    CREATE TABLE acknowledgements (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX acknowledgements_by_client ON acknowledgements(client_id, creation_order);
    CREATE TABLE amendment_requests (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX amendment_requests_by_client ON amendment_requests(client_id, creation_order);
    ",
    ),
    (
        6,
        // Attachments: each file's metadata is a sealed record under its client; its
        // content is sealed in chunks, each bound to the attachment, its position and
        // the chunk count (src/vault/attachments.rs). The chunks are written before
        // the metadata that names their digest, so their reference is checked at commit.
        "
    CREATE TABLE attachments (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL REFERENCES clients(id),
        creation_order INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX attachments_by_client ON attachments(client_id, creation_order);
    CREATE TABLE attachment_chunks (
        attachment_id TEXT NOT NULL
            REFERENCES attachments(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        position INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        UNIQUE (attachment_id, position)
    );
    ",
    ),
];

/// The schema version this build writes and reads.
pub fn current_version() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// The schema version stored in the file.
pub fn stored_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a vault from a newer kapnotes.
pub fn check_not_newer(conn: &Connection) -> Result<i64> {
    let found = stored_version(conn)?;
    if found > current_version() {
        return Err(Error::NewerFormat {
            found,
            supported: current_version(),
        });
    }
    Ok(found)
}

/// The schema objects of a file: (type, name, table, SQL), sorted.
type SchemaObjects = Vec<(String, String, String, Option<String>)>;

fn schema_objects(conn: &Connection) -> rusqlite::Result<SchemaObjects> {
    // SQLite's statistics tables come and go with its own maintenance; they hold no
    // code and no data of ours.
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master
         WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\'
         ORDER BY type, name",
    )?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect()
}

/// Refuses a file whose tables, indexes, triggers and views are not exactly those its
/// recorded schema version has: a trigger or a view added behind kapnotes' back could
/// act on every write (delete a record at each wrong passphrase, swallow a save), and a
/// table remade without its constraints could hold rows kapnotes would never write.
/// Reads only; runs before anything is written to the file.
pub fn check_structure(conn: &Connection) -> Result<()> {
    let altered = || Error::DamagedHeader {
        detail: "its tables were altered: an unknown trigger, view, table or index was found",
    };
    let version = stored_version(conn)?;
    let expected = (|| {
        let reference = Connection::open_in_memory()?;
        for (_, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= version) {
            reference.execute_batch(sql)?;
        }
        schema_objects(&reference)
    })()?;
    let found = schema_objects(conn).map_err(|_| altered())?;
    if found != expected {
        return Err(altered());
    }
    Ok(())
}

/// Applies every pending migration inside the caller's transaction, so that a new
/// vault's schema and header land together or not at all.
pub fn apply_pending(tx: &Transaction<'_>) -> Result<()> {
    let found = check_not_newer(tx)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
    }
    Ok(())
}
