//! Parts work over time, derived from a client's record and its map history: the
//! versions a change writes, the map as it stood on any day, two days compared in
//! words, and one part's story across the course. Pure functions of a [`Client`]; the
//! vault stores the history (vault/map_history.rs) and wraps these one-to-one.
//!
//! A version holds the whole record as it was from its `at` on. Positions and folding
//! are layout, not history: they never make a version, and the map of any day carries
//! today's layout. A version counts on the date of its own timestamp (in its own
//! offset), so a day means what the clinician's clock said when the change was saved;
//! the map of a day replays the timeline up to its last version of that day or before.

use crate::records::{
    Agreement, Client, Date, Id, MapHistory, MapRecordKind, MapVersion, Part, PartGroup, PartRole,
    PartStatus, Relationship, RelationshipKind, Removal, SessionKind, Signal, Timestamp,
    UnburdeningStep, UnburdeningStepKind, VersionedRecord,
};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

// ----- the versions a change writes -----

/// A record the map history keeps.
trait Versioned: Clone + PartialEq {
    const KIND: MapRecordKind;
    fn id(&self) -> &str;
    /// The record without its layout (a part's position, a group's folding): what
    /// history compares.
    fn content(&self) -> Self {
        self.clone()
    }
    fn wrap(self) -> VersionedRecord;
}

impl Versioned for Part {
    const KIND: MapRecordKind = MapRecordKind::Part;
    fn id(&self) -> &str {
        &self.id
    }
    fn content(&self) -> Self {
        Part {
            position: None,
            ..self.clone()
        }
    }
    fn wrap(self) -> VersionedRecord {
        VersionedRecord::Part(self)
    }
}

impl Versioned for Relationship {
    const KIND: MapRecordKind = MapRecordKind::Relationship;
    fn id(&self) -> &str {
        &self.id
    }
    fn wrap(self) -> VersionedRecord {
        VersionedRecord::Relationship(self)
    }
}

impl Versioned for Agreement {
    const KIND: MapRecordKind = MapRecordKind::Agreement;
    fn id(&self) -> &str {
        &self.id
    }
    fn wrap(self) -> VersionedRecord {
        VersionedRecord::Agreement(self)
    }
}

impl Versioned for PartGroup {
    const KIND: MapRecordKind = MapRecordKind::Group;
    fn id(&self) -> &str {
        &self.id
    }
    fn content(&self) -> Self {
        PartGroup {
            folded: false,
            ..self.clone()
        }
    }
    fn wrap(self) -> VersionedRecord {
        VersionedRecord::Group(self)
    }
}

fn group_content(group: &PartGroup) -> PartGroup {
    group.content()
}

/// Appends a version of each record of `new` that is not in `old` or differs from it
/// beyond its layout, and a removal of each record of `old` gone from `new`.
fn diff_list<T: Versioned>(old: &[T], new: &[T], at: &Timestamp, out: &mut Vec<MapVersion>) {
    for record in new {
        match old.iter().find(|o| o.id() == record.id()) {
            Some(before) if before.content() == record.content() => {}
            _ => out.push(MapVersion {
                at: at.clone(),
                record: record.clone().wrap(),
            }),
        }
    }
    for gone in old.iter().filter(|o| !new.iter().any(|n| n.id() == o.id())) {
        out.push(MapVersion {
            at: at.clone(),
            record: VersionedRecord::Removed(Removal {
                kind: T::KIND,
                id: gone.id().to_owned(),
            }),
        });
    }
}

/// The versions that take the map of `old` to the map of `new`, all at `at`: a
/// moved part or a folded group makes none.
pub fn versions_between(old: &MapState, new: &MapState, at: &Timestamp) -> Vec<MapVersion> {
    let mut out = Vec::new();
    diff_list(&old.parts, &new.parts, at, &mut out);
    diff_list(&old.relationships, &new.relationships, at, &mut out);
    diff_list(&old.agreements, &new.agreements, at, &mut out);
    diff_list(&old.groups, &new.groups, at, &mut out);
    out
}

