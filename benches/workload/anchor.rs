//! The anchors kapnotes is measured against: the same practice kept the way a developer
//! would keep it without kapnotes' guarantees. One JSON body per record (the client's
//! profile, each part, relationship, agreement, session and measure), an index on the
//! parent, one transaction per import, WAL, `synchronous=FULL`; no validation, no audit
//! trail, no per-record encryption. With a key it is SQLCipher 4 (the same code, built
//! against SQLCipher in benches/sqlcipher-anchor); without, plaintext SQLite: the floor.
//!
//! Searching is a case-insensitive scan of the same text fields kapnotes searches (every
//! string value but ids, times and codes), not FTS5: like kapnotes, every record is read
//! and its text looked through.

use rusqlite::{Connection, params};
use serde_json::{Map, Value};
use std::path::Path;
use std::time::Instant;

pub struct Anchor {
    conn: Connection,
}

/// The record arrays of an interchange client, in document order.
const RECORD_KINDS: [&str; 5] = [
    "parts",
    "relationships",
    "agreements",
    "sessions",
    "measures",
];

impl Anchor {
    /// Opens (or creates) the store at `path`; with `key`, as SQLCipher with that passphrase.
    pub fn open(path: &Path, key: Option<&str>) -> rusqlite::Result<Anchor> {
        let conn = Connection::open(path)?;
        if let Some(key) = key {
            conn.pragma_update(None, "key", key)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS clients (id TEXT PRIMARY KEY, body TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, client_id TEXT NOT NULL,
                 kind TEXT NOT NULL, position INTEGER NOT NULL, body TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS records_by_client ON records (client_id, kind, position);",
        )?;
        Ok(Anchor { conn })
    }

    /// Stores every client of an interchange document in one transaction.
    pub fn import(&mut self, document: &str) -> rusqlite::Result<usize> {
        let document: Value = serde_json::from_str(document).map_err(to_sql_error)?;
        let tx = self.conn.transaction()?;
        let mut rows = 0;
        {
            let mut client_row = tx.prepare("INSERT INTO clients (id, body) VALUES (?1, ?2)")?;
            let mut record_row = tx.prepare(
                "INSERT INTO records (id, client_id, kind, position, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for client in document["clients"].as_array().into_iter().flatten() {
                let mut profile = client.as_object().cloned().unwrap_or_default();
                let client_id = text(&profile, "id");
                for kind in RECORD_KINDS {
                    let records = profile.remove(kind).unwrap_or(Value::Null);
                    for (position, record) in records.as_array().into_iter().flatten().enumerate() {
                        let body = serde_json::to_string(record).map_err(to_sql_error)?;
                        record_row.execute(params![
                            text_of(record, "id"),
                            client_id,
                            kind,
                            position as i64,
                            body
                        ])?;
                        rows += 1;
                    }
                }
                let body = serde_json::to_string(&profile).map_err(to_sql_error)?;
                client_row.execute(params![client_id, body])?;
                rows += 1;
            }
        }
        tx.commit()?;
        Ok(rows)
    }

    /// One client's whole record, parsed and put back together.
    pub fn read_client(&self, client_id: &str) -> rusqlite::Result<Value> {
        let body: String =
            self.conn
                .query_row("SELECT body FROM clients WHERE id = ?1", [client_id], |r| {
                    r.get(0)
                })?;
        let mut client: Map<String, Value> = serde_json::from_str(&body).map_err(to_sql_error)?;
        for kind in RECORD_KINDS {
            client.insert(kind.to_owned(), Value::Array(Vec::new()));
        }
        let mut statement = self.conn.prepare_cached(
            "SELECT kind, body FROM records WHERE client_id = ?1 ORDER BY kind, position",
        )?;
        let mut rows = statement.query([client_id])?;
        while let Some(row) = rows.next()? {
            let kind: String = row.get(0)?;
            let body: String = row.get(1)?;
            let record: Value = serde_json::from_str(&body).map_err(to_sql_error)?;
            if let Some(Value::Array(list)) = client.get_mut(&kind) {
                list.push(record);
            }
        }
        Ok(Value::Object(client))
    }

    /// Every client, as one interchange document.
    pub fn export(&self) -> rusqlite::Result<String> {
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT id FROM clients ORDER BY rowid")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let clients = ids
            .iter()
            .map(|id| self.read_client(id))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let document = serde_json::json!({
            "format": "kapnotes.interchange", "version": 1, "clients": clients,
        });
        serde_json::to_string(&document).map_err(to_sql_error)
    }

    /// How many records hold every word of `query`, case-insensitively, in their text.
    pub fn search(&self, query: &str) -> rusqlite::Result<usize> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut statement = self
            .conn
            .prepare_cached("SELECT body FROM records UNION ALL SELECT body FROM clients")?;
        let mut rows = statement.query([])?;
        let mut hits = 0;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            let record: Value = serde_json::from_str(&body).map_err(to_sql_error)?;
            let mut haystack = String::new();
            collect_text(&record, &mut haystack);
            let haystack = haystack.to_lowercase();
            if words.iter().all(|w| haystack.contains(w.as_str())) {
                hits += 1;
            }
        }
        Ok(hits)
    }
}

