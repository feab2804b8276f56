//! The clinical records, typed. Field names and shapes follow the interchange format
//! (docs/kapnotes-interchange-v1.schema.json), so one model serves storage, the API and
//! import/export. Every field is always serialized, which is what makes an export
//! canonical: defaults written out, `null` for absent values, `""` and `[]` for empty.

mod attachment;
mod templates;
mod values;

pub use attachment::{Attachment, AttachmentKind, MAX_ATTACHMENT_BYTES, MediaType};
pub use templates::{
    BIRP, DAP, KAP_DOSING, KAP_INTEGRATION, KAP_PREPARATION, NoteTemplate, NoteTemplates, SOAP,
    TemplateDefault, TemplateSection,
};
pub use values::{Date, Id, Number, Timestamp, ValueError, is_valid_id, new_id};

use serde::{Deserialize, Serialize};

/// Whose records these are: printed on every document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Clinician {
    pub name: String,
    #[serde(default)]
    pub credentials: Option<String>,
    #[serde(default)]
    pub license_number: Option<String>,
    #[serde(default)]
    pub practice: Option<String>,
}

/// A client's own details: everything about a client except the records that hang
/// off it (parts, sessions…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ClientProfile {
    pub id: Id,
    /// What lists show: initials or a pseudonym.
    pub display_name: String,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<Date>,
    #[serde(default)]
    pub pronouns: Option<String>,
    #[serde(default)]
    pub notes: String,
    pub created_at: Timestamp,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub prescriber: Option<Prescriber>,
    #[serde(default)]
    pub screening: Option<Screening>,
    #[serde(default)]
    pub planned_dosing_sessions: Option<u32>,
    #[serde(default)]
    pub consent_signed_on: Option<Date>,
}

impl ClientProfile {
    /// A new client with only a display name, created now.
    pub fn new(display_name: impl Into<String>) -> Self {
        ClientProfile {
            id: new_id(),
            display_name: display_name.into(),
            full_name: None,
            date_of_birth: None,
            pronouns: None,
            notes: String::new(),
            created_at: Timestamp::now(),
            archived: false,
            prescriber: None,
            screening: None,
            planned_dosing_sessions: None,
            consent_signed_on: None,
        }
    }
}

/// A client with every record that belongs to them: the unit of import, export and
/// of "read one client's whole record".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Client {
    #[serde(flatten)]
    pub profile: ClientProfile,
    pub parts: Vec<Part>,
    pub relationships: Vec<Relationship>,
    pub agreements: Vec<Agreement>,
    pub sessions: Vec<Session>,
    pub measures: Vec<Measure>,
    /// Named clusters of parts (added after v1: exported only when there is one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<PartGroup>,
    /// How the parts map changed over time. The vault derives it from every change and
    /// never takes it from a caller; an export carries it only when it holds a change
    /// after its start (see docs/INTERCHANGE.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub map_history: Option<MapHistory>,
    /// Warnings and notes the clinician acknowledged, with why (added after v1:
    /// exported only when there is one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledgements: Vec<Acknowledgement>,
    /// The client's requests to amend their record (HIPAA 45 CFR 164.526; added after
    /// v1: exported only when there is one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendment_requests: Vec<AmendmentRequest>,
}

impl Client {
    /// A client with only a profile: no parts, sessions or history yet.
    pub fn new(profile: ClientProfile) -> Self {
        Client {
            profile,
            parts: Vec::new(),
            relationships: Vec::new(),
            agreements: Vec::new(),
            sessions: Vec::new(),
            measures: Vec::new(),
            groups: Vec::new(),
            map_history: None,
            acknowledgements: Vec::new(),
            amendment_requests: Vec::new(),
        }
    }

    pub fn id(&self) -> &str {
        &self.profile.id
    }

