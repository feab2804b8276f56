// Generated from the Rust types by src-tauri/src/contract.rs (ts-rs): do not edit.
// Refresh with `make types`; `make test` fails while this file is stale.

/**
 * A finding kept out of the open list, with the acknowledgement that keeps it there.
 */
export type AcknowledgedFinding = { finding: Finding, acknowledgement: Acknowledgement, };

/**
 * A warning or a note the clinician acknowledged: the finding of `code` about
 * `record_id` stays out of the open list while that record's content is what it was
 * (`record_sha256`, see `rules::acknowledged`); any change to the record re-opens it.
 */
export type Acknowledgement = { id: string, code: string, record_id: string, 
/**
 * SHA-256 (lowercase hex) of the record's JSON when it was acknowledged.
 */
record_sha256: string, 
/**
 * Why the clinician judged it settled: clinical text, sealed like a note.
 */
reason: string, acknowledged_at: Timestamp, 
/**
 * The clinician's name when it was acknowledged, if one was set.
 */
acknowledged_by?: string, };

/**
 * A dated correction or addition to a signed note.
 */
export type Addendum = { at: Timestamp, text: string, };

/**
 * Something that went wrong during a dosing session, and what was done about it.
 */
export type AdverseEvent = { id: string, at: Timestamp, kind: AdverseEventKind, severity: AdverseEventSeverity, 
/**
 * What was done about it.
 */
action?: string, };

export type AdverseEventKind = "nausea" | "vomiting" | "hypertension" | "hypotension" | "tachycardia" | "desaturation" | "oversedation" | "agitation" | "panic" | "fall" | "other";

export type AdverseEventSeverity = "mild" | "moderate" | "severe";

/**
 * An internal agreement between parts ("conference room" work).
 */
export type Agreement = { id: string, text: string, made_on: DateText, parts: Array<string>, };

/**
 * How an accepted request's change is made: an addendum on the targeted (signed) note,
 * or the targeted profile field's corrected value (empty clears an optional field).
 */
export type AmendmentChange = { "kind": "addendum", text: string, } | { "kind": "corrected_field", value: string, };

/**
 * The decision on a request. Accepted: the change was made when `change_made_at` says
 * (the addendum with that `at` on the targeted session, or the profile's correction,
 * whose audit entry has that time). Denied: the basis, and the client's statement of
 * disagreement and the clinician's rebuttal when there are, disclosed with the record.
 */
export type AmendmentDecision = { outcome: AmendmentOutcome, decided_on: DateText, change_made_at?: Timestamp, basis?: string, statement_of_disagreement?: string, rebuttal?: string, };

/**
 * The words of a denial.
 */
export type AmendmentDenial = { basis: string, statement_of_disagreement: string | null, rebuttal: string | null, };

/**
 * The one extension of the decision's due date, recorded before the 60 days ran out.
 */
export type AmendmentExtension = { recorded_on: DateText, 
/**
 * Why more time is needed (the client is told it in writing).
 */
reason: string, new_due_on: DateText, };

export type AmendmentOutcome = "accepted" | "denied";

/**
 * A client's request to amend their record (HIPAA 45 CFR 164.526): what it targets,
 * what the client asks to change, and the decision, due within 60 days of receipt
 * (90 with the one extension allowed).
 */
export type AmendmentRequest = { id: string, received_on: DateText, target: AmendmentTarget, 
/**
 * What the client asks to change, in their words as far as possible.
 */
requested_change: string, extension?: AmendmentExtension, decision?: AmendmentDecision, };

/**
 * What a request asks to amend: a session's note, or a field of the client's profile. (Unknown
 * fields are refused by the schema, which every change is checked against.)
 */
export type AmendmentTarget = { "kind": "session_note", session: string, } | { "kind": "profile_field", field: ProfileField, };

export type AppStatus = { vault_exists: boolean, unlocked: boolean, vault_path: string, 
/**
 * The outcome of the check after this unlock, once it has finished (it is also
 * announced by the `vault-verified` event).
 */
verification: Verification | null, 
/**
 * End-to-end test builds only: a longer autosave pause, so a test can tell a
 * closing or locking save from an ordinary one. Always `None` in a real build.
 */
autosave_delay_ms: number | null, };

/**
 * One attachment, as listed and exported.
 */
