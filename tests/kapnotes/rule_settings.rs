//! What the rules judge by beside the records (issue 10): the dosing-day thresholds the
//! clinician sets, kept sealed in the vault, audited, read alike by the app's core and
//! `kapnotes check`, carried in the whole-vault export; and the date from which the
//! vault has the dosing-day record.

use crate::common::*;
use kapnotes::interchange;
use kapnotes::rules::{DosingThresholds, ThresholdKey};
use kapnotes::vault::AuditAction;
use kapnotes::{Access, ExportScope, Vault};
use serde_json::{Value, json};

fn changed(pairs: &[(ThresholdKey, u32)]) -> DosingThresholds {
    let mut t = DosingThresholds::default();
    for (key, value) in pairs {
        t.set(*key, *value);
    }
    t
}

fn trail_length(vault: &Vault) -> usize {
    vault.audit_trail().unwrap().entries.len()
}

#[test]
fn thresholds_are_kept_sealed_audited_and_restored_to_their_defaults() {
    let (tv, mut vault) = TestVault::new();
    assert!(vault.thresholds().unwrap().is_default());
    let t = changed(&[
        (ThresholdKey::ObservationMinutes, 150),
        (ThresholdKey::Spo2WarnBelow, 94),
    ]);
    vault.set_thresholds(&t).unwrap();
    let entry = vault
        .audit_trail()
        .unwrap()
        .entries
        .last()
        .cloned()
        .unwrap();
    assert_eq!(entry.action, AuditAction::Updated);
    assert_eq!(entry.record_id.as_deref(), Some("thresholds"));
    assert!(entry.content_sha256.is_some());
    drop(vault);
    assert!(
        !contains(&read_all_bytes(&tv.path), b"observation_minutes"),
        "stored sealed"
    );
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(vault.thresholds().unwrap(), t);
    assert_eq!(vault.rule_settings().unwrap().thresholds, t);
    // Saving the same values again records nothing.
    let before = trail_length(&vault);
    vault.set_thresholds(&t).unwrap();
    assert_eq!(trail_length(&vault), before);
    // Restoring the defaults removes the setting, recorded.
    vault.set_thresholds(&DosingThresholds::default()).unwrap();
    assert!(vault.thresholds().unwrap().is_default());
    let entry = vault
        .audit_trail()
        .unwrap()
        .entries
        .last()
        .cloned()
        .unwrap();
    assert_eq!(entry.action, AuditAction::Deleted);
    assert!(vault.verify().unwrap().is_clean());
}

#[test]
fn a_threshold_out_of_bounds_or_beyond_its_stop_is_refused_with_its_path() {
    let (_tv, mut vault) = TestVault::new();
    let before = trail_length(&vault);
    for (pairs, path) in [
        (
            vec![(ThresholdKey::ObservationMinutes, 29)],
            "/thresholds/observation_minutes",
        ),
        (
            vec![(ThresholdKey::BloodPressureStopSystolic, 221)],
            "/thresholds/blood_pressure_stop_systolic",
        ),
        (
            vec![(ThresholdKey::Spo2WarnBelow, 88)],
            "/thresholds/spo2_warn_below",
        ),
    ] {
        let error = vault.set_thresholds(&changed(&pairs)).unwrap_err();
        assert_eq!(error.kind(), kapnotes::ErrorKind::Rejected);
        assert!(error.to_string().contains(path), "{error}");
        assert!(
            error.to_string().ends_with("Nothing was written."),
            "{error}"
        );
    }
    assert!(vault.thresholds().unwrap().is_default());
    assert_eq!(trail_length(&vault), before);
}

#[test]
fn the_whole_vault_export_carries_changed_thresholds_and_an_import_takes_them_back() {
    let (_tv, mut vault) = TestVault::with_example();
    assert!(
        export_value(&vault).get("thresholds").is_none(),
        "all defaults: not written"
    );
    let t = changed(&[(ThresholdKey::BloodPressureWarnSystolic, 135)]);
    vault.set_thresholds(&t).unwrap();
    let exported = export_value(&vault);
    assert_eq!(
        exported["thresholds"],
        json!({"blood_pressure_warn_systolic": 135})
    );
    // A records request is about one client, not the practice's settings.
    let one = interchange::export(
        &vault,
        &ExportScope::Client {
            id: CLIENT.into(),
            include_psychotherapy_notes: false,
        },
    )
    .unwrap();
    assert!(one.thresholds.is_none());

    // Into a vault with none of its own: taken, with its audit entry.
    let mut document = exported.clone();
    document["exported_at"] = json!("2026-05-10T12:00:00+00:00");
    let (_tv2, mut fresh) = TestVault::new();
    interchange::import(&mut fresh, &document.to_string()).unwrap();
    assert_eq!(fresh.thresholds().unwrap(), t);
    assert_eq!(export_value(&fresh), exported);
    assert!(fresh.verify().unwrap().is_clean());
    // Into a vault that has its own: kept as the clinician set them there.
    let own = changed(&[(ThresholdKey::ObservationMinutes, 90)]);
    let (_tv3, mut other) = TestVault::new();
    other.set_thresholds(&own).unwrap();
    interchange::import(&mut other, &document.to_string()).unwrap();
    assert_eq!(other.thresholds().unwrap(), own);
}