/// The versions a history starts with: every record of the map as it is, at `at`.
pub fn baseline(map: &MapState, at: &Timestamp) -> Vec<MapVersion> {
    versions_between(&MapState::default(), map, at)
}

// ----- replaying the history -----

/// The records of a parts map at some moment, in the order they first appeared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapState {
    pub parts: Vec<Part>,
    pub relationships: Vec<Relationship>,
    pub agreements: Vec<Agreement>,
    pub groups: Vec<PartGroup>,
}

impl MapState {
    /// Today's map of a client.
    pub fn of(client: &Client) -> MapState {
        MapState {
            parts: client.parts.clone(),
            relationships: client.relationships.clone(),
            agreements: client.agreements.clone(),
            groups: client.groups.clone(),
        }
    }

    fn apply(&mut self, version: &MapVersion) {
        fn put<T>(list: &mut Vec<T>, record: T, id: impl Fn(&T) -> &str) {
            match list.iter().position(|r| id(r) == id(&record)) {
                Some(i) => list[i] = record,
                None => list.push(record),
            }
        }
        match &version.record {
            VersionedRecord::Part(p) => put(&mut self.parts, p.clone(), |r| &r.id),
            VersionedRecord::Relationship(r) => put(&mut self.relationships, r.clone(), |r| &r.id),
            VersionedRecord::Agreement(a) => put(&mut self.agreements, a.clone(), |r| &r.id),
            VersionedRecord::Group(g) => put(&mut self.groups, g.clone(), |r| &r.id),
            VersionedRecord::Removed(Removal { kind, id }) => match kind {
                MapRecordKind::Part => self.parts.retain(|r| &r.id != id),
                MapRecordKind::Relationship => self.relationships.retain(|r| &r.id != id),
                MapRecordKind::Agreement => self.agreements.retain(|r| &r.id != id),
                MapRecordKind::Group => self.groups.retain(|r| &r.id != id),
            },
        }
    }

    /// The map after `versions`, applied in order: a prefix of a history (never a
    /// selection, which could apply a change without one made before it).
    pub fn replay(versions: &[MapVersion]) -> MapState {
        let mut state = MapState::default();
        for version in versions {
            state.apply(version);
        }
        state
    }
}

/// The date a version counts on: its own timestamp's date.
fn day_of(at: &Timestamp) -> Date {
    Date(at.local_date())
}

// ----- the map on a day -----

/// The parts map as it stood at the end of `date`, read-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MapOnDay {
    pub date: Date,
    pub history_since: Timestamp,
    /// True when `date` is before the history began: the lists are then empty, and
    /// the vault has no record of the map on that day.
    pub before_history: bool,
    pub parts: Vec<Part>,
    pub relationships: Vec<Relationship>,
    pub agreements: Vec<Agreement>,
    pub groups: Vec<PartGroup>,
}

/// When a client's history begins: its recorded start, or now for a client without
/// one (a vault whose upgrade did not run has no history of any day before today).
pub fn history_since(client: &Client) -> Timestamp {
    client
        .map_history
        .as_ref()
        .map_or_else(Timestamp::now, |h| h.since.clone())
}

/// The last position a part had: today's, or its last version's once it is gone.
fn last_positions(client: &Client) -> HashMap<&str, Option<crate::records::Position>> {
    let mut positions = HashMap::new();
    if let Some(history) = &client.map_history {
        for version in &history.versions {
            if let VersionedRecord::Part(p) = &version.record {
                positions.insert(p.id.as_str(), p.position);
            }
        }
    }
    for part in &client.parts {
        positions.insert(part.id.as_str(), part.position);
    }
    positions
}

