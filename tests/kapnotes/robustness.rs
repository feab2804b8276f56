//! Property tests for the two doors untrusted bytes come through: importing a document
//! and opening a vault file. Random and mutated inputs are taken whole or refused with
//! a plain error, never a panic, a hang or a half-write.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::{Access, Error, ExportScope, Vault};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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

/// What differs between two readings of [`database_contents`], briefly (the tables
/// whose rows changed, with their row counts), or `None`.
pub(crate) fn difference(
    before: &Result<BTreeMap<String, Vec<String>>, String>,
    after: &Result<BTreeMap<String, Vec<String>>, String>,
) -> Option<String> {
    match (before, after) {
        (Ok(before), Ok(after)) => {
            let names: std::collections::BTreeSet<&String> =
                before.keys().chain(after.keys()).collect();
            let changed: Vec<String> = names
                .into_iter()
                .filter(|name| before.get(*name) != after.get(*name))
                .map(|name| {
                    let rows = |c: &BTreeMap<String, Vec<String>>| c.get(name).map(Vec::len);
                    format!("{name} ({:?} rows -> {:?})", rows(before), rows(after))
                })
                .collect();
            (!changed.is_empty()).then(|| format!("changed: {}", changed.join(", ")))
        }
        (before, after) if before == after => None,
        (before, after) => Some(format!(
            "readable before: {}, after: {}",
            before.is_ok(),
            after.is_ok()
        )),
    }
}

// ----- shared -----

/// A vault file made once per test run (the example imported, one failed unlock
/// counted), copied fresh into each case's own folder.
fn template_vault() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let (tv, vault) = TestVault::with_example();
        drop(vault);
        assert!(Vault::unlock(&tv.path, "not the passphrase", Access::ReadOnly).is_err());
        let path = tv.path.clone();
        (tv.dir, path)
    });
    path
}

/// A fresh copy of the template vault, alone in its own folder.
fn copy_of_template() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.kapnotes");
    std::fs::copy(template_vault(), &path).unwrap();
    (dir, path)
}

/// A user-facing error is one line of plain text ending a sentence.
fn assert_plain_sentence(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.is_empty());
    prop_assert!(
        !message.chars().any(char::is_control),
        "control characters in the message: {message:?}"
    );
    prop_assert!(message.ends_with('.'), "{message:?}");
    prop_assert!(
        !message.contains("panicked") && !message.contains("RUST_BACKTRACE"),
        "{message:?}"
    );
    Ok(())
}

/// Every JSON pointer in `value`, the root excluded.
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: String, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => return,
        };
        for (key, child) in children {
            let path = format!("{at}/{key}");
            out.push(path.clone());
            walk(child, path, out);
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

fn pick<'a>(paths: &'a [String], index: &Index) -> Option<&'a str> {
    (!paths.is_empty()).then(|| paths[index.index(paths.len())].as_str())
}

// ----- importing documents -----

/// The example (or, with `over_time`, the example with unburdening steps, a group and
/// a map history) with every id replaced, so it does not collide with the vault's copy.
fn fresh_example(over_time: bool) -> Value {
    let source = if over_time { PARTS_OVER_TIME } else { EXAMPLE };
    serde_json::from_str(&source.replace(
        "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e",
        "6c0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e",
    ))
    .unwrap()
}

fn is_id(text: &str) -> bool {
    text.len() == 36 && text.split('-').map(str::len).eq([8, 4, 4, 4, 12])
}

/// One change to a document, aimed by an index into the places it applies to.
#[derive(Debug, Clone)]
enum Edit {
    Remove(Index),
    ReplaceWith(Index, Value),
    Text(Index, String),
    Number(Index, Value),
    /// An id set to another id of the document or of the vault.
    DuplicateId(Index, Index),
    /// A reference set to an id that exists nowhere.
    Dangling(Index, String),
    Shuffle(Index, Vec<Index>),
}

fn other_values() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        Just(json!("")),
        Just(json!([])),
        Just(json!({})),
        Just(json!([null, 1, "x"])),
        Just(json!({"id": "6c0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e99"})),
    ]
}

fn awkward_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        // Control characters (C0, DEL, C1), bidirectional overrides, line ends, emoji.
        proptest::string::string_regex(
            "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-zé😀 \r\n\t]{0,24}"
        )
        .unwrap(),
        (150usize..12_000).prop_map(|n| "ü".repeat(n)),
    ]
}

