//! The course drawn as pictures, once, as SVG: the app shows these strings and printed
//! documents can embed the same ones. Colours come from CSS classes (the app's themes
//! style them; a document styles them for print); every series is also told apart by
//! a marker shape or a written value, never by colour alone. No script, no external
//! reference, and every text is escaped.

use crate::measures;
use crate::records::{
    CheckIn, Client, Instrument, Part, PartRole, Reading, RelationshipKind, Session, SessionKind,
    SessionStatus, Signal,
};
use crate::rules::{DoseBand, PSYCHEDELIC_MG, PSYCHOLYTIC_MG, dose_band};
use chrono::{DateTime, FixedOffset, NaiveDate, Timelike};
use std::fmt::Write;

const WIDTH: f64 = 720.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const PANEL_HEIGHT: f64 = 150.0;
const PANEL_GAP: f64 = 44.0;
const TOP: f64 = 30.0;

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open_svg(out: &mut String, height: f64, label: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{label}"><title>{label}</title>"#,
        label = escape(label)
    );
}

/// A shared time axis from the first to the last date shown (a month either side when
/// there is only one date).
struct TimeAxis {
    start: NaiveDate,
    days: f64,
}

impl TimeAxis {
    fn new(dates: &[NaiveDate]) -> Option<TimeAxis> {
        let first = *dates.iter().min()?;
        let last = *dates.iter().max()?;
        let (start, end) = if first == last {
            (
                first - chrono::Duration::days(15),
                last + chrono::Duration::days(15),
            )
        } else {
            let margin = chrono::Duration::days(((last - first).num_days() / 20).max(2));
            (first - margin, last + margin)
        };
        Some(TimeAxis {
            start,
            days: (end - start).num_days().max(1) as f64,
        })
    }

    fn x(&self, date: NaiveDate) -> f64 {
        LEFT + (date - self.start).num_days() as f64 / self.days * (WIDTH - LEFT - RIGHT)
    }

    /// Month ticks along the bottom of a panel.
    fn ticks(&self, out: &mut String, y: f64) {
        let end = self.start + chrono::Duration::days(self.days as i64);
        let mut month = NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&self.start),
            chrono::Datelike::month(&self.start),
            1,
        );
        let step = ((self.days / 30.0) / 8.0).ceil().max(1.0) as u32;
        let mut index = 0;
        while let Some(m) = month {
            if m > end {
                break;
            }
            if m >= self.start && index % step == 0 {
                let x = self.x(m);
                let _ = write!(
                    out,
                    r#"<line class="tick" x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{:.1}"/><text class="tick-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    y + 4.0,
                    y + 16.0,
                    m.format("%b %Y")
                );
            }
            index += 1;
            month = m.checked_add_months(chrono::Months::new(1));
        }
    }
}

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
    for (panel, instrument) in instruments.iter().enumerate() {
        let top = TOP + panel as f64 * (PANEL_HEIGHT + PANEL_GAP);
        let bottom = top + PANEL_HEIGHT;
        let max = instrument.max_score();
        let y = |score: f64| bottom - score / max * PANEL_HEIGHT;
        let _ = write!(
            out,
            r#"<g class="panel"><text class="panel-title" x="{LEFT}" y="{:.1}">{}{}</text>"#,
            top - 8.0,
            instrument.name(),
            panel_note(*instrument)
                .map(|note| format!(r#"<tspan class="panel-note" dx="6">{note}</tspan>"#))
                .unwrap_or_default()
        );
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
            let _ = write!(
                out,
                r#"<rect class="band band-{concern}" x="{LEFT}" y="{:.1}" width="{:.1}" height="{:.1}"/><text class="band-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                y(highest),
                WIDTH - LEFT - RIGHT,
                y(*lowest) - y(highest),
                WIDTH - RIGHT - 4.0,
                y(highest) + 11.0,
                escape(name)
            );
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
            let x = axis.x(*date);
            let _ = write!(
                out,
                r#"<line class="dosing-marker" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}"><title>Dosing session, {date}</title></line>"#
            );
        }
        // The scores, joined where consecutive ones are complete; an incomplete
        // measure is drawn as a hollow mark on the axis, never as a low score.
        let mut points: Vec<(f64, Option<f64>, String, Option<bool>)> = client
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
                )
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in points.windows(2) {
            if let ((x1, Some(s1), _, _), (x2, Some(s2), _, _)) = (&pair[0], &pair[1]) {
                let _ = write!(
                    out,
                    r#"<line class="series" x1="{x1:.1}" y1="{:.1}" x2="{x2:.1}" y2="{:.1}"/>"#,
                    y(*s1),
                    y(*s2)
                );
            }
        }
        for (x, score, date, mystical) in &points {
            match score {
                Some(s) => {
                    let shown = if s.fract() == 0.0 {
                        format!("{s:.0}")
                    } else {
                        format!("{s:.1}")
                    };
                    let cy = y(*s);
                    match mystical {
                        // The MEQ-30 verdict needs every subscale, so the mean alone cannot
                        // show it: a complete experience is drawn as a diamond, and the
                        // verdict is written in the mark's title either way.
                        Some(true) => {
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
                    let _ = write!(
                        out,
                        r#"<text class="point-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{shown}</text>"#,
                        cy - 8.0
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        r#"<circle class="point incomplete" cx="{x:.1}" cy="{bottom:.1}" r="4"><title>{date}: incomplete (an item was skipped)</title></circle>"#
                    );
                }
            }
        }
        axis.ticks(&mut out, bottom);
        out.push_str("</g>");
    }
    out.push_str("</svg>");
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
    let y = |mg: f64| bottom - mg / max * PANEL_HEIGHT;
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        "Dose of each dosing session, with the prescriber's range",
    );
    let plot = WIDTH - LEFT - RIGHT;
    for (class, (low, high), name) in [
        ("psycholytic", PSYCHOLYTIC_MG, "psycholytic"),
        ("psychedelic", PSYCHEDELIC_MG, "psychedelic"),
    ] {
        if low < max {
            let high = high.min(max);
            let _ = write!(
                out,
                r#"<rect class="dose-band {class}" x="{LEFT}" y="{:.1}" width="{plot:.1}" height="{:.1}"/><text class="band-label" x="{:.1}" y="{:.1}" text-anchor="end">{name}</text>"#,
                y(high),
                y(low) - y(high),
                WIDTH - RIGHT - 4.0,
                y(high) + 11.0
            );
        }
    }
    if let Some(p) = prescriber {
        let _ = write!(
            out,
            r#"<rect class="prescribed-range" x="{LEFT}" y="{:.1}" width="{plot:.1}" height="{:.1}"><title>Prescriber's range: {} to {} mg</title></rect><text class="range-label" x="{:.1}" y="{:.1}">prescribed {}–{} mg</text>"#,
            y(p.dose_max_mg.value()),
            y(p.dose_min_mg.value()) - y(p.dose_max_mg.value()),
            p.dose_min_mg.value(),
            p.dose_max_mg.value(),
            LEFT + 4.0,
            y(p.dose_max_mg.value()) - 4.0,
            p.dose_min_mg.value(),
            p.dose_max_mg.value()
        );
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
        r#"<line class="axis" x1="{LEFT}" y1="{bottom:.1}" x2="{:.1}" y2="{bottom:.1}"/><text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="end">{max} mg</text><text class="axis-label" x="{:.1}" y="{bottom:.1}" text-anchor="end">0</text></svg>"#,
        WIDTH - RIGHT,
        LEFT - 6.0,
        TOP + 10.0,
        LEFT - 6.0
    );
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
    for (col, (date, _)) in sessions.iter().enumerate() {
        let x = label_width + col as f64 * cell_w + cell_w / 2.0;
        let _ = write!(
            out,
            r#"<text class="tick-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            TOP + 8.0 * cell_h + 16.0,
            date.format("%d %b")
        );
    }
    out.push_str("</svg>");
    Some(out)
}

