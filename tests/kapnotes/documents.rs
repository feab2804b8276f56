//! PDF documents: each one is written, read back as text with pdftotext, and rendered to
//! images with pdftoppm (poppler-utils, installed by `make setup`), whose pixels must
//! show a drawn page. The renders of the example land in target/document-renders/ to
//! look at.

use crate::common::*;
use kapnotes::documents::{DocumentRequest, Paper};
use kapnotes::records::Clinician;
use kapnotes::vault::{AuditAction, Overwrite};
use kapnotes::{Error, Vault};
use kapnotes::{documents, interchange};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tool(name: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} is needed for the document tests (apt install poppler-utils): {e}")
    });
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The text of one page (1-based), or of all pages with `None`.
fn text_of(pdf: &Path, page: Option<usize>) -> String {
    let pdf = pdf.to_str().unwrap();
    let bytes = match page {
        Some(n) => {
            let n = n.to_string();
            tool("pdftotext", &["-f", &n, "-l", &n, pdf, "-"])
        }
        None => tool("pdftotext", &[pdf, "-"]),
    };
    String::from_utf8(bytes).unwrap()
}

fn page_count(pdf: &Path) -> usize {
    let info = String::from_utf8(tool("pdfinfo", &[pdf.to_str().unwrap()])).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Renders every page to greyscale and returns, per page, the share of pixels that are
/// not paper-white: a drawn page has text and rules on it, a broken one is blank.
fn ink_per_page(pdf: &Path, keep_as: &str) -> Vec<f64> {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-r",
            "40",
            "-gray",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    // Keep a colour render of the first page to look at.
    let renders = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/document-renders");
    std::fs::create_dir_all(&renders).unwrap();
    tool(
        "pdftoppm",
        &[
            "-r",
            "80",
            "-png",
            pdf.to_str().unwrap(),
            renders.join(keep_as).to_str().unwrap(),
        ],
    );
    files
        .iter()
        .map(|file| {
            let bytes = std::fs::read(file).unwrap();
            // A binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
            let mut fields = 0;
            let mut start = 0;
            for (i, b) in bytes.iter().enumerate() {
                if b.is_ascii_whitespace() && i > 0 && !bytes[i - 1].is_ascii_whitespace() {
                    fields += 1;
                    if fields == 4 {
                        start = i + 1;
                        break;
                    }
                }
            }
            let pixels = &bytes[start..];
            pixels.iter().filter(|p| **p < 200).count() as f64 / pixels.len() as f64
        })
        .collect()
}

fn clinician() -> Clinician {
    Clinician {
        name: "Dr. Robin Hale".into(),
        credentials: Some("PsyD".into()),
        license_number: None,
        practice: Some("Quiet Harbour Practice".into()),
    }
}

/// The example vault with a clinician set, and a file path for the document.
fn setup() -> (TestVault, Vault) {
    let (tv, mut vault) = TestVault::with_example();
    vault.set_clinician(Some(&clinician())).unwrap();
    (tv, vault)
}

fn write(vault: &Vault, tv: &TestVault, request: DocumentRequest, name: &str) -> PathBuf {
    let path = tv.file(name);
    let written =
        documents::write_document(vault, &request, Paper::A4, &path, Overwrite::Refuse).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(written.pages, page_count(&path));
    assert_eq!(written.bytes, std::fs::metadata(&path).unwrap().len());
    path
}

fn assert_contains_all(text: &str, expected: &[&str]) {
    for expected in expected {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

/// Every page names the clinician and the client and says which page it is.
fn assert_running_text(pdf: &Path) {
    let pages = page_count(pdf);
    for n in 1..=pages {
        let text = text_of(pdf, Some(n));
        assert!(text.contains("Dr. Robin Hale, PsyD"), "page {n}: {text}");
        assert!(text.contains("Jordan Rivers"), "page {n}: {text}");
        assert!(
            text.contains(&format!("Page {n} of {pages}")),
            "page {n}: {text}"
        );
    }
}

#[test]
fn a_session_note_has_its_text_addenda_and_signature() {
    let (tv, vault) = setup();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::SessionNote {
            session_id: DOSING.into(),
        },
        "note.pdf",
    );
    let text = text_of(&pdf, None);
    assert_contains_all(
        &text,
        &[
            "Dosing session",
            "Soft journey. Met the Little one from a distance.",
            "Signed 30 April 2026, 17:30",
            "Addendum, 1 May 2026",
            "Client called next morning",
            "100 mg sublingual",
            "yellow: unsure",
            "Keep the eye shades off",
        ],
    );
    assert_running_text(&pdf);
    assert!(
        ink_per_page(&pdf, "session-note")
            .iter()
            .all(|ink| *ink > 0.01)
    );
    // Fonts are embedded (subsets of the DejaVu Sans shipped in assets/fonts).
    let fonts = String::from_utf8(tool("pdffonts", &[pdf.to_str().unwrap()])).unwrap();
    assert!(fonts.contains("DejaVuSans"), "{fonts}");
    assert!(
        fonts.lines().skip(2).all(|l| l.contains(" yes yes yes ")),
        "every font embedded, subset, with a Unicode map:\n{fonts}"
    );
}

/// What the sheet's first page (the one page to read before the dose) holds.
const SHEET_FIRST_PAGE: &[&str] = &[
    "Dosing-day preparation sheet",
    "Let the Planner rest for a moment.",
    "The Planner",
    "Scrolling part",
    "Keep the eye shades off",
    // The figure's own text is selectable too.
    "The parts they protect",
    "Little one",
    "50–150 mg sublingual, prescribed by Dr. A. Medina",
    "Grounding: feet on the floor",
    "Findings",
    "No informed consent is on file",
];

/// What the sheet's second page (the blank monitoring table) holds.
const SHEET_MONITORING_PAGE: &[&str] = &[
    "Monitoring record",
    "Jordan Rivers",
    "Dosing session · 30 April 2026, 14:00",
    "Due",
    "BP mmHg",
    "SpO₂ %",
    "MOAA/S",
    "CADSS-6",
    "baseline",
    "dose +15",
    // Three hours at the default interval.
    "dose +180",
    "MOAA/S: sedation level",
    "Responds readily to the name in a normal voice",
    "No response, even to a painful squeeze",
    "Alert and oriented",
    "Walking steadily",
    "Vitals near baseline",
    "Left with",
];

/// The sheet is the one page it always was, then the monitoring page: neither holds
/// the other's content.
fn assert_sheet_pages(pdf: &Path) {
    assert_eq!(page_count(pdf), 2);
    let first = text_of(pdf, Some(1));
    let second = text_of(pdf, Some(2));
    assert_contains_all(&first, SHEET_FIRST_PAGE);
    assert_contains_all(&second, SHEET_MONITORING_PAGE);
    for text in ["Monitoring record", "dose +15", "MOAA/S"] {
        assert!(!first.contains(text), "{text:?} on the first page");
    }
    for text in ["Dosing-day preparation sheet", "Findings", "Grounding"] {
        assert!(!second.contains(text), "{text:?} on the monitoring page");
    }
}

#[test]
fn the_prep_sheet_is_one_page_with_what_the_day_needs_then_a_monitoring_page() {
    let (tv, vault) = setup();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        },
        "prep.pdf",
    );
    assert_sheet_pages(&pdf);
    assert_running_text(&pdf);
    let ink = ink_per_page(&pdf, "prep-sheet");
    assert!(ink[0] > 0.02, "{ink:?}");
    // The ruled table is drawn, not just its headings.
    assert!(ink[1] > 0.03, "{ink:?}");
    // A baseline, then every quarter hour for three hours, and two spare rows.
    let second = text_of(&pdf, Some(2));
    let rows: Vec<&str> = second
        .lines()
        .filter(|l| l.trim() == "baseline" || l.trim().starts_with("dose +"))
        .collect();
    assert_eq!(rows.len(), 13, "{rows:?}");

    let err = documents::document_pdf(
        &vault,
        &DocumentRequest::PrepSheet {
            session_id: INTEGRATION.into(),
        },
        Paper::A4,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Refused(kapnotes::Refusal::PrepSheetNeedsDosingSession)
        ),
        "{err}"
    );
}

