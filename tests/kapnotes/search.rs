//! Full-text search, in memory, over every clinical text field.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::records::*;
use kapnotes::search::{RecordKind, SearchIndex};
use kapnotes::{Access, Vault};

#[test]
fn finds_words_regardless_of_case_and_accents_with_a_snippet() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut index = SearchIndex::new();
    let mut session = vault.session(INTEGRATION).unwrap();
    session.note = "Elle a parlé de l'Été à São Paulo, et du café.".into();
    vault.update_session(session).unwrap();

    let hits = index.search(&vault, "SAO paulo", Some(CLIENT)).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].record_id, INTEGRATION);
    assert_eq!(hits[0].kind, RecordKind::Session);
    assert_eq!(hits[0].field, "note");
    assert!(hits[0].snippet.contains("São Paulo"), "{}", hits[0].snippet);

    assert_eq!(
        index.search(&vault, "ete", None).unwrap()[0].record_id,
        INTEGRATION
    );
    assert_eq!(index.search(&vault, "CAFÉ", None).unwrap().len(), 1);
}

#[test]
fn searches_every_kind_of_text() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut index = SearchIndex::new();
    let cases = [
        (
            "eye shades",
            RecordKind::Session,
            DOSING,
            "check-in requests",
        ),
        ("nobody will come", RecordKind::Part, LITTLE_ONE, "burdens"),
        (
            "ashamed",
            RecordKind::Relationship,
            "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e22",
            "relationship note",
        ),
        (
            "call a pause",
            RecordKind::Agreement,
            "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e30",
            "agreement",
        ),
        ("slept well", RecordKind::Session, DOSING, "addendum"),
        (
            "blue stone",
            RecordKind::Session,
            PREPARATION,
            "safety plan",
        ),
        (
            "someone finally came",
            RecordKind::Session,
            INTEGRATION,
            "messages",
        ),
        (
            "treatment-resistant",
            RecordKind::Client,
            CLIENT,
            "client notes",
        ),
        (
            "understand why",
            RecordKind::Session,
            PREPARATION,
            "intention",
        ),
    ];
    // The dosing day's texts are searched too (on a new, unsigned dosing session).
    let mut dosing = dosing_session("2026-06-01");
    let dosing_id = dosing.id.clone();
    vault.create_session(CLIENT, dosing.clone()).unwrap();
    dosing.pre_dose = Some(PreDose {
        checked_at: ts("2026-06-01T13:40:00+02:00"),
        hours_fasted: None,
        substances_today: Vec::new(),
        ride_home: Some("Aunt Marguerite".into()),
        notes: "Light breakfast of porridge.".into(),
    });
    dosing.monitoring = vec![Reading {
        at: ts("2026-06-01T14:30:00+02:00"),
        systolic: None,
        diastolic: None,
        heart_rate: None,
        spo2: None,
        sedation: None,
        dissociation_items: Vec::new(),
        note: "Humming quietly.".into(),
    }];
    dosing.discharge = Some(Discharge {
        at: ts("2026-06-01T16:30:00+02:00"),
        alert_and_oriented: Some(true),
        walking_steadily: Some(true),
        vitals_near_baseline: Some(true),
        left_with: Some("Cousin Bertrand".into()),
        notes: "Steady on the stairs.".into(),
    });
    dosing.adverse_events = vec![AdverseEvent {
        id: kapnotes::records::new_id(),
        at: ts("2026-06-01T14:20:00+02:00"),
        kind: AdverseEventKind::Nausea,
        severity: AdverseEventSeverity::Mild,
        action: Some("Offered peppermint lozenge.".into()),
    }];
    vault.update_session(dosing).unwrap();
    let dosing_cases = [
        ("porridge", "pre-dose notes"),
        ("marguerite", "ride home"),
        ("humming", "reading note"),
        ("stairs", "discharge notes"),
        ("bertrand", "left with"),
        ("peppermint", "adverse event action"),
    ];
    for (query, field) in dosing_cases {
        let hits = index.search(&vault, query, None).unwrap();
        assert!(
            hits.iter()
                .any(|h| h.record_id == dosing_id && h.field == field),
            "{query}: {hits:?}"
        );
    }
    for (query, kind, id, field) in cases {
        let hits = index.search(&vault, query, None).unwrap();
        assert!(
            hits.iter()
                .any(|h| h.kind == kind && h.record_id == id && h.field == field),
            "{query}: {hits:?}"
        );
    }
}

#[test]
fn all_words_must_match_and_results_follow_changes() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut index = SearchIndex::new();
    assert!(
        index
            .search(&vault, "planner zebra", None)
            .unwrap()
            .is_empty()
    );
    assert!(
        !index
            .search(&vault, "planner rest", None)
            .unwrap()
            .is_empty()
    );
    assert!(index.search(&vault, "   ", None).unwrap().is_empty());

    let mut part = vault.part(SCROLLING).unwrap();
    part.description = "Now also plays a zebra game.".into();
    vault.update_part(part).unwrap();
    let hits = index.search(&vault, "zebra", None).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record_id, SCROLLING);
}

