//! Parts work over time (issue 11): the map's history written with every change (and
//! not with a drag or a fold), unburdening steps, groups, the map on a day, two days
//! compared, a part's story, the upgrade that starts every history, imports with and
//! without a history, and tampering with history rows.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::parts_history::{MapChangeKind, StoryKind};
use kapnotes::records::*;
use kapnotes::{Access, ErrorKind, ExportScope, Vault};
use rusqlite::Connection;
use serde_json::{Value, json};

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
fn parts_placed_together_change_only_their_positions_in_one_write() {
    let (tv, mut vault) = TestVault::with_example();
    let rows = history_rows(&tv.path);
    let entries = vault.audit_trail().unwrap().entries.len();
    // The clinician renamed the Planner; the map, holding an older copy, places it and
    // another part: the rename stays.
    let mut planner = vault.part(PLANNER).unwrap();
    planner.name = "The Organiser".into();
    vault.update_part(planner).unwrap();
    let at = |x: f64| Position {
        x: Number(x),
        y: Number(5.0),
    };
    vault
        .set_part_positions(
            CLIENT,
            &[
                PartPosition {
                    part: PLANNER.into(),
                    position: at(-250.0),
                },
                PartPosition {
                    part: SCROLLING.into(),
                    position: at(250.0),
                },
            ],
        )
        .unwrap();
    let planner = vault.part(PLANNER).unwrap();
    assert_eq!(planner.name, "The Organiser");
    assert_eq!(planner.position, Some(at(-250.0)));
    assert_eq!(vault.part(SCROLLING).unwrap().position, Some(at(250.0)));
    // The rename wrote its version; the placing none.
    assert_eq!(history_rows(&tv.path), rows + 1);
    // One entry for the rename's part and its version, one per part placed.
    assert_eq!(vault.audit_trail().unwrap().entries.len(), entries + 4);
    // A part that is not this client's is refused, and nothing is placed.
    let refused = vault
        .set_part_positions(
            CLIENT,
            &[
                PartPosition {
                    part: PLANNER.into(),
                    position: at(0.0),
                },
                PartPosition {
                    part: new_id(),
                    position: at(0.0),
                },
            ],
        )
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::NotFound);
    assert_eq!(vault.part(PLANNER).unwrap().position, Some(at(-250.0)));
}

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
        assert_eq!(user_version(&copy), 6, "{name}");
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
        Some("from format 3 to format 6")
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
    // Still readable, the map included: with no history, only today is known.
    assert_eq!(vault.parts_map(CLIENT).unwrap().history_since, None);
    let today = Date(Timestamp::now().local_date());
    let map = vault.map_on(CLIENT, today).unwrap();
    assert!(!map.before_history);
    assert_eq!(map.parts, vault.client(CLIENT).unwrap().parts);
    assert!(
        vault
            .map_on(CLIENT, date("2026-01-01"))
            .unwrap()
            .before_history
    );
    assert!(vault.part_story(PLANNER).unwrap().history_since.is_none());
    assert!(interchange::export(&vault, &ExportScope::Everything).is_ok());
    assert!(!vault.verify().unwrap().is_clean());
    drop(vault);
    assert_eq!(user_version(&copy), 3, "left as it was");
}

// ----- the interchange -----

/// A change made to a document before it is imported.
type DocumentEdit = Box<dyn Fn(&mut Value)>;

fn over_time() -> Value {
    serde_json::from_str(PARTS_OVER_TIME).unwrap()
}

fn exported_text(vault: &Vault, scope: &ExportScope) -> String {
    interchange::export(vault, scope)
        .unwrap()
        .to_canonical_json()
        .unwrap()
}

/// The export with its `exported_at` set to the fixture's, to compare bytes.
fn as_of_fixture(text: &str) -> String {
    let at = |t: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with("\"exported_at\""))
            .unwrap()
            .to_owned()
    };
    text.replacen(&at(text), &at(PARTS_OVER_TIME), 1)
}

#[test]
fn a_document_with_groups_steps_and_a_history_exports_byte_for_byte_unchanged() {
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, PARTS_OVER_TIME).unwrap();
    let exported = exported_text(&vault, &ExportScope::Everything);
    assert_eq!(as_of_fixture(&exported), PARTS_OVER_TIME);
    // And again through a second vault.
    let (_tv2, mut again) = TestVault::new();
    interchange::import(&mut again, &exported).unwrap();
    assert_eq!(
        as_of_fixture(&exported_text(&again, &ExportScope::Everything)),
        PARTS_OVER_TIME
    );
    verify_clean(&again);
}

#[test]
fn an_import_without_a_history_starts_one_and_exports_as_it_came() {
    let (_tv, mut vault) = TestVault::new();
    let before = Timestamp::now();
    interchange::import(&mut vault, EXAMPLE).unwrap();
    let history = vault.client(CLIENT).unwrap().map_history.unwrap();
    assert!(history.since >= before);
    assert_eq!(history.versions.len(), 8);
    // Not exported until it holds a change.
    let exported = export_value(&vault);
    assert!(exported["clients"][0].get("map_history").is_none());
    let mut planner = vault.part(PLANNER).unwrap();
    planner.status = PartStatus::Befriended;
    vault.update_part(planner).unwrap();
    let exported = export_value(&vault);
    let versions = exported["clients"][0]["map_history"]["versions"]
        .as_array()
        .unwrap();
    assert_eq!(versions.len(), 9);
    assert_eq!(versions[8]["part"]["status"], "befriended");
}

