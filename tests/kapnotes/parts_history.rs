//! Parts work over time (issue 11): the map's history written with every change (and
//! not with a drag or a fold), unburdening steps, groups, the map on a day, two days
//! compared, a part's story, the upgrade that starts every history, imports with and
//! without a history, and tampering with history rows.

use crate::common::*;
use kapnotes::records::*;
use kapnotes::{Access, ErrorKind, Vault};
use rusqlite::Connection;

fn versions(vault: &Vault) -> Vec<MapVersion> {
    vault
        .client(CLIENT)
        .unwrap()
        .map_history
        .expect("every client has a history")
        .versions
}

fn history_rows(path: &std::path::Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM map_history", [], |r| r.get(0))
        .unwrap()
}

fn verify_clean(vault: &Vault) {
    let report = vault.verify().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
}

fn step(kind: UnburdeningStepKind, on: &str, session: &str) -> UnburdeningStep {
    UnburdeningStep {
        id: new_id(),
        kind,
        on: date(on),
        session: session.into(),
        note: String::new(),
        released: None,
        released_to: None,
        qualities: None,
    }
}

fn group(name: &str, parts: &[&str]) -> PartGroup {
    PartGroup {
        id: new_id(),
        name: name.into(),
        parts: parts.iter().map(|p| p.to_string()).collect(),
        folded: false,
    }
}

// ----- the write path -----

#[test]
fn a_change_writes_a_version_and_a_drag_or_a_fold_writes_none() {
    let (tv, mut vault) = TestVault::with_example();
    // The import started the history with the map as found: 4 parts, 3 relationships,
    // 1 agreement, all at the start.
    let history = vault.client(CLIENT).unwrap().map_history.unwrap();
    assert_eq!(history.versions.len(), 8);
    assert!(history.versions.iter().all(|v| v.at == history.since));
    let rows = history_rows(&tv.path);

    // A drag: no version.
    let mut planner = vault.part(PLANNER).unwrap();
    planner.position = Some(Position {
        x: Number(-300.0),
        y: Number(10.0),
    });
    vault.update_part(planner.clone()).unwrap();
    assert_eq!(history_rows(&tv.path), rows, "a drag writes no version");
    assert_eq!(vault.part(PLANNER).unwrap().position, planner.position);

    // A status change: one version, the whole part as it is now.
    planner.status = PartStatus::Befriended;
    vault.update_part(planner.clone()).unwrap();
    let now = versions(&vault);
    assert_eq!(now.len(), 9);
    assert_eq!(now[8].record, VersionedRecord::Part(planner.clone()));

    // A group: one version; folding it: none; renaming it: one.
    let mut protectors = group("Protectors", &[PLANNER, SCROLLING]);
    vault.create_group(CLIENT, protectors.clone()).unwrap();
    assert_eq!(versions(&vault).len(), 10);
    protectors.folded = true;
    vault.update_group(protectors.clone()).unwrap();
    assert_eq!(versions(&vault).len(), 10, "a fold writes no version");
    assert!(vault.parts_map(CLIENT).unwrap().groups[0].folded);
    protectors.name = "The protectors".into();
    vault.update_group(protectors.clone()).unwrap();
    assert_eq!(versions(&vault).len(), 11);

    // A change to a session writes none.
    let mut session = vault.session(PREPARATION).unwrap();
    session.duration_minutes = Some(55);
    let _ = vault.update_session(session);
    assert_eq!(versions(&vault).len(), 11);

    // Deleting a part: its relationships and its place in the group go with it, each a
    // version, in the same transaction.
    let critic = Part::new("Critic", PartRole::Manager);
    vault.create_part(CLIENT, critic.clone()).unwrap();
    let mut with_critic = protectors.clone();
    with_critic.parts.push(critic.id.clone());
    vault.update_group(with_critic).unwrap();
    vault
        .create_relationship(
            CLIENT,
            Relationship {
                id: new_id(),
                from_part: critic.id.clone(),
                to_part: LITTLE_ONE.into(),
                kind: RelationshipKind::Protects,
                note: String::new(),
            },
        )
        .unwrap();
    let before = versions(&vault).len();
    vault.delete_part(&critic.id).unwrap();
    let after = versions(&vault);
    let written: Vec<_> = after[before..].iter().map(|v| v.record.key()).collect();
    assert_eq!(
        written,
        [
            (MapRecordKind::Part, critic.id.as_str()),
            (
                MapRecordKind::Relationship,
                after[before + 1].record.key().1
            ),
            (MapRecordKind::Group, protectors.id.as_str()),
        ]
        .iter()
        .map(|(k, id)| (*k, *id))
        .collect::<Vec<_>>()
    );
    assert!(matches!(after[before].record, VersionedRecord::Removed(_)));
    assert_eq!(
        vault.parts_map(CLIENT).unwrap().groups[0].parts,
        [PLANNER, SCROLLING]
    );
    // Every history row has its own audit entry with the hash of its sealed bytes.
    verify_clean(&vault);
    let trail = vault.audit_trail().unwrap();
    let recorded = trail
        .entries
        .iter()
        .filter(|e| {
            e.record_kind.as_deref() == Some("map history version")
                && e.content_sha256.is_some()
                && e.client_id.as_deref() == Some(CLIENT)
        })
        .count() as i64;
    assert_eq!(recorded, history_rows(&tv.path));
}