/// The most protectors the figure draws; more are named in the text beside it.
pub const MOST_PROTECTORS_DRAWN: usize = 12;

fn short(text: &str, most: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= most {
        text.to_owned()
    } else {
        format!("{}…", chars[..most - 1].iter().collect::<String>())
    }
}

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
    out.push_str("</svg>");
    Some(out)
}

// ---------------------------------------------------------------------------------
// The system then and now: one parts map holding both days, with what was added,
// removed or changed marked in words on the shapes themselves (never by colour alone).

/// Most parts the then-and-now figure draws; past it, only the parts that changed and
/// those a changed relationship or group touches are drawn, and the rest are counted.
pub const MOST_MAP_PARTS_DRAWN: usize = 40;

const MAP_CELL_W: f64 = 140.0;
const MAP_CELL_H: f64 = 58.0;
const MAP_NODE_W: f64 = 128.0;
const MAP_NODE_H: f64 = 42.0;
const MAP_TOP: f64 = 46.0;

/// What became of a part between the two days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartFate {
    Added,
    Removed,
    Changed,
    Same,
}

/// Puts each node on a grid cell near where the clinician placed it (its stored
/// position, scaled to the figure), moving it to the nearest free cell when the cell is
/// taken, so no two shapes or labels overlap; nodes without a position follow in
/// reading order. Returns (column, row) per node.
fn grid_places(positions: &[Option<(f64, f64)>], columns: usize) -> Vec<(usize, usize)> {
    let placed: Vec<(f64, f64)> = positions.iter().flatten().copied().collect();
    let (min_x, max_x) = placed
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (x, _)| {
            (lo.min(*x), hi.max(*x))
        });
    let (min_y, max_y) = placed
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (_, y)| {
            (lo.min(*y), hi.max(*y))
        });
    let span_x = (max_x - min_x).max(1.0);
    let span_y = (max_y - min_y).max(1.0);
    // As many rows as the drawn map's shape asks for, on the columns' scale.
    let rows_target = ((span_y / span_x) * (columns as f64) * MAP_CELL_W / MAP_CELL_H)
        .round()
        .clamp(1.0, positions.len().max(1) as f64) as usize;
    let mut taken: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    let mut places = vec![(0, 0); positions.len()];
    let free_near = |want: (usize, usize), taken: &std::collections::HashSet<(usize, usize)>| {
        // Rings of growing distance around the wanted cell; the grid grows downward.
        for radius in 0..(positions.len() + columns + rows_target + 1) {
            let mut best: Option<((usize, usize), f64)> = None;
            let (wc, wr) = (want.0 as i64, want.1 as i64);
            let r = radius as i64;
            for dr in -r..=r {
                for dc in -r..=r {
                    if dr.abs().max(dc.abs()) != r {
                        continue;
                    }
                    let (c, row) = (wc + dc, wr + dr);
                    if c < 0 || row < 0 || c >= columns as i64 {
                        continue;
                    }
                    let cell = (c as usize, row as usize);
                    if taken.contains(&cell) {
                        continue;
                    }
                    let distance = ((dc * dc) as f64 * 2.0 + (dr * dr) as f64).sqrt();
                    if best.is_none_or(|(_, d)| distance < d) {
                        best = Some((cell, distance));
                    }
                }
            }
            if let Some((cell, _)) = best {
                return cell;
            }
        }
        (0, taken.len() / columns + 1)
    };
    for (i, position) in positions.iter().enumerate() {
        if let Some((x, y)) = position {
            let column = (((x - min_x) / span_x) * (columns - 1) as f64).round() as usize;
            let row = (((y - min_y) / span_y) * (rows_target - 1) as f64).round() as usize;
            let cell = free_near((column.min(columns - 1), row), &taken);
            taken.insert(cell);
            places[i] = cell;
        }
    }
    // The tidy arrangement: the parts with no place of their own, in rows below.
    let first_free_row = taken.iter().map(|(_, r)| r + 1).max().unwrap_or(0);
    let mut next = 0;
    for (i, position) in positions.iter().enumerate() {
        if position.is_none() {
            let cell = (next % columns, first_free_row + next / columns);
            next += 1;
            taken.insert(cell);
            places[i] = cell;
        }
    }
    places
}