#[test]
fn the_full_record_leaves_out_psychotherapy_notes_unless_asked_and_says_so() {
    let (tv, mut vault) = setup();
    let mut integration = vault.session(INTEGRATION).unwrap();
    integration.psychotherapy_note = true;
    integration.note = "A draft of the note, kept as a revision by the next save.".into();
    vault.update_session(integration.clone()).unwrap();
    integration.note = "Shorter.".into();
    vault.update_session(integration).unwrap();
    assert_eq!(vault.note_revisions(INTEGRATION).unwrap().len(), 1);

    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::ClientRecord {
            client_id: CLIENT.into(),
            include_psychotherapy_notes: false,
            map_then: None,
        },
        "record.pdf",
    );
    let text = text_of(&pdf, None);
    assert_contains_all(
        &text,
        &[
            "Clinical record",
            "1 session(s) marked as psychotherapy notes were left out",
            "Parts map",
            "The Planner protects Little one",
            "Outcome measures",
            "PHQ-9",
            "prescribed 50–150 mg",
            "Sessions (2)",
            "Talked through set and setting.",
            "Audit trail for this client",
            "imported",
        ],
    );
    assert!(
        !text.contains("The stuckness is the Planner guarding"),
        "the psychotherapy note was printed"
    );
    assert!(
        !text.contains("edited (session)") && !text.contains("(note revision)"),
        "the audit entry about the left-out session or its note revision was printed"
    );
    // Made before its own entry was written.
    let length = vault.audit_trail().unwrap().length - 1;
    assert!(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains(&format!(
                "the vault's whole audit trail held {length} entries"
            )),
        "the trail's length is on paper: {text}"
    );
    assert_running_text(&pdf);
    assert!(
        ink_per_page(&pdf, "client-record")
            .iter()
            .all(|ink| *ink > 0.005)
    );

    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::ClientRecord {
            client_id: CLIENT.into(),
            include_psychotherapy_notes: true,
            map_then: None,
        },
        "record-all.pdf",
    );
    let text = text_of(&pdf, None);
    assert!(text.contains("psychotherapy notes are included"));
    assert!(text.contains("edited (session)"));
    assert!(text.contains("(note revision)"));
    assert!(text.contains("The stuckness is the Planner guarding"));

    let trail = vault.client_audit_trail(CLIENT).unwrap();
    let documents: Vec<_> = trail
        .entries
        .iter()
        .filter(|e| e.action == AuditAction::DocumentWritten)
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        documents,
        [
            "full record PDF, psychotherapy notes left out",
            "full record PDF, psychotherapy notes included"
        ]
    );
}

