//! `kapnotes check` judges by the thresholds the vault keeps, like the app.

use crate::common::*;
use crate::run_kapnotes;
use kapnotes::interchange;
use kapnotes::rules::{DosingThresholds, ThresholdKey};
use kapnotes::{Access, Vault};
use serde_json::{Value, json};

fn kapnotes_check(vault: &std::path::Path) -> String {
    let out = run_kapnotes(
        vault,
        &["check", "--client", CLIENT, "--as-of", "2026-05-10"],
        &format!("{PASSPHRASE}\n"),
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn kapnotes_check_judges_by_the_vaults_thresholds() {
    // The example with a reading of 135/80 before its dose (its v1 reading, which
    // counts as one taken just before the dose, left out).
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    let dosing = &mut doc["clients"][0]["sessions"][1];
    dosing["observations"]["blood_pressure_pre"] = Value::Null;
    dosing["monitoring"] =
        json!([{"at": "2026-04-30T14:05:00+00:00", "systolic": 135, "diastolic": 80}]);
    let (tv, mut vault) = TestVault::new();
    interchange::import(&mut vault, &doc.to_string()).unwrap();
    drop(vault);
    assert!(!kapnotes_check(&tv.path).contains("blood-pressure-raised-before-dose"));
    let mut vault = Vault::unlock(&tv.path, PASSPHRASE, Access::ReadWrite).unwrap();
    vault
        .set_thresholds(&{
            let mut thresholds = DosingThresholds::default();
            thresholds.set(ThresholdKey::BloodPressureWarnSystolic, 135);
            thresholds
        })
        .unwrap();
    drop(vault);
    let printed = kapnotes_check(&tv.path);
    assert!(
        printed.contains("WARN") && printed.contains("blood-pressure-raised-before-dose"),
        "{printed}"
    );
}