    pub fn part(&self, id: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.id == id)
    }

    pub fn session(&self, id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Puts the records in the canonical order: sessions by start then id, measures by
    /// date then id. Parts, relationships and agreements keep their creation order.
    pub fn sort_canonically(&mut self) {
        self.sessions
            .sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then_with(|| a.id.cmp(&b.id)));
        self.measures
            .sort_by(|a, b| a.taken_on.cmp(&b.taken_on).then_with(|| a.id.cmp(&b.id)));
    }
}

/// How ketamine is given; sublingual is the route of KAP as the source texts describe
/// it, so a new prescription starts there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Route {
    #[default]
    Sublingual,
    Oral,
    Intramuscular,
    Intravenous,
    Intranasal,
}

/// The prescriber's allowed dose range; the therapist only records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Prescriber {
    pub name: String,
    #[serde(default)]
    pub organization: Option<String>,
    pub dose_min_mg: Number,
    pub dose_max_mg: Number,
    pub route: Route,
    #[serde(default)]
    pub prescribed_on: Option<Date>,
    #[serde(default)]
    pub next_medical_follow_up: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Screening {
    pub screened_on: Date,
    #[serde(default)]
    pub mid_completed: bool,
    #[serde(default)]
    pub notes: String,
    pub contraindications: Vec<Contraindication>,
    #[serde(default)]
    pub medications: String,
    #[serde(default)]
    pub allergies: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ContraindicationKind {
    Maoi,
    HighDoseBenzodiazepine,
    PsychosisHistory,
    ManiaHistory,
    UncontrolledHypertension,
    CardiacCondition,
    Pregnancy,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Contraindication {
    pub kind: ContraindicationKind,
    pub present: bool,
    #[serde(default)]
    pub note: String,
    /// Since when this answer holds (from always when `None`).
    #[serde(default)]
    pub noted_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PartRole {
    #[serde(rename = "self")]
    SelfEnergy,
    Manager,
    Firefighter,
    Exile,
    Unknown,
}

impl PartRole {
    /// Managers and firefighters: the parts asked for consent before a dose.
    pub fn is_protector(self) -> bool {
        matches!(self, PartRole::Manager | PartRole::Firefighter)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PartStatus {
    #[default]
    Unmet,
    GettingToKnow,
    Befriended,
    Unburdened,
}

/// Where a part sits on the drawn map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: Number,
    pub y: Number,
}

/// Where one part is to be drawn: what the map sends when it lays out or moves parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PartPosition {
    pub part: Id,
    pub position: Position,
}

/// One part of the client's internal system (IFS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub id: Id,
    pub name: String,
    pub role: PartRole,
    #[serde(default)]
    pub description: String,
    /// How old the part feels, in the client's words.
    #[serde(default)]
    pub age_sense: Option<String>,
    /// What the part fears would happen if it stopped its job.
    #[serde(default)]
    pub fears: String,
    #[serde(default)]
    pub positive_intent: String,
    #[serde(default)]
    pub burdens: String,
    #[serde(default)]
    pub body_location: Option<String>,
    #[serde(default)]
    pub status: PartStatus,
    #[serde(default)]
    pub first_noticed: Option<Date>,
    #[serde(default)]
    pub position: Option<Position>,
    /// The steps of the part's unburdening, each tied to a session (added after v1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unburdening: Vec<UnburdeningStep>,
}

impl Part {
    pub fn new(name: impl Into<String>, role: PartRole) -> Self {
        Part {
            id: new_id(),
            name: name.into(),
            role,
            description: String::new(),
            age_sense: None,
            fears: String::new(),
            positive_intent: String::new(),
            burdens: String::new(),
            body_location: None,
            status: PartStatus::Unmet,
            first_noticed: None,
            position: None,
            unburdening: Vec::new(),
        }
    }
}

/// The steps of unburdening a part (IFS), in the order they usually come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UnburdeningStepKind {
    Witnessing,
    Redo,
    Retrieval,
    Unburdening,
    Invitation,
    ProtectorCheck,
}

/// What a burden was released to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(rename = "ReleaseElement")
)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    Light,
    Water,
    Earth,
    Fire,
    Air,
    Other,
}

