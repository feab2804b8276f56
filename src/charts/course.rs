//! The course over weeks, from a client's record: measures over time, the dose of each
//! dosing session, Self-energy ratings, and the protectors with the parts they protect.

use super::axis::*;
use crate::measures;
use crate::records::{
    CheckIn, Client, Instrument, Part, PartRole, RelationshipKind, SessionKind, SessionStatus,
    Signal,
};
use crate::rules::{DoseBand, PSYCHEDELIC_MG, PSYCHOLYTIC_MG, dose_band};
use chrono::NaiveDate;
use std::fmt::Write;

fn dosing_dates(client: &Client) -> Vec<NaiveDate> {
    client
        .sessions
        .iter()
        .filter(|s| {
            s.kind == SessionKind::Dosing
                && s.status == SessionStatus::Completed
                && s.dose.is_some()
        })
        .map(|s| s.starts_at.local_date())
        .collect()
}

/// What a panel's title adds so the scale reads at a glance: which way is better where
/// that is not the usual way, and what the number is where it is not a total.
fn panel_note(instrument: Instrument) -> Option<&'static str> {
    match instrument {
        Instrument::Who5 => Some("wellbeing: higher is better"),
        // The EBI has no cut-off, so there is nothing to shade: the mean is drawn on its
        // own 0–100 scale, the day after the session it follows.
        Instrument::Ebi => Some("mean of 6 items, no cut-off"),
        // The MEQ-30 mean (0–5) is the number the entry screen and the course list show;
        // a cut-off on it would mislead, since the verdict needs every subscale at 60 %.
        Instrument::Meq30 => Some("mean of 30 items; ◆ complete mystical experience"),
        Instrument::Phq9 | Instrument::Gad7 | Instrument::Pcl5 | Instrument::DesII => None,
    }
}