export type Attachment = { id: string, client_id: string, 
/**
 * A session it belongs to, if any.
 */
session_id: string | null, title: string, kind: AttachmentKind, 
/**
 * The date on the document (a consent form's signature date).
 */
document_date: DateText, attached_at: Timestamp, media_type: MediaType, 
/**
 * The file's size in bytes.
 */
size: number, 
/**
 * SHA-256 of the file's content, in lower-case hex.
 */
sha256: string, 
/**
 * The name the file had when attached (clinical text: a name can hold the
 * client's), kept sealed for saving it out under the same name.
 */
file_name: string | null, };

/**
 * What the document is to the clinician.
 */
export type AttachmentKind = "consent" | "prescriber_letter" | "lab_or_ecg" | "other";

/**
 * One page of an attachment as an image.
 */
export type AttachmentPage = { 
/**
 * `image/png` or `image/jpeg`.
 */
media_type: string, 
/**
 * The image, base64-encoded (the webview shows it as a `data:` URL, in memory).
 */
base64: string, 
/**
 * From 1.
 */
page: number, pages: number, };

/**
 * What happened.
 */
export type AuditAction = "vault_created" | "audit_started" | "unlocked" | "failed_unlocks" | "created" | "updated" | "deleted" | "signed" | "addendum" | "note_restored" | "imported" | "exported" | "document_written" | "backup_taken" | "restored" | "passphrase_changed" | "recovery_key_replaced" | "data_key_rotated" | "secrets_replaced" | "baseline" | "resealed" | "upgraded" | "disposed";

/**
 * One audit entry as the audit view shows it.
 */
export type AuditRow = { position: number, at: string, last_at: string, action: AuditAction, label: string, record_kind: string | null, record_id: string | null, client_id: string | null, content_sha256: string | null, count: number, detail: string | null, };

export type AuditView = { entries: Array<AuditRow>, 
/**
 * Empty when the chain is whole.
 */
problems: Array<string>, };

export type BackupStatus = { 
/**
 * Shown to the clinician; never sent back (the folder is chosen in the system dialog).
 */
folder: string, 
/**
 * Backups go to the default folder in the data directory.
 */
default_folder: boolean, 
/**
 * When the newest automatic backup was taken (local time), if any.
 */
last_backup_at: string | null, 
/**
 * No backup, or the newest is older than a week.
 */
stale: boolean, };

export type Charts = { measures: string | null, doses: string | null, self_energy: string | null, 
/**
 * The protectors and the parts they protect, with the latest check-in's answers.
 */
protectors: string | null, };

/**
 * The protectors' green-light check-in before a dose.
 */
export type CheckIn = { at: Timestamp, responses: Array<CheckInResponse>, decision: Decision, decision_note: string, };

export type CheckInResponse = { part: string, signal: Signal, concerns: string, requests: string, };

/**
 * A client with every record that belongs to them: the unit of import, export and
 * of "read one client's whole record".
 */
export type Client = { parts: Array<Part>, relationships: Array<Relationship>, agreements: Array<Agreement>, sessions: Array<Session>, measures: Array<Measure>, 
/**
 * Named clusters of parts (added after v1: exported only when there is one).
 */
groups?: Array<PartGroup>, 
/**
 * How the parts map changed over time. The vault derives it from every change and
 * never takes it from a caller; an export carries it only when it holds a change
 * after its start (see docs/INTERCHANGE.md).
 */
map_history?: MapHistory, 
/**
 * Warnings and notes the clinician acknowledged, with why (added after v1:
 * exported only when there is one).
 */
acknowledgements?: Array<Acknowledgement>, 
/**
 * The client's requests to amend their record (HIPAA 45 CFR 164.526; added after
 * v1: exported only when there is one).
 */
amendment_requests?: Array<AmendmentRequest>, id: string, 
/**
 * What lists show: initials or a pseudonym.
 */
display_name: string, full_name: string | null, date_of_birth: DateText | null, pronouns: string | null, notes: string, created_at: Timestamp, archived: boolean, prescriber: Prescriber | null, screening: Screening | null, planned_dosing_sessions: number | null, consent_signed_on: DateText | null, };

/**
 * A client's own details: everything about a client except the records that hang
 * off it (parts, sessions…).
 */