#[test]
fn a_long_record_flows_over_many_pages_with_the_running_text_on_each() {
    let (tv, mut vault) = setup();
    let long_note = "The client described the week in detail. ".repeat(60);
    for day in 1..=20 {
        let mut session = dosing_session(&format!("2026-06-{day:02}"));
        session.note = format!("Day {day}. {long_note}");
        vault.create_session(CLIENT, session).unwrap();
    }
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::ClientRecord {
            client_id: CLIENT.into(),
            include_psychotherapy_notes: false,
            map_then: None,
        },
        "long.pdf",
    );
    assert!(page_count(&pdf) > 10, "{} pages", page_count(&pdf));
    assert_running_text(&pdf);
    let text = text_of(&pdf, None);
    for day in 1..=20 {
        assert!(
            text.contains(&format!("Day {day}. The client")),
            "day {day}"
        );
    }
}

#[test]
fn nothing_is_written_for_an_unknown_record() {
    let (tv, vault) = setup();
    let path = tv.file("missing.pdf");
    let err = documents::write_document(
        &vault,
        &DocumentRequest::SessionNote {
            session_id: "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4fff".into(),
        },
        Paper::Letter,
        &path,
        Overwrite::Refuse,
    )
    .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(!path.exists());
}

#[test]
fn documents_come_on_a4_or_us_letter() {
    let (tv, vault) = setup();
    for (paper, expected) in [(Paper::A4, "595.28 x 841.89"), (Paper::Letter, "612 x 792")] {
        let path = tv.file("paper.pdf");
        let request = DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        };
        // The same file each time: the second replaces the first, as confirmed.
        documents::write_document(&vault, &request, paper, &path, Overwrite::Confirmed).unwrap();
        let info = String::from_utf8(tool("pdfinfo", &[path.to_str().unwrap()])).unwrap();
        assert!(info.contains(expected), "{paper:?}: {info}");
        assert_sheet_pages(&path);
        assert_running_text(&path);
    }
}

#[test]
fn a_large_system_still_gets_a_one_page_sheet_before_its_monitoring_page() {
    let mut doc: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let client = &mut doc["clients"][0];
    let id = |kind: u32, n: usize| format!("7a000000-0000-4000-8000-{kind:04}{n:08}");
    let mut responses = Vec::new();
    for n in 0..24 {
        let role = if n % 2 == 0 { "manager" } else { "firefighter" };
        client["parts"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "id": id(1, n), "name": format!("Protector {n}"), "role": role,
            }));
        client["parts"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "id": id(2, n), "name": format!("Young one {n}"), "role": "exile",
            }));
        client["relationships"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "id": id(3, n), "from_part": id(1, n), "to_part": id(2, n), "kind": "protects",
            }));
        responses.push(if n % 4 == 0 {
            serde_json::json!({
                "part": id(1, n), "signal": "yellow",
                "concerns": "Worried the session runs long.",
                "requests": "A check-in halfway through.",
            })
        } else {
            serde_json::json!({"part": id(1, n), "signal": "green"})
        });
    }
    let dosing = client["sessions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["id"] == DOSING)
        .unwrap();
    dosing["checkin"]["responses"]
        .as_array_mut()
        .unwrap()
        .extend(responses);
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    vault.set_clinician(Some(&clinician())).unwrap();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        },
        "large.pdf",
    );
    assert_eq!(page_count(&pdf), 2);
    let second = text_of(&pdf, Some(2));
    assert!(second.contains("Monitoring record") && !second.contains("Findings"));
    let text = text_of(&pdf, Some(1));
    assert_contains_all(
        &text,
        &[
            "Worried the session runs long.",
            "Green, nothing to add: Scrolling part, Protector 1, Protector 2",
            "Protector 23",
            "and 14 more protector(s), not drawn",
            "Findings",
        ],
    );
    assert!(ink_per_page(&pdf, "prep-sheet-large")[0] > 0.02);
}

