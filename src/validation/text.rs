//! The rule for the characters a stored text may hold, and the escaping the command
//! line uses to print stored text (docs/INTERCHANGE.md, "Characters refused in text").
//!
//! Control characters and the invisible characters that override the direction of
//! text are refused in every new or changed value: a name once set a terminal's title
//! when printed, and a direction override can make a clinical note read otherwise than
//! it is stored. A newline or tab is allowed only in the free-text fields listed in
//! [`MULTI_LINE_FIELDS`]. `\r\n` is stored as `\n`.
//!
//! Only what changes is checked, so a value stored by an older version stays editable:
//! a string equal to the stored one at the same place passes as it is.

use crate::error::{Error, Internal, Result};
use crate::records::{Client, Clinician};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// The fields of a client's record that may hold several lines: every field of the
/// schema's `text` type. Paths are relative to the client; `*` stands for any array
/// index. The clinician's details are all single-line. docs/INTERCHANGE.md lists the
/// same paths (a test compares the two, and this list with the schema).
pub const MULTI_LINE_FIELDS: &[&str] = &[
    "/notes",
    "/screening/notes",
    "/screening/contraindications/*/note",
    "/screening/medications",
    "/screening/allergies",
    "/parts/*/description",
    "/parts/*/fears",
    "/parts/*/positive_intent",
    "/parts/*/burdens",
    "/parts/*/unburdening/*/note",
    "/parts/*/unburdening/*/released",
    "/parts/*/unburdening/*/qualities",
    "/relationships/*/note",
    "/agreements/*/text",
    "/sessions/*/note",
    "/sessions/*/addenda/*/text",
    "/sessions/*/sections/*/text",
    "/sessions/*/intentions/*/text",
    "/sessions/*/safety_plan",
    "/sessions/*/checkin/responses/*/concerns",
    "/sessions/*/checkin/responses/*/requests",
    "/sessions/*/checkin/decision_note",
    "/sessions/*/observations/notes",
    "/sessions/*/observations/timeline/*/text",
    "/sessions/*/integration/insights",
    "/sessions/*/integration/messages",
    "/sessions/*/integration/intention_reflections/*/reflection",
    "/sessions/*/integration/commitments",
    "/sessions/*/pre_dose/notes",
    "/sessions/*/monitoring/*/note",
    "/sessions/*/discharge/notes",
    "/measures/*/safety_follow_up/note",
    "/acknowledgements/*/reason",
    "/amendment_requests/*/requested_change",
    "/amendment_requests/*/extension/reason",
    "/amendment_requests/*/decision/basis",
    "/amendment_requests/*/decision/statement_of_disagreement",
    "/amendment_requests/*/decision/rebuttal",
    "/map_history/versions/*/part/description",
    "/map_history/versions/*/part/fears",
    "/map_history/versions/*/part/positive_intent",
    "/map_history/versions/*/part/burdens",
    "/map_history/versions/*/part/unburdening/*/note",
    "/map_history/versions/*/part/unburdening/*/released",
    "/map_history/versions/*/part/unburdening/*/qualities",
    "/map_history/versions/*/relationship/note",
    "/map_history/versions/*/agreement/text",
];

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// A C0 or C1 control character or DEL (Unicode category Cc), other than an
    /// allowed newline or tab.
    ControlCharacter,
    /// A newline or tab in a single-line field.
    LineBreakInOneLineField,
    /// U+202A–U+202E or U+2066–U+2069: embeddings, overrides and isolates.
    DirectionOverride,
}

impl Forbidden {
    /// The rule, worded for the clinician; the error adds the path and never the value.
    pub fn rule(self) -> &'static str {
        match self {
            Forbidden::ControlCharacter => {
                "it contains an invisible control character (such as one pasted from another program); remove it and try again"
            }
            Forbidden::LineBreakInOneLineField => {
                "this field holds a single line, so it cannot contain a line break or a tab; remove it and try again"
            }
            Forbidden::DirectionOverride => {
                "it contains an invisible character that reverses the direction of the text around it (such as one pasted from another program), which can disguise what the text says; remove it and try again"
            }
        }
    }
}

fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first reason `text` may not be stored in a field (`multi_line`: one of
/// [`MULTI_LINE_FIELDS`]), or `None` when it may. `\r\n` must already be `\n`.
pub fn first_forbidden(text: &str, multi_line: bool) -> Option<Forbidden> {
    text.chars().find_map(|c| match c {
        '\n' | '\t' if multi_line => None,
        '\n' | '\t' => Some(Forbidden::LineBreakInOneLineField),
        c if c.is_control() => Some(Forbidden::ControlCharacter),
        c if is_direction_override(c) => Some(Forbidden::DirectionOverride),
        _ => None,
    })
}

/// `\r\n` as `\n`; a lone `\r` stays (and is refused).
pub fn normalise_line_breaks(text: &str) -> Cow<'_, str> {
    if text.contains("\r\n") {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Stored text made safe to print on a terminal: each control character (newlines and
/// tabs included, so one value stays on one line) and direction override is written
/// as a visible escape such as `\u{1b}`. Everything the command line prints from the
/// vault goes through here.
pub fn escape_for_terminal(text: &str) -> Cow<'_, str> {
    let needs_escape = |c: char| c.is_control() || is_direction_override(c);
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Which kind of record a value is, for which of its fields are multi-line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKind {
    Client,
    Clinician,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'v> {
    Key(&'v str),
    Index(usize),
}

fn pointer(segments: &[Segment<'_>]) -> String {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(index) => format!("/{index}"),
        })
        .collect()
}

fn is_multi_line(kind: RecordKind, segments: &[Segment<'_>]) -> bool {
    kind == RecordKind::Client
        && MULTI_LINE_FIELDS.iter().any(|field| {
            let mut pattern = field.split('/').skip(1);
            segments
                .iter()
                .all(|segment| match (pattern.next(), segment) {
                    (Some("*"), Segment::Index(_)) => true,
                    (Some(name), Segment::Key(key)) => name == *key,
                    _ => false,
                })
                && pattern.next().is_none()
        })
}

/// The record id of an array element, when it is a record: array elements are matched
/// with their stored counterpart by id, so adding or reordering records does not make
/// the records after them count as changed.
fn record_id(value: &Value) -> Option<&str> {
    value.get("id").and_then(Value::as_str)
}

struct Walk<'v> {
    kind: RecordKind,
    segments: Vec<Segment<'v>>,
    /// Relative pointers of changed strings that held `\r\n`, with their normal form.
    normalised: Vec<(String, String)>,
}

impl<'v> Walk<'v> {
    fn walk(&mut self, new: &'v Value, stored: Option<&'v Value>) -> Result<(), Forbidden> {
        match new {
            Value::String(text) => {
                if matches!(stored, Some(Value::String(old)) if old == text) {
                    return Ok(());
                }
                let text = normalise_line_breaks(text);
                let multi_line =
                    text.contains(['\n', '\t']) && is_multi_line(self.kind, &self.segments);
                if let Some(problem) = first_forbidden(&text, multi_line) {
                    return Err(problem);
                }
                if let Cow::Owned(text) = text {
                    self.normalised.push((pointer(&self.segments), text));
                }
            }
            Value::Array(items) => {
                let stored_items = stored.and_then(Value::as_array);
                let by_id: HashMap<&str, &Value> = stored_items
                    .into_iter()
                    .flatten()
                    .filter_map(|item| Some((record_id(item)?, item)))
                    .collect();
                for (index, item) in items.iter().enumerate() {
                    let counterpart = match record_id(item) {
                        Some(id) => by_id.get(id).copied(),
                        None => stored_items.and_then(|s| s.get(index)),
                    };
                    self.segments.push(Segment::Index(index));
                    self.walk(item, counterpart)?;
                    self.segments.pop();
                }
            }
            Value::Object(fields) => {
                for (key, value) in fields {
                    self.segments.push(Segment::Key(key));
                    self.walk(value, stored.and_then(|s| s.get(key)))?;
                    self.segments.pop();
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
        Ok(())
    }
}

/// Checks every string in `new` that differs from the one at the same place in
/// `stored` (every string when there is nothing stored), and stores `\r\n` as `\n` in
/// those. `base` is the record's path in what the clinician sent, for the error.
/// Returns whether any string was normalised.
pub(crate) fn check_changed_text(
    new: &mut Value,
    stored: Option<&Value>,
    kind: RecordKind,
    base: &str,
) -> Result<bool> {
    if !rule_applies() {
        return Ok(false);
    }
    let mut walk = Walk {
        kind,
        segments: Vec::new(),
        normalised: Vec::new(),
    };
    if let Err(problem) = walk.walk(new, stored) {
        let at = format!("{base}{}", pointer(&walk.segments));
        return Err(Error::rejected(at, problem.rule()));
    }
    let Walk { normalised, .. } = walk;
    let changed = !normalised.is_empty();
    for (at, text) in normalised {
        if let Some(slot) = new.pointer_mut(&at) {
            *slot = Value::String(text);
        }
    }
    Ok(changed)
}

fn as_value(record: &impl Serialize) -> Result<Value> {
    serde_json::to_value(record)
        .map_err(|_| Error::Internal(Internal::Encoding { what: "the record" }))
}

/// The text rule for a change to a client's record (`stored`: the record before the
/// change; `None` for a new client). Paths are relative to the client.
pub(crate) fn check_changed_client(new: &mut Client, stored: Option<&Client>) -> Result<()> {
    if !rule_applies() {
        return Ok(());
    }
    let mut value = as_value(new)?;
    let stored = stored.map(as_value).transpose()?;
    if check_changed_text(&mut value, stored.as_ref(), RecordKind::Client, "")? {
        *new =
            serde_json::from_value(value).map_err(|_| Internal::Encoding { what: "the record" })?;
    }
    Ok(())
}

/// The text rule for new clinician's details. Every field is single-line, so there is
/// nothing to normalise: `\r\n` is refused like any line break.
pub(crate) fn check_changed_clinician(new: &Clinician, stored: Option<&Clinician>) -> Result<()> {
    let mut value = as_value(new)?;
    let stored = stored.map(as_value).transpose()?;
    check_changed_text(
        &mut value,
        stored.as_ref(),
        RecordKind::Clinician,
        "/clinician",
    )?;
    Ok(())
}

#[cfg(any(test, feature = "test-support"))]
thread_local! {
    static OLDER_VERSION: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` as a kapnotes from before this rule would have: the text rule is skipped,
/// so tests can store the values older versions let in. Only in test builds.
#[cfg(any(test, feature = "test-support"))]
pub fn as_an_older_version_for_tests<T>(f: impl FnOnce() -> T) -> T {
    OLDER_VERSION.with(|older| older.set(true));
    let out = f();
    OLDER_VERSION.with(|older| older.set(false));
    out
}

fn rule_applies() -> bool {
    #[cfg(any(test, feature = "test-support"))]
    if OLDER_VERSION.with(std::cell::Cell::get) {
        return false;
    }
    true
}