export type ClientProfile = { id: string, 
/**
 * What lists show: initials or a pseudonym.
 */
display_name: string, full_name: string | null, date_of_birth: DateText | null, pronouns: string | null, notes: string, created_at: Timestamp, archived: boolean, prescriber: Prescriber | null, screening: Screening | null, planned_dosing_sessions: number | null, consent_signed_on: DateText | null, };

/**
 * Whose records these are: printed on every document.
 */
export type Clinician = { name: string, credentials: string | null, license_number: string | null, practice: string | null, };

/**
 * A PCL-5 cluster sub-score.
 */
export type ClusterScore = { cluster: string, items: string, score: number | null, };

export type CommandError = { kind: UiErrorKind, message: string, };

export type Contraindication = { kind: ContraindicationKind, present: boolean, note: string, 
/**
 * Since when this answer holds (from always when `None`).
 */
noted_on: DateText | null, };

export type ContraindicationKind = "maoi" | "high_dose_benzodiazepine" | "psychosis_history" | "mania_history" | "uncontrolled_hypertension" | "cardiac_condition" | "pregnancy" | "other";

export type Course = { dosing_sessions_done: number, planned_dosing_sessions: number | null, checkins: number, held_off: number, held_off_by: Array<ProtectorHold>, doses: Array<DosePoint>, next_medical_follow_up: DateText | null, measures: Array<CourseMeasure>, 
/**
 * The open findings (every stop, and the warnings and notes not acknowledged).
 */
findings: Array<Finding>, 
/**
 * The open findings as read: one line per finding on several records.
 */
finding_groups: Array<FindingGroup>, 
/**
 * The warnings and notes acknowledged, each with its acknowledgement.
 */
acknowledged: Array<AcknowledgedFinding>, };

export type CourseMeasure = { measure_id: string, instrument: Instrument, taken_on: DateText, score: Score, safety_follow_up_recorded: boolean, };

/**
 * A calendar date (`YYYY-MM-DD`) that exists.
 */
export type DateText = string;

export type Decision = "proceed" | "hold_off";

/**
 * When and how the client left after a dosing session.
 */
export type Discharge = { at: Timestamp, alert_and_oriented?: boolean, walking_steadily?: boolean, vitals_near_baseline?: boolean, 
/**
 * Who the client left with.
 */
left_with?: string, notes?: string, };

/**
 * What disposing of a client would delete, and where copies remain: shown before the
 * clinician confirms.
 */
export type DisposalPreview = { retention: Retention, 
/**
 * Whether the retention has ended (disposal is refused until it has).
 */
past_retention: boolean, records: Array<RecordCount>, 
/**
 * When the client first came into this vault (their first audit entry).
 */
in_vault_since: Timestamp, 
/**
 * The automatic backups taken since then, newest first: sealed copies that still
 * hold the client until the rotation removes them.
 */
backups: Array<HeldBackup>, };

export type DocumentKind = "session_note" | "prep_sheet" | "client_record";

export type Dose = { mg: JsonNumber, route: Route, administered_at: Timestamp, booster_mg: JsonNumber | null, 
/**
 * The lot (batch) number of what was given. Added after v1: exported only when set.
 */
lot_number?: string, };

/**
 * How a dose stands against the prescriber's range and the bands.
 */
export type DoseAssessment = { total_mg: number, band: DoseBand, 
/**
 * `None` when no prescriber range is on file.
 */
within_prescribed_range: boolean | null, 
/**
 * One plain sentence for the clinician, or `None` when all is in order.
 */
warning: string | null, };

export type DoseBand = "psycholytic" | "psychedelic" | "outside_bands";

export type DosePoint = { session_id: string, starts_at: Timestamp, total_mg: number, band: DoseBand, flooding: boolean, };

/**
 * What the page hears of a drop: names, never paths.
 */
export type FilesDropped = { names: Array<string>, };

export type Finding = { severity: Severity, 
/**
 * Stable, for scripts and the UI: never reworded.
 */
code: string, client_id: string, subject: Subject, record_id: string, message: string, };

/**
 * One line of a findings list: every finding of one code and severity.
 */
export type FindingGroup = { severity: Severity, code: string, subject: Subject, 
/**
 * The sentence of the line: the finding's own when there is one record, the
 * rule's headline with the count when there are several.
 */
headline: string, 
/**
 * The records the findings are about, each once, in the findings' order.
 */
record_ids: Array<string>, 
/**
 * Every finding of the group, in the order the rules listed them.
 */
findings: Array<Finding>, 
/**
 * Whether the clinician may acknowledge the line (never a stop, never a legal
 * deadline).
 */
acknowledgeable: boolean, };

