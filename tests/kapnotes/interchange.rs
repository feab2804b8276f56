//! The interchange format: the example's canonical export, round trips, records-request
//! exports, and one rejected document per rule, each leaving the vault unchanged.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::{Error, ErrorKind, ExportScope};
use proptest::prelude::*;
use serde_json::{Value, json};

fn without_exported_at(text: &str) -> Value {
    let mut value: Value = serde_json::from_str(text).unwrap();
    value.as_object_mut().unwrap().remove("exported_at");
    value
}

#[test]
fn importing_the_example_exports_the_canonical_example() {
    let (_tv, vault) = TestVault::with_example();
    let exported = interchange::export(&vault, &ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    assert_eq!(
        without_exported_at(&exported),
        without_exported_at(EXAMPLE_CANONICAL)
    );
    // Whole numbers are written without a fraction.
    assert!(exported.contains("\"mg\": 100,") && !exported.contains("100.0"));
}

#[test]
fn export_import_export_is_the_identity() {
    let (_tv, vault) = TestVault::with_example();
    let first = interchange::export(&vault, &ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    let (_tv2, mut second_vault) = TestVault::new();
    interchange::import(&mut second_vault, &first).unwrap();
    let second = interchange::export(&second_vault, &ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    assert_eq!(without_exported_at(&first), without_exported_at(&second));
}

#[test]
fn offsets_and_fractional_seconds_survive() {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["clients"][0]["sessions"][0]["starts_at"] = json!("2026-04-23T16:00:00.250-07:00");
    doc["clients"][0]["created_at"] = json!("2026-04-02T15:00:00Z");
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    let out = export_value(&vault);
    assert_eq!(
        out["clients"][0]["sessions"][0]["starts_at"],
        "2026-04-23T16:00:00.250-07:00"
    );
    assert_eq!(out["clients"][0]["created_at"], "2026-04-02T15:00:00+00:00");
}

#[test]
fn a_records_request_leaves_out_psychotherapy_notes_unless_asked() {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    doc["clients"][0]["sessions"][1]["psychotherapy_note"] = json!(true); // the dosing session
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();

    let scope = ExportScope::Client {
        id: CLIENT.into(),
        include_psychotherapy_notes: false,
    };
    let text = interchange::export(&vault, &scope)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    let out: Value = serde_json::from_str(&text).unwrap();
    let sessions = out["clients"][0]["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(
        !text.contains(DOSING),
        "nothing may point into a left-out session"
    );
    assert!(!text.contains("Soft journey"));
    assert_eq!(sessions[1]["integration"]["dosing_session"], Value::Null);
    assert_eq!(
        sessions[1]["integration"]["intention_reflections"],
        json!([])
    );
    // The records-request document is itself a valid interchange document.
    kapnotes::interchange::parse_document(&text).unwrap();

    let scope = ExportScope::Client {
        id: CLIENT.into(),
        include_psychotherapy_notes: true,
    };
    let full = interchange::export(&vault, &scope).unwrap();
    assert_eq!(full.clients[0].sessions.len(), 3);
}

/// Imports `doc` into a vault holding the example and checks it is rejected at
/// `path`, with the vault unchanged.
fn assert_rejected(doc: Value, path: &str, rule_contains: &str) {
    let (_tv, mut vault) = TestVault::with_example();
    let before = export_value(&vault);
    let err = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
    match &err {
        Error::Rejected(rejection) => {
            assert_eq!(rejection.path, path, "{err}");
            assert!(rejection.rule.contains(rule_contains), "{err}");
        }
        other => panic!("expected a rejection, got {other}"),
    }
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(
        export_value(&vault),
        before,
        "a rejected document must write nothing"
    );
}

/// The example with every id replaced, so it does not collide with the vault's copy.
fn fresh_example() -> Value {
    let mut text = EXAMPLE.to_owned();
    text = text.replace(
        "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e",
        "6c0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e",
    );
    serde_json::from_str(&text).unwrap()
}

const P: &str = "6c0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e";

#[test]
fn the_fresh_example_itself_imports() {
    let (_tv, mut vault) = TestVault::with_example();
    interchange::import(&mut vault, &fresh_example().to_string()).unwrap();
    assert_eq!(vault.list_clients().unwrap().len(), 2);
}

#[test]
fn rejects_an_id_used_twice_in_the_document() {
    let mut doc = fresh_example();
    doc["clients"][0]["parts"][1]["id"] = json!(format!("{P}10"));
    assert_rejected(doc, "/clients/0/parts/1/id", "used twice");
}

#[test]
fn rejects_an_id_already_in_the_vault() {
    let mut doc = fresh_example();
    doc["clients"][0]["measures"][0]["id"] = json!("5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e70");
    assert_rejected(doc, "/clients/0/measures/0/id", "already in this vault");
    assert_rejected(
        serde_json::from_str(EXAMPLE).unwrap(),
        "/clients/0/id",
        "already in this vault",
    );
}

#[test]
fn rejects_references_to_another_clients_records() {
    let other_part = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e11"; // a part of the client in the vault
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/clients/0/relationships/0/from_part",
            json!(other_part),
            "relationship",
        ),
        (
            "/clients/0/agreements/0/parts/0",
            json!(other_part),
            "agreement",
        ),
        (
            "/clients/0/sessions/0/intentions/1/part",
            json!(other_part),
            "intention",
        ),
        (
            "/clients/0/sessions/1/checkin/responses/0/part",
            json!(other_part),
            "check-in",
        ),
        (
            "/clients/0/sessions/1/observations/parts_present/0",
            json!(other_part),
            "observation",
        ),
        (
            "/clients/0/sessions/2/integration/parts_encountered/0",
            json!(other_part),
            "integration",
        ),
        (
            "/clients/0/measures/1/session",
            json!("5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e60"),
            "measure",
        ),
        (
            "/clients/0/sessions/2/integration/intention_reflections/0/intention",
            json!("5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e51"),
            "reflection",
        ),
    ];
    for (path, value, what) in cases {
        let mut doc = fresh_example();
        *doc.pointer_mut(path)
            .unwrap_or_else(|| panic!("{what}: {path}")) = value;
        let rule = if what == "measure" {
            "not a session of this client"
        } else {
            "not"
        };
        assert_rejected(doc, path, rule);
    }
}

#[test]
fn rejects_a_relationship_from_a_part_to_itself() {
    let mut doc = fresh_example();
    doc["clients"][0]["relationships"][0]["to_part"] = json!(format!("{P}11"));
    assert_rejected(
        doc,
        "/clients/0/relationships/0/to_part",
        "two different parts",
    );
}

#[test]
fn rejects_two_answers_from_one_part_in_a_check_in() {
    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][1]["checkin"]["responses"][1]["part"] = json!(format!("{P}11"));
    assert_rejected(
        doc,
        "/clients/0/sessions/1/checkin/responses/1/part",
        "already answered",
    );
}