fn awkward_numbers() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(1.5)),
        Just(json!(1e300)),
        Just(json!(-1e300)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(4_294_967_296u64)),
        Just(json!(9_007_199_254_740_993u64)),
        any::<i32>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<Index>().prop_map(Edit::Remove),
        (any::<Index>(), other_values()).prop_map(|(i, v)| Edit::ReplaceWith(i, v)),
        (any::<Index>(), awkward_text()).prop_map(|(i, t)| Edit::Text(i, t)),
        (any::<Index>(), awkward_numbers()).prop_map(|(i, n)| Edit::Number(i, n)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::DuplicateId(a, b)),
        (any::<Index>(), any::<u128>()).prop_map(|(i, n)| {
            Edit::Dangling(i, uuid::Uuid::from_u128(n).hyphenated().to_string())
        }),
        (
            any::<Index>(),
            proptest::collection::vec(any::<Index>(), 1..8)
        )
            .prop_map(|(i, swaps)| Edit::Shuffle(i, swaps)),
    ]
}

/// Applies `edit` to `doc`; returns the text it put in, if any (it must never be quoted
/// back in an error).
fn apply_edit(doc: &mut Value, edit: &Edit, vault_ids: &[String]) -> Option<String> {
    let all = pointers(doc);
    let of_kind = |keep: &dyn Fn(&str, &Value) -> bool| -> Vec<String> {
        all.iter()
            .filter(|p| keep(p, doc.pointer(p).unwrap()))
            .cloned()
            .collect()
    };
    let set = |doc: &mut Value, path: &str, value: Value| {
        if let Some(slot) = doc.pointer_mut(path) {
            *slot = value;
        }
    };
    match edit {
        Edit::Remove(i) => {
            let path = pick(&all, i)?.to_owned();
            let (parent, key) = path.rsplit_once('/')?;
            match doc.pointer_mut(parent)? {
                Value::Object(map) => {
                    map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
                }
                Value::Array(items) => {
                    items.remove(key.parse().ok()?);
                }
                _ => {}
            }
        }
        Edit::ReplaceWith(i, value) => set(doc, pick(&all, i)?, value.clone()),
        Edit::Text(i, text) => {
            let strings = of_kind(&|_, v| v.is_string());
            set(doc, pick(&strings, i)?, json!(text));
            return Some(text.clone());
        }
        Edit::Number(i, number) => {
            let numbers = of_kind(&|_, v| v.is_number());
            set(doc, pick(&numbers, i)?, number.clone());
        }
        Edit::DuplicateId(target, source) => {
            let id_fields = of_kind(&|p, v| p.ends_with("/id") && v.is_string());
            let mut ids: Vec<String> = id_fields
                .iter()
                .filter_map(|p| doc.pointer(p)?.as_str().map(str::to_owned))
                .collect();
            ids.extend(vault_ids.iter().cloned());
            let id = ids[source.index(ids.len())].clone();
            set(doc, pick(&id_fields, target)?, json!(id));
        }
        Edit::Dangling(i, id) => {
            let references = of_kind(&|p, v| !p.ends_with("/id") && v.as_str().is_some_and(is_id));
            set(doc, pick(&references, i)?, json!(id));
        }
        Edit::Shuffle(i, swaps) => {
            let arrays = of_kind(&|_, v| v.as_array().is_some_and(|a| a.len() > 1));
            let path = pick(&arrays, i)?.to_owned();
            let items = doc.pointer_mut(&path)?.as_array_mut()?;
            for (n, swap) in swaps.iter().enumerate() {
                let len = items.len();
                items.swap(n % len, swap.index(len));
            }
        }
    }
    None
}

/// Damage to the document's text itself, after the edits.
#[derive(Debug, Clone)]
enum TextDamage {
    FlipBytes(Vec<(Index, u8)>),
    Truncate(Index),
}

fn text_damage() -> impl Strategy<Value = TextDamage> {
    prop_oneof![
        proptest::collection::vec((any::<Index>(), 1u8..), 1..6).prop_map(TextDamage::FlipBytes),
        any::<Index>().prop_map(TextDamage::Truncate),
    ]
}

