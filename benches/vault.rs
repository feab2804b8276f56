//! The vault's speed on a realistic practice: 200 clients × 40 sessions (about 20 MB of
//! notes). Run with `cargo bench --bench vault`; the figures go in docs/BENCHMARKS.md.
//! Not a test: nothing here fails on a slow machine.

use kapnotes::documents::{DocumentRequest, Paper};
use kapnotes::{Access, ExportScope, Vault};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PARTS_PER_CLIENT: usize = 12;
const PASSPHRASE: &str = "benchmark passphrase of decent length";

const WORDS: &[&str] = &[
    "protector",
    "exile",
    "manager",
    "softened",
    "breath",
    "shoulders",
    "tight",
    "chest",
    "young",
    "alone",
    "school",
    "mother",
    "listened",
    "curious",
    "calm",
    "tears",
    "warmth",
    "heavy",
    "numb",
    "scrolling",
    "planner",
    "control",
    "permission",
    "stepped",
    "back",
    "witnessed",
    "burden",
    "light",
    "garden",
    "river",
];

/// Deterministic filler text of about `chars` characters.
fn prose(seed: usize, chars: usize) -> String {
    let mut out = String::with_capacity(chars + 16);
    let mut state = seed.wrapping_mul(2654435761).wrapping_add(1);
    while out.len() < chars {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(WORDS[(state >> 33) % WORDS.len()]);
        out.push(if (state >> 20).is_multiple_of(9) {
            '.'
        } else {
            ' '
        });
    }
    out
}

fn id(kind: u32, client: usize, index: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{:06}{:06}", client, index)
}

