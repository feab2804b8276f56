//! The clinical safety rules: what a careful clinician watches across a course of
//! treatment. Each finding has a severity, a stable code, the record it is about, and a
//! plain sentence. The thresholds are in [`THRESHOLDS`] and docs/RULES.md.
//!
//! Dates: a session's date is its calendar date in its own offset; "now" is the
//! `as_of` instant given to [`check_client`].

use super::{DoseBand, assess_dose, dose_band};
use crate::measures;
use crate::records::{
    Client, Decision, Id, Instrument, PartRole, Session, SessionKind, SessionStatus, Setting,
};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Note,
    Warn,
    Stop,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Stop => "STOP",
            Severity::Warn => "WARN",
            Severity::Note => "NOTE",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Client,
    Session,
    Measure,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable, for scripts and the UI: never reworded.
    pub code: &'static str,
    pub client_id: Id,
    pub subject: Subject,
    pub record_id: Id,
    pub message: String,
}

/// Every threshold the rules use, in one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A completed dosing session needs a completed integration session within this many days.
    pub integration_within_days: i64,
    /// Completed dosing sessions closer than this many days are flagged.
    pub min_days_between_doses: i64,
    /// With no follow-up date on file, dosing this many days after the prescription is overdue.
    pub follow_up_after_prescription_days: i64,
    /// A completed session's note still unsigned this many hours after it ended is noted.
    pub sign_within_hours: i64,
    /// A dose raised by more than this fraction after a session with flooding is flagged.
    pub max_raise_after_flooding: f64,
}

pub const THRESHOLDS: Thresholds = Thresholds {
    integration_within_days: 7,
    min_days_between_doses: 3,
    follow_up_after_prescription_days: 30,
    sign_within_hours: 72,
    max_raise_after_flooding: 0.5,
};

/// The stable codes, one per rule.
pub mod codes {
    pub const DOSED_WITHOUT_PROCEED: &str = "dosing-completed-without-proceed";
    pub const PROTECTOR_NOT_ASKED: &str = "checkin-protector-not-asked";
    pub const DOSE_OUTSIDE_RANGE: &str = "dose-outside-prescribed-range";
    pub const NO_PRESCRIBED_RANGE: &str = "dose-no-prescribed-range";
    pub const NO_PREPARATION: &str = "dosing-without-preparation";
    pub const OPEN_CONTRAINDICATION: &str = "contraindication-open";
    pub const NO_CONSENT: &str = "consent-missing";
    pub const TELEHEALTH_NO_SUPPORT: &str = "telehealth-without-support-person";
    pub const FOLLOW_UP_OVERDUE: &str = "medical-follow-up-overdue";
    pub const NO_INTEGRATION: &str = "integration-missing";
    pub const DOSES_TOO_CLOSE: &str = "doses-too-close";
    pub const FIRST_DOSE_PSYCHEDELIC: &str = "first-dose-psychedelic";
    pub const RAISED_AFTER_FLOODING: &str = "dose-raised-after-flooding";
    pub const NOTE_UNSIGNED: &str = "note-unsigned";
    pub const PHQ9_SAFETY: &str = "phq9-item9-positive";
}

fn date_of(session: &Session) -> NaiveDate {
    session.starts_at.local_date()
}

fn is_dosing(session: &Session) -> bool {
    session.kind == SessionKind::Dosing && session.status != SessionStatus::Cancelled
}

fn completed_dose(session: &Session) -> Option<f64> {
    (session.kind == SessionKind::Dosing && session.status == SessionStatus::Completed)
        .then(|| session.dose.as_ref().map(|d| d.total_mg()))
        .flatten()
}

fn when(session: &Session) -> String {
    format!("the dosing session of {}", date_of(session))
}

struct Collector<'a> {
    client: &'a Client,
    findings: Vec<Finding>,
}

impl Collector<'_> {
    fn add(
        &mut self,
        severity: Severity,
        code: &'static str,
        subject: Subject,
        record_id: &str,
        message: String,
    ) {
        self.findings.push(Finding {
            severity,
            code,
            client_id: self.client.profile.id.clone(),
            subject,
            record_id: record_id.to_owned(),
            message,
        });
    }
}