#[test]
fn an_imported_history_that_ends_elsewhere_than_its_map_is_caught_up_at_the_import() {
    let mut doc = over_time();
    // The document's map says the Planner is befriended and has a new name; the history
    // ends with it getting to know, under its old name.
    let planner = &mut doc["clients"][0]["parts"][1];
    planner["status"] = json!("befriended");
    planner["name"] = json!("The Organizer");
    // And the group holds one part more than its last version, and is folded (layout).
    doc["clients"][0]["groups"][0]["parts"]
        .as_array_mut()
        .unwrap()
        .push(json!(LITTLE_ONE));
    let given = doc["clients"][0]["map_history"]["versions"]
        .as_array()
        .unwrap()
        .len();
    let (_tv, mut vault) = TestVault::new();
    let before = Timestamp::now();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    let history = vault.client(CLIENT).unwrap().map_history.unwrap();
    assert_eq!(
        history.since,
        ts("2026-04-20T10:00:00+00:00"),
        "kept as given"
    );
    assert_eq!(history.versions.len(), given + 2);
    let added = &history.versions[given..];
    assert!(added.iter().all(|v| v.at >= before), "at the import");
    assert!(
        matches!(&added[0].record, VersionedRecord::Part(p) if p.id == PLANNER && p.name == "The Organizer")
    );
    assert!(matches!(&added[1].record, VersionedRecord::Group(g) if g.parts.len() == 3));
    // So the last state of the history is the map.
    let today = Date(Timestamp::now().local_date());
    let map = vault.map_on(CLIENT, today).unwrap();
    assert_eq!(map.parts, vault.client(CLIENT).unwrap().parts);
    verify_clean(&vault);
}

#[test]
fn a_history_out_of_order_or_before_its_start_is_refused_whole() {
    let cases: Vec<(&str, DocumentEdit, &str)> = vec![
        (
            "out of order",
            Box::new(|v| {
                v["versions"][8]["at"] = json!("2026-04-22T12:00:00+00:00");
            }),
            "/clients/0/map_history/versions/8/at",
        ),
        (
            "before its start",
            Box::new(|v| v["versions"][0]["at"] = json!("2026-04-20T07:59:59+00:00")),
            "/clients/0/map_history/versions/0/at",
        ),
        (
            "two records in one version",
            Box::new(|v| v["versions"][0]["removed"] = json!({"kind": "part", "id": PLANNER})),
            "/clients/0/map_history/versions/0",
        ),
        (
            "a version without a record",
            Box::new(|v| {
                v["versions"][0].as_object_mut().unwrap().remove("part");
            }),
            "/clients/0/map_history/versions/0",
        ),
        (
            "a part without its name",
            Box::new(|v| {
                v["versions"][0]["part"]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            }),
            "/clients/0/map_history/versions/0/part",
        ),
        (
            "a removal of an unknown kind",
            Box::new(|v| v["versions"][12]["removed"]["kind"] = json!("session")),
            "/clients/0/map_history/versions/12/removed/kind",
        ),
        (
            "released on a witnessing step",
            Box::new(|v| v["versions"][11]["part"]["unburdening"][0]["released"] = json!("x")),
            "/clients/0/map_history/versions/11/part/unburdening/0/released",
        ),
    ];
    for (what, edit, path) in cases {
        let mut doc = over_time();
        edit(&mut doc["clients"][0]["map_history"]);
        let (tv, mut vault) = TestVault::new();
        let err = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Rejected, "{what}: {err}");
        let kapnotes::Error::Rejected(rejection) = &err else {
            unreachable!()
        };
        assert!(
            rejection.path.starts_with(path),
            "{what}: {} ({})",
            rejection.path,
            rejection.rule
        );
        assert!(vault.list_clients().unwrap().is_empty(), "{what}");
        assert_eq!(history_rows(&tv.path), 0, "{what}");
    }
}

