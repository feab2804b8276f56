//! The dosing day's live picture: the chart of vital signs across one session.

use crate::error::CommandResult;
use crate::state::AppState;
use tauri::State;

/// Blood pressure, heart rate and SpO₂ across the session, with the dose marked, as SVG;
/// `None` when the session has no readings to draw.
#[tauri::command(async)]
pub fn session_vitals_chart(
    state: State<'_, AppState>,
    session_id: String,
) -> CommandResult<Option<String>> {
    let session = state.with_vault(|vault| vault.session(&session_id))?;
    Ok(vitals_chart(&session))
}

// ---------------------------------------------------------------------------------
// TEMPORARY SHIM, to be removed at merge: `kapnotes::charts::vitals_chart(&Session) ->
// Option<String>` is being written in the core on another branch. When it lands, delete
// everything below this line and call `kapnotes::charts::vitals_chart(&session)` above.
// Until then this draws a plain version so the app and its screenshots have a chart.
// ---------------------------------------------------------------------------------
use kapnotes::records::Session;
use std::fmt::Write;

fn vitals_chart(session: &Session) -> Option<String> {
    const WIDTH: f64 = 560.0;
    const LEFT: f64 = 44.0;
    const RIGHT: f64 = 40.0;
    const TOP: f64 = 16.0;
    const PLOT: f64 = 170.0;
    const LOW: f64 = 40.0;
    const HIGH: f64 = 200.0;
    if session.monitoring.is_empty() {
        return None;
    }
    let seconds = |t: &kapnotes::records::Timestamp| t.instant().timestamp() as f64;
    let dose_at = session.dose.as_ref().map(|d| seconds(&d.administered_at));
    let times = session
        .monitoring
        .iter()
        .map(|r| seconds(&r.at))
        .chain(dose_at);
    let (first, last) = times.fold((f64::MAX, f64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    let span = (last - first).max(600.0);
    let x = |t: f64| LEFT + (t - first) / span * (WIDTH - LEFT - RIGHT);
    let y = |v: f64| TOP + PLOT - (v.clamp(LOW, HIGH) - LOW) / (HIGH - LOW) * PLOT;
    let bottom = TOP + PLOT;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" role="img" aria-label="Vital signs across the session"><title>Vital signs across the session</title>"#,
        h = bottom + 26.0
    );
    for v in [60.0, 100.0, 140.0, 180.0] {
        let _ = write!(
            out,
            r#"<line class="tick" x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="tick-label" x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    if let Some(t) = dose_at {
        let _ = write!(
            out,
            r#"<line class="dosing-marker" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom}"/><text class="point-label" x="{:.1}" y="{:.1}">dose</text>"#,
            x(t) + 4.0,
            TOP + 10.0,
            x = x(t)
        );
    }
    type Pick = fn(&kapnotes::records::Reading) -> Option<u32>;
    // Told apart by line pattern and a written name at each line's end, not by colour.
    let series: [(&str, &str, &str, Pick); 4] = [
        ("systolic", "SYS", "", |r| r.systolic),
        ("diastolic", "DIA", "", |r| r.diastolic),
        ("heart-rate", "HR", "6 4", |r| r.heart_rate),
        ("spo2", "SpO₂", "2 3", |r| r.spo2),
    ];
    let mut ends: Vec<(f64, f64, &str)> = Vec::new();
    for (class, name, dash, pick) in series {
        let points: Vec<(f64, f64)> = session
            .monitoring
            .iter()
            .filter_map(|r| pick(r).map(|v| (x(seconds(&r.at)), y(f64::from(v)))))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(a, b)| format!("{a:.1},{b:.1}"))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="series {class}" fill="none" stroke-dasharray="{dash}" points="{}"/>"#,
            path.join(" ")
        );
        for (a, b) in &points {
            let _ = write!(
                out,
                r#"<circle class="point {class}" cx="{a:.1}" cy="{b:.1}" r="3"/>"#
            );
        }
        if let Some(&(a, b)) = points.last() {
            ends.push((a, b, name));
        }
    }
    // The names at the lines' ends, nudged apart so close values stay legible.
    ends.sort_by(|p, q| p.1.total_cmp(&q.1));
    let mut floor = f64::MIN;
    for (a, b, name) in ends {
        let at = (b + 4.0).max(floor + 12.0);
        floor = at;
        let _ = write!(
            out,
            r#"<text class="point-label" x="{:.1}" y="{at:.1}">{name}</text>"#,
            a + 6.0
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{:.1}" y2="{bottom}"/><text class="tick-label" x="{LEFT}" y="{:.1}">blood pressure mmHg · heart rate /min · SpO₂ %</text></svg>"#,
        WIDTH - RIGHT,
        bottom + 18.0
    );
    Some(out)
}
