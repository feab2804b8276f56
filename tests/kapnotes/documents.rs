//! PDF documents: each one is written, read back as text with pdftotext, and rendered to
//! images with pdftoppm (poppler-utils, installed by `make setup`), whose pixels must
//! show a drawn page. The renders of the example land in target/document-renders/ to
//! look at.

use crate::common::*;
use kapnotes::documents::{DocumentRequest, Paper};
use kapnotes::records::Clinician;
use kapnotes::vault::{AuditAction, Overwrite};
use kapnotes::{Error, Vault};
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
    let written = vault
        .write_document(&request, Paper::A4, &path, Overwrite::Refuse)
        .unwrap();
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

#[test]
fn the_prep_sheet_is_one_page_with_what_the_day_needs() {
    let (tv, vault) = setup();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        },
        "prep.pdf",
    );
    assert_eq!(page_count(&pdf), 1);
    let text = text_of(&pdf, None);
    assert_contains_all(
        &text,
        &[
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
            "No informed consent is on file",
        ],
    );
    assert_running_text(&pdf);
    assert!(ink_per_page(&pdf, "prep-sheet")[0] > 0.02);

    let err = vault
        .document_pdf(
            &DocumentRequest::PrepSheet {
                session_id: INTEGRATION.into(),
            },
            Paper::A4,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err}");
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
    let err = vault
        .write_document(
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
        vault
            .write_document(&request, paper, &path, Overwrite::Confirmed)
            .unwrap();
        let info = String::from_utf8(tool("pdfinfo", &[path.to_str().unwrap()])).unwrap();
        assert!(info.contains(expected), "{paper:?}: {info}");
        assert_eq!(page_count(&path), 1);
        assert_running_text(&path);
    }
}

#[test]
fn a_large_system_still_gets_a_one_page_sheet() {
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
    vault.import(&doc.to_string()).unwrap();
    vault.set_clinician(Some(&clinician())).unwrap();
    let pdf = write(
        &vault,
        &tv,
        DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        },
        "large.pdf",
    );
    assert_eq!(page_count(&pdf), 1);
    let text = text_of(&pdf, None);
    assert_contains_all(
        &text,
        &[
            "Worried the session runs long.",
            "Green, nothing to add: Scrolling part, Protector 1, Protector 2",
            "Protector 23",
            "and 14 more protector(s), not drawn",
        ],
    );
    assert!(ink_per_page(&pdf, "prep-sheet-large")[0] > 0.02);
}