/// The map as it stood at the end of `date` (see [`MapOnDay`]).
pub fn map_on(client: &Client, date: Date) -> MapOnDay {
    let since = history_since(client);
    let before_history = date < day_of(&since);
    let state = match (&client.map_history, before_history) {
        (_, true) => MapState::default(),
        // The timeline up to its last version dated on or before the day, and every
        // version saved before that one whatever its own date: versions are in time
        // order but their local dates need not be (saved under different offsets), and
        // a map made of a selection would be one the history never passed through.
        (Some(history), false) => {
            let end = history
                .versions
                .iter()
                .rposition(|v| day_of(&v.at) <= date)
                .map_or(0, |last| last + 1);
            MapState::replay(&history.versions[..end])
        }
        // No history at all: only today is known.
        (None, false) => MapState::of(client),
    };
    let positions = last_positions(client);
    let folded: HashMap<&str, bool> = client
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.folded))
        .collect();
    MapOnDay {
        date,
        history_since: since,
        before_history,
        parts: state
            .parts
            .into_iter()
            .map(|mut p| {
                p.position = positions.get(p.id.as_str()).copied().flatten();
                p
            })
            .collect(),
        relationships: state.relationships,
        agreements: state.agreements,
        groups: state
            .groups
            .into_iter()
            .map(|mut g| {
                if let Some(f) = folded.get(g.id.as_str()) {
                    g.folded = *f;
                }
                g
            })
            .collect(),
    }
}

// ----- two days compared -----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MapChangeKind {
    PartAdded,
    PartRemoved,
    PartChanged,
    RelationshipAdded,
    RelationshipRemoved,
    RelationshipChanged,
    GroupAdded,
    GroupRemoved,
    GroupChanged,
}

/// One difference between two days' maps, with one plain sentence saying it (the same
/// words in the app, for screen readers, and in documents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MapChange {
    pub kind: MapChangeKind,
    pub part: Option<Id>,
    pub relationship: Option<Id>,
    pub group: Option<Id>,
    pub words: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MapComparison {
    pub from: MapOnDay,
    pub to: MapOnDay,
    pub changes: Vec<MapChange>,
}

/// How a role reads in a sentence.
pub fn role_words(role: PartRole) -> &'static str {
    match role {
        PartRole::SelfEnergy => "Self",
        PartRole::Manager => "manager",
        PartRole::Firefighter => "firefighter",
        PartRole::Exile => "exile",
        PartRole::Unknown => "role not known",
    }
}

/// How a status reads in a sentence.
pub fn status_words(status: PartStatus) -> &'static str {
    match status {
        PartStatus::Unmet => "not yet met",
        PartStatus::GettingToKnow => "getting to know",
        PartStatus::Befriended => "befriended",
        PartStatus::Unburdened => "unburdened",
    }
}

pub fn step_kind_words(kind: UnburdeningStepKind) -> &'static str {
    match kind {
        UnburdeningStepKind::Witnessing => "witnessing",
        UnburdeningStepKind::Redo => "the redo",
        UnburdeningStepKind::Retrieval => "the retrieval",
        UnburdeningStepKind::Unburdening => "the unburdening",
        UnburdeningStepKind::Invitation => "the invitation",
        UnburdeningStepKind::ProtectorCheck => "the check with the protectors",
    }
}

fn element_words(element: crate::records::Element) -> &'static str {
    use crate::records::Element;
    match element {
        Element::Light => "light",
        Element::Water => "water",
        Element::Earth => "earth",
        Element::Fire => "fire",
        Element::Air => "air",
        Element::Other => "something else",
    }
}

fn signal_words(signal: Signal) -> &'static str {
    match signal {
        Signal::Green => "green (on board)",
        Signal::Yellow => "yellow (concerns)",
        Signal::Red => "red (does not consent)",
    }
}

fn session_kind_words(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Consultation => "consultation",
        SessionKind::Preparation => "preparation session",
        SessionKind::Dosing => "dosing session",
        SessionKind::Integration => "integration session",
        SessionKind::Therapy => "therapy session",
    }
}

/// Part names for sentences: the newer map's name first, then the older one's, then
/// the last name the history knew.
struct Names<'a> {
    maps: Vec<&'a [Part]>,
    history: HashMap<&'a str, &'a str>,
}