#[test]
fn rejects_a_prescriber_range_upside_down() {
    let mut doc = fresh_example();
    doc["clients"][0]["prescriber"]["dose_min_mg"] = json!(200);
    assert_rejected(doc, "/clients/0/prescriber/dose_min_mg", "greater than");
}

#[test]
fn rejects_an_integration_linked_to_a_session_that_is_not_an_earlier_dosing_session() {
    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][2]["integration"]["dosing_session"] = json!(format!("{P}40"));
    assert_rejected(
        doc,
        "/clients/0/sessions/2/integration/dosing_session",
        "not a dosing session",
    );

    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][1]["starts_at"] = json!("2026-05-05T14:00:00+00:00");
    assert_rejected(
        doc,
        "/clients/0/sessions/2/integration/dosing_session",
        "starts after",
    );
}

#[test]
fn rejects_dates_that_do_not_exist_and_timestamps_without_offset() {
    let mut doc = fresh_example();
    doc["clients"][0]["date_of_birth"] = json!("2026-02-30");
    assert_rejected(doc, "/clients/0/date_of_birth", "");

    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][0]["starts_at"] = json!("2026-04-23T16:00:00");
    assert_rejected(doc, "/clients/0/sessions/0/starts_at", "");
}

#[test]
fn rejects_text_longer_than_its_limit_counted_in_code_points() {
    // 200 astral characters are 200 code points (but 400 UTF-16 units): accepted.
    let mut doc = fresh_example();
    doc["clients"][0]["display_name"] = json!("😀".repeat(200));
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();

    let mut doc = fresh_example();
    doc["clients"][0]["display_name"] = json!("😀".repeat(201));
    assert_rejected(doc, "/clients/0/display_name", "");
}

#[test]
fn rejects_integers_written_with_a_fraction() {
    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][0]["duration_minutes"] = json!(60.0);
    assert_rejected(doc, "/clients/0/sessions/0/duration_minutes", "");
}

