//! The clinical safety rules: what a careful clinician watches across a course of
//! treatment. Each finding has a severity, a stable code, the record it is about, and a
//! plain sentence. The thresholds are in [`THRESHOLDS`] and docs/RULES.md.
//!
//! Dates: a session's date is its calendar date in its own offset; "now" is the
//! `as_of` instant given to [`check_client`].

use super::thresholds::{DosingThresholds, ThresholdKey};
use super::{DoseBand, assess_dose, dose_band};
use crate::measures;
use crate::records::{
    AdverseEventSeverity, Client, ContraindicationKind, Decision, Id, Instrument, PartRole,
    Reading, RelationshipKind, Session, SessionKind, SessionStatus, Setting, Substance,
    UnburdeningStep, UnburdeningStepKind,
};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Client,
    Session,
    Measure,
    /// A part of the client's map (from issue 11).
    Part,
    /// A client's request to amend their record (issue 12).
    AmendmentRequest,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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

/// What the rules judge by beside the records, read from the vault
/// (`Vault::rule_settings`) so the app and `kapnotes check` judge alike.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSettings {
    /// The dosing-day thresholds, as the clinician set them.
    pub thresholds: DosingThresholds,
    /// When the vault gained the dosing-day record: only completed in-person dosing
    /// sessions that start after it are asked for a complete one. `None` (a vault not
    /// yet opened for writing since): none is.
    pub dosing_day_since: Option<DateTime<FixedOffset>>,
}

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
    pub const BLOOD_PRESSURE_STOP: &str = "blood-pressure-too-high-to-dose";
    pub const BLOOD_PRESSURE_WARN: &str = "blood-pressure-raised-before-dose";
    pub const SPO2_STOP: &str = "oxygen-saturation-critical";
    pub const SPO2_WARN: &str = "oxygen-saturation-low";
    pub const SEDATION_STOP: &str = "sedation-deep";
    pub const SEDATION_WARN: &str = "sedation-moderate";
    pub const SUBSTANCE_TODAY: &str = "substance-taken-before-dose";
    pub const DISCHARGE_EARLY: &str = "discharge-before-observation-time";
    pub const DISCHARGE_UNMET: &str = "discharge-criterion-unmet";
    pub const DOSING_DAY_INCOMPLETE: &str = "dosing-day-record-incomplete";
    pub const ADVERSE_EVENT_NO_ACTION: &str = "adverse-event-without-action";
    pub const UNBURDENED_PROTECTORS_DUE: &str = "unburdened-exile-protectors-due";
    pub const AMENDMENT_OVERDUE: &str = "amendment-request-overdue";
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

/// What every rule reads: the client, the moment judged, the vault's settings, and the
/// sessions by start time.
struct Course<'a> {
    client: &'a Client,
    as_of: DateTime<FixedOffset>,
    settings: &'a RuleSettings,
    sessions: Vec<&'a Session>,
}

impl<'a> Course<'a> {
    /// The dosing sessions that are judged (cancelled ones are not), by start time.
    fn dosing(&self) -> impl Iterator<Item = &'a Session> + '_ {
        self.sessions.iter().copied().filter(|s| is_dosing(s))
    }

    /// The completed dosing sessions, by start time.
    fn completed_dosing(&self) -> Vec<&'a Session> {
        self.sessions
            .iter()
            .copied()
            .filter(|s| s.kind == SessionKind::Dosing && s.status == SessionStatus::Completed)
            .collect()
    }

    /// The completed dosing sessions that have a dose, with its total.
    fn completed_doses(&self) -> Vec<(&'a Session, f64)> {
        self.completed_dosing()
            .into_iter()
            .filter_map(|s| completed_dose(s).map(|mg| (s, mg)))
            .collect()
    }
}

/// A rule: adds its findings about a course.
type Rule = fn(&Course<'_>, &mut Collector<'_>);

/// Every rule, one function named after its code, in the order of the table in
/// docs/RULES.md (a test holds the two equal): adding a rule is adding a function, a
/// line here (with the headline of several such findings grouped, `{n}` their
/// records) and a row there.
const RULES: [(&str, Rule, &str); 28] = [
    (
        codes::DOSED_WITHOUT_PROCEED,
        dosing_completed_without_proceed,
        "{n} dosing sessions are marked completed without a green-light check-in.",
    ),
    (
        codes::PROTECTOR_NOT_ASKED,
        checkin_protector_not_asked,
        "In the check-ins of {n} sessions, some protectors were not asked.",
    ),
    (
        codes::DOSE_OUTSIDE_RANGE,
        dose_outside_prescribed_range,
        "The doses of {n} sessions are outside the prescriber's range.",
    ),
    (
        codes::NO_PRESCRIBED_RANGE,
        dose_no_prescribed_range,
        "Doses were given in {n} sessions but no prescriber's range is on file.",
    ),
    (
        codes::NO_PREPARATION,
        dosing_without_preparation,
        "No completed preparation session comes before {n} dosing sessions.",
    ),
    (
        codes::OPEN_CONTRAINDICATION,
        contraindication_open,
        "A contraindication is on file for {n} dosing sessions.",
    ),
    (
        codes::NO_CONSENT,
        consent_missing,
        "No informed consent is on file before {n} dosing sessions.",
    ),
    (
        codes::TELEHEALTH_NO_SUPPORT,
        telehealth_without_support_person,
        "{n} telehealth dosing sessions record no support person on site.",
    ),
    (
        codes::FOLLOW_UP_OVERDUE,
        medical_follow_up_overdue,
        "{n} dosing sessions come after a medical follow-up that was due.",
    ),
    (
        codes::NO_INTEGRATION,
        integration_missing,
        "{n} dosing sessions have no completed integration session linked to them in time.",
    ),
    (
        codes::DOSES_TOO_CLOSE,
        doses_too_close,
        "{n} dosing sessions came too soon after the one before.",
    ),
    (
        codes::FIRST_DOSE_PSYCHEDELIC,
        first_dose_psychedelic,
        "The first dose is already in the psychedelic band.",
    ),
    (
        codes::RAISED_AFTER_FLOODING,
        dose_raised_after_flooding,
        "The dose was raised after signs of flooding in {n} sessions.",
    ),
    (
        codes::NOTE_UNSIGNED,
        note_unsigned,
        "The notes of {n} sessions are still unsigned.",
    ),
    (
        codes::PHQ9_SAFETY,
        phq9_item9_positive,
        "{n} PHQ-9s have item 9 above zero and no safety follow-up recorded.",
    ),
    (
        codes::BLOOD_PRESSURE_STOP,
        blood_pressure_too_high_to_dose,
        "The blood pressure before the dose was too high to dose in {n} sessions.",
    ),
    (
        codes::BLOOD_PRESSURE_WARN,
        blood_pressure_raised_before_dose,
        "The blood pressure before the dose was raised in {n} sessions.",
    ),
    (
        codes::SPO2_STOP,
        oxygen_saturation_critical,
        "The oxygen saturation fell to a critical level in {n} sessions.",
    ),
    (
        codes::SPO2_WARN,
        oxygen_saturation_low,
        "The oxygen saturation was low in {n} sessions.",
    ),
    (
        codes::SEDATION_STOP,
        sedation_deep,
        "The sedation was deep in {n} sessions.",
    ),
    (
        codes::SEDATION_WARN,
        sedation_moderate,
        "The sedation was moderate in {n} sessions.",
    ),
    (
        codes::SUBSTANCE_TODAY,
        substance_taken_before_dose,
        "The pre-dose checks of {n} sessions list a substance taken that day which deepens sedation.",
    ),
    (
        codes::DISCHARGE_EARLY,
        discharge_before_observation_time,
        "The discharge came before the observation time in {n} sessions.",
    ),
    (
        codes::DISCHARGE_UNMET,
        discharge_criterion_unmet,
        "The discharge does not record every criterion as met in {n} sessions.",
    ),
    (
        codes::DOSING_DAY_INCOMPLETE,
        dosing_day_record_incomplete,
        "The dosing-day record is incomplete in {n} sessions.",
    ),
    (
        codes::ADVERSE_EVENT_NO_ACTION,
        adverse_event_without_action,
        "Severe adverse events in {n} sessions have no action recorded.",
    ),
    (
        codes::UNBURDENED_PROTECTORS_DUE,
        unburdened_exile_protectors_due,
        "{n} unburdened parts' protectors are due a check-in.",
    ),
    (
        codes::AMENDMENT_OVERDUE,
        amendment_request_overdue,
        "{n} amendment requests are past their due date undecided.",
    ),
];

