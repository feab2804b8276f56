//! Printed documents, as PDF: a session note, the dosing-day preparation sheet, and a
//! client's full record for a records request. The core lays them out (layout.rs) and
//! embeds the same SVG figures the app shows (src/charts.rs).
//!
//! A PDF is plaintext clinical data: it is written 0600 to a path the clinician chose,
//! the writing is recorded in the audit trail, and every caller tells the clinician the
//! file is not encrypted. Psychotherapy notes stay out of the full record unless asked
//! for, and the document says so.

mod layout;

use crate::error::{Error, Result};
use crate::records::{
    CheckIn, Client, Clinician, Date, Decision, FloodingSign, PartRole, PartStatus,
    RelationshipKind, Route, Session, SessionKind, SessionStatus, Setting, Signal, Timestamp,
};
use crate::rules::findings::{Finding, Severity, check_client};
use crate::rules::{DoseBand, dose_band};
use crate::vault::{AuditAction, AuditEntry, AuditEvent, Table, Vault};
pub use layout::Paper;
use layout::{Column, Face, Layout, Running, Tone};
use std::path::Path;

/// Which document to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentRequest {
    /// One session note, any kind, with its addenda and signature.
    SessionNote { session_id: String },
    /// The one-page sheet to have at hand before a dosing session.
    PrepSheet { session_id: String },
    /// A client's whole record, for a records request.
    ClientRecord {
        client_id: String,
        include_psychotherapy_notes: bool,
    },
}

/// A document made and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenDocument {
    pub pages: usize,
    pub bytes: u64,
}

/// What every caller tells the clinician after writing a document.
pub const NOT_ENCRYPTED: &str =
    "This PDF is NOT encrypted: keep it safe and delete it when it is no longer needed.";

fn date(d: &Date) -> String {
    d.0.format("%-d %B %Y").to_string()
}

fn when(t: &Timestamp) -> String {
    t.instant().format("%-d %B %Y, %H:%M (UTC%:z)").to_string()
}

fn time(t: &Timestamp) -> String {
    t.instant().format("%H:%M").to_string()
}

fn kind_label(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Consultation => "Consultation",
        SessionKind::Preparation => "Preparation session",
        SessionKind::Dosing => "Dosing session",
        SessionKind::Integration => "Integration session",
        SessionKind::Therapy => "Therapy session",
    }
}

fn status_label(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Planned => "planned",
        SessionStatus::Completed => "completed",
        SessionStatus::HeldOff => "held off",
        SessionStatus::Cancelled => "cancelled",
    }
}

fn route_label(route: Route) -> &'static str {
    match route {
        Route::Sublingual => "sublingual",
        Route::Oral => "oral",
        Route::Intramuscular => "intramuscular",
        Route::Intravenous => "intravenous",
        Route::Intranasal => "intranasal",
    }
}

fn role_label(role: PartRole) -> &'static str {
    match role {
        PartRole::SelfEnergy => "Self",
        PartRole::Manager => "manager",
        PartRole::Firefighter => "firefighter",
        PartRole::Exile => "exile",
        PartRole::Unknown => "role not known",
    }
}

fn signal_label(signal: Signal) -> &'static str {
    match signal {
        Signal::Green => "green: agrees",
        Signal::Yellow => "yellow: unsure",
        Signal::Red => "RED: not yet",
    }
}

fn band_label(band: DoseBand) -> &'static str {
    match band {
        DoseBand::Psycholytic => "psycholytic range",
        DoseBand::Psychedelic => "psychedelic range",
        DoseBand::OutsideBands => "outside the usual bands",
    }
}

fn severity_tone(severity: Severity) -> Tone {
    match severity {
        Severity::Stop => Tone::Stop,
        Severity::Warn => Tone::Warn,
        Severity::Note => Tone::Text,
    }
}

fn clinician_line(clinician: Option<&Clinician>) -> String {
    match clinician {
        Some(c) => {
            let mut line = c.name.clone();
            if let Some(credentials) = c.credentials.as_deref().filter(|s| !s.is_empty()) {
                line.push_str(&format!(", {credentials}"));
            }
            if let Some(practice) = c.practice.as_deref().filter(|s| !s.is_empty()) {
                line.push_str(&format!(" · {practice}"));
            }
            line
        }
        None => "Clinician not named (set it in Settings)".to_owned(),
    }
}

