//! The course drawn as pictures, once, as SVG: the app shows these strings and printed
//! documents can embed the same ones. Colours come from CSS classes (the app's themes
//! style them; a document styles them for print); every series is also told apart by
//! a marker shape or a written value, never by colour alone. No script, no external
//! reference, and every text is escaped.

mod axis;
mod course;
mod map;
mod print;
mod vitals;

pub use course::{
    MOST_PROTECTORS_DRAWN, dose_chart, measures_chart, protector_figure, self_energy_chart,
};
pub use map::{MOST_MAP_PARTS_DRAWN, map_then_and_now};
pub use print::{PRINT_STYLE, VITALS_PRINT_STYLE};
pub use vitals::vitals_chart;

/// No chart draws a line over words: each dashed dosing or discharge line is checked
/// against the box every label takes, measured with the fonts documents draw in.
#[cfg(test)]
mod labels_stay_clear {
    use crate::interchange::parse_document;
    use crate::records::{Client, Date, Instrument, Measure, new_id};
    use skrifa::MetadataProvider;
    use skrifa::instance::{LocationRef, Size};

    /// A label's box: left, right, top, bottom.
    type TextBox = (f64, f64, f64, f64);

    fn advance(bold: bool, text: &str) -> f64 {
        let data: &[u8] = if bold {
            include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf")
        } else {
            include_bytes!("../../assets/fonts/DejaVuSans.ttf")
        };
        let font = skrifa::FontRef::new(data).unwrap();
        let metrics = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        text.chars()
            .map(|c| {
                let glyph = font.charmap().map(c).unwrap();
                f64::from(metrics.advance_width(glyph).unwrap())
            })
            .sum()
    }

    /// Every text's box, at the sizes and weights the print style gives it.
    fn text_boxes(svg: &str) -> Vec<(String, TextBox)> {
        let document = roxmltree::Document::parse(svg).unwrap();
        document
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| {
                let class = n.attribute("class").unwrap_or_default();
                let (size, bold) = match class {
                    "band-label" => (10.0, false),
                    "panel-title" | "row-label" => (12.0, true),
                    "point-label" | "marker-label" | "cell-label" => (11.0, true),
                    _ => (11.0, false),
                };
                let text: String = n
                    .descendants()
                    .filter(|t| t.is_text())
                    .filter_map(|t| t.text())
                    .collect::<Vec<_>>()
                    .concat();
                let x: f64 = n.attribute("x").unwrap().parse().unwrap();
                let y: f64 = n.attribute("y").unwrap().parse().unwrap();
                let width = advance(bold, &text) * size;
                let left = match n.attribute("text-anchor") {
                    Some("end") => x - width,
                    Some("middle") => x - width / 2.0,
                    _ => x,
                };
                // DejaVu's ascent and descent.
                (text, (left, left + width, y - 0.76 * size, y + 0.24 * size))
            })
            .collect()
    }

    /// The segments of every dosing and discharge line and of the prescriber's range:
    /// from (x, y) to (x, y), each vertical or horizontal.
    fn marker_segments(svg: &str) -> Vec<((f64, f64), (f64, f64))> {
        let document = roxmltree::Document::parse(svg).unwrap();
        let mut segments = Vec::new();
        for n in document.descendants() {
            let class = n.attribute("class").unwrap_or_default();
            if !matches!(
                class,
                "dosing-marker" | "discharge-marker" | "prescribed-range"
            ) {
                continue;
            }
            if n.has_tag_name("line") {
                let get = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
                segments.push(((get("x1"), get("y1")), (get("x2"), get("y2"))));
                continue;
            }
            assert!(
                n.has_tag_name("path"),
                "{class} drawn as {:?}",
                n.tag_name()
            );
            let d = n.attribute("d").unwrap();
            for move_to in d.split('M').filter(|m| !m.is_empty()) {
                let (start, end, vertical) = match move_to.split_once('V') {
                    Some((start, end)) => (start, end, true),
                    None => {
                        let (start, end) = move_to.split_once('H').unwrap();
                        (start, end, false)
                    }
                };
                let (x, y) = start.trim().split_once(' ').unwrap();
                let (x, y, end): (f64, f64, f64) =
                    (x.parse().unwrap(), y.parse().unwrap(), end.parse().unwrap());
                segments.push(((x, y), if vertical { (x, end) } else { (end, y) }));
            }
        }
        segments
    }

    fn assert_no_line_over_a_label(svg: &str) -> usize {
        let segments = marker_segments(svg);
        for (text, (left, right, top, bottom)) in text_boxes(svg) {
            for ((x1, y1), (x2, y2)) in &segments {
                let crosses = x1.min(*x2) < right
                    && x1.max(*x2) > left
                    && y1.min(*y2) < bottom
                    && y1.max(*y2) > top;
                assert!(
                    !crosses,
                    "the line from {x1},{y1} to {x2},{y2} crosses {text:?} at {left:.1}–{right:.1}, {top:.1}–{bottom:.1}"
                );
            }
        }
        segments.len()
    }

    fn client(fixture: &str) -> Client {
        parse_document(fixture).unwrap().clients.remove(0)
    }

    #[test]
    fn the_dosing_lines_leave_the_band_and_score_labels_clear() {
        let example = client(include_str!(
            "../../tests/fixtures/interchange/example.json"
        ));
        let over_time = client(include_str!(
            "../../tests/fixtures/interchange/parts-over-time.json"
        ));
        // The example's dosing day falls under the right-hand band labels.
        let svg = super::measures_chart(&example).unwrap();
        assert!(assert_no_line_over_a_label(&svg) >= 2);
        assert_no_line_over_a_label(&super::measures_chart(&over_time).unwrap());
        // A dosing day on the same day as scores, at the far right of the axis under
        // the band labels.
        let mut crowded = example.clone();
        let dosing_day = crowded.sessions[1].starts_at.local_date();
        crowded.measures.retain(|m| m.taken_on.0 < dosing_day);
        for (day, answers) in [(0, [3; 9]), (0, [1; 9]), (0, [2; 9])] {
            crowded.measures.push(Measure {
                id: new_id(),
                instrument: Instrument::Phq9,
                taken_on: Date(dosing_day + chrono::Duration::days(day)),
                answers: answers.iter().copied().map(Some).collect(),
                session: None,
                safety_follow_up: None,
            });
        }
        let svg = super::measures_chart(&crowded).unwrap();
        assert!(
            assert_no_line_over_a_label(&svg) > 2,
            "the lines are drawn, in pieces"
        );
        // The prescriber's range around the band labels of the dose chart.
        assert!(assert_no_line_over_a_label(&super::dose_chart(&example).unwrap()) > 4);
        for session in example.sessions.iter().chain(&over_time.sessions) {
            if let Some(svg) = super::vitals_chart(session) {
                assert_no_line_over_a_label(&svg);
            }
        }
    }
}
