//! A small flowing layout for A4 documents: headings, wrapped paragraphs, labelled
//! fields, tables, lists and SVG figures, broken into pages; then rendered with krilla, with
//! the running header (clinician and client) and "page N of M" on every page.
//!
//! Text is real text in the embedded DejaVu Sans (subset by krilla), so it can be
//! selected, searched and read aloud. Every document is a tagged PDF written with
//! krilla's PDF/A-2a (archival) and PDF/UA-1 (accessible) validators on: as the layout
//! places things it also records the document's structure in reading order (headings
//! in levels, paragraphs, tables with header cells, lists, figures with their
//! alternative text), the running header, footer and rules are artifacts, and the
//! headings make the outline. krilla refuses to write a document that breaks either
//! standard; that refusal is an `Internal` error, never a broken file.

use crate::error::{Error, Internal, Result};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, BBox, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
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

impl Op {
    /// Moves the op `dy` down the page.
    fn shift(&mut self, dy: f32) {
        match self {
            Op::Text { y, .. } | Op::Rect { y, .. } | Op::Svg { y, .. } => *y += dy,
            Op::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
        }
    }
}

/// What a drawn op is in the document's structure: content (a leaf of the structure
/// tree, by number) or an artifact that assistive technology skips.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Content(usize),
    Artifact(ArtifactType),
}

#[derive(Debug, Clone)]
struct Placed {
    op: Op,
    mark: Mark,
}

/// The document's logical structure, in reading order, independent of pages.
#[derive(Debug, Clone)]
enum Node {
    Leaf(usize),
    Group(Role, Vec<Node>),
}

#[derive(Debug, Clone)]
enum Role {
    Heading(u16, String),
    Paragraph,
    Table,
    TableHead,
    TableBody,
    Row,
    HeaderCell(TableHeaderScope),
    Cell,
    /// Its alternative text, and where it is drawn: page, x, y, width, height.
    Figure(String, usize, [f32; 4]),
    List,
    Item,
    ItemLabel,
    ItemBody,
}

/// The block the next field, list item or tick box joins, if it follows one directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    Fields,
    List,
}

