//! Round trips of every record kind through the API, and the rules the core enforces
//! on changes: signed notes are locked, nothing is deleted while something points to
//! it, bad values are refused with nothing written.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::records::*;
use kapnotes::{Access, Error, ErrorKind, Refusal, Vault};

#[test]
fn every_record_kind_round_trips_through_a_reopened_vault() {
    let (tv, mut vault) = TestVault::new();
    let mut profile = ClientProfile::new("A.B.");
    profile.full_name = Some("Alex Bloom".into());
    profile.date_of_birth = Some(date("1990-02-28"));
    profile.prescriber = Some(Prescriber {
        name: "Dr. Medina".into(),
        organization: None,
        dose_min_mg: Number(50.0),
        dose_max_mg: Number(150.0),
        route: Route::Sublingual,
        prescribed_on: Some(date("2026-04-20")),
        next_medical_follow_up: None,
    });
    profile.screening = Some(Screening {
        screened_on: date("2026-04-02"),
        mid_completed: true,
        notes: "Screened.".into(),
        contraindications: vec![Contraindication {
            kind: ContraindicationKind::Maoi,
            present: false,
            note: String::new(),
            noted_on: None,
        }],
        medications: "sertraline".into(),
        allergies: String::new(),
    });
    let client_id = profile.id.clone();
    vault.create_client(profile.clone()).unwrap();

    let mut manager = Part::new("The Planner", PartRole::Manager);
    manager.fears = "Falling apart.".into();
    manager.position = Some(Position {
        x: Number(-120.5),
        y: Number(80.0),
    });
    let exile = Part::new("Little one", PartRole::Exile);
    vault.create_part(&client_id, manager.clone()).unwrap();
    vault.create_part(&client_id, exile.clone()).unwrap();
    let protects = Relationship {
        id: new_id(),
        from_part: manager.id.clone(),
        to_part: exile.id.clone(),
        kind: RelationshipKind::Protects,
        note: String::new(),
    };
    vault
        .create_relationship(&client_id, protects.clone())
        .unwrap();
    let agreement = Agreement {
        id: new_id(),
        text: "The Planner may call a pause.".into(),
        made_on: date("2026-04-23"),
        parts: vec![manager.id.clone()],
    };
    vault
        .create_agreement(&client_id, agreement.clone())
        .unwrap();

    let mut dosing = dosing_session("2026-04-30");
    dosing.intentions.push(Intention {
        id: new_id(),
        text: "Rest.".into(),
        part: Some(manager.id.clone()),
    });
    dosing.checkin = Some(CheckIn {
        at: ts("2026-04-30T14:05:00+02:00"),
        responses: vec![CheckInResponse {
            part: manager.id.clone(),
            signal: Signal::Green,
            concerns: String::new(),
            requests: "Eye shades off".into(),
        }],
        decision: Decision::Proceed,
        decision_note: String::new(),
    });
    dosing.dose = Some(Dose {
        mg: Number(100.0),
        route: Route::Sublingual,
        administered_at: ts("2026-04-30T14:20:00+02:00"),
        booster_mg: Some(Number(25.0)),
        lot_number: None,
    });
    dosing.observations = Some(Observations {
        parts_present: vec![exile.id.clone()],
        flooding_signs: vec![FloodingSign::Panic],
        blood_pressure_pre: Some("120/80".into()),
        timeline: vec![TimelineNote {
            at: ts("2026-04-30T14:40:00+02:00"),
            text: "Tears.".into(),
        }],
        ..Observations::default()
    });
    vault.create_session(&client_id, dosing.clone()).unwrap();
    let mut integration = Session::new(SessionKind::Integration, ts("2026-05-02T10:00:00+02:00"));
    integration.integration = Some(Integration {
        dosing_session: Some(dosing.id.clone()),
        intention_reflections: vec![IntentionReflection {
            intention: dosing.intentions[0].id.clone(),
            reflection: "It rested.".into(),
        }],
        self_energy: SelfEnergy {
            calm: Some(7),
            ..SelfEnergy::default()
        },
        ..Integration::default()
    });
    vault
        .create_session(&client_id, integration.clone())
        .unwrap();
    let measure = Measure {
        id: new_id(),
        instrument: Instrument::Gad7,
        taken_on: date("2026-05-02"),
        answers: vec![Some(1), Some(2), None, Some(0), Some(3), Some(1), Some(1)],
        session: Some(integration.id.clone()),
        safety_follow_up: None,
    };
    vault.create_measure(&client_id, measure.clone()).unwrap();
    vault
        .set_clinician(Some(&Clinician {
            name: "Sam Rivera".into(),
            credentials: Some("LCSW".into()),
            license_number: None,
            practice: None,
        }))
        .unwrap();
    vault.lock();

    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    let client = vault.client(&client_id).unwrap();
    assert_eq!(client.profile, profile);
    assert_eq!(client.parts, vec![manager.clone(), exile]);
    assert_eq!(client.relationships, vec![protects]);
    assert_eq!(client.agreements, vec![agreement]);
    assert_eq!(client.sessions, vec![dosing.clone(), integration]);
    assert_eq!(client.measures, vec![measure]);
    assert_eq!(vault.session(&dosing.id).unwrap(), dosing);
    assert_eq!(vault.part(&manager.id).unwrap(), manager);
    assert_eq!(vault.clinician().unwrap().unwrap().name, "Sam Rivera");
    assert_eq!(vault.parts_map(&client_id).unwrap().parts.len(), 2);
}