/// The text a clinician wrote: string values, leaving out ids, times, dates and codes
/// (their keys end in `id`, `_at`, `_on`, or are the fixed enumerations).
fn collect_text(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let code = key == "id"
                    || key.ends_with("_id")
                    || key.ends_with("_at")
                    || key.ends_with("_on")
                    || matches!(
                        key.as_str(),
                        "kind"
                            | "role"
                            | "status"
                            | "signal"
                            | "decision"
                            | "route"
                            | "part"
                            | "from_part"
                            | "to_part"
                            | "instrument"
                            | "setting"
                            | "dosing_session"
                            | "session"
                            | "intention"
                            | "parts"
                            | "parts_present"
                            | "parts_encountered"
                    );
                if !code {
                    collect_text(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_text(v, out)),
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        _ => {}
    }
}

fn text(map: &Map<String, Value>, key: &str) -> String {
    map.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn text_of(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn to_sql_error(error: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(error))
}

/// What one round on an anchor measured, in milliseconds.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct AnchorTimes {
    pub open: f64,
    pub import: f64,
    pub read_client: f64,
    pub export: f64,
    pub first_search: f64,
    pub later_search: f64,
    pub search_hits: usize,
}

/// One round on an anchor in a fresh folder: import, then (opened again, as after an
/// unlock) read one client, export everything, search once and then again.
pub fn anchor_round(
    document: &str,
    folder: &Path,
    key: Option<&str>,
    one_client: &str,
    query: &str,
) -> rusqlite::Result<AnchorTimes> {
    let path = folder.join("anchor.sqlite");
    let mut times = AnchorTimes::default();
    let mut store = Anchor::open(&path, key)?;
    let start = Instant::now();
    store.import(document)?;
    times.import = ms(start);
    drop(store);

    let start = Instant::now();
    let store = Anchor::open(&path, key)?;
    // SQLCipher derives its key on the first read, so the open includes one.
    store
        .conn
        .query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))?;
    times.open = ms(start);

    let start = Instant::now();
    times.search_hits = store.search(query)?;
    times.first_search = ms(start);
    times.later_search = median_ms((0..10).map(|_| {
        let start = Instant::now();
        let hits = store.search(query);
        (ms(start), hits)
    }))?;
    times.read_client = median_ms((0..50).map(|_| {
        let start = Instant::now();
        let client = store.read_client(one_client);
        (ms(start), client)
    }))?;
    let start = Instant::now();
    let exported = store.export()?;
    times.export = ms(start);
    assert!(
        exported.len() > document.len() / 2,
        "the anchor exported too little"
    );
    Ok(times)
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn median_ms<T>(
    samples: impl Iterator<Item = (f64, rusqlite::Result<T>)>,
) -> rusqlite::Result<f64> {
    let mut times = Vec::new();
    for (time, outcome) in samples {
        outcome?;
        times.push(time);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
