//! A small flowing layout for A4 documents: headings, wrapped paragraphs, labelled
//! fields, tables and SVG figures, broken into pages; then rendered with krilla, with
//! the running header (clinician and client) and "page N of M" on every page.
//!
//! Text is real text in the embedded DejaVu Sans (subset by krilla), so it can be
//! selected, searched and read aloud.

use crate::error::{Error, Internal, Result};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size as FontSize};
use std::collections::HashMap;
use std::sync::Arc;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const MARGIN_X: f32 = 54.0;
const BODY_TOP: f32 = 78.0;

/// The paper documents are laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points.
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}
const LINE: f32 = 1.38;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Text,
    Muted,
    Stop,
    Warn,
    Accent,
    Rule,
    Shade,
}

impl Tone {
    fn color(self) -> rgb::Color {
        match self {
            Tone::Text => rgb::Color::new(0x1a, 0x1a, 0x1a),
            Tone::Muted => rgb::Color::new(0x55, 0x55, 0x55),
            Tone::Stop => rgb::Color::new(0xa3, 0x1a, 0x1a),
            Tone::Warn => rgb::Color::new(0x80, 0x52, 0x00),
            Tone::Accent => rgb::Color::new(0x1d, 0x55, 0x80),
            Tone::Rule => rgb::Color::new(0xc4, 0xc4, 0xc4),
            Tone::Shade => rgb::Color::new(0xee, 0xee, 0xee),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        tone: Tone,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        tone: Tone,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        tone: Tone,
    },
    Svg {
        index: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// Advance widths per character at size 1, read from the embedded fonts.
struct Metrics {
    widths: HashMap<(Face, char), f32>,
}

impl Metrics {
    fn width(&mut self, face: Face, size: f32, text: &str) -> f32 {
        text.chars()
            .map(|c| {
                *self.widths.entry((face, c)).or_insert_with(|| {
                    let data = match face {
                        Face::Regular => REGULAR,
                        Face::Bold => BOLD,
                    };
                    skrifa::FontRef::new(data)
                        .ok()
                        .and_then(|font| {
                            let glyph = font.charmap().map(c)?;
                            font.glyph_metrics(FontSize::new(1.0), LocationRef::default())
                                .advance_width(glyph)
                        })
                        .unwrap_or(0.6)
                })
            })
            .sum::<f32>()
            * size
    }
}

/// A table column: its heading and its share of the body width.
pub struct Column<'a> {
    pub heading: &'a str,
    pub width: f32,
}

/// What every page repeats.
pub struct Running {
    pub title: String,
    pub clinician: String,
    pub client: String,
}

pub struct Layout {
    page_w: f32,
    page_h: f32,
    /// The width of the text column.
    pub body_w: f32,
    pages: Vec<Vec<Op>>,
    y: f32,
    svgs: Vec<usvg::Tree>,
    metrics: Metrics,
    fontdb: Arc<usvg::fontdb::Database>,
}

/// The fonts figures are drawn with: the embedded ones only, never the system's.
/// Built once, from the static font bytes (no copy).
fn figure_fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: std::sync::OnceLock<Arc<usvg::fontdb::Database>> = std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fontdb = usvg::fontdb::Database::new();
            for data in [REGULAR, BOLD] {
                fontdb.load_font_source(usvg::fontdb::Source::Binary(Arc::new(data)));
            }
            Arc::new(fontdb)
        })
        .clone()
}