/// Every rule's code, in the order of docs/RULES.md.
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|(code, _, _)| *code)
}

/// The headline of several findings of `code` grouped, `{n}` standing for how many
/// records they are about; `None` for a code no rule has.
pub(super) fn group_headline(code: &str) -> Option<&'static str> {
    RULES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, headline)| *headline)
}

/// Every finding for one client, most severe first, then in date order (of the session
/// or measure it is about; findings about a part come last), then in the order of the
/// rules.
pub fn check_client(
    client: &Client,
    as_of: DateTime<FixedOffset>,
    settings: &RuleSettings,
) -> Vec<Finding> {
    let mut sessions: Vec<&Session> = client.sessions.iter().collect();
    sessions.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
    let course = Course {
        client,
        as_of,
        settings,
        sessions,
    };
    let mut c = Collector {
        client,
        findings: Vec::new(),
    };
    for (_, rule, _) in RULES {
        rule(&course, &mut c);
    }
    let when = |f: &Finding| match f.subject {
        Subject::Session => client.session(&f.record_id).map(|s| s.starts_at.instant()),
        Subject::Measure => client
            .measures
            .iter()
            .find(|m| m.id == f.record_id)
            .and_then(|m| m.taken_on.0.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().fixed_offset()),
        Subject::Client | Subject::Part | Subject::AmendmentRequest => None,
    };
    let mut findings = c.findings;
    findings.sort_by_cached_key(|f| (std::cmp::Reverse(f.severity), when(f).is_none(), when(f)));
    findings
}

fn amendment_request_overdue(course: &Course<'_>, c: &mut Collector<'_>) {
    let today = course.as_of.date_naive();
    for request in &course.client.amendment_requests {
        let due = request.due_on().0;
        if request.decision.is_none() && today > due {
            c.add(
                Severity::Warn,
                codes::AMENDMENT_OVERDUE,
                Subject::AmendmentRequest,
                &request.id,
                format!(
                    "The amendment request received on {} was due for a decision on {due} and is still undecided.",
                    request.received_on
                ),
            );
        }
    }
}

fn dosing_completed_without_proceed(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course
        .dosing()
        .filter(|s| s.status == SessionStatus::Completed)
    {
        let label = when(s);
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
}

fn checkin_protector_not_asked(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course.dosing() {
        let Some(checkin) = &s.checkin else { continue };
        let date = date_of(s);
        let missing: Vec<&str> = course
            .client
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
                    "In the check-in of {}, these protectors were not asked: {}.",
                    when(s),
                    missing.join(", ")
                ),
            );
        }
    }
}

fn dose_outside_prescribed_range(course: &Course<'_>, c: &mut Collector<'_>) {
    let Some(prescriber) = &course.client.profile.prescriber else {
        return;
    };
    for s in course.dosing() {
        let Some(dose) = &s.dose else { continue };
        let assessment = assess_dose(
            Some(prescriber),
            dose.mg.value(),
            dose.booster_mg.map(|b| b.value()),
        );
        if assessment.within_prescribed_range == Some(false) {
            c.add(
                Severity::Warn,
                codes::DOSE_OUTSIDE_RANGE,
                Subject::Session,
                &s.id,
                format!("In {}: {}", when(s), assessment.warning.unwrap_or_default()),
            );
        }
    }
}

fn dose_no_prescribed_range(course: &Course<'_>, c: &mut Collector<'_>) {
    if course.client.profile.prescriber.is_some() {
        return;
    }
    for s in course.dosing().filter(|s| s.dose.is_some()) {
        c.add(
            Severity::Warn,
            codes::NO_PRESCRIBED_RANGE,
            Subject::Session,
            &s.id,
            format!(
                "A dose was given in {} but no prescriber's range is on file.",
                when(s)
            ),
        );
    }
}

fn dosing_without_preparation(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course.dosing() {
        let prepared = course.client.sessions.iter().any(|p| {
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
                format!("No completed preparation session comes before {}.", when(s)),
            );
        }
    }
}

/// A contraindication on file for the session's date; an MAO inhibitor taken today is
/// that contraindication too, reported once by this rule, whether or not the screening
/// has it.
fn contraindication_open(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course.dosing() {
        let (date, label) = (date_of(s), when(s));
        let maoi_today = s
            .pre_dose
            .as_ref()
            .is_some_and(|p| p.substances_today.contains(&Substance::Maoi));
        let mut maoi_reported = false;
        if let Some(screening) = &course.client.profile.screening {
            for contraindication in screening.contraindications.iter().filter(|x| x.present) {
                if contraindication.noted_on.is_none_or(|d| d.0 <= date) {
                    let kind = serde_json::to_value(contraindication.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(|k| k.replace('_', " ")))
                        .unwrap_or_default();
                    let is_maoi = contraindication.kind == ContraindicationKind::Maoi;
                    let also = if is_maoi && maoi_today && !maoi_reported {
                        " and an MAO inhibitor is listed as taken today"
                    } else {
                        ""
                    };
                    maoi_reported |= is_maoi;
                    c.add(
                        Severity::Warn,
                        codes::OPEN_CONTRAINDICATION,
                        Subject::Session,
                        &s.id,
                        format!("A contraindication ({kind}) is on file for {label}{also}."),
                    );
                }
            }
        }
        if maoi_today && !maoi_reported {
            c.add(
                Severity::Warn,
                codes::OPEN_CONTRAINDICATION,
                Subject::Session,
                &s.id,
                format!(
                    "An MAO inhibitor, a contraindication, is listed as taken today in the pre-dose checks of {label}."
                ),
            );
        }
    }
}