fn damage_text(text: String, damage: &TextDamage) -> String {
    let mut bytes = text.into_bytes();
    match damage {
        TextDamage::FlipBytes(flips) => {
            for (at, mask) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= mask;
            }
        }
        TextDamage::Truncate(at) => bytes.truncate(at.index(bytes.len())),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A client as compared after a round trip: canonical order, and `\r\n` as `\n`
/// (which the vault may store as `\n`).
fn comparable(client: &kapnotes::records::Client) -> Value {
    let mut client = client.clone();
    client.sort_canonically();
    comparable_value(&client)
}

/// Any record as compared after a round trip: `\r\n` as `\n`.
fn comparable_value<T: serde::Serialize + ?Sized>(record: &T) -> Value {
    fn normalise(value: &mut Value) {
        match value {
            Value::String(s) => *s = s.replace("\r\n", "\n"),
            Value::Array(items) => items.iter_mut().for_each(normalise),
            Value::Object(map) => map.values_mut().for_each(normalise),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(record).unwrap();
    normalise(&mut value);
    value
}

/// Imports the example, changed by `edits` and `damage`, into a copy of the template
/// vault. Returns whether it was imported (else it was refused).
fn check_import(
    edits: &[Edit],
    damage: Option<&TextDamage>,
    over_time: bool,
) -> Result<bool, TestCaseError> {
    let (_dir, path) = copy_of_template();
    let mut vault = Vault::unlock(&path, PASSPHRASE, Access::ReadWrite).unwrap();
    let before_import = interchange::export(&vault, &ExportScope::Everything).unwrap();
    let held = serde_json::to_value(&before_import.clients).unwrap();
    let vault_ids: Vec<String> = pointers(&held)
        .iter()
        .filter(|p| p.ends_with("/id"))
        .filter_map(|p| held.pointer(p)?.as_str().map(str::to_owned))
        .collect();

    let mut doc = fresh_example(over_time);
    let mut injected = Vec::new();
    for edit in edits {
        injected.extend(apply_edit(&mut doc, edit, &vault_ids));
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap();
    if let Some(damage) = damage {
        text = damage_text(text, damage);
    }

    let before = database_contents(&path, &[]);
    match interchange::import(&mut vault, &text) {
        Ok(_) => {
            // Whole: the vault now holds what it held plus exactly the document.
            let document = kapnotes::interchange::parse_document(&text)
                .expect("an imported document parses on its own");
            let after = interchange::export(&vault, &ExportScope::Everything).unwrap();
            // A document's history is kept as given, then caught up with its map at
            // the import: it is compared apart, as a prefix.
            for client in &document.clients {
                let Some(given) = &client.map_history else {
                    continue;
                };
                let stored = vault.client(client.id()).unwrap().map_history.unwrap();
                prop_assert_eq!(&stored.since, &given.since);
                prop_assert!(stored.versions.len() >= given.versions.len());
                prop_assert_eq!(
                    comparable_value(&stored.versions[..given.versions.len()]),
                    comparable_value(&given.versions)
                );
            }
            let without_history = |client: &kapnotes::records::Client| {
                let mut value = comparable(client);
                if let Some(object) = value.as_object_mut() {
                    object.remove("map_history");
                }
                value
            };
            let wanted: Vec<Value> = before_import
                .clients
                .iter()
                .chain(&document.clients)
                .map(without_history)
                .collect();
            let mut got: Vec<Value> = after.clients.iter().map(without_history).collect();
            let mut wanted = wanted;
            let key = |v: &Value| v["id"].as_str().unwrap_or_default().to_owned();
            got.sort_by_key(key);
            wanted.sort_by_key(key);
            prop_assert_eq!(got, wanted);
            prop_assert_eq!(&after.clinician, &document.clinician);
            Ok(true)
        }
        Err(err) => {
            let message = err.to_string();
            let Error::Rejected(rejection) = &err else {
                return Err(TestCaseError::fail(format!("not a rejection: {message}")));
            };
            assert_plain_sentence(&message)?;
            prop_assert!(!rejection.rule.is_empty());
            if !rejection.path.is_empty()
                && let Ok(parsed) = serde_json::from_str::<Value>(&text)
            {
                prop_assert!(
                    parsed.pointer(&rejection.path).is_some(),
                    "the rejection points at nothing in the document: {}",
                    message
                );
            }
            for text in injected.iter().filter(|t| t.chars().count() >= 8) {
                prop_assert!(
                    !message.contains(text.as_str()),
                    "the message quotes the input: {}",
                    message
                );
            }
            let changed = difference(&before, &database_contents(&path, &[]));
            prop_assert!(
                changed.is_none(),
                "a rejected document wrote something ({:?}): {}",
                changed,
                message
            );
            Ok(false)
        }
    }
}

/// Random changes to the example document: imported whole or refused with a plain
/// error, never a panic, and a refusal writes nothing (audit trail included).
#[test]
fn a_mutated_document_is_imported_whole_or_refused_cleanly() {
    let (cases, imported) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        proptest::collection::vec(edit(), 0..4),
        proptest::option::weighted(0.15, text_damage()),
        proptest::bool::ANY,
    );
    let outcome = runner.run(&strategy, |(edits, damage, over_time)| {
        cases.fetch_add(1, Ordering::Relaxed);
        if check_import(&edits, damage.as_ref(), over_time)? {
            imported.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    println!(
        "import: {} cases run, {} imported whole, the rest refused",
        cases.into_inner(),
        imported.into_inner()
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

// ----- opening vault files -----

/// A value written into some column of some row through SQLite.
#[derive(Debug, Clone)]
enum NewValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    /// The column's own value with one byte changed (blobs and text).
    FlipByte(Index, u8),
}

fn new_value() -> impl Strategy<Value = NewValue> {
    prop_oneof![
        Just(NewValue::Null),
        prop_oneof![
            Just(-1i64),
            Just(0),
            Just(1),
            Just(2),
            Just(i64::from(u32::MAX)),
            Just(i64::from(u32::MAX) + 1),
            Just(i64::MAX),
            Just(i64::MIN),
            any::<i64>(),
        ]
        .prop_map(NewValue::Integer),
        any::<f64>().prop_map(NewValue::Real),
        awkward_text().prop_map(NewValue::Text),
        proptest::collection::vec(any::<u8>(), 0..80).prop_map(NewValue::Blob),
        (any::<Index>(), 1u8..).prop_map(|(i, m)| NewValue::FlipByte(i, m)),
    ]
}

/// Damage to a vault file, made with SQLite or on its bytes.
#[derive(Debug, Clone)]
enum FileDamage {
    /// Bytes changed anywhere in the file.
    FlipBytes(Vec<(Index, u8)>),
    /// Bytes changed in SQLite's own 100-byte header.
    FlipSqliteHeader(Vec<(Index, u8)>),
    Truncate(Index),
    /// Some column of the vault header row set to a new value.
    HeaderColumn(Index, NewValue),
    /// Some column of some row of some table set to a new value.
    AnyCell(Index, Index, Index, NewValue),
    DeleteRows(Index),
    DropTable(Index),
    UserVersion(i64),
    Garbage(Vec<u8>),
    Empty,
    /// A file that is something else: a document, a text, an unrelated database.
    Foreign(usize),
}

fn file_damage() -> impl Strategy<Value = FileDamage> {
    let flips = || proptest::collection::vec((any::<Index>(), 1u8..), 1..8);
    prop_oneof![
        3 => flips().prop_map(FileDamage::FlipBytes),
        1 => flips().prop_map(FileDamage::FlipSqliteHeader),
        1 => any::<Index>().prop_map(FileDamage::Truncate),
        3 => (any::<Index>(), new_value()).prop_map(|(c, v)| FileDamage::HeaderColumn(c, v)),
        3 => (any::<Index>(), any::<Index>(), any::<Index>(), new_value())
            .prop_map(|(t, r, c, v)| FileDamage::AnyCell(t, r, c, v)),
        1 => any::<Index>().prop_map(FileDamage::DeleteRows),
        1 => any::<Index>().prop_map(FileDamage::DropTable),
        1 => prop_oneof![Just(-1i64), Just(0), Just(1), Just(3), Just(i64::from(i32::MAX)), any::<i32>().prop_map(i64::from)]
            .prop_map(FileDamage::UserVersion),
        1 => proptest::collection::vec(any::<u8>(), 1..20_000).prop_map(FileDamage::Garbage),
        1 => Just(FileDamage::Empty),
        1 => (0usize..3).prop_map(FileDamage::Foreign),
    ]
}

fn tables_of(conn: &Connection) -> Vec<String> {
    conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default()
}

fn columns_of(conn: &Connection, table: &str) -> Vec<String> {
    conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default()
}

/// Sets `column` of the row `rowid` of `table` (a failed update, such as a NOT NULL
/// column set to NULL, leaves the file as it was).
fn set_cell(conn: &Connection, table: &str, column: &str, rowid: i64, value: &NewValue) {
    let target = format!("UPDATE \"{table}\" SET \"{column}\" = ?1 WHERE rowid = ?2");
    let new: SqlValue = match value {
        NewValue::Null => SqlValue::Null,
        NewValue::Integer(n) => SqlValue::Integer(*n),
        NewValue::Real(r) => SqlValue::Real(*r),
        NewValue::Text(t) => SqlValue::Text(t.clone()),
        NewValue::Blob(b) => SqlValue::Blob(b.clone()),
        NewValue::FlipByte(at, mask) => {
            let old: SqlValue = match conn.query_row(
                &format!("SELECT \"{column}\" FROM \"{table}\" WHERE rowid = ?1"),
                [rowid],
                |r| r.get(0),
            ) {
                Ok(old) => old,
                Err(_) => return,
            };
            let flip = |mut bytes: Vec<u8>| {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] ^= mask;
                }
                bytes
            };
            match old {
                SqlValue::Blob(b) => SqlValue::Blob(flip(b)),
                SqlValue::Text(t) => {
                    SqlValue::Text(String::from_utf8_lossy(&flip(t.into_bytes())).into_owned())
                }
                SqlValue::Integer(n) => SqlValue::Integer(n ^ i64::from(*mask)),
                other => other,
            }
        }
    };
    let _ = conn.execute(&target, rusqlite::params![new, rowid]);
}

fn damage_file(path: &Path, damage: &FileDamage) {
    let edit_bytes = |change: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = std::fs::read(path).unwrap();
        change(&mut bytes);
        std::fs::write(path, bytes).unwrap();
    };
    let with_sqlite = |change: &dyn Fn(&Connection)| {
        let conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.pragma_update(None, "ignore_check_constraints", "ON")
            .unwrap();
        change(&conn);
        // Fold the change into the file itself: the vault is then one file again.
        conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
            .unwrap();
    };
    match damage {
        FileDamage::FlipBytes(flips) => edit_bytes(&|bytes| {
            for (at, mask) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= mask;
            }
        }),
        FileDamage::FlipSqliteHeader(flips) => edit_bytes(&|bytes| {
            for (at, mask) in flips {
                bytes[at.index(100)] ^= mask;
            }
        }),
        FileDamage::Truncate(at) => edit_bytes(&|bytes| {
            let len = bytes.len();
            bytes.truncate(at.index(len));
        }),
        FileDamage::HeaderColumn(column, value) => with_sqlite(&|conn| {
            let columns = columns_of(conn, "vault_header");
            let column = &columns[column.index(columns.len())];
            set_cell(conn, "vault_header", column, 1, value);
        }),
        FileDamage::AnyCell(table, row, column, value) => with_sqlite(&|conn| {
            let tables = tables_of(conn);
            let table = &tables[table.index(tables.len())];
            let columns = columns_of(conn, table);
            let rowids: Vec<i64> = conn
                .prepare(&format!("SELECT rowid FROM \"{table}\""))
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .unwrap_or_default();
            if !rowids.is_empty() && !columns.is_empty() {
                let rowid = rowids[row.index(rowids.len())];
                set_cell(
                    conn,
                    table,
                    &columns[column.index(columns.len())],
                    rowid,
                    value,
                );
            }
        }),
        FileDamage::DeleteRows(table) => with_sqlite(&|conn| {
            let tables = tables_of(conn);
            let table = &tables[table.index(tables.len())];
            conn.execute(&format!("DELETE FROM \"{table}\""), [])
                .unwrap();
        }),
        FileDamage::DropTable(table) => with_sqlite(&|conn| {
            let tables = tables_of(conn);
            let table = &tables[table.index(tables.len())];
            conn.execute(&format!("DROP TABLE \"{table}\""), [])
                .unwrap();
        }),
        FileDamage::UserVersion(version) => with_sqlite(&|conn| {
            conn.pragma_update(None, "user_version", version).unwrap();
        }),
        FileDamage::Garbage(bytes) => std::fs::write(path, bytes).unwrap(),
        FileDamage::Empty => std::fs::write(path, b"").unwrap(),
        FileDamage::Foreign(kind) => {
            std::fs::remove_file(path).unwrap();
            match kind {
                0 => std::fs::write(path, EXAMPLE).unwrap(),
                1 => std::fs::write(path, b"SQLite format 3\0 but nothing after it").unwrap(),
                _ => Connection::open(path)
                    .unwrap()
                    .execute_batch(
                        "CREATE TABLE vault_header (x); INSERT INTO vault_header VALUES (1);",
                    )
                    .unwrap(),
            }
        }
    }
}

/// The names in the vault's folder.
fn folder_listing(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What one attempt to open a damaged vault did.
#[derive(Debug)]
enum Opened {
    Refused {
        message: String,
        wrong_passphrase: bool,
        gap: Option<KnownGap>,
    },
    /// Opened; the errors met reading every client, and the known gaps met.
    Read {
        unexpected: Vec<String>,
        gaps: Vec<KnownGap>,
    },
}

/// Faults of today's kapnotes that this test finds and reports but does not fail on
/// yet (each is in the report to the lead; remove its tolerance once fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KnownGap {
    /// SQLite could not read a damaged file (a missing table or column, a value of
    /// the wrong type, a malformed page), and the error says "could not be read or
    /// written … check that the disk is not full", sometimes quoting several lines of
    /// SQL, instead of calling the file damaged or the record tampered.
    StorageErrorForDamage,
    /// A damaged page in an index makes a listed client unreadable as "not in this
    /// vault": SQLite's corruption goes unnoticed and the clinician is told the
    /// record does not exist.
    ListedClientNotFound,
    /// `audit_trail()` / `verify()` overflow (a panic in debug builds) on an audit
    /// entry whose position is negative.
    AuditPositionOverflow,
}

fn storage_gap(err: &Error) -> Option<KnownGap> {
    // A file SQLite will only open read-only (a damaged header can say so) is told
    // truly as "could not be written … check that you may write"; anything else is
    // damage dressed as a disk problem.
    let read_only = matches!(err, Error::Storage(e)
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly));
    (matches!(err, Error::Storage(_)) && !read_only).then_some(KnownGap::StorageErrorForDamage)
}

/// Runs `work` on another thread and waits at most `limit` for it: `None` if it did
/// not finish in time (the thread is left behind), so a hang fails a test instead of
/// stalling the run.
fn within<T: Send + 'static>(
    limit: std::time::Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<std::thread::Result<T>> {
    let (sender, receiver) = std::sync::mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        // Dropped on return or on a panic, either of which wakes the waiting side.
        let _done = sender;
        work()
    });
    match receiver.recv_timeout(limit) {
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
        _ => Some(worker.join()),
    }
}