#[test]
fn updates_and_deletes_are_saved() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut part = vault.part(PLANNER).unwrap();
    part.position = Some(Position {
        x: Number(10.0),
        y: Number(20.0),
    });
    part.status = PartStatus::Befriended;
    vault.update_part(part.clone()).unwrap();
    assert_eq!(vault.part(PLANNER).unwrap(), part);

    let mut profile = vault.client_profile(CLIENT).unwrap();
    profile.pronouns = Some("she/her".into());
    vault.update_client(profile.clone()).unwrap();
    assert_eq!(vault.client_profile(CLIENT).unwrap(), profile);

    vault.set_client_archived(CLIENT, true).unwrap();
    assert!(vault.list_clients().unwrap()[0].archived);

    let map = vault.parts_map(CLIENT).unwrap();
    let polarized = map
        .relationships
        .iter()
        .find(|r| r.kind == RelationshipKind::Polarized)
        .unwrap();
    vault.delete_relationship(&polarized.id).unwrap();
    assert_eq!(vault.parts_map(CLIENT).unwrap().relationships.len(), 2);
    vault.delete_agreement(&map.agreements[0].id).unwrap();
    assert!(vault.parts_map(CLIENT).unwrap().agreements.is_empty());

    let measures = vault.measures(CLIENT).unwrap();
    vault.delete_measure(&measures[2].id).unwrap();
    assert_eq!(vault.measures(CLIENT).unwrap().len(), 2);
}

#[test]
fn sessions_are_listed_by_date() {
    let (_tv, mut vault) = TestVault::with_example();
    vault
        .create_session(CLIENT, dosing_session("2026-04-01"))
        .unwrap();
    let starts: Vec<String> = vault
        .sessions(CLIENT)
        .unwrap()
        .iter()
        .map(|s| s.starts_at.to_string())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    assert!(starts[0].starts_with("2026-04-01"));
}

#[test]
fn clients_are_listed_by_creation_time() {
    let (_tv, mut vault) = TestVault::new();
    for (name, at) in [
        ("B", "2026-03-01T09:00:00+00:00"),
        ("A", "2026-01-01T09:00:00+00:00"),
    ] {
        let mut p = ClientProfile::new(name);
        p.created_at = ts(at);
        vault.create_client(p).unwrap();
    }
    let names: Vec<String> = vault
        .list_clients()
        .unwrap()
        .into_iter()
        .map(|c| c.display_name)
        .collect();
    assert_eq!(names, ["A", "B"]);
}

#[test]
fn a_signed_session_is_locked_and_takes_only_addenda() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut signed = vault.session(DOSING).unwrap();
    assert!(signed.is_signed());
    signed.note.push_str(" Edited later.");
    assert!(matches!(
        vault.update_session(signed),
        Err(Error::Refused(Refusal::SignedSessionLocked))
    ));
    assert!(vault.delete_session(DOSING).is_err());

    let before = vault.session(DOSING).unwrap();
    let addendum = vault
        .add_addendum(DOSING, "Called the client: doing well.")
        .unwrap();
    let after = vault.session(DOSING).unwrap();
    assert_eq!(after.addenda.len(), before.addenda.len() + 1);
    assert_eq!(after.addenda.last().unwrap(), &addendum);
    assert_eq!(after.note, before.note);

    // Addenda cannot be edited once written either.
    let mut edited = after.clone();
    edited.addenda[0].text = "Rewritten".into();
    assert!(matches!(
        vault.update_session(edited),
        Err(Error::Refused(Refusal::SignedSessionLocked))
    ));
}