fn consent_missing(course: &Course<'_>, c: &mut Collector<'_>) {
    let signed = course.client.profile.consent_signed_on;
    for s in course.dosing() {
        if signed.is_none_or(|d| d.0 > date_of(s)) {
            c.add(
                Severity::Warn,
                codes::NO_CONSENT,
                Subject::Session,
                &s.id,
                format!("No informed consent is on file before {}.", when(s)),
            );
        }
    }
}

fn telehealth_without_support_person(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course.dosing().filter(|s| {
        s.setting == Setting::Telehealth
            && s.support_person
                .as_deref()
                .is_none_or(|p| p.trim().is_empty())
    }) {
        c.add(
            Severity::Warn,
            codes::TELEHEALTH_NO_SUPPORT,
            Subject::Session,
            &s.id,
            format!(
                "{} is by telehealth but no support person on site is recorded.",
                capitalise(&when(s))
            ),
        );
    }
}

fn medical_follow_up_overdue(course: &Course<'_>, c: &mut Collector<'_>) {
    let Some(prescriber) = &course.client.profile.prescriber else {
        return;
    };
    let t = THRESHOLDS;
    for s in course.dosing() {
        let (date, label) = (date_of(s), when(s));
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
                if date > prescribed.0 + Duration::days(t.follow_up_after_prescription_days) =>
            {
                c.add(Severity::Warn, codes::FOLLOW_UP_OVERDUE, Subject::Session, &s.id,
                    format!("{} is more than {} days after the prescription of {prescribed} and no medical follow-up is on file.",
                        capitalise(&label), t.follow_up_after_prescription_days));
            }
            _ => {}
        }
    }
}

fn integration_missing(course: &Course<'_>, c: &mut Collector<'_>) {
    let t = THRESHOLDS;
    let today = course.as_of.date_naive();
    for s in course.completed_dosing() {
        let date = date_of(s);
        let deadline = date + Duration::days(t.integration_within_days);
        let integrated = course.client.sessions.iter().any(|i| {
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
                    capitalise(&when(s)),
                    t.integration_within_days
                ),
            );
        }
    }
}

fn doses_too_close(course: &Course<'_>, c: &mut Collector<'_>) {
    for pair in course.completed_dosing().windows(2) {
        let (earlier, later) = (pair[0], pair[1]);
        let gap = (date_of(later) - date_of(earlier)).num_days();
        if gap < THRESHOLDS.min_days_between_doses {
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
}

fn first_dose_psychedelic(course: &Course<'_>, c: &mut Collector<'_>) {
    if let Some((first, mg)) = course.completed_doses().first()
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
}

fn dose_raised_after_flooding(course: &Course<'_>, c: &mut Collector<'_>) {
    for pair in course.completed_doses().windows(2) {
        let ((previous, before), (next, after)) = (pair[0], pair[1]);
        let flooded = previous
            .observations
            .as_ref()
            .is_some_and(|o| !o.flooding_signs.is_empty());
        if flooded && after > before * (1.0 + THRESHOLDS.max_raise_after_flooding) {
            c.add(Severity::Warn, codes::RAISED_AFTER_FLOODING, Subject::Session, &next.id,
                format!("The dose was raised from {before} mg to {after} mg in {} although the previous session showed signs of flooding.", when(next)));
        }
    }
}

fn note_unsigned(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course
        .sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Completed && !s.is_signed())
    {
        let ended =
            s.starts_at.instant() + Duration::minutes(i64::from(s.duration_minutes.unwrap_or(0)));
        if course.as_of > ended + Duration::hours(THRESHOLDS.sign_within_hours) {
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
}

fn phq9_item9_positive(course: &Course<'_>, c: &mut Collector<'_>) {
    for m in course
        .client
        .measures
        .iter()
        .filter(|m| m.instrument == Instrument::Phq9)
    {
        if measures::score(m).safety_item_positive && m.safety_follow_up.is_none() {
            c.add(Severity::Stop, codes::PHQ9_SAFETY, Subject::Measure, &m.id,
                format!("The PHQ-9 of {} has item 9 (thoughts of death or self-harm) above zero, and no safety follow-up is recorded.", m.taken_on));
        }
    }
}

/// How far a blood pressure before the dose reaches: 2 at or above the stop, 1 at or
/// above the warning, 0 below both.
fn blood_pressure_level(t: &DosingThresholds, systolic: Option<u32>, diastolic: Option<u32>) -> u8 {
    let reaches = |sys: ThresholdKey, dia: ThresholdKey| {
        systolic.is_some_and(|v| v >= t.get(sys)) || diastolic.is_some_and(|v| v >= t.get(dia))
    };
    if reaches(
        ThresholdKey::BloodPressureStopSystolic,
        ThresholdKey::BloodPressureStopDiastolic,
    ) {
        2
    } else if reaches(
        ThresholdKey::BloodPressureWarnSystolic,
        ThresholdKey::BloodPressureWarnDiastolic,
    ) {
        1
    } else {
        0
    }
}

/// The worse blood pressure before the dose of one judged dosing session.
struct PressureBeforeDose<'a> {
    session: &'a Session,
    /// How far it reaches (see [`blood_pressure_level`]).
    level: u8,
    systolic: Option<u32>,
    diastolic: Option<u32>,
    /// When it was taken, in words.
    at: String,
}

/// The dosing sessions whose blood pressure before the dose is judged (not held off,
/// not completed without a dose: without a dose there is no "before" to judge), each
/// with the worse of its pressures before the dose.
fn pressures_judged<'a>(course: &Course<'a>) -> Vec<PressureBeforeDose<'a>> {
    let t = &course.settings.thresholds;
    course
        .dosing()
        .filter(|s| s.status != SessionStatus::HeldOff)
        .filter(|s| !(s.status == SessionStatus::Completed && s.dose.is_none()))
        .filter_map(|session| {
            pressures_before_dose(session)
                .into_iter()
                .map(|(systolic, diastolic, at)| PressureBeforeDose {
                    session,
                    level: blood_pressure_level(t, systolic, diastolic),
                    systolic,
                    diastolic,
                    at,
                })
                .max_by_key(|p| p.level)
        })
        .collect()
}

fn blood_pressure_too_high_to_dose(course: &Course<'_>, c: &mut Collector<'_>) {
    let t = &course.settings.thresholds;
    for p in pressures_judged(course)
        .into_iter()
        .filter(|p| p.level == 2)
    {
        let s = p.session;
        c.add(
                Severity::Stop,
                codes::BLOOD_PRESSURE_STOP,
                Subject::Session,
                &s.id,
                format!(
                    "The blood pressure {} in {} was {}, at or above {}/{}: hold the dose until it is lower.",
                    p.at,
                    when(s),
                    pressure_text(p.systolic, p.diastolic),
                    t.get(ThresholdKey::BloodPressureStopSystolic),
                    t.get(ThresholdKey::BloodPressureStopDiastolic)
                ),
            );
    }
}