/// Keeps only characters that print: control characters (other than line breaks)
/// would otherwise reach the PDF as missing glyphs.
fn printable(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\t', "    ")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

impl Layout {
    pub fn new(paper: Paper) -> Layout {
        let (page_w, page_h) = paper.size();
        Layout {
            page_w,
            page_h,
            body_w: page_w - 2.0 * MARGIN_X,
            pages: vec![Vec::new()],
            y: BODY_TOP,
            svgs: Vec::new(),
            metrics: Metrics {
                widths: HashMap::new(),
            },
            fontdb: figure_fonts(),
        }
    }

    fn body_bottom(&self) -> f32 {
        self.page_h - 62.0
    }

    fn page(&mut self) -> &mut Vec<Op> {
        // `pages` always holds at least the first page.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    pub fn keep(&mut self, height: f32) {
        if self.y + height > self.body_bottom() && self.y > BODY_TOP {
            self.new_page();
        }
    }

    /// The height left on this page.
    pub fn room_left(&self) -> f32 {
        self.body_bottom() - self.y
    }

    pub fn gap(&mut self, height: f32) {
        self.y += height;
    }

    pub fn width(&mut self, face: Face, size: f32, text: &str) -> f32 {
        self.metrics.width(face, size, text)
    }

    /// Breaks `text` into lines no wider than `width` (words kept whole where they fit;
    /// blank lines kept).
    pub fn wrap(&mut self, text: &str, face: Face, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in printable(text).split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(face, size, &candidate) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word longer than the line is broken where it must be.
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if self.width(face, size, &next) > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    fn push_text(&mut self, x: f32, face: Face, size: f32, tone: Tone, text: String) {
        let y = self.y;
        self.page().push(Op::Text {
            x,
            y,
            face,
            size,
            tone,
            text,
        });
    }

    /// Wrapped text at `x` (from the left margin) within `width`, breaking pages as needed.
    pub fn text_at(&mut self, x: f32, width: f32, text: &str, face: Face, size: f32, tone: Tone) {
        for line in self.wrap(text, face, size, width) {
            self.keep(size * LINE);
            if !line.is_empty() {
                self.push_text(MARGIN_X + x, face, size, tone, line);
            }
            self.y += size * LINE;
        }
    }

    pub fn paragraph(&mut self, text: &str) {
        self.text_at(0.0, self.body_w, text, Face::Regular, 10.0, Tone::Text);
    }

    pub fn styled(&mut self, text: &str, face: Face, size: f32, tone: Tone) {
        self.text_at(0.0, self.body_w, text, face, size, tone);
    }

    pub fn title(&mut self, text: &str) {
        self.styled(text, Face::Bold, 17.0, Tone::Text);
        self.gap(4.0);
    }

    /// A thin rule across the body at `y`.
    fn rule_at(&mut self, y: f32) {
        let x2 = MARGIN_X + self.body_w;
        self.page().push(Op::Line {
            x1: MARGIN_X,
            y1: y,
            x2,
            y2: y,
            tone: Tone::Rule,
        });
    }

    /// A section heading, kept with at least a few lines of what follows.
    pub fn heading(&mut self, text: &str) {
        self.gap(8.0);
        self.keep(13.0 * LINE + 50.0);
        self.styled(text, Face::Bold, 13.0, Tone::Accent);
        self.rule_at(self.y - 2.0);
        self.gap(4.0);
    }

    pub fn subheading(&mut self, text: &str) {
        self.gap(4.0);
        self.keep(11.0 * LINE + 30.0);
        self.styled(text, Face::Bold, 11.0, Tone::Text);
        self.gap(1.0);
    }

    /// `label` in bold in a left column, `value` wrapped beside it. Empty values are
    /// written as an em dash, so a blank is visibly blank.
    pub fn field(&mut self, label: &str, value: &str) {
        const LABEL_W: f32 = 150.0;
        let value = if value.trim().is_empty() {
            "—"
        } else {
            value
        };
        let labels = self.wrap(label, Face::Bold, 10.0, LABEL_W - 8.0);
        let values = self.wrap(value, Face::Regular, 10.0, self.body_w - LABEL_W);
        let rows = labels.len().max(values.len());
        // Keep short fields whole; let long ones flow across pages.
        if rows <= 6 {
            self.keep(rows as f32 * 10.0 * LINE);
        }
        for i in 0..rows {
            self.keep(10.0 * LINE);
            if let Some(label) = labels.get(i).filter(|l| !l.is_empty()) {
                self.push_text(MARGIN_X, Face::Bold, 10.0, Tone::Muted, label.clone());
            }
            if let Some(value) = values.get(i).filter(|v| !v.is_empty()) {
                self.push_text(
                    MARGIN_X + LABEL_W,
                    Face::Regular,
                    10.0,
                    Tone::Text,
                    value.clone(),
                );
            }
            self.y += 10.0 * LINE;
        }
    }

    /// A table with wrapped cells; the heading row repeats on each new page. Each row
    /// may carry a tone for its first cell (a finding's severity, say).
    pub fn table(&mut self, columns: &[Column<'_>], rows: &[(Vec<String>, Tone)], size: f32) {
        let total: f32 = columns.iter().map(|c| c.width).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.width / total * self.body_w)
            .collect();
        let line = size * LINE;
        let heading_row = |layout: &mut Layout| {
            let (y, w) = (layout.y, layout.body_w);
            layout.page().push(Op::Rect {
                x: MARGIN_X,
                y: y - 1.0,
                w,
                h: line + 2.0,
                tone: Tone::Shade,
            });
            let mut x = MARGIN_X;
            for (column, width) in columns.iter().zip(&widths) {
                let text = column.heading.to_owned();
                layout.push_text(x + 3.0, Face::Bold, size, Tone::Text, text);
                x += width;
            }
            layout.y += line + 3.0;
        };
        self.keep(line * 3.0);
        heading_row(self);
        for (cells, tone) in rows {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| self.wrap(cell, Face::Regular, size, width - 6.0))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * line;
            if self.y + height > self.body_bottom() {
                self.new_page();
                heading_row(self);
            }
            let top = self.y;
            let mut x = MARGIN_X;
            for (i, (lines, width)) in wrapped.iter().zip(&widths).enumerate() {
                self.y = top;
                let cell_tone = if i == 0 { *tone } else { Tone::Text };
                for text in lines {
                    if !text.is_empty() {
                        self.push_text(x + 3.0, Face::Regular, size, cell_tone, text.clone());
                    }
                    self.y += line;
                }
                x += width;
            }
            self.y = top + height + 2.0;
            self.rule_at(self.y - 1.0);
            self.y += 2.0;
        }
    }

    /// A ruled form to fill in by hand: a heading row, then `first_cells.len()` rows of
    /// `row_height`, each starting with its printed first cell, every cell boxed. Kept
    /// whole on one page.
    pub fn form_grid(
        &mut self,
        columns: &[Column<'_>],
        first_cells: &[String],
        row_height: f32,
        size: f32,
    ) {
        let total: f32 = columns.iter().map(|c| c.width).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.width / total * self.body_w)
            .collect();
        let heading_h = size * LINE + 4.0;
        self.keep(heading_h + row_height * first_cells.len() as f32);
        let top = self.y;
        let (x0, w) = (MARGIN_X, self.body_w);
        self.page().push(Op::Rect {
            x: x0,
            y: top,
            w,
            h: heading_h,
            tone: Tone::Shade,
        });
        let mut x = x0;
        for (column, width) in columns.iter().zip(&widths) {
            self.y = top + 2.0;
            self.push_text(
                x + 3.0,
                Face::Bold,
                size,
                Tone::Text,
                column.heading.to_owned(),
            );
            x += width;
        }
        let bottom = top + heading_h + row_height * first_cells.len() as f32;
        for (i, cell) in first_cells.iter().enumerate() {
            let row_top = top + heading_h + row_height * i as f32;
            // The printed cell sits at the top of its row, leaving room to write below.
            self.y = row_top + 3.0;
            self.push_text(x0 + 3.0, Face::Regular, size, Tone::Muted, cell.clone());
        }
        let ink = Tone::Muted;
        for i in 0..=first_cells.len() + 1 {
            let y = if i == 0 {
                top
            } else {
                top + heading_h + row_height * (i - 1) as f32
            };
            self.page().push(Op::Line {
                x1: x0,
                y1: y,
                x2: x0 + w,
                y2: y,
                tone: ink,
            });
        }
        let mut x = x0;
        for width in widths.iter().chain([&0.0]) {
            self.page().push(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: bottom,
                tone: ink,
            });
            x += width;
        }
        self.y = bottom + 6.0;
    }

    /// An empty box to tick by hand, then `text`.
    pub fn checkbox(&mut self, text: &str, size: f32) {
        self.keep(size * LINE + 4.0);
        let (x, y, side) = (MARGIN_X + 1.0, self.y + 1.0, size);
        for (x1, y1, x2, y2) in [
            (x, y, x + side, y),
            (x + side, y, x + side, y + side),
            (x + side, y + side, x, y + side),
            (x, y + side, x, y),
        ] {
            self.page().push(Op::Line {
                x1,
                y1,
                x2,
                y2,
                tone: Tone::Text,
            });
        }
        self.text_at(
            side + 8.0,
            self.body_w - side - 8.0,
            text,
            Face::Regular,
            size,
            Tone::Text,
        );
        self.gap(4.0);
    }

    /// An SVG figure (drawn by src/charts/), scaled to `share` of the text column's
    /// width, on one page.
    pub fn figure(&mut self, svg: &str, share: f32) -> Result<()> {
        let options = usvg::Options {
            fontdb: self.fontdb.clone(),
            font_family: "DejaVu Sans".into(),
            style_sheet: Some(format!(
                "{}{}",
                crate::charts::PRINT_STYLE,
                crate::charts::VITALS_PRINT_STYLE
            )),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &options).map_err(|_| {
            Error::Internal(Internal::Document {
                detail: "a figure could not be drawn".into(),
            })
        })?;
        let size = tree.size();
        let mut width = self.body_w * share.min(1.0);
        let mut height = size.height() * width / size.width();
        // A figure taller than a page is scaled down to fit one.
        let page_body = self.body_bottom() - BODY_TOP - 6.0;
        if height > page_body {
            width *= page_body / height;
            height = page_body;
        }
        self.keep(height + 6.0);
        let (x, y) = (MARGIN_X, self.y);
        self.svgs.push(tree);
        let index = self.svgs.len() - 1;
        self.page().push(Op::Svg {
            index,
            x,
            y,
            w: width,
            h: height,
        });
        self.y += height + 6.0;
        Ok(())
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Renders every page with the running header and footer.
    pub fn render(mut self, running: &Running) -> Result<Vec<u8>> {
        let regular = Font::new(REGULAR.into(), 0);
        let bold = Font::new(BOLD.into(), 0);
        let (Some(regular), Some(bold)) = (regular, bold) else {
            return Err(Internal::FontDamaged.into());
        };
        let total = self.pages.len();
        let header_left = self.fit(&running.clinician, Face::Regular, 8.5, self.body_w * 0.48);
        let header_right = self.fit(&running.client, Face::Bold, 8.5, self.body_w * 0.48);
        let right_w = self.width(Face::Bold, 8.5, &header_right);
        let footer_left = self.fit(
            &format!("{} · confidential clinical record", running.title),
            Face::Regular,
            8.0,
            self.body_w * 0.75,
        );
        let mut document = Document::new();
        document.set_metadata(
            Metadata::new()
                .title(running.title.clone())
                .authors(vec![running.clinician.clone()])
                .creator("kapnotes".into())
                .language("en".into()),
        );
        for (number, ops) in self.pages.iter().enumerate() {
            let settings = PageSettings::from_wh(self.page_w, self.page_h).ok_or_else(|| {
                Error::Internal(Internal::Document {
                    detail: "the page size is not valid".into(),
                })
            })?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            let page_label = format!("Page {} of {total}", number + 1);
            let label_w = self.metrics.width(Face::Regular, 8.0, &page_label);
            let running_ops = [
                Op::Text {
                    x: MARGIN_X,
                    y: 40.0,
                    face: Face::Regular,
                    size: 8.5,
                    tone: Tone::Muted,
                    text: header_left.clone(),
                },
                Op::Text {
                    x: MARGIN_X + self.body_w - right_w,
                    y: 40.0,
                    face: Face::Bold,
                    size: 8.5,
                    tone: Tone::Text,
                    text: header_right.clone(),
                },
                Op::Line {
                    x1: MARGIN_X,
                    y1: 56.0,
                    x2: MARGIN_X + self.body_w,
                    y2: 56.0,
                    tone: Tone::Rule,
                },
                Op::Line {
                    x1: MARGIN_X,
                    y1: self.page_h - 48.0,
                    x2: MARGIN_X + self.body_w,
                    y2: self.page_h - 48.0,
                    tone: Tone::Rule,
                },
                Op::Text {
                    x: MARGIN_X,
                    y: self.page_h - 42.0,
                    face: Face::Regular,
                    size: 8.0,
                    tone: Tone::Muted,
                    text: footer_left.clone(),
                },
                Op::Text {
                    x: MARGIN_X + self.body_w - label_w,
                    y: self.page_h - 42.0,
                    face: Face::Regular,
                    size: 8.0,
                    tone: Tone::Muted,
                    text: page_label,
                },
            ];
            for op in running_ops.iter().chain(ops) {
                draw(&mut surface, op, &regular, &bold, &self.svgs)?;
            }
            surface.finish();
            page.finish();
        }
        document.finish().map_err(|e| {
            Error::from(Internal::Document {
                detail: format!("{e:?}"),
            })
        })
    }

    /// `text` shortened with an ellipsis to fit `width`.
    fn fit(&mut self, text: &str, face: Face, size: f32, width: f32) -> String {
        let text = printable(text).replace('\n', " ");
        if self.width(face, size, &text) <= width {
            return text;
        }
        let mut out = String::new();
        for c in text.chars() {
            if self.width(face, size, &format!("{out}{c}…")) > width {
                break;
            }
            out.push(c);
        }
        format!("{out}…")
    }
}

fn fill(tone: Tone) -> Fill {
    Fill {
        paint: tone.color().into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn draw(
    surface: &mut Surface<'_>,
    op: &Op,
    regular: &Font,
    bold: &Font,
    svgs: &[usvg::Tree],
) -> Result<()> {
    match op {
        Op::Text {
            x,
            y,
            face,
            size,
            tone,
            text,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*tone)));
            let font = match face {
                Face::Regular => regular.clone(),
                Face::Bold => bold.clone(),
            };
            // `y` is the top of the line; text is placed on its baseline.
            surface.draw_text(
                Point::from_xy(*x, *y + size * 0.95),
                font,
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            tone,
        } => {
            let mut builder = PathBuilder::new();
            builder.move_to(*x1, *y1);
            builder.line_to(*x2, *y2);
            if let Some(path) = builder.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: tone.color().into(),
                    width: 0.6,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Rect { x, y, w, h, tone } => {
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                let mut builder = PathBuilder::new();
                builder.push_rect(rect);
                if let Some(path) = builder.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(*tone)));
                    surface.draw_path(&path);
                }
            }
        }
        Op::Svg { index, x, y, w, h } => {
            let (Some(tree), Some(size)) = (svgs.get(*index), Size::from_wh(*w, *h)) else {
                return Err(Internal::Document {
                    detail: "a figure could not be placed".into(),
                }
                .into());
            };
            surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
            let drawn = surface.draw_svg(tree, size, SvgSettings::default());
            surface.pop();
            drawn.ok_or_else(|| Internal::Document {
                detail: "a figure could not be drawn".into(),
            })?;
        }
    }
    Ok(())
}
