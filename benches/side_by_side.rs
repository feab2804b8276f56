//! kapnotes beside the stores a peer would use, on the same practice, in one run:
//! plaintext SQLite (the floor) and SQLCipher 4 (the encrypted peer), as described in
//! benches/workload/anchor.rs. Rounds are interleaved (the order turns each round) so a
//! busy moment of the machine falls on all three alike; the table gives medians and the
//! ratios against the targets of docs/BENCHMARKS.md.
//!
//! `make bench` builds the SQLCipher anchor (benches/sqlcipher-anchor) first and writes
//! the table into docs/BENCHMARKS.md. Not a test: nothing here fails on a slow machine;
//! `cargo test --all-targets` runs it once on a tiny practice as a smoke test.

#[path = "workload/anchor.rs"]
mod anchor;
#[path = "workload/practice.rs"]
mod practice;

use anchor::AnchorTimes;
use kapnotes::search::SearchIndex;
use kapnotes::{Access, ExportScope, Vault};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const PASSPHRASE: &str = "benchmark passphrase of decent length";

#[derive(Clone, Copy, PartialEq)]
enum Store {
    Kapnotes,
    Plaintext,
    SqlCipher,
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// The same round as the anchors', on kapnotes with every check and audit entry.
fn kapnotes_round(document: &str, folder: &Path, one_client: &str) -> AnchorTimes {
    let path = folder.join("bench.kapnotes");
    let (mut vault, _) = Vault::create(&path, PASSPHRASE).expect("create");
    let start = Instant::now();
    kapnotes::interchange::import(&mut vault, document).expect("import");
    let import = ms(start);
    drop(vault);

    let start = Instant::now();
    let vault = Vault::unlock(&path, PASSPHRASE, Access::ReadWrite).expect("unlock");
    let open = ms(start);

    let mut index = SearchIndex::new();
    let start = Instant::now();
    let hits = index
        .search(&vault, practice::SEARCH_TERMS, None)
        .expect("search");
    let first_search = ms(start);
    let later_search = median(
        (0..10)
            .map(|_| {
                let start = Instant::now();
                index
                    .search(&vault, practice::SEARCH_TERMS, None)
                    .expect("search");
                ms(start)
            })
            .collect(),
    );
    let read_client = median(
        (0..50)
            .map(|_| {
                let start = Instant::now();
                vault.client(one_client).expect("client");
                ms(start)
            })
            .collect(),
    );
    let start = Instant::now();
    let exported = kapnotes::interchange::export(&vault, &ExportScope::Everything)
        .expect("export")
        .to_canonical_json()
        .expect("json");
    let export = ms(start);
    assert!(exported.len() > document.len() / 2);
    AnchorTimes {
        open,
        import,
        read_client,
        export,
        first_search,
        later_search,
        search_hits: hits.len(),
    }
}

fn sqlcipher_round(
    binary: &Path,
    document_file: &Path,
    folder: &Path,
    one_client: &str,
) -> AnchorTimes {
    let output = Command::new(binary)
        .arg(document_file)
        .arg(folder)
        .arg(one_client)
        .arg(practice::SEARCH_TERMS)
        .env("KAPNOTES_ANCHOR_KEY", PASSPHRASE)
        .output()
        .expect("run the SQLCipher anchor");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the SQLCipher anchor's times")
}

/// The SQLCipher anchor, if it was built (`make bench` builds it).
fn sqlcipher_binary() -> Option<PathBuf> {
    let path = std::env::var_os("KAPNOTES_SQLCIPHER_ANCHOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("benches/sqlcipher-anchor/target/release/kapnotes-sqlcipher-anchor")
        });
    path.exists().then_some(path)
}

struct Row {
    operation: &'static str,
    pick: fn(&AnchorTimes) -> f64,
    /// The target, as (the store the ratio is taken against, the largest ratio).
    target: Option<(Store, f64)>,
}