fn blood_pressure_raised_before_dose(course: &Course<'_>, c: &mut Collector<'_>) {
    let t = &course.settings.thresholds;
    for p in pressures_judged(course)
        .into_iter()
        .filter(|p| p.level == 1)
    {
        let s = p.session;
        c.add(
                Severity::Warn,
                codes::BLOOD_PRESSURE_WARN,
                Subject::Session,
                &s.id,
                format!(
                    "The blood pressure {} in {} was {}, at or above {}/{}: weigh the risk before dosing.",
                    p.at,
                    when(s),
                    pressure_text(p.systolic, p.diastolic),
                    t.get(ThresholdKey::BloodPressureWarnSystolic),
                    t.get(ThresholdKey::BloodPressureWarnDiastolic)
                ),
            );
    }
}

/// Every reading of every judged dosing session (held-off ones too), with its session.
fn readings<'a, 'b>(
    course: &'b Course<'a>,
) -> impl Iterator<Item = (&'a Session, &'a Reading)> + 'b {
    course
        .dosing()
        .flat_map(|s| s.monitoring.iter().map(move |r| (s, r)))
}

fn oxygen_saturation_critical(course: &Course<'_>, c: &mut Collector<'_>) {
    let below = course.settings.thresholds.get(ThresholdKey::Spo2StopBelow);
    for (s, reading) in readings(course) {
        if let Some(spo2) = reading.spo2.filter(|v| *v < below) {
            c.add(
                Severity::Stop,
                codes::SPO2_STOP,
                Subject::Session,
                &s.id,
                format!(
                    "The oxygen saturation at {} in {} was {spo2} %, below {below} %.",
                    clock(&reading.at),
                    when(s)
                ),
            );
        }
    }
}

fn oxygen_saturation_low(course: &Course<'_>, c: &mut Collector<'_>) {
    let t = &course.settings.thresholds;
    let (stop, below) = (
        t.get(ThresholdKey::Spo2StopBelow),
        t.get(ThresholdKey::Spo2WarnBelow),
    );
    for (s, reading) in readings(course) {
        if let Some(spo2) = reading.spo2.filter(|v| *v >= stop && *v < below) {
            c.add(
                Severity::Warn,
                codes::SPO2_WARN,
                Subject::Session,
                &s.id,
                format!(
                    "The oxygen saturation at {} in {} was {spo2} %, below {below} %.",
                    clock(&reading.at),
                    when(s)
                ),
            );
        }
    }
}

fn sedation_deep(course: &Course<'_>, c: &mut Collector<'_>) {
    let at_or_below = course
        .settings
        .thresholds
        .get(ThresholdKey::SedationStopAtOrBelow);
    for (s, reading) in readings(course) {
        if let Some(level) = reading
            .sedation
            .map(u32::from)
            .filter(|v| *v <= at_or_below)
        {
            c.add(
                Severity::Stop,
                codes::SEDATION_STOP,
                Subject::Session,
                &s.id,
                format!(
                    "The sedation at {} in {} was MOAA/S {level}, at or below {at_or_below}.",
                    clock(&reading.at),
                    when(s)
                ),
            );
        }
    }
}

fn sedation_moderate(course: &Course<'_>, c: &mut Collector<'_>) {
    let t = &course.settings.thresholds;
    let (stop, at_or_below) = (
        t.get(ThresholdKey::SedationStopAtOrBelow),
        t.get(ThresholdKey::SedationWarnAtOrBelow),
    );
    for (s, reading) in readings(course) {
        if let Some(level) = reading
            .sedation
            .map(u32::from)
            .filter(|v| *v > stop && *v <= at_or_below)
        {
            c.add(
                Severity::Warn,
                codes::SEDATION_WARN,
                Subject::Session,
                &s.id,
                format!(
                    "The sedation at {} in {} was MOAA/S {level}, at or below {at_or_below}.",
                    clock(&reading.at),
                    when(s)
                ),
            );
        }
    }
}

fn substance_taken_before_dose(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course
        .dosing()
        .filter(|s| s.status != SessionStatus::HeldOff)
    {
        let Some(pre_dose) = &s.pre_dose else {
            continue;
        };
        let taken: Vec<String> = pre_dose
            .substances_today
            .iter()
            .filter(|x| {
                matches!(
                    x,
                    Substance::Benzodiazepine | Substance::Opioid | Substance::Alcohol
                )
            })
            .map(|x| words(*x))
            .collect();
        if !taken.is_empty() {
            c.add(
                Severity::Warn,
                codes::SUBSTANCE_TODAY,
                Subject::Session,
                &s.id,
                format!(
                    "The pre-dose checks of {} list {} taken today, which deepens sedation with ketamine.",
                    when(s),
                    taken.join(", ")
                ),
            );
        }
    }
}

fn discharge_before_observation_time(course: &Course<'_>, c: &mut Collector<'_>) {
    let minutes = course
        .settings
        .thresholds
        .get(ThresholdKey::ObservationMinutes);
    for s in course.dosing() {
        if let (Some(discharge), Some(dose)) = (&s.discharge, &s.dose)
            && discharge.at.instant()
                < dose.administered_at.instant() + Duration::minutes(i64::from(minutes))
        {
            c.add(
                Severity::Warn,
                codes::DISCHARGE_EARLY,
                Subject::Session,
                &s.id,
                format!(
                    "The discharge of {} at {} came less than {minutes} minutes after the dose.",
                    when(s),
                    clock(&discharge.at)
                ),
            );
        }
    }
}

fn discharge_criterion_unmet(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in course.dosing() {
        let Some(discharge) = &s.discharge else {
            continue;
        };
        let unmet: Vec<&str> = [
            (discharge.alert_and_oriented, "alert and oriented"),
            (discharge.walking_steadily, "walking steadily"),
            (discharge.vitals_near_baseline, "vital signs near baseline"),
        ]
        .into_iter()
        .filter(|(met, _)| *met != Some(true))
        .map(|(_, name)| name)
        .collect();
        if !unmet.is_empty() {
            c.add(
                Severity::Warn,
                codes::DISCHARGE_UNMET,
                Subject::Session,
                &s.id,
                format!(
                    "The discharge of {} does not record these criteria as met: {}.",
                    when(s),
                    unmet.join(", ")
                ),
            );
        }
    }
}

/// A completed in-person dosing session that starts after the vault gained the
/// dosing-day record: the dose, a reading before it and after it, a discharge and who
/// takes the client home.
fn dosing_day_record_incomplete(course: &Course<'_>, c: &mut Collector<'_>) {
    let since = course.settings.dosing_day_since;
    for s in course.dosing().filter(|s| {
        s.status == SessionStatus::Completed
            && s.setting == Setting::InPerson
            && since.is_some_and(|since| s.starts_at.instant() > since)
    }) {
        let observed = s.observations.as_ref();
        let before = s
            .monitoring
            .iter()
            .any(|r| measured(r) && is_before_dose(s, r))
            || observed
                .is_some_and(|o| o.blood_pressure_pre.is_some() || o.heart_rate_pre.is_some());
        let after = s
            .monitoring
            .iter()
            .any(|r| measured(r) && !is_before_dose(s, r))
            || observed
                .is_some_and(|o| o.blood_pressure_post.is_some() || o.heart_rate_post.is_some());
        let ride_home = s
            .pre_dose
            .as_ref()
            .and_then(|p| p.ride_home.as_deref())
            .is_some_and(|r| !r.trim().is_empty());
        // Without a dose, "before" and "after" mean nothing: name the dose instead.
        let (before, after) = if s.dose.is_none() {
            (true, true)
        } else {
            (before, after)
        };
        let missing: Vec<&str> = [
            (s.dose.is_some(), "the dose"),
            (before, "a reading before the dose"),
            (after, "a reading after it"),
            (s.discharge.is_some(), "a discharge"),
            (ride_home, "who takes the client home"),
        ]
        .into_iter()
        .filter(|(present, _)| !present)
        .map(|(_, what)| what)
        .collect();
        if !missing.is_empty() {
            c.add(
                Severity::Warn,
                codes::DOSING_DAY_INCOMPLETE,
                Subject::Session,
                &s.id,
                format!(
                    "{} is completed without {}.",
                    capitalise(&when(s)),
                    missing.join(", ")
                ),
            );
        }
    }
}

