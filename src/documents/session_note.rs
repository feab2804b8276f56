//! A session as printed: on its own (the session note) and within the full record.

use super::layout::{Column, Face, Layout, Tone};
use super::wording::*;
use crate::error::Result;
use crate::records::*;
use crate::rules::dose_band;

/// The protectors' answers as a table: one row per response given.
pub(super) fn checkin_table(
    layout: &mut Layout,
    client: &Client,
    responses: &[&CheckInResponse],
    size: f32,
) {
    let rows: Vec<(Vec<String>, Tone)> = responses
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

/// One session in full: used by the session note and the full record.
pub(super) fn session_body(layout: &mut Layout, client: &Client, session: &Session) -> Result<()> {
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
    if let Some(pre_dose) = &session.pre_dose {
        pre_dose_checks(layout, pre_dose);
    }
    if let Some(checkin) = &session.checkin {
        layout.subheading(&format!("Protectors' check-in at {}", time(&checkin.at)));
        let responses: Vec<&CheckInResponse> = checkin.responses.iter().collect();
        checkin_table(layout, client, &responses, 9.0);
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
        if let Some(lot) = dose.lot_number.as_deref().filter(|l| !l.trim().is_empty()) {
            text.push_str(&format!(" · lot {lot}"));
        }
        layout.field("Dose", &text);
    }
    if !session.monitoring.is_empty() {
        readings(layout, session)?;
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
    if let Some(discharge) = &session.discharge {
        discharge_record(layout, session, discharge);
    }
    if !session.adverse_events.is_empty() {
        adverse_events(layout, &session.adverse_events);
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
    let written = session.written_sections();
    layout.subheading(&match written {
        Some((template, _)) => format!("Note ({template})"),
        None => "Note".to_owned(),
    });
    if !session.has_note() {
        layout.styled("No note was written.", Face::Regular, 10.0, Tone::Muted);
    } else {
        if !session.note.trim().is_empty() {
            layout.paragraph(&session.note);
        }
        // A note written in a template: each section under its own heading, an empty
        // one said to be so, so the reader sees the whole format.
        for section in written.map_or(&[][..], |(_, sections)| sections) {
            layout.subheading(&section.heading);
            if section.text.trim().is_empty() {
                layout.styled("Nothing written.", Face::Regular, 10.0, Tone::Muted);
            } else {
                layout.paragraph(&section.text);
            }
            layout.gap(2.0);
        }
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
    Ok(())
}

/// The checks before the dose.
fn pre_dose_checks(layout: &mut Layout, pre_dose: &PreDose) {
    layout.subheading(&format!(
        "Pre-dose checks at {}",
        time(&pre_dose.checked_at)
    ));
    if let Some(hours) = pre_dose.hours_fasted {
        layout.field("Fasted", &format!("{} hours", hours.value()));
    }
    let substances = if pre_dose.substances_today.is_empty() {
        "None recorded".to_owned()
    } else {
        pre_dose
            .substances_today
            .iter()
            .map(|s| substance_label(*s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    layout.field("Taken today", &substances);
    layout.field(
        "Ride home",
        pre_dose
            .ride_home
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or("None named"),
    );
    if !pre_dose.notes.trim().is_empty() {
        layout.field("Notes", &pre_dose.notes);
    }
}

/// The monitoring readings as a table, then the vitals chart.
fn readings(layout: &mut Layout, session: &Session) -> Result<()> {
    layout.subheading(&format!("Readings ({})", session.monitoring.len()));
    let dose_at = session.dose.as_ref().map(|d| &d.administered_at);
    let rows: Vec<(Vec<String>, Tone)> = session
        .monitoring
        .iter()
        .map(|r| {
            let pressure = match (r.systolic, r.diastolic) {
                (Some(s), Some(d)) => format!("{s}/{d}"),
                (Some(s), None) => format!("{s}/–"),
                (None, Some(d)) => format!("–/{d}"),
                (None, None) => "—".to_owned(),
            };
            let or_dash = |value: Option<String>| value.unwrap_or_else(|| "—".to_owned());
            (
                vec![
                    time(&r.at),
                    dose_at.map_or("—".to_owned(), |dose| since(dose, &r.at)),
                    pressure,
                    or_dash(r.heart_rate.map(|h| h.to_string())),
                    or_dash(r.spo2.map(|o| format!("{o} %"))),
                    or_dash(r.sedation.map(sedation_label)),
                    or_dash(r.dissociation_total().map(|t| t.to_string())),
                    r.note.clone(),
                ],
                Tone::Text,
            )
        })
        .collect();
    let column = |heading, width| Column { heading, width };
    layout.table(
        &[
            column("Time", 0.9),
            column("Since dose", 1.25),
            column("BP mmHg", 1.2),
            column("HR", 0.7),
            column("SpO₂", 0.8),
            column("MOAA/S", 2.0),
            column("CADSS-6", 1.05),
            column("Note", 2.6),
        ],
        &rows,
        8.5,
    );
    layout.styled(
        "MOAA/S: sedation, 5 alert down to 0 no response. CADSS-6: dissociation, the six items' total (0–24), — when an item was not asked.",
        Face::Regular,
        8.0,
        Tone::Muted,
    );
    if let Some(chart) = crate::charts::vitals_chart(session) {
        layout.gap(4.0);
        layout.figure(&chart, 1.0)?;
    }
    Ok(())
}

/// When and how the client left.
fn discharge_record(layout: &mut Layout, session: &Session, discharge: &Discharge) {
    let mut heading = format!("Discharge at {}", time(&discharge.at));
    if let Some(dose) = &session.dose {
        let minutes = (discharge.at.instant() - dose.administered_at.instant()).num_minutes();
        heading.push_str(&format!(", {minutes} minutes after the dose"));
    }
    layout.subheading(&heading);
    let criteria = [
        discharge.alert_and_oriented,
        discharge.walking_steadily,
        discharge.vitals_near_baseline,
    ];
    for (name, met) in DISCHARGE_CRITERIA.iter().zip(criteria) {
        layout.field(name, criterion_label(met));
    }
    layout.field(
        "Left with",
        discharge
            .left_with
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or("Not recorded"),
    );
    if !discharge.notes.trim().is_empty() {
        layout.field("Notes", &discharge.notes);
    }
}

/// The adverse events as a table; a severe one without an action is marked in red and
/// said again below the table.
fn adverse_events(layout: &mut Layout, events: &[AdverseEvent]) {
    layout.subheading(&format!("Adverse events ({})", events.len()));
    let unanswered = |e: &AdverseEvent| {
        e.severity == AdverseEventSeverity::Severe
            && e.action.as_deref().is_none_or(|a| a.trim().is_empty())
    };
    let mut in_order: Vec<&AdverseEvent> = events.iter().collect();
    in_order.sort_by(|a, b| a.at.cmp(&b.at));
    let rows: Vec<(Vec<String>, Tone)> = in_order
        .into_iter()
        .map(|e| {
            let action = if unanswered(e) {
                SEVERE_WITHOUT_ACTION.to_owned()
            } else {
                e.action.clone().unwrap_or_default()
            };
            let tone = match e.severity {
                AdverseEventSeverity::Severe => Tone::Stop,
                AdverseEventSeverity::Moderate => Tone::Warn,
                AdverseEventSeverity::Mild => Tone::Text,
            };
            (
                vec![
                    adverse_severity_label(e.severity).to_owned(),
                    time(&e.at),
                    adverse_kind_label(e.kind).to_owned(),
                    action,
                ],
                tone,
            )
        })
        .collect();
    let column = |heading, width| Column { heading, width };
    layout.table(
        &[
            column("Severity", 1.2),
            column("Time", 0.9),
            column("Kind", 2.0),
            column("Action", 5.5),
        ],
        &rows,
        9.0,
    );
    let missing = events.iter().filter(|e| unanswered(e)).count();
    if missing > 0 {
        layout.styled(
            &format!(
                "{missing} severe adverse event(s) without an action recorded: record what was done."
            ),
            Face::Bold,
            10.0,
            Tone::Stop,
        );
    }
}

pub(super) fn session_note(layout: &mut Layout, client: &Client, session: &Session) -> Result<()> {
    layout.title(kind_label(session.kind));
    session_body(layout, client, session)
}