export type FloodingSign = "panic" | "shutdown" | "rapid_switching" | "amnesia";

/**
 * An automatic backup that still holds the client.
 */
export type HeldBackup = { 
/**
 * The backup's file name (its folder is the backup folder).
 */
file_name: string, 
/**
 * When it was taken, local time, as `YYYY-MM-DD HH:MM`.
 */
taken_at: string, };

/**
 * What an import added.
 */
export type ImportSummary = { clients: number, sessions: number, };

export type Instrument = "PHQ-9" | "GAD-7" | "PCL-5" | "DES-II" | "WHO-5" | "EBI" | "MEQ-30";

export type InstrumentItems = { topics: Array<string>, item_max: number, item_step: number, max_score: number, higher_is_better: boolean, };

export type Integration = { dosing_session: string | null, insights: string, parts_encountered: Array<string>, messages: string, intention_reflections: Array<IntentionReflection>, self_energy: SelfEnergy, commitments: string, };

/**
 * An intention in the client's own words, optionally tied to a part.
 */
export type Intention = { id: string, text: string, part: string | null, };

export type IntentionReflection = { intention: string, reflection: string, };

/**
 * A JSON number written in its shortest form: `100`, never `100.0`.
 */
export type JsonNumber = number;

/**
 * One difference between two days' maps, with one plain sentence saying it (the same
 * words in the app, for screen readers, and in documents).
 */
export type MapChange = { kind: MapChangeKind, part: string | null, relationship: string | null, group: string | null, words: string, };

export type MapChangeKind = "part_added" | "part_removed" | "part_changed" | "relationship_added" | "relationship_removed" | "relationship_changed" | "group_added" | "group_removed" | "group_changed";

export type MapComparison = { from: MapOnDay, to: MapOnDay, changes: Array<MapChange>, };

/**
 * How a client's parts map changed, from `since` on: every version of every part,
 * relationship, agreement and group, in the order written.
 */
export type MapHistory = { since: Timestamp, versions: Array<MapVersion>, };

/**
 * The parts map as it stood at the end of `date`, read-only.
 */
export type MapOnDay = { date: DateText, history_since: Timestamp, 
/**
 * True when `date` is before the history began: the lists are then empty, and
 * the vault has no record of the map on that day.
 */
before_history: boolean, parts: Array<Part>, relationships: Array<Relationship>, agreements: Array<Agreement>, groups: Array<PartGroup>, };

/**
 * The kinds of record the map history keeps.
 */
export type MapRecordKind = "part" | "relationship" | "agreement" | "group";

/**
 * One record as it was from `at` on (or its removal). Parts carry no `position` and
 * groups no `folded` that matters: those are layout, not history.
 */
export type MapVersion = { at: Timestamp, } & ({ "part": Part } | { "relationship": Relationship } | { "agreement": Agreement } | { "group": PartGroup } | { "removed": Removal });

/**
 * An outcome measure, one answer per item (`None`: skipped).
 */
export type Measure = { id: string, instrument: Instrument, taken_on: DateText, answers: Array<number | null>, session: string | null, safety_follow_up: SafetyFollowUp | null, };

/**
 * The file types kapnotes keeps, told by their content, never by their name.
 */
export type MediaType = "application/pdf" | "image/jpeg" | "image/png";

/**
 * An earlier state of a session note.
 */
export type NoteRevision = { id: string, 
/**
 * When this text was replaced.
 */
saved_at: Timestamp, note: string, 
/**
 * The template and sections the note had then (a note written in a template).
 */
template?: string, sections?: Array<NoteSection>, };

/**
 * One headed section of a note written in a template.
 */
export type NoteSection = { heading: string, text: string, };

/**
 * A named note format.
 */
export type NoteTemplate = { name: string, sections: Array<TemplateSection>, };

/**
 * The practice's templates and the default per session kind (a kind with none starts
 * as a plain note).
 */
export type NoteTemplates = { templates: Array<NoteTemplate>, defaults: Array<TemplateDefault>, };

/**
 * What the clinician saw during the journey.
 */