/// A severe adverse event needs what was done about it (any session, cancelled too).
fn adverse_event_without_action(course: &Course<'_>, c: &mut Collector<'_>) {
    for s in &course.sessions {
        for event in s.adverse_events.iter().filter(|e| {
            e.severity == AdverseEventSeverity::Severe
                && e.action.as_deref().is_none_or(|a| a.trim().is_empty())
        }) {
            c.add(
                Severity::Stop,
                codes::ADVERSE_EVENT_NO_ACTION,
                Subject::Session,
                &s.id,
                format!(
                    "A severe adverse event ({}) at {} in the {} session of {} has no action recorded.",
                    words(event.kind),
                    clock(&event.at),
                    kind_name(s.kind),
                    date_of(s)
                ),
            );
        }
    }
}

/// Once a part is unburdened (its latest step of kind "unburdening"), each part that
/// protects it is due a check-in about it, until a check-in in a session that starts
/// after the step's session has an answer from that protector. One finding per
/// unburdened part, naming the protectors still due.
fn unburdened_exile_protectors_due(course: &Course<'_>, c: &mut Collector<'_>) {
    let client = course.client;
    for part in &client.parts {
        let Some(step) = part
            .unburdening
            .iter()
            .filter(|s| s.kind == UnburdeningStepKind::Unburdening)
            .max_by(|a, b| {
                let start = |s: &UnburdeningStep| client.session(&s.session).map(|x| &x.starts_at);
                start(a).cmp(&start(b)).then(a.on.cmp(&b.on))
            })
        else {
            continue;
        };
        let Some(step_session) = client.session(&step.session) else {
            continue;
        };
        let after = step_session.starts_at.instant();
        let asked_later = |protector: &str| {
            client.sessions.iter().any(|s| {
                s.starts_at.instant() > after
                    && s.checkin
                        .as_ref()
                        .is_some_and(|k| k.responses.iter().any(|r| r.part == protector))
            })
        };
        let mut due: Vec<&str> = Vec::new();
        for r in client
            .relationships
            .iter()
            .filter(|r| r.kind == RelationshipKind::Protects && r.to_part == part.id)
        {
            if let Some(protector) = client.part(&r.from_part)
                && !asked_later(&protector.id)
                && !due.contains(&protector.name.as_str())
            {
                due.push(&protector.name);
            }
        }
        if !due.is_empty() {
            c.add(
                Severity::Note,
                codes::UNBURDENED_PROTECTORS_DUE,
                Subject::Part,
                &part.id,
                format!(
                    "{} was unburdened in the {} session of {}: check in with {} about it (not asked since: {}).",
                    part.name,
                    kind_name(step_session.kind),
                    date_of(step_session),
                    if due.len() == 1 { "its protector" } else { "its protectors" },
                    due.join(", ")
                ),
            );
        }
    }
}

/// A value's snake_case name in words ("rapid switching").
fn words<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|k| k.replace('_', " ")))
        .unwrap_or_default()
}

/// The time of day of a timestamp, in its own offset.
fn clock(at: &crate::records::Timestamp) -> String {
    at.instant().format("%H:%M").to_string()
}

/// "120/80" from the v1 `blood_pressure_pre/post` text (checked by the schema).
fn parse_pressure(text: &str) -> Option<(u32, u32)> {
    let (systolic, diastolic) = text.split_once('/')?;
    Some((
        systolic.trim().parse().ok()?,
        diastolic.trim().parse().ok()?,
    ))
}

/// The blood pressures that decide before the dose: the v1 `blood_pressure_pre`, which
/// counts as a reading just before the dose, and the last reading with a blood pressure
/// at or before the dose (any reading, while no dose is recorded). Both are judged and
/// the worse one is reported, so a high timed baseline is never hidden behind the v1
/// field the journey step still offers.
fn pressures_before_dose(s: &Session) -> Vec<(Option<u32>, Option<u32>, String)> {
    let mut found = Vec::new();
    if let Some((systolic, diastolic)) = s
        .observations
        .as_ref()
        .and_then(|o| o.blood_pressure_pre.as_deref())
        .and_then(parse_pressure)
    {
        found.push((
            Some(systolic),
            Some(diastolic),
            "just before the dose".into(),
        ));
    }
    found.extend(
        s.monitoring
            .iter()
            .filter(|r| is_before_dose(s, r))
            .filter(|r| r.systolic.is_some() || r.diastolic.is_some())
            .max_by(|a, b| a.at.cmp(&b.at))
            .map(|r| (r.systolic, r.diastolic, format!("at {}", clock(&r.at)))),
    );
    found
}

/// Whether a reading holds any measurement (Record now stores the time at once).
fn measured(reading: &Reading) -> bool {
    reading.systolic.is_some()
        || reading.diastolic.is_some()
        || reading.heart_rate.is_some()
        || reading.spo2.is_some()
        || reading.sedation.is_some()
        || reading.dissociation_items.iter().any(Option::is_some)
}

/// A reading at the dose's minute or before it was taken before the dose (a baseline is
/// often written down with the dose's time); with no dose recorded, every one was.
fn is_before_dose(s: &Session, reading: &Reading) -> bool {
    s.dose
        .as_ref()
        .is_none_or(|d| reading.at.instant() <= d.administered_at.instant())
}