fn client_line(client: &Client) -> String {
    let profile = &client.profile;
    let mut line = profile
        .full_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| profile.display_name.clone());
    if let Some(born) = &profile.date_of_birth {
        line.push_str(&format!(" · born {}", date(born)));
    }
    line
}

fn part_name(client: &Client, id: &str) -> String {
    client
        .part(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "a part no longer on the map".to_owned())
}

/// The findings table: stops first.
fn findings_table(layout: &mut Layout, findings: &[Finding], size: f32) {
    if findings.is_empty() {
        layout.styled(
            "No findings: the safety rules found nothing to raise.",
            Face::Regular,
            size,
            Tone::Muted,
        );
        return;
    }
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let rows: Vec<(Vec<String>, Tone)> = sorted
        .iter()
        .map(|f| {
            (
                vec![f.severity.label().to_owned(), f.message.clone()],
                severity_tone(f.severity),
            )
        })
        .collect();
    layout.table(
        &[
            Column {
                heading: "Level",
                width: 1.0,
            },
            Column {
                heading: "Finding",
                width: 9.0,
            },
        ],
        &rows,
        size,
    );
}

fn checkin_table(layout: &mut Layout, client: &Client, checkin: &CheckIn, size: f32) {
    let rows: Vec<(Vec<String>, Tone)> = checkin
        .responses
        .iter()
        .map(|r| {
            let tone = match r.signal {
                Signal::Red => Tone::Stop,
                Signal::Yellow => Tone::Warn,
                Signal::Green => Tone::Text,
            };
            (
                vec![
                    part_name(client, &r.part),
                    signal_label(r.signal).to_owned(),
                    r.concerns.clone(),
                    r.requests.clone(),
                ],
                tone,
            )
        })
        .collect();
    layout.table(
        &[
            Column {
                heading: "Protector",
                width: 2.2,
            },
            Column {
                heading: "Answer",
                width: 1.6,
            },
            Column {
                heading: "Concerns",
                width: 3.0,
            },
            Column {
                heading: "Requests",
                width: 3.0,
            },
        ],
        &rows,
        size,
    );
}

fn flooding_label(sign: FloodingSign) -> &'static str {
    match sign {
        FloodingSign::Panic => "panic",
        FloodingSign::Shutdown => "shutdown",
        FloodingSign::RapidSwitching => "rapid switching",
        FloodingSign::Amnesia => "amnesia",
    }
}

