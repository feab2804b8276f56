//! The thresholds of the dosing-day rules: one table ([`DOSING_THRESHOLDS`]), each
//! with its default, the bounds a clinician may set it within, and the source of the
//! default. The clinician's changes are kept sealed in the vault (`Vault::thresholds`)
//! and carried in the whole-vault export; what is not changed follows the default.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One changeable threshold. Its snake_case name is its key in the vault and in the
/// interchange document (`thresholds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ThresholdKey {
    BloodPressureStopSystolic,
    BloodPressureStopDiastolic,
    BloodPressureWarnSystolic,
    BloodPressureWarnDiastolic,
    Spo2StopBelow,
    Spo2WarnBelow,
    SedationStopAtOrBelow,
    SedationWarnAtOrBelow,
    ObservationMinutes,
}

/// A row of the table: what the threshold means, its default and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ThresholdSpec {
    pub key: ThresholdKey,
    /// What the Settings screen and docs/RULES.md call it.
    pub label: &'static str,
    pub unit: &'static str,
    pub default: u32,
    /// The sensible range a clinician may set it within (inclusive).
    pub min: u32,
    pub max: u32,
    pub source: &'static str,
}

const SPRAVATO_PI: &str = "SPRAVATO (esketamine) Prescribing Information, section 5 (Increase in Blood Pressure): before dosing, an elevated blood pressure (e.g. above 140/90 mmHg) calls for weighing the risk";
const HOLD_POINT_BP: &str = "2018 ESC/ESH hypertension guideline: grade 2 hypertension begins at 160/100 mmHg, the hold point KAP and ketamine-clinic protocols commonly use before dosing";
const HYPOXAEMIA: &str = "WHO Pulse Oximetry Training Manual (2011): SpO₂ below 90 % is hypoxaemia needing prompt action";
const LOW_SPO2: &str = "BTS guideline for oxygen use in adults (O'Driscoll et al., 2017): a saturation below 92 % calls for assessment";
const MOAAS_DEEP: &str = "MOAA/S (Chernik et al., 1990) with the ASA continuum of depth of sedation (2019): a response only to prodding or pain is beyond moderate sedation";
const MOAAS_MODERATE: &str = "MOAA/S (Chernik et al., 1990) with the ASA continuum of depth of sedation (2019): responding only to a loud or repeated call is moderate sedation";
const SPRAVATO_REMS: &str = "SPRAVATO REMS: observation by a healthcare provider for at least 2 hours after each dose, until the patient is safe to leave";

/// Every threshold of the dosing-day rules, with its default and source.
pub const DOSING_THRESHOLDS: [ThresholdSpec; 9] = [
    ThresholdSpec {
        key: ThresholdKey::BloodPressureStopSystolic,
        label: "Stop: systolic before the dose at or above",
        unit: "mmHg",
        default: 160,
        min: 120,
        max: 220,
        source: HOLD_POINT_BP,
    },
    ThresholdSpec {
        key: ThresholdKey::BloodPressureStopDiastolic,
        label: "Stop: diastolic before the dose at or above",
        unit: "mmHg",
        default: 100,
        min: 70,
        max: 130,
        source: HOLD_POINT_BP,
    },
    ThresholdSpec {
        key: ThresholdKey::BloodPressureWarnSystolic,
        label: "Warning: systolic before the dose at or above",
        unit: "mmHg",
        default: 140,
        min: 110,
        max: 220,
        source: SPRAVATO_PI,
    },
    ThresholdSpec {
        key: ThresholdKey::BloodPressureWarnDiastolic,
        label: "Warning: diastolic before the dose at or above",
        unit: "mmHg",
        default: 90,
        min: 60,
        max: 130,
        source: SPRAVATO_PI,
    },
    ThresholdSpec {
        key: ThresholdKey::Spo2StopBelow,
        label: "Stop: oxygen saturation below",
        unit: "%",
        default: 90,
        min: 80,
        max: 99,
        source: HYPOXAEMIA,
    },
    ThresholdSpec {
        key: ThresholdKey::Spo2WarnBelow,
        label: "Warning: oxygen saturation below",
        unit: "%",
        default: 92,
        min: 80,
        max: 99,
        source: LOW_SPO2,
    },
    ThresholdSpec {
        key: ThresholdKey::SedationStopAtOrBelow,
        label: "Stop: MOAA/S sedation at or below",
        unit: "level (5 alert … 0)",
        default: 2,
        min: 0,
        max: 4,
        source: MOAAS_DEEP,
    },
    ThresholdSpec {
        key: ThresholdKey::SedationWarnAtOrBelow,
        label: "Warning: MOAA/S sedation at or below",
        unit: "level (5 alert … 0)",
        default: 3,
        min: 0,
        max: 4,
        source: MOAAS_MODERATE,
    },
    ThresholdSpec {
        key: ThresholdKey::ObservationMinutes,
        label: "Observation after the dose before discharge, at least",
        unit: "minutes",
        default: 120,
        min: 30,
        max: 480,
        source: SPRAVATO_REMS,
    },
];

