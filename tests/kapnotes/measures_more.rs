//! WHO-5, EBI and MEQ-30 through the interchange and the vault: each imports with its
//! own answer count and range, round-trips, scores as entered, and is refused (writing
//! nothing) with one answer too few or too many, or an answer out of range.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::records::{Instrument, Measure, new_id};
use kapnotes::{Error, ExportScope, measures};
use serde_json::{Value, json};

const WHO5: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e73";
const EBI: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e74";
const MEQ30: &str = "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e75";

/// The example with one of each new measure added (measures 3, 4 and 5).
fn example_with_new_measures() -> Value {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    let measures = doc["clients"][0]["measures"].as_array_mut().unwrap();
    measures.push(
        json!({"id": WHO5, "instrument": "WHO-5", "taken_on": "2026-04-02",
        "answers": [3, 3, 2, 2, 2], "session": null}),
    );
    measures.push(
        json!({"id": EBI, "instrument": "EBI", "taken_on": "2026-04-24",
        "answers": [10, 20, 35, 40, 55, 80], "session": DOSING}),
    );
    measures.push(
        json!({"id": MEQ30, "instrument": "MEQ-30", "taken_on": "2026-04-23",
        "answers": vec![3; 30], "session": DOSING}),
    );
    doc
}

#[test]
fn each_new_measure_imports_round_trips_and_scores() {
    let doc = example_with_new_measures();
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();

    let client = vault.client(CLIENT).unwrap();
    let scored = |id: &str| measures::score(client.measures.iter().find(|m| m.id == id).unwrap());
    // Hand-computed: WHO-5 raw 12 × 4 = 48; EBI 240 / 6 = 40; MEQ-30 every subscale at
    // exactly 60 %.
    assert_eq!(scored(WHO5).score, Some(48.0));
    assert_eq!(scored(WHO5).band, Some("poor wellbeing"));
    assert_eq!(scored(EBI).score, Some(40.0));
    assert_eq!(scored(EBI).band, None);
    assert_eq!(scored(MEQ30).band, Some("complete mystical experience"));

    let exported = export_value(&vault);
    let measures_out = exported["clients"][0]["measures"].as_array().unwrap();
    for id in [WHO5, EBI, MEQ30] {
        let original = doc["clients"][0]["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap();
        let out = measures_out.iter().find(|m| m["id"] == id).unwrap();
        assert_eq!(out["instrument"], original["instrument"]);
        assert_eq!(out["answers"], original["answers"]);
        assert_eq!(out["session"], original["session"]);
    }

    // Export, import into a new vault, export again: the same document.
    let first = interchange::export(&vault, &ExportScope::Everything)
        .unwrap()
        .to_canonical_json()
        .unwrap();
    let (_tv2, mut second) = TestVault::new();
    interchange::import(&mut second, &first).unwrap();
    assert_eq!(export_value(&second), exported);
}

/// Imports `doc` into an empty vault and checks it is refused at `path`, writing nothing.
fn assert_refused(doc: &Value, path: &str, why: &str) {
    let (_tv, mut vault) = TestVault::new();
    let before = export_value(&vault);
    match interchange::import(&mut vault, &doc.to_string()) {
        Err(Error::Rejected(rejection)) => assert_eq!(rejection.path, path, "{why}"),
        other => panic!("{why}: expected a rejection, got {other:?}"),
    }
    assert_eq!(
        export_value(&vault),
        before,
        "{why}: nothing may be written"
    );
}

#[test]
fn a_wrong_answer_count_or_range_is_refused_with_its_path() {
    // (measure index, answers, where the refusal points, why)
    let cases: Vec<(usize, Value, &str, &str)> = vec![
        (3, json!([3, 3, 2, 2]), "", "WHO-5 with 4 answers"),
        (3, json!([3, 3, 2, 2, 2, 2]), "", "WHO-5 with 6 answers"),
        (3, json!([3, 3, 2, 2, 6]), "/4", "WHO-5 answer above 5"),
        (4, json!([10, 20, 35, 40, 55]), "", "EBI with 5 answers"),
        (
            4,
            json!([10, 20, 35, 40, 55, 80, 90]),
            "",
            "EBI with 7 answers",
        ),
        (
            4,
            json!([10, 20, 35, 40, 55, 101]),
            "/5",
            "EBI answer above 100",
        ),
        (5, json!(vec![3; 29]), "", "MEQ-30 with 29 answers"),
        (5, json!(vec![3; 31]), "", "MEQ-30 with 31 answers"),
        (5, json!(vec![6; 30]), "/0", "MEQ-30 answer above 5"),
        (5, json!(vec![-1; 30]), "/0", "MEQ-30 answer below 0"),
    ];
    for (index, answers, item, why) in cases {
        let mut doc = example_with_new_measures();
        doc["clients"][0]["measures"][index]["answers"] = answers;
        let path = format!("/clients/0/measures/{index}/answers{item}");
        assert_refused(&doc, &path, why);
    }
}

#[test]
fn the_vault_refuses_a_new_measure_with_the_wrong_count_and_keeps_a_right_one() {
    let (_tv, mut vault) = TestVault::with_example();
    let before = export_value(&vault);
    let measure = |instrument, answers: Vec<Option<u8>>| Measure {
        id: new_id(),
        instrument,
        taken_on: date("2026-04-24"),
        answers,
        session: None,
        safety_follow_up: None,
    };
    for (instrument, answers) in [
        (Instrument::Who5, vec![Some(3); 4]),
        (Instrument::Ebi, vec![Some(50); 7]),
        (Instrument::Meq30, vec![Some(3); 29]),
        (Instrument::Meq30, vec![Some(9); 30]),
    ] {
        let err = vault
            .create_measure(CLIENT, measure(instrument, answers))
            .unwrap_err();
        assert!(matches!(err, Error::Rejected(_)), "{err}");
    }
    assert_eq!(
        export_value(&vault),
        before,
        "a refused measure writes nothing"
    );

    // A skipped item is allowed: it is kept as skipped and means no total.
    let mut answers = vec![Some(4); 30];
    answers[2] = None;
    let kept = measure(Instrument::Meq30, answers);
    vault.create_measure(CLIENT, kept.clone()).unwrap();
    let stored = vault.client(CLIENT).unwrap();
    let stored = stored.measures.iter().find(|m| m.id == kept.id).unwrap();
    assert_eq!(stored, &kept);
    let score = measures::score(stored);
    assert_eq!((score.score, score.band), (None, None));
    assert_eq!(score.skipped_items, [3]);
}