/// The example's dosing session as a whole monitored dosing day: pre-dose checks, a lot
/// number, readings every quarter hour, a discharge and two adverse events (the severe
/// one without an action yet).
fn monitored_dosing_day() -> (TestVault, Vault) {
    let mut doc: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let dosing = &mut doc["clients"][0]["sessions"][1];
    assert_eq!(dosing["id"], DOSING);
    dosing["pre_dose"] = serde_json::json!({
        "checked_at": "2026-04-30T13:50:00+00:00",
        "hours_fasted": 4.5,
        "substances_today": ["cannabis", "benzodiazepine"],
        "ride_home": "Partner, Sam Okafor",
        "notes": "Slept well; light breakfast at nine."
    });
    dosing["dose"]["lot_number"] = serde_json::json!("KX-2291");
    dosing["dose"]["booster_mg"] = serde_json::json!(25);
    let readings = [
        ("14:10", 128, 82, 74, 98, 5, serde_json::json!([]), ""),
        (
            "14:35",
            142,
            88,
            81,
            96,
            4,
            serde_json::json!([2, 1, 3, 0, 0, 1]),
            "Eyes closed, settled.",
        ),
        (
            "14:50",
            151,
            94,
            88,
            93,
            3,
            serde_json::json!([3, 2, 3, 1, 2, 2]),
            "Quiet; answered slowly.",
        ),
        (
            "15:05",
            138,
            86,
            84,
            95,
            4,
            serde_json::json!([2, 1, 2, null, 0, 1]),
            "",
        ),
        ("15:35", 130, 84, 78, 97, 5, serde_json::json!([]), ""),
        (
            "16:20",
            126,
            80,
            72,
            98,
            5,
            serde_json::json!([0, 0, 0, 0, 0, 0]),
            "Talking, oriented.",
        ),
    ];
    dosing["monitoring"] = readings
        .iter()
        .map(|(at, s, d, hr, o, sedation, items, note)| {
            let mut reading = serde_json::json!({
                "at": format!("2026-04-30T{at}:00+00:00"),
                "systolic": s, "diastolic": d, "heart_rate": hr, "spo2": o, "sedation": sedation,
            });
            if !items.as_array().unwrap().is_empty() {
                reading["dissociation_items"] = items.clone();
            }
            if !note.is_empty() {
                reading["note"] = serde_json::json!(note);
            }
            reading
        })
        .collect();
    dosing["discharge"] = serde_json::json!({
        "at": "2026-04-30T16:40:00+00:00",
        "alert_and_oriented": true,
        "walking_steadily": true,
        "left_with": "Sam Okafor",
        "notes": "Drove off with Sam; call tomorrow morning."
    });
    // Recorded out of time order: printed in it.
    dosing["adverse_events"] = serde_json::json!([
        {"id": "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e91", "at": "2026-04-30T14:50:00+00:00",
         "kind": "hypertension", "severity": "severe"},
        {"id": "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e90", "at": "2026-04-30T14:45:00+00:00",
         "kind": "nausea", "severity": "mild", "action": "Ginger tea; settled in ten minutes."}
    ]);
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    vault.set_clinician(Some(&clinician())).unwrap();
    (tv, vault)
}