/// A measure on the chart: x, score (none when incomplete), date, the MEQ-30 verdict,
/// the band.
type ScorePoint = (f64, Option<f64>, String, Option<bool>, Option<&'static str>);

/// Measure scores over time, one panel per instrument, severity bands shaded and the
/// dosing sessions marked on the same time axis. `None` when there are no measures.
pub fn measures_chart(client: &Client) -> Option<String> {
    let instruments: Vec<Instrument> = [
        Instrument::Phq9,
        Instrument::Gad7,
        Instrument::Pcl5,
        Instrument::DesII,
        Instrument::Who5,
        Instrument::Ebi,
        Instrument::Meq30,
    ]
    .into_iter()
    .filter(|i| client.measures.iter().any(|m| m.instrument == *i))
    .collect();
    if instruments.is_empty() {
        return None;
    }
    let dosing = dosing_dates(client);
    let mut dates: Vec<NaiveDate> = client.measures.iter().map(|m| m.taken_on.0).collect();
    dates.extend(&dosing);
    let axis = TimeAxis::new(&dates)?;
    let height = TOP + instruments.len() as f64 * (PANEL_HEIGHT + PANEL_GAP) + 10.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        "Outcome measures over time, with the dosing sessions marked",
    );
    let mut description: Vec<String> = Vec::new();
    for (panel, instrument) in instruments.iter().enumerate() {
        let top = TOP + panel as f64 * (PANEL_HEIGHT + PANEL_GAP);
        let bottom = top + PANEL_HEIGHT;
        let max = instrument.max_score();
        let scale = ValueScale::from_zero(bottom, PANEL_HEIGHT, max);
        let y = |score: f64| scale.y(score);
        let _ = write!(
            out,
            r#"<g class="panel"><text class="panel-title" x="{LEFT}" y="{:.1}">{}{}</text>"#,
            top - 8.0,
            instrument.name(),
            panel_note(*instrument)
                .map(|note| format!(r#"<tspan class="panel-note" dx="6">{note}</tspan>"#))
                .unwrap_or_default()
        );
        // The scores, in date order; an incomplete measure is drawn as a hollow mark
        // on the axis, never as a low score.
        let mut points: Vec<ScorePoint> = client
            .measures
            .iter()
            .filter(|m| m.instrument == *instrument)
            .map(|m| {
                let score = measures::score(m);
                (
                    axis.x(m.taken_on.0),
                    score.score,
                    m.taken_on.to_string(),
                    score.complete_mystical_experience,
                    score.band,
                )
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let shown = |s: f64| {
            if s.fract() == 0.0 {
                format!("{s:.0}")
            } else {
                format!("{s:.1}")
            }
        };
        // Every label in the panel, so the dosing lines can leave room for them.
        let mut labels: Vec<LabelBox> = Vec::new();
        // Severity bands, shaded from light to strong by concern, each labelled: on
        // WHO-5 the lowest scores are the most concerning, so its shades run the other way.
        let bands = instrument.bands();
        for (i, (lowest, name)) in bands.iter().enumerate() {
            let highest = bands.get(i + 1).map_or(max, |(next, _)| *next);
            let concern = if instrument.higher_is_better() {
                bands.len() - 1 - i
            } else {
                i
            };
            let (label_x, label_y) = (WIDTH - RIGHT - 4.0, y(highest) + 11.0);
            labels.push(LabelBox::of(name, label_x, label_y, 10.0, Anchor::End));
            let _ = write!(
                out,
                r#"<rect class="band band-{concern}" x="{LEFT}" y="{:.1}" width="{:.1}" height="{:.1}"/><text class="band-label" x="{label_x:.1}" y="{label_y:.1}" text-anchor="end">{}</text>"#,
                y(highest),
                PLOT_WIDTH,
                y(*lowest) - y(highest),
                escape(name)
            );
        }
        for (x, score, ..) in &points {
            if let Some(s) = score {
                labels.push(LabelBox::of(
                    &shown(*s),
                    *x,
                    y(*s) - 8.0,
                    11.0 * 1.1,
                    Anchor::Middle,
                ));
            }
        }
        let _ = write!(
            out,
            r#"<line class="axis" x1="{LEFT}" y1="{bottom:.1}" x2="{:.1}" y2="{bottom:.1}"/><line class="axis" x1="{LEFT}" y1="{top:.1}" x2="{LEFT}" y2="{bottom:.1}"/><text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="end">{max}</text><text class="axis-label" x="{:.1}" y="{bottom:.1}" text-anchor="end">0</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            top + 10.0,
            LEFT - 6.0
        );
        for date in &dosing {
            vertical_line_around(
                &mut out,
                "dosing-marker",
                axis.x(*date),
                (top, bottom),
                &labels,
                &format!("Dosing session, {date}"),
            );
        }
        // The scores, joined where consecutive ones are complete.
        for pair in points.windows(2) {
            if let ((x1, Some(s1), ..), (x2, Some(s2), ..)) = (&pair[0], &pair[1]) {
                let _ = write!(
                    out,
                    r#"<line class="series" x1="{x1:.1}" y1="{:.1}" x2="{x2:.1}" y2="{:.1}"/>"#,
                    y(*s1),
                    y(*s2)
                );
            }
        }
        let mut said: Vec<String> = Vec::new();
        for (x, score, date, mystical, band) in &points {
            match score {
                Some(s) => {
                    let shown = shown(*s);
                    let cy = y(*s);
                    let mut words = format!("{date}: {shown}");
                    if let Some(band) = band {
                        words.push_str(&format!(", {band}"));
                    }
                    match mystical {
                        // The MEQ-30 verdict needs every subscale, so the mean alone cannot
                        // show it: a complete experience is drawn as a diamond, and the
                        // verdict is written in the mark's title either way.
                        Some(true) => {
                            words.push_str(&format!(", {}", measures::MEQ30_COMPLETE));
                            let _ = write!(
                                out,
                                r#"<polygon class="point complete-mystical" points="{x:.1},{:.1} {:.1},{cy:.1} {x:.1},{:.1} {:.1},{cy:.1}"><title>{date}: {shown}, {}</title></polygon>"#,
                                cy - 6.0,
                                x + 6.0,
                                cy + 6.0,
                                x - 6.0,
                                measures::MEQ30_COMPLETE
                            );
                        }
                        Some(false) => {
                            words.push_str(&format!(", {}", measures::MEQ30_NOT_COMPLETE));
                            let _ = write!(
                                out,
                                r#"<circle class="point" cx="{x:.1}" cy="{cy:.1}" r="4"><title>{date}: {shown}, {}</title></circle>"#,
                                measures::MEQ30_NOT_COMPLETE
                            );
                        }
                        None => {
                            let _ = write!(
                                out,
                                r#"<circle class="point" cx="{x:.1}" cy="{cy:.1}" r="4"><title>{date}: {shown}</title></circle>"#
                            );
                        }
                    }
                    said.push(words);
                    let _ = write!(
                        out,
                        r#"<text class="point-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{shown}</text>"#,
                        cy - 8.0
                    );
                }
                None => {
                    said.push(format!("{date}: incomplete (an item was skipped)"));
                    let _ = write!(
                        out,
                        r#"<circle class="point incomplete" cx="{x:.1}" cy="{bottom:.1}" r="4"><title>{date}: incomplete (an item was skipped)</title></circle>"#
                    );
                }
            }
        }
        description.push(format!(
            "{} (0 to {max}): {}.",
            instrument.name(),
            said.join("; ")
        ));
        axis.ticks(&mut out, bottom);
        out.push_str("</g>");
    }
    if !dosing.is_empty() {
        let dates: Vec<String> = dosing.iter().map(NaiveDate::to_string).collect();
        description.push(format!("Dosing sessions: {}.", dates.join(", ")));
    }
    close_svg(&mut out, &description.join(" "));
    Some(out)
}

/// The total dose of each completed dosing session, with the prescriber's range and the
/// dose bands. `None` when no dose was given yet.
pub fn dose_chart(client: &Client) -> Option<String> {
    let mut doses: Vec<(NaiveDate, f64, bool)> = client
        .sessions
        .iter()
        .filter(|s| s.kind == SessionKind::Dosing && s.status == SessionStatus::Completed)
        .filter_map(|s| {
            s.dose.as_ref().map(|d| {
                let flooding = s
                    .observations
                    .as_ref()
                    .is_some_and(|o| !o.flooding_signs.is_empty());
                (s.starts_at.local_date(), d.total_mg(), flooding)
            })
        })
        .collect();
    if doses.is_empty() {
        return None;
    }
    doses.sort_by_key(|d| d.0);
    let prescriber = client.profile.prescriber.as_ref();
    let highest = doses
        .iter()
        .map(|d| d.1)
        .chain(prescriber.map(|p| p.dose_max_mg.value()))
        .fold(PSYCHOLYTIC_MG.1, f64::max);
    let max = (highest * 1.15 / 50.0).ceil() * 50.0;
    let height = TOP + PANEL_HEIGHT + 40.0;
    let bottom = TOP + PANEL_HEIGHT;
    let scale = ValueScale::from_zero(bottom, PANEL_HEIGHT, max);
    let y = |mg: f64| scale.y(mg);
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        "Dose of each dosing session, with the prescriber's range",
    );
    let plot = PLOT_WIDTH;
    let mut labels: Vec<LabelBox> = Vec::new();
    for (class, (low, high), name) in [
        ("psycholytic", PSYCHOLYTIC_MG, "psycholytic"),
        ("psychedelic", PSYCHEDELIC_MG, "psychedelic"),
    ] {
        if low < max {
            let high = high.min(max);
            let (label_x, label_y) = (WIDTH - RIGHT - 4.0, y(high) + 11.0);
            labels.push(LabelBox::of(name, label_x, label_y, 10.0, Anchor::End));
            let _ = write!(
                out,
                r#"<rect class="dose-band {class}" x="{LEFT}" y="{:.1}" width="{plot:.1}" height="{:.1}"/><text class="band-label" x="{label_x:.1}" y="{label_y:.1}" text-anchor="end">{name}</text>"#,
                y(high),
                y(low) - y(high),
            );
        }
    }
    if let Some(p) = prescriber {
        let (top, bottom) = (y(p.dose_max_mg.value()), y(p.dose_min_mg.value()));
        let (right, label_y) = (LEFT + plot, top - 4.0);
        let label = format!(
            "prescribed {}–{} mg",
            p.dose_min_mg.value(),
            p.dose_max_mg.value()
        );
        labels.push(LabelBox::of(
            &label,
            LEFT + 4.0,
            label_y,
            11.0,
            Anchor::Start,
        ));
        // The range's dashed outline, broken where it would cross a label.
        let d = [
            horizontal_path(top, (LEFT, right), &labels),
            horizontal_path(bottom, (LEFT, right), &labels),
            vertical_path(LEFT, (top, bottom), &labels),
            vertical_path(right, (top, bottom), &labels),
        ]
        .concat();
        let _ = write!(
            out,
            r#"<rect class="prescribed-area" x="{LEFT}" y="{top:.1}" width="{plot:.1}" height="{:.1}" fill="none"><title>Prescriber's range: {} to {} mg</title></rect><path class="prescribed-range" d="{d}" fill="none"/><text class="range-label" x="{:.1}" y="{label_y:.1}">{}</text>"#,
            bottom - top,
            p.dose_min_mg.value(),
            p.dose_max_mg.value(),
            LEFT + 4.0,
            escape(&label)
        );
    }
    let mut description: Vec<String> = Vec::new();
    if let Some(p) = prescriber {
        description.push(format!(
            "Prescriber's range: {} to {} mg.",
            p.dose_min_mg.value(),
            p.dose_max_mg.value()
        ));
    }
    let slot = plot / doses.len() as f64;
    let bar = (slot * 0.55).min(46.0);
    for (i, (date, mg, flooding)) in doses.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        let outside =
            prescriber.is_some_and(|p| *mg < p.dose_min_mg.value() || *mg > p.dose_max_mg.value());
        let band = match dose_band(*mg) {
            DoseBand::Psycholytic => "psycholytic",
            DoseBand::Psychedelic => "psychedelic",
            DoseBand::OutsideBands => "outside both bands",
        };
        let mark = if outside {
            " ▲ outside the range"
        } else {
            ""
        };
        description.push(format!(
            "{date}: {mg} mg, {band}{mark}{}.",
            if *flooding { ", signs of flooding" } else { "" }
        ));
        let _ = write!(
            out,
            r#"<rect class="dose-bar{}{}" x="{:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}"><title>{date}: {mg} mg, {band}{mark}{}</title></rect><text class="point-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{mg}{}</text><text class="tick-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            if outside { " outside" } else { "" },
            if *flooding { " flooding" } else { "" },
            x - bar / 2.0,
            y(*mg),
            bottom - y(*mg),
            if *flooding { ", signs of flooding" } else { "" },
            y(*mg) - 5.0,
            if outside {
                " ▲"
            } else if *flooding {
                " ⚠"
            } else {
                ""
            },
            bottom + 16.0,
            date.format("%d %b")
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LEFT}" y1="{bottom:.1}" x2="{:.1}" y2="{bottom:.1}"/><text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="end">{max} mg</text><text class="axis-label" x="{:.1}" y="{bottom:.1}" text-anchor="end">0</text>"#,
        WIDTH - RIGHT,
        LEFT - 6.0,
        TOP + 10.0,
        LEFT - 6.0
    );
    close_svg(&mut out, &description.join(" "));
    Some(out)
}

/// Self-energy (the 8 C's) across integration sessions, as a grid of rated cells: the
/// number is written in each cell, and its shade deepens with the rating.
pub fn self_energy_chart(client: &Client) -> Option<String> {
    let mut sessions: Vec<_> = client
        .sessions
        .iter()
        .filter_map(|s| {
            s.integration
                .as_ref()
                .map(|i| (s.starts_at.local_date(), i.self_energy))
        })
        .filter(|(_, e)| {
            e.calm.is_some()
                || e.clarity.is_some()
                || e.compassion.is_some()
                || e.curiosity.is_some()
                || e.confidence.is_some()
                || e.courage.is_some()
                || e.creativity.is_some()
                || e.connectedness.is_some()
        })
        .collect();
    if sessions.is_empty() {
        return None;
    }
    sessions.sort_by_key(|s| s.0);
    let label_width = 110.0;
    let columns = sessions.len() as f64;
    let cell_w = ((WIDTH - label_width - RIGHT) / columns).min(70.0);
    let cell_h = 24.0;
    let height = TOP + 8.0 * cell_h + 30.0;
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        "Self-energy on the 8 C's across integration sessions",
    );
    let qualities = [
        "calm",
        "clarity",
        "compassion",
        "curiosity",
        "confidence",
        "courage",
        "creativity",
        "connectedness",
    ];
    for (row, quality) in qualities.iter().enumerate() {
        let y = TOP + row as f64 * cell_h;
        let _ = write!(
            out,
            r#"<text class="row-label" x="{:.1}" y="{:.1}" text-anchor="end">{}{}</text>"#,
            label_width - 8.0,
            y + 16.0,
            quality[..1].to_uppercase(),
            &quality[1..]
        );
        for (col, (date, energy)) in sessions.iter().enumerate() {
            let value = match row {
                0 => energy.calm,
                1 => energy.clarity,
                2 => energy.compassion,
                3 => energy.curiosity,
                4 => energy.confidence,
                5 => energy.courage,
                6 => energy.creativity,
                _ => energy.connectedness,
            };
            let x = label_width + col as f64 * cell_w;
            let (class, text) = match value {
                Some(v) => (format!("cell level-{}", (v / 2).min(5)), v.to_string()),
                None => ("cell unrated".to_owned(), "–".to_owned()),
            };
            let _ = write!(
                out,
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}"><title>{date}, {quality}: {text}</title></rect><text class="cell-label" x="{:.1}" y="{:.1}" text-anchor="middle">{text}</text>"#,
                cell_w - 2.0,
                cell_h - 2.0,
                x + cell_w / 2.0 - 1.0,
                y + 16.0
            );
        }
    }
    let description: Vec<String> = sessions
        .iter()
        .map(|(date, energy)| {
            let rated: Vec<String> = qualities
                .iter()
                .zip([
                    energy.calm,
                    energy.clarity,
                    energy.compassion,
                    energy.curiosity,
                    energy.confidence,
                    energy.courage,
                    energy.creativity,
                    energy.connectedness,
                ])
                .map(|(quality, value)| match value {
                    Some(v) => format!("{quality} {v}"),
                    None => format!("{quality} not rated"),
                })
                .collect();
            format!("{date}: {}.", rated.join(", "))
        })
        .collect();
    for (col, (date, _)) in sessions.iter().enumerate() {
        let x = label_width + col as f64 * cell_w + cell_w / 2.0;
        let _ = write!(
            out,
            r#"<text class="tick-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            TOP + 8.0 * cell_h + 16.0,
            date.format("%d %b")
        );
    }
    close_svg(&mut out, &description.join(" "));
    Some(out)
}

