// The records as the core sends them (src/records/mod.rs): field names and shapes follow
// the interchange format, so this file mirrors docs/kapnotes-interchange-v1.schema.json.

export type Id = string;
export type Timestamp = string; // RFC 3339 with seconds and an offset
export type DateText = string; // YYYY-MM-DD

export type Route = 'sublingual' | 'oral' | 'intramuscular' | 'intravenous' | 'intranasal';
export type PartRole = 'self' | 'manager' | 'firefighter' | 'exile' | 'unknown';
export type PartStatus = 'unmet' | 'getting_to_know' | 'befriended' | 'unburdened';
export type RelationshipKind = 'protects' | 'polarized' | 'allied' | 'blended';
export type SessionKind = 'consultation' | 'preparation' | 'dosing' | 'integration' | 'therapy';
export type SessionStatus = 'planned' | 'completed' | 'held_off' | 'cancelled';
export type Setting = 'in_person' | 'telehealth';
export type Signal = 'green' | 'yellow' | 'red';
export type Decision = 'proceed' | 'hold_off';
export type FloodingSign = 'panic' | 'shutdown' | 'rapid_switching' | 'amnesia';
export type ContraindicationKind =
  | 'maoi'
  | 'high_dose_benzodiazepine'
  | 'psychosis_history'
  | 'mania_history'
  | 'uncontrolled_hypertension'
  | 'cardiac_condition'
  | 'pregnancy'
  | 'other';

export interface Clinician {
  name: string;
  credentials: string | null;
  license_number: string | null;
  practice: string | null;
}

/** A threshold of the dosing-day rules (src/rules/thresholds.rs, docs/RULES.md). */
export type ThresholdKey =
  | 'blood_pressure_stop_systolic'
  | 'blood_pressure_stop_diastolic'
  | 'blood_pressure_warn_systolic'
  | 'blood_pressure_warn_diastolic'
  | 'spo2_stop_below'
  | 'spo2_warn_below'
  | 'sedation_stop_at_or_below'
  | 'sedation_warn_at_or_below'
  | 'observation_minutes';

/** One row of the thresholds table, with the value the vault's rules use. */
export interface Threshold {
  key: ThresholdKey;
  label: string;
  unit: string;
  default: number;
  min: number;
  max: number;
  source: string;
  value: number;
}

export interface Prescriber {
  name: string;
  organization: string | null;
  dose_min_mg: number;
  dose_max_mg: number;
  route: Route;
  prescribed_on: DateText | null;
  next_medical_follow_up: DateText | null;
}

export interface Contraindication {
  kind: ContraindicationKind;
  present: boolean;
  note: string;
  noted_on: DateText | null;
}

export interface Screening {
  screened_on: DateText;
  mid_completed: boolean;
  notes: string;
  contraindications: Contraindication[];
  medications: string;
  allergies: string;
}

export interface ClientProfile {
  id: Id;
  display_name: string;
  full_name: string | null;
  date_of_birth: DateText | null;
  pronouns: string | null;
  notes: string;
  created_at: Timestamp;
  archived: boolean;
  prescriber: Prescriber | null;
  screening: Screening | null;
  planned_dosing_sessions: number | null;
  consent_signed_on: DateText | null;
}

export interface Position {
  x: number;
  y: number;
}

export interface Part {
  id: Id;
  name: string;
  role: PartRole;
  description: string;
  age_sense: string | null;
  fears: string;
  positive_intent: string;
  burdens: string;
  body_location: string | null;
  status: PartStatus;
  first_noticed: DateText | null;
  position: Position | null;
  /** Added after v1 (issue 11): absent when no step is recorded. */
  unburdening?: UnburdeningStep[];
}

// Unburdening, recorded as steps (added after v1, src/records/mod.rs).
/** The steps in the order they usually happen; "redo" and "retrieval" are two ways of the second step. */
export const UNBURDENING_STEP_KINDS = ['witnessing', 'redo', 'retrieval', 'unburdening', 'invitation', 'protector_check'] as const;
export type UnburdeningStepKind = (typeof UNBURDENING_STEP_KINDS)[number];
/** What a burden is released to: the core's `Element` (named otherwise here, since `Element` is the DOM's). */
export const RELEASE_ELEMENTS = ['light', 'water', 'earth', 'fire', 'air', 'other'] as const;
export type ReleaseElement = (typeof RELEASE_ELEMENTS)[number];

export interface UnburdeningStep {
  id: Id;
  kind: UnburdeningStepKind;
  on: DateText;
  /** The session in which it happened: one of the client's sessions. */
  session: Id;
  /** What happened. */
  note: string;
  /** Only on an "unburdening" step: what was released. */
  released?: string | null;
  /** Only on an "unburdening" step: what it was released to. */
  released_to?: ReleaseElement | null;
  /** Only on an "invitation" step: the qualities taken in. */
  qualities?: string | null;
}