/// The text with its table rows kept on one line each (pdftotext's layout mode), and
/// runs of spaces made one.
fn rows_of(pdf: &Path) -> Vec<String> {
    let bytes = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn assert_row(rows: &[String], expected: &str) {
    assert!(
        rows.iter().any(|r| r == expected),
        "no row {expected:?} in:\n{}",
        rows.join("\n")
    );
}

#[test]
fn the_session_note_of_a_monitored_dosing_day_shows_every_part_of_it() {
    let (tv, vault) = monitored_dosing_day();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::SessionNote {
            session_id: DOSING.into(),
        },
        "monitored.pdf",
    );
    let text = text_of(&pdf, None);
    assert_contains_all(
        &text,
        &[
            // The pre-dose checks, substances in words.
            "Pre-dose checks at 13:50",
            "4.5 hours",
            "cannabis, a benzodiazepine",
            "Partner, Sam Okafor",
            "Slept well; light breakfast at nine.",
            // The dose with its lot number.
            "booster 25 mg (total 125 mg)",
            "lot KX-2291",
            "Readings (6)",
            // The vitals chart, its text selectable.
            "Blood pressure (mmHg) · heart rate (bpm)",
            "SpO₂ (%)",
            "dose 14:20 (+ 25 mg booster, time not recorded)",
            "discharge 16:40",
            // The discharge, each criterion met, not met or not checked.
            "Discharge at 16:40, 140 minutes after the dose",
            "Left with",
            "Drove off with Sam; call tomorrow morning.",
            // The adverse events; the severe one without an action marked.
            "Adverse events (2)",
            "Ginger tea; settled in ten minutes.",
            "SEVERE",
            "high blood pressure",
            "No action recorded: a severe event needs one.",
            "1 severe adverse event(s) without an action recorded: record what was done.",
            // And the note as before.
            "Soft journey. Met the Little one from a distance.",
        ],
    );
    let rows = rows_of(&pdf);
    for row in [
        "Time Since dose BP mmHg HR SpO₂ MOAA/S CADSS-6 Note",
        "14:10 −10 min 128/82 74 98 % 5 alert —",
        "14:35 +15 min 142/88 81 96 % 4 drowsy to name 7 Eyes closed, settled.",
        "14:50 +30 min 151/94 88 93 % 3 to a loud name 13 Quiet; answered slowly.",
        // An item not asked: no total.
        "15:05 +45 min 138/86 84 95 % 4 drowsy to name —",
        "16:20 +120 min 126/80 72 98 % 5 alert 0 Talking, oriented.",
        "Alert and oriented Met",
        "Walking steadily Met",
        "Vitals near baseline Not checked",
        "mild 14:45 nausea Ginger tea; settled in ten minutes.",
        "SEVERE 14:50 high blood pressure ⚠ No action recorded: a severe event needs one.",
    ] {
        assert_row(&rows, row);
    }
    let (mild, severe) = (
        rows.iter().position(|r| r.starts_with("mild 14:45")),
        rows.iter().position(|r| r.starts_with("SEVERE 14:50")),
    );
    assert!(mild < severe, "adverse events in time order");
    // In the order of the day.
    let order = [
        "Pre-dose checks",
        "Protectors' check-in",
        "Readings (6)",
        "Observations",
        "Discharge at",
        "Adverse events",
        "Signed 30 April 2026",
    ];
    let positions: Vec<usize> = order.iter().map(|h| text.find(h).unwrap()).collect();
    assert!(positions.is_sorted(), "{order:?} at {positions:?}");
    assert_running_text(&pdf);
    assert!(
        ink_per_page(&pdf, "monitored-session-note")
            .iter()
            .all(|ink| *ink > 0.01)
    );
    // The full record prints the same session the same way.
    let record = write(
        &vault,
        &tv,
        DocumentRequest::ClientRecord {
            client_id: CLIENT.into(),
            include_psychotherapy_notes: false,
            map_then: None,
        },
        "monitored-record.pdf",
    );
    assert_contains_all(
        &text_of(&record, None),
        &[
            "Pre-dose checks at 13:50",
            "lot KX-2291",
            "Readings (6)",
            "dose 14:20 (+ 25 mg booster, time not recorded)",
            "Discharge at 16:40",
            "No action recorded: a severe event needs one.",
        ],
    );
}

/// The example's dosing session note as it read before the dosing day was recorded,
/// word for word (running text included).
const EXAMPLE_NOTE_WORDS: &str = "Dr. Robin Hale, PsyD · Quiet Harbour Practice Jordan Rivers · born 17 April 1988 Dosing session When Session Intentions 30 April 2026, 14:00 (UTC+00:00) completed, 180 minutes, in person • Let the Planner rest for a moment. (with The Planner) Protectors' check-in at 14:05 Protector Answer Concerns Requests The Planner yellow: unsure Afraid of losing control. Keep the eye shades off at first. Scrolling part green: agrees Decision Why Dose Proceed with dosing The Planner agreed once the request was honoured. 100 mg sublingual at 14:20 · psycholytic range Observations Blood pressure before Blood pressure after Parts present Notes 124/82 131/85 The Planner, Little one Onset at about 10 minutes; peak 25-55 minutes. Note Soft journey. Met the Little one from a distance. Signed 30 April 2026, 17:30 (UTC+00:00). The note above is locked. Addendum, 1 May 2026, 09:00 (UTC+00:00) Client called next morning: slept well, no distress. Dosing session note, 30 April 2026 · confidential clinical record Page 1 of 1";

#[test]
fn a_session_without_the_dosing_day_records_prints_as_before() {
    let (tv, vault) = setup();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::SessionNote {
            session_id: DOSING.into(),
        },
        "plain.pdf",
    );
    let text = text_of(&pdf, None);
    assert_eq!(
        text.split_whitespace().collect::<Vec<_>>().join(" "),
        EXAMPLE_NOTE_WORDS
    );
    for heading in [
        "Pre-dose",
        "Readings",
        "Discharge",
        "Adverse",
        "lot",
        "SpO₂",
    ] {
        assert!(!text.contains(heading), "{heading:?} printed: {text}");
    }
}

// ----- the system then and now (issue 11) -----

/// The 1-based page holding `text`.
fn page_with(pdf: &Path, text: &str) -> usize {
    (1..=page_count(pdf))
        .find(|n| text_of(pdf, Some(*n)).contains(text))
        .unwrap_or_else(|| panic!("{text:?} is on no page"))
}