/// Pairs whose warning must not lie beyond their stop: (warning, stop, the warning
/// must be at most the stop (`true`) or at least it (`false`)).
const ORDERED: [(ThresholdKey, ThresholdKey, bool); 4] = [
    (
        ThresholdKey::BloodPressureWarnSystolic,
        ThresholdKey::BloodPressureStopSystolic,
        true,
    ),
    (
        ThresholdKey::BloodPressureWarnDiastolic,
        ThresholdKey::BloodPressureStopDiastolic,
        true,
    ),
    (
        ThresholdKey::Spo2WarnBelow,
        ThresholdKey::Spo2StopBelow,
        false,
    ),
    (
        ThresholdKey::SedationWarnAtOrBelow,
        ThresholdKey::SedationStopAtOrBelow,
        false,
    ),
];

impl ThresholdKey {
    pub fn spec(self) -> &'static ThresholdSpec {
        // The table holds every key (a test checks it).
        DOSING_THRESHOLDS
            .iter()
            .find(|s| s.key == self)
            .unwrap_or(&DOSING_THRESHOLDS[0])
    }

    /// The key as it is written in the vault and the interchange document.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// The thresholds the clinician changed; every other one follows its default. Only
/// values that differ from the default are kept, so "all defaults" is empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DosingThresholds {
    changed: BTreeMap<ThresholdKey, u32>,
}

impl DosingThresholds {
    /// The value the rules use for `key`.
    pub fn get(&self, key: ThresholdKey) -> u32 {
        self.changed
            .get(&key)
            .copied()
            .unwrap_or(key.spec().default)
    }

    /// Sets `key` (a value equal to the default is the same as not changing it).
    /// Checked as a whole by [`DosingThresholds::check`].
    pub fn set(&mut self, key: ThresholdKey, value: u32) {
        if value == key.spec().default {
            self.changed.remove(&key);
        } else {
            self.changed.insert(key, value);
        }
    }

    pub fn is_default(&self) -> bool {
        self.changed.is_empty()
    }

