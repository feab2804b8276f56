//! A session as printed: on its own (the session note) and within the full record.

use super::layout::{Column, Face, Layout, Tone};
use super::wording::*;
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
pub(super) fn session_body(layout: &mut Layout, client: &Client, session: &Session) {
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

pub(super) fn session_note(layout: &mut Layout, client: &Client, session: &Session) {
    layout.title(kind_label(session.kind));
    session_body(layout, client, session);
}