/// The parts map of two days as one figure: every part of either day where the
/// clinician placed it, each shape saying whether it is new, removed or changed, and
/// the relationships gained or lost marked the same way. The list of changes in words
/// goes with it (`MapComparison::changes`); `None` when neither day has a part.
pub fn map_then_and_now(comparison: &crate::parts_history::MapComparison) -> Option<String> {
    use crate::parts_history::MapChangeKind;
    let (from, to) = (&comparison.from, &comparison.to);
    let changed: std::collections::HashSet<&str> = comparison
        .changes
        .iter()
        .filter(|c| c.kind == MapChangeKind::PartChanged)
        .filter_map(|c| c.part.as_deref())
        .collect();
    let mut nodes: Vec<(&Part, PartFate)> = Vec::new();
    for part in &to.parts {
        let fate = if !from.parts.iter().any(|p| p.id == part.id) {
            PartFate::Added
        } else if changed.contains(part.id.as_str()) {
            PartFate::Changed
        } else {
            PartFate::Same
        };
        nodes.push((part, fate));
    }
    for part in from
        .parts
        .iter()
        .filter(|p| !to.parts.iter().any(|n| n.id == p.id))
    {
        nodes.push((part, PartFate::Removed));
    }
    if nodes.is_empty() {
        return None;
    }
    let relationship_state = |id: &str| -> PartFate {
        match (
            from.relationships.iter().find(|r| r.id == id),
            to.relationships.iter().find(|r| r.id == id),
        ) {
            (None, Some(_)) => PartFate::Added,
            (Some(_), None) => PartFate::Removed,
            (Some(a), Some(b)) if a != b => PartFate::Changed,
            _ => PartFate::Same,
        }
    };
    let mut links: Vec<(&crate::records::Relationship, PartFate)> = to
        .relationships
        .iter()
        .map(|r| (r, relationship_state(&r.id)))
        .collect();
    links.extend(
        from.relationships
            .iter()
            .filter(|r| !to.relationships.iter().any(|n| n.id == r.id))
            .map(|r| (r, PartFate::Removed)),
    );
    // A large system: the parts that changed, and those a changed relationship touches.
    let total = nodes.len();
    if nodes.len() > MOST_MAP_PARTS_DRAWN {
        let touched: std::collections::HashSet<&str> = links
            .iter()
            .filter(|(_, fate)| *fate != PartFate::Same)
            .flat_map(|(r, _)| [r.from_part.as_str(), r.to_part.as_str()])
            .collect();
        nodes.retain(|(p, fate)| *fate != PartFate::Same || touched.contains(p.id.as_str()));
        nodes.truncate(MOST_MAP_PARTS_DRAWN);
    }
    let not_drawn = total - nodes.len();
    let columns = ((WIDTH - 16.0) / MAP_CELL_W).floor() as usize;
    let places = grid_places(
        &nodes
            .iter()
            .map(|(p, _)| p.position.map(|at| (at.x.value(), at.y.value())))
            .collect::<Vec<_>>(),
        columns,
    );
    let rows = places.iter().map(|(_, r)| r + 1).max().unwrap_or(1);
    let used_width = columns as f64 * MAP_CELL_W;
    let left = (WIDTH - used_width) / 2.0;
    let centre = |i: usize| {
        let (c, r) = places[i];
        (
            left + c as f64 * MAP_CELL_W + MAP_CELL_W / 2.0,
            MAP_TOP + r as f64 * MAP_CELL_H + MAP_CELL_H / 2.0,
        )
    };
    let note = if not_drawn > 0 { 22.0 } else { 0.0 };
    let height = MAP_TOP + rows as f64 * MAP_CELL_H + 8.0 + note;
    let then = from.date.to_string();
    let now = to.date.to_string();
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        &format!("The parts map on {then} and on {now}, with what changed marked"),
    );
    let _ = write!(
        out,
        r#"<text class="panel-title" x="8" y="18">Then: {then} · now: {now}</text><text class="panel-note" x="8" y="34">Each shape says what became of it: new (thick outline), removed (dashed) or changed. Relationships: + gained, − lost.</text>"#
    );
    let index_of = |id: &str| nodes.iter().position(|(p, _)| p.id == id);
    for (r, fate) in &links {
        let (Some(a), Some(b)) = (index_of(&r.from_part), index_of(&r.to_part)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (centre(a), centre(b));
        let (class, mark) = match fate {
            PartFate::Added => ("added", "+ "),
            PartFate::Removed => ("removed", "− "),
            PartFate::Changed => ("changed", "~ "),
            PartFate::Same => ("same", ""),
        };
        let kind = match r.kind {
            RelationshipKind::Protects => "protects",
            RelationshipKind::Polarized => "polarized",
            RelationshipKind::Allied => "allied",
            RelationshipKind::Blended => "blended",
        };
        let _ = write!(
            out,
            r#"<line class="map-link {class} {kind}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#
        );
        if *fate != PartFate::Same {
            let _ = write!(
                out,
                r#"<text class="map-link-label" x="{:.1}" y="{:.1}" text-anchor="middle">{mark}{kind}</text>"#,
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - 3.0
            );
        }
    }
    for (i, (part, fate)) in nodes.iter().enumerate() {
        let (cx, cy) = centre(i);
        let (x, y) = (cx - MAP_NODE_W / 2.0, cy - MAP_NODE_H / 2.0);
        let (class, state) = match fate {
            PartFate::Added => ("added", " · new"),
            PartFate::Removed => ("removed", " · removed"),
            PartFate::Changed => ("changed", " · changed"),
            PartFate::Same => ("same", ""),
        };
        let role = crate::parts_history::role_words(part.role);
        let _ = write!(
            out,
            r#"<rect class="map-node {class}" x="{x:.1}" y="{y:.1}" width="{MAP_NODE_W}" height="{MAP_NODE_H}" rx="6"/><text class="map-node-name" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="map-node-detail" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            cx,
            y + 17.0,
            escape(&short(&part.name, 18)),
            cx,
            y + 33.0,
            escape(&format!("{role}{state}")),
        );
    }
    if not_drawn > 0 {
        let _ = write!(
            out,
            r#"<text class="node-detail" x="8" y="{:.1}">and {not_drawn} part(s) that did not change, not drawn</text>"#,
            MAP_TOP + rows as f64 * MAP_CELL_H + 14.0
        );
    }
    out.push_str("</svg>");
    Some(out)
}

// ---------------------------------------------------------------------------------
// The vitals of one dosing session: blood pressure, heart rate and SpO₂ against the
// clock, with the dose (and the discharge) marked.