/// One dated step of a part's unburdening, in the session it happened in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UnburdeningStep {
    pub id: Id,
    pub kind: UnburdeningStepKind,
    pub on: Date,
    pub session: Id,
    #[serde(default)]
    pub note: String,
    /// What was released (an "unburdening" step only).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub released: Option<String>,
    /// How it was released (an "unburdening" step only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub released_to: Option<Element>,
    /// The qualities taken in (an "invitation" step only).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub qualities: Option<String>,
}

/// A warning or a note the clinician acknowledged: the finding of `code` about
/// `record_id` stays out of the open list while that record's content is what it was
/// (`record_sha256`, see `rules::acknowledged`); any change to the record re-opens it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    pub id: Id,
    pub code: String,
    pub record_id: Id,
    /// SHA-256 (lowercase hex) of the record's JSON when it was acknowledged.
    pub record_sha256: String,
    /// Why the clinician judged it settled: clinical text, sealed like a note.
    pub reason: String,
    pub acknowledged_at: Timestamp,
    /// The clinician's name when it was acknowledged, if one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub acknowledged_by: Option<String>,
}

/// A client's request to amend their record (HIPAA 45 CFR 164.526): what it targets,
/// what the client asks to change, and the decision, due within 60 days of receipt
/// (90 with the one extension allowed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AmendmentRequest {
    pub id: Id,
    pub received_on: Date,
    pub target: AmendmentTarget,
    /// What the client asks to change, in their words as far as possible.
    pub requested_change: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub extension: Option<AmendmentExtension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub decision: Option<AmendmentDecision>,
}

/// The days within which a request must be decided, from its receipt.
pub const AMENDMENT_DUE_DAYS: i64 = 60;
/// The most one extension may add.
pub const AMENDMENT_EXTENSION_MAX_DAYS: i64 = 30;

impl AmendmentRequest {
    /// The day the decision is due: 60 days after receipt, or the extension's new date.
    pub fn due_on(&self) -> Date {
        match &self.extension {
            Some(extension) => extension.new_due_on,
            None => Date(self.received_on.0 + chrono::Duration::days(AMENDMENT_DUE_DAYS)),
        }
    }
}

/// What a request asks to amend: a session's note, or a field of the client's profile. (Unknown
/// fields are refused by the schema, which every change is checked against.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmendmentTarget {
    SessionNote { session: Id },
    ProfileField { field: ProfileField },
}

/// The profile fields a request may target (the text and dates a client would read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    DisplayName,
    FullName,
    DateOfBirth,
    Pronouns,
    Notes,
}

/// The one extension of the decision's due date, recorded before the 60 days ran out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AmendmentExtension {
    pub recorded_on: Date,
    /// Why more time is needed (the client is told it in writing).
    pub reason: String,
    pub new_due_on: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AmendmentOutcome {
    Accepted,
    Denied,
}

/// The decision on a request. Accepted: the change was made when `change_made_at` says
/// (the addendum with that `at` on the targeted session, or the profile's correction,
/// whose audit entry has that time). Denied: the basis, and the client's statement of
/// disagreement and the clinician's rebuttal when there are, disclosed with the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AmendmentDecision {
    pub outcome: AmendmentOutcome,
    pub decided_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub change_made_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub statement_of_disagreement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub rebuttal: Option<String>,
}

/// A named cluster of parts (a host's inner family, say) the map can fold to one shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PartGroup {
    pub id: Id,
    pub name: String,
    #[serde(default)]
    pub parts: Vec<Id>,
    /// Layout, not history: folding writes no version.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub folded: bool,
}

/// How a client's parts map changed, from `since` on: every version of every part,
/// relationship, agreement and group, in the order written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MapHistory {
    pub since: Timestamp,
    #[serde(default)]
    pub versions: Vec<MapVersion>,
}