#[test]
fn rejects_what_the_schema_rejects_with_the_path() {
    // (what is set, the value, where the rejection must point, why)
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "/clients/0/sessions/0/dose",
            json!({"mg": 50, "route": "oral", "administered_at": "2026-04-23T16:10:00+00:00"}),
            "/clients/0/sessions/0/dose",
            "dose on a preparation session",
        ),
        (
            "/clients/0/sessions/1/checkin/responses/1/signal",
            json!("red"),
            // The schema ties a red signal to the decision, so the decision is blamed.
            "/clients/0/sessions/1/checkin/decision",
            "red under proceed",
        ),
        (
            "/clients/0/sessions/2/signed_at",
            json!("not a time"),
            "/clients/0/sessions/2/signed_at",
            "bad timestamp",
        ),
        (
            "/clients/0/measures/0/answers/0",
            json!(4),
            "/clients/0/measures/0/answers/0",
            "PHQ-9 answer out of range",
        ),
        (
            "/clients/0/parts/0/role",
            json!("protector"),
            "/clients/0/parts/0/role",
            "unknown role",
        ),
        (
            "/clients/0/measures/2/safety_follow_up",
            json!({"at": "2026-04-02T10:00:00+00:00", "note": "x"}),
            "/clients/0/measures/2/safety_follow_up",
            "safety follow-up on GAD-7",
        ),
        (
            // Unknown properties are errors, not silent data loss.
            "/clients/0/parts/0/colour",
            json!("blue"),
            "/clients/0/parts/0",
            "unknown property",
        ),
    ];
    for (set_at, value, expected_path, what) in cases {
        let mut doc = fresh_example();
        let (parent, key) = set_at.rsplit_once('/').unwrap();
        match doc.pointer_mut(parent).unwrap_or_else(|| panic!("{what}")) {
            Value::Object(map) => {
                map.insert(key.to_owned(), value);
            }
            Value::Array(items) => items[key.parse::<usize>().unwrap()] = value,
            _ => panic!("{what}"),
        }
        let (tv, mut vault) = TestVault::with_example();
        let before = crate::robustness::database_contents(&tv.path, &[]);
        let err = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
        let Error::Rejected(rejection) = &err else {
            panic!("{what}: {err}")
        };
        assert_eq!(rejection.path, expected_path, "{what}: {err}");
        assert!(!rejection.rule.is_empty(), "{what}: {err}");
        let after = crate::robustness::database_contents(&tv.path, &[]);
        assert_eq!(
            crate::robustness::difference(&before, &after),
            None,
            "{what}: a rejected document must write nothing, not even an audit entry"
        );
    }
}

#[test]
fn rejection_messages_never_quote_clinical_text() {
    let mut doc = fresh_example();
    doc["clients"][0]["notes"] = json!(42);
    doc["clients"][0]["parts"][1]["fears"] = json!(["Secret fear words"]);
    let (_tv, mut vault) = TestVault::new();
    let message = interchange::import(&mut vault, &doc.to_string())
        .unwrap_err()
        .to_string();
    assert!(!message.contains("Secret fear"), "{message}");
}

#[test]
fn not_json_is_rejected_plainly() {
    let (_tv, mut vault) = TestVault::new();
    let err = interchange::import(&mut vault, "{ this is not json").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(err.to_string().contains("not valid JSON"), "{err}");
}

// ----- property test: any valid document round-trips -----

fn arb_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Zéü😀 .,'\n-]{0,40}").unwrap()
}

fn arb_name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Zé][a-zA-Zé .]{0,20}").unwrap()
}

prop_compose! {
    fn arb_part(index: usize)(name in arb_name(), role in 0usize..5, fears in arb_text(),
                               x in -1000i32..1000, y in proptest::option::of(-1000.0f64..1000.0)) -> Value {
        let roles = ["self", "manager", "firefighter", "exile", "unknown"];
        json!({
            "id": format!("00000000-0000-4000-8000-{index:012}"),
            "name": name, "role": roles[role], "fears": fears,
            "position": y.map(|y| json!({"x": x, "y": (y * 4.0).round() / 4.0})),
        })
    }
}