#[test]
fn groups_and_steps_in_a_document_follow_the_rules() {
    let cases: Vec<(&str, DocumentEdit, &str, &str)> = vec![
        (
            "a part in two groups",
            Box::new(|c| {
                c["groups"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": new_id(), "name": "Again", "parts": [PLANNER]}))
            }),
            "/clients/0/groups/1/parts/0",
            "already in the group",
        ),
        (
            "a group naming a session",
            Box::new(|c| c["groups"][0]["parts"][0] = json!(DOSING)),
            "/clients/0/groups/0/parts/0",
            "not a part of this client",
        ),
        (
            "a step in another client's session",
            Box::new(|c| c["parts"][3]["unburdening"][0]["session"] = json!(new_id())),
            "/clients/0/parts/3/unburdening/0/session",
            "not a session of this client",
        ),
        (
            "qualities on an unburdening step",
            Box::new(|c| c["parts"][3]["unburdening"][2]["qualities"] = json!("calm")),
            "/clients/0/parts/3/unburdening/2/qualities",
            "invitation",
        ),
        (
            "an element on a retrieval",
            Box::new(|c| c["parts"][3]["unburdening"][1]["released_to"] = json!("fire")),
            "/clients/0/parts/3/unburdening/1/released_to",
            "unburdening",
        ),
        (
            "a step id used twice",
            Box::new(|c| {
                let id = c["parts"][3]["unburdening"][0]["id"].clone();
                c["parts"][3]["unburdening"][1]["id"] = id;
            }),
            "/clients/0/parts/3/unburdening/1/id",
            "used twice",
        ),
        (
            "an unknown element",
            Box::new(|c| c["parts"][3]["unburdening"][2]["released_to"] = json!("ether")),
            "/clients/0/parts/3/unburdening/2/released_to",
            "",
        ),
    ];
    for (what, edit, path, rule) in cases {
        let mut doc = over_time();
        edit(&mut doc["clients"][0]);
        let (_tv, mut vault) = TestVault::new();
        let err = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
        let kapnotes::Error::Rejected(rejection) = &err else {
            panic!("{what}: {err}")
        };
        assert_eq!(rejection.path, path, "{what}: {}", rejection.rule);
        assert!(rejection.rule.contains(rule), "{what}: {}", rejection.rule);
        assert!(vault.list_clients().unwrap().is_empty(), "{what}");
    }
}

#[test]
fn a_records_request_keeps_the_history_and_leaves_out_steps_of_psychotherapy_notes() {
    let mut doc = over_time();
    // The integration session (where the unburdening happened) is a psychotherapy note.
    doc["clients"][0]["sessions"][2]["psychotherapy_note"] = json!(true);
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    let request = ExportScope::Client {
        id: CLIENT.into(),
        include_psychotherapy_notes: false,
    };
    let exported: Value = serde_json::from_str(&exported_text(&vault, &request)).unwrap();
    let client = &exported["clients"][0];
    let kinds: Vec<&str> = client["parts"][3]["unburdening"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["witnessing", "retrieval"]);
    let history = client["map_history"]["versions"].as_array().unwrap();
    assert_eq!(history.len(), 14);
    assert!(
        !serde_json::to_string(history)
            .unwrap()
            .contains(INTEGRATION)
    );
    // It imports as it is.
    let (_tv2, mut other) = TestVault::new();
    interchange::import(&mut other, &serde_json::to_string(&exported).unwrap()).unwrap();
    // With the notes asked for, everything.
    let all = ExportScope::Client {
        id: CLIENT.into(),
        include_psychotherapy_notes: true,
    };
    let exported: Value = serde_json::from_str(&exported_text(&vault, &all)).unwrap();
    assert_eq!(
        exported["clients"][0]["parts"][3]["unburdening"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

// ----- the map on a day, two days compared, a part's story -----

const CRITIC: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e14";
const PROTECTORS_GROUP: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4eb1";

fn over_time_vault() -> (TestVault, Vault) {
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, PARTS_OVER_TIME).unwrap();
    (tv, vault)
}

fn names(parts: &[Part]) -> Vec<(&str, PartStatus)> {
    parts.iter().map(|p| (p.name.as_str(), p.status)).collect()
}

#[test]
fn the_map_on_a_day_is_the_map_at_the_end_of_that_day() {
    let (_tv, mut vault) = over_time_vault();
    // Dragged today (no version): earlier days show it where it is now.
    let mut moved = vault.part(LITTLE_ONE).unwrap();
    moved.position = Some(Position {
        x: Number(500.0),
        y: Number(-500.0),
    });
    vault.update_part(moved).unwrap();
    let before = vault.map_on(CLIENT, date("2026-04-19")).unwrap();
    assert!(before.before_history);
    assert_eq!(before.history_since, ts("2026-04-20T10:00:00+00:00"));
    assert!(before.parts.is_empty() && before.relationships.is_empty());

    use PartStatus::*;
    let first = vault.map_on(CLIENT, date("2026-04-20")).unwrap();
    assert!(!first.before_history);
    assert_eq!(
        names(&first.parts),
        [
            ("Self", Befriended),
            ("The Planner", GettingToKnow),
            ("Scrolling part", Unmet),
            ("Little one", Unmet)
        ]
    );
    assert_eq!(first.relationships.len(), 2);
    assert!(first.agreements.is_empty() && first.groups.is_empty());

    let prepared = vault.map_on(CLIENT, date("2026-04-23")).unwrap();
    assert_eq!(prepared.parts.len(), 5);
    let critic = prepared.parts.iter().find(|p| p.id == CRITIC).unwrap();
    // Removed since: its last position.
    assert_eq!(
        critic.position,
        Some(Position {
            x: Number(200.0),
            y: Number(40.0)
        })
    );
    assert_eq!(prepared.agreements.len(), 1);

    let dosed = vault.map_on(CLIENT, date("2026-04-30")).unwrap();
    let little = dosed.parts.iter().find(|p| p.id == LITTLE_ONE).unwrap();
    assert_eq!(
        (little.name.as_str(), little.status),
        ("Little one", GettingToKnow)
    );
    assert_eq!(little.unburdening.len(), 2);
    // Today's position, not the one the version was written with.
    let today = vault.part(LITTLE_ONE).unwrap();
    assert_eq!(little.position, today.position);
    assert_eq!(dosed.relationships.len(), 3);

    // The last changes were saved at 17:30 on 4 May in their own offset (+02:00), which
    // is 15:30 UTC: they count on 4 May.
    let unburdened = vault.map_on(CLIENT, date("2026-05-04")).unwrap();
    assert!(unburdened.parts.iter().all(|p| p.id != CRITIC));
    let little = unburdened
        .parts
        .iter()
        .find(|p| p.id == LITTLE_ONE)
        .unwrap();
    assert_eq!(
        (little.name.as_str(), little.status),
        ("Lantern Keeper", Unburdened)
    );
    assert_eq!(unburdened.groups.len(), 1);
    assert!(unburdened.groups[0].folded, "groups carry today's folding");
    let client = vault.client(CLIENT).unwrap();
    assert_eq!(unburdened.parts, client.parts);
    assert_eq!(unburdened.groups, client.groups);
}

#[test]
fn two_days_compared_say_what_changed_in_one_sentence_each() {
    let (_tv, vault) = over_time_vault();
    let comparison = vault
        .compare_maps(CLIENT, date("2026-04-22"), date("2026-05-05"))
        .unwrap();
    assert_eq!(comparison.from.date, date("2026-04-22"));
    let said: Vec<(MapChangeKind, &str)> = comparison
        .changes
        .iter()
        .map(|c| (c.kind, c.words.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (
                MapChangeKind::PartChanged,
                "Scrolling part (firefighter): status not yet met → getting to know."
            ),
            (
                MapChangeKind::PartChanged,
                "Lantern Keeper (exile): renamed from “Little one”; status not yet met → unburdened; 4 unburdening steps recorded."
            ),
            (
                MapChangeKind::RelationshipAdded,
                "Scrolling part now protects Lantern Keeper."
            ),
            (
                MapChangeKind::GroupAdded,
                "New group “The protectors” with 2 parts."
            ),
        ]
    );
    assert_eq!(comparison.changes[1].part.as_deref(), Some(LITTLE_ONE));
    assert_eq!(
        comparison.changes[3].group.as_deref(),
        Some(PROTECTORS_GROUP)
    );
    // The Critic came and went between the two days: not a change between them. Across
    // the day it went, it is.
    let went = vault
        .compare_maps(CLIENT, date("2026-04-30"), date("2026-05-04"))
        .unwrap();
    assert!(
        went.changes
            .iter()
            .any(|c| c.kind == MapChangeKind::PartRemoved
                && c.part.as_deref() == Some(CRITIC)
                && c.words == "Critic (manager) was removed.")
    );
    let came = vault
        .compare_maps(CLIENT, date("2026-04-20"), date("2026-04-23"))
        .unwrap();
    assert!(came.changes.iter().any(|c| c.kind == MapChangeKind::PartAdded
        && c.words == "Critic (manager) was added."));
    // From before the history: everything is new, and the day before says so.
    let from_nothing = vault
        .compare_maps(CLIENT, date("2026-01-01"), date("2026-04-20"))
        .unwrap();
    assert!(from_nothing.from.before_history);
    assert_eq!(from_nothing.changes.len(), 4 + 2);
    // The same day twice: nothing.
    let same = vault
        .compare_maps(CLIENT, date("2026-05-05"), date("2026-05-05"))
        .unwrap();
    assert!(same.changes.is_empty());
}

#[test]
fn relationship_and_group_changes_are_worded_too() {
    let (_tv, mut vault) = over_time_vault();
    let mut polarized = vault.client(CLIENT).unwrap().relationships[2].clone();
    assert_eq!(polarized.kind, RelationshipKind::Polarized);
    polarized.kind = RelationshipKind::Allied;
    vault.update_relationship(polarized.clone()).unwrap();
    let mut protectors = vault.parts_map(CLIENT).unwrap().groups[0].clone();
    protectors.parts.retain(|p| p != SCROLLING);
    protectors.name = "Planners".into();
    vault.update_group(protectors).unwrap();
    vault
        .delete_relationship("5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e20")
        .unwrap();
    let today = Date(Timestamp::now().local_date());
    let comparison = vault
        .compare_maps(CLIENT, date("2026-05-05"), today)
        .unwrap();
    let words: Vec<&str> = comparison
        .changes
        .iter()
        .map(|c| c.words.as_str())
        .collect();
    assert_eq!(
        words,
        [
            "The Planner and Scrolling part: polarized → allied.",
            "The Planner no longer protects Lantern Keeper.",
            "Group “Planners”: renamed from “The protectors”; Scrolling part left.",
        ]
    );
}

#[test]
fn a_part_s_story_lists_its_sessions_steps_agreements_and_changes_newest_first() {
    let (_tv, vault) = over_time_vault();
    let story = vault.part_story(LITTLE_ONE).unwrap();
    assert_eq!(story.client_id, CLIENT);
    assert_eq!(story.part.name, "Lantern Keeper");
    assert_eq!(story.history_since, Some(ts("2026-04-20T10:00:00+00:00")));
    let told: Vec<(String, StoryKind, &str)> = story
        .entries
        .iter()
        .map(|e| (e.on.to_string(), e.kind, e.words.as_str()))
        .collect();
    use StoryKind::*;
    let expected: Vec<(&str, StoryKind, &str)> = vec![
        (
            "2026-05-04",
            Integration,
            "Encountered in integration (integration session).",
        ),
        (
            "2026-05-04",
            UnburdeningStep,
            "The unburdening: released “The belief that nobody will come” to light.",
        ),
        (
            "2026-05-04",
            UnburdeningStep,
            "The invitation: took in “Playfulness, being expected”.",
        ),
        (
            "2026-05-04",
            Renamed,
            "Renamed from “Little one” to “Lantern Keeper”.",
        ),
        (
            "2026-05-04",
            StatusChanged,
            "Status getting to know → unburdened.",
        ),
        (
            "2026-04-30",
            RelationshipGained,
            "Protected by Scrolling part.",
        ),
        (
            "2026-04-30",
            StatusChanged,
            "Status not yet met → getting to know.",
        ),
        (
            "2026-04-30",
            Journey,
            "Present during the journey of the dosing session.",
        ),
        (
            "2026-04-30",
            UnburdeningStep,
            "Witnessing. Showed the empty kitchen after school.",
        ),
        (
            "2026-04-30",
            UnburdeningStep,
            "The retrieval. Brought to the garden with the client's adult self.",
        ),
        (
            "2026-04-20",
            FirstRecorded,
            "On the map as exile when its history began.",
        ),
        (
            "2026-04-20",
            RelationshipGained,
            "Protected by The Planner.",
        ),
    ];
    assert_eq!(
        told,
        expected
            .into_iter()
            .map(|(on, kind, words)| (on.to_owned(), kind, words))
            .collect::<Vec<_>>()
    );
    let step = story
        .entries
        .iter()
        .find(|e| e.kind == UnburdeningStep)
        .unwrap();
    assert_eq!(step.session.as_deref(), Some(INTEGRATION));
    assert_eq!(step.session_kind, Some(SessionKind::Integration));

    // A protector: its check-in answer, its intentions, its agreement, its group.
    let planner = vault.part_story(PLANNER).unwrap();
    let check_in = planner.entries.iter().find(|e| e.kind == CheckIn).unwrap();
    assert_eq!(check_in.signal, Some(Signal::Yellow));
    assert_eq!(check_in.session.as_deref(), Some(DOSING));
    assert!(
        check_in
            .words
            .starts_with("Answered the check-in of the dosing session: yellow")
    );
    let agreement = planner
        .entries
        .iter()
        .find(|e| e.kind == Agreement)
        .unwrap();
    assert_eq!(agreement.on, date("2026-04-23"));
    assert_eq!(
        agreement.agreement.as_deref(),
        Some("5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e30")
    );
    assert_eq!(
        planner
            .entries
            .iter()
            .filter(|e| e.kind == Intention)
            .count(),
        2
    );
    assert!(planner.entries.iter().any(|e| e.kind == GroupChanged
        && e.words == "Joined the group “The protectors”."
        && e.on == date("2026-05-04")));
    assert!(
        planner.entries.windows(2).all(|w| w[0].on >= w[1].on),
        "newest first"
    );
    // A part that is not there.
    assert_eq!(
        vault.part_story(CRITIC).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn the_story_follows_role_changes_and_lost_relationships_as_they_are_saved() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut scrolling = vault.part(SCROLLING).unwrap();
    scrolling.role = PartRole::Manager;
    vault.update_part(scrolling).unwrap();
    vault
        .delete_relationship("5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e22")
        .unwrap();
    let story = vault.part_story(SCROLLING).unwrap();
    let today = Date(Timestamp::now().local_date());
    let newest: Vec<(StoryKind, &str)> = story
        .entries
        .iter()
        .filter(|e| e.on == today)
        .map(|e| (e.kind, e.words.as_str()))
        .collect();
    assert!(newest.contains(&(StoryKind::RoleChanged, "Role firefighter → manager.")));
    assert!(newest.contains(&(
        StoryKind::RelationshipLost,
        "No longer polarized with The Planner."
    )));
}

// ----- tampering with the history -----

#[test]
fn a_history_row_altered_removed_or_put_back_is_caught() {
    type Edit = Box<dyn Fn(&Connection, &[(String, Vec<u8>)])>;
    // Unlock compares every row's sealed bytes with the trail; a row whose plaintext
    // columns were edited (bytes unchanged) does not open, which `verify` and every read
    // of the history report.
    let edits: Vec<(&str, Edit)> = vec![
        (
            "a byte flipped",
            Box::new(|c, rows| {
                let (id, sealed) = &rows[3];
                let mut bad = sealed.clone();
                let at = bad.len() / 2;
                bad[at] ^= 1;
                c.execute(
                    "UPDATE map_history SET sealed = ?1 WHERE id = ?2",
                    rusqlite::params![bad, id],
                )
                .unwrap();
            }),
        ),
        (
            "the newest version deleted",
            Box::new(|c, rows| {
                c.execute(
                    "DELETE FROM map_history WHERE id = ?1",
                    [&rows[rows.len() - 1].0],
                )
                .unwrap();
            }),
        ),
        (
            "the start deleted",
            Box::new(|c, rows| {
                c.execute("DELETE FROM map_history WHERE id = ?1", [&rows[0].0])
                    .unwrap();
            }),
        ),
        (
            "two versions swapped",
            Box::new(|c, rows| {
                let (a, b) = (&rows[1], &rows[2]);
                for (id, sealed) in [(&a.0, &b.1), (&b.0, &a.1)] {
                    c.execute(
                        "UPDATE map_history SET sealed = ?1 WHERE id = ?2",
                        rusqlite::params![sealed, id],
                    )
                    .unwrap();
                }
            }),
        ),
        (
            "a version moved to the end",
            Box::new(|c, rows| {
                c.execute(
                    "UPDATE map_history SET creation_order = 1000 WHERE id = ?1",
                    [&rows[1].0],
                )
                .unwrap();
            }),
        ),
        (
            "a version of another vault copied in",
            Box::new(|c, _| {
                let (_other, other_vault) = TestVault::with_example();
                let path = other_vault.path().to_owned();
                drop(other_vault);
                let other = Connection::open(&path).unwrap();
                let (id, client, sealed): (String, String, Vec<u8>) = other
                    .query_row(
                        "SELECT id, client_id, sealed FROM map_history ORDER BY creation_order DESC LIMIT 1",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .unwrap();
                c.execute(
                    "INSERT INTO map_history (id, client_id, creation_order, revision, sealed) VALUES (?1, ?2, 999, 1, ?3)",
                    rusqlite::params![id, client, sealed],
                )
                .unwrap();
            }),
        ),
    ];
    for (what, edit) in edits {
        let (tv, mut vault) = TestVault::with_example();
        let mut planner = vault.part(PLANNER).unwrap();
        planner.status = PartStatus::Befriended;
        vault.update_part(planner).unwrap();
        drop(vault);
        let conn = Connection::open(&tv.path).unwrap();
        let rows: Vec<(String, Vec<u8>)> = conn
            .prepare("SELECT id, sealed FROM map_history ORDER BY creation_order")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        edit(&conn, &rows);
        drop(conn);
        let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
        let report = vault.verify().unwrap();
        assert!(!report.is_clean(), "{what}: caught by verify");
        if what == "a byte flipped" || what == "a version moved to the end" {
            // Named as the row that does not open.
            let row = if what == "a byte flipped" {
                &rows[3].0
            } else {
                &rows[1].0
            };
            assert!(
                report
                    .problems
                    .iter()
                    .any(|p| p.record.as_deref() == Some(format!("map_history/{row}").as_str())),
                "{what}: {:?}",
                report.problems
            );
        }
        if what == "a version moved to the end" {
            let err = vault.client(CLIENT).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Integrity, "{what}: {err}");
            assert!(vault.map_on(CLIENT, date("2026-05-01")).is_err(), "{what}");
            continue;
        }
        assert!(
            !vault.trail_problems().is_empty(),
            "{what}: caught at unlock"
        );
        assert!(
            vault.set_client_archived(CLIENT, true).is_err(),
            "{what}: changes refused"
        );
    }
}

#[test]
fn backups_carry_the_history_and_groups() {
    let (tv, vault) = over_time_vault();
    let backup = tv.file("backup.kapnotes");
    vault
        .backup_to(&backup, kapnotes::vault::Overwrite::Refuse)
        .unwrap();
    let client = vault.client(CLIENT).unwrap();
    drop(vault);
    let restored = Vault::unlock(&backup, PASSPHRASE, Access::ReadOnly).unwrap();
    verify_clean(&restored);
    assert_eq!(restored.client(CLIENT).unwrap(), client);
}

// ----- the rule: an unburdened part's protectors are due a check-in -----

fn due_findings(vault: &Vault) -> Vec<kapnotes::rules::Finding> {
    let client = vault.client(CLIENT).unwrap();
    kapnotes::rules::check_client(
        &client,
        ts("2026-07-01T12:00:00+00:00").instant(),
        &vault.rule_settings().unwrap(),
    )
    .into_iter()
    .filter(|f| f.code == "unburdened-exile-protectors-due")
    .collect()
}

/// A session of `kind` at `at` whose check-in has an answer from each of `asked`.
fn session_asking(kind: SessionKind, at: &str, asked: &[&str]) -> Session {
    let mut session = Session::new(kind, ts(at));
    session.status = SessionStatus::Completed;
    session.checkin = Some(CheckIn {
        at: ts(at),
        responses: asked
            .iter()
            .map(|p| CheckInResponse {
                part: p.to_string(),
                signal: Signal::Green,
                concerns: String::new(),
                requests: String::new(),
            })
            .collect(),
        decision: Decision::Proceed,
        decision_note: String::new(),
    });
    session
}

#[test]
fn an_unburdened_part_s_protectors_are_due_a_check_in_in_a_later_session() {
    let (_tv, mut vault) = over_time_vault();
    // Unburdened in the integration session of 4 May: both protectors are due.
    let due = due_findings(&vault);
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].severity, kapnotes::rules::Severity::Note);
    assert_eq!(due[0].subject, kapnotes::rules::Subject::Part);
    assert_eq!(due[0].record_id, LITTLE_ONE);
    assert_eq!(
        due[0].message,
        "Lantern Keeper was unburdened in the integration session of 2026-05-04: check in with its protectors about it (not asked since: The Planner, Scrolling part)."
    );

    // The check-in of the dosing session of 30 April, before the step, asked both: it
    // does not count (the same session does not either: see the next test).
    // A later session that asks only the Planner: the Scrolling part is still due.
    vault
        .create_session(
            CLIENT,
            session_asking(SessionKind::Dosing, "2026-05-14T14:00:00+00:00", &[PLANNER]),
        )
        .unwrap();
    let due = due_findings(&vault);
    assert_eq!(due.len(), 1);
    assert!(
        due[0]
            .message
            .ends_with("(not asked since: Scrolling part)."),
        "{}",
        due[0].message
    );
    assert!(
        due[0]
            .message
            .contains("check in with its protector about it")
    );

    // Once it is asked in a later session too, nothing is due.
    vault
        .create_session(
            CLIENT,
            session_asking(
                SessionKind::Dosing,
                "2026-05-20T10:00:00+00:00",
                &[SCROLLING],
            ),
        )
        .unwrap();
    assert!(due_findings(&vault).is_empty());
}

#[test]
fn only_an_unburdening_step_makes_protectors_due() {
    let (_tv, mut vault) = TestVault::with_example();
    vault
        .record_unburdening_step(
            LITTLE_ONE,
            step(UnburdeningStepKind::Witnessing, "2026-04-30", DOSING),
        )
        .unwrap();
    assert!(
        due_findings(&vault).is_empty(),
        "witnessing is not the unburdening"
    );
    vault
        .record_unburdening_step(
            LITTLE_ONE,
            step(UnburdeningStepKind::Unburdening, "2026-04-30", DOSING),
        )
        .unwrap();
    // Protected by the Planner and the Scrolling part; the dosing session's own
    // check-in (both answered) is not later than the step, and the integration session
    // after it has no check-in: both still due.
    let due = due_findings(&vault);
    assert_eq!(due.len(), 1);
    assert!(
        due[0]
            .message
            .ends_with("(not asked since: The Planner, Scrolling part).")
    );
    assert!(
        due[0].message.contains("dosing session of 2026-04-30"),
        "{}",
        due[0].message
    );
}

#[test]
fn a_history_that_runs_past_the_import_is_refused() {
    for (what, pointer, path) in [
        (
            "a version",
            "/versions/13/at",
            "/clients/0/map_history/versions/13/at",
        ),
        ("the start", "/since", "/clients/0/map_history/since"),
    ] {
        let mut doc = over_time();
        *doc["clients"][0]["map_history"]
            .pointer_mut(pointer)
            .unwrap() = json!("2999-01-01T00:00:00+00:00");
        if pointer == "/since" {
            // Every version is then before its start too; only the clock is reported
            // once the document passes the rules, so move them all.
            for v in doc["clients"][0]["map_history"]["versions"]
                .as_array_mut()
                .unwrap()
            {
                v["at"] = json!("2999-01-01T00:00:00+00:00");
            }
        }
        let (_tv, mut vault) = TestVault::new();
        let err = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
        let kapnotes::Error::Rejected(rejection) = &err else {
            panic!("{what}: {err}")
        };
        assert_eq!(rejection.path, path, "{what}");
        assert!(
            rejection.rule.contains("clock"),
            "{what}: {}",
            rejection.rule
        );
        assert!(vault.list_clients().unwrap().is_empty());
    }
}

// ----- findings of the security review (issue 11) -----

/// A step recorded in a psychotherapy-note session, then removed, then the session
/// deleted: the step's versions in the history name a session that no longer exists,
/// so a records request keeps a step only when its session is one the request keeps.
#[test]
fn a_step_of_a_deleted_psychotherapy_note_session_stays_out_of_a_records_request() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut session = Session::new(SessionKind::Therapy, ts("2026-05-10T10:00:00+00:00"));
    session.psychotherapy_note = true;
    let sid = session.id.clone();
    vault.create_session(CLIENT, session).unwrap();
    let secret = "WORDS-OF-A-PSYCHOTHERAPY-NOTE";
    let mut witnessing = step(UnburdeningStepKind::Witnessing, "2026-05-10", &sid);
    witnessing.note = secret.into();
    vault
        .record_unburdening_step(LITTLE_ONE, witnessing.clone())
        .unwrap();
    // And a step in a kept session, which stays.
    let kept_note = "WORDS-OF-A-KEPT-SESSION";
    let mut retrieval = step(UnburdeningStepKind::Retrieval, "2026-05-10", DOSING);
    retrieval.note = kept_note.into();
    vault
        .record_unburdening_step(LITTLE_ONE, retrieval)
        .unwrap();
    vault
        .delete_unburdening_step(LITTLE_ONE, &witnessing.id)
        .unwrap();
    vault.delete_session(&sid).unwrap();
    let request = ExportScope::Client {
        id: CLIENT.into(),
        include_psychotherapy_notes: false,
    };
    let text = exported_text(&vault, &request);
    assert!(!text.contains(secret), "left out of the history");
    assert!(text.contains(kept_note), "a kept session's step stays");
    assert!(!text.contains(&witnessing.id));
    // The request imports as it is; the whole vault's export (a backup) keeps all.
    let (_tv2, mut other) = TestVault::new();
    interchange::import(&mut other, &text).unwrap();
    assert!(exported_text(&vault, &ExportScope::Everything).contains(secret));
}

/// A document whose history's local dates run against its instants: 1 May (in
/// -10:00) holds a version saved after one dated 2 May (in +14:00). The map of 1 May is
/// the timeline up to that version, so it never shows a map the history did not pass
/// through (the Little One befriended while the Planner still had its old name).
#[test]
fn the_map_of_a_day_replays_the_timeline_up_to_its_last_version_of_that_day() {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    let client = &mut doc["clients"][0];
    let since = "2026-04-30T00:00:00+00:00";
    let mut versions: Vec<Value> = client["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!({"at": since, "part": p}))
        .collect();
    for r in client["relationships"].as_array().unwrap() {
        versions.push(json!({"at": since, "relationship": r}));
    }
    for a in client["agreements"].as_array().unwrap() {
        versions.push(json!({"at": since, "agreement": a}));
    }
    // 11:00Z on 1 May, dated 2 May in +14:00: the Planner is renamed.
    let mut planner = client["parts"][1].clone();
    assert_eq!(planner["id"], PLANNER);
    planner["name"] = json!("The Organizer");
    versions.push(json!({"at": "2026-05-02T01:00:00+14:00", "part": planner.clone()}));
    // 06:00Z on 2 May, dated 1 May in -10:00: the Little One is befriended.
    let mut little_one = client["parts"][3].clone();
    assert_eq!(little_one["id"], LITTLE_ONE);
    little_one["status"] = json!("befriended");
    versions.push(json!({"at": "2026-05-01T20:00:00-10:00", "part": little_one.clone()}));
    client["parts"][1] = planner;
    client["parts"][3] = little_one;
    client["map_history"] = json!({"since": since, "versions": versions});
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    let part = |m: &kapnotes::parts_history::MapOnDay, id: &str| {
        let p = m.parts.iter().find(|p| p.id == id).unwrap();
        (p.name.clone(), p.status)
    };
    let on_1 = vault.map_on(CLIENT, date("2026-05-01")).unwrap();
    assert_eq!(
        part(&on_1, PLANNER),
        ("The Organizer".to_owned(), PartStatus::GettingToKnow),
        "the rename saved before the day's last version counts"
    );
    assert_eq!(part(&on_1, LITTLE_ONE).1, PartStatus::Befriended);
    let on_2 = vault.map_on(CLIENT, date("2026-05-02")).unwrap();
    assert_eq!(on_1.parts, on_2.parts, "1 May ends where 2 May does");
    // Comparing the day before names both changes, each on the day that holds it.
    let comparison = vault
        .compare_maps(CLIENT, date("2026-04-30"), date("2026-05-01"))
        .unwrap();
    let changed: Vec<&str> = comparison
        .changes
        .iter()
        .filter_map(|c| c.part.as_deref())
        .collect();
    assert_eq!(changed, [PLANNER, LITTLE_ONE]);
}

/// The over-time document with a second client, a copy of the first under other ids.
fn with_second_client() -> Value {
    let mut doc = over_time();
    let text = doc["clients"][0].to_string().replace(
        "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e",
        "bbbbbbbb-2f1a-4c61-9d7e-0a1b2c3d4e",
    );
    doc["clients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::from_str(&text).unwrap());
    doc
}

const B_PLANNER: &str = "bbbbbbbb-2f1a-4c61-9d7e-0a1b2c3d4e11";
/// Client B's Critic: removed, so only B's history names it.
const B_CRITIC: &str = "bbbbbbbb-2f1a-4c61-9d7e-0a1b2c3d4e14";
const B_INTEGRATION: &str = "bbbbbbbb-2f1a-4c61-9d7e-0a1b2c3d4e60";

/// Appends `version` to client 0's history, at its last version's time.
fn push_version(client: &mut Value, version: Value) {
    let versions = client["map_history"]["versions"].as_array_mut().unwrap();
    let at = versions.last().unwrap()["at"].clone();
    let mut version = version;
    version["at"] = at;
    versions.push(version);
}

/// Why importing `doc` was refused; it must be.
fn rejection_of(vault: &mut Vault, doc: &Value, what: &str) -> kapnotes::Rejection {
    match interchange::import(vault, &doc.to_string()) {
        Err(kapnotes::Error::Rejected(rejection)) => rejection,
        other => panic!("{what}: not refused with a path: {other:?}"),
    }
}

fn planner_of(doc: &Value, client: usize) -> Value {
    doc["clients"][client]["parts"][1].clone()
}

#[test]
fn an_imported_history_naming_another_client_s_records_is_refused_whole() {
    let cases: Vec<(&str, DocumentEdit, &str, &str)> = vec![
        (
            "a version of the other client's part",
            Box::new(|d| {
                let b_planner = planner_of(d, 1);
                push_version(&mut d["clients"][0], json!({"part": b_planner}));
            }),
            "/clients/0/map_history/versions/14/part/id",
            "belongs to another client of this document",
        ),
        (
            "a version of a part only the other client's history names",
            Box::new(|d| {
                let mut critic = planner_of(d, 0);
                critic["id"] = json!(B_CRITIC);
                push_version(&mut d["clients"][0], json!({"part": critic}));
            }),
            // The first history to name it holds it: the second client's is refused.
            "/clients/1/map_history/versions/6/part/id",
            "belongs to another client of this document",
        ),
        (
            "a removal of the other client's part",
            Box::new(|d| {
                push_version(
                    &mut d["clients"][0],
                    json!({"removed": {"kind": "part", "id": B_PLANNER}}),
                );
            }),
            "/clients/0/map_history/versions/14/removed/id",
            "belongs to another client",
        ),
        (
            "a step in the other client's session",
            Box::new(|d| {
                d["clients"][0]["map_history"]["versions"][11]["part"]["unburdening"][0]["session"] =
                    json!(B_INTEGRATION);
            }),
            "/clients/0/map_history/versions/11/part/unburdening/0/session",
            "belongs to another client of this document",
        ),
        (
            "a removal of something the history never had",
            Box::new(|d| {
                push_version(
                    &mut d["clients"][0],
                    json!({"removed": {"kind": "relationship", "id": new_id()}}),
                );
            }),
            "/clients/0/map_history/versions/14/removed/id",
            "no earlier version of the relationship",
        ),
        (
            "a removal of a part as a group",
            Box::new(|d| {
                push_version(
                    &mut d["clients"][0],
                    json!({"removed": {"kind": "group", "id": PLANNER}}),
                );
            }),
            "/clients/0/map_history/versions/14/removed/id",
            "no earlier version of the group",
        ),
        (
            "a relationship with a part the history never had",
            Box::new(|d| {
                push_version(
                    &mut d["clients"][0],
                    json!({"relationship": {"id": new_id(), "from_part": PLANNER,
                        "to_part": new_id(), "kind": "protects", "note": ""}}),
                );
            }),
            "/clients/0/map_history/versions/14/relationship/to_part",
            "no version earlier in this history",
        ),
        (
            "an agreement with a part the history never had",
            Box::new(|d| {
                push_version(
                    &mut d["clients"][0],
                    json!({"agreement": {"id": new_id(), "made_on": "2026-05-04",
                        "text": "Stays in the car.", "parts": [PLANNER, B_PLANNER]}}),
                );
            }),
            "/clients/0/map_history/versions/14/agreement/parts/1",
            "no version earlier in this history",
        ),
        (
            "a group with a part before its first version",
            Box::new(|d| {
                // The group's version moved before the Critic (version 6) first appears.
                let versions = d["clients"][0]["map_history"]["versions"]
                    .as_array_mut()
                    .unwrap();
                let mut group = versions[13].clone();
                group["at"] = json!("2026-04-20T10:00:00+00:00");
                group["group"]["parts"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!(CRITIC));
                versions.insert(6, group);
            }),
            "/clients/0/map_history/versions/6/group/parts/2",
            "no version earlier in this history",
        ),
    ];
    for (what, edit, path, rule) in cases {
        let mut doc = with_second_client();
        edit(&mut doc);
        let (tv, mut vault) = TestVault::new();
        let rejection = rejection_of(&mut vault, &doc, what);
        assert_eq!(rejection.path, path, "{what}: {}", rejection.rule);
        assert!(rejection.rule.contains(rule), "{what}: {}", rejection.rule);
        assert!(vault.list_clients().unwrap().is_empty(), "{what}");
        assert_eq!(history_rows(&tv.path), 0, "{what}");
    }
    // The document as it is imports, two clients each with its own history.
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &with_second_client().to_string()).unwrap();
    verify_clean(&vault);
}

#[test]
fn an_imported_history_naming_a_record_already_in_the_vault_is_refused() {
    let doc = with_second_client();
    let only = |i: usize| {
        let mut d = doc.clone();
        let client = d["clients"][i].clone();
        d["clients"] = json!([client]);
        d
    };
    let cases: Vec<(&str, DocumentEdit, &str)> = vec![
        (
            "a version of a part of a client in the vault",
            Box::new(|d| {
                let mut b_planner = planner_of(d, 0);
                b_planner["id"] = json!(B_PLANNER);
                push_version(&mut d["clients"][0], json!({"part": b_planner}));
            }),
            "/clients/0/map_history/versions/14/part/id",
        ),
        (
            "a version of a part only the vault's history holds",
            Box::new(|d| {
                let mut critic = planner_of(d, 0);
                critic["id"] = json!(B_CRITIC);
                push_version(&mut d["clients"][0], json!({"part": critic}));
            }),
            "/clients/0/map_history/versions/14/part/id",
        ),
        (
            "a step in a session of a client in the vault",
            Box::new(|d| {
                d["clients"][0]["map_history"]["versions"][11]["part"]["unburdening"][0]["session"] =
                    json!(B_INTEGRATION);
            }),
            "/clients/0/map_history/versions/11/part/unburdening/0/session",
        ),
    ];
    for (what, edit, path) in cases {
        let (tv, mut vault) = TestVault::new();
        interchange::import(&mut vault, &only(1).to_string()).unwrap();
        let rows = history_rows(&tv.path);
        let mut a = only(0);
        edit(&mut a);
        let rejection = rejection_of(&mut vault, &a, what);
        assert_eq!(rejection.path, path, "{what}: {}", rejection.rule);
        assert!(
            rejection.rule.contains("a client already in this vault"),
            "{what}: {}",
            rejection.rule
        );
        assert_eq!(vault.list_clients().unwrap().len(), 1, "{what}");
        assert_eq!(history_rows(&tv.path), rows, "{what}");
        // The story of the vault's part is still only its own client's.
        let story = vault.part_story(B_PLANNER).unwrap();
        assert_eq!(story.client_id, "bbbbbbbb-2f1a-4c61-9d7e-0a1b2c3d4e01");
    }
    // Unchanged, the first client joins the second.
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &only(1).to_string()).unwrap();
    interchange::import(&mut vault, &only(0).to_string()).unwrap();
    verify_clean(&vault);
}

#[test]
fn a_part_in_two_groups_of_the_same_name_is_told_apart_by_place() {
    let mut doc = over_time();
    let name = doc["clients"][0]["groups"][0]["name"].clone();
    doc["clients"][0]["groups"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": new_id(), "name": name, "parts": [PLANNER]}));
    let (_tv, mut vault) = TestVault::new();
    let err = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
    let kapnotes::Error::Rejected(rejection) = &err else {
        panic!("{err}")
    };
    assert_eq!(rejection.path, "/clients/0/groups/1/parts/0");
    assert!(
        rejection.rule.contains("already in the group")
            && rejection.rule.contains("/clients/0/groups/0"),
        "{}",
        rejection.rule
    );
}

#[test]
fn a_history_of_more_than_100000_versions_is_refused() {
    let mut doc = over_time();
    let history = &mut doc["clients"][0]["map_history"];
    let last = history["versions"][13].clone();
    let versions = history["versions"].as_array_mut().unwrap();
    versions.resize(100_001, last);
    let (_tv, mut vault) = TestVault::new();
    let rejection = rejection_of(&mut vault, &doc, "100001 versions");
    assert_eq!(rejection.path, "/clients/0/map_history/versions");
    assert!(vault.list_clients().unwrap().is_empty());
}
