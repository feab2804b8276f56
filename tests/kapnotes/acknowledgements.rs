//! Acknowledging a warning or a note (issue 12, "findings a clinician can act on"):
//! sealed, audited without its reason, out of the open list while the record it is
//! about is unchanged, never for a stop, carried in the interchange, and on a vault
//! upgraded from format 4 (through migration 5, which adds their table, and 6,
//! attachments').

use crate::common::*;
use kapnotes::interchange::{self, ExportScope};
use kapnotes::rules::{check_client, course};
use kapnotes::{Access, Vault};

fn as_of() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-05-10T23:59:59+00:00").unwrap()
}

const REASON: &str = "Consent was signed on paper at intake; scan pending (Zyx-reason-marker).";

#[test]
fn an_acknowledged_warning_leaves_the_open_list_until_its_record_changes() {
    let (tv, mut vault) = TestVault::with_example();
    let settings = vault.rule_settings().unwrap();
    let client = vault.client(CLIENT).unwrap();
    let all = check_client(&client, as_of(), &settings);
    let consent = all
        .iter()
        .find(|f| f.code == "consent-missing")
        .expect("the example misses consent")
        .clone();
    let open_before = course(&client, as_of(), &settings).findings.len();

    let ack = vault
        .acknowledge_finding(CLIENT, consent.code, &consent.record_id, REASON, as_of())
        .unwrap();
    let client = vault.client(CLIENT).unwrap();
    let summary = course(&client, as_of(), &settings);
    assert_eq!(summary.findings.len(), open_before - 1);
    assert!(!summary.findings.iter().any(|f| f == &consent));
    assert_eq!(summary.acknowledged.len(), 1);
    assert_eq!(summary.acknowledged[0].finding, consent);
    assert_eq!(summary.acknowledged[0].acknowledgement.reason, REASON);
    assert_eq!(summary.acknowledged[0].acknowledgement.id, ack.id);

    // Sealed: the reason is nowhere in the file; the trail names an acknowledgement.
    drop(vault);
    assert!(!contains(&read_all_bytes(&tv.path), b"Zyx-reason-marker"));
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    let trail = vault.audit_trail().unwrap();
    let entry = trail
        .entries
        .iter()
        .rev()
        .find(|e| e.record_kind.as_deref() == Some("acknowledgement"))
        .expect("an entry for the acknowledgement");
    assert_eq!(entry.record_id.as_deref(), Some(ack.id.as_str()));
    assert!(entry.detail.as_deref().is_none_or(|d| !d.contains("Zyx")));

    // A change to the session it is about re-opens it: this one is signed, so the
    // change is an addendum.
    vault
        .add_addendum(
            &consent.record_id,
            "The consent form was found in the paper file.",
        )
        .unwrap();
    let client = vault.client(CLIENT).unwrap();
    let summary = course(&client, as_of(), &settings);
    assert!(summary.findings.iter().any(|f| f == &consent), "re-opened");
    assert!(summary.acknowledged.is_empty());
    assert_eq!(client.acknowledgements.len(), 1, "kept, but inert");
}

#[test]
fn re_opening_removes_the_acknowledgement_with_a_recorded_deletion() {
    let (_tv, mut vault) = TestVault::with_example();
    let settings = vault.rule_settings().unwrap();
    let client = vault.client(CLIENT).unwrap();
    let note = check_client(&client, as_of(), &settings)
        .into_iter()
        .find(|f| f.code == "note-unsigned")
        .unwrap();
    let ack = vault
        .acknowledge_finding(
            CLIENT,
            note.code,
            &note.record_id,
            "Waiting for supervision.",
            as_of(),
        )
        .unwrap();
    vault.reopen_finding(CLIENT, &ack.id).unwrap();
    let client = vault.client(CLIENT).unwrap();
    assert!(client.acknowledgements.is_empty());
    assert!(course(&client, as_of(), &settings).findings.contains(&note));
    let trail = vault.audit_trail().unwrap();
    let last = trail.entries.last().unwrap();
    assert_eq!(last.action, kapnotes::vault::AuditAction::Deleted);
    assert_eq!(last.record_kind.as_deref(), Some("acknowledgement"));
}