/// One record as it was from `at` on (or its removal). Parts carry no `position` and
/// groups no `folded` that matters: those are layout, not history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct MapVersion {
    pub at: Timestamp,
    #[serde(flatten)]
    pub record: VersionedRecord,
}

/// What a [`MapVersion`] holds: exactly one of these keys beside `at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VersionedRecord {
    Part(Part),
    Relationship(Relationship),
    Agreement(Agreement),
    Group(PartGroup),
    Removed(Removal),
}

impl VersionedRecord {
    /// The kind and id of the record this version is about.
    pub fn key(&self) -> (MapRecordKind, &str) {
        match self {
            VersionedRecord::Part(r) => (MapRecordKind::Part, &r.id),
            VersionedRecord::Relationship(r) => (MapRecordKind::Relationship, &r.id),
            VersionedRecord::Agreement(r) => (MapRecordKind::Agreement, &r.id),
            VersionedRecord::Group(r) => (MapRecordKind::Group, &r.id),
            VersionedRecord::Removed(r) => (r.kind, &r.id),
        }
    }
}

/// The kinds of record the map history keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MapRecordKind {
    Part,
    Relationship,
    Agreement,
    Group,
}

/// A record gone from the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Removal {
    pub kind: MapRecordKind,
    pub id: Id,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RelationshipKind {
    Protects,
    Polarized,
    Allied,
    Blended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Relationship {
    pub id: Id,
    pub from_part: Id,
    pub to_part: Id,
    pub kind: RelationshipKind,
    #[serde(default)]
    pub note: String,
}

/// An internal agreement between parts ("conference room" work).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub id: Id,
    pub text: String,
    pub made_on: Date,
    #[serde(default)]
    pub parts: Vec<Id>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Consultation,
    Preparation,
    Dosing,
    Integration,
    Therapy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    #[default]
    InPerson,
    Telehealth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Planned,
    Completed,
    HeldOff,
    Cancelled,
}

/// A dated correction or addition to a signed note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Addendum {
    pub at: Timestamp,
    pub text: String,
}

/// An intention in the client's own words, optionally tied to a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Intention {
    pub id: Id,
    pub text: String,
    #[serde(default)]
    pub part: Option<Id>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Green,
    Yellow,
    Red,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Proceed,
    HoldOff,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CheckInResponse {
    pub part: Id,
    pub signal: Signal,
    #[serde(default)]
    pub concerns: String,
    #[serde(default)]
    pub requests: String,
}

/// The protectors' green-light check-in before a dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    pub at: Timestamp,
    pub responses: Vec<CheckInResponse>,
    pub decision: Decision,
    #[serde(default)]
    pub decision_note: String,
}

