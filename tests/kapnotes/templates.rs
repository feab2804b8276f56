//! Note templates (issue 12): a session's note written in SOAP, DAP, BIRP, a KAP
//! template or the clinician's own; the templates a sealed, audited setting carried in
//! the whole-vault export; the sections searchable, in the note's history, signed with
//! it, headed in the session-note PDF, and in the interchange only when present.

use crate::common::*;
use kapnotes::documents::{self, DocumentRequest, Paper};
use kapnotes::interchange;
use kapnotes::records::*;
use kapnotes::search::SearchIndex;
use kapnotes::vault::{AuditAction, Overwrite};
use kapnotes::{Access, ExportScope, Vault};

fn soap_session(vault: &mut Vault) -> Session {
    let templates = vault.note_templates().unwrap();
    let mut session = vault
        .start_session(
            CLIENT,
            SessionKind::Therapy,
            ts("2026-06-02T10:00:00+02:00"),
        )
        .unwrap();
    // A therapy session has no default: a plain note until a template is chosen.
    assert_eq!(session.template, None);
    assert!(session.sections.is_empty());
    session.use_template(templates.named(SOAP));
    for (section, text) in session.sections.iter_mut().zip([
        "Reports sleeping better since the integration session.",
        "Calm, warm affect; PHQ-9 down to 8.",
        "Protector around work eased; exile still guarded.",
        "Continue weekly; revisit the Planner next time.",
    ]) {
        section.text = text.into();
    }
    session.status = SessionStatus::Completed;
    vault.update_session(session.clone()).unwrap();
    session
}

fn custom() -> NoteTemplates {
    let mut templates = NoteTemplates::default();
    templates.templates.push(NoteTemplate {
        name: "Brief".into(),
        sections: vec![
            TemplateSection {
                heading: "What happened".into(),
                prompt: "In a few lines.".into(),
            },
            TemplateSection {
                heading: "Next".into(),
                prompt: String::new(),
            },
        ],
    });
    templates.defaults.push(TemplateDefault {
        kind: SessionKind::Therapy,
        template: "Brief".into(),
    });
    templates
}

#[test]
fn kap_sessions_start_in_their_templates_and_the_defaults_are_kapnotes_own() {
    let (_tv, mut vault) = TestVault::with_example();
    let templates = vault.note_templates().unwrap();
    assert!(templates.is_default());
    for name in [
        SOAP,
        DAP,
        BIRP,
        KAP_PREPARATION,
        KAP_DOSING,
        KAP_INTEGRATION,
    ] {
        assert!(templates.named(name).is_some(), "{name}");
    }
    let dosing = vault
        .start_session(CLIENT, SessionKind::Dosing, ts("2026-06-01T10:00:00+02:00"))
        .unwrap();
    assert_eq!(dosing.template.as_deref(), Some(KAP_DOSING));
    let headings: Vec<_> = dosing.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        [
            "Set and setting",
            "Check-in",
            "The journey",
            "Parts that showed up",
            "Self-energy",
            "Closing and discharge"
        ]
    );
    assert_eq!(
        vault.session(&dosing.id).unwrap(),
        dosing,
        "stored as returned"
    );
}

#[test]
fn templates_are_a_sealed_audited_setting_and_a_change_never_rewrites_a_note() {
    let (tv, mut vault) = TestVault::with_example();
    let session = soap_session(&mut vault);
    let mut templates = custom();
    vault.set_note_templates(&templates).unwrap();
    let entry = vault
        .audit_trail()
        .unwrap()
        .entries
        .last()
        .cloned()
        .unwrap();
    assert_eq!(entry.action, AuditAction::Updated);
    assert_eq!(entry.record_id.as_deref(), Some("note_templates"));
    // Renaming SOAP's sections changes no note written in it.
    let soap = templates
        .templates
        .iter_mut()
        .find(|t| t.name == SOAP)
        .unwrap();
    soap.sections[0].heading = "Client's report".into();
    soap.sections.swap(1, 2);
    vault.set_note_templates(&templates).unwrap();
    drop(vault);
    assert!(
        !contains(&read_all_bytes(&tv.path), b"What happened"),
        "stored sealed"
    );
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(vault.note_templates().unwrap(), templates);
    assert_eq!(vault.session(&session.id).unwrap(), session);
    // The new default for therapy sessions applies to the next one.
    let next = vault
        .start_session(
            CLIENT,
            SessionKind::Therapy,
            ts("2026-06-09T10:00:00+02:00"),
        )
        .unwrap();
    assert_eq!(next.template.as_deref(), Some("Brief"));
    // Back to kapnotes' own: the setting is removed, recorded.
    vault.set_note_templates(&NoteTemplates::default()).unwrap();
    let entry = vault
        .audit_trail()
        .unwrap()
        .entries
        .last()
        .cloned()
        .unwrap();
    assert_eq!(entry.action, AuditAction::Deleted);
    assert!(vault.verify().unwrap().problems.is_empty());
}