#[test]
fn searches_one_client_or_the_whole_vault() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut index = SearchIndex::new();
    let mut other = ClientProfile::new("M.K.");
    other.notes = "Also feels stuck at work.".into();
    let other_id = other.id.clone();
    vault.create_client(other).unwrap();
    assert_eq!(
        index
            .search(&vault, "stuck", Some(&other_id))
            .unwrap()
            .len(),
        1
    );
    let everywhere = index.search(&vault, "stuck", None).unwrap();
    assert!(
        everywhere
            .iter()
            .any(|h| h.client_id == other_id && h.client_name == "M.K.")
    );
    assert!(everywhere.iter().any(|h| h.client_id == CLIENT));
}

#[test]
fn preparing_search_ahead_gives_the_same_results() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut index = SearchIndex::new();
    index.prepare(&vault).unwrap();
    let hits = index.search(&vault, "stuck", None).unwrap();
    assert!(
        hits.iter()
            .any(|h| h.record_id == CLIENT && h.field == "client notes")
    );
    // A change after preparing is still found.
    let mut part = vault.part(PLANNER).unwrap();
    part.burdens = "Carries the family's worry.".into();
    vault.update_part(part).unwrap();
    assert_eq!(
        index.search(&vault, "family's worry", None).unwrap().len(),
        1
    );
}

#[test]
fn finds_unburdening_steps_and_group_names() {
    let (_tv, mut vault) = TestVault::new();
    let mut index = SearchIndex::new();
    interchange::import(&mut vault, PARTS_OVER_TIME).unwrap();
    let cases = [
        (
            "empty kitchen",
            RecordKind::Part,
            LITTLE_ONE,
            "unburdening note",
        ),
        (
            "nobody will come",
            RecordKind::Part,
            LITTLE_ONE,
            "what was released",
        ),
        (
            "playfulness",
            RecordKind::Part,
            LITTLE_ONE,
            "qualities taken in",
        ),
        (
            "the protectors",
            RecordKind::Group,
            "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4eb1",
            "group name",
        ),
    ];
    for (query, kind, id, field) in cases {
        let hits = index.search(&vault, query, None).unwrap();
        assert!(
            hits.iter()
                .any(|h| h.kind == kind && h.record_id == id && h.field == field),
            "{query}: {hits:?}"
        );
    }
    // The history is not searched: the Critic, removed, is not found by its name.
    assert!(
        !index
            .search(&vault, "critic", None)
            .unwrap()
            .iter()
            .any(|h| h.field == "part name"),
    );
}

#[test]
fn an_index_never_answers_from_text_the_vault_no_longer_holds() {
    let (tv, mut vault) = TestVault::with_example();
    let mut index = SearchIndex::new();
    let mut other = ClientProfile::new("M.K.");
    other.notes = "Feels caught in a quagmire at work.".into();
    let other_id = other.id.clone();
    vault.create_client(other).unwrap();
    assert_eq!(index.search(&vault, "quagmire", None).unwrap().len(), 1);
    vault.delete_client(&other_id).unwrap();
    assert!(index.search(&vault, "quagmire", None).unwrap().is_empty());

    // The same index, kept past a lock, while another unlock changed the record: the
    // vault unlocked again says every client may have changed.
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(index.search(&vault, "zebra", None).unwrap().is_empty());
    drop(vault);
    let mut elsewhere = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    let mut part = elsewhere.part(SCROLLING).unwrap();
    part.description = "Now also plays a zebra game.".into();
    elsewhere.update_part(part).unwrap();
    drop(elsewhere);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(index.search(&vault, "zebra", None).unwrap().len(), 1);
}

/// Superseded and deleted words leave memory at the change, not at the next search: the
/// app calls `forget_stale` after every command that may write.
#[test]
fn a_change_forgets_the_superseded_text_at_once() {
    let (_tv, mut vault) = TestVault::with_example();
    let other = ClientProfile::new("M.K.");
    let other_id = other.id.clone();
    vault.create_client(other).unwrap();
    let mut index = SearchIndex::new();
    index.prepare(&vault).unwrap();
    assert!(index.holds_text_of(CLIENT) && index.holds_text_of(&other_id));

    index.forget_stale(&vault);
    assert!(
        index.holds_text_of(CLIENT) && index.holds_text_of(&other_id),
        "nothing changed, nothing forgotten"
    );

    let mut part = vault.part(PLANNER).unwrap();
    part.burdens = "Carries the family's worry.".into();
    vault.update_part(part).unwrap();
    index.forget_stale(&vault);
    assert!(
        !index.holds_text_of(CLIENT),
        "the changed client's text is gone"
    );
    assert!(index.holds_text_of(&other_id), "the others' text stays");

    vault.delete_client(&other_id).unwrap();
    index.forget_stale(&vault);
    assert!(
        !index.holds_text_of(&other_id),
        "a deleted client's text is gone"
    );
}