/// One moment's vital signs, from a monitoring reading or the v1 before/after values.
struct Vitals {
    at: DateTime<FixedOffset>,
    systolic: Option<u32>,
    diastolic: Option<u32>,
    heart_rate: Option<u32>,
    spo2: Option<u32>,
    /// What the point's tooltip calls it: "reading" or the v1 field it came from.
    source: &'static str,
}

impl Vitals {
    fn from_reading(reading: &Reading) -> Vitals {
        Vitals {
            at: reading.at.instant(),
            systolic: reading.systolic,
            diastolic: reading.diastolic,
            heart_rate: reading.heart_rate,
            spo2: reading.spo2,
            source: "reading",
        }
    }

    fn from_v1(
        at: DateTime<FixedOffset>,
        blood_pressure: Option<&str>,
        heart_rate: Option<u32>,
        source: &'static str,
    ) -> Option<Vitals> {
        let (systolic, diastolic) = match blood_pressure.and_then(split_blood_pressure) {
            Some((s, d)) => (Some(s), Some(d)),
            None => (None, None),
        };
        (systolic.is_some() || heart_rate.is_some()).then_some(Vitals {
            at,
            systolic,
            diastolic,
            heart_rate,
            spo2: None,
            source,
        })
    }
}

/// "128/82" as (128, 82); the interchange schema holds the v1 values to that shape.
fn split_blood_pressure(text: &str) -> Option<(u32, u32)> {
    let (systolic, diastolic) = text.trim().split_once('/')?;
    Some((
        systolic.trim().parse().ok()?,
        diastolic.trim().parse().ok()?,
    ))
}

/// When the client's session ended: the discharge, else its start plus its length, else
/// the last monitoring reading (`None` when none of these is known).
fn session_end(session: &Session) -> Option<DateTime<FixedOffset>> {
    session
        .discharge
        .as_ref()
        .map(|d| d.at.instant())
        .or_else(|| {
            session
                .duration_minutes
                .map(|m| session.starts_at.instant() + chrono::Duration::minutes(i64::from(m)))
        })
        .or_else(|| session.monitoring.last().map(|r| r.at.instant()))
}

/// How near a monitoring reading must be to stand for a v1 before/after value: the
/// default interval between readings.
const READING_INTERVAL_MINUTES: i64 = 15;

/// The session's readings in time order, with the v1 `observations` before/after values
/// counted as readings at the dose (or, without a dose, the session's start) and at the
/// session's end, each only when no monitoring reading was taken then (in the quarter
/// hour up to the dose, or from a quarter hour before the end).
fn session_vitals(session: &Session) -> Vec<Vitals> {
    let mut points: Vec<Vitals> = session
        .monitoring
        .iter()
        .map(Vitals::from_reading)
        .collect();
    if let Some(observations) = &session.observations {
        let dose_at = session
            .dose
            .as_ref()
            .map_or(session.starts_at.instant(), |d| d.administered_at.instant());
        let interval = chrono::Duration::minutes(READING_INTERVAL_MINUTES);
        if !points
            .iter()
            .any(|p| p.at <= dose_at && p.at >= dose_at - interval)
        {
            points.extend(Vitals::from_v1(
                dose_at,
                observations.blood_pressure_pre.as_deref(),
                observations.heart_rate_pre,
                "recorded as before the dose",
            ));
        }
        if let Some(end) = session_end(session).filter(|end| *end > dose_at)
            && !points.iter().any(|p| p.at >= end - interval)
        {
            points.extend(Vitals::from_v1(
                end,
                observations.blood_pressure_post.as_deref(),
                observations.heart_rate_post,
                "recorded as after the session",
            ));
        }
    }
    points.retain(|p| {
        p.systolic.is_some() || p.diastolic.is_some() || p.heart_rate.is_some() || p.spo2.is_some()
    });
    points.sort_by_key(|p| p.at);
    points
}

/// A time axis in minutes across one session, with clock-time ticks.
struct ClockAxis {
    start: DateTime<FixedOffset>,
    minutes: f64,
    offset: FixedOffset,
}

impl ClockAxis {
    fn new(times: &[DateTime<FixedOffset>], offset: FixedOffset) -> Option<ClockAxis> {
        let first = *times.iter().min()?;
        let last = *times.iter().max()?;
        let span = (last - first).num_minutes().max(30) as f64;
        // A margin either side so the first and last marks are not on the frame.
        let margin = (span / 20.0).max(3.0);
        let centre_pad = (span - (last - first).num_minutes() as f64) / 2.0;
        Some(ClockAxis {
            start: first - chrono::Duration::seconds(((margin + centre_pad) * 60.0) as i64),
            minutes: span + 2.0 * margin,
            offset,
        })
    }

    fn x(&self, at: DateTime<FixedOffset>) -> f64 {
        let minutes = (at - self.start).num_seconds() as f64 / 60.0;
        LEFT + minutes / self.minutes * (WIDTH - LEFT - RIGHT)
    }

    /// Vertical grid lines from `top` to `bottom` at round clock times, labelled below
    /// when `labelled`.
    fn ticks(&self, out: &mut String, top: f64, bottom: f64, labelled: bool) {
        let step = [5, 10, 15, 30, 60, 120, 240]
            .into_iter()
            .find(|step| self.minutes / *step as f64 <= 9.0)
            // A session spread over days still gets about nine ticks, on whole hours.
            .unwrap_or_else(|| (self.minutes / 9.0 / 60.0).ceil() as i64 * 60);
        let local = self.start.with_timezone(&self.offset);
        let since_midnight = i64::from(local.hour() * 60 + local.minute());
        let first = (since_midnight / step + 1) * step - since_midnight;
        let mut minute = first;
        while (minute as f64) < self.minutes {
            let at = local + chrono::Duration::minutes(minute)
                - chrono::Duration::seconds(i64::from(local.second()));
            let x = self.x(at.fixed_offset());
            let _ = write!(
                out,
                r#"<line class="grid" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}"/>"#
            );
            if labelled {
                let _ = write!(
                    out,
                    r#"<text class="tick-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    bottom + 16.0,
                    at.format("%H:%M")
                );
            }
            minute += step;
        }
    }
}