export type Observations = { parts_present: Array<string>, flooding_signs: Array<FloodingSign>, blood_pressure_pre: string | null, blood_pressure_post: string | null, notes: string, heart_rate_pre: number | null, heart_rate_post: number | null, timeline: Array<TimelineNote>, };

/**
 * What the overview shows of the course: the summary with its findings, and the
 * pictures. One load and decryption of the client serves both.
 */
export type Overview = { course: Course, charts: Charts, };

/**
 * The paper documents are laid out for.
 */
export type Paper = "a4" | "letter";

/**
 * One part of the client's internal system (IFS).
 */
export type Part = { id: string, name: string, role: PartRole, description: string, 
/**
 * How old the part feels, in the client's words.
 */
age_sense: string | null, 
/**
 * What the part fears would happen if it stopped its job.
 */
fears: string, positive_intent: string, burdens: string, body_location: string | null, status: PartStatus, first_noticed: DateText | null, position: Position | null, 
/**
 * The steps of the part's unburdening, each tied to a session (added after v1).
 */
unburdening?: Array<UnburdeningStep>, };

/**
 * A named cluster of parts (a host's inner family, say) the map can fold to one shape.
 */
export type PartGroup = { id: string, name: string, parts: Array<string>, 
/**
 * Layout, not history: folding writes no version.
 */
folded?: boolean, };

/**
 * Where one part is to be drawn: what the map sends when it lays out or moves parts.
 */
export type PartPosition = { part: string, position: Position, };

export type PartRole = "self" | "manager" | "firefighter" | "exile" | "unknown";

export type PartStatus = "unmet" | "getting_to_know" | "befriended" | "unburdened";

/**
 * A part's story across the course, newest first.
 */
export type PartStory = { part: Part, client_id: string, history_since: Timestamp | null, entries: Array<StoryEntry>, };

/**
 * A client's whole parts map: what the map screen shows in one call.
 */
export type PartsMap = { parts: Array<Part>, relationships: Array<Relationship>, agreements: Array<Agreement>, groups: Array<PartGroup>, 
/**
 * When the map's history begins (`None` before the vault was brought up to date).
 */
history_since: Timestamp | null, };

/**
 * Where a part sits on the drawn map.
 */
export type Position = { x: JsonNumber, y: JsonNumber, };

/**
 * The checks before a dose. Added after v1, like every property below it: each one is
 * exported only when it holds something, so v1 documents export as they always did.
 */
export type PreDose = { checked_at: Timestamp, hours_fasted?: JsonNumber, substances_today?: Array<Substance>, 
/**
 * Who takes the client home.
 */
ride_home?: string, notes?: string, };

/**
 * The preferences the front end may read and change: all but the backup folder.
 * Unknown fields are refused, so a script in the webview cannot name a folder here.
 */
export type Preferences = { theme: "light" | "dark" | "dim", auto_lock_minutes: number, backup_every_minutes: number, paper: Paper, reading_reminder: boolean, reading_every_minutes: number, 
/**
 * The spell-check language in effect, or "off". `None` (from a screen that sends the
 * older set of choices) keeps the stored one.
 */
spelling: string | null, };

/**
 * What the Settings screen reads: the choices, and the spelling languages it may offer
 * (those with a dictionary installed). The list is not sent back.
 */
export type PreferencesShown = { spelling_languages: Array<string>, theme: "light" | "dark" | "dim", auto_lock_minutes: number, backup_every_minutes: number, paper: Paper, reading_reminder: boolean, reading_every_minutes: number, 
/**
 * The spell-check language in effect, or "off". `None` (from a screen that sends the
 * older set of choices) keeps the stored one.
 */
spelling: string | null, };

/**
 * The prescriber's allowed dose range; the therapist only records it.
 */
export type Prescriber = { name: string, organization: string | null, dose_min_mg: JsonNumber, dose_max_mg: JsonNumber, route: Route, prescribed_on: DateText | null, next_medical_follow_up: DateText | null, };

/**
 * One thing `verify` found wrong, in a plain sentence.
 */
export type Problem = { 
/**
 * The record concerned, as `table/id`, when there is one.
 */
record: string | null, message: string, };

/**
 * The profile fields a request may target (the text and dates a client would read).
 */
export type ProfileField = "display_name" | "full_name" | "date_of_birth" | "pronouns" | "notes";