#[test]
fn signing_locks_and_rules_apply() {
    let (_tv, mut vault) = TestVault::with_example();
    assert!(
        matches!(
            vault.add_addendum(INTEGRATION, "too early"),
            Err(Error::Refused(Refusal::AddendumToUnsignedNote))
        ),
        "unsigned notes take no addenda"
    );
    let at = vault.sign_session(INTEGRATION).unwrap();
    assert_eq!(vault.session(INTEGRATION).unwrap().signed_at, Some(at));
    assert!(matches!(
        vault.sign_session(INTEGRATION),
        Err(Error::Refused(Refusal::AlreadySigned))
    ));

    let planned = Session::new(SessionKind::Therapy, ts("2026-07-01T10:00:00+00:00"));
    vault.create_session(CLIENT, planned.clone()).unwrap();
    let refused = vault.sign_session(&planned.id).unwrap_err();
    assert!(matches!(
        refused,
        Error::Refused(Refusal::PlannedSessionUnsignable)
    ));
    assert_eq!(refused.kind(), ErrorKind::Refused);
}

#[test]
fn a_client_with_signed_sessions_can_only_be_archived() {
    let (_tv, mut vault) = TestVault::with_example();
    assert!(vault.delete_client(CLIENT).is_err());
    assert!(vault.client(CLIENT).is_ok());
    vault.set_client_archived(CLIENT, true).unwrap();

    let mut fresh = ClientProfile::new("Z.");
    fresh.created_at = ts("2026-01-01T00:00:00+00:00");
    let id = fresh.id.clone();
    vault.create_client(fresh).unwrap();
    vault
        .create_part(&id, Part::new("Guard", PartRole::Manager))
        .unwrap();
    vault
        .create_session(&id, dosing_session("2026-05-01"))
        .unwrap();
    vault.delete_client(&id).unwrap();
    assert!(matches!(vault.client(&id), Err(Error::NotFound { .. })));
}

#[test]
fn nothing_that_is_referenced_can_be_deleted() {
    let (_tv, mut vault) = TestVault::with_example();
    // The Planner is named in a check-in, an intention and an agreement.
    let refused = vault.delete_part(PLANNER).unwrap_err();
    assert!(refused.to_string().contains("check-in"), "{refused}");
    assert_eq!(vault.parts_map(CLIENT).unwrap().parts.len(), 4);
    assert_eq!(
        vault.parts_map(CLIENT).unwrap().relationships.len(),
        3,
        "nothing was half-deleted"
    );

    // A part only joined by relationships goes, and its relationships with it.
    let loner = Part::new("Critic", PartRole::Manager);
    vault.create_part(CLIENT, loner.clone()).unwrap();
    vault
        .create_relationship(
            CLIENT,
            Relationship {
                id: new_id(),
                from_part: loner.id.clone(),
                to_part: LITTLE_ONE.into(),
                kind: RelationshipKind::Protects,
                note: String::new(),
            },
        )
        .unwrap();
    vault.delete_part(&loner.id).unwrap();
    assert_eq!(vault.parts_map(CLIENT).unwrap().relationships.len(), 3);

    // A session an integration links to cannot go; an unsigned, unreferenced one can.
    let mut unsigned_dosing = dosing_session("2026-05-10");
    unsigned_dosing.status = SessionStatus::Planned;
    vault
        .create_session(CLIENT, unsigned_dosing.clone())
        .unwrap();
    let mut integration = Session::new(SessionKind::Integration, ts("2026-05-12T10:00:00+02:00"));
    integration.integration = Some(Integration {
        dosing_session: Some(unsigned_dosing.id.clone()),
        ..Integration::default()
    });
    vault.create_session(CLIENT, integration.clone()).unwrap();
    let refused = vault.delete_session(&unsigned_dosing.id).unwrap_err();
    assert!(refused.to_string().contains("integration"), "{refused}");
    vault.delete_session(&integration.id).unwrap();
    vault.delete_session(&unsigned_dosing.id).unwrap();
}