impl<'a> Names<'a> {
    fn new(maps: Vec<&'a [Part]>, client: &'a Client) -> Names<'a> {
        let mut history = HashMap::new();
        if let Some(h) = &client.map_history {
            for version in &h.versions {
                if let VersionedRecord::Part(p) = &version.record {
                    history.insert(p.id.as_str(), p.name.as_str());
                }
            }
        }
        for part in &client.parts {
            history.insert(part.id.as_str(), part.name.as_str());
        }
        Names { maps, history }
    }

    fn of(&self, id: &str) -> String {
        self.maps
            .iter()
            .find_map(|parts| parts.iter().find(|p| p.id == id))
            .map(|p| p.name.as_str())
            .or_else(|| self.history.get(id).copied())
            .unwrap_or("a part no longer on the map")
            .to_owned()
    }
}

/// "Planner protects Little One", "Planner and Critic are polarized".
fn relationship_phrase(r: &Relationship, names: &Names<'_>, now: &str) -> String {
    let (from, to) = (names.of(&r.from_part), names.of(&r.to_part));
    match r.kind {
        RelationshipKind::Protects => format!("{from} {now}protects {to}"),
        RelationshipKind::Polarized => format!("{from} and {to} are {now}polarized"),
        RelationshipKind::Allied => format!("{from} and {to} are {now}allied"),
        RelationshipKind::Blended => format!("{from} is {now}blended with {to}"),
    }
}