impl CheckIn {
    /// A check-in just begun: no protector has answered yet, so it holds off until the
    /// clinician decides to proceed.
    pub fn new(at: Timestamp) -> Self {
        CheckIn {
            at,
            responses: Vec::new(),
            decision: Decision::HoldOff,
            decision_note: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Dose {
    pub mg: Number,
    pub route: Route,
    pub administered_at: Timestamp,
    #[serde(default)]
    pub booster_mg: Option<Number>,
    /// The lot (batch) number of what was given. Added after v1: exported only when set.
    #[serde(default, skip_serializing_if = "is_blank")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub lot_number: Option<String>,
}

impl Dose {
    /// The dose plus any booster: what the prescriber's range and the bands apply to.
    pub fn total_mg(&self) -> f64 {
        self.mg.value() + self.booster_mg.map_or(0.0, Number::value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FloodingSign {
    Panic,
    Shutdown,
    RapidSwitching,
    Amnesia,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TimelineNote {
    pub at: Timestamp,
    pub text: String,
}

/// What the clinician saw during the journey.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Observations {
    #[serde(default)]
    pub parts_present: Vec<Id>,
    #[serde(default)]
    pub flooding_signs: Vec<FloodingSign>,
    #[serde(default)]
    pub blood_pressure_pre: Option<String>,
    #[serde(default)]
    pub blood_pressure_post: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub heart_rate_pre: Option<u32>,
    #[serde(default)]
    pub heart_rate_post: Option<u32>,
    #[serde(default)]
    pub timeline: Vec<TimelineNote>,
}

/// A text added after v1 is exported only when it holds something.
fn is_blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(str::is_empty)
}

/// Something taken today that matters before a ketamine dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Substance {
    Benzodiazepine,
    Opioid,
    Alcohol,
    Cannabis,
    Stimulant,
    Maoi,
    Other,
}

/// The checks before a dose. Added after v1, like every property below it: each one is
/// exported only when it holds something, so v1 documents export as they always did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PreDose {
    pub checked_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub hours_fasted: Option<Number>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub substances_today: Vec<Substance>,
    /// Who takes the client home.
    #[serde(default, skip_serializing_if = "is_blank")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub ride_home: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// One set of vital signs and ratings during a dosing session; any may be absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Reading {
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub systolic: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub diastolic: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub heart_rate: Option<u32>,
    /// Oxygen saturation, %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub spo2: Option<u32>,
    /// MOAA/S: 5 responds readily to name spoken in a normal tone … 0 no response to a
    /// painful stimulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub sedation: Option<u8>,
    /// The six CADSS-6 items, each 0–4 or not asked; empty when none was asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dissociation_items: Vec<Option<u8>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Reading {
    /// The CADSS-6 total (0–24), derived like a measure's score: only when all six items
    /// were answered.
    pub fn dissociation_total(&self) -> Option<u32> {
        if self.dissociation_items.len() != 6 {
            return None;
        }
        self.dissociation_items
            .iter()
            .map(|item| item.map(u32::from))
            .sum()
    }
}

/// When and how the client left after a dosing session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Discharge {
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub alert_and_oriented: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub walking_steadily: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub vitals_near_baseline: Option<bool>,
    /// Who the client left with.
    #[serde(default, skip_serializing_if = "is_blank")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub left_with: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AdverseEventKind {
    Nausea,
    Vomiting,
    Hypertension,
    Hypotension,
    Tachycardia,
    Desaturation,
    Oversedation,
    Agitation,
    Panic,
    Fall,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AdverseEventSeverity {
    Mild,
    Moderate,
    Severe,
}

/// Something that went wrong during a dosing session, and what was done about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AdverseEvent {
    pub id: Id,
    pub at: Timestamp,
    pub kind: AdverseEventKind,
    pub severity: AdverseEventSeverity,
    /// What was done about it.
    #[serde(default, skip_serializing_if = "is_blank")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub action: Option<String>,
}

/// Self-energy on the 8 C's, each rated 0–10 or not rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SelfEnergy {
    #[serde(default)]
    pub calm: Option<u8>,
    #[serde(default)]
    pub clarity: Option<u8>,
    #[serde(default)]
    pub compassion: Option<u8>,
    #[serde(default)]
    pub curiosity: Option<u8>,
    #[serde(default)]
    pub confidence: Option<u8>,
    #[serde(default)]
    pub courage: Option<u8>,
    #[serde(default)]
    pub creativity: Option<u8>,
    #[serde(default)]
    pub connectedness: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct IntentionReflection {
    pub intention: Id,
    pub reflection: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Integration {
    #[serde(default)]
    pub dosing_session: Option<Id>,
    #[serde(default)]
    pub insights: String,
    #[serde(default)]
    pub parts_encountered: Vec<Id>,
    #[serde(default)]
    pub messages: String,
    #[serde(default)]
    pub intention_reflections: Vec<IntentionReflection>,
    #[serde(default)]
    pub self_energy: SelfEnergy,
    #[serde(default)]
    pub commitments: String,
}

/// A session of any kind, with everything recorded in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub id: Id,
    pub kind: SessionKind,
    pub starts_at: Timestamp,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub setting: Setting,
    pub status: SessionStatus,
    #[serde(default)]
    pub note: String,
    /// Set when the note was signed; a signed session only takes addenda.
    #[serde(default)]
    pub signed_at: Option<Timestamp>,
    #[serde(default)]
    pub addenda: Vec<Addendum>,
    #[serde(default)]
    pub intentions: Vec<Intention>,
    #[serde(default)]
    pub safety_plan: String,
    #[serde(default)]
    pub support_person: Option<String>,
    #[serde(default)]
    pub checkin: Option<CheckIn>,
    #[serde(default)]
    pub dose: Option<Dose>,
    #[serde(default)]
    pub observations: Option<Observations>,
    #[serde(default)]
    pub integration: Option<Integration>,
    #[serde(default)]
    pub psychotherapy_note: bool,
    /// The checks before the dose (dosing sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub pre_dose: Option<PreDose>,
    /// Readings during the session, in time order (dosing sessions). The v1
    /// `observations` blood pressures and heart rates stay as they are, and count as
    /// readings just before the dose and at its end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitoring: Vec<Reading>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub discharge: Option<Discharge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adverse_events: Vec<AdverseEvent>,
    /// The template the note is written in, by the name it had then (added after v1).
    /// `None`: a plain note, in `note`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub template: Option<String>,
    /// The note's headed sections, when written in a template: each keeps its heading,
    /// so a later change to the template leaves the note as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<NoteSection>,
}

/// One headed section of a note written in a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NoteSection {
    pub heading: String,
    #[serde(default)]
    pub text: String,
}

impl Session {
    /// The template and sections worth showing: none when no section holds text (the
    /// note was written as plain text only), so a reader sees no empty outline.
    pub fn written_sections(&self) -> Option<(&str, &[NoteSection])> {
        let template = self.template.as_deref()?;
        self.sections
            .iter()
            .any(|s| !s.text.trim().is_empty())
            .then_some((template, self.sections.as_slice()))
    }

