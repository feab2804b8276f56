//! Bad text: control characters and direction overrides refused in new or changed values
//! (import and save) with the field's path, `\r\n` stored as `\n`, values stored by an
//! older version still editable, repeated JSON keys refused, and stored text printed
//! escaped by the command line.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::interchange::text::{
    MULTI_LINE_FIELDS, as_an_older_version_for_tests as as_an_older_version, escape_for_terminal,
};
use kapnotes::records::*;
use kapnotes::{Error, ErrorKind, Vault};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Every character the rule refuses in any field, one of each class: C0, DEL, C1,
/// a lone carriage return, and each embedding, override and isolate.
const FORBIDDEN_EVERYWHERE: &[char] = &[
    '\u{0}', '\u{7}', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9b}', '\u{9f}', '\r', '\u{202A}',
    '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// The canonical example (every key present), so paths can be written out in full.
fn example() -> Value {
    serde_json::from_str(EXAMPLE_CANONICAL).unwrap()
}

/// Imports `doc` into a vault holding nothing and returns the rejection; checks that
/// nothing was written.
fn rejection_of(doc: &str) -> kapnotes::Rejection {
    let (_tv, mut vault) = TestVault::new();
    let err = interchange::import(&mut vault, doc).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    assert!(
        vault.list_clients().unwrap().is_empty(),
        "nothing is written"
    );
    assert!(vault.clinician().unwrap().is_none(), "nothing is written");
    // The error names the place, never the value.
    let sentence = err.to_string();
    assert!(sentence.ends_with("Nothing was written."), "{sentence}");
    match err {
        Error::Rejected(rejection) => rejection,
        other => panic!("expected a rejection, got {other}"),
    }
}

fn with_text_at(pointer: &str, text: &str) -> String {
    let mut doc = example();
    *doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = json!(text);
    doc.to_string()
}

#[test]
fn import_refuses_each_forbidden_character_with_the_fields_path() {
    let fields = [
        "/clients/0/display_name",
        "/clients/0/parts/2/name",
        "/clients/0/sessions/1/note",
        "/clients/0/sessions/1/checkin/responses/0/concerns",
    ];
    for c in FORBIDDEN_EVERYWHERE {
        for field in fields {
            let rejection = rejection_of(&with_text_at(field, &format!("before{c}after")));
            assert_eq!(rejection.path, field, "{:?}", c);
            assert!(!rejection.rule.contains("before"), "{}", rejection.rule);
        }
    }
    let control = rejection_of(&with_text_at("/clients/0/notes", "a\u{1b}]0;title\u{7}"));
    assert!(
        control.rule.contains("control character"),
        "{}",
        control.rule
    );
    let bidi = rejection_of(&with_text_at("/clients/0/notes", "dose 10\u{202E}01 mg"));
    assert!(bidi.rule.contains("direction"), "{}", bidi.rule);
}

#[test]
fn the_refusal_is_one_plain_sentence_with_the_path_and_not_the_value() {
    let mut doc = example();
    doc["clients"][0]["sessions"][2]["note"] = json!("secret\u{1b}text");
    let (_tv, mut vault) = TestVault::new();
    let sentence = interchange::import(&mut vault, &doc.to_string())
        .unwrap_err()
        .to_string();
    assert_eq!(
        sentence,
        "Rejected at /clients/0/sessions/2/note: it contains an invisible control character \
         (such as one pasted from another program); remove it and try again. Nothing was written."
    );
}

#[test]
fn a_line_break_or_tab_is_refused_in_a_single_line_field() {
    let mut doc = example();
    doc["clinician"] =
        json!({"name": "Dr. A", "credentials": null, "license_number": null, "practice": null});
    let doc = doc.to_string();
    for field in [
        "/clients/0/display_name",
        "/clients/0/full_name",
        "/clients/0/pronouns",
        "/clients/0/prescriber/name",
        "/clients/0/prescriber/organization",
        "/clients/0/parts/1/name",
        "/clients/0/parts/1/age_sense",
        "/clients/0/parts/1/body_location",
        "/clinician/name",
    ] {
        for bad in ["one\ntwo", "one\ttwo", "one\r\ntwo"] {
            let mut value: Value = serde_json::from_str(&doc).unwrap();
            *value.pointer_mut(field).unwrap() = json!(bad);
            let rejection = rejection_of(&value.to_string());
            assert_eq!(rejection.path, field);
            assert!(rejection.rule.contains("single line"), "{}", rejection.rule);
        }
    }
}

