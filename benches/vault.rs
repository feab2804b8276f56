//! The vault's speed on a realistic practice: 200 clients × 40 sessions (about 20 MB of
//! notes). Run with `cargo bench --bench vault`; the figures go in docs/BENCHMARKS.md.
//! Not a test: nothing here fails on a slow machine.

// Only the filler text and ids: this benchmark keeps its own, simpler practice so its
// figures stay comparable from one day to the next.
#[allow(dead_code)]
#[path = "workload/practice.rs"]
mod practice;

use kapnotes::documents::{DocumentRequest, Paper};
use kapnotes::search::SearchIndex;
use kapnotes::{Access, ExportScope, Vault};
use practice::{id, prose};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "benchmark passphrase of decent length";

fn document(clients: usize, sessions_per_client: usize) -> String {
    let clients: Vec<Value> = (0..clients)
        .map(|c| {
            let parts: Vec<Value> = (0..practice::PARTS_PER_CLIENT)
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
    kapnotes::interchange::import(&mut vault, &text).expect("import");
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
    let exported = kapnotes::interchange::export(&vault, &ExportScope::Everything)
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

    // The index is the caller's, as the app keeps it beside the unlocked vault.
    let mut index = SearchIndex::new();
    let start = Instant::now();
    let hits = index
        .search(&vault, "witnessed garden", None)
        .expect("search");
    let search_cold = start.elapsed();
    let search_warm = median(
        (0..10)
            .map(|_| {
                let start = Instant::now();
                let again = index
                    .search(&vault, "witnessed garden", None)
                    .expect("search");
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
    let (record_pdf, record_pages) = kapnotes::documents::document_pdf(
        &vault,
        &DocumentRequest::ClientRecord {
            client_id: one_client.clone(),
            include_psychotherapy_notes: true,
            map_then: None,
        },
        Paper::A4,
    )
    .expect("record PDF");
    let record_time = start.elapsed();
    // Parts work over time on a large system: 160 parts, 240 relationships, and 2,000
    // changes to them (each writing its history version), then reading it all back.
    let system = large_system(&mut vault, full);
    let read_system = median(
        (0..20)
            .map(|_| {
                let start = Instant::now();
                let client = vault.client(&system.client_id).expect("client");
                assert_eq!(client.parts.len(), LARGE_SYSTEM_PARTS);
                start.elapsed()
            })
            .collect(),
    );
    let map_on = median(
        (0..20)
            .map(|_| {
                let start = Instant::now();
                let map = vault
                    .map_on(&system.client_id, system.middle_day)
                    .expect("map on a day");
                assert!(!map.parts.is_empty());
                start.elapsed()
            })
            .collect(),
    );
    let compare = median(
        (0..10)
            .map(|_| {
                let start = Instant::now();
                let comparison = vault
                    .compare_maps(&system.client_id, system.middle_day, system.today)
                    .expect("compare");
                assert!(!comparison.changes.is_empty());
                start.elapsed()
            })
            .collect(),
    );
    let story = median(
        (0..20)
            .map(|_| {
                let start = Instant::now();
                vault.part_story(&system.busy_part).expect("story");
                start.elapsed()
            })
            .collect(),
    );
    let mut busy = vault.part(&system.busy_part).expect("part");
    let part_edit = median(
        (0..30)
            .map(|i| {
                busy.description = format!("edited {i}");
                let start = Instant::now();
                vault.update_part(busy.clone()).expect("edit");
                start.elapsed()
            })
            .collect(),
    );
    let without_then = {
        let start = Instant::now();
        kapnotes::documents::document_pdf(
            &vault,
            &DocumentRequest::ClientRecord {
                client_id: system.client_id.clone(),
                include_psychotherapy_notes: true,
                map_then: None,
            },
            Paper::A4,
        )
        .expect("record PDF");
        start.elapsed()
    };
    let then_and_now = {
        let start = Instant::now();
        kapnotes::documents::document_pdf(
            &vault,
            &DocumentRequest::ClientRecord {
                client_id: system.client_id.clone(),
                include_psychotherapy_notes: true,
                map_then: Some(system.middle_day),
            },
            Paper::A4,
        )
        .expect("record PDF with the system then and now");
        start.elapsed()
    };

    let start = Instant::now();
    let (note_pdf, _) = kapnotes::documents::document_pdf(
        &vault,
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
    println!(
        "| read the large system's whole record ({LARGE_SYSTEM_PARTS} parts, {} history versions; median of 20) | {} |",
        system.versions,
        millis(read_system)
    );
    println!("| its map on a day (median of 20) | {} |", millis(map_on));
    println!(
        "| two days compared, in words (median of 10) | {} |",
        millis(compare)
    );
    println!("| one part's story (median of 20) | {} |", millis(story));
    println!(
        "| one edit of one of its parts, with its history version (median of 30) | {} |",
        millis(part_edit)
    );
    println!(
        "| its full-record PDF, without / with the system then and now | {} / {} |",
        millis(without_then),
        millis(then_and_now)
    );
    println!();
    println!(
        "vault file: {:.1} MB; search hits: {}",
        size as f64 / 1e6,
        hits.len()
    );
}

const LARGE_SYSTEM_PARTS: usize = 160;

struct LargeSystem {
    client_id: String,
    busy_part: String,
    middle_day: kapnotes::records::Date,
    today: kapnotes::records::Date,
    versions: usize,
}

/// A client with a 160-part system whose history holds `changes` versions: imported
/// with a history spread over a year (so the days differ), then caught up at import.
fn large_system(vault: &mut Vault, full: bool) -> LargeSystem {
    let changes = if full { 2000 } else { 50 };
    let client_id = id(4, 0, 0);
    let part = |p: usize, status: &str| {
        json!({
            "id": id(5, 0, p), "name": format!("Inner part {p}"),
            "role": (["manager", "firefighter", "exile"][p % 3]),
            "description": prose(p, 200), "status": status,
            "position": {"x": (p % 16) * 60, "y": (p / 16) * 60},
        })
    };
    let parts: Vec<Value> = (0..LARGE_SYSTEM_PARTS)
        .map(|p| part(p, "befriended"))
        .collect();
    let relationships: Vec<Value> = (0..240)
        .map(|r| {
            json!({
                "id": id(6, 0, r), "from_part": id(5, 0, r % LARGE_SYSTEM_PARTS),
                "to_part": id(5, 0, (r * 7 + 1) % LARGE_SYSTEM_PARTS),
                "kind": (["protects", "polarized", "allied"][r % 3]),
            })
        })
        .filter(|r| r["from_part"] != r["to_part"])
        .collect();
    let since = "2025-01-01T09:00:00+00:00";
    let mut versions: Vec<Value> = (0..LARGE_SYSTEM_PARTS)
        .map(|p| json!({"at": since, "part": part(p, "unmet")}))
        .collect();
    versions.extend(
        relationships
            .iter()
            .map(|r| json!({"at": since, "relationship": r})),
    );
    for i in 0..changes {
        let day = 1 + (i * 360 / changes.max(1));
        let date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date")
            + chrono::Duration::days(day as i64);
        let status = ["getting_to_know", "befriended"][i % 2];
        versions.push(json!({
            "at": format!("{date}T10:{:02}:{:02}+00:00", (i / 60) % 60, i % 60),
            "part": part(i % LARGE_SYSTEM_PARTS, status),
        }));
    }
    let document = json!({
        "format": "kapnotes.interchange", "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00",
        "clients": [{
            "id": client_id, "display_name": "Large system",
            "created_at": "2025-01-01T09:00:00+00:00",
            "parts": parts, "relationships": relationships, "agreements": [],
            "sessions": [], "measures": [],
            "map_history": {"since": since, "versions": versions},
        }],
    });
    kapnotes::interchange::import(vault, &document.to_string()).expect("import the large system");
    let history = vault
        .client(&client_id)
        .expect("client")
        .map_history
        .expect("history");
    LargeSystem {
        client_id,
        busy_part: id(5, 0, 1),
        middle_day: kapnotes::records::Date::parse("2025-07-01").expect("date"),
        today: kapnotes::records::Date(chrono::Local::now().date_naive()),
        versions: history.versions.len(),
    }
}