/// Every finding for one client, most severe first, then in date order.
pub fn check_client(client: &Client, as_of: DateTime<FixedOffset>) -> Vec<Finding> {
    let mut c = Collector {
        client,
        findings: Vec::new(),
    };
    let t = THRESHOLDS;
    let profile = &client.profile;
    let mut sessions: Vec<&Session> = client.sessions.iter().collect();
    sessions.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
    let today = as_of.date_naive();

    for s in sessions.iter().copied().filter(|s| is_dosing(s)) {
        let date = date_of(s);
        let label = when(s);

        // Consent to proceed.
        if s.status == SessionStatus::Completed {
            match &s.checkin {
                None => c.add(
                    Severity::Stop,
                    codes::DOSED_WITHOUT_PROCEED,
                    Subject::Session,
                    &s.id,
                    format!(
                        "{} is marked completed but has no green-light check-in.",
                        capitalise(&label)
                    ),
                ),
                Some(checkin) if checkin.decision != Decision::Proceed => c.add(
                    Severity::Stop,
                    codes::DOSED_WITHOUT_PROCEED,
                    Subject::Session,
                    &s.id,
                    format!(
                        "{} is marked completed although its check-in decided to hold off.",
                        capitalise(&label)
                    ),
                ),
                _ => {}
            }
        }
        if let Some(checkin) = &s.checkin {
            let missing: Vec<&str> = client
                .parts
                .iter()
                .filter(|p| p.role == PartRole::Manager || p.role == PartRole::Firefighter)
                .filter(|p| p.first_noticed.is_none_or(|d| d.0 <= date))
                .filter(|p| !checkin.responses.iter().any(|r| r.part == p.id))
                .map(|p| p.name.as_str())
                .collect();
            if !missing.is_empty() {
                c.add(
                    Severity::Warn,
                    codes::PROTECTOR_NOT_ASKED,
                    Subject::Session,
                    &s.id,
                    format!(
                        "In the check-in of {label}, these protectors were not asked: {}.",
                        missing.join(", ")
                    ),
                );
            }
        }

        // The dose.
        if let Some(dose) = &s.dose {
            let assessment = assess_dose(
                profile.prescriber.as_ref(),
                dose.mg.value(),
                dose.booster_mg.map(|b| b.value()),
            );
            match (&profile.prescriber, assessment.within_prescribed_range) {
                (None, _) => c.add(
                    Severity::Warn,
                    codes::NO_PRESCRIBED_RANGE,
                    Subject::Session,
                    &s.id,
                    format!("A dose was given in {label} but no prescriber's range is on file."),
                ),
                (Some(_), Some(false)) => c.add(
                    Severity::Warn,
                    codes::DOSE_OUTSIDE_RANGE,
                    Subject::Session,
                    &s.id,
                    format!("In {label}: {}", assessment.warning.unwrap_or_default()),
                ),
                _ => {}
            }
        }

        // Preparation, contraindications, consent, telehealth.
        let prepared = client.sessions.iter().any(|p| {
            p.kind == SessionKind::Preparation
                && p.status == SessionStatus::Completed
                && p.starts_at.instant() < s.starts_at.instant()
        });
        if !prepared {
            c.add(
                Severity::Warn,
                codes::NO_PREPARATION,
                Subject::Session,
                &s.id,
                format!("No completed preparation session comes before {label}."),
            );
        }
        if let Some(screening) = &profile.screening {
            for contraindication in screening.contraindications.iter().filter(|x| x.present) {
                if contraindication.noted_on.is_none_or(|d| d.0 <= date) {
                    let kind = serde_json::to_value(contraindication.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(|k| k.replace('_', " ")))
                        .unwrap_or_default();
                    c.add(
                        Severity::Warn,
                        codes::OPEN_CONTRAINDICATION,
                        Subject::Session,
                        &s.id,
                        format!("A contraindication ({kind}) is on file for {label}."),
                    );
                }
            }
        }
        if profile.consent_signed_on.is_none_or(|d| d.0 > date) {
            c.add(
                Severity::Warn,
                codes::NO_CONSENT,
                Subject::Session,
                &s.id,
                format!("No informed consent is on file before {label}."),
            );
        }
        if s.setting == Setting::Telehealth
            && s.support_person
                .as_deref()
                .is_none_or(|p| p.trim().is_empty())
        {
            c.add(
                Severity::Warn,
                codes::TELEHEALTH_NO_SUPPORT,
                Subject::Session,
                &s.id,
                format!(
                    "{} is by telehealth but no support person on site is recorded.",
                    capitalise(&label)
                ),
            );
        }

        // Medical follow-up.
        if let Some(prescriber) = &profile.prescriber {
            match (prescriber.next_medical_follow_up, prescriber.prescribed_on) {
                (Some(due), _) if date > due.0 => c.add(
                    Severity::Warn,
                    codes::FOLLOW_UP_OVERDUE,
                    Subject::Session,
                    &s.id,
                    format!(
                        "{} is after the medical follow-up that was due on {due}.",
                        capitalise(&label)
                    ),
                ),
                (None, Some(prescribed))
                    if date
                        > prescribed.0 + Duration::days(t.follow_up_after_prescription_days) =>
                {
                    c.add(Severity::Warn, codes::FOLLOW_UP_OVERDUE, Subject::Session, &s.id,
                        format!("{} is more than {} days after the prescription of {prescribed} and no medical follow-up is on file.",
                            capitalise(&label), t.follow_up_after_prescription_days));
                }
                _ => {}
            }
        }

        // Integration after a completed dosing session.
        if s.status == SessionStatus::Completed {
            let deadline = date + Duration::days(t.integration_within_days);
            let integrated = client.sessions.iter().any(|i| {
                i.kind == SessionKind::Integration
                    && i.status == SessionStatus::Completed
                    && i.integration
                        .as_ref()
                        .and_then(|x| x.dosing_session.as_deref())
                        == Some(s.id.as_str())
                    && date_of(i) <= deadline
            });
            if !integrated && today > deadline {
                c.add(
                    Severity::Warn,
                    codes::NO_INTEGRATION,
                    Subject::Session,
                    &s.id,
                    format!(
                        "{} has no completed integration session linked to it within {} days.",
                        capitalise(&label),
                        t.integration_within_days
                    ),
                );
            }
        }
    }

    // Across dosing sessions: spacing, first dose, raises after flooding.
    let completed: Vec<&Session> = sessions
        .iter()
        .copied()
        .filter(|s| s.kind == SessionKind::Dosing && s.status == SessionStatus::Completed)
        .collect();
    for pair in completed.windows(2) {
        let (earlier, later) = (pair[0], pair[1]);
        let gap = (date_of(later) - date_of(earlier)).num_days();
        if gap < t.min_days_between_doses {
            c.add(
                Severity::Warn,
                codes::DOSES_TOO_CLOSE,
                Subject::Session,
                &later.id,
                format!(
                    "{} is only {gap} day(s) after the dosing session of {}.",
                    capitalise(&when(later)),
                    date_of(earlier)
                ),
            );
        }
    }
    let dosed: Vec<(&Session, f64)> = completed
        .iter()
        .filter_map(|s| completed_dose(s).map(|mg| (*s, mg)))
        .collect();
    if let Some((first, mg)) = dosed.first()
        && dose_band(*mg) == DoseBand::Psychedelic
    {
        c.add(
            Severity::Warn,
            codes::FIRST_DOSE_PSYCHEDELIC,
            Subject::Session,
            &first.id,
            format!(
                "The first dose ({mg} mg, in {}) is already in the psychedelic band.",
                when(first)
            ),
        );
    }
    for pair in dosed.windows(2) {
        let ((previous, before), (next, after)) = (pair[0], pair[1]);
        let flooded = previous
            .observations
            .as_ref()
            .is_some_and(|o| !o.flooding_signs.is_empty());
        if flooded && after > before * (1.0 + t.max_raise_after_flooding) {
            c.add(Severity::Warn, codes::RAISED_AFTER_FLOODING, Subject::Session, &next.id,
                format!("The dose was raised from {before} mg to {after} mg in {} although the previous session showed signs of flooding.", when(next)));
        }
    }

    // Unsigned notes.
    for s in sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Completed && !s.is_signed())
    {
        let ended =
            s.starts_at.instant() + Duration::minutes(i64::from(s.duration_minutes.unwrap_or(0)));
        if as_of > ended + Duration::hours(t.sign_within_hours) {
            c.add(
                Severity::Note,
                codes::NOTE_UNSIGNED,
                Subject::Session,
                &s.id,
                format!(
                    "The note of the {} session of {} is still unsigned.",
                    kind_name(s.kind),
                    date_of(s)
                ),
            );
        }
    }

    // PHQ-9 item 9.
    for m in client
        .measures
        .iter()
        .filter(|m| m.instrument == Instrument::Phq9)
    {
        if measures::score(m).safety_item_positive && m.safety_follow_up.is_none() {
            c.add(Severity::Stop, codes::PHQ9_SAFETY, Subject::Measure, &m.id,
                format!("The PHQ-9 of {} has item 9 (thoughts of death or self-harm) above zero, and no safety follow-up is recorded.", m.taken_on));
        }
    }

    let mut findings = c.findings;
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