/**
 * How often a protector answered red, holding a session off.
 */
export type ProtectorHold = { part_id: string, name: string, times: number, };

/**
 * One set of vital signs and ratings during a dosing session; any may be absent.
 */
export type Reading = { at: Timestamp, systolic?: number, diastolic?: number, heart_rate?: number, 
/**
 * Oxygen saturation, %.
 */
spo2?: number, 
/**
 * MOAA/S: 5 responds readily to name spoken in a normal tone … 0 no response to a
 * painful stimulus.
 */
sedation?: number, 
/**
 * The six CADSS-6 items, each 0–4 or not asked; empty when none was asked.
 */
dissociation_items?: Array<number | null>, note?: string, };

/**
 * How many records of one kind a client has.
 */
export type RecordCount = { 
/**
 * The kind of record, in words ("session", "note revision"…).
 */
kind: string, count: number, };

/**
 * The kind of record a hit was found in.
 */
export type RecordKind = "client" | "part" | "relationship" | "agreement" | "session" | "measure" | "group";

export type Relationship = { id: string, from_part: string, to_part: string, kind: RelationshipKind, note: string, };

export type RelationshipKind = "protects" | "polarized" | "allied" | "blended";

/**
 * What a burden was released to.
 */
export type ReleaseElement = "light" | "water" | "earth" | "fire" | "air" | "other";

/**
 * A record gone from the map.
 */
export type Removal = { kind: MapRecordKind, id: string, };

export type Restored = { 
/**
 * Where the vault that was replaced is kept.
 */
replaced_vault_kept_at: string, };

/**
 * When a client's retention ends, and why.
 */
export type Retention = { client_id: string, display_name: string, 
/**
 * The last session's day, or the day the client was added when they had none.
 */
last_contact: DateText, 
/**
 * The records may be disposed of from the day after this.
 */
retain_until: DateText, 
/**
 * Whether the minor rule set the date (it was later than the adult rule's).
 */
minor_rule: boolean, };

/**
 * The retention periods, in whole years.
 */
export type RetentionPeriods = { 
/**
 * Years kept after the last session (for an adult, or with no date of birth).
 */
years_after_last_session: number, 
/**
 * For a client who was a minor: years kept after they came of age, when later.
 */
years_after_majority: number, 
/**
 * The age at which a client comes of age.
 */
age_of_majority: number, };

/**
 * How ketamine is given; sublingual is the route of KAP as the source texts describe
 * it, so a new prescription starts there.
 */
export type Route = "sublingual" | "oral" | "intramuscular" | "intravenous" | "intranasal";

/**
 * The clinician's dated acknowledgement of a safety item (PHQ-9 item 9 above zero).
 */
export type SafetyFollowUp = { at: Timestamp, note: string, };

export type SavedAttachment = { path: string, };

/**
 * The score of one measure.
 */
export type Score = { instrument: Instrument, 
/**
 * The total (PHQ-9, GAD-7, PCL-5), the total × 4 (WHO-5) or the mean (DES-II, EBI,
 * MEQ-30); `None` if any item was skipped.
 */
score: number | null, complete: boolean, skipped_items: Array<number>, band: string | null, 
/**
 * PCL-5 only: B 1–5, C 6–7, D 8–14, E 15–20.
 */
clusters: Array<ClusterScore>, 
/**
 * PHQ-9 only: item 9 answered above zero.
 */
safety_item_positive: boolean, 
/**
 * MEQ-30 only: mystical, positive mood, transcendence of time and space, ineffability.
 */
subscales: Array<SubscaleScore>, 
/**
 * MEQ-30 only, when every item is answered: every subscale mean reached 60 % of its
 * maximum.
 */
complete_mystical_experience: boolean | null, };

export type Screening = { screened_on: DateText, mid_completed: boolean, notes: string, contraindications: Array<Contraindication>, medications: string, allergies: string, };

/**
 * One field that matched.
 */
export type SearchHit = { client_id: string, client_name: string, kind: RecordKind, 
/**
 * The record to open: the session for anything found inside a session.
 */
record_id: string, 
/**
 * Which field matched, in words ("note", "intention", "check-in concerns"…).
 */
field: string, 
/**
 * The matching passage with some context, on one line.
 */
snippet: string, };

/**
 * Self-energy on the 8 C's, each rated 0–10 or not rated.
 */
