//! The dosing-day sheet: one page to have at hand before a dosing session, then a blank
//! monitoring table to fill in by hand during it.

use super::layout::{Column, Face, Layout, Tone};
use super::session_note::checkin_table;
use super::wording::*;
use crate::error::Result;
use crate::records::*;
use crate::rules::findings::{Finding, RuleSettings, Subject, check_client};
use crate::rules::{group_findings, split_acknowledged};

/// The findings table: stops first, the same finding on several records one row.
pub(super) fn findings_table(
    layout: &mut Layout,
    client: &Client,
    findings: &[Finding],
    size: f32,
) {
    if findings.is_empty() {
        layout.styled(
            "No findings: the safety rules found nothing to raise.",
            Face::Regular,
            size,
            Tone::Muted,
        );
        return;
    }
    // Acknowledged warnings and notes stay on the sheet, after the open ones and muted,
    // with the clinician's reason: on a dosing day they are still worth a glance.
    let (open, acknowledged) = split_acknowledged(client, findings.to_vec());
    let mut groups = group_findings(&open);
    groups.sort_by_key(|g| std::cmp::Reverse(g.severity));
    let mut rows: Vec<(Vec<String>, Tone)> = groups
        .iter()
        .map(|g| {
            let mut text = g.headline.clone();
            if g.count() > 1 && g.subject == Subject::Session {
                let days: Vec<String> = g
                    .record_ids
                    .iter()
                    .filter_map(|id| client.session(id))
                    .map(|s| date(&Date(s.starts_at.local_date())))
                    .collect();
                text = format!("{text} Sessions: {}.", days.join(", "));
            }
            (
                vec![g.severity.label().to_owned(), text],
                severity_tone(g.severity),
            )
        })
        .collect();
    rows.extend(acknowledged.iter().map(|a| {
        (
            vec![
                a.finding.severity.label().to_owned(),
                format!(
                    "{} Acknowledged {}: {}",
                    a.finding.message,
                    date(&Date(a.acknowledgement.acknowledged_at.local_date())),
                    a.acknowledgement.reason
                ),
            ],
            Tone::Muted,
        )
    }));
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

/// The most recent check-in at or before `session`, from any of the client's sessions.
pub(super) fn last_checkin<'a>(client: &'a Client, session: &Session) -> Option<&'a CheckIn> {
    client
        .sessions
        .iter()
        .filter(|s| s.starts_at <= session.starts_at || s.id == session.id)
        .filter_map(|s| s.checkin.as_ref())
        .max_by(|a, b| a.at.cmp(&b.at))
}

/// The latest text of `field` among this session and the preparation sessions before it.
pub(super) fn latest_preparation<'a>(
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

/// How tightly the sheet is set: the caller tries these in turn until it fits one page,
/// shrinking the figure before the text, which must stay readable in a dim room.
pub(super) const FITS: [(f32, f32); 5] = [
    (1.0, 0.9),
    (1.0, 0.65),
    (1.0, 0.45),
    (0.88, 0.45),
    (0.78, 0.4),
];