fn kind_words(kind: RelationshipKind) -> &'static str {
    match kind {
        RelationshipKind::Protects => "protects",
        RelationshipKind::Polarized => "polarized",
        RelationshipKind::Allied => "allied",
        RelationshipKind::Blended => "blended",
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// What changed in a part, as clauses ("status getting to know → unburdened").
fn part_clauses(from: &Part, to: &Part) -> Vec<String> {
    let mut clauses = Vec::new();
    if from.name != to.name {
        clauses.push(format!("renamed from “{}”", from.name));
    }
    if from.role != to.role {
        clauses.push(format!(
            "role {} → {}",
            role_words(from.role),
            role_words(to.role)
        ));
    }
    if from.status != to.status {
        clauses.push(format!(
            "status {} → {}",
            status_words(from.status),
            status_words(to.status)
        ));
    }
    let had =
        |step: &UnburdeningStep, list: &[UnburdeningStep]| list.iter().any(|s| s.id == step.id);
    let added = to
        .unburdening
        .iter()
        .filter(|s| !had(s, &from.unburdening))
        .count();
    let removed = from
        .unburdening
        .iter()
        .filter(|s| !had(s, &to.unburdening))
        .count();
    if added > 0 {
        clauses.push(format!(
            "{} recorded",
            count(added, "unburdening step", "unburdening steps")
        ));
    }
    if removed > 0 {
        clauses.push(format!(
            "{} removed",
            count(removed, "unburdening step", "unburdening steps")
        ));
    }
    let rest = |p: &Part| Part {
        name: String::new(),
        role: PartRole::Unknown,
        status: PartStatus::Unmet,
        position: None,
        unburdening: p
            .unburdening
            .iter()
            .filter(|s| had(s, &from.unburdening) && had(s, &to.unburdening))
            .cloned()
            .collect(),
        ..p.clone()
    };
    if rest(from) != rest(to) {
        clauses.push("details edited".into());
    }
    clauses
}

/// The differences between the maps of two days, in words.
pub fn compare_maps(client: &Client, from: Date, to: Date) -> MapComparison {
    let (from, to) = (map_on(client, from), map_on(client, to));
    let names = Names::new(vec![&to.parts, &from.parts], client);
    let mut changes = Vec::new();
    let change =
        |kind, part: Option<&str>, relationship: Option<&str>, group: Option<&str>, words| {
            MapChange {
                kind,
                part: part.map(str::to_owned),
                relationship: relationship.map(str::to_owned),
                group: group.map(str::to_owned),
                words,
            }
        };
    for part in &to.parts {
        match from.parts.iter().find(|p| p.id == part.id) {
            None => changes.push(change(
                MapChangeKind::PartAdded,
                Some(&part.id),
                None,
                None,
                format!("{} ({}) was added.", part.name, role_words(part.role)),
            )),
            Some(before) => {
                let clauses = part_clauses(before, part);
                if !clauses.is_empty() {
                    changes.push(change(
                        MapChangeKind::PartChanged,
                        Some(&part.id),
                        None,
                        None,
                        format!(
                            "{} ({}): {}.",
                            part.name,
                            role_words(part.role),
                            clauses.join("; ")
                        ),
                    ));
                }
            }
        }
    }
    for part in from
        .parts
        .iter()
        .filter(|p| !to.parts.iter().any(|n| n.id == p.id))
    {
        changes.push(change(
            MapChangeKind::PartRemoved,
            Some(&part.id),
            None,
            None,
            format!("{} ({}) was removed.", part.name, role_words(part.role)),
        ));
    }
    for r in &to.relationships {
        match from.relationships.iter().find(|o| o.id == r.id) {
            None => changes.push(change(
                MapChangeKind::RelationshipAdded,
                None,
                Some(&r.id),
                None,
                format!("{}.", relationship_phrase(r, &names, "now ")),
            )),
            Some(before) if before != r => {
                let words = if before.kind != r.kind
                    && before.from_part == r.from_part
                    && before.to_part == r.to_part
                {
                    format!(
                        "{} and {}: {} → {}.",
                        names.of(&r.from_part),
                        names.of(&r.to_part),
                        kind_words(before.kind),
                        kind_words(r.kind)
                    )
                } else if before.kind == r.kind
                    && before.from_part == r.from_part
                    && before.to_part == r.to_part
                {
                    format!(
                        "{}: its note was edited.",
                        relationship_phrase(r, &names, "")
                    )
                } else {
                    format!(
                        "{}, where before {}.",
                        relationship_phrase(r, &names, "now "),
                        relationship_phrase(before, &names, "")
                    )
                };
                changes.push(change(
                    MapChangeKind::RelationshipChanged,
                    None,
                    Some(&r.id),
                    None,
                    words,
                ));
            }
            Some(_) => {}
        }
    }
    for r in from
        .relationships
        .iter()
        .filter(|o| !to.relationships.iter().any(|n| n.id == o.id))
    {
        changes.push(change(
            MapChangeKind::RelationshipRemoved,
            None,
            Some(&r.id),
            None,
            format!("{}.", relationship_phrase(r, &names, "no longer ")),
        ));
    }
    for g in &to.groups {
        match from.groups.iter().find(|o| o.id == g.id) {
            None => changes.push(change(
                MapChangeKind::GroupAdded,
                None,
                None,
                Some(&g.id),
                format!(
                    "New group “{}” with {}.",
                    g.name,
                    count(g.parts.len(), "part", "parts")
                ),
            )),
            Some(before) if group_content(before) != group_content(g) => {
                let mut clauses = Vec::new();
                if before.name != g.name {
                    clauses.push(format!("renamed from “{}”", before.name));
                }
                let joined: Vec<String> = g
                    .parts
                    .iter()
                    .filter(|p| !before.parts.contains(p))
                    .map(|p| names.of(p))
                    .collect();
                let left: Vec<String> = before
                    .parts
                    .iter()
                    .filter(|p| !g.parts.contains(p))
                    .map(|p| names.of(p))
                    .collect();
                if !joined.is_empty() {
                    clauses.push(format!("{} joined", joined.join(", ")));
                }
                if !left.is_empty() {
                    clauses.push(format!("{} left", left.join(", ")));
                }
                if clauses.is_empty() {
                    clauses.push("its parts were reordered".into());
                }
                changes.push(change(
                    MapChangeKind::GroupChanged,
                    None,
                    None,
                    Some(&g.id),
                    format!("Group “{}”: {}.", g.name, clauses.join("; ")),
                ));
            }
            Some(_) => {}
        }
    }
    for g in from
        .groups
        .iter()
        .filter(|o| !to.groups.iter().any(|n| n.id == o.id))
    {
        changes.push(change(
            MapChangeKind::GroupRemoved,
            None,
            None,
            Some(&g.id),
            format!("The group “{}” was removed.", g.name),
        ));
    }
    MapComparison { from, to, changes }
}

// ----- a part's story -----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StoryKind {
    CheckIn,
    Journey,
    Integration,
    Intention,
    Agreement,
    UnburdeningStep,
    FirstRecorded,
    Renamed,
    RoleChanged,
    StatusChanged,
    RelationshipGained,
    RelationshipLost,
    GroupChanged,
}