#[test]
fn the_full_record_can_show_the_system_then_and_now_on_a_page_of_its_own() {
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, PARTS_OVER_TIME).unwrap();
    let record = |map_then: Option<&str>, name: &str| {
        write(
            &vault,
            &tv,
            DocumentRequest::ClientRecord {
                client_id: CLIENT.into(),
                include_psychotherapy_notes: false,
                map_then: map_then.map(date),
            },
            name,
        )
    };
    let without = record(None, "record.pdf");
    assert!(!text_of(&without, None).contains("then and now"));

    let pdf = record(Some("2026-04-22"), "then-and-now.pdf");
    assert_eq!(page_count(&pdf), page_count(&without) + 1, "one page more");
    let page = page_with(&pdf, "The system then and now");
    let text = text_of(&pdf, Some(page));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_contains_all(
        &flat,
        &[
            "The parts map as it stood at the end of",
            "Then: 2026-04-22 · now:",
            // The shapes, each saying what became of it.
            "Lantern Keeper",
            "exile · changed",
            "firefighter · changed",
            "What changed",
            "Scrolling part (firefighter): status not yet met → getting to know.",
            "Lantern Keeper (exile): renamed from “Little one”; status not yet met → unburdened; 4 unburdening steps recorded.",
            "Scrolling part now protects Lantern Keeper.",
            "New group “The protectors” with 2 parts.",
        ],
    );
    // On a page of its own: the parts map before it, the measures after it.
    assert!(!text.contains("Outcome measures") && !text.contains("Agreements with parts"));
    assert!(text_of(&pdf, Some(page + 1)).contains("Outcome measures"));
    let ink = ink_per_page(&pdf, "then-and-now");
    assert!(ink[page - 1] > 0.02, "the figure is drawn: {ink:?}");

    // A day before the history began: said plainly, today's map drawn alone.
    let early = record(Some("2026-01-15"), "early.pdf");
    let flat = text_of(&early, Some(page_with(&early, "The system then and now")))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("so the map of"), "{flat}");
    assert!(flat.contains("is not known"), "{flat}");
    assert!(flat.contains("Lantern Keeper (exile) was added."), "{flat}");
}

#[test]
fn the_dosing_day_sheet_keeps_its_one_first_page_with_groups_steps_and_history() {
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, PARTS_OVER_TIME).unwrap();
    vault.set_clinician(Some(&clinician())).unwrap();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        },
        "prep-over-time.pdf",
    );
    assert_eq!(page_count(&pdf), 2);
    let first = text_of(&pdf, Some(1));
    assert_contains_all(
        &first,
        &["Dosing-day preparation sheet", "Lantern Keeper", "Findings"],
    );
    assert!(!first.contains("Monitoring record"));
    assert!(!first.contains("then and now"));
    assert!(text_of(&pdf, Some(2)).contains("Monitoring record"));
}

// ----- documents fit to keep for years (issue 12) -----

/// What pdfinfo says of a document: its info, its XMP metadata and its structure tree
/// with the text of each element.
struct Conformance {
    info: String,
    meta: String,
    structure: String,
}

fn conformance(pdf: &Path) -> Conformance {
    let pdf = pdf.to_str().unwrap();
    let run = |args: &[&str]| String::from_utf8_lossy(&tool("pdfinfo", args)).into_owned();
    Conformance {
        info: run(&[pdf]),
        meta: run(&["-meta", pdf]),
        structure: run(&["-struct-text", pdf]),
    }
}

/// A tagged PDF/A-2a and PDF/UA-1 document, titled, in English, with headings in
/// levels that never skip one, every figure described.
fn assert_archival_and_accessible(pdf: &Path, title: &str) -> Conformance {
    let c = conformance(pdf);
    let field = |name: &str| {
        c.info
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
            .unwrap_or_default()
    };
    assert_eq!(field("Tagged"), "yes", "{}", c.info);
    assert_eq!(field("Title"), title, "{}", c.info);
    let meta = c.meta.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>A</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
    ] {
        assert!(meta.contains(expected), "{expected} missing from:\n{meta}");
    }
    // The catalog says the language; the structure tree starts at the document.
    assert!(c.structure.contains("Document"), "{}", c.structure);
    let mut last = 0;
    let mut headings = 0;
    for line in c.structure.lines() {
        let element = line.trim_start();
        if let Some(level) = element
            .strip_prefix('H')
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse::<usize>().ok())
        {
            assert!(
                level <= last + 1,
                "H{level} after H{last}:\n{}",
                c.structure
            );
            assert!(headings > 0 || level == 1, "the first heading is not H1");
            last = level;
            headings += 1;
        }
    }
    assert!(headings > 1, "{}", c.structure);
    c
}

/// `phrases` in `text`, in this order.
fn assert_in_order(text: &str, phrases: &[&str]) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut from = 0;
    for phrase in phrases {
        let at = flat[from..]
            .find(phrase)
            .unwrap_or_else(|| panic!("{phrase:?} missing after byte {from} of:\n{flat}"));
        from += at + phrase.len();
    }
}

