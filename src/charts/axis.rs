//! The frame every chart shares: the canvas's size and margins, escaping, the opening
//! `<svg>` tag, and the scales that turn a date, a clock time or a value into a place.

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike};
use std::fmt::Write;

pub(super) const WIDTH: f64 = 720.0;
pub(super) const LEFT: f64 = 56.0;
pub(super) const RIGHT: f64 = 16.0;
pub(super) const PANEL_HEIGHT: f64 = 150.0;
pub(super) const PANEL_GAP: f64 = 44.0;
pub(super) const TOP: f64 = 30.0;
/// The width between the margins, where the data is drawn.
pub(super) const PLOT_WIDTH: f64 = WIDTH - LEFT - RIGHT;

/// The place `fraction` of the way across the plot (0 at the left margin, 1 at the right).
fn plot_x(fraction: f64) -> f64 {
    LEFT + fraction * PLOT_WIDTH
}

/// A vertical value scale: `min` at `bottom`, `max` `height` above it.
pub(super) struct ValueScale {
    pub(super) bottom: f64,
    pub(super) height: f64,
    pub(super) min: f64,
    pub(super) max: f64,
}

impl ValueScale {
    /// A scale from zero to `max`.
    pub(super) fn from_zero(bottom: f64, height: f64, max: f64) -> ValueScale {
        ValueScale {
            bottom,
            height,
            min: 0.0,
            max,
        }
    }

    pub(super) fn y(&self, value: f64) -> f64 {
        self.bottom - (value - self.min) / (self.max - self.min) * self.height
    }
}

/// Escapes text for SVG.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` cut to `most` characters, an ellipsis marking the cut.
pub(super) fn short(text: &str, most: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= most {
        text.to_owned()
    } else {
        format!("{}…", chars[..most - 1].iter().collect::<String>())
    }
}

pub(super) fn open_svg(out: &mut String, height: f64, label: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{label}"><title>{label}</title>"#,
        label = escape(label)
    );
}

/// Closes a chart with its description: what its marks say, in words, for a screen
/// reader in the app (the `<desc>` of an image) and as the figure's alternative text
/// in documents.
pub(super) fn close_svg(out: &mut String, description: &str) {
    let _ = write!(out, "<desc>{}</desc></svg>", escape(description));
}

/// The box a one-line label takes: from its anchor, at a font `size`, with room for
/// the widest glyphs of the fonts charts are drawn in (app and documents).
#[derive(Debug, Clone, Copy)]
pub(super) struct LabelBox {
    pub(super) left: f64,
    pub(super) right: f64,
    pub(super) top: f64,
    pub(super) bottom: f64,
}

/// Where text goes from its `x`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

impl LabelBox {
    /// The box of `text` with its baseline at `y`.
    pub(super) fn of(text: &str, x: f64, y: f64, size: f64, anchor: Anchor) -> LabelBox {
        // 0.62 em a character: above DejaVu Sans's and the UI's average advance.
        let width = text.chars().count() as f64 * size * 0.62;
        let left = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - width / 2.0,
            Anchor::End => x - width,
        };
        LabelBox {
            left,
            right: left + width,
            top: y - size,
            bottom: y + size * 0.3,
        }
    }
}

/// The stretches of `from..to` left once `gaps` are cut out of it.
fn pieces(from: f64, to: f64, mut gaps: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut pieces = Vec::new();
    let mut start = from;
    for (gap_start, gap_end) in gaps {
        if gap_start > start {
            pieces.push((start, gap_start.min(to)));
        }
        start = start.max(gap_end);
    }
    if start < to {
        pieces.push((start, to));
    }
    pieces
}

/// How far a line keeps from a label it passes.
const CLEARANCE: f64 = 2.0;

/// The path data of a vertical line at `x` from `top` to `bottom`, broken where it
/// would cross a label (with a little clearance).
pub(super) fn vertical_path(x: f64, (top, bottom): (f64, f64), labels: &[LabelBox]) -> String {
    let gaps = labels
        .iter()
        .filter(|b| x >= b.left - CLEARANCE && x <= b.right + CLEARANCE)
        .map(|b| (b.top - CLEARANCE, b.bottom + CLEARANCE))
        .collect();
    let mut d = String::new();
    for (from, to) in pieces(top, bottom, gaps) {
        let _ = write!(d, "M{x:.1} {from:.1}V{to:.1}");
    }
    d
}

/// The path data of a horizontal line at `y` from `left` to `right`, broken where
/// it would cross a label (with a little clearance).
pub(super) fn horizontal_path(y: f64, (left, right): (f64, f64), labels: &[LabelBox]) -> String {
    let gaps = labels
        .iter()
        .filter(|b| y >= b.top - CLEARANCE && y <= b.bottom + CLEARANCE)
        .map(|b| (b.left - CLEARANCE, b.right + CLEARANCE))
        .collect();
    let mut d = String::new();
    for (from, to) in pieces(left, right, gaps) {
        let _ = write!(d, "M{from:.1} {y:.1}H{to:.1}");
    }
    d
}

/// A vertical line at `x` from `top` to `bottom` as one path, broken where it would
/// cross a label: a line is never drawn over words.
pub(super) fn vertical_line_around(
    out: &mut String,
    class: &str,
    x: f64,
    span: (f64, f64),
    labels: &[LabelBox],
    title: &str,
) {
    let d = vertical_path(x, span, labels);
    if d.is_empty() {
        return;
    }
    let _ = write!(
        out,
        r#"<path class="{class}" d="{d}" fill="none"><title>{}</title></path>"#,
        escape(title)
    );
}

/// A shared time axis from the first to the last date shown (a month either side when
/// there is only one date).
pub(super) struct TimeAxis {
    start: NaiveDate,
    days: f64,
}

impl TimeAxis {
    pub(super) fn new(dates: &[NaiveDate]) -> Option<TimeAxis> {
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

    pub(super) fn x(&self, date: NaiveDate) -> f64 {
        plot_x((date - self.start).num_days() as f64 / self.days)
    }

    /// Month ticks along the bottom of a panel.
    pub(super) fn ticks(&self, out: &mut String, y: f64) {
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

/// A time axis in minutes across one session, with clock-time ticks.
pub(super) struct ClockAxis {
    start: DateTime<FixedOffset>,
    minutes: f64,
    offset: FixedOffset,
}

impl ClockAxis {
    pub(super) fn new(times: &[DateTime<FixedOffset>], offset: FixedOffset) -> Option<ClockAxis> {
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

    pub(super) fn x(&self, at: DateTime<FixedOffset>) -> f64 {
        let minutes = (at - self.start).num_seconds() as f64 / 60.0;
        plot_x(minutes / self.minutes)
    }

    /// Vertical grid lines from `top` to `bottom` at round clock times, labelled below
    /// when `labelled`.
    pub(super) fn ticks(&self, out: &mut String, top: f64, bottom: f64, labelled: bool) {
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