prop_compose! {
    fn arb_document()(parts in (1usize..6).prop_flat_map(|n| (0..n).map(arb_part).collect::<Vec<_>>()),
                      note in arb_text(), offset_hours in -11i32..12, minutes in 0u32..60,
                      mg in 1u32..400, booster in proptest::option::of(1u32..100), signed in any::<bool>())
                      -> Value {
        let offset = format!("{}{:02}:00", if offset_hours < 0 { '-' } else { '+' }, offset_hours.abs());
        let protector = parts[0]["id"].clone();
        json!({
            "format": "kapnotes.interchange", "version": 1,
            "exported_at": "2026-06-30T18:00:00+00:00",
            "clients": [{
                "id": "00000000-0000-4000-8000-100000000000",
                "display_name": "P.T.", "created_at": format!("2026-01-01T09:{minutes:02}:00{offset}"),
                "parts": parts, "relationships": [], "agreements": [],
                "sessions": [{
                    "id": "00000000-0000-4000-8000-200000000000", "kind": "dosing",
                    "starts_at": format!("2026-03-01T10:{minutes:02}:00{offset}"),
                    "status": "completed", "note": note,
                    "signed_at": if signed { json!("2026-03-01T13:00:00+00:00") } else { Value::Null },
                    "checkin": {"at": "2026-03-01T10:05:00+00:00", "decision": "proceed",
                                "responses": [{"part": protector, "signal": "green"}]},
                    "dose": {"mg": f64::from(mg) / 2.0, "route": "sublingual",
                             "administered_at": "2026-03-01T10:20:00+00:00", "booster_mg": booster},
                }],
                "measures": [],
            }],
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_valid_document_round_trips(doc in arb_document()) {
        let (_tv, mut vault) = TestVault::new();
        interchange::import(&mut vault, &doc.to_string()).unwrap();
        let first = interchange::export(&vault, &ExportScope::Everything).unwrap().to_canonical_json().unwrap();
        let (_tv2, mut again) = TestVault::new();
        interchange::import(&mut again, &first).unwrap();
        let second = interchange::export(&again, &ExportScope::Everything).unwrap().to_canonical_json().unwrap();
        prop_assert_eq!(without_exported_at(&first), without_exported_at(&second));
        // And the export says what was imported.
        let exported: Value = serde_json::from_str(&first).unwrap();
        prop_assert_eq!(&exported["clients"][0]["sessions"][0]["note"], &doc["clients"][0]["sessions"][0]["note"]);
        // Positions compared as numbers: 12 and 12.0 are the same coordinate.
        let summary = |parts: &Value| -> Vec<Value> {
            parts.as_array().unwrap().iter().map(|p| json!([
                p["id"], p["name"], p["fears"],
                p["position"]["x"].as_f64(), p["position"]["y"].as_f64(),
            ])).collect()
        };
        prop_assert_eq!(summary(&exported["clients"][0]["parts"]), summary(&doc["clients"][0]["parts"]));
    }
}

/// The schema's refusals read as what the value should be, in words, never as the
/// validator's jargon ("value is not of types …") nor quoting the value.
#[test]
fn schema_refusals_say_what_is_expected_in_words() {
    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][1]["duration_minutes"] = json!("ninety");
    assert_rejected(
        doc,
        "/clients/0/sessions/1/duration_minutes",
        "expected a whole number or null (nothing)",
    );

    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][1]["kind"] = json!("massage");
    assert_rejected(
        doc,
        "/clients/0/sessions/1/kind",
        r#"expected one of "consultation", "preparation", "dosing", "integration", "therapy""#,
    );

    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][1]["checkin"]["responses"][1]["signal"] = json!("red");
    assert_rejected(
        doc,
        "/clients/0/sessions/1/checkin/decision",
        r#"a check-in with a red response decides "hold_off""#,
    );

    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][1]["mood_ring"] = json!(1);
    assert_rejected(
        doc,
        "/clients/0/sessions/1",
        r#""mood_ring" is not part of the format here"#,
    );

    let mut doc = fresh_example();
    doc["clients"][0]["sessions"][1]
        .as_object_mut()
        .unwrap()
        .remove("status");
    assert_rejected(
        doc,
        "/clients/0/sessions/1",
        r#"the required property "status" is missing"#,
    );

    let mut doc = fresh_example();
    doc["clients"][0]["parts"][0]["id"] = json!("not-an-id");
    assert_rejected(doc, "/clients/0/parts/0/id", "expected an id (a UUID");

    let mut doc = fresh_example();
    doc["clients"][0]["date_of_birth"] = json!("1990-02-30");
    assert_rejected(
        doc,
        "/clients/0/date_of_birth",
        "expected a date that exists, written as 2026-05-10",
    );
}