#[test]
fn a_refused_change_writes_no_version() {
    let (tv, mut vault) = TestVault::with_example();
    let rows = history_rows(&tv.path);
    let mut planner = vault.part(PLANNER).unwrap();
    planner.name = String::new();
    assert!(vault.update_part(planner).is_err());
    // A part in two groups is refused whole.
    vault
        .create_group(CLIENT, group("One", &[PLANNER]))
        .unwrap();
    let rows_with_group = history_rows(&tv.path);
    assert_eq!(rows_with_group, rows + 1);
    let err = vault
        .create_group(CLIENT, group("Two", &[PLANNER]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(err.to_string().contains("already in the group"), "{err}");
    let err = vault
        .create_group(CLIENT, group("Nobody", &[PREPARATION]))
        .unwrap_err();
    assert!(
        err.to_string().contains("not a part of this client"),
        "{err}"
    );
    assert_eq!(history_rows(&tv.path), rows_with_group);
    assert_eq!(vault.parts_map(CLIENT).unwrap().groups.len(), 1);
}

#[test]
fn a_new_client_starts_its_history_at_creation_and_deleting_it_takes_the_history() {
    let (tv, mut vault) = TestVault::with_example();
    let profile = ClientProfile::new("A.B.");
    let id = profile.id.clone();
    vault.create_client(profile).unwrap();
    let map = vault.parts_map(&id).unwrap();
    let history = vault.client(&id).unwrap().map_history.unwrap();
    assert_eq!(map.history_since, Some(history.since.clone()));
    assert!(history.versions.is_empty());
    vault
        .create_part(&id, Part::new("Guard", PartRole::Manager))
        .unwrap();
    assert_eq!(
        vault
            .client(&id)
            .unwrap()
            .map_history
            .unwrap()
            .versions
            .len(),
        1
    );
    let before = history_rows(&tv.path);
    vault.delete_client(&id).unwrap();
    assert_eq!(history_rows(&tv.path), before - 2);
    verify_clean(&vault);
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(
        vault.trail_problems().is_empty(),
        "{:?}",
        vault.trail_problems()
    );
}

// ----- unburdening -----

#[test]
fn recording_the_unburdening_step_sets_the_status_which_stays_editable() {
    let (_tv, mut vault) = TestVault::with_example();
    let witnessing = step(UnburdeningStepKind::Witnessing, "2026-04-30", DOSING);
    let part = vault
        .record_unburdening_step(LITTLE_ONE, witnessing.clone())
        .unwrap();
    assert_eq!(
        part.status,
        PartStatus::Unmet,
        "witnessing leaves the status"
    );
    let mut unburdening = step(UnburdeningStepKind::Unburdening, "2026-05-04", INTEGRATION);
    unburdening.released = Some("the belief that nobody will come".into());
    unburdening.released_to = Some(Element::Light);
    let part = vault
        .record_unburdening_step(LITTLE_ONE, unburdening.clone())
        .unwrap();
    assert_eq!(part.status, PartStatus::Unburdened);
    assert_eq!(part.unburdening, [witnessing.clone(), unburdening.clone()]);
    assert_eq!(vault.part(LITTLE_ONE).unwrap(), part);

    // The clinician sets the status back; saving the same step again keeps it.
    let mut edited = part.clone();
    edited.status = PartStatus::Befriended;
    vault.update_part(edited).unwrap();
    let part = vault
        .record_unburdening_step(LITTLE_ONE, unburdening.clone())
        .unwrap();
    assert_eq!(part.status, PartStatus::Befriended);
    // Changing the step sets it again; the step is replaced where it was.
    unburdening.note = "Released to the light of the window.".into();
    let part = vault
        .record_unburdening_step(LITTLE_ONE, unburdening.clone())
        .unwrap();
    assert_eq!(part.status, PartStatus::Unburdened);
    assert_eq!(part.unburdening[1], unburdening);

    // Deleting a step leaves the status.
    let part = vault
        .delete_unburdening_step(LITTLE_ONE, &unburdening.id)
        .unwrap();
    assert_eq!(part.unburdening, std::slice::from_ref(&witnessing));
    assert_eq!(part.status, PartStatus::Unburdened);
    let err = vault
        .delete_unburdening_step(LITTLE_ONE, &unburdening.id)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn an_unburdening_step_must_name_a_session_and_keep_its_fields_to_its_kind() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut nowhere = step(UnburdeningStepKind::Witnessing, "2026-04-30", PLANNER);
    let err = vault
        .record_unburdening_step(LITTLE_ONE, nowhere.clone())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.to_string().contains("/parts/3/unburdening/0/session"),
        "{err}"
    );
    nowhere.session = DOSING.into();
    nowhere.released_to = Some(Element::Water);
    let err = vault
        .record_unburdening_step(LITTLE_ONE, nowhere.clone())
        .unwrap_err();
    assert!(err.to_string().contains("released_to"), "{err}");
    nowhere.released_to = None;
    nowhere.qualities = Some("calm".into());
    let err = vault
        .record_unburdening_step(LITTLE_ONE, nowhere)
        .unwrap_err();
    assert!(err.to_string().contains("qualities"), "{err}");
    assert!(vault.part(LITTLE_ONE).unwrap().unburdening.is_empty());
}

#[test]
fn a_session_a_step_names_cannot_be_deleted() {
    let (_tv, mut vault) = TestVault::with_example();
    let session = Session::new(SessionKind::Therapy, ts("2026-05-10T10:00:00+00:00"));
    let id = session.id.clone();
    vault.create_session(CLIENT, session).unwrap();
    vault
        .record_unburdening_step(
            LITTLE_ONE,
            step(UnburdeningStepKind::Witnessing, "2026-05-10", &id),
        )
        .unwrap();
    let err = vault.delete_session(&id).unwrap_err();
    assert!(
        err.to_string().contains("a step of a part's unburdening"),
        "{err}"
    );
    assert!(vault.session(&id).is_ok());
}

// ----- the upgrade that starts every history -----

fn fixture_copy(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(name);
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/vaults")
            .join(name),
        &copy,
    )
    .unwrap();
    (dir, copy)
}