#[test]
fn an_import_with_thresholds_out_of_bounds_is_refused_with_the_path() {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    let (_tv, mut vault) = TestVault::new();
    for (thresholds, path) in [
        (
            json!({"spo2_stop_below": 79}),
            "/thresholds/spo2_stop_below",
        ),
        (json!({"sedation_warn_at_or_below": 1}), "/thresholds/"),
        (json!({"not_a_threshold": 1}), "/thresholds"),
    ] {
        doc["thresholds"] = thresholds;
        let error = interchange::import(&mut vault, &doc.to_string()).unwrap_err();
        assert!(error.to_string().contains(path), "{error}");
        assert!(vault.list_clients().unwrap().is_empty());
        assert!(vault.thresholds().unwrap().is_default());
    }
    // Only defaults: accepted, and nothing is stored.
    doc["thresholds"] = json!({"observation_minutes": 120});
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    assert!(vault.thresholds().unwrap().is_default());
    assert!(export_value(&vault).get("thresholds").is_none());
}

#[test]
fn the_vault_records_once_when_it_gained_the_dosing_day() {
    let (tv, vault) = TestVault::new();
    let since = vault
        .dosing_day_since()
        .unwrap()
        .expect("recorded at creation");
    let created = vault.audit_trail().unwrap().entries[1].clone();
    assert_eq!(created.action, AuditAction::Created);
    assert_eq!(created.record_id.as_deref(), Some("dosing_day_since"));
    drop(vault);
    let vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    assert_eq!(
        vault.dosing_day_since().unwrap(),
        Some(since),
        "never moved"
    );
    assert!(vault.verify().unwrap().is_clean());
}

#[test]
fn a_vault_from_before_the_dosing_day_gains_its_date_when_first_opened_for_writing() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("format-1.kapnotes");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vaults/format-1.kapnotes"
        ),
        &copy,
    )
    .unwrap();
    let reader = Vault::unlock(&copy, PASSPHRASE, Access::ReadOnly).unwrap();
    assert_eq!(reader.dosing_day_since().unwrap(), None);
    drop(reader);
    let opened = kapnotes::records::Timestamp::now();
    let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadWrite).unwrap();
    let since = vault.dosing_day_since().unwrap().unwrap();
    assert!(since >= opened);
    assert!(vault.verify().unwrap().is_clean());
    // Its sessions, all from before, are not asked for a monitored day.
    let settings = vault.rule_settings().unwrap();
    let findings = kapnotes::rules::check_client(
        &vault.client(CLIENT).unwrap(),
        ts("2026-05-10T12:00:00+00:00").instant(),
        &settings,
    );
    assert!(
        findings
            .iter()
            .all(|f| f.code != "dosing-day-record-incomplete")
    );
}

#[test]
fn thresholds_removed_or_put_back_behind_kapnotes_back_are_caught() {
    let (tv, mut vault) = TestVault::new();
    vault
        .set_thresholds(&changed(&[
            (ThresholdKey::Spo2StopBelow, 92),
            (ThresholdKey::Spo2WarnBelow, 94),
        ]))
        .unwrap();
    let conn = rusqlite::Connection::open(&tv.path).unwrap();
    let older: Vec<u8> = conn
        .query_row(
            "SELECT sealed FROM settings WHERE id = 'thresholds'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    vault
        .set_thresholds(&changed(&[(ThresholdKey::Spo2WarnBelow, 95)]))
        .unwrap();
    drop(vault);
    for tamper in [
        // Back to the defaults, silently.
        "DELETE FROM settings WHERE id = 'thresholds'".to_owned(),
        // The earlier value put back (under the earlier revision, so it opens).
        "UPDATE settings SET revision = 1, sealed = ?1 WHERE id = 'thresholds'".to_owned(),
    ] {
        let copy = tv.file("tampered.kapnotes");
        kapnotes::vault::backup_file(&tv.path, &copy).unwrap();
        let conn = rusqlite::Connection::open(&copy).unwrap();
        if tamper.contains("?1") {
            conn.execute(&tamper, [&older]).unwrap();
        } else {
            conn.execute(&tamper, []).unwrap();
        }
        drop(conn);
        let vault = Vault::unlock(&copy, PASSPHRASE, Access::ReadOnly).unwrap();
        assert!(!vault.trail_problems().is_empty(), "{tamper}");
        assert!(!vault.verify().unwrap().is_clean(), "{tamper}");
        drop(vault);
        std::fs::remove_file(&copy).unwrap();
    }
}