fn document(clients: usize, sessions_per_client: usize) -> String {
    let clients: Vec<Value> = (0..clients)
        .map(|c| {
            let parts: Vec<Value> = (0..PARTS_PER_CLIENT)
                .map(|p| {
                    json!({
                        "id": id(1, c, p), "name": format!("Part {p}"),
                        "role": (["manager", "firefighter", "exile"][p % 3]),
                        "fears": prose(c * 100 + p, 120),
                        "position": {"x": p * 40, "y": p * 25},
                    })
                })
                .collect();
            let sessions: Vec<Value> = (0..sessions_per_client)
                .map(|s| {
                    let day = 1 + s % 28;
                    let month = 1 + s / 28;
                    json!({
                        "id": id(2, c, s), "kind": "therapy",
                        "starts_at": format!("2025-{month:02}-{day:02}T10:00:00+01:00"),
                        "status": "completed",
                        "note": prose(c * 1000 + s, 2400),
                    })
                })
                .collect();
            json!({
                "id": id(3, c, 0), "display_name": format!("Client {c}"),
                "created_at": format!("2025-01-01T09:{:02}:{:02}+00:00", c / 60, c % 60),
                "parts": parts, "relationships": [], "agreements": [],
                "sessions": sessions, "measures": [],
            })
        })
        .collect();
    json!({
        "format": "kapnotes.interchange", "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00", "clients": clients,
    })
    .to_string()
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this too, as a quick
    // smoke test on a small practice.
    let full = std::env::args().any(|a| a == "--bench");
    let (clients, sessions_per_client) = if full { (200, 40) } else { (3, 4) };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("bench.kapnotes");
    let text = document(clients, sessions_per_client);
    println!(
        "document: {:.1} MB, {clients} clients × {sessions_per_client} sessions",
        text.len() as f64 / 1e6
    );

    let (vault, _) = Vault::create(&path, PASSPHRASE).expect("create");
    drop(vault);

    let unlock = median(
        (0..5)
            .map(|_| {
                let start = Instant::now();
                let vault = Vault::unlock(&path, PASSPHRASE, Access::ReadOnly).expect("unlock");
                let elapsed = start.elapsed();
                drop(vault);
                elapsed
            })
            .collect(),
    );

    let mut vault = Vault::unlock(&path, PASSPHRASE, Access::ReadWrite).expect("unlock");
    let start = Instant::now();
    vault.import(&text).expect("import");
    let import = start.elapsed();

    // Unlocking the whole practice: Argon2id as above, plus the check of the audit
    // trail and of every row against it that each unlock runs.
    drop(vault);
    let unlock_full = median(
        (0..3)
            .map(|_| {
                let start = Instant::now();
                let vault = Vault::unlock(&path, PASSPHRASE, Access::ReadOnly).expect("unlock");
                let elapsed = start.elapsed();
                assert!(vault.trail_problems().is_empty());
                drop(vault);
                elapsed
            })
            .collect(),
    );
    let mut vault = Vault::unlock(&path, PASSPHRASE, Access::ReadWrite).expect("unlock");

    let start = Instant::now();
    let exported = vault
        .export(&ExportScope::Everything)
        .expect("export")
        .to_canonical_json()
        .expect("json");
    let export = start.elapsed();
    assert!(exported.len() > text.len() / 2);

    let one_client = id(3, clients / 2, 0);
    let read_client = median(
        (0..50)
            .map(|_| {
                let start = Instant::now();
                let client = vault.client(&one_client).expect("client");
                assert_eq!(client.sessions.len(), sessions_per_client);
                start.elapsed()
            })
            .collect(),
    );

    let start = Instant::now();
    let hits = vault.search("witnessed garden", None).expect("search");
    let search_cold = start.elapsed();
    let search_warm = median(
        (0..10)
            .map(|_| {
                let start = Instant::now();
                let again = vault.search("witnessed garden", None).expect("search");
                assert_eq!(again.len(), hits.len());
                start.elapsed()
            })
            .collect(),
    );

    let start = Instant::now();
    let report = vault.verify().expect("verify");
    let verify = start.elapsed();
    assert!(report.is_clean());
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    // Autosave: one note saved again and again, as typing does (each save appends to, or
    // extends, the audit trail's newest entry in the same transaction).
    let session_id = id(2, clients / 2, 0);
    let mut session = vault.session(&session_id).expect("session");
    let autosave = median(
        (0..30)
            .map(|i| {
                session.note.push_str(&format!(" word{i}"));
                let start = Instant::now();
                vault.update_session(session.clone()).expect("save");
                start.elapsed()
            })
            .collect(),
    );

    let start = Instant::now();
    let trail = vault.audit_trail().expect("audit trail");
    let audit = start.elapsed();
    assert!(trail.problems.is_empty());

    let start = Instant::now();
    let (record_pdf, record_pages) = vault
        .document_pdf(
            &DocumentRequest::ClientRecord {
                client_id: one_client.clone(),
                include_psychotherapy_notes: true,
                map_then: None,
            },
            Paper::A4,
        )
        .expect("record PDF");
    let record_time = start.elapsed();
    let start = Instant::now();
    let (note_pdf, _) = vault
        .document_pdf(
            &DocumentRequest::SessionNote {
                session_id: session_id.clone(),
            },
            Paper::A4,
        )
        .expect("note PDF");
    let note_time = start.elapsed();

    println!();
    println!("| operation | time |");
    println!("|---|---|");
    println!("| unlock (Argon2id, median of 5) | {} |", millis(unlock));
    println!(
        "| unlock of the whole practice, with the trail and every row checked (median of 3) | {} |",
        millis(unlock_full)
    );
    println!("| import of the whole document | {} |", millis(import));
    println!("| export of the whole vault | {} |", millis(export));
    println!(
        "| read one client's whole record (median of 50) | {} |",
        millis(read_client)
    );
    println!(
        "| whole-vault search, first after unlock (builds the in-memory text) | {} |",
        millis(search_cold)
    );
    println!(
        "| whole-vault search, later (median of 10) | {} |",
        millis(search_warm)
    );
    println!("| verify (every record) | {} |", millis(verify));
    println!(
        "| one autosave of a note (median of 30) | {} |",
        millis(autosave)
    );
    println!(
        "| read and check the whole audit trail ({} entries) | {} |",
        trail.entries.len(),
        millis(audit)
    );
    println!(
        "| full-record PDF of one client ({record_pages} pages, {} kB) | {} |",
        record_pdf.len() / 1024,
        millis(record_time)
    );
    println!(
        "| session-note PDF ({} kB) | {} |",
        note_pdf.len() / 1024,
        millis(note_time)
    );
    println!();
    println!(
        "vault file: {:.1} MB; search hits: {}",
        size as f64 / 1e6,
        hits.len()
    );
}