fn user_version(path: &std::path::Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn every_committed_vault_opens_with_a_history_that_starts_at_its_upgrade() {
    for name in [
        "format-1.kapnotes",
        "format-2.kapnotes",
        "format-3.kapnotes",
    ] {
        let (_dir, copy) = fixture_copy(name);
        let before = Timestamp::now();
        let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
        assert!(
            vault.trail_problems().is_empty(),
            "{name}: {:?}",
            vault.trail_problems()
        );
        verify_clean(&vault);
        assert_eq!(user_version(&copy), 4, "{name}");
        let client = vault.client(CLIENT).unwrap();
        let history = client.map_history.clone().unwrap();
        assert!(history.since >= before, "{name}: starts at the upgrade");
        // A baseline version of each part, relationship and agreement, at the start.
        assert_eq!(
            history.versions.len(),
            client.parts.len() + client.relationships.len() + client.agreements.len(),
            "{name}"
        );
        assert!(history.versions.iter().all(|v| v.at == history.since));
        // The map of the day before the upgrade is not known.
        let yesterday = Date(history.since.local_date().pred_opt().unwrap());
        let then = vault.map_on(CLIENT, yesterday).unwrap();
        assert!(then.before_history && then.parts.is_empty(), "{name}");
        let today = vault
            .map_on(CLIENT, Date(history.since.local_date()))
            .unwrap();
        assert_eq!(today.parts, client.parts, "{name}");
        // A v1 export still exports as before: the baseline is not exported.
        let exported = export_value(&vault);
        assert!(
            exported["clients"][0].get("map_history").is_none(),
            "{name}"
        );
        drop(vault);
        // Opening again starts nothing twice.
        let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
        assert_eq!(vault.client(CLIENT).unwrap().map_history.unwrap(), history);
        verify_clean(&vault);
    }
}

#[test]
fn the_format_3_vault_of_today_keeps_its_records_and_trail_through_the_upgrade() {
    let (_dir, copy) = fixture_copy("format-3.kapnotes");
    let old_trail_length: i64 = Connection::open(&copy)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM audit_entries", [], |r| r.get(0))
        .unwrap();
    let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
    let trail = vault.audit_trail().unwrap();
    let upgraded = &trail.entries[old_trail_length as usize];
    assert_eq!(upgraded.action, kapnotes::vault::AuditAction::Upgraded);
    assert_eq!(
        upgraded.detail.as_deref(),
        Some("from format 3 to format 4")
    );
    let client = vault.client(CLIENT).unwrap();
    assert_eq!(
        client.parts.len(),
        5,
        "the Critic added in format 3 is there"
    );
    assert_eq!(vault.part(PLANNER).unwrap().status, PartStatus::Befriended);
    drop(vault);
    // The recovery key still opens it.
    let key = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/vaults/format-3.recovery-key.txt"),
    )
    .unwrap();
    Vault::unlock_with_recovery_key(&copy, key.trim(), Access::ReadOnly).unwrap();
}

#[test]
fn a_format_3_vault_with_a_damaged_trail_is_not_upgraded() {
    let (_dir, copy) = fixture_copy("format-3.kapnotes");
    // A part rolled back behind kapnotes' back: its row no longer matches the trail.
    Connection::open(&copy)
        .unwrap()
        .execute("DELETE FROM parts WHERE id = ?1", [LITTLE_ONE])
        .unwrap();
    let mut vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
    assert!(!vault.trail_problems().is_empty());
    assert!(vault.set_client_archived(CLIENT, true).is_err());
    assert!(vault.client(CLIENT).unwrap().map_history.is_none());
    assert!(!vault.verify().unwrap().is_clean());
    drop(vault);
    assert_eq!(user_version(&copy), 3, "left as it was");
}