/// The most protectors the figure draws; more are named in the text beside it.
pub const MOST_PROTECTORS_DRAWN: usize = 12;

/// The protectors and the parts they protect, as a figure for the dosing-day sheet:
/// each protector (left) with its last check-in signal written beside its name, an
/// arrow to each part it protects (right). Not the whole map: only protectors that
/// protect a part or answered `checkin`. `None` when there are none.
pub fn protector_figure(client: &Client, checkin: Option<&CheckIn>) -> Option<String> {
    let protects = |protector: &str| -> Vec<&Part> {
        client
            .relationships
            .iter()
            .filter(|r| r.kind == RelationshipKind::Protects && r.from_part == protector)
            .filter_map(|r| client.parts.iter().find(|p| p.id == r.to_part))
            .collect()
    };
    let signal_of = |part: &str| {
        checkin
            .and_then(|c| c.responses.iter().find(|r| r.part == part))
            .map(|r| r.signal)
    };
    let mut protectors: Vec<&Part> = client
        .parts
        .iter()
        .filter(|p| p.role.is_protector())
        .filter(|p| !protects(&p.id).is_empty() || signal_of(&p.id).is_some())
        .collect();
    if protectors.is_empty() {
        return None;
    }
    let protectors_not_drawn = protectors.len().saturating_sub(MOST_PROTECTORS_DRAWN);
    protectors.truncate(MOST_PROTECTORS_DRAWN);
    let mut protected: Vec<&Part> = Vec::new();
    let mut not_drawn = 0;
    for protector in &protectors {
        for part in protects(&protector.id) {
            if protected.iter().any(|p| p.id == part.id) {
                continue;
            }
            if protected.len() < MOST_PROTECTORS_DRAWN {
                protected.push(part);
            } else {
                not_drawn += 1;
            }
        }
    }
    let row = 52.0;
    let box_h = 40.0;
    let top = 34.0;
    let rows = protectors.len().max(protected.len()) as f64;
    let note = if not_drawn > 0 || protectors_not_drawn > 0 {
        22.0
    } else {
        0.0
    };
    let height = top + rows * row + 8.0 + note;
    let (left_x, box_w) = (8.0, 270.0);
    let right_x = WIDTH - 8.0 - box_w;
    let right_y = |i: usize| {
        // Centre the protected column against the protectors when it is shorter.
        let offset = (protectors.len().saturating_sub(protected.len())) as f64 * row / 2.0;
        top + offset + i as f64 * row
    };
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        "The protectors and the parts they protect",
    );
    let mut description: Vec<String> = Vec::new();
    let _ = write!(
        out,
        r#"<text class="panel-title" x="{left_x}" y="18">Protectors (last check-in)</text><text class="panel-title" x="{right_x}" y="18">The parts they protect</text>"#
    );
    for (i, protector) in protectors.iter().enumerate() {
        let y = top + i as f64 * row;
        let from_y = y + box_h / 2.0;
        for part in protects(&protector.id) {
            if let Some(j) = protected.iter().position(|p| p.id == part.id) {
                let to_x = right_x - 8.0;
                let to_y = right_y(j) + box_h / 2.0;
                let _ = write!(
                    out,
                    r#"<line class="protects-line" x1="{:.1}" y1="{from_y:.1}" x2="{to_x:.1}" y2="{to_y:.1}"/><polygon class="protects-head" points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}"/>"#,
                    left_x + box_w,
                    to_x + 8.0,
                    to_y,
                    to_x,
                    to_y - 4.5,
                    to_x,
                    to_y + 4.5
                );
            }
        }
        let (class, signal) = match signal_of(&protector.id) {
            Some(Signal::Green) => ("signal-green", "green: agrees"),
            Some(Signal::Yellow) => ("signal-yellow", "yellow: unsure"),
            Some(Signal::Red) => ("signal-red", "RED: not yet"),
            None => ("signal-none", "not asked"),
        };
        let role = match protector.role {
            PartRole::Manager => "manager",
            _ => "firefighter",
        };
        let guarded: Vec<&str> = protects(&protector.id)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        description.push(if guarded.is_empty() {
            format!("{} ({role}, {signal}).", protector.name)
        } else {
            format!(
                "{} ({role}, {signal}) protects {}.",
                protector.name,
                guarded.join(", ")
            )
        });
        let _ = write!(
            out,
            r#"<rect class="protector-box {class}" x="{left_x}" y="{y:.1}" width="{box_w}" height="{box_h}"/><text class="node-name" x="{:.1}" y="{:.1}">{}</text><text class="node-detail" x="{:.1}" y="{:.1}">{role} · {signal}</text>"#,
            left_x + 10.0,
            y + 17.0,
            escape(&short(&protector.name, 34)),
            left_x + 10.0,
            y + 32.0,
        );
    }
    if protectors_not_drawn > 0 {
        description.push(format!(
            "And {protectors_not_drawn} more protector(s), not drawn."
        ));
        let _ = write!(
            out,
            r#"<text class="node-detail" x="{left_x:.1}" y="{:.1}">and {protectors_not_drawn} more protector(s), not drawn</text>"#,
            top + rows * row + 14.0
        );
    }
    if not_drawn > 0 {
        let _ = write!(
            out,
            r#"<text class="node-detail" x="{right_x:.1}" y="{:.1}">and {not_drawn} more protected part(s), not drawn</text>"#,
            top + rows * row + 14.0
        );
    }
    for (j, part) in protected.iter().enumerate() {
        let y = right_y(j);
        let role = match part.role {
            PartRole::Exile => "exile",
            PartRole::Manager => "manager",
            PartRole::Firefighter => "firefighter",
            PartRole::SelfEnergy => "Self",
            PartRole::Unknown => "role not known",
        };
        let _ = write!(
            out,
            r#"<rect class="protected-box" x="{right_x:.1}" y="{y:.1}" width="{box_w}" height="{box_h}" rx="18"/><text class="node-name" x="{:.1}" y="{:.1}">{}</text><text class="node-detail" x="{:.1}" y="{:.1}">{role}</text>"#,
            right_x + 14.0,
            y + 17.0,
            escape(&short(&part.name, 34)),
            right_x + 14.0,
            y + 32.0,
        );
    }
    close_svg(&mut out, &description.join(" "));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::parse_document;

    fn example() -> Client {
        let doc = parse_document(include_str!(
            "../../tests/fixtures/interchange/example.json"
        ))
        .unwrap();
        doc.clients.into_iter().next().unwrap()
    }

    #[test]
    fn measures_chart_has_a_panel_per_instrument_and_the_dosing_marked() {
        let svg = measures_chart(&example()).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">PHQ-9<") && svg.contains(">GAD-7<"));
        assert!(!svg.contains(">PCL-5<"));
        assert_eq!(
            svg.matches("class=\"dosing-marker\"").count(),
            2,
            "one dosing session, two panels"
        );
        // PHQ-9 scores of the example: 15 then 8.
        assert!(svg.contains(">15<") && svg.contains(">8<"));
        assert!(svg.contains("moderately severe"));
        assert!(!svg.contains("<script"));
    }

    fn add_measure(client: &mut Client, instrument: Instrument, day: &str, answers: &[u8]) {
        client.measures.push(crate::records::Measure {
            id: crate::records::new_id(),
            instrument,
            taken_on: crate::records::Date::parse(day).unwrap(),
            answers: answers.iter().copied().map(Some).collect(),
            session: None,
            safety_follow_up: None,
        });
    }

    /// The SVG of one panel, from its title to the end of its group.
    fn panel<'a>(svg: &'a str, name: &str) -> &'a str {
        let start = svg.find(&format!(">{name}<tspan")).unwrap();
        assert!(svg[start..].starts_with(&format!(">{name}<tspan class=\"panel-note\" dx=")));
        let end = start + svg[start..].find("</g>").unwrap();
        &svg[start..end]
    }

    #[test]
    fn the_new_measures_are_charted_with_the_others() {
        let mut client = example();
        // WHO-5 raw 7 → 28 and raw 13 → 52; EBI mean 40; MEQ-30 all 3s (complete) and
        // all 3s but item 29 at 2 (ineffability below 60 %: not complete, mean 2.97 shown as 3.0).
        add_measure(
            &mut client,
            Instrument::Who5,
            "2026-04-02",
            &[2, 2, 1, 1, 1],
        );
        add_measure(
            &mut client,
            Instrument::Who5,
            "2026-05-04",
            &[3, 3, 3, 2, 2],
        );
        add_measure(
            &mut client,
            Instrument::Ebi,
            "2026-04-24",
            &[10, 20, 35, 40, 55, 80],
        );
        add_measure(&mut client, Instrument::Meq30, "2026-04-23", &[3; 30]);
        let mut not_complete = [3; 30];
        not_complete[28] = 2;
        add_measure(&mut client, Instrument::Meq30, "2026-04-25", &not_complete);
        let svg = measures_chart(&client).unwrap();
        assert_eq!(svg.matches("class=\"dosing-marker\"").count(), 5);

        let who5 = panel(&svg, "WHO-5");
        assert!(who5.contains("higher is better"));
        assert!(who5.contains(">28<") && who5.contains(">52<"));
        // The lowest WHO-5 scores are the most concerning: shaded like PHQ-9's worst band
        // of three, not like its best.
        let depression = who5.find("poor wellbeing, suggests depression").unwrap();
        let rect = who5[..depression].rfind("<rect").unwrap();
        assert!(who5[rect..depression].contains("class=\"band band-2\""));
        assert!(who5.contains("class=\"band band-0\""));

        let ebi = panel(&svg, "EBI");
        assert!(ebi.contains(">40<") && ebi.contains("no cut-off"));
        assert!(
            !svg.contains(">PHQ-9<tspan"),
            "no note where none is needed"
        );
        assert!(
            !ebi.contains("class=\"band "),
            "the EBI has no band to shade"
        );

        let meq = panel(&svg, "MEQ-30");
        assert!(!meq.contains("class=\"band "));
        assert_eq!(meq.matches("class=\"point complete-mystical\"").count(), 1);
        assert!(meq.contains("2026-04-23: 3, complete mystical experience"));
        assert!(meq.contains("2026-04-25: 3.0, not a complete mystical experience"));
        assert!(!meq.contains("incomplete"));
    }

    #[test]
    fn an_incomplete_measure_is_not_drawn_as_a_score() {
        let mut client = example();
        client.measures[0].answers[2] = None;
        let svg = measures_chart(&client).unwrap();
        assert!(svg.contains("incomplete (an item was skipped)"));
        assert!(!svg.contains(">15<"));
    }

    #[test]
    fn dose_chart_shows_the_range_and_flags_doses_outside_it() {
        let mut client = example();
        let svg = dose_chart(&client).unwrap();
        assert!(svg.contains("prescribed 50–150 mg"));
        assert!(!svg.contains("outside"));
        client.sessions[1].dose.as_mut().unwrap().mg = crate::records::Number(175.0);
        let svg = dose_chart(&client).unwrap();
        assert!(svg.contains("dose-bar outside"));
        assert!(svg.contains("▲"));
    }

    #[test]
    fn self_energy_chart_writes_every_rating() {
        let svg = self_energy_chart(&example()).unwrap();
        assert!(svg.contains(">Compassion<"));
        assert!(svg.contains("compassion: 7"));
        assert_eq!(svg.matches("class=\"cell ").count(), 8);
    }

    #[test]
    fn no_data_no_chart_and_text_is_escaped() {
        let mut client = example();
        client.measures.clear();
        client.sessions.clear();
        assert!(measures_chart(&client).is_none());
        assert!(dose_chart(&client).is_none());
        assert!(self_energy_chart(&client).is_none());
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }

    #[test]
    fn the_protector_figure_draws_protectors_their_answers_and_whom_they_protect() {
        let client = example();
        let checkin = client.sessions.iter().find_map(|s| s.checkin.as_ref());
        let svg = protector_figure(&client, checkin).unwrap();
        assert!(svg.contains(">The Planner<") && svg.contains(">Little one<"));
        assert!(svg.contains("yellow: unsure") && svg.contains("green: agrees"));
        assert_eq!(svg.matches("class=\"protects-line\"").count(), 2);
        // Without a check-in the protectors are still drawn, marked as not asked.
        assert!(
            protector_figure(&client, None)
                .unwrap()
                .contains("not asked")
        );
    }

    #[test]
    fn a_large_system_is_capped_and_says_what_was_left_out() {
        let mut client = example();
        client.parts.clear();
        client.relationships.clear();
        for i in 0..30 {
            let protector = crate::records::Part::new(format!("Protector {i}"), PartRole::Manager);
            for j in 0..2 {
                let exile = crate::records::Part::new(format!("Exile {i}-{j}"), PartRole::Exile);
                client.relationships.push(crate::records::Relationship {
                    id: crate::records::new_id(),
                    from_part: protector.id.clone(),
                    to_part: exile.id.clone(),
                    kind: RelationshipKind::Protects,
                    note: String::new(),
                });
                client.parts.push(exile);
            }
            client.parts.push(protector);
        }
        let svg = protector_figure(&client, None).unwrap();
        assert_eq!(
            svg.matches("class=\"protector-box").count(),
            MOST_PROTECTORS_DRAWN
        );
        assert_eq!(
            svg.matches("class=\"protected-box").count(),
            MOST_PROTECTORS_DRAWN
        );
        assert!(
            svg.contains("and 12 more protected part(s), not drawn"),
            "{svg}"
        );
        assert!(svg.contains("and 18 more protector(s), not drawn"), "{svg}");
    }
}