/** A named cluster of parts (a host's inner family, say); a part is in at most one group. */
export interface PartGroup {
  id: Id;
  name: string;
  parts: Id[];
  /** Layout, not history: absent when unfolded. */
  folded?: boolean;
}

export interface Relationship {
  id: Id;
  from_part: Id;
  to_part: Id;
  kind: RelationshipKind;
  note: string;
}

export interface Agreement {
  id: Id;
  text: string;
  made_on: DateText;
  parts: Id[];
}

export interface Addendum {
  at: Timestamp;
  text: string;
}

export interface Intention {
  id: Id;
  text: string;
  part: Id | null;
}

export interface CheckInResponse {
  part: Id;
  signal: Signal;
  concerns: string;
  requests: string;
}

export interface CheckIn {
  at: Timestamp;
  responses: CheckInResponse[];
  decision: Decision;
  decision_note: string;
}

export interface Dose {
  mg: number;
  route: Route;
  administered_at: Timestamp;
  booster_mg: number | null;
  /** Added after v1: absent when not recorded. */
  lot_number?: string | null;
}

export interface TimelineNote {
  at: Timestamp;
  text: string;
}

export interface Observations {
  parts_present: Id[];
  flooding_signs: FloodingSign[];
  blood_pressure_pre: string | null;
  blood_pressure_post: string | null;
  notes: string;
  heart_rate_pre: number | null;
  heart_rate_post: number | null;
  timeline: TimelineNote[];
}

export const SELF_ENERGY_QUALITIES = [
  'calm',
  'clarity',
  'compassion',
  'curiosity',
  'confidence',
  'courage',
  'creativity',
  'connectedness',
] as const;
export type SelfEnergyQuality = (typeof SELF_ENERGY_QUALITIES)[number];
export type SelfEnergy = Record<SelfEnergyQuality, number | null>;

export interface IntentionReflection {
  intention: Id;
  reflection: string;
}

export interface Integration {
  dosing_session: Id | null;
  insights: string;
  parts_encountered: Id[];
  messages: string;
  intention_reflections: IntentionReflection[];
  self_energy: SelfEnergy;
  commitments: string;
}

// The dosing day, added after v1 (src/records/mod.rs): each property is absent when empty.
export const SUBSTANCES = ['benzodiazepine', 'opioid', 'alcohol', 'cannabis', 'stimulant', 'maoi', 'other'] as const;
export type Substance = (typeof SUBSTANCES)[number];

export interface PreDose {
  checked_at: Timestamp;
  hours_fasted?: number | null;
  substances_today?: Substance[];
  /** Who takes the client home. */
  ride_home?: string | null;
  notes?: string;
}

export interface Reading {
  at: Timestamp;
  systolic?: number | null;
  diastolic?: number | null;
  heart_rate?: number | null;
  spo2?: number | null;
  /** MOAA/S, 5 (alert) down to 0. */
  sedation?: number | null;
  /** The six CADSS-6 items, each 0–4 or null; absent when none was asked. */
  dissociation_items?: (number | null)[];
  note?: string;
}

export interface Discharge {
  at: Timestamp;
  alert_and_oriented?: boolean | null;
  walking_steadily?: boolean | null;
  vitals_near_baseline?: boolean | null;
  /** Who the client left with. */
  left_with?: string | null;
  notes?: string;
}

export const ADVERSE_EVENT_KINDS = [
  'nausea',
  'vomiting',
  'hypertension',
  'hypotension',
  'tachycardia',
  'desaturation',
  'oversedation',
  'agitation',
  'panic',
  'fall',
  'other',
] as const;
export type AdverseEventKind = (typeof ADVERSE_EVENT_KINDS)[number];
export type AdverseEventSeverity = 'mild' | 'moderate' | 'severe';

export interface AdverseEvent {
  id: Id;
  at: Timestamp;
  kind: AdverseEventKind;
  severity: AdverseEventSeverity;
  /** What was done about it. */
  action?: string | null;
}

export interface Session {
  id: Id;
  kind: SessionKind;
  starts_at: Timestamp;
  duration_minutes: number | null;
  setting: Setting;
  status: SessionStatus;
  note: string;
  signed_at: Timestamp | null;
  addenda: Addendum[];
  intentions: Intention[];
  safety_plan: string;
  support_person: string | null;
  checkin: CheckIn | null;
  dose: Dose | null;
  observations: Observations | null;
  integration: Integration | null;
  psychotherapy_note: boolean;
  pre_dose?: PreDose | null;
  /** In time order: the core refuses a reading earlier than the one before it. */
  monitoring?: Reading[];
  discharge?: Discharge | null;
  adverse_events?: AdverseEvent[];
}