fn kind_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Consultation => "consultation",
        SessionKind::Preparation => "preparation",
        SessionKind::Dosing => "dosing",
        SessionKind::Integration => "integration",
        SessionKind::Therapy => "therapy",
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn as_of(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    const NOW: &str = "2026-05-10T12:00:00+00:00";

    fn signed(mut s: Session, at: &str) -> Session {
        s.signed_at = Some(ts(at));
        s
    }

    fn dosing(day: &str, mg: f64, protectors: &[&Part]) -> Session {
        let mut s = Session::new(SessionKind::Dosing, ts(&format!("{day}T14:00:00+02:00")));
        s.status = SessionStatus::Completed;
        s.duration_minutes = Some(180);
        s.checkin = Some(CheckIn {
            at: ts(&format!("{day}T14:05:00+02:00")),
            responses: protectors
                .iter()
                .map(|p| CheckInResponse {
                    part: p.id.clone(),
                    signal: Signal::Green,
                    concerns: String::new(),
                    requests: String::new(),
                })
                .collect(),
            decision: Decision::Proceed,
            decision_note: String::new(),
        });
        s.dose = Some(Dose {
            mg: Number(mg),
            route: Route::Sublingual,
            administered_at: ts(&format!("{day}T14:20:00+02:00")),
            booster_mg: None,
            lot_number: None,
        });
        signed(s, &format!("{day}T18:00:00+02:00"))
    }

    fn integration_for(dosing: &Session, day: &str) -> Session {
        let mut s = Session::new(
            SessionKind::Integration,
            ts(&format!("{day}T10:00:00+02:00")),
        );
        s.status = SessionStatus::Completed;
        s.integration = Some(Integration {
            dosing_session: Some(dosing.id.clone()),
            ..Integration::default()
        });
        signed(s, &format!("{day}T11:00:00+02:00"))
    }

    /// A client for whom no rule fires on NOW.
    fn clean() -> Client {
        let manager = Part::new("Planner", PartRole::Manager);
        let firefighter = Part::new("Scroller", PartRole::Firefighter);
        let exile = Part::new("Little one", PartRole::Exile);
        let mut profile = ClientProfile::new("J.R.");
        profile.consent_signed_on = Some(date("2026-04-01"));
        profile.prescriber = Some(Prescriber {
            name: "Dr. M".into(),
            organization: None,
            dose_min_mg: Number(50.0),
            dose_max_mg: Number(150.0),
            route: Route::Sublingual,
            prescribed_on: Some(date("2026-04-20")),
            next_medical_follow_up: Some(date("2026-06-01")),
        });
        profile.screening = Some(Screening {
            screened_on: date("2026-04-01"),
            mid_completed: false,
            notes: String::new(),
            contraindications: vec![Contraindication {
                kind: ContraindicationKind::Maoi,
                present: false,
                note: String::new(),
                noted_on: None,
            }],
            medications: String::new(),
            allergies: String::new(),
        });
        let mut prep = Session::new(SessionKind::Preparation, ts("2026-04-23T16:00:00+02:00"));
        prep.status = SessionStatus::Completed;
        let prep = signed(prep, "2026-04-23T17:00:00+02:00");
        let d1 = dosing("2026-04-30", 100.0, &[&manager, &firefighter]);
        let i1 = integration_for(&d1, "2026-05-04");
        Client {
            profile,
            parts: vec![manager, firefighter, exile],
            relationships: vec![],
            agreements: vec![],
            sessions: vec![prep, d1, i1],
            measures: vec![],
        }
    }

    fn codes_of(client: &Client, now: &str) -> Vec<&'static str> {
        check_client(client, as_of(now))
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    fn dosing_mut(client: &mut Client) -> &mut Session {
        client
            .sessions
            .iter_mut()
            .find(|s| s.kind == SessionKind::Dosing)
            .unwrap()
    }

    #[test]
    fn a_careful_course_has_no_findings() {
        assert_eq!(check_client(&clean(), as_of(NOW)), vec![]);
    }

    #[test]
    fn completed_without_check_in_or_proceed_stops() {
        let mut c = clean();
        dosing_mut(&mut c).checkin = None;
        let findings = check_client(&c, as_of(NOW));
        assert_eq!(findings[0].code, codes::DOSED_WITHOUT_PROCEED);
        assert_eq!(findings[0].severity, Severity::Stop);
        let mut c = clean();
        dosing_mut(&mut c).checkin.as_mut().unwrap().decision = Decision::HoldOff;
        assert!(codes_of(&c, NOW).contains(&codes::DOSED_WITHOUT_PROCEED));
        // A held-off session with a hold-off decision is as it should be.
        let mut c = clean();
        let d = dosing_mut(&mut c);
        d.checkin.as_mut().unwrap().decision = Decision::HoldOff;
        d.status = SessionStatus::HeldOff;
        d.dose = None;
        assert!(!codes_of(&c, NOW).contains(&codes::DOSED_WITHOUT_PROCEED));
    }

    #[test]
    fn a_protector_on_the_map_must_be_asked() {
        let mut c = clean();
        c.parts.push(Part::new("Critic", PartRole::Manager));
        let findings = check_client(&c, as_of(NOW));
        let f = findings
            .iter()
            .find(|f| f.code == codes::PROTECTOR_NOT_ASKED)
            .unwrap();
        assert!(f.message.contains("Critic"));
        // A protector first noticed after the session was not on the map then.
        let mut c = clean();
        let mut later = Part::new("Critic", PartRole::Manager);
        later.first_noticed = Some(date("2026-05-05"));
        c.parts.push(later);
        assert!(!codes_of(&c, NOW).contains(&codes::PROTECTOR_NOT_ASKED));
        // Exiles are not asked.
        let mut c = clean();
        c.parts.push(Part::new("Another exile", PartRole::Exile));
        assert!(!codes_of(&c, NOW).contains(&codes::PROTECTOR_NOT_ASKED));
    }

    #[test]
    fn the_total_dose_must_lie_in_the_prescribed_range() {
        let mut c = clean();
        dosing_mut(&mut c).dose.as_mut().unwrap().booster_mg = Some(Number(60.0));
        assert!(codes_of(&c, NOW).contains(&codes::DOSE_OUTSIDE_RANGE));
        let mut c = clean();
        dosing_mut(&mut c).dose.as_mut().unwrap().mg = Number(150.0);
        assert!(
            !codes_of(&c, NOW).contains(&codes::DOSE_OUTSIDE_RANGE),
            "the range is inclusive"
        );
        let mut c = clean();
        c.profile.prescriber = None;
        let found = codes_of(&c, NOW);
        assert!(found.contains(&codes::NO_PRESCRIBED_RANGE));
        assert!(!found.contains(&codes::DOSE_OUTSIDE_RANGE));
    }

    #[test]
    fn dosing_needs_a_completed_preparation_before_it() {
        let mut c = clean();
        c.sessions[0].status = SessionStatus::Cancelled;
        assert!(codes_of(&c, NOW).contains(&codes::NO_PREPARATION));
        let mut c = clean();
        c.sessions[0].starts_at = ts("2026-05-01T10:00:00+02:00");
        assert!(
            codes_of(&c, NOW).contains(&codes::NO_PREPARATION),
            "a preparation after the dose does not count"
        );
    }

    #[test]
    fn an_open_contraindication_is_flagged_from_its_date() {
        let mut c = clean();
        let contraindication = &mut c.profile.screening.as_mut().unwrap().contraindications[0];
        contraindication.present = true;
        assert!(
            codes_of(&c, NOW).contains(&codes::OPEN_CONTRAINDICATION),
            "no date: always"
        );
        let mut c = clean();
        let contraindication = &mut c.profile.screening.as_mut().unwrap().contraindications[0];
        contraindication.present = true;
        contraindication.noted_on = Some(date("2026-05-01"));
        assert!(
            !codes_of(&c, NOW).contains(&codes::OPEN_CONTRAINDICATION),
            "noted after the session"
        );
        c.profile.screening.as_mut().unwrap().contraindications[0].noted_on =
            Some(date("2026-04-30"));
        assert!(
            codes_of(&c, NOW).contains(&codes::OPEN_CONTRAINDICATION),
            "noted on the session's date"
        );
    }

    #[test]
    fn informed_consent_must_come_first() {
        let mut c = clean();
        c.profile.consent_signed_on = None;
        assert!(codes_of(&c, NOW).contains(&codes::NO_CONSENT));
        c.profile.consent_signed_on = Some(date("2026-05-01"));
        assert!(codes_of(&c, NOW).contains(&codes::NO_CONSENT));
        c.profile.consent_signed_on = Some(date("2026-04-30"));
        assert!(!codes_of(&c, NOW).contains(&codes::NO_CONSENT));
    }

    #[test]
    fn telehealth_dosing_needs_a_support_person() {
        let mut c = clean();
        dosing_mut(&mut c).setting = Setting::Telehealth;
        assert!(codes_of(&c, NOW).contains(&codes::TELEHEALTH_NO_SUPPORT));
        dosing_mut(&mut c).support_person = Some("Partner, Sam".into());
        assert!(!codes_of(&c, NOW).contains(&codes::TELEHEALTH_NO_SUPPORT));
    }

    #[test]
    fn the_medical_follow_up_must_not_be_overdue() {
        let mut c = clean();
        c.profile
            .prescriber
            .as_mut()
            .unwrap()
            .next_medical_follow_up = Some(date("2026-04-29"));
        assert!(codes_of(&c, NOW).contains(&codes::FOLLOW_UP_OVERDUE));
        c.profile
            .prescriber
            .as_mut()
            .unwrap()
            .next_medical_follow_up = Some(date("2026-04-30"));
        assert!(
            !codes_of(&c, NOW).contains(&codes::FOLLOW_UP_OVERDUE),
            "dosing on the due date is fine"
        );
        // No follow-up on file: dosing more than 30 days after the prescription.
        let prescriber = c.profile.prescriber.as_mut().unwrap();
        prescriber.next_medical_follow_up = None;
        prescriber.prescribed_on = Some(date("2026-03-31"));
        assert!(
            !codes_of(&c, NOW).contains(&codes::FOLLOW_UP_OVERDUE),
            "exactly 30 days"
        );
        c.profile.prescriber.as_mut().unwrap().prescribed_on = Some(date("2026-03-30"));
        assert!(codes_of(&c, NOW).contains(&codes::FOLLOW_UP_OVERDUE));
    }

    #[test]
    fn a_completed_dosing_needs_integration_within_a_week() {
        let mut c = clean();
        c.sessions.retain(|s| s.kind != SessionKind::Integration);
        assert!(
            !codes_of(&c, "2026-05-07T20:00:00+00:00").contains(&codes::NO_INTEGRATION),
            "not yet due"
        );
        assert!(codes_of(&c, NOW).contains(&codes::NO_INTEGRATION));
        let mut c = clean();
        c.sessions[2].starts_at = ts("2026-05-08T10:00:00+02:00");
        assert!(
            codes_of(&c, NOW).contains(&codes::NO_INTEGRATION),
            "eight days later is too late"
        );
        let mut c = clean();
        c.sessions[2].starts_at = ts("2026-05-07T10:00:00+02:00");
        assert!(
            !codes_of(&c, NOW).contains(&codes::NO_INTEGRATION),
            "seven days is in time"
        );
    }

    #[test]
    fn completed_doses_need_three_days_between_them() {
        let mut c = clean();
        let protectors: Vec<Part> = c.parts[..2].to_vec();
        let d2 = dosing("2026-05-02", 100.0, &[&protectors[0], &protectors[1]]);
        let i2 = integration_for(&d2, "2026-05-04");
        c.sessions.extend([d2, i2]);
        assert!(codes_of(&c, NOW).contains(&codes::DOSES_TOO_CLOSE));
        // Held off does not count.
        let d = c
            .sessions
            .iter_mut()
            .find(|s| s.starts_at.as_str().starts_with("2026-05-02"))
            .unwrap();
        d.status = SessionStatus::HeldOff;
        d.dose = None;
        d.checkin.as_mut().unwrap().decision = Decision::HoldOff;
        assert!(!codes_of(&c, NOW).contains(&codes::DOSES_TOO_CLOSE));
        let mut c = clean();
        let d3 = dosing("2026-05-03", 100.0, &[&protectors[0], &protectors[1]]);
        let i3 = integration_for(&d3, "2026-05-05");
        c.sessions.extend([d3, i3]);
        assert!(
            !codes_of(&c, NOW).contains(&codes::DOSES_TOO_CLOSE),
            "three days apart is enough"
        );
    }

    #[test]
    fn a_psychedelic_first_dose_is_flagged() {
        let mut c = clean();
        c.profile.prescriber.as_mut().unwrap().dose_max_mg = Number(400.0);
        dosing_mut(&mut c).dose.as_mut().unwrap().mg = Number(200.0);
        assert!(codes_of(&c, NOW).contains(&codes::FIRST_DOSE_PSYCHEDELIC));
        dosing_mut(&mut c).dose.as_mut().unwrap().mg = Number(150.0);
        assert!(!codes_of(&c, NOW).contains(&codes::FIRST_DOSE_PSYCHEDELIC));
    }

    #[test]
    fn a_sharp_raise_after_flooding_is_flagged() {
        let mut c = clean();
        c.profile.prescriber.as_mut().unwrap().dose_max_mg = Number(400.0);
        dosing_mut(&mut c).observations = Some(Observations {
            flooding_signs: vec![FloodingSign::Panic],
            ..Observations::default()
        });
        let protectors: Vec<Part> = c.parts[..2].to_vec();
        let d2 = dosing("2026-05-06", 151.0, &[&protectors[0], &protectors[1]]);
        let i2 = integration_for(&d2, "2026-05-08");
        c.sessions.extend([d2, i2]);
        assert!(codes_of(&c, NOW).contains(&codes::RAISED_AFTER_FLOODING));
        c.sessions
            .iter_mut()
            .find(|s| s.starts_at.as_str().starts_with("2026-05-06"))
            .unwrap()
            .dose
            .as_mut()
            .unwrap()
            .mg = Number(150.0);
        assert!(
            !codes_of(&c, NOW).contains(&codes::RAISED_AFTER_FLOODING),
            "exactly 50 % more is allowed"
        );
        // Without flooding, a raise is the clinician's call.
        dosing_mut(&mut c).observations = None;
        c.sessions
            .iter_mut()
            .find(|s| s.starts_at.as_str().starts_with("2026-05-06"))
            .unwrap()
            .dose
            .as_mut()
            .unwrap()
            .mg = Number(300.0);
        assert!(!codes_of(&c, NOW).contains(&codes::RAISED_AFTER_FLOODING));
    }

    #[test]
    fn a_note_unsigned_three_days_after_the_session_is_noted() {
        let mut c = clean();
        c.sessions[2].signed_at = None; // integration of 2026-05-04 10:00+02:00, no duration
        assert!(!codes_of(&c, "2026-05-07T07:59:00+00:00").contains(&codes::NOTE_UNSIGNED));
        let findings = check_client(&c, as_of("2026-05-07T08:01:00+00:00"));
        let f = findings
            .iter()
            .find(|f| f.code == codes::NOTE_UNSIGNED)
            .unwrap();
        assert_eq!(f.severity, Severity::Note);
        // The clock starts when the session ends (start plus duration).
        let mut c = clean();
        dosing_mut(&mut c).signed_at = None; // 2026-04-30 14:00+02:00, 180 minutes
        assert!(!codes_of(&c, "2026-05-03T14:59:00+00:00").contains(&codes::NOTE_UNSIGNED));
        assert!(codes_of(&c, "2026-05-03T15:01:00+00:00").contains(&codes::NOTE_UNSIGNED));
    }

    #[test]
    fn phq9_item9_stops_until_a_safety_follow_up() {
        let mut c = clean();
        let mut answers = vec![Some(1); 9];
        answers[8] = Some(2);
        c.measures.push(Measure {
            id: new_id(),
            instrument: Instrument::Phq9,
            taken_on: date("2026-05-04"),
            answers,
            session: None,
            safety_follow_up: None,
        });
        let findings = check_client(&c, as_of(NOW));
        assert_eq!(findings[0].code, codes::PHQ9_SAFETY);
        assert_eq!(findings[0].severity, Severity::Stop);
        c.measures[0].safety_follow_up = Some(SafetyFollowUp {
            at: ts("2026-05-04T12:00:00+02:00"),
            note: "Safety plan reviewed.".into(),
        });
        assert!(!codes_of(&c, NOW).contains(&codes::PHQ9_SAFETY));
        c.measures[0].answers[8] = Some(0);
        c.measures[0].safety_follow_up = None;
        assert!(!codes_of(&c, NOW).contains(&codes::PHQ9_SAFETY));
    }
}
