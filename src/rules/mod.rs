//! Clinical rules, in the core so the desktop app and the command line say the same
//! thing: the dose band and the prescriber's range for a dose, the decision a check-in
//! forces, the safety findings across a course ([`findings`]) with the thresholds a
//! clinician may change ([`thresholds`]), and the course summary ([`course`]).

mod acknowledged;
mod course;
pub mod findings;
mod grouping;
pub mod retention;
pub mod thresholds;

pub use acknowledged::{
    AcknowledgedFinding, acknowledgement_of, may_be_acknowledged, record_sha256, split_acknowledged,
};
pub use course::{Course, CourseMeasure, DosePoint, ProtectorHold, course};
pub use findings::{
    Finding, RuleSettings, Severity, Subject, THRESHOLDS, Thresholds, check_client,
};
pub use grouping::{FindingGroup, group_findings};
pub use retention::{Retention, RetentionPeriods, retention};
pub use thresholds::{DOSING_THRESHOLDS, DosingThresholds, ThresholdKey, ThresholdSpec};

use crate::records::{CheckInResponse, Decision, Prescriber, Signal};
use serde::Serialize;

/// The dose bands of KAP, on the total of dose and booster (mg).
pub const PSYCHOLYTIC_MG: (f64, f64) = (25.0, 150.0);
pub const PSYCHEDELIC_MG: (f64, f64) = (200.0, 400.0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DoseBand {
    /// 25–150 mg: gentle, parts stay in contact.
    Psycholytic,
    /// 200–400 mg: deep processing, higher risk of flooding.
    Psychedelic,
    /// Below 25, between 150 and 200, or above 400 mg.
    OutsideBands,
}

pub fn dose_band(total_mg: f64) -> DoseBand {
    let within = |(low, high): (f64, f64)| total_mg >= low && total_mg <= high;
    if within(PSYCHOLYTIC_MG) {
        DoseBand::Psycholytic
    } else if within(PSYCHEDELIC_MG) {
        DoseBand::Psychedelic
    } else {
        DoseBand::OutsideBands
    }
}

/// How a dose stands against the prescriber's range and the bands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DoseAssessment {
    pub total_mg: f64,
    pub band: DoseBand,
    /// `None` when no prescriber range is on file.
    pub within_prescribed_range: Option<bool>,
    /// One plain sentence for the clinician, or `None` when all is in order.
    pub warning: Option<String>,
}

fn mg(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0} mg")
    } else {
        format!("{value} mg")
    }
}

/// Assesses a dose plus booster against the prescriber's range.
pub fn assess_dose(
    prescriber: Option<&Prescriber>,
    dose_mg: f64,
    booster_mg: Option<f64>,
) -> DoseAssessment {
    let total_mg = dose_mg + booster_mg.unwrap_or(0.0);
    let band = dose_band(total_mg);
    let within =
        prescriber.map(|p| total_mg >= p.dose_min_mg.value() && total_mg <= p.dose_max_mg.value());
    let warning = match (prescriber, within) {
        (None, _) => Some(
            "No prescriber's range is on file for this client: record it before dosing.".to_owned(),
        ),
        (Some(p), Some(false)) => Some(format!(
            "The total dose of {} is outside the prescriber's range of {} to {}.",
            mg(total_mg),
            mg(p.dose_min_mg.value()),
            mg(p.dose_max_mg.value())
        )),
        _ => None,
    };
    DoseAssessment {
        total_mg,
        band,
        within_prescribed_range: within,
        warning,
    }
}

/// The decision a check-in must record: any red answer means the session is held off.
/// `None` leaves the decision to the clinician.
pub fn forced_decision(responses: &[CheckInResponse]) -> Option<Decision> {
    responses
        .iter()
        .any(|r| r.signal == Signal::Red)
        .then_some(Decision::HoldOff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Number, Route};

    fn prescriber(min: f64, max: f64) -> Prescriber {
        Prescriber {
            name: "Dr. M".into(),
            organization: None,
            dose_min_mg: Number(min),
            dose_max_mg: Number(max),
            route: Route::Sublingual,
            prescribed_on: None,
            next_medical_follow_up: None,
        }
    }

    #[test]
    fn bands_have_sharp_edges() {
        assert_eq!(dose_band(24.9), DoseBand::OutsideBands);
        assert_eq!(dose_band(25.0), DoseBand::Psycholytic);
        assert_eq!(dose_band(150.0), DoseBand::Psycholytic);
        assert_eq!(dose_band(150.5), DoseBand::OutsideBands);
        assert_eq!(dose_band(199.0), DoseBand::OutsideBands);
        assert_eq!(dose_band(200.0), DoseBand::Psychedelic);
        assert_eq!(dose_band(400.0), DoseBand::Psychedelic);
        assert_eq!(dose_band(401.0), DoseBand::OutsideBands);
    }

    #[test]
    fn the_booster_counts_toward_the_range() {
        let p = prescriber(50.0, 150.0);
        assert!(assess_dose(Some(&p), 100.0, None).warning.is_none());
        let over = assess_dose(Some(&p), 125.0, Some(50.0));
        assert_eq!(over.total_mg, 175.0);
        assert_eq!(over.within_prescribed_range, Some(false));
        assert_eq!(
            over.warning.as_deref(),
            Some("The total dose of 175 mg is outside the prescriber's range of 50 mg to 150 mg.")
        );
        assert!(
            assess_dose(None, 100.0, None)
                .warning
                .unwrap()
                .contains("No prescriber")
        );
    }

    #[test]
    fn any_red_forces_hold_off() {
        let answer = |signal| CheckInResponse {
            part: "p".into(),
            signal,
            concerns: String::new(),
            requests: String::new(),
        };
        assert_eq!(
            forced_decision(&[answer(Signal::Green), answer(Signal::Red)]),
            Some(Decision::HoldOff)
        );
        assert_eq!(
            forced_decision(&[answer(Signal::Green), answer(Signal::Yellow)]),
            None
        );
    }
}