/// One moment of a part's story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct StoryEntry {
    pub on: Date,
    pub kind: StoryKind,
    pub session: Option<Id>,
    pub session_kind: Option<SessionKind>,
    pub agreement: Option<Id>,
    pub signal: Option<Signal>,
    pub words: String,
}

/// A part's story across the course, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PartStory {
    pub part: Part,
    pub client_id: Id,
    pub history_since: Option<Timestamp>,
    pub entries: Vec<StoryEntry>,
}

/// An entry with the instant it sorts by (finer than its date).
struct Dated {
    instant: DateTime<FixedOffset>,
    entry: StoryEntry,
}

fn midnight(date: Date) -> DateTime<FixedOffset> {
    date.0
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().fixed_offset())
        .unwrap_or_default()
}

fn entry(on: Date, kind: StoryKind, words: String) -> StoryEntry {
    StoryEntry {
        on,
        kind,
        session: None,
        session_kind: None,
        agreement: None,
        signal: None,
        words,
    }
}

/// "Protects Little One." from the part's side of a relationship.
fn relationship_from_side(r: &Relationship, part: &str, names: &Names<'_>, lost: bool) -> String {
    let other = if r.from_part == part {
        names.of(&r.to_part)
    } else {
        names.of(&r.from_part)
    };
    let phrase = match r.kind {
        RelationshipKind::Protects if r.from_part == part => format!("protects {other}"),
        RelationshipKind::Protects => format!("protected by {other}"),
        RelationshipKind::Polarized => format!("polarized with {other}"),
        RelationshipKind::Allied => format!("allied with {other}"),
        RelationshipKind::Blended => format!("blended with {other}"),
    };
    if lost {
        format!("No longer {phrase}.")
    } else {
        let mut words = phrase;
        if let Some(first) = words.get(..1) {
            words = format!("{}{}", first.to_uppercase(), &words[1..]);
        }
        format!("{words}.")
    }
}

/// The clinician's words inside a sentence: quoted, without a closing full stop.
fn quoted(text: &str) -> String {
    format!("“{}”", text.trim().trim_end_matches('.'))
}

fn step_words(step: &UnburdeningStep) -> String {
    let kind = step_kind_words(step.kind);
    let mut words = match kind.get(..1) {
        Some(first) => format!("{}{}", first.to_uppercase(), &kind[1..]),
        None => String::new(),
    };
    let released = step.released.as_deref().filter(|t| !t.trim().is_empty());
    match (released, step.released_to) {
        (Some(what), Some(to)) => words.push_str(&format!(
            ": released {} to {}",
            quoted(what),
            element_words(to)
        )),
        (Some(what), None) => words.push_str(&format!(": released {}", quoted(what))),
        (None, Some(to)) => words.push_str(&format!(": released to {}", element_words(to))),
        (None, None) => {}
    }
    if let Some(qualities) = step.qualities.as_deref().filter(|t| !t.trim().is_empty()) {
        words.push_str(&format!(": took in {}", quoted(qualities)));
    }
    words.push('.');
    if !step.note.trim().is_empty() {
        words.push_str(&format!(" {}", step.note.trim()));
    }
    words
}

