//! The course of treatment at a glance: dosing sessions done against the plan, the
//! dose history, check-in outcomes, the next medical follow-up, scored measures, and
//! the findings.

use super::{AcknowledgedFinding, split_acknowledged};
use super::{
    DoseBand, Finding, FindingGroup, RuleSettings, check_client, dose_band, group_findings,
};
use crate::measures;
use crate::records::{Client, Date, Id, Instrument, SessionKind, SessionStatus, Signal, Timestamp};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DosePoint {
    pub session_id: Id,
    pub starts_at: Timestamp,
    pub total_mg: f64,
    pub band: DoseBand,
    pub flooding: bool,
}

/// How often a protector answered red, holding a session off.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProtectorHold {
    pub part_id: Id,
    pub name: String,
    pub times: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CourseMeasure {
    pub measure_id: Id,
    pub instrument: Instrument,
    pub taken_on: Date,
    pub score: measures::Score,
    pub safety_follow_up_recorded: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Course {
    pub dosing_sessions_done: usize,
    pub planned_dosing_sessions: Option<u32>,
    pub checkins: usize,
    pub held_off: usize,
    pub held_off_by: Vec<ProtectorHold>,
    pub doses: Vec<DosePoint>,
    pub next_medical_follow_up: Option<Date>,
    pub measures: Vec<CourseMeasure>,
    /// The open findings (every stop, and the warnings and notes not acknowledged).
    pub findings: Vec<Finding>,
    /// The open findings as read: one line per finding on several records.
    pub finding_groups: Vec<FindingGroup>,
    /// The warnings and notes acknowledged, each with its acknowledgement.
    pub acknowledged: Vec<AcknowledgedFinding>,
}

pub fn course(client: &Client, as_of: DateTime<FixedOffset>, settings: &RuleSettings) -> Course {
    let mut sessions: Vec<_> = client.sessions.iter().collect();
    sessions.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
    let dosing: Vec<_> = sessions
        .iter()
        .filter(|s| s.kind == SessionKind::Dosing)
        .collect();
    let doses = dosing
        .iter()
        .filter(|s| s.status == SessionStatus::Completed)
        .filter_map(|s| {
            s.dose.as_ref().map(|d| DosePoint {
                session_id: s.id.clone(),
                starts_at: s.starts_at.clone(),
                total_mg: d.total_mg(),
                band: dose_band(d.total_mg()),
                flooding: s
                    .observations
                    .as_ref()
                    .is_some_and(|o| !o.flooding_signs.is_empty()),
            })
        })
        .collect::<Vec<_>>();
    let mut held_off_by: Vec<ProtectorHold> = Vec::new();
    for s in dosing.iter().filter(|s| s.status == SessionStatus::HeldOff) {
        for response in s
            .checkin
            .iter()
            .flat_map(|c| &c.responses)
            .filter(|r| r.signal == Signal::Red)
        {
            match held_off_by.iter_mut().find(|h| h.part_id == response.part) {
                Some(hold) => hold.times += 1,
                None => held_off_by.push(ProtectorHold {
                    part_id: response.part.clone(),
                    name: client
                        .part(&response.part)
                        .map_or_else(String::new, |p| p.name.clone()),
                    times: 1,
                }),
            }
        }
    }
    held_off_by.sort_by(|a, b| b.times.cmp(&a.times).then_with(|| a.name.cmp(&b.name)));
    let mut measures_list: Vec<CourseMeasure> = client
        .measures
        .iter()
        .map(|m| CourseMeasure {
            measure_id: m.id.clone(),
            instrument: m.instrument,
            taken_on: m.taken_on,
            score: measures::score(m),
            safety_follow_up_recorded: m.safety_follow_up.is_some(),
        })
        .collect();
    measures_list.sort_by_key(|m| m.taken_on);
    let (findings, acknowledged) =
        split_acknowledged(client, check_client(client, as_of, settings));
    Course {
        acknowledged,
        finding_groups: group_findings(&findings),
        dosing_sessions_done: doses.len(),
        planned_dosing_sessions: client.profile.planned_dosing_sessions,
        checkins: dosing.iter().filter(|s| s.checkin.is_some()).count(),
        held_off: dosing
            .iter()
            .filter(|s| s.status == SessionStatus::HeldOff)
            .count(),
        held_off_by,
        doses,
        next_medical_follow_up: client
            .profile
            .prescriber
            .as_ref()
            .and_then(|p| p.next_medical_follow_up),
        measures: measures_list,
        findings,
    }
}