/// One session in full: used by the session note and the full record.
fn session_body(layout: &mut Layout, client: &Client, session: &Session) {
    layout.field("When", &when(&session.starts_at));
    let mut details = status_label(session.status).to_owned();
    if let Some(minutes) = session.duration_minutes {
        details.push_str(&format!(", {minutes} minutes"));
    }
    details.push_str(match session.setting {
        Setting::InPerson => ", in person",
        Setting::Telehealth => ", telehealth",
    });
    layout.field("Session", &details);
    if session.psychotherapy_note {
        layout.field(
            "Marked",
            "Psychotherapy note (kept separately from the medical record)",
        );
    }
    if let Some(person) = &session.support_person {
        layout.field("Support person", person);
    }
    if !session.intentions.is_empty() {
        let text = session
            .intentions
            .iter()
            .map(|i| match &i.part {
                Some(part) => format!("• {} (with {})", i.text, part_name(client, part)),
                None => format!("• {}", i.text),
            })
            .collect::<Vec<_>>()
            .join("\n");
        layout.field("Intentions", &text);
    }
    if !session.safety_plan.trim().is_empty() {
        layout.field("Safety plan", &session.safety_plan);
    }
    if let Some(checkin) = &session.checkin {
        layout.subheading(&format!("Protectors' check-in at {}", time(&checkin.at)));
        checkin_table(layout, client, checkin, 9.0);
        let decision = match checkin.decision {
            Decision::Proceed => "Proceed with dosing",
            Decision::HoldOff => "Hold off: no dose given",
        };
        layout.field("Decision", decision);
        if !checkin.decision_note.trim().is_empty() {
            layout.field("Why", &checkin.decision_note);
        }
    }
    if let Some(dose) = &session.dose {
        let total = dose.mg.value() + dose.booster_mg.map_or(0.0, |b| b.value());
        let mut text = format!(
            "{} mg {} at {}",
            dose.mg.value(),
            route_label(dose.route),
            time(&dose.administered_at)
        );
        if let Some(booster) = dose.booster_mg {
            text.push_str(&format!(
                ", booster {} mg (total {total} mg)",
                booster.value()
            ));
        }
        text.push_str(&format!(" · {}", band_label(dose_band(total))));
        layout.field("Dose", &text);
    }
    if let Some(observations) = &session.observations {
        layout.subheading("Observations");
        let vitals = [
            (
                "Blood pressure before",
                observations.blood_pressure_pre.clone(),
            ),
            (
                "Blood pressure after",
                observations.blood_pressure_post.clone(),
            ),
            (
                "Heart rate before",
                observations.heart_rate_pre.map(|h| format!("{h} bpm")),
            ),
            (
                "Heart rate after",
                observations.heart_rate_post.map(|h| format!("{h} bpm")),
            ),
        ];
        for (label, value) in vitals {
            if let Some(value) = value {
                layout.field(label, &value);
            }
        }
        if !observations.parts_present.is_empty() {
            let names: Vec<String> = observations
                .parts_present
                .iter()
                .map(|id| part_name(client, id))
                .collect();
            layout.field("Parts present", &names.join(", "));
        }
        if !observations.flooding_signs.is_empty() {
            let signs: Vec<&str> = observations
                .flooding_signs
                .iter()
                .map(|s| flooding_label(*s))
                .collect();
            layout.field("Signs of flooding", &signs.join(", "));
        }
        for note in &observations.timeline {
            layout.field(&time(&note.at), &note.text);
        }
        if !observations.notes.trim().is_empty() {
            layout.field("Notes", &observations.notes);
        }
    }
    if let Some(integration) = &session.integration {
        layout.subheading("Integration");
        if let Some(dosing) = integration
            .dosing_session
            .as_deref()
            .and_then(|id| client.session(id))
        {
            layout.field(
                "Integrates",
                &format!("the dosing of {}", when(&dosing.starts_at)),
            );
        }
        layout.field("Insights", &integration.insights);
        if !integration.parts_encountered.is_empty() {
            let names: Vec<String> = integration
                .parts_encountered
                .iter()
                .map(|id| part_name(client, id))
                .collect();
            layout.field("Parts encountered", &names.join(", "));
        }
        if !integration.messages.trim().is_empty() {
            layout.field("Messages from parts", &integration.messages);
        }
        for reflection in &integration.intention_reflections {
            let intention = client
                .sessions
                .iter()
                .flat_map(|s| &s.intentions)
                .find(|i| i.id == reflection.intention)
                .map_or("An intention", |i| i.text.as_str());
            layout.field(&format!("On “{intention}”"), &reflection.reflection);
        }
        let energy = integration.self_energy;
        let rated: Vec<String> = [
            ("calm", energy.calm),
            ("clarity", energy.clarity),
            ("compassion", energy.compassion),
            ("curiosity", energy.curiosity),
            ("confidence", energy.confidence),
            ("courage", energy.courage),
            ("creativity", energy.creativity),
            ("connectedness", energy.connectedness),
        ]
        .iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name} {v}")))
        .collect();
        if !rated.is_empty() {
            layout.field("Self-energy (0–10)", &rated.join(", "));
        }
        if !integration.commitments.trim().is_empty() {
            layout.field("Commitments", &integration.commitments);
        }
    }
    layout.subheading("Note");
    if session.note.trim().is_empty() {
        layout.styled("No note was written.", Face::Regular, 10.0, Tone::Muted);
    } else {
        layout.paragraph(&session.note);
    }
    layout.gap(4.0);
    match &session.signed_at {
        Some(at) => layout.styled(
            &format!("Signed {}. The note above is locked.", when(at)),
            Face::Bold,
            10.0,
            Tone::Text,
        ),
        None => layout.styled(
            "Not signed: this note may still change.",
            Face::Bold,
            10.0,
            Tone::Warn,
        ),
    }
    for addendum in &session.addenda {
        layout.gap(2.0);
        layout.styled(
            &format!("Addendum, {}", when(&addendum.at)),
            Face::Bold,
            10.0,
            Tone::Text,
        );
        layout.paragraph(&addendum.text);
    }
}