export interface Measure {
  id: Id;
  instrument: 'PHQ-9' | 'GAD-7' | 'PCL-5' | 'DES-II' | 'WHO-5' | 'EBI' | 'MEQ-30';
  taken_on: DateText;
  answers: (number | null)[];
  session: Id | null;
  safety_follow_up: { at: Timestamp; note: string } | null;
}

export interface Client extends ClientProfile {
  parts: Part[];
  relationships: Relationship[];
  agreements: Agreement[];
  sessions: Session[];
  measures: Measure[];
  /** Added after v1: absent when the client has no groups. */
  groups?: PartGroup[];
  /** Added after v1: absent when the vault keeps no history for this client. */
  map_history?: MapHistory | null;
}

// The map's history (issue 11): whole records as they were from `at` on.
export type MapRecordKind = 'part' | 'relationship' | 'agreement' | 'group';
export type MapVersion =
  | { at: Timestamp; part: Part }
  | { at: Timestamp; relationship: Relationship }
  | { at: Timestamp; agreement: Agreement }
  | { at: Timestamp; group: PartGroup }
  | { at: Timestamp; removed: { kind: MapRecordKind; id: Id } };

export interface MapHistory {
  /** When the history starts: nothing earlier can be shown. */
  since: Timestamp;
  versions: MapVersion[];
}

/** A client's whole parts map, as the map screen loads it. */
export interface PartsMap {
  parts: Part[];
  relationships: Relationship[];
  agreements: Agreement[];
  groups: PartGroup[];
  /** When the history starts; null when there is none. */
  history_since: Timestamp | null;
}

/** The map as it stood at the end of `date`, read-only. */
export interface MapOnDay {
  date: DateText;
  history_since: Timestamp;
  /** True when `date` is before the history starts: the lists are then empty. */
  before_history: boolean;
  parts: Part[];
  relationships: Relationship[];
  agreements: Agreement[];
  groups: PartGroup[];
}

export type MapChangeKind =
  | 'part_added'
  | 'part_removed'
  | 'part_changed'
  | 'relationship_added'
  | 'relationship_removed'
  | 'relationship_changed'
  | 'group_added'
  | 'group_removed'
  | 'group_changed';

export interface MapChange {
  kind: MapChangeKind;
  part: Id | null;
  relationship: Id | null;
  group: Id | null;
  /** One plain sentence, worded by the core (the same in the app and in PDFs). */
  words: string;
}

export interface MapComparison {
  from: MapOnDay;
  to: MapOnDay;
  changes: MapChange[];
}

// A part's story (issue 11): every session and change that names it, newest first.
export type StoryKind =
  | 'check_in'
  | 'journey'
  | 'integration'
  | 'intention'
  | 'agreement'
  | 'unburdening_step'
  | 'first_recorded'
  | 'renamed'
  | 'role_changed'
  | 'status_changed'
  | 'relationship_gained'
  | 'relationship_lost'
  | 'group_changed';

export interface StoryEntry {
  on: DateText;
  kind: StoryKind;
  session: Id | null;
  session_kind: SessionKind | null;
  agreement: Id | null;
  /** A check-in's answer. */
  signal: Signal | null;
  /** One plain sentence, worded by the core. */
  words: string;
}

export interface PartStory {
  part: Part;
  client_id: Id;
  /** When the map's history starts; changes before it are not known. */
  history_since: Timestamp | null;
  /** Newest first. */
  entries: StoryEntry[];
}

export interface SearchHit {
  client_id: Id;
  client_name: string;
  kind: 'client' | 'part' | 'relationship' | 'agreement' | 'session' | 'measure' | 'group';
  record_id: Id;
  field: string;
  snippet: string;
}

export interface NoteRevision {
  id: Id;
  saved_at: Timestamp;
  note: string;
}

export interface DoseAssessment {
  total_mg: number;
  band: 'psycholytic' | 'psychedelic' | 'outside_bands';
  within_prescribed_range: boolean | null;
  warning: string | null;
}

/** What the front end may change. The backup folder is not here: the shell chooses it
 * in the system's folder dialog (see BackupStatus for where backups go). */