/// The alternative texts in a PDF, decoded: literal strings, or UTF-16 in hex.
fn alt_texts(pdf: &Path) -> Vec<String> {
    let bytes = std::fs::read(pdf).unwrap();
    let mut texts = Vec::new();
    let mut rest = &bytes[..];
    while let Some(at) = rest.windows(4).position(|w| w == b"/Alt") {
        rest = &rest[at + 4..];
        match rest.first() {
            Some(b'(') => {
                let (mut depth, mut text, mut escaped) = (0, Vec::new(), false);
                for (i, b) in rest.iter().enumerate() {
                    match (*b, escaped) {
                        (_, true) => {
                            text.push(*b);
                            escaped = false;
                        }
                        (b'\\', false) => escaped = true,
                        (b'(', false) => {
                            depth += 1;
                            if depth > 1 {
                                text.push(b'(');
                            }
                        }
                        (b')', false) => {
                            depth -= 1;
                            if depth == 0 {
                                rest = &rest[i..];
                                break;
                            }
                            text.push(b')');
                        }
                        _ => text.push(*b),
                    }
                }
                texts.push(String::from_utf8(text).unwrap());
            }
            Some(b'<') => {
                let end = rest.iter().position(|b| *b == b'>').unwrap();
                let hex = std::str::from_utf8(&rest[1..end]).unwrap();
                let units: Vec<u16> = (0..hex.len() / 4)
                    .map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).unwrap())
                    .collect();
                assert_eq!(units[0], 0xFEFF, "UTF-16 with its byte-order mark");
                texts.push(String::from_utf16(&units[1..]).unwrap());
            }
            _ => {}
        }
    }
    texts
}

/// Each figure is tagged with its alternative text: as many as figures in the
/// structure tree, none empty, and each of `expected` among them.
fn assert_figures_described(pdf: &Path, c: &Conformance, expected: &[&str]) {
    let figures = c
        .structure
        .lines()
        .filter(|l| l.trim() == "Figure" || l.trim() == "Figure:")
        .count();
    assert!(figures > 0, "{}", c.structure);
    // Each with the box it is drawn in.
    assert_eq!(
        c.structure.matches("/BBox").count(),
        figures,
        "{}",
        c.structure
    );
    let alts = alt_texts(pdf);
    assert_eq!(alts.len(), figures, "{alts:?}");
    assert!(alts.iter().all(|a| a.len() > 20), "{alts:?}");
    for expected in expected {
        assert!(
            alts.iter().any(|a| a.starts_with(expected)),
            "no figure described as {expected:?} in {alts:?}"
        );
    }
}

#[test]
fn every_document_is_a_tagged_archival_and_accessible_pdf() {
    // The monitored dosing day: its note (readings table, vitals chart) and its sheet
    // (protectors' figure, the monitoring table to fill in by hand).
    let (tv, vault) = monitored_dosing_day();
    let note = write(
        &vault,
        &tv,
        DocumentRequest::SessionNote {
            session_id: DOSING.into(),
        },
        "note.pdf",
    );
    let c = assert_archival_and_accessible(&note, "Dosing session note, 30 April 2026");
    assert_figures_described(
        &note,
        &c,
        &["Blood pressure, heart rate and SpO₂ across the session, with the dose marked."],
    );
    assert!(c.structure.contains("/Scope /Column") && c.structure.contains("/Scope /Row"));
    assert_in_order(
        &text_of(&note, None),
        &[
            "Dosing session",
            "When",
            "Pre-dose checks at 13:50",
            "Protectors' check-in at 14:05",
            "Readings (6)",
            "14:10",
            "16:20",
            "Observations",
            "Discharge at 16:40",
            "Adverse events (2)",
            "Note",
            "Signed 30 April 2026",
            "Addendum",
        ],
    );
    assert_in_order(
        &c.structure,
        &[
            "H1 \"Dosing session\"",
            "TH",
            "\"Time\"",
            "\"Since dose\"",
            "TD",
            "\"14:10\"",
            "Figure",
        ],
    );

    let sheet = write(
        &vault,
        &tv,
        DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        },
        "sheet.pdf",
    );
    let c = assert_archival_and_accessible(&sheet, "Dosing-day sheet, 30 April 2026");
    assert_figures_described(
        &sheet,
        &c,
        &[
            "The protectors and the parts they protect. The Planner (manager, yellow: unsure) protects Little one.",
        ],
    );
    // The intentions are a list; the discharge checklist too.
    assert_eq!(
        c.structure.matches("ListNumbering").count(),
        2,
        "{}",
        c.structure
    );
    assert_in_order(
        &c.structure,
        &["LI", "Lbl", "\"•\"", "LBody", "Let the Planner rest"],
    );
    assert_in_order(
        &text_of(&sheet, None),
        &[
            "Dosing-day preparation sheet",
            "Intentions",
            "Protectors: last check-in",
            "Prescriber's range and safety",
            "Findings",
            "Monitoring record",
            "Due",
            "baseline",
            "dose +180",
            "MOAA/S: sedation level",
            "Discharge",
        ],
    );

    // The full record, with every chart.
    let record = write(
        &vault,
        &tv,
        DocumentRequest::ClientRecord {
            client_id: CLIENT.into(),
            include_psychotherapy_notes: true,
            map_then: None,
        },
        "record.pdf",
    );
    let c = assert_archival_and_accessible(&record, "Clinical record");
    assert_figures_described(
        &record,
        &c,
        &[
            "Outcome measures over time, with the dosing sessions marked. PHQ-9 (0 to 27): 2026-04-02: 15, moderately severe; 2026-05-04: 8, mild. GAD-7 (0 to 21): 2026-04-02: 11, moderate. Dosing sessions: 2026-04-30.",
            "Dose of each dosing session, with the prescriber's range. Prescriber's range: 50 to 150 mg. 2026-04-30: 125 mg, psycholytic.",
        ],
    );
    assert_in_order(
        &text_of(&record, None),
        &[
            "Clinical record",
            "Client",
            "Parts map",
            "Outcome measures",
            "Measures over time",
            "Doses against the prescriber's range",
            "Sessions (3)",
            "Preparation session, 23 April 2026",
            "Dosing session, 30 April 2026",
            "Integration session, 4 May 2026",
            "Audit trail for this client",
        ],
    );

    // The full record with "the system then and now", from parts over time.
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, PARTS_OVER_TIME).unwrap();
    let then_and_now = write(
        &vault,
        &tv,
        DocumentRequest::ClientRecord {
            client_id: CLIENT.into(),
            include_psychotherapy_notes: false,
            map_then: Some(date("2026-04-22")),
        },
        "then-and-now.pdf",
    );
    let c = assert_archival_and_accessible(&then_and_now, "Clinical record");
    assert_figures_described(&then_and_now, &c, &["The parts map on 2026-04-22 and on"]);
    assert!(
        alt_texts(&then_and_now)
            .iter()
            .any(|a| a.contains("Lantern Keeper (exile · changed)")),
        "every part drawn is named in the map's description"
    );
    assert_in_order(
        &text_of(&then_and_now, None),
        &[
            "Parts map",
            "The system then and now",
            "What changed",
            "Outcome measures",
        ],
    );
}