#[test]
fn templates_that_cannot_work_are_refused_with_their_path() {
    let (_tv, mut vault) = TestVault::new();
    let mut twice = custom();
    twice.templates.push(twice.templates[0].clone());
    let e = vault.set_note_templates(&twice).unwrap_err();
    assert!(
        e.to_string().contains("/note_templates/templates/7/name"),
        "{e}"
    );
    let mut heading = custom();
    heading.templates[6].sections[1].heading = "what HAPPENED".into();
    let e = vault.set_note_templates(&heading).unwrap_err();
    assert!(e.to_string().contains("sections/1/heading"), "{e}");
    let mut missing = custom();
    missing.defaults[0].template = "Nowhere".into();
    let e = vault.set_note_templates(&missing).unwrap_err();
    assert!(
        e.to_string()
            .contains("/note_templates/defaults/0/template"),
        "{e}"
    );
    let mut empty = custom();
    empty.templates[6].sections.clear();
    assert!(vault.set_note_templates(&empty).is_err());
    let mut blank = custom();
    blank.templates[6].name = "  ".into();
    assert!(vault.set_note_templates(&blank).is_err());
    assert!(
        vault.note_templates().unwrap().is_default(),
        "nothing written"
    );
}

#[test]
fn sections_are_searched_kept_in_the_notes_history_and_signed_with_it() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut session = soap_session(&mut vault);
    let mut index = SearchIndex::new();
    let hits = index.search(&vault, "PHQ-9 down", Some(CLIENT)).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].record_id, session.id);
    assert!(hits[0].snippet.contains("Calm, warm affect"));
    // Clearing a section keeps what it held among the earlier versions.
    let before = session.clone();
    session.sections[2].text.clear();
    session.sections[3].text = "Weekly.".into();
    vault.update_session(session.clone()).unwrap();
    let revisions = vault.note_revisions(&session.id).unwrap();
    assert_eq!(revisions[0].sections, before.sections);
    assert_eq!(revisions[0].template.as_deref(), Some(SOAP));
    vault
        .restore_note_revision(&session.id, &revisions[0].id)
        .unwrap();
    assert_eq!(
        vault.session(&session.id).unwrap().sections,
        before.sections
    );
    // Signed: the sections are locked with the note.
    vault.sign_session(&session.id).unwrap();
    let mut signed = vault.session(&session.id).unwrap();
    signed.sections[0].text.push_str(" Changed.");
    assert!(vault.update_session(signed).is_err());
    assert!(vault.verify().unwrap().problems.is_empty());
}

#[test]
fn the_session_note_pdf_heads_each_section() {
    let (tv, mut vault) = TestVault::with_example();
    let session = soap_session(&mut vault);
    let path = tv.file("soap.pdf");
    documents::write_document(
        &vault,
        &DocumentRequest::SessionNote {
            session_id: session.id.clone(),
        },
        Paper::A4,
        &path,
        Overwrite::Refuse,
    )
    .unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut at = 0;
    for expected in [
        "Note (SOAP)",
        "Subjective",
        "Reports sleeping better",
        "Objective",
        "PHQ-9 down to 8",
        "Assessment",
        "Protector around work eased",
        "Plan",
        "Continue weekly",
    ] {
        let found = text[at..]
            .find(expected)
            .unwrap_or_else(|| panic!("{expected} after {at} in:\n{text}"));
        at += found + expected.len();
    }
}

#[test]
fn the_interchange_carries_sections_and_templates_only_when_present() {
    let (_tv, mut vault) = TestVault::with_example();
    // A plain note exports as before: no template, no sections.
    let plain = interchange::export(&vault, &ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    assert!(!plain.contains("\"sections\"") && !plain.contains("\"note_templates\""));
    let session = soap_session(&mut vault);
    vault.set_note_templates(&custom()).unwrap();
    let text = interchange::export(&vault, &ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    assert!(text.contains("\"template\": \"SOAP\""), "{text}");
    assert!(text.contains("\"heading\": \"Objective\""));
    assert!(text.contains("\"note_templates\""));
    // A records request carries the note's sections, not the practice's templates.
    let one = interchange::export(
        &vault,
        &ExportScope::Client {
            id: CLIENT.into(),
            include_psychotherapy_notes: true,
        },
    )
    .unwrap()
    .to_canonical_json()
    .unwrap();
    assert!(one.contains("\"heading\": \"Objective\"") && !one.contains("\"note_templates\""));
    // Into a fresh vault and out again, byte for byte.
    let (_tv2, mut other) = TestVault::new();
    interchange::import(&mut other, &text).unwrap();
    assert_eq!(other.session(&session.id).unwrap(), session);
    assert_eq!(other.note_templates().unwrap(), custom());
    assert_eq!(export_value(&other), export_value(&vault));
}

#[test]
fn a_template_left_empty_shows_no_outline_in_the_pdf() {
    let (tv, mut vault) = TestVault::with_example();
    let mut dosing = vault
        .start_session(CLIENT, SessionKind::Dosing, ts("2026-06-01T10:00:00+02:00"))
        .unwrap();
    dosing.note = "Written as a plain note only.".into();
    vault.update_session(dosing.clone()).unwrap();
    let path = tv.file("plain.pdf");
    documents::write_document(
        &vault,
        &DocumentRequest::SessionNote {
            session_id: dosing.id.clone(),
        },
        Paper::A4,
        &path,
        Overwrite::Refuse,
    )
    .unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Written as a plain note only."), "{text}");
    assert!(
        !text.contains("Nothing written") && !text.contains("Note (KAP dosing)"),
        "{text}"
    );
}