/// Unlocks the vault and reads every client, its audit trail and its verification.
fn open_and_read(path: &Path, access: Access) -> Opened {
    let vault = match Vault::unlock(path, PASSPHRASE, access) {
        Err(err) => {
            return Opened::Refused {
                message: err.to_string(),
                wrong_passphrase: matches!(err, Error::WrongPassphrase),
                gap: storage_gap(&err),
            };
        }
        Ok(vault) => vault,
    };
    let (mut unexpected, mut gaps) = (Vec::new(), Vec::new());
    let mut note = |err: Error, gaps: &mut Vec<KnownGap>| {
        if let Some(gap) = storage_gap(&err) {
            gaps.push(gap);
        } else if err.kind() != kapnotes::ErrorKind::Integrity {
            unexpected.push(err.to_string());
        }
    };
    match vault.list_clients() {
        Ok(clients) => {
            for client in clients {
                match vault.client(&client.id) {
                    Err(Error::NotFound { .. }) => gaps.push(KnownGap::ListedClientNotFound),
                    Err(err) => note(err, &mut gaps),
                    Ok(_) => {}
                }
            }
        }
        Err(err) => note(err, &mut gaps),
    }
    let checks = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (vault.audit_trail().err(), vault.verify().err())
    }));
    match checks {
        Ok((trail, verify)) => {
            for err in trail.into_iter().chain(verify) {
                note(err, &mut gaps);
            }
        }
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or_default();
            if text.contains("attempt to add with overflow") {
                gaps.push(KnownGap::AuditPositionOverflow);
            } else {
                unexpected.push(format!("panicked: {text}"));
            }
        }
    }
    Opened::Read { unexpected, gaps }
}