/// The most recent check-in at or before `session`, from any of the client's sessions.
fn last_checkin<'a>(client: &'a Client, session: &Session) -> Option<&'a CheckIn> {
    client
        .sessions
        .iter()
        .filter(|s| s.starts_at <= session.starts_at || s.id == session.id)
        .filter_map(|s| s.checkin.as_ref())
        .max_by(|a, b| a.at.cmp(&b.at))
}

/// The latest text of `field` among this session and the preparation sessions before it.
fn latest_preparation<'a>(
    client: &'a Client,
    session: &'a Session,
    field: impl Fn(&Session) -> bool,
) -> Option<&'a Session> {
    if field(session) {
        return Some(session);
    }
    client
        .sessions
        .iter()
        .filter(|s| s.kind == SessionKind::Preparation && s.starts_at <= session.starts_at)
        .filter(|s| field(s))
        .max_by(|a, b| a.starts_at.cmp(&b.starts_at))
}

fn session_note(layout: &mut Layout, client: &Client, session: &Session) {
    layout.title(kind_label(session.kind));
    session_body(layout, client, session);
}

fn prep_sheet(layout: &mut Layout, client: &Client, session: &Session) -> Result<()> {
    layout.title("Dosing-day preparation sheet");
    layout.styled(
        &format!(
            "{} · {}",
            kind_label(session.kind),
            when(&session.starts_at)
        ),
        Face::Regular,
        10.0,
        Tone::Muted,
    );

    layout.heading("Intentions");
    match latest_preparation(client, session, |s| !s.intentions.is_empty()) {
        Some(source) => {
            for intention in &source.intentions {
                let text = match &intention.part {
                    Some(part) => {
                        format!("• {} (with {})", intention.text, part_name(client, part))
                    }
                    None => format!("• {}", intention.text),
                };
                layout.styled(&text, Face::Regular, 9.5, Tone::Text);
            }
            if source.id != session.id {
                layout.styled(
                    &format!(
                        "From the preparation session of {}.",
                        date(&Date(source.starts_at.local_date()))
                    ),
                    Face::Regular,
                    8.5,
                    Tone::Muted,
                );
            }
        }
        None => layout.styled(
            "No intentions recorded yet.",
            Face::Regular,
            9.5,
            Tone::Warn,
        ),
    }

    layout.heading("Protectors: last check-in");
    let checkin = last_checkin(client, session);
    match checkin {
        Some(checkin) => {
            layout.styled(
                &format!("Check-in of {}", when(&checkin.at)),
                Face::Regular,
                8.5,
                Tone::Muted,
            );
            checkin_table(layout, client, checkin, 8.5);
        }
        None => layout.styled(
            "No check-in yet: ask every protector before dosing.",
            Face::Regular,
            9.5,
            Tone::Warn,
        ),
    }
    if let Some(figure) = crate::charts::protector_figure(client, checkin) {
        layout.gap(4.0);
        layout.figure(&figure, 0.9)?;
    }

    layout.heading("Prescriber's range and safety");
    match &client.profile.prescriber {
        Some(p) => {
            let mut text = format!(
                "{}–{} mg {}, prescribed by {}",
                p.dose_min_mg.value(),
                p.dose_max_mg.value(),
                route_label(p.route),
                p.name
            );
            if let Some(follow_up) = &p.next_medical_follow_up {
                text.push_str(&format!("; next medical follow-up {}", date(follow_up)));
            }
            layout.field("Range", &text);
        }
        None => layout.field("Range", "No prescriber's range recorded."),
    }
    let plan = latest_preparation(client, session, |s| !s.safety_plan.trim().is_empty());
    layout.field(
        "Safety plan",
        plan.map_or("No safety plan recorded.", |s| s.safety_plan.as_str()),
    );
    let support = latest_preparation(client, session, |s| s.support_person.is_some())
        .and_then(|s| s.support_person.as_deref());
    layout.field("Support person", support.unwrap_or("None named."));

    layout.heading("Findings");
    let findings = check_client(client, chrono::Utc::now().fixed_offset());
    findings_table(layout, &findings, 8.5);
    Ok(())
}