const ROWS: [Row; 6] = [
    Row {
        operation: "import of the whole practice (kapnotes: every check, one audit entry per row)",
        pick: |t| t.import,
        target: Some((Store::SqlCipher, 1.0)),
    },
    Row {
        operation: "read one client's whole record (median of 50)",
        pick: |t| t.read_client,
        target: Some((Store::Plaintext, 1.3)),
    },
    Row {
        operation: "export of everything",
        pick: |t| t.export,
        target: Some((Store::Plaintext, 1.3)),
    },
    Row {
        operation: "first whole-practice search after unlock",
        pick: |t| t.first_search,
        target: Some((Store::Plaintext, 2.0)),
    },
    Row {
        operation: "a later search (median of 10)",
        pick: |t| t.later_search,
        target: Some((Store::Plaintext, 1.3)),
    },
    Row {
        operation: "open (kapnotes: Argon2id unlock and trail check; SQLCipher: its key derivation and first read)",
        pick: |t| t.open,
        target: None,
    },
];

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (clients, sessions, rounds) = if full { (200, 40, 5) } else { (3, 5, 1) };
    let document = practice::document(clients, sessions);
    let one_client = practice::client_id(clients / 2);
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let document_file = scratch.path().join("practice.json");
    std::fs::write(&document_file, &document).expect("write the document");
    let sqlcipher = sqlcipher_binary();
    if sqlcipher.is_none() {
        println!(
            "The SQLCipher anchor is not built (make bench builds it); its column is left out."
        );
    }
    println!(
        "practice: {clients} clients × {sessions} sessions, {:.1} MB; {rounds} interleaved rounds",
        document.len() as f64 / 1e6
    );

    let mut stores = vec![Store::Kapnotes, Store::Plaintext];
    if sqlcipher.is_some() {
        stores.push(Store::SqlCipher);
    }
    let mut results: Vec<(Store, Vec<AnchorTimes>)> =
        stores.iter().map(|s| (*s, Vec::new())).collect();
    for round in 0..rounds {
        for turn in 0..stores.len() {
            let store = stores[(round + turn) % stores.len()];
            let folder = tempfile::tempdir_in(scratch.path()).expect("a folder for the round");
            let times = match store {
                Store::Kapnotes => kapnotes_round(&document, folder.path(), &one_client),
                Store::Plaintext => anchor::anchor_round(
                    &document,
                    folder.path(),
                    None,
                    &one_client,
                    practice::SEARCH_TERMS,
                )
                .expect("plaintext anchor"),
                Store::SqlCipher => sqlcipher_round(
                    sqlcipher.as_deref().expect("built"),
                    &document_file,
                    folder.path(),
                    &one_client,
                ),
            };
            if let Some((_, all)) = results.iter_mut().find(|(s, _)| *s == store) {
                all.push(times);
            }
        }
    }
    let medians = |store: Store, pick: fn(&AnchorTimes) -> f64| {
        results
            .iter()
            .find(|(s, _)| *s == store)
            .map(|(_, all)| median(all.iter().map(pick).collect()))
    };

    let mut table = String::new();
    table.push_str("| operation | kapnotes | plaintext SQLite | SQLCipher 4 | kapnotes ÷ plaintext | kapnotes ÷ SQLCipher | target | met |\n");
    table.push_str("|---|---|---|---|---|---|---|---|\n");
    for row in &ROWS {
        let ours = medians(Store::Kapnotes, row.pick).unwrap_or(f64::NAN);
        let plain = medians(Store::Plaintext, row.pick).unwrap_or(f64::NAN);
        let cipher = medians(Store::SqlCipher, row.pick);
        let cell = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.1} ms"));
        let ratio = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{:.2}×", ours / v));
        let (target, met) = match row.target {
            Some((against, limit)) => {
                let base = if against == Store::Plaintext {
                    Some(plain)
                } else {
                    cipher
                };
                let name = if against == Store::Plaintext {
                    "plaintext"
                } else {
                    "SQLCipher"
                };
                let met = base.map_or("–", |b| if ours / b <= limit { "yes" } else { "no" });
                (format!("≤ {limit:.1}× {name}"), met)
            }
            None => ("reported apart".to_owned(), "–"),
        };
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            row.operation,
            cell(Some(ours)),
            cell(Some(plain)),
            cell(cipher),
            ratio(Some(plain)),
            ratio(cipher),
            target,
            met
        ));
    }
    let hits: Vec<usize> = results
        .iter()
        .filter_map(|(_, all)| all.first().map(|t| t.search_hits))
        .collect();
    println!();
    print!("{table}");
    println!("\nsearch hits per store (kapnotes, plaintext, SQLCipher): {hits:?}");

    if full && let Some(docs) = std::env::var_os("KAPNOTES_BENCH_DOCS") {
        write_into_docs(
            Path::new(&docs),
            &table,
            clients,
            sessions,
            rounds,
            document.len(),
        );
    }
}

/// Puts the table between the side-by-side markers of docs/BENCHMARKS.md, with the date
/// and the machine it was measured on.
fn write_into_docs(
    docs: &Path,
    table: &str,
    clients: usize,
    sessions: usize,
    rounds: usize,
    bytes: usize,
) {
    const START: &str = "<!-- side-by-side: written by `make bench` -->";
    const END: &str = "<!-- end of side-by-side -->";
    let text = std::fs::read_to_string(docs).expect("read docs/BENCHMARKS.md");
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        eprintln!(
            "{} has no side-by-side markers; the table was not written.",
            docs.display()
        );
        return;
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = chrono::Local::now().format("%Y-%m-%d");
    let section = format!(
        "{START}\nMeasured {date} on {cpu} ({cores} cores), release build: {clients} clients × {sessions} sessions ({:.1} MB document), medians of {rounds} interleaved rounds.\n\n{table}{END}",
        bytes as f64 / 1e6
    );
    let updated = format!("{}{}{}", &text[..a], section, &text[b + END.len()..]);
    std::fs::write(docs, updated).expect("write docs/BENCHMARKS.md");
    println!("written into {}", docs.display());
}
