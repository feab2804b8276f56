//! The vitals of one dosing session: blood pressure, heart rate and SpO₂ against the
//! clock, with the dose (and the discharge) marked.

use super::axis::*;
use crate::records::{Reading, Session};
use chrono::{DateTime, FixedOffset};
use std::fmt::Write;

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
    let bp_scale = ValueScale {
        bottom: bp_bottom,
        height: bp_height,
        min: bp_min,
        max: bp_max,
    };
    let bp_y = |v: u32| bp_scale.y(f64::from(v));
    let lowest_spo2 = points.iter().filter_map(|p| p.spo2).min();
    let spo2_min = f64::from(lowest_spo2.map_or(85, |v| v.saturating_sub(1).min(85) / 5 * 5));
    let spo2_scale = ValueScale {
        bottom: spo2_bottom,
        height: spo2_height,
        min: spo2_min,
        max: 100.0,
    };
    let spo2_y = |v: u32| spo2_scale.y(f64::from(v.min(100)));

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
    let plot = PLOT_WIDTH;
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

    // The dose and the discharge, across both panels, named at the top, each named
    // beside its line on the side with room.
    let write_labels = points.len() <= 16;
    let spo2_label_y = |o: u32| {
        // Below the mark in the upper half of the panel, above it in the lower.
        if spo2_y(o) < spo2_top + spo2_height / 2.0 {
            spo2_y(o) + 15.0
        } else {
            spo2_y(o) - 7.0
        }
    };
    let pressure_label = |p: &Vitals| {
        p.systolic.map(|s| match p.diastolic {
            Some(d) => format!("{s}/{d}"),
            None => s.to_string(),
        })
    };
    let mut marks: Vec<(&str, DateTime<FixedOffset>, String)> = Vec::new();
    if let Some(dose) = dose {
        let mut label = format!("dose {}", local(dose.administered_at.instant()));
        if let Some(booster) = dose.booster_mg {
            label.push_str(&format!(
                " (+ {} mg booster, time not recorded)",
                booster.value()
            ));
        }
        marks.push(("dosing-marker", dose.administered_at.instant(), label));
    }
    if let Some(at) = discharge {
        marks.push(("discharge-marker", at, format!("discharge {}", local(at))));
    }
    let placed_marks: Vec<(&str, f64, f64, Anchor, &str)> = marks
        .iter()
        .map(|(class, at, label)| {
            let x = axis.x(*at);
            let (label_x, anchor) = if x > WIDTH - RIGHT - 200.0 {
                (x - 4.0, Anchor::End)
            } else {
                (x + 4.0, Anchor::Start)
            };
            (*class, x, label_x, anchor, label.as_str())
        })
        .collect();
    // Every label on the chart (bold, so a little wider), which the lines leave room for.
    const BOLD: f64 = 11.0 * 1.1;
    let mut labels: Vec<LabelBox> = placed_marks
        .iter()
        .map(|(_, _, label_x, anchor, label)| {
            LabelBox::of(label, *label_x, bp_bottom + 16.0, BOLD, *anchor)
        })
        .collect();
    // The SpO₂ panel's title sits between the panels, which the lines cross.
    labels.push(LabelBox::of(
        "SpO₂ (%)",
        LEFT,
        spo2_top - 10.0,
        12.0 * 1.1,
        Anchor::Start,
    ));
    if write_labels {
        for p in &points {
            let x = axis.x(p.at);
            if let Some(o) = p.spo2 {
                let text = o.to_string();
                labels.push(LabelBox::of(
                    &text,
                    x,
                    spo2_label_y(o),
                    BOLD,
                    Anchor::Middle,
                ));
            }
            if let (Some(s), Some(text)) = (p.systolic, pressure_label(p)) {
                labels.push(LabelBox::of(&text, x, bp_y(s) - 9.0, BOLD, Anchor::Middle));
            }
        }
    }
    for (class, x, label_x, anchor, label) in &placed_marks {
        vertical_line_around(&mut out, class, *x, (top, spo2_bottom), &labels, label);
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = write!(
            out,
            r#"<text class="marker-label" x="{label_x:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            bp_bottom + 16.0,
            escape(label)
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
                let label_y = spo2_label_y(o);
                let _ = write!(
                    out,
                    r#"<text class="point-label" x="{x:.1}" y="{label_y:.1}" text-anchor="middle">{o}</text>"#
                );
            }
        }
        if write_labels && let (Some(s), Some(pressure)) = (p.systolic, pressure_label(p)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::parse_document;
    use crate::records::SessionKind;
    use crate::records::{Discharge, Timestamp};

    fn example_dosing() -> Session {
        let doc = parse_document(include_str!(
            "../../tests/fixtures/interchange/example.json"
        ))
        .unwrap();
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