/// Lays out the sheet with text sizes times `text_scale` and the figure at
/// `figure_share` of the text column's width.
pub(super) fn prep_sheet(
    layout: &mut Layout,
    client: &Client,
    session: &Session,
    (text_scale, figure_share): (f32, f32),
    settings: &RuleSettings,
) -> Result<()> {
    let (text, small) = (9.5 * text_scale, 8.5 * text_scale);
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
                let line = match &intention.part {
                    Some(part) => {
                        format!("{} (with {})", intention.text, part_name(client, part))
                    }
                    None => intention.text.clone(),
                };
                layout.bullet(&line, Face::Regular, text, Tone::Text);
            }
            if source.id != session.id {
                layout.styled(
                    &format!(
                        "From the preparation session of {}.",
                        date(&Date(source.starts_at.local_date()))
                    ),
                    Face::Regular,
                    small,
                    Tone::Muted,
                );
            }
        }
        None => layout.styled(
            "No intentions recorded yet.",
            Face::Regular,
            text,
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
                small,
                Tone::Muted,
            );
            // Greens with nothing to add share one line; every other answer gets a row.
            let (quiet, said): (Vec<&CheckInResponse>, Vec<&CheckInResponse>) =
                checkin.responses.iter().partition(|r| {
                    r.signal == Signal::Green
                        && r.concerns.trim().is_empty()
                        && r.requests.trim().is_empty()
                });
            if !said.is_empty() {
                checkin_table(layout, client, &said, small);
            }
            if !quiet.is_empty() {
                let names: Vec<String> = quiet.iter().map(|r| part_name(client, &r.part)).collect();
                layout.styled(
                    &format!("Green, nothing to add: {}.", names.join(", ")),
                    Face::Regular,
                    small,
                    Tone::Text,
                );
            }
        }
        None => layout.styled(
            "No check-in yet: ask every protector before dosing.",
            Face::Regular,
            text,
            Tone::Warn,
        ),
    }
    if let Some(figure) = crate::charts::protector_figure(client, checkin) {
        layout.gap(4.0);
        layout.figure(&figure, figure_share)?;
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
    let findings = check_client(client, chrono::Utc::now().fixed_offset(), settings);
    findings_table(layout, client, &findings, small);
    Ok(())
}

/// How many readings the blank monitoring table has room for: a baseline, then one every
/// quarter hour for three hours after the dose, and two spare.
const MONITORING_ROWS_AFTER_DOSE: u32 = 12;
const READING_INTERVAL_MINUTES: u32 = 15;
const SPARE_ROWS: usize = 2;
/// The height the MOAA/S legend and the discharge checklist take below the table.
const LEGEND_AND_CHECKLIST_HEIGHT: f32 = 215.0;

/// The sheet's second page: a blank monitoring table to fill in by hand during the
/// session (then copied into kapnotes), the MOAA/S levels and the discharge checklist.
pub(super) fn monitoring_page(layout: &mut Layout, client: &Client, session: &Session) {
    layout.new_page();
    layout.title("Monitoring record");
    layout.field("Client", &client_line(client));
    layout.field(
        "Session",
        &format!(
            "{} · {}",
            kind_label(session.kind),
            when(&session.starts_at)
        ),
    );
    layout.field(
        "Dose",
        "______ mg at ______ · booster ______ mg at ______ · lot ____________",
    );
    layout.gap(6.0);
    let mut due = vec!["baseline".to_owned()];
    due.extend(
        (1..=MONITORING_ROWS_AFTER_DOSE).map(|n| format!("dose +{}", n * READING_INTERVAL_MINUTES)),
    );
    due.extend(std::iter::repeat_n(String::new(), SPARE_ROWS));
    // Rows as tall as the paper allows (room to write), leaving room for what follows.
    let row_height = ((layout.room_left() - LEGEND_AND_CHECKLIST_HEIGHT) / (due.len() + 1) as f32)
        .clamp(20.0, 28.0);
    let column = |heading, width| Column { heading, width };
    layout.form_grid(
        &[
            column("Due", 1.2),
            column("Time", 1.0),
            column("BP mmHg", 1.3),
            column("HR", 0.8),
            column("SpO₂ %", 0.9),
            column("MOAA/S", 1.0),
            column("CADSS-6", 1.1),
            column("Note", 3.2),
        ],
        &due,
        row_height,
        8.5,
    );
    layout.styled(
        "Due: minutes after the dose (every 15 minutes). CADSS-6: the six dissociation items' total (0–24).",
        Face::Regular,
        8.0,
        Tone::Muted,
    );
    layout.subheading("MOAA/S: sedation level");
    for level in SEDATION_LEVELS.iter().rev() {
        layout.styled(level, Face::Regular, 8.5, Tone::Text);
    }
    layout.subheading("Discharge");
    for criterion in DISCHARGE_CRITERIA {
        layout.checkbox(criterion, 9.5);
    }
    layout.field(
        "Discharged at",
        "______   Left with ______________________________",
    );
}