/// Damages a copy of the template vault, opens it, and checks the outcome. Returns
/// whether it was refused.
fn check_opening(
    damage: &FileDamage,
    access: Access,
    gaps_met: &mut Vec<KnownGap>,
) -> Result<bool, TestCaseError> {
    let (_dir, path) = copy_of_template();
    damage_file(&path, damage);
    let files_before = folder_listing(&path);
    let bytes_before = std::fs::read(&path).unwrap();
    let rows_before = database_contents(&path, &["unlock_failures"]);

    let opened = {
        let path = path.clone();
        match within(Duration::from_secs(30), move || {
            open_and_read(&path, access)
        }) {
            None => return Err(TestCaseError::fail("opening the vault hung for 30 seconds")),
            Some(Err(_)) => return Err(TestCaseError::fail("opening or reading panicked")),
            Some(Ok(opened)) => opened,
        }
    };
    let files_after = folder_listing(&path);
    match &opened {
        Opened::Refused {
            message,
            wrong_passphrase,
            gap,
        } => {
            match gap {
                Some(gap) => gaps_met.push(*gap),
                None => assert_plain_sentence(message)?,
            }
            // A file that is not one kapnotes can use is left exactly as it was; a
            // passphrase that does not open it is counted, and nothing else changes.
            let lock = "vault.kapnotes.lock".to_owned();
            let new_files: Vec<&String> = files_after
                .iter()
                .filter(|f| {
                    !files_before.contains(f) && (**f != lock || access == Access::ReadOnly)
                })
                .collect();
            prop_assert!(
                new_files.is_empty(),
                "new files {:?}: {}",
                new_files,
                message
            );
            if *wrong_passphrase {
                let changed = difference(
                    &rows_before,
                    &database_contents(&path, &["unlock_failures"]),
                );
                prop_assert!(changed.is_none(), "{:?}: {}", changed, message);
            } else {
                prop_assert!(
                    std::fs::read(&path).unwrap() == bytes_before,
                    "the refused file was changed: {}",
                    message
                );
            }
            Ok(true)
        }
        Opened::Read { unexpected, gaps } => {
            gaps_met.extend(gaps);
            prop_assert!(
                unexpected.is_empty(),
                "reading a damaged vault: {:?}",
                unexpected
            );
            if access == Access::ReadOnly {
                let changed = difference(
                    &rows_before,
                    &database_contents(&path, &["unlock_failures"]),
                );
                prop_assert!(changed.is_none(), "opening to read wrote: {:?}", changed);
            }
            Ok(false)
        }
    }
}