#[test]
fn a_stop_cannot_be_acknowledged_and_nothing_is_written() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut measure = vault.measures(CLIENT).unwrap()[0].clone();
    measure.answers[8] = Some(1);
    vault.update_measure(measure.clone()).unwrap();
    let length = vault.audit_trail().unwrap().entries.len();
    let err = vault
        .acknowledge_finding(
            CLIENT,
            "phq9-item9-positive",
            &measure.id,
            "Asked; fine.",
            as_of(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "A stop cannot be acknowledged: settle what it names, and it clears by itself."
    );
    assert_eq!(vault.audit_trail().unwrap().entries.len(), length);
    assert!(vault.client(CLIENT).unwrap().acknowledgements.is_empty());
    // Nor a finding the rules do not raise, nor one without a reason.
    assert!(
        vault
            .acknowledge_finding(CLIENT, "doses-too-close", DOSING, "Why not.", as_of())
            .is_err()
    );
    assert!(
        vault
            .acknowledge_finding(CLIENT, "consent-missing", DOSING, "  ", as_of())
            .is_err()
    );
    assert_eq!(vault.audit_trail().unwrap().entries.len(), length);
}

#[test]
fn acknowledgements_round_trip_through_the_interchange() {
    let (_tv, mut vault) = TestVault::with_example();
    // Without one, the export is as before.
    assert!(
        export_value(&vault)["clients"][0]
            .get("acknowledgements")
            .is_none()
    );
    vault
        .acknowledge_finding(CLIENT, "consent-missing", DOSING, REASON, as_of())
        .unwrap();
    let document = interchange::export(&vault, &ExportScope::Everything).unwrap();
    let json = serde_json::to_string_pretty(&document).unwrap();
    assert!(json.contains("\"acknowledgements\""));
    let (_tv2, mut other) = TestVault::new();
    interchange::import(&mut other, &json).unwrap();
    assert_eq!(
        other.client(CLIENT).unwrap().acknowledgements,
        vault.client(CLIENT).unwrap().acknowledgements
    );
    let settings = other.rule_settings().unwrap();
    let summary = course(&other.client(CLIENT).unwrap(), as_of(), &settings);
    assert_eq!(
        summary.acknowledged.len(),
        1,
        "still acknowledged after import"
    );
}

#[test]
fn the_format_4_vault_upgrades_and_takes_an_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("format-4.kapnotes");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/vaults/format-4.kapnotes"),
        &copy,
    )
    .unwrap();
    let mut vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(vault.trail_problems().is_empty());
    vault
        .acknowledge_finding(CLIENT, "consent-missing", DOSING, REASON, as_of())
        .unwrap();
    assert!(vault.verify().unwrap().problems.is_empty());
    drop(vault);
    let version: i64 = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version, 6,
        "through the records migration (5) and attachments' (6)"
    );
    let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(vault.verify().unwrap().problems.is_empty());
    assert_eq!(vault.client(CLIENT).unwrap().acknowledgements.len(), 1);
}

#[test]
fn a_grouped_line_is_acknowledged_all_or_none() {
    let (_tv, mut vault) = TestVault::with_example();
    let length = vault.audit_trail().unwrap().entries.len();
    // The second record has no such finding: nothing is acknowledged.
    assert!(
        vault
            .acknowledge_findings(
                CLIENT,
                "consent-missing",
                &[DOSING.to_owned(), INTEGRATION.to_owned()],
                REASON,
                as_of(),
            )
            .is_err()
    );
    assert!(vault.client(CLIENT).unwrap().acknowledgements.is_empty());
    assert_eq!(vault.audit_trail().unwrap().entries.len(), length);
    let made = vault
        .acknowledge_findings(
            CLIENT,
            "consent-missing",
            &[DOSING.to_owned()],
            REASON,
            as_of(),
        )
        .unwrap();
    assert_eq!(made.len(), 1);
}

#[test]
fn the_dosing_day_sheet_lists_an_acknowledged_finding_after_the_open_ones_with_its_reason() {
    let (tv, mut vault) = TestVault::with_example();
    vault
        .acknowledge_finding(
            CLIENT,
            "consent-missing",
            DOSING,
            "On paper at intake.",
            as_of(),
        )
        .unwrap();
    let pdf = tv.file("sheet.pdf");
    kapnotes::documents::write_document(
        &vault,
        &kapnotes::documents::DocumentRequest::PrepSheet {
            session_id: DOSING.into(),
        },
        kapnotes::documents::Paper::A4,
        &pdf,
        kapnotes::vault::Overwrite::Refuse,
    )
    .unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-f", "1", "-l", "1", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("No informed consent is on file"), "{text}");
    assert!(text.contains("On paper at intake."), "{text}");
}
