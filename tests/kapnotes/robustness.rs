//! Property tests for the two doors untrusted bytes come through: importing a document
//! and opening a vault file. Random and mutated inputs are taken whole or refused with
//! a plain error, never a panic, a hang or a half-write.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::Path;

/// Everything a plain SQLite connection can read from the file: the schema, `PRAGMA
/// user_version` and every row of every table (a table that cannot be read maps to its
/// error), leaving out the tables named in `except`. `Err` when SQLite cannot open the
/// file at all.
pub(crate) fn database_contents(
    path: &Path,
    except: &[&str],
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let rows_of = |sql: &str| -> Vec<String> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = conn.prepare(sql)?;
            let columns = stmt.column_count();
            stmt.query_map([], |row| {
                (0..columns)
                    .map(|i| row.get::<_, SqlValue>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(|values| format!("{values:?}"))
            })?
            .collect()
        };
        read().unwrap_or_else(|e| vec![format!("unreadable: {e}")])
    };
    let mut contents = BTreeMap::new();
    contents.insert(
        "(schema)".to_owned(),
        rows_of("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"),
    );
    contents.insert("(user_version)".to_owned(), rows_of("PRAGMA user_version"));
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    for table in tables {
        if except.contains(&table.as_str()) {
            continue;
        }
        let quoted = table.replace('"', "\"\"");
        let rows = rows_of(&format!("SELECT * FROM \"{quoted}\" ORDER BY rowid"));
        contents.insert(table, rows);
    }
    Ok(contents)
}