/// Damaged, truncated and foreign vault files: refused with a plain error, never a
/// panic or a hang, and a refusal writes nothing but the failed-unlock count.
#[test]
fn a_damaged_vault_file_is_refused_cleanly_and_left_as_it_was() {
    let (cases, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let gaps = std::sync::Mutex::new(BTreeMap::<KnownGap, usize>::new());
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (file_damage(), any::<bool>());
    let outcome = runner.run(&strategy, |(damage, read_only)| {
        cases.fetch_add(1, Ordering::Relaxed);
        let access = if read_only {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        let mut met = Vec::new();
        if check_opening(&damage, access, &mut met)? {
            refused.fetch_add(1, Ordering::Relaxed);
        }
        // A panic on an impossible audit position is never tolerated. The two other
        // gaps are counted and printed: a rare damaged page still reaches the clinician
        // as "could not be read" or "not in this vault" (verify's integrity check
        // names it); the deterministic cases below pin the ones mapped to damage.
        prop_assert!(
            !met.contains(&KnownGap::AuditPositionOverflow),
            "{:?} with {:?}",
            met,
            damage
        );
        let mut gaps = gaps.lock().unwrap();
        for gap in met {
            *gaps.entry(gap).or_default() += 1;
        }
        Ok(())
    });
    println!(
        "vault files: {} cases run, {} refused, the rest opened and read; known gaps met: {:?}",
        cases.into_inner(),
        refused.into_inner(),
        gaps.into_inner().unwrap()
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Key-derivation settings raised far above the ceiling (a crafted file asking for
/// terabytes or years) are refused at once, before any derivation runs.
#[test]
fn a_header_asking_for_endless_key_derivation_is_refused_at_once() {
    let (_dir, path) = copy_of_template();
    let conn = Connection::open(&path).unwrap();
    let integer_columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('vault_header') WHERE type = 'INTEGER'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    for column in integer_columns {
        for huge in [i64::from(u32::MAX), 1 << 30, 1 << 21] {
            let (_dir, path) = copy_of_template();
            let conn = Connection::open(&path).unwrap();
            // (A column whose constraints refuse the value cannot carry it into a file.)
            let sql = format!("UPDATE vault_header SET \"{column}\" = ?1");
            if conn.execute(&sql, [huge]).is_err() {
                continue;
            }
            drop(conn);
            let refused = within(Duration::from_secs(2), move || {
                Vault::unlock(&path, PASSPHRASE, Access::ReadOnly).is_err()
            });
            assert!(
                matches!(refused, Some(Ok(true))),
                "{column} = {huge} was not refused within 2 seconds: {refused:?}"
            );
        }
    }
}

// ----- the faults found above, one deterministic case each (they fail today) -----

/// An error a damaged file may give: a plain one-line sentence, and not SQLite's own
/// error dressed as a disk problem.
fn assert_damage_reported(err: &Error, what: &str) {
    assert!(
        !matches!(err, Error::Storage(_)),
        "{what}: reported as a storage error: {err}"
    );
    let message = err.to_string();
    assert!(
        !message.chars().any(char::is_control),
        "{what}: several lines: {message:?}"
    );
}

/// A copy of the template vault after `sql` ran on it with plain SQLite.
fn template_after(sql: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = copy_of_template();
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    conn.pragma_update(None, "ignore_check_constraints", "ON")
        .unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    (dir, path)
}

#[test]
fn a_schema_version_set_back_is_reported_as_damage() {
    for version in [0, 1] {
        let (_dir, path) = template_after(&format!("PRAGMA user_version = {version}"));
        if let Err(err) = Vault::unlock(&path, PASSPHRASE, Access::ReadWrite) {
            assert_damage_reported(&err, &format!("user_version {version}"));
        }
    }
}

#[test]
fn a_foreign_database_with_a_vault_header_table_is_not_a_vault() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE vault_header (x); INSERT INTO vault_header VALUES (1);")
        .unwrap();
    let err = Vault::unlock(&path, PASSPHRASE, Access::ReadOnly)
        .err()
        .unwrap();
    assert!(matches!(err, Error::NotAVault(_)), "{err}");
}

#[test]
fn a_header_value_of_the_wrong_type_is_a_damaged_header() {
    let (_dir, path) = copy_of_template();
    let columns = columns_of(&Connection::open(&path).unwrap(), "vault_header");
    for column in columns.iter().filter(|c| *c != "singleton") {
        for value in ["'text'", "x'00ff'", "-1", "1.5"] {
            let (_dir, path) =
                template_after(&format!("UPDATE vault_header SET \"{column}\" = {value}"));
            match Vault::unlock(&path, PASSPHRASE, Access::ReadOnly) {
                Err(err) => assert_damage_reported(&err, &format!("{column} = {value}")),
                Ok(vault) => {
                    if let Err(err) = vault.verify() {
                        assert_damage_reported(&err, &format!("{column} = {value}, verify"));
                    }
                }
            }
        }
    }
}

#[test]
fn a_record_column_of_the_wrong_type_is_a_tampered_record() {
    for edit in [
        "UPDATE sessions SET revision = 'text'",
        "UPDATE sessions SET creation_order = x'00'",
        "UPDATE parts SET sealed = 'text'",
        "UPDATE clients SET revision = -1",
    ] {
        let (_dir, path) = template_after(edit);
        let vault = Vault::unlock(&path, PASSPHRASE, Access::ReadOnly).unwrap();
        if let Err(err) = vault.client(CLIENT) {
            assert_damage_reported(&err, edit);
        }
    }
}

#[test]
fn a_vault_missing_a_table_is_reported_as_damage() {
    for table in ["sessions", "parts", "clients", "audit_entries"] {
        let (_dir, path) = template_after(&format!("DROP TABLE {table}"));
        match Vault::unlock(&path, PASSPHRASE, Access::ReadOnly) {
            Err(err) => assert_damage_reported(&err, table),
            Ok(vault) => {
                for err in [vault.list_clients().err(), vault.client(CLIENT).err()]
                    .into_iter()
                    .flatten()
                {
                    assert_damage_reported(&err, table);
                }
                let report = vault.verify();
                assert!(
                    report.as_ref().is_ok_and(|r| !r.is_clean()),
                    "{table} dropped, verify says {report:?}"
                );
            }
        }
    }
}

#[test]
fn an_audit_entry_with_a_negative_position_is_reported_not_a_panic() {
    let (_dir, path) = template_after("UPDATE audit_entries SET position = -1 WHERE position = 1");
    let vault = Vault::unlock(&path, PASSPHRASE, Access::ReadOnly).unwrap();
    let trail = vault.audit_trail().unwrap();
    assert!(!trail.problems.is_empty());
    assert!(!vault.verify().unwrap().is_clean());
}

#[test]
fn a_damaged_index_page_is_reported_as_damage() {
    let (_dir, path) = copy_of_template();
    let conn = Connection::open(&path).unwrap();
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clients'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    // Zero the index's page: the table still lists the client, its index lost it.
    let mut bytes = std::fs::read(&path).unwrap();
    let start = ((root - 1) * page_size) as usize;
    bytes[start..start + page_size as usize].fill(0);
    std::fs::write(&path, bytes).unwrap();
    match Vault::unlock(&path, PASSPHRASE, Access::ReadOnly) {
        Err(err) => assert_damage_reported(&err, "unlock"),
        Ok(vault) => match vault.client(CLIENT) {
            Ok(_) => {}
            Err(err) => {
                assert!(
                    !matches!(err, Error::NotFound { .. }),
                    "a listed client is reported missing: {err}"
                );
                assert_damage_reported(&err, "reading");
            }
        },
    }
}