/// The headings of a tagged document, from its structure tree: the text of each
/// H1–H6 element.
fn headings_of(structure: &str) -> Vec<String> {
    let lines: Vec<&str> = structure.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim_start();
            l.len() > 2 && l.starts_with('H') && l.as_bytes()[1].is_ascii_digit()
        })
        .filter_map(|(i, _)| lines.get(i + 1))
        .map(|l| l.trim().trim_matches('"').trim().to_owned())
        .collect()
}

/// The lines of a page's body: its text without the running header and footer.
fn body_lines(pdf: &Path, page: usize) -> Vec<String> {
    text_of(pdf, Some(page))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| {
            !l.contains("confidential clinical record")
                && !l.starts_with("Page ")
                && !l.contains("Dr. Robin Hale")
                && !l.starts_with("Jordan Rivers · born")
        })
        .map(str::to_owned)
        .collect()
}

/// A heading is never the last thing on a page: when what follows it (a chart, say)
/// moves to the next page, the heading moves with it. Profile notes of these lengths
/// push each chart of the example's full record past the foot of the second page,
/// which left its heading there alone before.
#[test]
fn a_heading_is_never_left_alone_at_the_foot_of_a_page() {
    let (tv, mut vault) = setup();
    let mut profile = vault.client_profile(CLIENT).unwrap();
    for (lines, moved) in [
        (0, None),
        (8, Some("Self-energy across integration sessions (0–10)")),
        (20, Some("Doses against the prescriber's range")),
        (
            36,
            Some("Measures over time (dashed lines: dosing sessions)"),
        ),
    ] {
        profile.notes = (0..lines)
            .map(|n| format!("Line {n} of the notes."))
            .collect::<Vec<_>>()
            .join("\n");
        vault.update_client(profile.clone()).unwrap();
        let (bytes, pages) = documents::document_pdf(
            &vault,
            &DocumentRequest::ClientRecord {
                client_id: CLIENT.into(),
                include_psychotherapy_notes: false,
                map_then: None,
            },
            Paper::A4,
        )
        .unwrap();
        let pdf = tv.file(&format!("record-{lines}.pdf"));
        std::fs::write(&pdf, bytes).unwrap();
        let headings = headings_of(&conformance(&pdf).structure);
        for page in 1..pages {
            let body = body_lines(&pdf, page);
            let last = body.last().cloned().unwrap_or_default();
            assert!(
                !headings.contains(&last),
                "with {lines} lines of notes, page {page} ends with the heading {last:?}"
            );
        }
        if let Some(moved) = moved {
            assert!(headings.iter().any(|h| h == moved), "{headings:?}");
            assert!(
                (2..=pages)
                    .any(|page| body_lines(&pdf, page).first().map(String::as_str) == Some(moved)),
                "with {lines} lines of notes, {moved:?} starts no page"
            );
        }
    }
}