export interface Preferences {
  theme: 'light' | 'dark' | 'dim';
  auto_lock_minutes: number;
  backup_every_minutes: number;
  /** The paper PDFs are laid out for. */
  paper: 'a4' | 'letter';
  /** A calm visual reminder on the monitoring step when a reading is due (off by default). */
  reading_reminder: boolean;
  /** Minutes between readings during a dosing session (5–60). */
  reading_every_minutes: number;
  /** The spell-check language (an installed dictionary's name, as en_US), or 'off';
   * null (before the shell has said) keeps the stored one. */
  spelling: string | null;
}

/** The preferences as the shell reports them, with the spelling languages installed
 * (never sent back). */
export interface PreferencesShown extends Preferences {
  spelling_languages: string[];
}

export interface BackupStatus {
  /** Where automatic backups go, for the clinician to read. */
  folder: string;
  /** The default folder in the data directory. */
  default_folder: boolean;
  last_backup_at: string | null;
  stale: boolean;
}

export interface AppStatus {
  vault_exists: boolean;
  unlocked: boolean;
  vault_path: string;
  /** The full check after this unlock, once it has finished. */
  verification: Verification | null;
  /** End-to-end test builds only: a longer autosave pause. */
  autosave_delay_ms: number | null;
}

/** One thing the full check found wrong, in a plain sentence. */
export interface Problem {
  /** The record concerned, as `table/id`, when there is one. */
  record: string | null;
  message: string;
}

/** The outcome of the full check the shell runs in the background after unlock. */
export interface Verification {
  /** When it finished, in milliseconds since 1970. */
  checked_at_ms: number;
  records_checked: number;
  /** Empty when everything is intact. */
  problems: Problem[];
  /** Why the check could not run to its end, when it could not. */
  could_not_check: string | null;
}

export type Instrument = Measure['instrument'];

/** What the core says about an instrument's items (src/measures.rs). */
export interface InstrumentItems {
  /** The short topic of each item, item 1 first. */
  topics: string[];
  item_max: number;
  /** The step between answers: 10 on DES-II, 1 elsewhere. */
  item_step: number;
  max_score: number;
  /** WHO-5 only: a higher score is better. */
  higher_is_better: boolean;
}

export interface Finding {
  severity: 'stop' | 'warn' | 'note';
  code: string;
  client_id: Id;
  /** 'part': a finding about a part (the unburdened exile whose protectors are due a check-in). */
  subject: 'client' | 'session' | 'measure' | 'part';
  record_id: Id;
  message: string;
}

export interface Score {
  instrument: Instrument;
  score: number | null;
  complete: boolean;
  skipped_items: number[];
  band: string | null;
  clusters: { cluster: string; items: string; score: number | null }[];
  safety_item_positive: boolean;
  /** MEQ-30 only: each subscale's mean (0–5) and share of its maximum; null when an item of it was skipped. */
  subscales: { subscale: string; items: number[]; mean: number | null; percent_of_max: number | null; reaches_criterion: boolean | null }[];
  /** MEQ-30 only, when every item is answered. */
  complete_mystical_experience: boolean | null;
}

export interface Course {
  dosing_sessions_done: number;
  planned_dosing_sessions: number | null;
  checkins: number;
  held_off: number;
  held_off_by: { part_id: Id; name: string; times: number }[];
  doses: { session_id: Id; starts_at: Timestamp; total_mg: number; band: DoseAssessment['band']; flooding: boolean }[];
  next_medical_follow_up: DateText | null;
  measures: { measure_id: Id; instrument: Instrument; taken_on: DateText; score: Score; safety_follow_up_recorded: boolean }[];
  findings: Finding[];
}

export interface Charts {
  measures: string | null;
  doses: string | null;
  self_energy: string | null;
  protectors: string | null;
}

export type AuditAction =
  | 'vault_created'
  | 'audit_started'
  | 'unlocked'
  | 'failed_unlocks'
  | 'created'
  | 'updated'
  | 'deleted'
  | 'signed'
  | 'addendum'
  | 'note_restored'
  | 'imported'
  | 'exported'
  | 'document_written'
  | 'backup_taken'
  | 'restored'
  | 'passphrase_changed'
  | 'recovery_key_replaced'
  | 'data_key_rotated'
  | 'secrets_replaced'
  | 'baseline'
  | 'resealed'
  | 'upgraded';

/** One entry of the audit trail (no clinical text: ids, a hash, short details). */
export interface AuditRow {
  position: number;
  at: Timestamp;
  last_at: Timestamp;
  action: AuditAction;
  label: string;
  record_kind: string | null;
  record_id: Id | null;
  client_id: Id | null;
  content_sha256: string | null;
  count: number;
  detail: string | null;
}

export interface AuditView {
  /** Newest first. */
  entries: AuditRow[];
  /** Empty when the chain is whole. */
  problems: string[];
}

export type DocumentKind = 'session_note' | 'prep_sheet' | 'client_record';