    /// The changed thresholds, by key.
    pub fn changed(&self) -> impl Iterator<Item = (ThresholdKey, u32)> + '_ {
        self.changed.iter().map(|(k, v)| (*k, *v))
    }

    /// Drops values equal to their default (as read from a document, say).
    pub fn normalized(mut self) -> Self {
        self.changed.retain(|k, v| *v != k.spec().default);
        self
    }

    /// Refuses a value outside its bounds, or a warning beyond its stop, naming its
    /// path under `base` (`/thresholds` in a document).
    pub fn check(&self, base: &str) -> Result<()> {
        for (key, value) in self.changed() {
            let spec = key.spec();
            if value < spec.min || value > spec.max {
                return Err(Error::rejected(
                    format!("{base}/{}", key.name()),
                    format!(
                        "\"{}\" must lie between {} and {} {}",
                        spec.label, spec.min, spec.max, spec.unit
                    ),
                ));
            }
        }
        for (warn, stop, at_most) in ORDERED {
            let (w, s) = (self.get(warn), self.get(stop));
            if (at_most && w > s) || (!at_most && w < s) {
                let path = if self.changed.contains_key(&warn) {
                    warn
                } else {
                    stop
                };
                return Err(Error::rejected(
                    format!("{base}/{}", path.name()),
                    format!(
                        "the warning \"{}\" ({w}) must not lie beyond the stop \"{}\" ({s})",
                        warn.spec().label,
                        stop.spec().label
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_key_once_with_its_default_inside_its_bounds() {
        for (i, spec) in DOSING_THRESHOLDS.iter().enumerate() {
            assert_eq!(spec.key.spec(), spec, "{:?} found in the table", spec.key);
            assert!(
                DOSING_THRESHOLDS[..i].iter().all(|s| s.key != spec.key),
                "{:?} twice",
                spec.key
            );
            assert!(spec.min <= spec.default && spec.default <= spec.max);
            assert!(!spec.source.is_empty());
        }
        assert!(DosingThresholds::default().check("/thresholds").is_ok());
    }

    #[test]
    fn the_schema_gives_each_threshold_the_bounds_of_the_table() {
        let schema: serde_json::Value =
            serde_json::from_str(crate::validation::SCHEMA_JSON).unwrap();
        let properties = &schema["$defs"]["thresholds"]["properties"];
        assert_eq!(
            properties.as_object().unwrap().len(),
            DOSING_THRESHOLDS.len()
        );
        for spec in DOSING_THRESHOLDS {
            let property = &properties[spec.key.name()];
            assert_eq!(property["minimum"], spec.min, "{:?}", spec.key);
            assert_eq!(property["maximum"], spec.max, "{:?}", spec.key);
        }
    }

    #[test]
    fn a_value_at_its_default_is_not_kept() {
        let mut t = DosingThresholds::default();
        t.set(ThresholdKey::ObservationMinutes, 90);
        assert_eq!(t.get(ThresholdKey::ObservationMinutes), 90);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"observation_minutes":90}"#
        );
        t.set(ThresholdKey::ObservationMinutes, 120);
        assert!(t.is_default());
    }

    #[test]
    fn values_out_of_bounds_or_order_are_refused_with_their_path() {
        let refused = |key, value| {
            let mut t = DosingThresholds::default();
            t.changed.insert(key, value);
            t.check("/thresholds").err().map(|e| e.to_string())
        };
        assert!(refused(ThresholdKey::ObservationMinutes, 30).is_none());
        assert!(
            refused(ThresholdKey::ObservationMinutes, 29)
                .unwrap()
                .contains("at /thresholds/observation_minutes:")
        );
        assert!(refused(ThresholdKey::ObservationMinutes, 480).is_none());
        assert!(refused(ThresholdKey::ObservationMinutes, 481).is_some());
        // A warning beyond its stop.
        assert!(refused(ThresholdKey::BloodPressureWarnSystolic, 160).is_none());
        assert!(
            refused(ThresholdKey::BloodPressureWarnSystolic, 161)
                .unwrap()
                .contains("/thresholds/blood_pressure_warn_systolic")
        );
        assert!(refused(ThresholdKey::Spo2WarnBelow, 90).is_none());
        assert!(refused(ThresholdKey::Spo2WarnBelow, 89).is_some());
        assert!(refused(ThresholdKey::SedationStopAtOrBelow, 3).is_none());
        assert!(
            refused(ThresholdKey::SedationStopAtOrBelow, 4)
                .unwrap()
                .contains("/thresholds/sedation_stop_at_or_below")
        );
    }

    #[test]
    fn an_unknown_threshold_does_not_read() {
        assert!(serde_json::from_str::<DosingThresholds>(r#"{"spo2_stop":80}"#).is_err());
        let t: DosingThresholds = serde_json::from_str(r#"{"spo2_stop_below":88}"#).unwrap();
        assert_eq!(t.get(ThresholdKey::Spo2StopBelow), 88);
    }
}