export type SelfEnergy = { calm: number | null, clarity: number | null, compassion: number | null, curiosity: number | null, confidence: number | null, courage: number | null, creativity: number | null, connectedness: number | null, };

/**
 * A session of any kind, with everything recorded in it.
 */
export type Session = { id: string, kind: SessionKind, starts_at: Timestamp, duration_minutes: number | null, setting: Setting, status: SessionStatus, note: string, 
/**
 * Set when the note was signed; a signed session only takes addenda.
 */
signed_at: Timestamp | null, addenda: Array<Addendum>, intentions: Array<Intention>, safety_plan: string, support_person: string | null, checkin: CheckIn | null, dose: Dose | null, observations: Observations | null, integration: Integration | null, psychotherapy_note: boolean, 
/**
 * The checks before the dose (dosing sessions).
 */
pre_dose?: PreDose, 
/**
 * Readings during the session, in time order (dosing sessions). The v1
 * `observations` blood pressures and heart rates stay as they are, and count as
 * readings just before the dose and at its end.
 */
monitoring?: Array<Reading>, discharge?: Discharge, adverse_events?: Array<AdverseEvent>, 
/**
 * The template the note is written in, by the name it had then (added after v1).
 * `None`: a plain note, in `note`.
 */
template?: string, 
/**
 * The note's headed sections, when written in a template: each keeps its heading,
 * so a later change to the template leaves the note as written.
 */
sections?: Array<NoteSection>, };

export type SessionKind = "consultation" | "preparation" | "dosing" | "integration" | "therapy";

export type SessionStatus = "planned" | "completed" | "held_off" | "cancelled";

export type Setting = "in_person" | "telehealth";

export type Severity = "note" | "warn" | "stop";

export type Signal = "green" | "yellow" | "red";

/**
 * One moment of a part's story.
 */
export type StoryEntry = { on: DateText, kind: StoryKind, session: string | null, session_kind: SessionKind | null, agreement: string | null, signal: Signal | null, words: string, };

export type StoryKind = "check_in" | "journey" | "integration" | "intention" | "agreement" | "unburdening_step" | "first_recorded" | "renamed" | "role_changed" | "status_changed" | "relationship_gained" | "relationship_lost" | "group_changed";

/**
 * What a finding is about.
 */
export type Subject = "client" | "session" | "measure" | "part" | "amendment_request";

/**
 * An MEQ-30 subscale: the mean of its items (0–5), as a share of the maximum, and
 * whether it reaches the 60 % criterion. `None` when one of its items was skipped.
 */
export type SubscaleScore = { subscale: string, items: Array<number>, mean: number | null, percent_of_max: number | null, reaches_criterion: boolean | null, };

/**
 * Something taken today that matters before a ketamine dose.
 */
export type Substance = "benzodiazepine" | "opioid" | "alcohol" | "cannabis" | "stimulant" | "maoi" | "other";

/**
 * Which template a new note of a session kind starts in.
 */
export type TemplateDefault = { kind: SessionKind, 
/**
 * The template's name.
 */
template: string, };

/**
 * One section of a template: the heading the note shows and the prompt that helps
 * write it.
 */
export type TemplateSection = { heading: string, prompt: string, };

/**
 * One threshold as the Settings screen shows it: the table's row and the vault's value.
 */
export type Threshold = { value: number, key: ThresholdKey, 
/**
 * What the Settings screen and docs/RULES.md call it.
 */
label: string, unit: string, default: number, 
/**
 * The sensible range a clinician may set it within (inclusive).
 */
min: number, max: number, source: string, };

/**
 * One changeable threshold. Its snake_case name is its key in the vault and in the
 * interchange document (`thresholds`).
 */
export type ThresholdKey = "blood_pressure_stop_systolic" | "blood_pressure_stop_diastolic" | "blood_pressure_warn_systolic" | "blood_pressure_warn_diastolic" | "spo2_stop_below" | "spo2_warn_below" | "sedation_stop_at_or_below" | "sedation_warn_at_or_below" | "observation_minutes";

export type TimelineNote = { at: Timestamp, text: string, };

/**
 * An RFC 3339 timestamp with seconds and an offset. The text is kept as given (apart
 * from `Z`, written `+00:00`), so the offset and any fractional seconds survive a
 * round trip exactly.
 */