fn pressure_text(systolic: Option<u32>, diastolic: Option<u32>) -> String {
    let show = |v: Option<u32>| v.map_or("?".to_owned(), |v| v.to_string());
    format!("{}/{} mmHg", show(systolic), show(diastolic))
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
    use crate::rules::thresholds::ThresholdKey;

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

    #[test]
    fn the_rules_are_the_table_of_the_docs_in_its_order() {
        let docs = include_str!("../../docs/RULES.md");
        let table = &docs[docs.find("## Flagged").unwrap()..];
        let documented: Vec<&str> = table
            .lines()
            .take_while(|l| !l.starts_with("## ") || l.starts_with("## Flagged"))
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let coded: Vec<&str> = RULES.iter().map(|(code, _, _)| *code).collect();
        assert_eq!(coded, documented);
    }

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
            groups: vec![],
            map_history: None,
            acknowledgements: vec![],
            amendment_requests: vec![],
        }
    }

    fn codes_of(client: &Client, now: &str) -> Vec<&'static str> {
        check_client(client, as_of(now), &RuleSettings::default())
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
        assert_eq!(
            check_client(&clean(), as_of(NOW), &RuleSettings::default()),
            vec![]
        );
    }

    #[test]
    fn completed_without_check_in_or_proceed_stops() {
        let mut c = clean();
        dosing_mut(&mut c).checkin = None;
        let findings = check_client(&c, as_of(NOW), &RuleSettings::default());
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
        let findings = check_client(&c, as_of(NOW), &RuleSettings::default());
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
        let findings = check_client(
            &c,
            as_of("2026-05-07T08:01:00+00:00"),
            &RuleSettings::default(),
        );
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
        let findings = check_client(&c, as_of(NOW), &RuleSettings::default());
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
    // ----- the dosing day -----
    // The dosing session of `clean()`: 2026-04-30, starts 14:00+02:00, dose at 14:20.

    fn reading(at: &str) -> Reading {
        Reading {
            at: ts(&format!("2026-04-30T{at}:00+02:00")),
            systolic: None,
            diastolic: None,
            heart_rate: None,
            spo2: None,
            sedation: None,
            dissociation_items: vec![],
            note: String::new(),
        }
    }

    fn pressure(at: &str, systolic: u32, diastolic: u32) -> Reading {
        Reading {
            systolic: Some(systolic),
            diastolic: Some(diastolic),
            ..reading(at)
        }
    }

    fn with_readings(readings: Vec<Reading>) -> Client {
        let mut c = clean();
        dosing_mut(&mut c).monitoring = readings;
        c
    }

    fn judged(c: &Client, settings: &RuleSettings) -> Vec<Finding> {
        check_client(c, as_of(NOW), settings)
    }

    fn found(c: &Client, code: &str) -> Vec<Finding> {
        judged(c, &RuleSettings::default())
            .into_iter()
            .filter(|f| f.code == code)
            .collect()
    }

    /// The codes of the blood-pressure rules that fire on one reading before the dose.
    fn pressure_codes(systolic: u32, diastolic: u32) -> Vec<&'static str> {
        let c = with_readings(vec![pressure("14:10", systolic, diastolic)]);
        judged(&c, &RuleSettings::default())
            .into_iter()
            .map(|f| f.code)
            .filter(|code| code.starts_with("blood-pressure"))
            .collect()
    }

    #[test]
    fn blood_pressure_before_the_dose_stops_at_160_or_100_and_warns_at_140_or_90() {
        use codes::{BLOOD_PRESSURE_STOP as STOP, BLOOD_PRESSURE_WARN as WARN};
        assert_eq!(pressure_codes(159, 99), [WARN]);
        assert_eq!(pressure_codes(160, 80), [STOP]);
        assert_eq!(pressure_codes(120, 100), [STOP]);
        assert_eq!(pressure_codes(139, 89), Vec::<&str>::new());
        assert_eq!(pressure_codes(140, 80), [WARN]);
        assert_eq!(pressure_codes(120, 90), [WARN]);
        let f = &found(&with_readings(vec![pressure("14:10", 165, 95)]), STOP)[0];
        assert_eq!(f.severity, Severity::Stop);
        assert_eq!(f.subject, Subject::Session);
        assert!(f.message.contains("165/95 mmHg"), "{}", f.message);
        assert!(f.message.contains("at 14:10"), "{}", f.message);
    }

    #[test]
    fn the_last_reading_before_the_dose_decides_the_blood_pressure() {
        use codes::{BLOOD_PRESSURE_STOP as STOP, BLOOD_PRESSURE_WARN as WARN};
        // A high first reading, then a good one: the good one decides.
        let c = with_readings(vec![
            pressure("14:00", 170, 105),
            pressure("14:10", 120, 80),
        ]);
        assert!(found(&c, STOP).is_empty() && found(&c, WARN).is_empty());
        // A reading after the dose does not decide, however high.
        let c = with_readings(vec![
            pressure("14:10", 120, 80),
            pressure("14:21", 180, 110),
        ]);
        assert!(found(&c, STOP).is_empty());
        // A reading written with the dose's own minute was taken before it.
        let c = with_readings(vec![pressure("14:10", 120, 80), pressure("14:20", 160, 80)]);
        assert_eq!(found(&c, STOP).len(), 1);
        // A reading without a blood pressure is passed over.
        let c = with_readings(vec![
            pressure("14:05", 150, 80),
            Reading {
                spo2: Some(98),
                ..reading("14:15")
            },
        ]);
        assert_eq!(found(&c, WARN).len(), 1);
        // With no dose recorded yet (the clinician deciding), every reading is before it.
        let mut c = with_readings(vec![pressure("14:30", 161, 80)]);
        let d = dosing_mut(&mut c);
        d.dose = None;
        d.status = SessionStatus::Planned;
        assert_eq!(found(&c, STOP).len(), 1);
    }

    #[test]
    fn a_held_off_session_has_no_blood_pressure_finding() {
        let mut c = with_readings(vec![pressure("14:10", 190, 120)]);
        let d = dosing_mut(&mut c);
        d.status = SessionStatus::HeldOff;
        d.dose = None;
        d.checkin.as_mut().unwrap().decision = Decision::HoldOff;
        assert!(found(&c, codes::BLOOD_PRESSURE_STOP).is_empty());
        assert!(found(&c, codes::BLOOD_PRESSURE_WARN).is_empty());
    }

    #[test]
    fn the_v1_blood_pressure_counts_as_a_reading_just_before_the_dose() {
        let mut c = clean();
        dosing_mut(&mut c).observations = Some(Observations {
            blood_pressure_pre: Some("160/90".into()),
            ..Observations::default()
        });
        let f = &found(&c, codes::BLOOD_PRESSURE_STOP)[0];
        assert!(f.message.contains("just before the dose"), "{}", f.message);
        // Judged beside the last timed reading before the dose: the worse one decides,
        // whichever it is, so neither can hide the other.
        dosing_mut(&mut c).monitoring = vec![pressure("14:15", 120, 80)];
        assert_eq!(found(&c, codes::BLOOD_PRESSURE_STOP).len(), 1);
        dosing_mut(&mut c)
            .observations
            .as_mut()
            .unwrap()
            .blood_pressure_pre = Some("139/89".into());
        dosing_mut(&mut c).monitoring = vec![pressure("14:15", 170, 80)];
        let f = &found(&c, codes::BLOOD_PRESSURE_STOP)[0];
        assert!(f.message.contains("at 14:15"), "{}", f.message);
        assert!(found(&c, codes::BLOOD_PRESSURE_WARN).is_empty());
        dosing_mut(&mut c).monitoring = vec![pressure("14:15", 120, 80)];
        assert!(found(&c, codes::BLOOD_PRESSURE_STOP).is_empty());
        assert!(found(&c, codes::BLOOD_PRESSURE_WARN).is_empty());
        // The reading at the end is not before the dose.
        dosing_mut(&mut c).monitoring.clear();
        let observations = dosing_mut(&mut c).observations.as_mut().unwrap();
        observations.blood_pressure_pre = None;
        observations.blood_pressure_post = Some("170/100".into());
        assert!(found(&c, codes::BLOOD_PRESSURE_STOP).is_empty());
    }

    #[test]
    fn a_completed_session_without_a_dose_is_not_judged_as_before_one() {
        let mut c = with_readings(vec![pressure("15:30", 170, 105)]);
        let d = dosing_mut(&mut c);
        d.dose = None;
        d.status = SessionStatus::Completed;
        assert!(found(&c, codes::BLOOD_PRESSURE_STOP).is_empty());
        assert!(found(&c, codes::BLOOD_PRESSURE_WARN).is_empty());
    }

    fn saturation_codes(spo2: u32) -> Vec<&'static str> {
        let c = with_readings(vec![Reading {
            spo2: Some(spo2),
            ..reading("15:00")
        }]);
        judged(&c, &RuleSettings::default())
            .into_iter()
            .map(|f| f.code)
            .filter(|code| code.starts_with("oxygen"))
            .collect()
    }

    #[test]
    fn oxygen_saturation_stops_below_90_and_warns_below_92() {
        assert_eq!(saturation_codes(89), [codes::SPO2_STOP]);
        assert_eq!(saturation_codes(90), [codes::SPO2_WARN]);
        assert_eq!(saturation_codes(91), [codes::SPO2_WARN]);
        assert_eq!(saturation_codes(92), Vec::<&str>::new());
        // Every reading is judged, each on its own.
        let c = with_readings(vec![
            Reading {
                spo2: Some(88),
                ..reading("14:10")
            },
            Reading {
                spo2: Some(97),
                ..reading("14:40")
            },
            Reading {
                spo2: Some(85),
                ..reading("15:00")
            },
        ]);
        let stops = found(&c, codes::SPO2_STOP);
        assert_eq!(stops.len(), 2);
        assert!(stops.iter().all(|f| f.severity == Severity::Stop));
        assert!(stops[1].message.contains("at 15:00") && stops[1].message.contains("85 %"));
    }

    fn sedation_codes(level: u8) -> Vec<&'static str> {
        let c = with_readings(vec![Reading {
            sedation: Some(level),
            ..reading("15:00")
        }]);
        judged(&c, &RuleSettings::default())
            .into_iter()
            .map(|f| f.code)
            .filter(|code| code.starts_with("sedation"))
            .collect()
    }

    #[test]
    fn sedation_stops_at_moaas_2_or_below_and_warns_at_3() {
        assert_eq!(sedation_codes(0), [codes::SEDATION_STOP]);
        assert_eq!(sedation_codes(2), [codes::SEDATION_STOP]);
        assert_eq!(sedation_codes(3), [codes::SEDATION_WARN]);
        assert_eq!(sedation_codes(4), Vec::<&str>::new());
        assert_eq!(sedation_codes(5), Vec::<&str>::new());
    }

    fn taken_today(c: &mut Client, substances: &[Substance]) {
        dosing_mut(c).pre_dose = Some(PreDose {
            checked_at: ts("2026-04-30T13:55:00+02:00"),
            hours_fasted: None,
            substances_today: substances.to_vec(),
            ride_home: Some("Partner".into()),
            notes: String::new(),
        });
    }

    #[test]
    fn a_sedating_substance_taken_today_warns_before_the_dose() {
        for substance in [
            Substance::Benzodiazepine,
            Substance::Opioid,
            Substance::Alcohol,
        ] {
            let mut c = clean();
            taken_today(&mut c, &[substance, Substance::Cannabis]);
            let f = found(&c, codes::SUBSTANCE_TODAY);
            assert_eq!(f.len(), 1, "{substance:?}");
            assert_eq!(f[0].severity, Severity::Warn);
        }
        let mut c = clean();
        taken_today(
            &mut c,
            &[Substance::Cannabis, Substance::Stimulant, Substance::Other],
        );
        assert!(found(&c, codes::SUBSTANCE_TODAY).is_empty());
        // Held off: there was no dose to warn before.
        taken_today(&mut c, &[Substance::Alcohol]);
        let d = dosing_mut(&mut c);
        d.status = SessionStatus::HeldOff;
        d.dose = None;
        d.checkin.as_mut().unwrap().decision = Decision::HoldOff;
        assert!(found(&c, codes::SUBSTANCE_TODAY).is_empty());
    }

    #[test]
    fn an_maoi_taken_today_is_reported_once_with_the_contraindication() {
        // Not in the screening: the contraindication rule reports it.
        let mut c = clean();
        taken_today(&mut c, &[Substance::Maoi]);
        let f = found(&c, codes::OPEN_CONTRAINDICATION);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("MAO inhibitor"), "{}", f[0].message);
        assert!(found(&c, codes::SUBSTANCE_TODAY).is_empty());
        // In the screening too: still once, saying both.
        c.profile.screening.as_mut().unwrap().contraindications[0].present = true;
        let f = found(&c, codes::OPEN_CONTRAINDICATION);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("(maoi)") && f[0].message.contains("taken today"));
        // The screening alone: as before.
        taken_today(&mut c, &[]);
        let f = found(&c, codes::OPEN_CONTRAINDICATION);
        assert_eq!(f.len(), 1);
        assert!(!f[0].message.contains("taken today"));
    }

    fn discharged<'a>(c: &'a mut Client, at: &str) -> &'a mut Discharge {
        dosing_mut(c).discharge = Some(Discharge {
            at: ts(&format!("2026-04-30T{at}:00+02:00")),
            alert_and_oriented: Some(true),
            walking_steadily: Some(true),
            vitals_near_baseline: Some(true),
            left_with: Some("Partner".into()),
            notes: String::new(),
        });
        dosing_mut(c).discharge.as_mut().unwrap()
    }

    #[test]
    fn a_discharge_sooner_than_the_observation_time_warns() {
        let mut c = clean();
        discharged(&mut c, "16:19"); // 119 minutes after the dose at 14:20
        let f = found(&c, codes::DISCHARGE_EARLY);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        discharged(&mut c, "16:20");
        assert!(found(&c, codes::DISCHARGE_EARLY).is_empty());
        assert_eq!(judged(&c, &RuleSettings::default()), vec![]);
        // The observation time is the vault's.
        let mut settings = RuleSettings::default();
        settings
            .thresholds
            .set(ThresholdKey::ObservationMinutes, 90);
        discharged(&mut c, "15:50");
        assert!(judged(&c, &settings).is_empty());
        discharged(&mut c, "15:49");
        assert_eq!(judged(&c, &settings)[0].code, codes::DISCHARGE_EARLY);
    }

    #[test]
    fn a_discharge_criterion_false_or_not_recorded_warns() {
        let mut c = clean();
        discharged(&mut c, "17:00").walking_steadily = Some(false);
        let f = &found(&c, codes::DISCHARGE_UNMET)[0];
        assert!(f.message.ends_with("walking steadily."), "{}", f.message);
        discharged(&mut c, "17:00").vitals_near_baseline = None;
        assert!(
            found(&c, codes::DISCHARGE_UNMET)[0]
                .message
                .contains("vital signs")
        );
        discharged(&mut c, "17:00").alert_and_oriented = None;
        assert_eq!(found(&c, codes::DISCHARGE_UNMET).len(), 1);
        discharged(&mut c, "17:00");
        assert!(found(&c, codes::DISCHARGE_UNMET).is_empty());
        // Any session with a discharge: a held-off one too.
        let d = dosing_mut(&mut c);
        d.status = SessionStatus::HeldOff;
        d.dose = None;
        d.checkin.as_mut().unwrap().decision = Decision::HoldOff;
        discharged(&mut c, "14:30").walking_steadily = Some(false);
        assert_eq!(found(&c, codes::DISCHARGE_UNMET).len(), 1);
        assert!(
            found(&c, codes::DISCHARGE_EARLY).is_empty(),
            "no dose, no clock"
        );
    }

    /// A dosing day recorded whole: readings before and after, discharge, ride home.
    fn complete_day() -> Client {
        let mut c = with_readings(vec![pressure("14:10", 120, 80), pressure("14:40", 130, 85)]);
        taken_today(&mut c, &[]);
        discharged(&mut c, "16:30");
        c
    }

    fn since(text: &str) -> RuleSettings {
        RuleSettings {
            dosing_day_since: Some(as_of(text)),
            ..RuleSettings::default()
        }
    }

    fn incomplete(c: &Client, settings: &RuleSettings) -> Option<String> {
        judged(c, settings)
            .into_iter()
            .find(|f| f.code == codes::DOSING_DAY_INCOMPLETE)
            .map(|f| f.message)
    }

    #[test]
    fn a_dosing_day_after_the_feature_date_must_be_recorded_whole() {
        let before = since("2026-04-30T11:59:59+00:00"); // the session starts at 12:00 UTC
        let after = since("2026-04-30T12:00:00+00:00");
        assert_eq!(judged(&complete_day(), &before), vec![]);
        // The fixture's session records none of it.
        let message = incomplete(&clean(), &before).unwrap();
        assert_eq!(
            message,
            "The dosing session of 2026-04-30 is completed without a reading before the dose, a reading after it, a discharge, who takes the client home."
        );
        // Sessions from before the vault had the dosing day do not turn into warnings.
        assert!(incomplete(&clean(), &after).is_none());
        assert!(incomplete(&clean(), &RuleSettings::default()).is_none());
        // Each missing piece on its own.
        let mut c = complete_day();
        dosing_mut(&mut c).monitoring.remove(0);
        assert_eq!(
            incomplete(&c, &before).unwrap(),
            "The dosing session of 2026-04-30 is completed without a reading before the dose."
        );
        let mut c = complete_day();
        dosing_mut(&mut c).monitoring.remove(1);
        assert!(
            incomplete(&c, &before)
                .unwrap()
                .ends_with("a reading after it.")
        );
        let mut c = complete_day();
        dosing_mut(&mut c).discharge = None;
        assert!(incomplete(&c, &before).unwrap().ends_with("a discharge."));
        let mut c = complete_day();
        dosing_mut(&mut c).pre_dose.as_mut().unwrap().ride_home = Some("  ".into());
        assert!(
            incomplete(&c, &before)
                .unwrap()
                .ends_with("takes the client home.")
        );
        // A reading with nothing measured (Record now stamps the time at once) is no
        // reading.
        let mut c = complete_day();
        dosing_mut(&mut c).monitoring[1] = reading("14:40");
        assert!(
            incomplete(&c, &before)
                .unwrap()
                .ends_with("a reading after it.")
        );
        // Without a dose, the dose is what is missing, not the readings around it.
        let mut c = complete_day();
        dosing_mut(&mut c).dose = None;
        assert_eq!(
            incomplete(&c, &before).unwrap(),
            "The dosing session of 2026-04-30 is completed without the dose."
        );
        // The v1 readings count as readings before and after.
        let mut c = complete_day();
        dosing_mut(&mut c).monitoring.clear();
        dosing_mut(&mut c).observations = Some(Observations {
            heart_rate_pre: Some(70),
            blood_pressure_post: Some("125/80".into()),
            ..Observations::default()
        });
        assert!(incomplete(&c, &before).is_none());
    }

    #[test]
    fn only_completed_in_person_dosing_days_must_be_recorded_whole() {
        let before = since("2026-04-01T00:00:00+00:00");
        let mut c = clean();
        dosing_mut(&mut c).setting = Setting::Telehealth;
        dosing_mut(&mut c).support_person = Some("Partner".into());
        assert_eq!(judged(&c, &before), vec![], "telehealth needs no discharge");
        dosing_mut(&mut c).support_person = None;
        let codes: Vec<_> = judged(&c, &before).into_iter().map(|f| f.code).collect();
        assert_eq!(codes, [codes::TELEHEALTH_NO_SUPPORT]);
        let mut c = clean();
        let d = dosing_mut(&mut c);
        d.status = SessionStatus::HeldOff;
        d.dose = None;
        d.checkin.as_mut().unwrap().decision = Decision::HoldOff;
        assert!(incomplete(&c, &before).is_none());
        dosing_mut(&mut c).status = SessionStatus::Planned;
        assert!(incomplete(&c, &before).is_none());
    }

    #[test]
    fn a_severe_adverse_event_stops_until_an_action_is_recorded() {
        let mut c = clean();
        let event = |severity, action: Option<&str>| AdverseEvent {
            id: new_id(),
            at: ts("2026-04-30T15:10:00+02:00"),
            kind: AdverseEventKind::Hypertension,
            severity,
            action: action.map(str::to_owned),
        };
        dosing_mut(&mut c).adverse_events = vec![
            event(AdverseEventSeverity::Severe, None),
            event(AdverseEventSeverity::Moderate, None),
            event(
                AdverseEventSeverity::Severe,
                Some("Seated, BP rechecked in 10 min."),
            ),
        ];
        let f = found(&c, codes::ADVERSE_EVENT_NO_ACTION);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Stop);
        assert!(f[0].message.contains("hypertension") && f[0].message.contains("15:10"));
        dosing_mut(&mut c).adverse_events[0].action = Some(" ".into());
        assert_eq!(
            found(&c, codes::ADVERSE_EVENT_NO_ACTION).len(),
            1,
            "blank is none"
        );
        dosing_mut(&mut c).adverse_events[0].action = Some("Called the prescriber.".into());
        assert!(found(&c, codes::ADVERSE_EVENT_NO_ACTION).is_empty());
    }

    #[test]
    fn the_rules_judge_by_the_vaults_thresholds() {
        let c = with_readings(vec![
            pressure("14:10", 135, 80),
            Reading {
                spo2: Some(93),
                sedation: Some(4),
                ..reading("15:00")
            },
        ]);
        assert_eq!(judged(&c, &RuleSettings::default()), vec![]);
        let mut settings = RuleSettings::default();
        for (key, value) in [
            (ThresholdKey::BloodPressureWarnSystolic, 135),
            (ThresholdKey::Spo2StopBelow, 94),
            (ThresholdKey::Spo2WarnBelow, 95),
            (ThresholdKey::SedationWarnAtOrBelow, 4),
        ] {
            settings.thresholds.set(key, value);
        }
        let codes: Vec<_> = judged(&c, &settings).into_iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                codes::SPO2_STOP,
                codes::BLOOD_PRESSURE_WARN,
                codes::SEDATION_WARN
            ]
        );
    }
}