/// The story of the part `part_id` of `client`, newest first; `None` when the client
/// has no such part.
pub fn part_story(client: &Client, part_id: &str) -> Option<PartStory> {
    let part = client.part(part_id)?.clone();
    let names = Names::new(vec![&client.parts], client);
    let mut dated: Vec<Dated> = Vec::new();
    let mut push =
        |instant: DateTime<FixedOffset>, entry: StoryEntry| dated.push(Dated { instant, entry });
    for session in &client.sessions {
        let on = day_of(&session.starts_at);
        let instant = session.starts_at.instant();
        let of_session = |kind: StoryKind, words: String| StoryEntry {
            session: Some(session.id.clone()),
            session_kind: Some(session.kind),
            ..entry(on, kind, words)
        };
        let where_ = session_kind_words(session.kind);
        if let Some(checkin) = &session.checkin
            && let Some(response) = checkin.responses.iter().find(|r| r.part == part_id)
        {
            let mut words = format!(
                "Answered the check-in of the {where_}: {}.",
                signal_words(response.signal)
            );
            if !response.concerns.trim().is_empty() {
                words.push_str(&format!(" Concerns: {}", response.concerns.trim()));
            }
            if !response.requests.trim().is_empty() {
                words.push_str(&format!(" Requests: {}", response.requests.trim()));
            }
            push(
                instant,
                StoryEntry {
                    signal: Some(response.signal),
                    ..of_session(StoryKind::CheckIn, words)
                },
            );
        }
        if let Some(observations) = &session.observations
            && observations.parts_present.iter().any(|p| p == part_id)
        {
            push(
                instant,
                of_session(
                    StoryKind::Journey,
                    format!("Present during the journey of the {where_}."),
                ),
            );
        }
        if let Some(integration) = &session.integration
            && integration.parts_encountered.iter().any(|p| p == part_id)
        {
            push(
                instant,
                of_session(
                    StoryKind::Integration,
                    format!("Encountered in integration ({where_})."),
                ),
            );
        }
        for intention in session
            .intentions
            .iter()
            .filter(|i| i.part.as_deref() == Some(part_id))
        {
            push(
                instant,
                of_session(
                    StoryKind::Intention,
                    format!("Tied to an intention: {}.", quoted(&intention.text)),
                ),
            );
        }
    }
    for agreement in client
        .agreements
        .iter()
        .filter(|a| a.parts.iter().any(|p| p == part_id))
    {
        push(
            midnight(agreement.made_on),
            StoryEntry {
                agreement: Some(agreement.id.clone()),
                ..entry(
                    agreement.made_on,
                    StoryKind::Agreement,
                    format!("In an agreement: {}.", quoted(&agreement.text)),
                )
            },
        );
    }
    for step in &part.unburdening {
        let session = client.session(&step.session);
        push(
            session.map_or_else(|| midnight(step.on), |s| s.starts_at.instant()),
            StoryEntry {
                session: Some(step.session.clone()),
                session_kind: session.map(|s| s.kind),
                ..entry(step.on, StoryKind::UnburdeningStep, step_words(step))
            },
        );
    }
    if let Some(history) = &client.map_history {
        let mut state = MapState::default();
        let mut seen = false;
        for version in &history.versions {
            let on = day_of(&version.at);
            let instant = version.at.instant();
            match &version.record {
                VersionedRecord::Part(p) if p.id == part_id => {
                    match state.parts.iter().find(|o| o.id == part_id) {
                        None if !seen => {
                            let words = if version.at.instant() == history.since.instant() {
                                format!(
                                    "On the map as {} when its history began.",
                                    role_words(p.role)
                                )
                            } else {
                                format!("First recorded on the map, as {}.", role_words(p.role))
                            };
                            push(instant, entry(on, StoryKind::FirstRecorded, words));
                        }
                        None => push(
                            instant,
                            entry(on, StoryKind::FirstRecorded, "Back on the map.".into()),
                        ),
                        Some(before) => {
                            if before.name != p.name {
                                push(
                                    instant,
                                    entry(
                                        on,
                                        StoryKind::Renamed,
                                        format!("Renamed from “{}” to “{}”.", before.name, p.name),
                                    ),
                                );
                            }
                            if before.role != p.role {
                                push(
                                    instant,
                                    entry(
                                        on,
                                        StoryKind::RoleChanged,
                                        format!(
                                            "Role {} → {}.",
                                            role_words(before.role),
                                            role_words(p.role)
                                        ),
                                    ),
                                );
                            }
                            if before.status != p.status {
                                push(
                                    instant,
                                    entry(
                                        on,
                                        StoryKind::StatusChanged,
                                        format!(
                                            "Status {} → {}.",
                                            status_words(before.status),
                                            status_words(p.status)
                                        ),
                                    ),
                                );
                            }
                        }
                    }
                    seen = true;
                }
                VersionedRecord::Relationship(r)
                    if r.from_part == part_id || r.to_part == part_id =>
                {
                    let before = state.relationships.iter().find(|o| o.id == r.id);
                    let same_meaning = before.is_some_and(|b| {
                        b.kind == r.kind && b.from_part == r.from_part && b.to_part == r.to_part
                    });
                    if !same_meaning {
                        if let Some(before) = before {
                            push(
                                instant,
                                entry(
                                    on,
                                    StoryKind::RelationshipLost,
                                    relationship_from_side(before, part_id, &names, true),
                                ),
                            );
                        }
                        push(
                            instant,
                            entry(
                                on,
                                StoryKind::RelationshipGained,
                                relationship_from_side(r, part_id, &names, false),
                            ),
                        );
                    }
                }
                VersionedRecord::Relationship(r) => {
                    // Moved away from this part: lost.
                    if let Some(before) = state
                        .relationships
                        .iter()
                        .find(|o| o.id == r.id && (o.from_part == part_id || o.to_part == part_id))
                    {
                        push(
                            instant,
                            entry(
                                on,
                                StoryKind::RelationshipLost,
                                relationship_from_side(before, part_id, &names, true),
                            ),
                        );
                    }
                }
                VersionedRecord::Removed(Removal {
                    kind: MapRecordKind::Relationship,
                    id,
                }) => {
                    if let Some(before) = state
                        .relationships
                        .iter()
                        .find(|o| &o.id == id && (o.from_part == part_id || o.to_part == part_id))
                    {
                        push(
                            instant,
                            entry(
                                on,
                                StoryKind::RelationshipLost,
                                relationship_from_side(before, part_id, &names, true),
                            ),
                        );
                    }
                }
                VersionedRecord::Group(g) => {
                    let before = state.groups.iter().find(|o| o.id == g.id);
                    let was_in = before.is_some_and(|b| b.parts.iter().any(|p| p == part_id));
                    let is_in = g.parts.iter().any(|p| p == part_id);
                    if is_in && !was_in {
                        push(
                            instant,
                            entry(
                                on,
                                StoryKind::GroupChanged,
                                format!("Joined the group “{}”.", g.name),
                            ),
                        );
                    } else if was_in && !is_in {
                        push(
                            instant,
                            entry(
                                on,
                                StoryKind::GroupChanged,
                                format!("Left the group “{}”.", g.name),
                            ),
                        );
                    }
                }
                VersionedRecord::Removed(Removal {
                    kind: MapRecordKind::Group,
                    id,
                }) => {
                    if let Some(before) = state
                        .groups
                        .iter()
                        .find(|o| &o.id == id && o.parts.iter().any(|p| p == part_id))
                    {
                        push(
                            instant,
                            entry(
                                on,
                                StoryKind::GroupChanged,
                                format!("Left the group “{}”, which was removed.", before.name),
                            ),
                        );
                    }
                }
                _ => {}
            }
            state.apply(version);
        }
    }
    // Newest first; entries of one moment keep the order they were found in.
    dated.sort_by(|a, b| {
        b.entry
            .on
            .cmp(&a.entry.on)
            .then_with(|| b.instant.cmp(&a.instant))
    });
    Some(PartStory {
        part,
        client_id: client.id().to_owned(),
        history_since: client.map_history.as_ref().map(|h| h.since.clone()),
        entries: dated.into_iter().map(|d| d.entry).collect(),
    })
}

/// The differences between where a history leaves the map and the map itself (an
/// imported history that does not end where its document's map is), as versions at
/// `at`.
pub fn catch_up(history: &MapHistory, map: &MapState, at: &Timestamp) -> Vec<MapVersion> {
    versions_between(&MapState::replay(&history.versions), map, at)
}