export type Timestamp = string;

/**
 * The failures the UI acts on; every other one it only shows.
 */
export type UiErrorKind = "locked" | "cancelled" | "not_found" | "wrong_passphrase" | "other";

/**
 * One dated step of a part's unburdening, in the session it happened in.
 */
export type UnburdeningStep = { id: string, kind: UnburdeningStepKind, on: DateText, session: string, note: string, 
/**
 * What was released (an "unburdening" step only).
 */
released?: string, 
/**
 * How it was released (an "unburdening" step only).
 */
released_to?: ReleaseElement, 
/**
 * The qualities taken in (an "invitation" step only).
 */
qualities?: string, };

/**
 * The steps of unburdening a part (IFS), in the order they usually come.
 */
export type UnburdeningStepKind = "witnessing" | "redo" | "retrieval" | "unburdening" | "invitation" | "protector_check";

export type Verification = { 
/**
 * When the check finished, in milliseconds since 1970 (the front end shows it in
 * local time).
 */
checked_at_ms: number, records_checked: number, 
/**
 * Empty when everything is intact.
 */
problems: Array<Problem>, 
/**
 * Why the check could not run to its end, when it could not.
 */
could_not_check: string | null, };

export type Written = { path: string, bytes: number, };

export type WrittenDocument = { path: string, pages: number, };

/** The dose bands of KAP on the total of dose and booster, in mg (src/rules). */
export const PSYCHOLYTIC_MG = [25, 150] as const;
export const PSYCHEDELIC_MG = [200, 400] as const;

/** What the journey's observations and an integration hold before anything is
 * recorded: the core's defaults. */
export const EMPTY_OBSERVATIONS: Observations = {"parts_present":[],"flooding_signs":[],"blood_pressure_pre":null,"blood_pressure_post":null,"notes":"","heart_rate_pre":null,"heart_rate_post":null,"timeline":[]};
export const EMPTY_INTEGRATION: Integration = {"dosing_session":null,"insights":"","parts_encountered":[],"messages":"","intention_reflections":[],"self_energy":{"calm":null,"clarity":null,"compassion":null,"curiosity":null,"confidence":null,"courage":null,"creativity":null,"connectedness":null},"commitments":""};

/** A check-in just begun decides this until the clinician decides otherwise. */
export const NEW_CHECK_IN_DECISION: Decision = "hold_off";
/** The route a new prescription and a new dose start on. */
export const DEFAULT_ROUTE: Route = "sublingual";

/** An amendment request's decision is due this many days after its receipt; one
 * extension adds at most the second number (HIPAA 45 CFR 164.526, src/records). */
export const AMENDMENT_DUE_DAYS = 60;
export const AMENDMENT_EXTENSION_MAX_DAYS = 30;
export const NEW_PART: Part = {"id":"","name":"","role":"unknown","description":"","age_sense":null,"fears":"","positive_intent":"","burdens":"","body_location":null,"status":"unmet","first_noticed":null,"position":null};

/** The bounds the interchange schema (which the core checks every change against)
 * puts on the numbers a clinician types, by schema definition and property: `min`
 * and `max` inclusive, `above` exclusive. */
export const SCHEMA_BOUNDS = {
  rating: {"value":{"min":0,"max":10}},
  client: {"planned_dosing_sessions":{"min":1,"max":100}},
  prescriber: {"dose_min_mg":{"above":0,"max":2000},"dose_max_mg":{"above":0,"max":2000}},
  dose: {"mg":{"above":0,"max":2000},"booster_mg":{"above":0,"max":2000}},
  observations: {"heart_rate_pre":{"min":20,"max":250},"heart_rate_post":{"min":20,"max":250}},
  session: {"duration_minutes":{"min":1,"max":1440}},
  pre_dose: {"hours_fasted":{"min":0,"max":72}},
  reading: {"systolic":{"min":40,"max":300},"diastolic":{"min":20,"max":200},"heart_rate":{"min":20,"max":250},"spo2":{"min":50,"max":100},"sedation":{"min":0,"max":5},"dissociation_items":{"min":0,"max":4}},
  retention: {"years_after_last_session":{"min":1,"max":100},"years_after_majority":{"min":0,"max":100},"age_of_majority":{"min":14,"max":25}},
  attachment: {"size":{"min":1,"max":26214400}},
} as const;