fn client_record(
    layout: &mut Layout,
    client: &Client,
    left_out: usize,
    include_psychotherapy_notes: bool,
    audit: &[AuditEntry],
) -> Result<()> {
    let profile = &client.profile;
    layout.title("Clinical record");
    layout.styled(
        &format!("Made {} for a records request.", when(&Timestamp::now())),
        Face::Regular,
        10.0,
        Tone::Muted,
    );
    layout.gap(2.0);
    if include_psychotherapy_notes {
        layout.styled(
            "Sessions marked as psychotherapy notes are included, at the clinician's request.",
            Face::Bold,
            10.0,
            Tone::Text,
        );
    } else if left_out > 0 {
        layout.styled(
            &format!(
                "{left_out} session(s) marked as psychotherapy notes were left out of this record, with the audit entries about them; they are kept separately and are not part of a records request unless the clinician includes them."
            ),
            Face::Bold,
            10.0,
            Tone::Text,
        );
    } else {
        layout.styled(
            "No session is marked as a psychotherapy note, so nothing was left out.",
            Face::Regular,
            10.0,
            Tone::Muted,
        );
    }

    layout.heading("Client");
    layout.field("Name", &client_line(client));
    if let Some(pronouns) = &profile.pronouns {
        layout.field("Pronouns", pronouns);
    }
    layout.field("In care since", &when(&profile.created_at));
    layout.field(
        "Consent signed",
        &profile.consent_signed_on.as_ref().map_or("—".into(), date),
    );
    if let Some(planned) = profile.planned_dosing_sessions {
        layout.field("Dosing sessions planned", &planned.to_string());
    }
    if let Some(p) = &profile.prescriber {
        layout.field(
            "Prescriber",
            &format!(
                "{}{} · {}–{} mg {}",
                p.name,
                p.organization
                    .as_deref()
                    .map(|o| format!(", {o}"))
                    .unwrap_or_default(),
                p.dose_min_mg.value(),
                p.dose_max_mg.value(),
                route_label(p.route)
            ),
        );
    }
    if let Some(screening) = &profile.screening {
        layout.field("Screened", &date(&screening.screened_on));
        let present: Vec<String> = screening
            .contraindications
            .iter()
            .filter(|c| c.present)
            .map(|c| {
                let kind = serde_json::to_value(c.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                    .unwrap_or_default();
                if c.note.trim().is_empty() {
                    kind
                } else {
                    format!("{kind} ({})", c.note)
                }
            })
            .collect();
        layout.field(
            "Contraindications",
            &if present.is_empty() {
                "none present".to_owned()
            } else {
                present.join("; ")
            },
        );
        layout.field("Medications", &screening.medications);
        layout.field("Allergies", &screening.allergies);
    }
    if !profile.notes.trim().is_empty() {
        layout.field("Notes", &profile.notes);
    }

    layout.heading("Parts map");
    if client.parts.is_empty() {
        layout.styled("No parts recorded.", Face::Regular, 10.0, Tone::Muted);
    } else {
        let rows: Vec<(Vec<String>, Tone)> = client
            .parts
            .iter()
            .map(|p| {
                let status = match p.status {
                    PartStatus::Unmet => "not yet met",
                    PartStatus::GettingToKnow => "getting to know",
                    PartStatus::Befriended => "befriended",
                    PartStatus::Unburdened => "unburdened",
                };
                let mut about = p.description.clone();
                for (label, text) in [
                    ("Fears", &p.fears),
                    ("Positive intent", &p.positive_intent),
                    ("Burdens", &p.burdens),
                ] {
                    if !text.trim().is_empty() {
                        about.push_str(&format!("\n{label}: {text}"));
                    }
                }
                (
                    vec![
                        p.name.clone(),
                        format!("{}, {status}", role_label(p.role)),
                        about.trim().to_owned(),
                    ],
                    Tone::Text,
                )
            })
            .collect();
        layout.table(
            &[
                Column {
                    heading: "Part",
                    width: 2.2,
                },
                Column {
                    heading: "Role",
                    width: 2.0,
                },
                Column {
                    heading: "What is known",
                    width: 5.8,
                },
            ],
            &rows,
            9.0,
        );
        if let Some(figure) = crate::charts::protector_figure(client, None) {
            layout.gap(6.0);
            layout.figure(&figure, 0.9)?;
        }
        if !client.relationships.is_empty() {
            layout.subheading("Relationships");
            for r in &client.relationships {
                let verb = match r.kind {
                    RelationshipKind::Protects => "protects",
                    RelationshipKind::Polarized => "is polarized with",
                    RelationshipKind::Allied => "is allied with",
                    RelationshipKind::Blended => "is blended with",
                };
                let mut line = format!(
                    "{} {verb} {}",
                    part_name(client, &r.from_part),
                    part_name(client, &r.to_part)
                );
                if !r.note.trim().is_empty() {
                    line.push_str(&format!(": {}", r.note));
                }
                layout.paragraph(&line);
            }
        }
        if !client.agreements.is_empty() {
            layout.subheading("Agreements with parts");
            for a in &client.agreements {
                let parts: Vec<String> = a.parts.iter().map(|p| part_name(client, p)).collect();
                layout.field(
                    &date(&a.made_on),
                    &if parts.is_empty() {
                        a.text.clone()
                    } else {
                        format!("{} (with {})", a.text, parts.join(", "))
                    },
                );
            }
        }
    }

    layout.heading("Outcome measures");
    if client.measures.is_empty() {
        layout.styled("No measures recorded.", Face::Regular, 10.0, Tone::Muted);
    } else {
        let mut measures: Vec<_> = client.measures.iter().collect();
        measures.sort_by_key(|m| m.taken_on.0);
        let rows: Vec<(Vec<String>, Tone)> = measures
            .iter()
            .map(|m| {
                let score = crate::measures::score(m);
                let value = match score.score {
                    Some(v) => format!("{}", (v * 100.0).round() / 100.0),
                    None => format!("incomplete (items {:?} skipped)", score.skipped_items),
                };
                (
                    vec![
                        date(&m.taken_on),
                        m.instrument.name().to_owned(),
                        value,
                        score.band.unwrap_or("—").to_owned(),
                    ],
                    Tone::Text,
                )
            })
            .collect();
        layout.table(
            &[
                Column {
                    heading: "Taken",
                    width: 2.0,
                },
                Column {
                    heading: "Measure",
                    width: 1.5,
                },
                Column {
                    heading: "Score",
                    width: 2.5,
                },
                Column {
                    heading: "Band",
                    width: 3.0,
                },
            ],
            &rows,
            9.0,
        );
    }
    let charts = [
        (
            "Measures over time (dashed lines: dosing sessions)",
            crate::charts::measures_chart(client),
        ),
        (
            "Doses against the prescriber's range",
            crate::charts::dose_chart(client),
        ),
        (
            "Self-energy across integration sessions (0–10)",
            crate::charts::self_energy_chart(client),
        ),
    ];
    for (caption, chart) in charts {
        if let Some(chart) = chart {
            layout.subheading(caption);
            layout.figure(&chart, 1.0)?;
        }
    }

    let mut sessions: Vec<&Session> = client.sessions.iter().collect();
    sessions.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
    layout.heading(&format!("Sessions ({})", sessions.len()));
    for session in sessions {
        layout.subheading(&format!(
            "{}, {}",
            kind_label(session.kind),
            date(&Date(session.starts_at.local_date()))
        ));
        session_body(layout, client, session);
        layout.gap(6.0);
    }

    layout.heading("Audit trail for this client");
    let rows: Vec<(Vec<String>, Tone)> = audit
        .iter()
        .map(|e| {
            let mut what = e.action.label().to_owned();
            if let Some(kind) = &e.record_kind {
                what.push_str(&format!(" ({kind})"));
            }
            if e.count > 1 {
                what.push_str(&format!(", {} saves until {}", e.count, time(&e.last_at)));
            }
            if let Some(detail) = &e.detail {
                what.push_str(&format!(": {detail}"));
            }
            (
                vec![
                    e.position.to_string(),
                    when(&e.at),
                    what,
                    e.content_sha256
                        .as_deref()
                        .map(|h| h[..h.len().min(16)].to_owned())
                        .unwrap_or_default(),
                ],
                Tone::Text,
            )
        })
        .collect();
    layout.table(
        &[
            Column {
                heading: "#",
                width: 0.7,
            },
            Column {
                heading: "When",
                width: 3.2,
            },
            Column {
                heading: "What",
                width: 4.4,
            },
            Column {
                heading: "Sealed hash",
                width: 2.6,
            },
        ],
        &rows,
        8.0,
    );
    Ok(())
}

impl Vault {
    /// Makes the requested document as PDF bytes (nothing is written or recorded).
    pub fn document_pdf(
        &self,
        request: &DocumentRequest,
        paper: Paper,
    ) -> Result<(Vec<u8>, usize)> {
        let clinician = self.clinician()?;
        let mut layout = Layout::new(paper);
        let (title, client) = match request {
            DocumentRequest::SessionNote { session_id } => {
                let client = self.client(&self.client_of(Table::Sessions, session_id)?)?;
                let session = session_in(&client, session_id)?;
                session_note(&mut layout, &client, session);
                (
                    format!(
                        "{} note, {}",
                        kind_label(session.kind),
                        date(&Date(session.starts_at.local_date()))
                    ),
                    client,
                )
            }
            DocumentRequest::PrepSheet { session_id } => {
                let client = self.client(&self.client_of(Table::Sessions, session_id)?)?;
                let session = session_in(&client, session_id)?;
                if session.kind != SessionKind::Dosing {
                    return Err(Error::Refused(
                        "A preparation sheet is made for a dosing session; choose a dosing session.".into(),
                    ));
                }
                prep_sheet(&mut layout, &client, session)?;
                (
                    format!(
                        "Dosing-day sheet, {}",
                        date(&Date(session.starts_at.local_date()))
                    ),
                    client,
                )
            }
            DocumentRequest::ClientRecord {
                client_id,
                include_psychotherapy_notes,
            } => {
                let mut client = self.client(client_id)?;
                let mut audit = self.client_audit_trail(client_id)?.entries;
                let mut left_out = 0;
                if !include_psychotherapy_notes {
                    // The trail's entries about those sessions go with them.
                    let marked: Vec<String> = client
                        .sessions
                        .iter()
                        .filter(|s| s.psychotherapy_note)
                        .map(|s| s.id.clone())
                        .collect();
                    audit.retain(|e| e.record_id.as_ref().is_none_or(|id| !marked.contains(id)));
                    left_out = marked.len();
                    crate::interchange::leave_out_psychotherapy_notes(&mut client);
                }
                client_record(
                    &mut layout,
                    &client,
                    left_out,
                    *include_psychotherapy_notes,
                    &audit,
                )?;
                ("Clinical record".to_owned(), client)
            }
        };
        let pages = layout.page_count();
        let running = Running {
            title,
            clinician: clinician_line(clinician.as_ref()),
            client: client_line(&client),
        };
        Ok((layout.render(&running)?, pages))
    }

    /// Makes the document and writes it to `path` (0600, never half-written), and
    /// records it in the audit trail.
    pub fn write_document(
        &self,
        request: &DocumentRequest,
        paper: Paper,
        path: &Path,
    ) -> Result<WrittenDocument> {
        let (bytes, pages) = self.document_pdf(request, paper)?;
        let event = AuditEvent::new(AuditAction::DocumentWritten);
        let event = match request {
            DocumentRequest::SessionNote { session_id } => event
                .client(&self.client_of(Table::Sessions, session_id)?)
                .record(Table::Sessions, session_id)
                .detail("session note PDF"),
            DocumentRequest::PrepSheet { session_id } => event
                .client(&self.client_of(Table::Sessions, session_id)?)
                .record(Table::Sessions, session_id)
                .detail("dosing-day sheet PDF"),
            DocumentRequest::ClientRecord {
                client_id,
                include_psychotherapy_notes,
            } => event
                .client(client_id)
                .record(Table::Clients, client_id)
                .detail(if *include_psychotherapy_notes {
                    "full record PDF, psychotherapy notes included"
                } else {
                    "full record PDF, psychotherapy notes left out"
                }),
        };
        self.record_disclosure(event)?;
        crate::vault::write_private_file(path, &bytes)?;
        Ok(WrittenDocument {
            pages,
            bytes: bytes.len() as u64,
        })
    }
}

fn session_in<'a>(client: &'a Client, session_id: &str) -> Result<&'a Session> {
    client.session(session_id).ok_or_else(|| Error::NotFound {
        what: "session",
        id: session_id.to_owned(),
    })
}