#[test]
fn invalid_changes_are_refused_and_write_nothing() {
    let (_tv, mut vault) = TestVault::with_example();
    let before = export_value(&vault);

    let mut red_but_proceed = dosing_session("2026-06-01");
    red_but_proceed.checkin = Some(CheckIn {
        at: ts("2026-06-01T14:00:00+02:00"),
        responses: vec![CheckInResponse {
            part: PLANNER.into(),
            signal: Signal::Red,
            concerns: String::new(),
            requests: String::new(),
        }],
        decision: Decision::Proceed,
        decision_note: String::new(),
    });
    let e = vault
        .create_session(CLIENT, red_but_proceed.clone())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");

    let mut held_off_with_dose = red_but_proceed.clone();
    held_off_with_dose.status = SessionStatus::HeldOff;
    held_off_with_dose.checkin.as_mut().unwrap().decision = Decision::HoldOff;
    held_off_with_dose.dose = Some(Dose {
        mg: Number(50.0),
        route: Route::Sublingual,
        administered_at: ts("2026-06-01T14:20:00+02:00"),
        booster_mg: None,
        lot_number: None,
    });
    assert_eq!(
        vault
            .create_session(CLIENT, held_off_with_dose)
            .unwrap_err()
            .kind(),
        ErrorKind::Rejected
    );

    let self_loop = Relationship {
        id: new_id(),
        from_part: PLANNER.into(),
        to_part: PLANNER.into(),
        kind: RelationshipKind::Allied,
        note: String::new(),
    };
    assert_eq!(
        vault
            .create_relationship(CLIENT, self_loop)
            .unwrap_err()
            .kind(),
        ErrorKind::Rejected
    );

    let foreign_part = Relationship {
        id: new_id(),
        from_part: PLANNER.into(),
        to_part: new_id(),
        kind: RelationshipKind::Allied,
        note: String::new(),
    };
    let e = vault.create_relationship(CLIENT, foreign_part).unwrap_err();
    assert!(e.to_string().contains("/relationships/3/to_part"), "{e}");

    let short_phq = Measure {
        id: new_id(),
        instrument: Instrument::Phq9,
        taken_on: date("2026-06-01"),
        answers: vec![Some(1); 8],
        session: None,
        safety_follow_up: None,
    };
    assert_eq!(
        vault.create_measure(CLIENT, short_phq).unwrap_err().kind(),
        ErrorKind::Rejected
    );

    let mut nameless = Part::new("", PartRole::Exile);
    nameless.name.clear();
    assert_eq!(
        vault.create_part(CLIENT, nameless).unwrap_err().kind(),
        ErrorKind::Rejected
    );

    let mut profile = vault.client_profile(CLIENT).unwrap();
    profile.prescriber.as_mut().unwrap().dose_min_mg = Number(500.0);
    assert_eq!(
        vault.update_client(profile).unwrap_err().kind(),
        ErrorKind::Rejected
    );

    assert_eq!(
        export_value(&vault),
        before,
        "a refused change must write nothing"
    );
}

#[test]
fn a_read_only_vault_refuses_changes() {
    let (tv, vault) = TestVault::with_example();
    vault.lock();
    let mut reader = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    assert!(matches!(
        reader.set_client_archived(CLIENT, true),
        Err(Error::Refused(Refusal::ReadOnly))
    ));
    assert!(matches!(
        interchange::import(&mut reader, EXAMPLE),
        Err(Error::Refused(Refusal::ReadOnly))
    ));
}

#[test]
fn autosave_keeps_twenty_restorable_revisions() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut session = vault.session(INTEGRATION).unwrap();
    // Each save removes a long sentence, so each keeps the text before it.
    let mut texts = Vec::new();
    for i in 0..25 {
        let text = format!(
            "Version {i}: {}",
            "a long sentence the clinician typed. ".repeat(3)
        );
        session.note = text.clone();
        vault.update_session(session.clone()).unwrap();
        texts.push(text);
        session.note = format!("v{i}");
        vault.update_session(session.clone()).unwrap();
    }
    let revisions = vault.note_revisions(INTEGRATION).unwrap();
    assert_eq!(revisions.len(), 20);
    assert_eq!(revisions[0].note, texts[24], "newest first");
    assert!(revisions.iter().all(|r| r.note.starts_with("Version")));

    let wanted = revisions[3].clone();
    vault
        .restore_note_revision(INTEGRATION, &wanted.id)
        .unwrap();
    assert_eq!(vault.session(INTEGRATION).unwrap().note, wanted.note);
    // The text that restoring replaced is itself kept.
    assert_eq!(vault.note_revisions(INTEGRATION).unwrap()[0].note, "v24");
}

#[test]
fn a_burst_of_small_edits_keeps_one_revision() {
    let (_tv, mut vault) = TestVault::with_example();
    let mut session = vault.session(INTEGRATION).unwrap();
    session.note = "First words".into();
    vault.update_session(session.clone()).unwrap();
    for word in ["of", "the", "note", "typed", "quickly"] {
        session.note.push(' ');
        session.note.push_str(word);
        vault.update_session(session.clone()).unwrap();
    }
    let revisions = vault.note_revisions(INTEGRATION).unwrap();
    assert_eq!(revisions.len(), 1, "{revisions:?}");
    assert_eq!(revisions[0].note, "First words");
}

#[test]
fn a_second_writer_is_refused_but_readers_are_not() {
    let (tv, vault) = TestVault::with_example();
    let second = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite);
    assert!(matches!(second, Err(Error::WriterBusy)));
    let reader = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadOnly).unwrap();
    assert_eq!(reader.list_clients().unwrap().len(), 1);
    drop(vault);
    Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
}