/// A heading in the outline (bookmarks): its level, words, page and place.
struct OutlineEntry {
    level: u16,
    text: String,
    page: usize,
    y: f32,
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
    pages: Vec<Vec<Placed>>,
    y: f32,
    svgs: Vec<usvg::Tree>,
    metrics: Metrics,
    fontdb: Arc<usvg::fontdb::Database>,
    /// The structure tree's top level, in reading order.
    structure: Vec<Node>,
    leaves: usize,
    open: Open,
    /// The level of the last title (1) or heading (2); subheadings sit one below it,
    /// and one more per [`Layout::nested`].
    section_level: u16,
    nesting: u16,
    titled: bool,
    /// Where the headings not yet followed by anything start (page, op, top): they move
    /// to the next page with what follows them, never left alone at a page's foot.
    pending_headings: Option<(usize, usize, f32)>,
    placing_heading: bool,
    outline: Vec<OutlineEntry>,
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

/// The character drawn in place of one the embedded fonts cannot draw.
const UNDRAWABLE: char = '\u{FFFD}';

/// `text` with every character the embedded fonts cannot draw, or PDF/A forbids
/// (private-use characters, byte-order marks), replaced by U+FFFD: PDF/A refuses a
/// missing glyph, and a whole document must not fail over an emoji in a note.
fn drawable(text: &str) -> String {
    static COVERED: std::sync::OnceLock<Option<[skrifa::charmap::Charmap<'static>; 2]>> =
        std::sync::OnceLock::new();
    let charmaps = COVERED.get_or_init(|| {
        let regular = skrifa::FontRef::new(REGULAR).ok()?;
        let bold = skrifa::FontRef::new(BOLD).ok()?;
        Some([regular.charmap(), bold.charmap()])
    });
    text.chars()
        .map(|c| {
            let forbidden = matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}')
                || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\0');
            let covered = matches!(c, '\n' | '\r' | '\t')
                || charmaps
                    .as_ref()
                    .is_some_and(|maps| maps.iter().all(|map| map.map(c).is_some()));
            if forbidden || !covered { UNDRAWABLE } else { c }
        })
        .collect()
}

/// A figure's alternative text: the SVG's own title and description (the words the
/// app's screen readers hear for the same chart), empty when it has neither.
fn figure_description(svg: &str) -> String {
    let Ok(document) = roxmltree::Document::parse(svg) else {
        return String::new();
    };
    let root = document.root_element();
    let words: Vec<String> = ["title", "desc"]
        .iter()
        .filter_map(|name| {
            root.children()
                .find(|n| n.has_tag_name(*name))
                .and_then(|n| n.text())
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .filter(|t| !t.is_empty())
        .collect();
    let mut description = String::new();
    for text in words {
        if !description.is_empty() {
            description.push_str(if description.ends_with('.') {
                " "
            } else {
                ". "
            });
        }
        description.push_str(&text);
    }
    description
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
            structure: Vec::new(),
            leaves: 0,
            open: Open::Nothing,
            section_level: 0,
            nesting: 0,
            titled: false,
            pending_headings: None,
            placing_heading: false,
            outline: Vec::new(),
        }
    }

    fn body_bottom(&self) -> f32 {
        self.page_h - 62.0
    }

    fn page(&mut self) -> &mut Vec<Placed> {
        // `pages` always holds at least the first page.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Draws `op` as content: a new leaf of the structure, returned for its block.
    fn content(&mut self, op: Op) -> Node {
        let leaf = self.leaves;
        self.leaves += 1;
        self.place(op, Mark::Content(leaf));
        Node::Leaf(leaf)
    }

    /// Draws `op` as an artifact: seen, but not part of what is read.
    fn artifact(&mut self, op: Op) {
        self.place(op, Mark::Artifact(ArtifactType::Layout));
    }

    fn place(&mut self, op: Op, mark: Mark) {
        if !self.placing_heading {
            self.pending_headings = None;
        }
        self.page().push(Placed { op, mark });
    }

    /// Adds a block to the structure, in reading order.
    fn append(&mut self, node: Node) {
        self.structure.push(node);
        self.open = Open::Nothing;
    }

    pub fn new_page(&mut self) {
        let moved = match self.pending_headings.take() {
            // Headings already at the top of their page stay: moving them would only
            // leave that page blank.
            Some((page, first, top)) if page == self.pages.len() - 1 && first > 0 => {
                let ops = self.page().split_off(first);
                for entry in &mut self.outline {
                    if entry.page == page && entry.y >= top {
                        entry.page += 1;
                        entry.y += BODY_TOP - top;
                    }
                }
                Some((ops, self.y - top, BODY_TOP - top))
            }
            _ => None,
        };
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
        // The headings left alone at the foot come along, and stay pending: what
        // follows them has not been placed yet.
        if let Some((ops, height, dy)) = moved {
            let first = self.page().len();
            for mut placed in ops {
                placed.op.shift(dy);
                self.page().push(placed);
            }
            self.y = BODY_TOP + height;
            self.pending_headings = Some((self.pages.len() - 1, first, BODY_TOP));
        }
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

    fn push_text(&mut self, x: f32, face: Face, size: f32, tone: Tone, text: String) -> Node {
        let y = self.y;
        self.content(Op::Text {
            x,
            y,
            face,
            size,
            tone,
            text: drawable(&text),
        })
    }

    /// Wrapped lines at `x` within `width`, breaking pages as needed: the leaves of
    /// one block. Each line but the last ends in a space, so words stay apart when
    /// the text is read or copied.
    fn lines(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        face: Face,
        size: f32,
        tone: Tone,
    ) -> Vec<Node> {
        let lines = self.wrap(text, face, size, width);
        let count = lines.len();
        let mut leaves = Vec::new();
        for (i, mut line) in lines.into_iter().enumerate() {
            self.keep(size * LINE);
            if !line.is_empty() {
                if i + 1 < count {
                    line.push(' ');
                }
                leaves.push(self.push_text(MARGIN_X + x, face, size, tone, line));
            }
            self.y += size * LINE;
        }
        leaves
    }

    /// Wrapped text at `x` (from the left margin) within `width`, breaking pages as
    /// needed: one paragraph.
    pub fn text_at(&mut self, x: f32, width: f32, text: &str, face: Face, size: f32, tone: Tone) {
        let leaves = self.lines(x, width, text, face, size, tone);
        self.append(Node::Group(Role::Paragraph, leaves));
    }

    pub fn paragraph(&mut self, text: &str) {
        self.text_at(0.0, self.body_w, text, Face::Regular, 10.0, Tone::Text);
    }

    pub fn styled(&mut self, text: &str, face: Face, size: f32, tone: Tone) {
        self.text_at(0.0, self.body_w, text, face, size, tone);
    }

    /// A heading of `level`, kept with what follows it: when the next thing moves to
    /// a new page, the heading moves with it.
    fn heading_block(&mut self, level: u16, text: &str, size: f32, tone: Tone, rule: bool) {
        if self.pending_headings.is_none() {
            let page = self.pages.len() - 1;
            let first = self.pages[page].len();
            self.pending_headings = Some((page, first, self.y));
        }
        self.placing_heading = true;
        let top = self.y;
        let page = self.pages.len() - 1;
        let leaves = self.lines(0.0, self.body_w, text, Face::Bold, size, tone);
        if rule {
            self.rule_at(self.y - 2.0);
        }
        self.placing_heading = false;
        // A heading's first line may itself have started a new page.
        let (page, top) = if self.pages.len() - 1 == page {
            (page, top)
        } else {
            (self.pages.len() - 1, BODY_TOP)
        };
        let title = printable(text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.outline.push(OutlineEntry {
            level,
            text: title.clone(),
            page,
            y: top,
        });
        self.append(Node::Group(Role::Heading(level, title), leaves));
    }

    /// The document's title: its one first-level heading (a second part, such as the
    /// monitoring page, may have its own).
    pub fn title(&mut self, text: &str) {
        self.heading_block(1, text, 17.0, Tone::Text, false);
        self.section_level = 1;
        self.titled = true;
        self.gap(4.0);
    }

    /// A thin rule across the body at `y`.
    fn rule_at(&mut self, y: f32) {
        let x2 = MARGIN_X + self.body_w;
        self.artifact(Op::Line {
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
        let level = if self.titled { 2 } else { 1 };
        self.heading_block(level, text, 13.0, Tone::Accent, true);
        self.section_level = level;
        self.gap(4.0);
    }

    pub fn subheading(&mut self, text: &str) {
        self.gap(4.0);
        self.keep(11.0 * LINE + 30.0);
        let level = self.section_level + 1 + self.nesting;
        self.heading_block(level, text, 11.0, Tone::Text, false);
        self.gap(1.0);
    }

    /// Lays out `content` one heading level deeper: its subheadings sit below the
    /// last subheading instead of beside it (a session within the full record).
    pub fn nested<T>(&mut self, content: impl FnOnce(&mut Layout) -> T) -> T {
        self.nesting += 1;
        let result = content(self);
        self.nesting -= 1;
        result
    }

    /// An empty piece of content at the current place, so a blank table cell is
    /// still a cell to assistive technology.
    fn blank(&mut self, x: f32, size: f32) -> Node {
        self.push_text(x, Face::Regular, size, Tone::Text, String::new())
    }

    /// `label` in bold in a left column, `value` wrapped beside it. Empty values are
    /// written as an em dash, so a blank is visibly blank. Fields in a row form one
    /// table, each label the header of its row.
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
        let (mut label_leaves, mut value_leaves) = (Vec::new(), Vec::new());
        for i in 0..rows {
            self.keep(10.0 * LINE);
            if let Some(label) = labels.get(i).filter(|l| !l.is_empty()) {
                let text = if i + 1 < labels.len() {
                    format!("{label} ")
                } else {
                    label.clone()
                };
                label_leaves.push(self.push_text(MARGIN_X, Face::Bold, 10.0, Tone::Muted, text));
            }
            if let Some(value) = values.get(i).filter(|v| !v.is_empty()) {
                let text = if i + 1 < values.len() {
                    format!("{value} ")
                } else {
                    value.clone()
                };
                value_leaves.push(self.push_text(
                    MARGIN_X + LABEL_W,
                    Face::Regular,
                    10.0,
                    Tone::Text,
                    text,
                ));
            }
            self.y += 10.0 * LINE;
        }
        if label_leaves.is_empty() {
            self.y -= 10.0 * LINE;
            label_leaves.push(self.blank(MARGIN_X, 10.0));
            self.y += 10.0 * LINE;
        }
        let row = Node::Group(
            Role::Row,
            vec![
                Node::Group(Role::HeaderCell(TableHeaderScope::Row), label_leaves),
                Node::Group(Role::Cell, value_leaves),
            ],
        );
        match (self.open, self.structure.last_mut()) {
            (Open::Fields, Some(Node::Group(Role::Table, rows))) => rows.push(row),
            _ => {
                self.append(Node::Group(Role::Table, vec![row]));
                self.open = Open::Fields;
            }
        }
    }

    /// A table's heading row: header cells the first time, an artifact when it is
    /// repeated at the top of a new page.
    fn heading_row(
        &mut self,
        columns: &[Column<'_>],
        widths: &[f32],
        size: f32,
        repeated: bool,
    ) -> Vec<Node> {
        let line = size * LINE;
        let (y, w) = (self.y, self.body_w);
        self.artifact(Op::Rect {
            x: MARGIN_X,
            y: y - 1.0,
            w,
            h: line + 2.0,
            tone: Tone::Shade,
        });
        let mut cells = Vec::new();
        let mut x = MARGIN_X;
        for (column, width) in columns.iter().zip(widths) {
            let op = Op::Text {
                x: x + 3.0,
                y,
                face: Face::Bold,
                size,
                tone: Tone::Text,
                text: drawable(column.heading),
            };
            if repeated {
                self.place(op, Mark::Artifact(ArtifactType::PaginationOther));
            } else {
                let leaf = self.content(op);
                cells.push(Node::Group(
                    Role::HeaderCell(TableHeaderScope::Column),
                    vec![leaf],
                ));
            }
            x += width;
        }
        self.y += line + 3.0;
        cells
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
        self.keep(line * 3.0);
        let header = self.heading_row(columns, &widths, size, false);
        let mut body = Vec::new();
        for (cells, tone) in rows {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| self.wrap(cell, Face::Regular, size, width - 6.0))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * line;
            if self.y + height > self.body_bottom() {
                self.new_page();
                self.heading_row(columns, &widths, size, true);
            }
            let top = self.y;
            let mut x = MARGIN_X;
            let mut row = Vec::new();
            for (i, (lines, width)) in wrapped.iter().zip(&widths).enumerate() {
                self.y = top;
                let cell_tone = if i == 0 { *tone } else { Tone::Text };
                let mut leaves = Vec::new();
                for (n, text) in lines.iter().enumerate() {
                    if !text.is_empty() {
                        let text = if n + 1 < lines.len() {
                            format!("{text} ")
                        } else {
                            text.clone()
                        };
                        leaves.push(self.push_text(x + 3.0, Face::Regular, size, cell_tone, text));
                    }
                    self.y += line;
                }
                if leaves.is_empty() {
                    self.y = top;
                    leaves.push(self.blank(x + 3.0, size));
                }
                row.push(Node::Group(Role::Cell, leaves));
                x += width;
            }
            self.y = top + height + 2.0;
            self.rule_at(self.y - 1.0);
            self.y += 2.0;
            body.push(Node::Group(Role::Row, row));
        }
        let mut table = vec![Node::Group(
            Role::TableHead,
            vec![Node::Group(Role::Row, header)],
        )];
        if !body.is_empty() {
            table.push(Node::Group(Role::TableBody, body));
        }
        self.append(Node::Group(Role::Table, table));
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
        self.artifact(Op::Rect {
            x: x0,
            y: top,
            w,
            h: heading_h,
            tone: Tone::Shade,
        });
        let mut x = x0;
        let mut header = Vec::new();
        for (column, width) in columns.iter().zip(&widths) {
            self.y = top + 2.0;
            let leaf = self.push_text(
                x + 3.0,
                Face::Bold,
                size,
                Tone::Text,
                column.heading.to_owned(),
            );
            header.push(Node::Group(
                Role::HeaderCell(TableHeaderScope::Column),
                vec![leaf],
            ));
            x += width;
        }
        let bottom = top + heading_h + row_height * first_cells.len() as f32;
        let mut body = Vec::new();
        for (i, cell) in first_cells.iter().enumerate() {
            let row_top = top + heading_h + row_height * i as f32;
            // The printed cell sits at the top of its row, leaving room to write below.
            self.y = row_top + 3.0;
            let mut row = Vec::new();
            let mut x = x0;
            for (n, width) in widths.iter().enumerate() {
                // Only the first cell is printed; the others are left to write in.
                let leaf = if n == 0 && !cell.is_empty() {
                    self.push_text(x + 3.0, Face::Regular, size, Tone::Muted, cell.clone())
                } else {
                    self.blank(x + 3.0, size)
                };
                row.push(Node::Group(Role::Cell, vec![leaf]));
                x += width;
            }
            body.push(Node::Group(Role::Row, row));
        }
        let ink = Tone::Muted;
        for i in 0..=first_cells.len() + 1 {
            let y = if i == 0 {
                top
            } else {
                top + heading_h + row_height * (i - 1) as f32
            };
            self.artifact(Op::Line {
                x1: x0,
                y1: y,
                x2: x0 + w,
                y2: y,
                tone: ink,
            });
        }
        let mut x = x0;
        for width in widths.iter().chain([&0.0]) {
            self.artifact(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: bottom,
                tone: ink,
            });
            x += width;
        }
        self.y = bottom + 6.0;
        self.append(Node::Group(
            Role::Table,
            vec![
                Node::Group(Role::TableHead, vec![Node::Group(Role::Row, header)]),
                Node::Group(Role::TableBody, body),
            ],
        ));
    }

    /// Adds an item to the list this follows directly, or starts one.
    fn list_item(&mut self, label: Option<Node>, body: Vec<Node>) {
        let mut item = Vec::new();
        if let Some(label) = label {
            item.push(Node::Group(Role::ItemLabel, vec![label]));
        }
        item.push(Node::Group(Role::ItemBody, body));
        let item = Node::Group(Role::Item, item);
        match (self.open, self.structure.last_mut()) {
            (Open::List, Some(Node::Group(Role::List, items))) => items.push(item),
            _ => {
                self.append(Node::Group(Role::List, vec![item]));
                self.open = Open::List;
            }
        }
    }

    /// One item of a bulleted list: a bullet, then `text` wrapped beside it. Items in a
    /// row form one list.
    pub fn bullet(&mut self, text: &str, face: Face, size: f32, tone: Tone) {
        const INDENT: f32 = 11.0;
        self.keep(size * LINE);
        let label = self.push_text(MARGIN_X, face, size, tone, "•".to_owned());
        let body = self.lines(INDENT, self.body_w - INDENT, text, face, size, tone);
        self.list_item(Some(label), body);
    }

    /// An empty box to tick by hand, then `text`. Boxes in a row form one list.
    pub fn checkbox(&mut self, text: &str, size: f32) {
        self.keep(size * LINE + 4.0);
        let (x, y, side) = (MARGIN_X + 1.0, self.y + 1.0, size);
        for (x1, y1, x2, y2) in [
            (x, y, x + side, y),
            (x + side, y, x + side, y + side),
            (x + side, y + side, x, y + side),
            (x, y + side, x, y),
        ] {
            self.artifact(Op::Line {
                x1,
                y1,
                x2,
                y2,
                tone: Tone::Text,
            });
        }
        let body = self.lines(
            side + 8.0,
            self.body_w - side - 8.0,
            text,
            Face::Regular,
            size,
            Tone::Text,
        );
        self.list_item(None, body);
        self.gap(4.0);
    }

    /// An SVG figure (drawn by src/charts/), scaled to `share` of the text column's
    /// width, on one page. Its alternative text is the SVG's own `<title>` and `<desc>`
    /// (every chart has them); krilla refuses a document with a figure that has none.
    pub fn figure(&mut self, svg: &str, share: f32) -> Result<()> {
        let description = figure_description(svg);
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
        // Text the embedded fonts cannot draw is replaced, as in the rest of the page.
        let tree = usvg::Tree::from_str(&drawable(svg), &options).map_err(|_| {
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
        let leaf = self.content(Op::Svg {
            index,
            x,
            y,
            w: width,
            h: height,
        });
        self.y += height + 6.0;
        let page = self.pages.len() - 1;
        self.append(Node::Group(
            Role::Figure(description, page, [x, y, width, height]),
            vec![leaf],
        ));
        Ok(())
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Renders every page with the running header and footer, as a tagged PDF/A-2a
    /// and PDF/UA-1 document.
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
        let configuration = ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_A)
            .with_accessibility_validator(Accessibility::UA1)
            .finish()
            .map_err(|e| Internal::Document {
                detail: format!("{e:?}"),
            })?;
        let mut document = Document::new_with(SerializeSettings {
            configuration,
            enable_tagging: true,
            ..SerializeSettings::default()
        });
        let title = drawable(&printable(&running.title).replace('\n', " "));
        document.set_metadata(
            Metadata::new()
                .title(title)
                .authors(vec![drawable(&printable(&running.clinician))])
                .creator("kapnotes".into())
                .language(LANGUAGE.into())
                .creation_date(now()),
        );
        let mut identifiers: Vec<Option<Identifier>> = vec![None; self.leaves];
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
            let header = Mark::Artifact(ArtifactType::Header);
            let footer = Mark::Artifact(ArtifactType::Footer);
            let running_ops = [
                Placed {
                    op: Op::Text {
                        x: MARGIN_X,
                        y: 40.0,
                        face: Face::Regular,
                        size: 8.5,
                        tone: Tone::Muted,
                        text: drawable(&header_left),
                    },
                    mark: header,
                },
                Placed {
                    op: Op::Text {
                        x: MARGIN_X + self.body_w - right_w,
                        y: 40.0,
                        face: Face::Bold,
                        size: 8.5,
                        tone: Tone::Text,
                        text: drawable(&header_right),
                    },
                    mark: header,
                },
                Placed {
                    op: Op::Line {
                        x1: MARGIN_X,
                        y1: 56.0,
                        x2: MARGIN_X + self.body_w,
                        y2: 56.0,
                        tone: Tone::Rule,
                    },
                    mark: header,
                },
                Placed {
                    op: Op::Line {
                        x1: MARGIN_X,
                        y1: self.page_h - 48.0,
                        x2: MARGIN_X + self.body_w,
                        y2: self.page_h - 48.0,
                        tone: Tone::Rule,
                    },
                    mark: footer,
                },
                Placed {
                    op: Op::Text {
                        x: MARGIN_X,
                        y: self.page_h - 42.0,
                        face: Face::Regular,
                        size: 8.0,
                        tone: Tone::Muted,
                        text: drawable(&footer_left),
                    },
                    mark: footer,
                },
                Placed {
                    op: Op::Text {
                        x: MARGIN_X + self.body_w - label_w,
                        y: self.page_h - 42.0,
                        face: Face::Regular,
                        size: 8.0,
                        tone: Tone::Muted,
                        text: page_label,
                    },
                    mark: footer,
                },
            ];
            for placed in running_ops.iter().chain(ops) {
                let tag = match placed.mark {
                    Mark::Artifact(kind) => ContentTag::Artifact(Artifact::with_kind(kind)),
                    Mark::Content(_) => match placed.op {
                        Op::Text { .. } => ContentTag::Span(SpanTag::empty()),
                        _ => ContentTag::Other,
                    },
                };
                let identifier = surface.start_tagged(tag);
                let drawn = draw(&mut surface, &placed.op, &regular, &bold, &self.svgs);
                surface.end_tagged();
                drawn?;
                if let Mark::Content(leaf) = placed.mark
                    && let Some(slot) = identifiers.get_mut(leaf)
                {
                    *slot = Some(identifier);
                }
            }
            surface.finish();
            page.finish();
        }
        let mut tree = TagTree::new().with_lang(Some(LANGUAGE.into()));
        for node in &self.structure {
            if let Some(node) = tag_node(node, &identifiers)? {
                tree.push(node);
            }
        }
        document.set_tag_tree(tree);
        document.set_outline(outline(&self.outline));
        document.finish().map_err(|e| {
            Error::from(Internal::Document {
                detail: krilla_words(&e),
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

/// The language every document is written in (RFC 3066), for PDF/A-2a and PDF/UA.
const LANGUAGE: &str = "en";

/// Now, as the document's creation date (PDF/A records it in the metadata's history).
fn now() -> DateTime {
    use chrono::{Datelike, Timelike};
    let now = chrono::Utc::now();
    DateTime::new(u16::try_from(now.year()).unwrap_or(9999))
        .month(now.month() as u8)
        .day(now.day() as u8)
        .hour(now.hour() as u8)
        .minute(now.minute() as u8)
        .second(now.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// krilla's own words for why it refused a document: what broke which standard,
/// by name only (a validation error can carry the text it is about, which may be
/// clinical, and an error message must not).
fn krilla_words(error: &KrillaError) -> String {
    match error {
        KrillaError::Validation(errors) => {
            let broken: Vec<String> = errors
                .iter()
                .map(|(error, validators)| {
                    let debug = format!("{error:?}");
                    let name = debug.split('(').next().unwrap_or(&debug).to_owned();
                    let standards: Vec<&str> = validators.into_iter().map(|v| v.as_str()).collect();
                    format!("{name} breaks {}", standards.join(" and "))
                })
                .collect();
            format!("{error}: {}", broken.join("; "))
        }
        KrillaError::Font(..) => "failed to embed font".to_owned(),
        other => {
            let words = other.to_string();
            words.split(':').next().unwrap_or(&words).to_owned()
        }
    }
}

/// The structure node as krilla's tag, its leaves the identifiers drawn for them.
fn tag_node(
    node: &Node,
    identifiers: &[Option<Identifier>],
) -> Result<Option<krilla::tagging::Node>> {
    let not_drawn = || Internal::Document {
        detail: "a part of the document was not drawn".into(),
    };
    match node {
        Node::Leaf(leaf) => {
            let identifier = identifiers
                .get(*leaf)
                .copied()
                .flatten()
                .ok_or_else(not_drawn)?;
            Ok(Some(identifier.into()))
        }
        Node::Group(role, children) => {
            let mut kids = Vec::new();
            for child in children {
                kids.extend(tag_node(child, identifiers)?);
            }
            // An empty group would be dropped by krilla anyway.
            if kids.is_empty() {
                return Ok(None);
            }
            let tag: TagKind = match role {
                Role::Heading(level, title) => {
                    let level = std::num::NonZeroU16::new(*level).ok_or_else(not_drawn)?;
                    Tag::Hn(level, Some(title.clone())).into()
                }
                Role::Paragraph => Tag::P.into(),
                Role::Table => Tag::Table.into(),
                Role::TableHead => Tag::THead.into(),
                Role::TableBody => Tag::TBody.into(),
                Role::Row => Tag::TR.into(),
                Role::HeaderCell(scope) => Tag::TH(*scope).into(),
                Role::Cell => Tag::TD.into(),
                Role::Figure(description, page, [x, y, w, h]) => {
                    let alt = (!description.is_empty()).then(|| description.clone());
                    // Where the figure is, for reflow and for tools that show it.
                    let bbox = Rect::from_xywh(*x, *y, *w, *h).map(|r| BBox::new(*page, r));
                    Tag::Figure(alt).with_bbox(bbox).into()
                }
                Role::List => Tag::L(ListNumbering::Disc).into(),
                Role::Item => Tag::LI.into(),
                Role::ItemLabel => Tag::Lbl.into(),
                Role::ItemBody => Tag::LBody.into(),
            };
            Ok(Some(TagGroup::with_children(tag, kids).into()))
        }
    }
}

/// The outline (bookmarks) from the headings, each level under the one before it.
fn outline(entries: &[OutlineEntry]) -> Outline {
    let mut outline = Outline::new();
    let mut open: Vec<(u16, OutlineNode)> = Vec::new();
    let close = |open: &mut Vec<(u16, OutlineNode)>, outline: &mut Outline| {
        if let Some((_, node)) = open.pop() {
            match open.last_mut() {
                Some((_, parent)) => parent.push_child(node),
                None => outline.push_child(node),
            }
        }
    };
    for entry in entries {
        while open.last().is_some_and(|(level, _)| *level >= entry.level) {
            close(&mut open, &mut outline);
        }
        let destination = XyzDestination::new(entry.page, Point::from_xy(0.0, entry.y));
        open.push((
            entry.level,
            OutlineNode::new(drawable(&entry.text), destination),
        ));
    }
    while !open.is_empty() {
        close(&mut open, &mut outline);
    }
    outline
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

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> Running {
        Running {
            title: "Test".into(),
            clinician: "Dr. Test".into(),
            client: "A client".into(),
        }
    }

    /// krilla's validators guard the tagging: a figure without words to say what it
    /// shows cannot be written, and the refusal is an `Internal` error in krilla's words.
    #[test]
    fn a_figure_without_alternative_text_is_refused() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"><rect x="0" y="0" width="100" height="50"/></svg>"#;
        let mut layout = Layout::new(Paper::A4);
        layout.title("A figure");
        layout.figure(svg, 0.5).unwrap();
        let error = layout.render(&running()).unwrap_err();
        let Error::Internal(Internal::Document { detail }) = &error else {
            panic!("{error:?}");
        };
        assert!(detail.contains("MissingAltText"), "{detail}");
        assert!(detail.contains("PDF/UA-1"), "{detail}");

        let titled = svg.replace("<rect", "<title>A black box</title><rect");
        let mut layout = Layout::new(Paper::A4);
        layout.title("A figure");
        layout.figure(&titled, 0.5).unwrap();
        assert!(layout.render(&running()).is_ok());
    }

    #[test]
    fn a_figure_is_described_by_its_own_title_and_description() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><title>Doses &amp; range</title><g/><desc>30 April: 100 mg.</desc></svg>"#;
        assert_eq!(figure_description(svg), "Doses & range. 30 April: 100 mg.");
        assert_eq!(figure_description("<svg/>"), "");
    }

    #[test]
    fn characters_the_fonts_cannot_draw_are_replaced_not_refused() {
        assert_eq!(
            drawable("calm 🙂\u{E000}\u{FEFF}é"),
            "calm \u{FFFD}\u{FFFD}\u{FFFD}é"
        );
        let mut layout = Layout::new(Paper::A4);
        layout.title("Notes 🙂");
        layout.paragraph("A note with an emoji 🙂 and a private character \u{E000}.");
        // A part's name in a chart, too.
        layout
            .figure(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\">\n\t<title>A part</title><text x=\"5\" y=\"20\">Little one 🙂</text></svg>",
                0.5,
            )
            .unwrap();
        assert!(layout.render(&running()).is_ok());
    }
}