    /// Whether the note holds any text, plain or in its sections.
    pub fn has_note(&self) -> bool {
        !self.note.trim().is_empty() || self.sections.iter().any(|s| !s.text.trim().is_empty())
    }

    pub fn new(kind: SessionKind, starts_at: Timestamp) -> Self {
        Session {
            id: new_id(),
            kind,
            starts_at,
            duration_minutes: None,
            setting: Setting::InPerson,
            status: SessionStatus::Planned,
            note: String::new(),
            signed_at: None,
            addenda: Vec::new(),
            intentions: Vec::new(),
            safety_plan: String::new(),
            support_person: None,
            checkin: None,
            dose: None,
            observations: None,
            integration: None,
            psychotherapy_note: false,
            pre_dose: None,
            monitoring: Vec::new(),
            discharge: None,
            adverse_events: Vec::new(),
            template: None,
            sections: Vec::new(),
        }
    }

    pub fn is_signed(&self) -> bool {
        self.signed_at.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Instrument {
    #[serde(rename = "PHQ-9")]
    Phq9,
    #[serde(rename = "GAD-7")]
    Gad7,
    #[serde(rename = "PCL-5")]
    Pcl5,
    #[serde(rename = "DES-II")]
    DesII,
    #[serde(rename = "WHO-5")]
    Who5,
    /// The Emotional Breakthrough Inventory.
    #[serde(rename = "EBI")]
    Ebi,
    /// The revised Mystical Experience Questionnaire.
    #[serde(rename = "MEQ-30")]
    Meq30,
}

/// The clinician's dated acknowledgement of a safety item (PHQ-9 item 9 above zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SafetyFollowUp {
    pub at: Timestamp,
    pub note: String,
}

/// An outcome measure, one answer per item (`None`: skipped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub id: Id,
    pub instrument: Instrument,
    pub taken_on: Date,
    pub answers: Vec<Option<u8>>,
    #[serde(default)]
    pub session: Option<Id>,
    #[serde(default)]
    pub safety_follow_up: Option<SafetyFollowUp>,
}