/// Whether `pointer` (relative to a client) is one of the multi-line fields.
fn matches_field(field: &str, pointer: &str) -> bool {
    let pattern: Vec<&str> = field.split('/').collect();
    let path: Vec<&str> = pointer.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| p == s || (*p == "*" && s.parse::<usize>().is_ok()))
}

/// The pointers of every string under `value`.
fn string_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::String(_) => out.push(at),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                string_pointers(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_multi_line_field_takes_newlines_and_tabs_and_crlf_is_stored_as_lf() {
    let mut doc = example();
    // The example leaves two multi-line fields out: add them.
    doc["clients"][0]["sessions"][1]["observations"]["timeline"] =
        json!([{"at": "2026-04-30T14:30:00+00:00", "text": ""}]);
    doc["clients"][0]["measures"][0]["safety_follow_up"] =
        json!({"at": "2026-05-01T10:00:00+00:00", "note": ""});
    // And the dosing day's records added after v1.
    let dosing = &mut doc["clients"][0]["sessions"][1];
    dosing["pre_dose"] = json!({"checked_at": "2026-04-30T13:50:00+00:00", "notes": "x"});
    dosing["monitoring"] = json!([{"at": "2026-04-30T14:10:00+00:00", "note": "x"}]);
    dosing["discharge"] = json!({"at": "2026-04-30T17:00:00+00:00", "notes": "x"});
    // And a note written in a template (issue 12).
    dosing["template"] = json!("SOAP");
    dosing["sections"] = json!([{"heading": "Subjective", "text": "x"}]);
    // And the parts work over time: unburdening steps and the map's history.
    let over_time: Value = serde_json::from_str(PARTS_OVER_TIME).unwrap();
    doc["clients"][0]["parts"][3] = over_time["clients"][0]["parts"][3].clone();
    doc["clients"][0]["map_history"] = over_time["clients"][0]["map_history"].clone();
    // And an acknowledged finding (records' migration).
    doc["clients"][0]["acknowledgements"] = json!([{
        "id": "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e99",
        "code": "consent-missing",
        "record_id": "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e50",
        "record_sha256": "0000000000000000000000000000000000000000000000000000000000000000",
        "reason": "x",
        "acknowledged_at": "2026-05-10T10:00:00+00:00"
    }]);
    doc["clients"][0]["amendment_requests"] = json!([{
        "id": "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e98",
        "received_on": "2026-05-01",
        "target": {"kind": "profile_field", "field": "pronouns"},
        "requested_change": "x",
        "extension": {"recorded_on": "2026-06-01", "reason": "x", "new_due_on": "2026-07-10"},
        "decision": {"outcome": "denied", "decided_on": "2026-07-01", "basis": "x",
                     "statement_of_disagreement": "x", "rebuttal": "x"}
    }]);
    let client = &mut doc["clients"][0];
    let mut pointers = Vec::new();
    string_pointers(client, String::new(), &mut pointers);
    let mut filled = Vec::new();
    for field in MULTI_LINE_FIELDS {
        let matching: Vec<&String> = pointers
            .iter()
            .filter(|p| matches_field(field, p))
            .collect();
        assert!(!matching.is_empty(), "the test document has no {field}");
        for pointer in matching {
            *client.pointer_mut(pointer).unwrap() = json!("first line\r\nsecond\tline\n");
            filled.push(pointer.clone());
        }
    }
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    let exported = export_value(&vault);
    for pointer in &filled {
        assert_eq!(
            exported["clients"][0].pointer(pointer).unwrap(),
            "first line\nsecond\tline\n",
            "{pointer}"
        );
    }
    // Stored as `\n`, a `\r\n` is gone for good: the export imports again unchanged.
    let (_tv2, mut again) = TestVault::new();
    interchange::import(
        &mut again,
        &interchange::export(&vault, &kapnotes::ExportScope::Everything)
            .unwrap()
            .to_canonical_json()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(export_value(&again), exported);
}

/// The example imported as an older kapnotes would have stored it, with a control
/// character in the display name, a direction override in a part's name, a bell in an
/// unsigned session's note, and an escape in the clinician's name.
fn vault_with_old_bad_values() -> (TestVault, Vault) {
    let (tv, mut vault) = TestVault::new();
    let mut doc = example();
    doc["clients"][0]["display_name"] = json!("J.R.\u{1b}");
    doc["clients"][0]["parts"][1]["name"] = json!("The \u{202E}Planner");
    doc["clients"][0]["sessions"][2]["note"] = json!("Integration\u{7}");
    doc["clinician"] = json!({"name": "Dr. A\u{1b}", "credentials": null, "license_number": null, "practice": null});
    as_an_older_version(|| interchange::import(&mut vault, &doc.to_string())).unwrap();
    (tv, vault)
}

fn rejection(result: kapnotes::Result<()>) -> kapnotes::Rejection {
    match result {
        Err(Error::Rejected(rejection)) => rejection,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn a_value_stored_by_an_older_version_stays_editable_but_a_new_bad_one_is_refused() {
    let (_tv, mut vault) = vault_with_old_bad_values();
    // verify does not count an old value as damage.
    assert!(vault.verify().unwrap().is_clean());

    // Another field of the same record changes: the old value passes as it is.
    let mut profile = vault.client_profile(CLIENT).unwrap();
    profile.notes = "Changed\r\nover two lines.".into();
    vault.update_client(profile.clone()).unwrap();
    let stored = vault.client_profile(CLIENT).unwrap();
    assert_eq!(stored.display_name, "J.R.\u{1b}");
    assert_eq!(stored.notes, "Changed\nover two lines.");

    let mut part = vault.part(PLANNER).unwrap();
    part.description = "Still plans.".into();
    vault.update_part(part.clone()).unwrap();
    assert_eq!(vault.part(PLANNER).unwrap().name, "The \u{202E}Planner");

    // A session added before the one holding an old value shifts its index, not its id:
    // the old note still passes.
    let before = export_value(&vault);
    let mut earlier = Session::new(SessionKind::Therapy, ts("2026-04-03T10:00:00+00:00"));
    earlier.status = SessionStatus::Completed;
    vault.create_session(CLIENT, earlier.clone()).unwrap();
    assert_eq!(vault.session(INTEGRATION).unwrap().note, "Integration\u{7}");
    vault.delete_session(&earlier.id).unwrap();
    assert_eq!(export_value(&vault), before);

    // A changed value is checked, even in the field that holds an old one…
    let before = export_value(&vault);
    let mut changed = profile.clone();
    changed.display_name = "J.R.\u{1b}\u{1b}".into();
    assert_eq!(
        rejection(vault.update_client(changed)).path,
        "/display_name"
    );
    let mut renamed = part.clone();
    renamed.name = "The \u{202E}Planner\u{2066}".into();
    assert_eq!(rejection(vault.update_part(renamed)).path, "/parts/1/name");
    let mut new_part = Part::new("Critic\u{9b}", PartRole::Manager);
    assert_eq!(
        rejection(vault.create_part(CLIENT, new_part.clone())).path,
        "/parts/4/name"
    );
    let mut session = vault.session(INTEGRATION).unwrap();
    session.safety_plan = "Call\u{0}".into();
    assert_eq!(
        rejection(vault.update_session(session)).path,
        "/sessions/2/safety_plan"
    );
    assert_eq!(
        export_value(&vault),
        before,
        "a refused save writes nothing"
    );

    // …and a clean one replaces the old value.
    new_part.name = "Critic".into();
    vault.create_part(CLIENT, new_part).unwrap();
    let mut fixed = vault.client_profile(CLIENT).unwrap();
    fixed.display_name = "J.R.".into();
    vault.update_client(fixed).unwrap();
    assert_eq!(vault.client_profile(CLIENT).unwrap().display_name, "J.R.");
}

#[test]
fn the_clinicians_details_follow_the_same_rule() {
    let (_tv, mut vault) = vault_with_old_bad_values();
    let mut clinician = vault.clinician().unwrap().unwrap();
    clinician.practice = Some("Riverside Practice".into());
    vault.set_clinician(Some(&clinician)).unwrap();
    assert_eq!(vault.clinician().unwrap().unwrap(), clinician);

    let mut changed = clinician.clone();
    changed.credentials = Some("LMFT\u{202D}".into());
    assert_eq!(
        rejection(vault.set_clinician(Some(&changed))).path,
        "/clinician/credentials"
    );
    changed.credentials = Some("LMFT".into());
    changed.name = "Dr. B\u{1b}".into();
    assert_eq!(
        rejection(vault.set_clinician(Some(&changed))).path,
        "/clinician/name"
    );
    assert_eq!(vault.clinician().unwrap().unwrap(), clinician);

    let (_tv, mut fresh) = TestVault::new();
    let new = Clinician {
        name: "Dr.\nC".into(),
        credentials: None,
        license_number: None,
        practice: None,
    };
    assert_eq!(
        rejection(fresh.set_clinician(Some(&new))).path,
        "/clinician/name"
    );
    assert!(fresh.clinician().unwrap().is_none());
}

#[test]
fn a_new_client_is_checked_whole() {
    let (_tv, mut vault) = TestVault::new();
    let mut profile = ClientProfile::new("A.B.");
    profile.pronouns = Some("she\u{2067}".into());
    assert_eq!(rejection(vault.create_client(profile)).path, "/pronouns");
    let mut profile = ClientProfile::new("A.B.");
    profile.notes = "line\r\nline".into();
    vault.create_client(profile.clone()).unwrap();
    assert_eq!(
        vault.client_profile(&profile.id).unwrap().notes,
        "line\nline"
    );
    assert_eq!(vault.list_clients().unwrap().len(), 1);
}

// ----- repeated keys -----

#[test]
fn a_key_written_twice_in_one_object_is_refused_with_its_path() {
    let compact = serde_json::to_string(&example()).unwrap();
    let cases = [
        (r#""version":1"#, r#""version":1,"version":1"#, "/version"),
        (
            r#""display_name":"J.R.""#,
            r#""display_name":"J.R.","display_name":"Someone else""#,
            "/clients/0/display_name",
        ),
        (
            r#""name":"The Planner""#,
            r#""name":"The Planner","name":"The Critic""#,
            "/clients/0/parts/1/name",
        ),
        (
            r#""dose_min_mg":50"#,
            r#""dose_min_mg":50,"dose_min_mg":500"#,
            "/clients/0/prescriber/dose_min_mg",
        ),
    ];
    for (once, twice, path) in cases {
        assert_eq!(compact.matches(once).count(), 1, "{once}");
        let rejection = rejection_of(&compact.replacen(once, twice, 1));
        assert_eq!(rejection.path, path);
        assert!(rejection.rule.contains("twice"), "{}", rejection.rule);
    }
}

// ----- one list of multi-line fields -----

/// The paths listed in docs/INTERCHANGE.md under "Characters refused in text".
fn multi_line_fields_in_the_docs() -> Vec<String> {
    let doc = include_str!("../../docs/INTERCHANGE.md");
    let section = doc
        .split("## Characters refused in text")
        .nth(1)
        .expect("the section is in docs/INTERCHANGE.md");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|line| line.strip_prefix("- `/"))
        .map(|rest| format!("/{}", rest.split('`').next().unwrap()))
        .collect()
}

/// The paths of every field of the schema's `text` type under a client.
fn text_fields_in_the_schema() -> Vec<String> {
    let schema: Value = serde_json::from_str(kapnotes::interchange::SCHEMA_JSON).unwrap();
    fn walk(schema: &Value, node: &Value, at: &str, out: &mut Vec<String>) {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            if reference == "#/$defs/text" {
                out.push(at.to_owned());
                return;
            }
            let name = reference.strip_prefix("#/$defs/").unwrap();
            walk(schema, &schema["$defs"][name], at, out);
        }
        if let Some(items) = node.get("items") {
            walk(schema, items, &format!("{at}/*"), out);
        }
        if let Some(properties) = node.get("properties").and_then(Value::as_object) {
            for (key, property) in properties {
                walk(schema, property, &format!("{at}/{key}"), out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&schema, &schema["$defs"]["client"], "", &mut out);
    out
}

#[test]
fn the_multi_line_fields_are_the_same_in_code_docs_and_schema() {
    let code: Vec<String> = MULTI_LINE_FIELDS.iter().map(|f| f.to_string()).collect();
    assert_eq!(multi_line_fields_in_the_docs(), code);
    let mut schema = text_fields_in_the_schema();
    let mut sorted = code.clone();
    schema.sort();
    sorted.sort();
    assert_eq!(schema, sorted);
}

#[test]
fn escaping_leaves_ordinary_text_alone() {
    assert_eq!(
        escape_for_terminal("Jordan Rivers, «Ré» 😀"),
        "Jordan Rivers, «Ré» 😀"
    );
    assert_eq!(escape_for_terminal("a\nb\u{9b}c"), r"a\u{a}b\u{9b}c");
}

// ----- property: the rule refuses exactly the forbidden characters -----

/// The rule, written out again independently of the code.
fn is_refused(c: char, multi_line: bool) -> bool {
    let code = c as u32;
    let control = code <= 0x1f || (0x7f..=0x9f).contains(&code);
    let bidi = (0x202a..=0x202e).contains(&code) || (0x2066..=0x2069).contains(&code);
    (control && !(multi_line && (c == '\n' || c == '\t'))) || bidi
}

fn arb_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<char>().prop_map(String::from),
        2 => "[a-zé ]{1,4}",
        1 => Just("\r\n".to_owned()),
        1 => proptest::sample::select(FORBIDDEN_EVERYWHERE).prop_map(String::from),
        1 => proptest::sample::select(vec!['\n', '\t', '\u{200E}', '\u{200F}', '\u{2065}', '\u{206A}', '\u{A0}', '\u{20}', '\u{7e}', '\u{a0}'])
            .prop_map(String::from),
    ]
}

fn arb_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(arb_piece(), 0..12).prop_map(|pieces| pieces.concat())
}

fn small_document(part_name: &str, note: &str) -> String {
    json!({
        "format": "kapnotes.interchange", "version": 1,
        "exported_at": "2026-06-30T18:00:00+00:00",
        "clients": [{
            "id": "00000000-0000-4000-8000-100000000000",
            "display_name": "P.T.", "created_at": "2026-01-01T09:00:00+00:00",
            "parts": [{"id": "00000000-0000-4000-8000-000000000001", "name": part_name, "role": "manager"}],
            "relationships": [], "agreements": [],
            "sessions": [{"id": "00000000-0000-4000-8000-200000000000", "kind": "therapy",
                          "starts_at": "2026-03-01T10:00:00+00:00", "status": "completed",
                          "note": note}],
            "measures": [],
        }],
    })
    .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_text_is_refused_exactly_when_it_holds_a_forbidden_character(
        text in arb_text(),
    ) {
        let normalised = text.replace("\r\n", "\n");
        // In a single-line field (a part's name, never empty).
        let name = format!("a{text}");
        let refused = name.replace("\r\n", "\n").chars().any(|c| is_refused(c, false));
        match kapnotes::interchange::parse_document(&small_document(&name, "")) {
            Ok(doc) => {
                prop_assert!(!refused, "accepted {:?}", name);
                prop_assert_eq!(&doc.clients[0].parts[0].name, &name);
            }
            Err(Error::Rejected(r)) => {
                prop_assert!(refused, "refused {:?}: {}", name, r);
                prop_assert_eq!(r.path, "/clients/0/parts/0/name");
            }
            Err(other) => prop_assert!(false, "{}", other),
        }
        // In a multi-line field (a session's note).
        let refused = normalised.chars().any(|c| is_refused(c, true));
        match kapnotes::interchange::parse_document(&small_document("a", &text)) {
            Ok(doc) => {
                prop_assert!(!refused, "accepted {:?}", text);
                prop_assert_eq!(&doc.clients[0].sessions[0].note, &normalised);
            }
            Err(Error::Rejected(r)) => {
                prop_assert!(refused, "refused {:?}: {}", text, r);
                prop_assert_eq!(r.path, "/clients/0/sessions/0/note");
            }
            Err(other) => prop_assert!(false, "{}", other),
        }
    }
}
