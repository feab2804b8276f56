//! The dosing day as clinics document it (issue 10): pre-dose checks, timed readings,
//! discharge and adverse events round-trip through the interchange, are written only
//! when they hold something, and are checked like every other record.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::records::*;
use serde_json::{Value, json};

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

/// The example with a whole monitored dosing day on its dosing session.
fn monitored_day() -> Value {
    let mut doc = example();
    let dosing = &mut doc["clients"][0]["sessions"][1];
    assert_eq!(dosing["kind"], "dosing");
    dosing["pre_dose"] = json!({
        "checked_at": "2026-04-30T13:40:00+02:00",
        "hours_fasted": 4.5,
        "substances_today": ["cannabis"],
        "ride_home": "Partner, Sam",
        "notes": "Slept well; light breakfast at 9."
    });
    dosing["dose"]["lot_number"] = json!("KX-2291");
    dosing["monitoring"] = json!([
        {"at": "2026-04-30T13:55:00+02:00", "systolic": 128, "diastolic": 82, "heart_rate": 74, "spo2": 98, "sedation": 5},
        {"at": "2026-04-30T14:30:00+02:00", "systolic": 142, "diastolic": 88, "heart_rate": 81, "spo2": 96, "sedation": 4,
         "dissociation_items": [2, 1, 3, null, 0, 1], "note": "Eyes closed, settled."},
        {"at": "2026-04-30T15:45:00+02:00", "systolic": 124, "heart_rate": 70}
    ]);
    dosing["discharge"] = json!({
        "at": "2026-04-30T16:20:00+02:00",
        "alert_and_oriented": true,
        "walking_steadily": true,
        "vitals_near_baseline": true,
        "left_with": "Sam"
    });
    dosing["adverse_events"] = json!([
        {"id": "5b0c8f2e-2f1a-4c61-9d7e-0a1b2c3d4e90", "at": "2026-04-30T14:20:00+02:00",
         "kind": "nausea", "severity": "mild", "action": "Ginger tea; settled in ten minutes."}
    ]);
    doc
}

fn without_exported_at(mut value: Value) -> Value {
    value.as_object_mut().unwrap().remove("exported_at");
    value
}

#[test]
fn a_monitored_dosing_day_round_trips_and_v1_documents_export_as_before() {
    let doc = monitored_day();
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    let exported = export_value(&vault);
    let session = &exported["clients"][0]["sessions"][1];
    for key in ["pre_dose", "monitoring", "discharge", "adverse_events"] {
        assert_eq!(session[key], doc["clients"][0]["sessions"][1][key], "{key}");
    }
    assert_eq!(session["dose"]["lot_number"], "KX-2291");
    // And back again, unchanged.
    let mut document = exported.clone();
    document["exported_at"] = json!("2026-05-01T00:00:00+00:00");
    let (_tv2, mut again) = TestVault::new();
    interchange::import(&mut again, &document.to_string()).unwrap();
    assert_eq!(export_value(&again), exported);

    // The v1 example keeps exporting exactly its canonical form: nothing added.
    let (_tv3, mut v1) = TestVault::new();
    interchange::import(&mut v1, EXAMPLE).unwrap();
    let canonical: Value = serde_json::from_str(EXAMPLE_CANONICAL).unwrap();
    assert_eq!(export_value(&v1), without_exported_at(canonical));
}

#[test]
fn added_properties_are_written_only_when_they_hold_something() {
    let mut doc = example();
    let dosing = &mut doc["clients"][0]["sessions"][1];
    dosing["dose"]["lot_number"] = json!("");
    dosing["monitoring"] = json!([]);
    dosing["adverse_events"] = json!([]);
    dosing["pre_dose"] = Value::Null;
    dosing["discharge"] = Value::Null;
    dosing["monitoring"] = json!([{"at": "2026-04-30T14:30:00+02:00"}]);
    let (_tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    let exported = export_value(&vault);
    let session = exported["clients"][0]["sessions"][1].as_object().unwrap();
    for key in ["pre_dose", "discharge", "adverse_events"] {
        assert!(!session.contains_key(key), "{key} written while empty");
    }
    assert!(
        !session["dose"]
            .as_object()
            .unwrap()
            .contains_key("lot_number")
    );
    assert_eq!(
        session["monitoring"],
        json!([{"at": "2026-04-30T14:30:00+02:00"}]),
        "a reading writes only what was measured"
    );
}

fn rejected_at(doc: Value, path: &str) {
    let (tv, mut vault) = TestVault::new();
    let err = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
    match &err {
        kapnotes::Error::Rejected(rejection) => assert_eq!(rejection.path, path, "{err}"),
        other => panic!("not a rejection: {other}"),
    }
    drop(vault);
    let vault = kapnotes::Vault::unlock(&tv.path, PASSPHRASE, kapnotes::Access::ReadOnly).unwrap();
    assert!(vault.list_clients().unwrap().is_empty(), "nothing written");
}

#[test]
fn readings_out_of_order_and_other_bad_dosing_records_are_refused_with_their_path() {
    let mut doc = monitored_day();
    doc["clients"][0]["sessions"][1]["monitoring"][2]["at"] = json!("2026-04-30T14:00:00+02:00");
    rejected_at(doc, "/clients/0/sessions/1/monitoring/2/at");

    let mut doc = monitored_day();
    doc["clients"][0]["sessions"][1]["monitoring"][0]["sedation"] = json!(6);
    rejected_at(doc, "/clients/0/sessions/1/monitoring/0/sedation");

    let mut doc = monitored_day();
    doc["clients"][0]["sessions"][1]["monitoring"][1]["dissociation_items"] = json!([1, 2, 3]);
    rejected_at(doc, "/clients/0/sessions/1/monitoring/1/dissociation_items");

    let mut doc = monitored_day();
    doc["clients"][0]["sessions"][1]["adverse_events"][0]["severity"] = json!("grave");
    rejected_at(doc, "/clients/0/sessions/1/adverse_events/0/severity");

    let mut doc = monitored_day();
    doc["clients"][0]["sessions"][1]["adverse_events"][0]["id"] =
        doc["clients"][0]["sessions"][1]["id"].clone();
    rejected_at(doc, "/clients/0/sessions/1/adverse_events/0/id");

    // Only a dosing session has a dosing day.
    let mut doc = example();
    let preparation = &mut doc["clients"][0]["sessions"][0];
    assert_ne!(preparation["kind"], "dosing");
    preparation["discharge"] = json!({"at": "2026-04-30T16:20:00+02:00"});
    rejected_at(doc, "/clients/0/sessions/0/discharge");
}

#[test]
fn the_cadss_6_total_is_derived_only_from_six_answered_items() {
    let reading = |items: Vec<Option<u8>>| Reading {
        at: ts("2026-04-30T14:30:00+02:00"),
        systolic: None,
        diastolic: None,
        heart_rate: None,
        spo2: None,
        sedation: None,
        dissociation_items: items,
        note: String::new(),
    };
    assert_eq!(reading(vec![Some(4); 6]).dissociation_total(), Some(24));
    assert_eq!(reading(vec![Some(0); 6]).dissociation_total(), Some(0));
    assert_eq!(
        reading(vec![Some(2), Some(1), Some(3), None, Some(0), Some(1)]).dissociation_total(),
        None,
        "a skipped item means no total"
    );
    assert_eq!(reading(vec![]).dissociation_total(), None);
}