/// A marker shape for a vital sign, centred on (x, y): told apart by shape, not colour.
fn vitals_marker(out: &mut String, class: &str, x: f64, y: f64, title: &str) {
    let (tag, geometry) = match class {
        // Systolic ▼ and diastolic ▲, as anaesthesia records draw them.
        "systolic" => (
            "polygon",
            format!(
                r#"points="{:.1},{:.1} {:.1},{:.1} {x:.1},{:.1}""#,
                x - 5.0,
                y - 5.0,
                x + 5.0,
                y - 5.0,
                y + 4.0
            ),
        ),
        "diastolic" => (
            "polygon",
            format!(
                r#"points="{:.1},{:.1} {:.1},{:.1} {x:.1},{:.1}""#,
                x - 5.0,
                y + 5.0,
                x + 5.0,
                y + 5.0,
                y - 4.0
            ),
        ),
        "spo2" => (
            "rect",
            format!(
                r#"x="{:.1}" y="{:.1}" width="8" height="8""#,
                x - 4.0,
                y - 4.0
            ),
        ),
        _ => ("circle", format!(r#"cx="{x:.1}" cy="{y:.1}" r="4""#)),
    };
    let _ = write!(
        out,
        r#"<{tag} {geometry} class="vital-mark {class}"><title>{}</title></{tag}>"#,
        escape(title)
    );
}

/// Lines joining consecutive values of one series (a missing value breaks the line).
fn vitals_line(out: &mut String, class: &str, points: &[(f64, Option<f64>)]) {
    for pair in points.windows(2) {
        if let ((x1, Some(y1)), (x2, Some(y2))) = (pair[0], pair[1]) {
            let _ = write!(
                out,
                r#"<line class="vital-line {class}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#
            );
        }
    }
}

/// Blood pressure (systolic ▼, diastolic ▲), heart rate (●) and SpO₂ (■) across one
/// dosing session against the clock, with the dose and the discharge marked. The v1
/// before/after values count as readings at the dose and at the session's end when no
/// reading was taken then. `None` when there is nothing to draw.
///
/// The app shows this in the monitoring step; the session note prints it.
pub fn vitals_chart(session: &Session) -> Option<String> {
    let points = session_vitals(session);
    if points.is_empty() {
        return None;
    }
    let offset = *session.starts_at.instant().offset();
    let local = |at: DateTime<FixedOffset>| at.with_timezone(&offset).format("%H:%M").to_string();
    let dose = session.dose.as_ref();
    let discharge = session.discharge.as_ref().map(|d| d.at.instant());
    let mut times: Vec<DateTime<FixedOffset>> = points.iter().map(|p| p.at).collect();
    times.extend(dose.map(|d| d.administered_at.instant()));
    times.extend(discharge);
    let axis = ClockAxis::new(&times, offset)?;

    let top = 44.0;
    let bp_height = 140.0;
    let bp_bottom = top + bp_height;
    let spo2_top = bp_bottom + 46.0;
    let spo2_height = 70.0;
    let spo2_bottom = spo2_top + spo2_height;
    let height = spo2_bottom + 26.0;

    // Scales: 40–180 unless a value falls outside; SpO₂ from 85 % (or lower) to 100 %.
    let pressures = points
        .iter()
        .flat_map(|p| [p.systolic, p.diastolic, p.heart_rate])
        .flatten();
    let (lowest, highest) = pressures.fold((u32::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let bp_min = f64::from(lowest.min(40) / 20 * 20);
    // The schema bounds every value (at most 300); the cap only keeps the sum in range.
    let bp_max = f64::from(highest.clamp(180, 400).div_ceil(20) * 20);
    let bp_y = |v: u32| bp_bottom - (f64::from(v) - bp_min) / (bp_max - bp_min) * bp_height;
    let lowest_spo2 = points.iter().filter_map(|p| p.spo2).min();
    let spo2_min = f64::from(lowest_spo2.map_or(85, |v| v.saturating_sub(1).min(85) / 5 * 5));
    let spo2_y = |v: u32| {
        spo2_bottom - (f64::from(v.min(100)) - spo2_min) / (100.0 - spo2_min) * spo2_height
    };

    let summary = vitals_summary(session, &points, &local);
    let title = "Blood pressure, heart rate and SpO₂ across the session, with the dose marked";
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart vitals-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}"><title>{}</title><desc>{}</desc>"#,
        escape(&format!("{title}. {summary}")),
        escape(title),
        escape(&summary)
    );

    // Panel frames, scales and titles.
    let plot = WIDTH - LEFT - RIGHT;
    let _ = write!(
        out,
        r#"<text class="panel-title" x="{LEFT}" y="{:.1}">Blood pressure (mmHg) · heart rate (bpm)</text>"#,
        top - 10.0
    );
    let mut value = bp_min as u32;
    while f64::from(value) <= bp_max {
        let y = bp_y(value);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="end">{value}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
        value += 20;
    }
    let _ = write!(
        out,
        r#"<text class="panel-title" x="{LEFT}" y="{:.1}">SpO₂ (%)</text>"#,
        spo2_top - 10.0
    );
    let mut value = spo2_min as u32;
    while value <= 100 {
        let y = spo2_y(value);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="end">{value}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
        value += 5;
    }
    axis.ticks(&mut out, top, bp_bottom, false);
    axis.ticks(&mut out, spo2_top, spo2_bottom, true);
    for (y1, y2) in [(top, bp_bottom), (spo2_top, spo2_bottom)] {
        let _ = write!(
            out,
            r#"<rect class="frame" x="{LEFT}" y="{y1:.1}" width="{plot:.1}" height="{:.1}"/>"#,
            y2 - y1
        );
    }

    // The legend, by shape as well as by colour, on the panel title's line.
    let legend_y = top - 14.0;
    let mut x = WIDTH - RIGHT - 290.0;
    for (class, name) in [
        ("systolic", "systolic"),
        ("diastolic", "diastolic"),
        ("heart-rate", "heart rate"),
    ] {
        vitals_marker(&mut out, class, x, legend_y, name);
        let _ = write!(
            out,
            r#"<text class="legend-label" x="{:.1}" y="{:.1}">{name}</text>"#,
            x + 9.0,
            legend_y + 4.0
        );
        x += 95.0;
    }

    // The dose and the discharge, across both panels, named at the top.
    let mark_time = |out: &mut String, class: &str, at: DateTime<FixedOffset>, label: &str| {
        let x = axis.x(at);
        // Named beside the line, on the side with room.
        let (label_x, anchor) = if x > WIDTH - RIGHT - 200.0 {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        let _ = write!(
            out,
            r#"<line class="{class}" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{spo2_bottom:.1}"><title>{}</title></line><text class="marker-label" x="{label_x:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            escape(label),
            bp_bottom + 16.0,
            escape(label)
        );
    };
    if let Some(dose) = dose {
        let mut label = format!("dose {}", local(dose.administered_at.instant()));
        if let Some(booster) = dose.booster_mg {
            label.push_str(&format!(
                " (+ {} mg booster, time not recorded)",
                booster.value()
            ));
        }
        mark_time(
            &mut out,
            "dosing-marker",
            dose.administered_at.instant(),
            &label,
        );
    }
    if let Some(at) = discharge {
        mark_time(
            &mut out,
            "discharge-marker",
            at,
            &format!("discharge {}", local(at)),
        );
    }

    // The series: a thin bar from diastolic to systolic per reading, then the lines
    // and marks.
    let xs: Vec<f64> = points.iter().map(|p| axis.x(p.at)).collect();
    for (p, x) in points.iter().zip(&xs) {
        if let (Some(s), Some(d)) = (p.systolic, p.diastolic) {
            let _ = write!(
                out,
                r#"<line class="bp-bar" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"/>"#,
                bp_y(s),
                bp_y(d)
            );
        }
    }
    let series =
        |value: fn(&Vitals) -> Option<u32>, y: &dyn Fn(u32) -> f64| -> Vec<(f64, Option<f64>)> {
            points
                .iter()
                .zip(&xs)
                .map(|(p, x)| (*x, value(p).map(y)))
                .collect()
        };
    vitals_line(&mut out, "systolic", &series(|p| p.systolic, &bp_y));
    vitals_line(&mut out, "diastolic", &series(|p| p.diastolic, &bp_y));
    vitals_line(&mut out, "heart-rate", &series(|p| p.heart_rate, &bp_y));
    vitals_line(&mut out, "spo2", &series(|p| p.spo2, &spo2_y));
    let write_labels = points.len() <= 16;
    for (p, x) in points.iter().zip(&xs) {
        let when = format!("{} ({})", local(p.at), p.source);
        if let Some(s) = p.systolic {
            vitals_marker(
                &mut out,
                "systolic",
                *x,
                bp_y(s),
                &format!("{when}: systolic {s} mmHg"),
            );
        }
        if let Some(d) = p.diastolic {
            vitals_marker(
                &mut out,
                "diastolic",
                *x,
                bp_y(d),
                &format!("{when}: diastolic {d} mmHg"),
            );
        }
        if let Some(h) = p.heart_rate {
            vitals_marker(
                &mut out,
                "heart-rate",
                *x,
                bp_y(h),
                &format!("{when}: heart rate {h} bpm"),
            );
        }
        if let Some(o) = p.spo2 {
            vitals_marker(
                &mut out,
                "spo2",
                *x,
                spo2_y(o),
                &format!("{when}: SpO₂ {o} %"),
            );
            if write_labels {
                // Below the mark in the upper half of the panel, above it in the lower.
                let label_y = if spo2_y(o) < spo2_top + spo2_height / 2.0 {
                    spo2_y(o) + 15.0
                } else {
                    spo2_y(o) - 7.0
                };
                let _ = write!(
                    out,
                    r#"<text class="point-label" x="{x:.1}" y="{label_y:.1}" text-anchor="middle">{o}</text>"#
                );
            }
        }
        if write_labels && let Some(s) = p.systolic {
            let pressure = match p.diastolic {
                Some(d) => format!("{s}/{d}"),
                None => s.to_string(),
            };
            let _ = write!(
                out,
                r#"<text class="point-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{pressure}</text>"#,
                bp_y(s) - 9.0
            );
        }
    }
    out.push_str("</svg>");
    Some(out)
}

/// The chart in words, for a screen reader: the span, the dose, the extremes.
fn vitals_summary(
    session: &Session,
    points: &[Vitals],
    local: &dyn Fn(DateTime<FixedOffset>) -> String,
) -> String {
    let mut parts = Vec::new();
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        parts.push(format!(
            "{} reading(s) from {} to {}",
            points.len(),
            local(first.at),
            local(last.at)
        ));
    }
    if let Some(dose) = &session.dose {
        parts.push(format!("dose at {}", local(dose.administered_at.instant())));
    }
    if let Some(p) = points
        .iter()
        .filter(|p| p.systolic.is_some())
        .max_by_key(|p| p.systolic)
    {
        let pressure = match (p.systolic, p.diastolic) {
            (Some(s), Some(d)) => format!("{s}/{d}"),
            (Some(s), None) => s.to_string(),
            _ => String::new(),
        };
        parts.push(format!(
            "highest blood pressure {pressure} at {}",
            local(p.at)
        ));
    }
    if let Some(p) = points
        .iter()
        .filter(|p| p.heart_rate.is_some())
        .max_by_key(|p| p.heart_rate)
    {
        parts.push(format!(
            "highest heart rate {} at {}",
            p.heart_rate.unwrap_or_default(),
            local(p.at)
        ));
    }
    if let Some(p) = points
        .iter()
        .filter(|p| p.spo2.is_some())
        .min_by_key(|p| p.spo2)
    {
        parts.push(format!(
            "lowest SpO₂ {} % at {}",
            p.spo2.unwrap_or_default(),
            local(p.at)
        ));
    }
    let mut text = parts.join("; ");
    text.push('.');
    text[..1].to_uppercase() + &text[1..]
}

/// The vitals chart's colours on paper (documents add it to [`PRINT_STYLE`]).
pub const VITALS_PRINT_STYLE: &str = "
.grid { stroke: #e2e2e2; }
.frame { fill: none; stroke: #bbbbbb; }
.legend-label { fill: #1a1a1a; }
.marker-label { fill: #1d5580; font-weight: bold; }
.discharge-marker { stroke: #2e7d32; stroke-width: 2; stroke-dasharray: 1 3; }
.bp-bar { stroke: #9a9a9a; stroke-width: 1; }
.vital-line { stroke-width: 1.5; fill: none; }
.vital-line.systolic, .vital-line.diastolic { stroke: #1a1a1a; }
.vital-line.heart-rate { stroke: #6b3fa0; stroke-dasharray: 5 3; }
.vital-line.spo2 { stroke: #1d5580; }
.vital-mark.systolic, .vital-mark.diastolic { fill: #1a1a1a; }
.vital-mark.heart-rate { fill: #ffffff; stroke: #6b3fa0; stroke-width: 2; }
.vital-mark.spo2 { fill: #1d5580; }
";

#[cfg(test)]
mod vitals_tests {
    use super::*;
    use crate::interchange::parse_document;
    use crate::records::{Discharge, Timestamp};

    fn example_dosing() -> Session {
        let doc =
            parse_document(include_str!("../tests/fixtures/interchange/example.json")).unwrap();
        let client = doc.clients.into_iter().next().unwrap();
        client
            .sessions
            .into_iter()
            .find(|s| s.kind == SessionKind::Dosing)
            .unwrap()
    }

    fn at(time: &str) -> Timestamp {
        Timestamp::parse(&format!("2026-04-30T{time}:00+00:00")).unwrap()
    }

    fn reading(time: &str, bp: (u32, u32), heart_rate: u32, spo2: u32) -> Reading {
        Reading {
            at: at(time),
            systolic: Some(bp.0),
            diastolic: Some(bp.1),
            heart_rate: Some(heart_rate),
            spo2: Some(spo2),
            sedation: Some(5),
            dissociation_items: Vec::new(),
            note: "<not drawn>".into(),
        }
    }

    /// The example's dosing (dose at 14:20) with readings and a discharge.
    fn monitored() -> Session {
        let mut session = example_dosing();
        session.monitoring = vec![
            reading("14:10", (128, 82), 74, 98),
            reading("14:35", (142, 88), 81, 91),
            reading("15:05", (138, 86), 84, 95),
        ];
        session.discharge = Some(Discharge {
            at: at("16:30"),
            alert_and_oriented: Some(true),
            walking_steadily: Some(true),
            vitals_near_baseline: None,
            left_with: None,
            notes: String::new(),
        });
        session
    }

    fn parses(svg: &str) -> usvg::Tree {
        usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap()
    }

    #[test]
    fn the_vitals_chart_draws_each_reading_with_the_dose_and_discharge_marked() {
        let mut session = monitored();
        // Only the monitoring readings: the v1 values are the next test's.
        session.observations = None;
        let svg = vitals_chart(&session).unwrap();
        let tree = parses(&svg);
        assert!(tree.size().width() > 0.0);
        assert_eq!(svg.matches(r#"class="dosing-marker""#).count(), 1);
        assert!(svg.contains(">dose 14:20<"), "{svg}");
        assert!(svg.contains(">discharge 16:30<"), "{svg}");
        for mark in ["systolic", "diastolic", "heart-rate", "spo2"] {
            // Three readings, plus the legend's mark for the three blood-pressure panel series.
            let legend = usize::from(mark != "spo2");
            assert_eq!(
                svg.matches(&format!(r#"class="vital-mark {mark}""#))
                    .count(),
                3 + legend,
                "{mark}"
            );
        }
        assert!(svg.contains("14:35 (reading): SpO₂ 91 %"));
        assert!(svg.contains(">142/88<"));
        // A title and a description in words for a screen reader.
        assert!(svg.contains("<title>Blood pressure, heart rate and SpO₂"));
        assert!(
            svg.contains("<desc>3 reading(s) from 14:10 to 15:05; dose at 14:20; highest blood pressure 142/88 at 14:35; highest heart rate 84 at 15:05; lowest SpO₂ 91 % at 14:35.</desc>"),
            "{svg}"
        );
        // The reading's note is the table's, not the chart's, and nothing runs.
        assert!(!svg.contains("not drawn") && !svg.contains("<script"));
    }

    #[test]
    fn a_booster_is_named_at_the_dose_as_its_time_is_not_recorded() {
        let mut session = monitored();
        session.dose.as_mut().unwrap().booster_mg = Some(crate::records::Number(25.0));
        let svg = vitals_chart(&session).unwrap();
        assert!(
            svg.contains(">dose 14:20 (+ 25 mg booster, time not recorded)<"),
            "{svg}"
        );
    }

    #[test]
    fn the_v1_values_are_readings_at_the_dose_and_the_end_when_none_was_taken_then() {
        // The example records only the v1 before/after blood pressures: they are drawn at
        // the dose (14:20) and at the session's end (14:00 + 180 minutes).
        let session = example_dosing();
        assert!(session.monitoring.is_empty());
        let svg = vitals_chart(&session).unwrap();
        parses(&svg);
        assert!(
            svg.contains("14:20 (recorded as before the dose): systolic 124 mmHg"),
            "{svg}"
        );
        assert!(svg.contains("17:00 (recorded as after the session): diastolic 85 mmHg"));
        assert_eq!(svg.matches(r#"class="vital-mark systolic""#).count(), 2 + 1);

        // A reading in the quarter hour before the dose stands for the value before; the
        // discharge ends the session, and a reading then stands for the value after.
        let mut session = monitored();
        session.monitoring.push(reading("16:20", (126, 80), 72, 98));
        let svg = vitals_chart(&session).unwrap();
        assert!(!svg.contains("recorded as"), "{svg}");
        // Without them, both v1 values are drawn again, the after one at the discharge.
        session.monitoring.retain(|r| r.at == at("14:35"));
        let svg = vitals_chart(&session).unwrap();
        assert!(svg.contains("14:20 (recorded as before the dose)"));
        assert!(svg.contains("16:30 (recorded as after the session)"));
    }

    #[test]
    fn nothing_to_draw_no_chart() {
        let mut session = example_dosing();
        session.observations = None;
        assert!(vitals_chart(&session).is_none());
        // Observations without any vital sign, or a reading of only a sedation level.
        let mut session = example_dosing();
        let observations = session.observations.as_mut().unwrap();
        observations.blood_pressure_pre = None;
        observations.blood_pressure_post = None;
        assert!(vitals_chart(&session).is_none());
        session.monitoring.push(Reading {
            systolic: None,
            diastolic: None,
            heart_rate: None,
            spo2: None,
            ..reading("14:30", (0, 0), 0, 0)
        });
        assert!(vitals_chart(&session).is_none());
    }
}

/// The charts' colours on paper: what the app's themes do with CSS variables, fixed.
pub const PRINT_STYLE: &str = "
svg { font-family: 'DejaVu Sans'; font-size: 11px; }
text { fill: #555555; }
.panel-title, .row-label { fill: #1a1a1a; font-size: 12px; font-weight: bold; }
.node-name { fill: #1a1a1a; font-size: 14px; font-weight: bold; }
.node-detail { fill: #444444; font-size: 12px; }
.axis, .tick { stroke: #bbbbbb; }
.band-0 { fill: #e3f1e3; }
.band-1 { fill: #f7efd9; }
.band-2 { fill: #f3e2bd; }
.band-3 { fill: #f4d6d6; }
.band-4 { fill: #ebbcbc; }
.band-label { font-size: 10px; }
.dosing-marker { stroke: #1d5580; stroke-width: 2; stroke-dasharray: 3 3; }
.series { stroke: #1a1a1a; stroke-width: 2; }
.point { fill: #1a1a1a; stroke: #ffffff; stroke-width: 1.5; }
.point.incomplete { fill: #ffffff; stroke: #555555; stroke-width: 2; }
.panel-note { fill: #555555; font-weight: normal; font-size: 11px; }
.point-label { fill: #1a1a1a; font-weight: bold; }
.dose-band.psycholytic { fill: #e3f1e3; }
.dose-band.psychedelic { fill: #f3e2bd; }
.prescribed-range { fill: none; stroke: #1d5580; stroke-width: 2; stroke-dasharray: 6 3; }
.range-label { fill: #1d5580; }
.dose-bar { fill: #1d5580; }
.dose-bar.outside { fill: #a31a1a; }
.dose-bar.flooding { stroke: #805200; stroke-width: 3; }
.cell { fill: #f0f0f0; }
.cell.level-1 { fill: #d5e3ee; }
.cell.level-2 { fill: #b7cfe2; }
.cell.level-3 { fill: #8fb3cf; }
.cell.level-4, .cell.level-5 { fill: #6995b8; }
.cell-label { fill: #1a1a1a; font-weight: bold; }
.protector-box { fill: #ffffff; stroke: #555555; stroke-width: 1.2; }
.protector-box.signal-green { fill: #e3f1e3; stroke: #2e7d32; stroke-width: 2; }
.protector-box.signal-yellow { fill: #f7efd9; stroke: #805200; stroke-width: 2; }
.protector-box.signal-red { fill: #f4d6d6; stroke: #a31a1a; stroke-width: 3; }
.protected-box { fill: #f0f0f0; stroke: #555555; stroke-width: 1.2; }
.protects-line { stroke: #555555; stroke-width: 1.5; }
.protects-head { fill: #555555; }
.map-node { fill: #ffffff; stroke: #555555; stroke-width: 1.2; }
.map-node.added { fill: #e3f1e3; stroke: #1a1a1a; stroke-width: 3; }
.map-node.removed { fill: #f0f0f0; stroke: #555555; stroke-width: 1.5; stroke-dasharray: 5 3; }
.map-node.changed { fill: #f7efd9; stroke: #805200; stroke-width: 2; }
.map-node-name { fill: #1a1a1a; font-size: 13px; font-weight: bold; }
.map-node-detail { fill: #444444; font-size: 11px; }
.map-link { stroke: #999999; stroke-width: 1.2; }
.map-link.added { stroke: #1a1a1a; stroke-width: 2.5; }
.map-link.removed { stroke: #777777; stroke-width: 1.5; stroke-dasharray: 5 3; }
.map-link.changed { stroke: #805200; stroke-width: 2; }
.map-link-label { fill: #1a1a1a; font-size: 11px; }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::parse_document;

    fn example() -> Client {
        let doc =
            parse_document(include_str!("../tests/fixtures/interchange/example.json")).unwrap();
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

    #[test]
    fn the_then_and_now_map_places_every_part_without_overlap_even_when_crowded() {
        // Positions piled on one another, and some with none: every node still gets a
        // cell of its own.
        let positions: Vec<Option<(f64, f64)>> = (0..30)
            .map(|i| match i % 3 {
                0 => Some((0.0, 0.0)),
                1 => Some((f64::from(i) * 3.0, 10.0)),
                _ => None,
            })
            .collect();
        let places = grid_places(&positions, 5);
        let mut seen = std::collections::HashSet::new();
        assert!(
            places.iter().all(|p| p.0 < 5 && seen.insert(*p)),
            "{places:?}"
        );
    }

    #[test]
    fn a_large_system_draws_the_parts_that_changed_and_counts_the_rest() {
        use crate::records::Position;
        let mut client = example();
        for i in 0..160 {
            let mut part = Part::new(format!("Part number {i}"), PartRole::Manager);
            part.position = Some(Position {
                x: crate::records::Number(f64::from(i % 16) * 40.0),
                y: crate::records::Number(f64::from(i / 16) * 40.0),
            });
            client.parts.push(part);
        }
        let mut history = crate::records::MapHistory {
            since: crate::records::Timestamp::parse("2026-04-01T09:00:00+00:00").unwrap(),
            versions: Vec::new(),
        };
        history.versions = crate::parts_history::baseline(
            &crate::parts_history::MapState::of(&client),
            &history.since,
        );
        let mut changed = client.parts[20].clone();
        changed.status = crate::records::PartStatus::Befriended;
        history.versions.push(crate::records::MapVersion {
            at: crate::records::Timestamp::parse("2026-05-01T09:00:00+00:00").unwrap(),
            record: crate::records::VersionedRecord::Part(changed.clone()),
        });
        client.parts[20] = changed;
        client.map_history = Some(history);
        let comparison = crate::parts_history::compare_maps(
            &client,
            crate::records::Date::parse("2026-04-15").unwrap(),
            crate::records::Date::parse("2026-05-15").unwrap(),
        );
        assert_eq!(comparison.changes.len(), 1);
        let svg = map_then_and_now(&comparison).unwrap();
        assert_eq!(svg.matches("class=\"map-node ").count(), 1);
        assert!(
            svg.contains("and 163 part(s) that did not change, not drawn"),
            "{svg}"
        );
        assert!(svg.contains("manager · changed"));
    }
}
