//! A client's full record, for a records request.

use super::layout::{Column, Face, Layout, Tone};
use super::session_note::session_body;
use super::wording::*;
use crate::error::Result;
use crate::records::*;
use crate::vault::AuditTrail;

pub(super) fn client_record(
    layout: &mut Layout,
    client: &Client,
    left_out: usize,
    include_psychotherapy_notes: bool,
    audit: &AuditTrail,
    map_then: Option<Date>,
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
    if let Some(then) = map_then {
        then_and_now(layout, client, then)?;
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
        layout.nested(|layout| session_body(layout, client, session))?;
        layout.gap(6.0);
    }

    amendment_requests(layout, client);

    layout.heading("Audit trail for this client");
    // The whole trail's length, on paper: a later copy of the vault with a shorter trail
    // (a whole older file put back) cannot be told apart from inside the file.
    layout.styled(
        &format!(
            "When this record was made, the vault's whole audit trail held {} entries (write generation {}); a later copy of the vault must hold at least as many.",
            audit.length, audit.generation
        ),
        Face::Regular,
        9.0,
        Tone::Muted,
    );
    let rows: Vec<(Vec<String>, Tone)> = audit
        .entries
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

/// "The system then and now": the parts map of `then` and of today as one figure, and
/// what changed in words under it, on a page of its own.
fn then_and_now(layout: &mut Layout, client: &Client, then: Date) -> Result<()> {
    let today = Date(Timestamp::now().local_date());
    let comparison = crate::parts_history::compare_maps(client, then, today);
    layout.new_page();
    layout.heading("The system then and now");
    let since = Date(comparison.from.history_since.local_date());
    if comparison.from.before_history {
        layout.paragraph(&format!(
            "The vault keeps the parts map's history from {} on, so the map of {} is not known; today's map is drawn alone, every part as new.",
            date(&since),
            date(&then)
        ));
    } else {
        layout.paragraph(&format!(
            "The parts map as it stood at the end of {} and as it is today ({}), from the vault's history of the map (kept from {} on).",
            date(&then),
            date(&today),
            date(&since)
        ));
    }
    if let Some(figure) = crate::charts::map_then_and_now(&comparison) {
        layout.gap(4.0);
        layout.figure(&figure, 1.0)?;
    }
    layout.subheading("What changed");
    if comparison.changes.is_empty() {
        layout.styled(
            "Nothing changed between these days.",
            Face::Regular,
            10.0,
            Tone::Muted,
        );
    }
    for change in &comparison.changes {
        layout.paragraph(&change.words);
    }
    layout.new_page();
    Ok(())
}

/// The client's requests to amend the record, each with its decision: a denial's basis,
/// the client's statement of disagreement and the rebuttal go wherever the record goes
/// (45 CFR 164.526(d)(4)).
fn amendment_requests(layout: &mut Layout, client: &Client) {
    if client.amendment_requests.is_empty() {
        return;
    }
    layout.heading(&format!(
        "Amendment requests ({})",
        client.amendment_requests.len()
    ));
    let mut requests: Vec<&AmendmentRequest> = client.amendment_requests.iter().collect();
    requests.sort_by_key(|r| r.received_on);
    for request in requests {
        let target = match &request.target {
            AmendmentTarget::SessionNote { session } => match client.session(session) {
                Some(s) => format!(
                    "The note of the {} of {}",
                    kind_label(s.kind).to_lowercase(),
                    date(&Date(s.starts_at.local_date()))
                ),
                None => "A session's note".to_owned(),
            },
            AmendmentTarget::ProfileField { field } => {
                format!("The profile's {}", profile_field_label(*field))
            }
        };
        layout.subheading(&format!("Request received {}", date(&request.received_on)));
        layout.field("About", &target);
        layout.field("The client asked", &request.requested_change);
        if let Some(extension) = &request.extension {
            layout.field(
                "Extension",
                &format!(
                    "Recorded {}, decision due by {}: {}",
                    date(&extension.recorded_on),
                    date(&extension.new_due_on),
                    extension.reason
                ),
            );
        }
        match &request.decision {
            None => layout.field(
                "Decision",
                &format!("Not decided yet; due by {}.", date(&request.due_on())),
            ),
            Some(decision) => match decision.outcome {
                AmendmentOutcome::Accepted => layout.field(
                    "Decision",
                    &format!(
                        "Accepted on {}; the record was amended{}.",
                        date(&decision.decided_on),
                        decision
                            .change_made_at
                            .as_ref()
                            .map(|t| format!(" ({})", when(t)))
                            .unwrap_or_default()
                    ),
                ),
                AmendmentOutcome::Denied => {
                    layout.field(
                        "Decision",
                        &format!("Denied on {}.", date(&decision.decided_on)),
                    );
                    layout.field(
                        "Basis of the denial",
                        decision.basis.as_deref().unwrap_or(""),
                    );
                    layout.field(
                        "The client's statement of disagreement",
                        decision
                            .statement_of_disagreement
                            .as_deref()
                            .unwrap_or("None submitted."),
                    );
                    layout.field(
                        "The clinician's rebuttal",
                        decision.rebuttal.as_deref().unwrap_or("None."),
                    );
                }
            },
        }
        layout.gap(6.0);
    }
}

fn profile_field_label(field: ProfileField) -> &'static str {
    match field {
        ProfileField::DisplayName => "name",
        ProfileField::FullName => "full name",
        ProfileField::DateOfBirth => "date of birth",
        ProfileField::Pronouns => "pronouns",
        ProfileField::Notes => "notes",
    }
}
