// The one place the front end talks to the shell. Every command goes through `call`,
// which turns a failure into an `AppError`: the sentence to show, and a kind only for the
// failures the UI acts on (src-tauri/src/error.rs's `UiErrorKind`; `everyOf` holds the
// two lists equal). The UI never matches on message text.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  Addendum,
  Attachment,
  AttachmentKind,
  AttachmentPage,
  FilesDropped,
  SavedAttachment,
  Instrument,
  InstrumentItems,
  Measure,
  Score,
  Agreement,
  AppStatus,
  AuditView,
  BackupStatus,
  DocumentKind,
  CheckInResponse,
  Client,
  ClientProfile,
  Clinician,
  Decision,
  DateText,
  DoseAssessment,
  ImportSummary,
  MapComparison,
  MapOnDay,
  NoteRevision,
  Overview,
  Acknowledgement,
  AmendmentChange,
  AmendmentDenial,
  AmendmentRequest,
  AmendmentTarget,
  Part,
  PartGroup,
  PartPosition,
  PartsMap,
  PartStory,
  Preferences,
  PreferencesShown,
  Relationship,
  Restored,
  SearchHit,
  Session,
  SessionKind,
  Threshold,
  UnburdeningStep,
  ThresholdKey,
  NoteTemplates,
  RetentionPeriods,
  Retention,
  DisposalPreview,
  Timestamp,
  Verification,
  Written,
  WrittenDocument,
  UiErrorKind,
} from './types';
import { everyOf } from './types';

export const ERROR_KINDS = everyOf<UiErrorKind>()(['locked', 'cancelled', 'not_found', 'wrong_passphrase', 'other']);
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Turns whatever a command rejected with into an AppError. */
export function toAppError(raw: unknown): AppError {
  if (raw && typeof raw === 'object' && 'kind' in raw && 'message' in raw) {
    const { kind, message } = raw as { kind: string; message: string };
    const known = (ERROR_KINDS as readonly string[]).includes(kind) ? (kind as ErrorKind) : 'other';
    return new AppError(known, String(message));
  }
  return new AppError('other', 'Something went wrong inside kapnotes. Nothing was changed; please try again.');
}

async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toAppError(raw);
  }
}

export const ipc = {
  appStatus: () => call<AppStatus>('app_status'),
  createVault: (passphrase: string) => call<string>('create_vault', { passphrase }),
  /** Resolves to the failed attempts made since the last unlock, if any. */
  unlock: (passphrase: string) => call<string | null>('unlock_vault', { passphrase }),
  recover: (recoveryKey: string, newPassphrase: string) =>
    call<string | null>('recover_vault', { recoveryKey, newPassphrase }),
  lock: () => call<void>('lock_vault'),
  changePassphrase: (current: string, next: string) => call<void>('change_passphrase', { current, new: next }),
  quit: () => call<void>('quit_app'),
  regenerateRecoveryKey: (passphrase: string) => call<string>('regenerate_recovery_key', { passphrase }),
  rotateDataKey: (passphrase: string) => call<string>('rotate_data_key', { passphrase }),
  /** New passphrase, new data key and new recovery key at once; resolves to the new recovery key. */
  replaceEverySecret: (current: string, next: string) => call<string>('replace_every_secret', { current, new: next }),

  getPreferences: () => call<PreferencesShown>('get_preferences'),
  setPreferences: (preferences: Preferences) => call<PreferencesShown>('set_preferences', { preferences }),
  getClinician: () => call<Clinician | null>('get_clinician'),
  setClinician: (clinician: Clinician | null) => call<void>('set_clinician', { clinician }),
  getThresholds: () => call<Threshold[]>('get_thresholds'),
  /** Only the values that differ from their defaults need be given: `{}` restores every default. */
  setThresholds: (values: Partial<Record<ThresholdKey, number>>) => call<Threshold[]>('set_thresholds', { values }),
  getNoteTemplates: () => call<NoteTemplates>('get_note_templates'),
  /** `null` brings kapnotes' own templates back. */
  setNoteTemplates: (templates: NoteTemplates | null) => call<NoteTemplates>('set_note_templates', { templates }),
  getRetention: () => call<RetentionPeriods>('get_retention'),
  setRetention: (periods: RetentionPeriods) => call<RetentionPeriods>('set_retention', { periods }),
  pastRetention: () => call<Retention[]>('past_retention'),
  disposalPreview: (clientId: string) => call<DisposalPreview>('disposal_preview', { clientId }),
  /** Deletes every record of a client past retention, signed notes included; asks the passphrase again. */
  disposeClient: (clientId: string, passphrase: string) => call<void>('dispose_client', { clientId, passphrase }),

  listClients: () => call<ClientProfile[]>('list_clients'),
  getClient: (id: string) => call<Client>('get_client', { id }),
  createClient: (displayName: string) => call<ClientProfile>('create_client', { displayName }),
  updateClient: (profile: ClientProfile) => call<void>('update_client', { profile }),
  setClientArchived: (id: string, archived: boolean) => call<void>('set_client_archived', { id, archived }),
  deleteClient: (id: string) => call<void>('delete_client', { id }),
  newId: () => call<string>('new_id'),
  search: (query: string, clientId: string | null) => call<SearchHit[]>('search', { query, clientId }),
  prepareSearch: () => call<void>('prepare_search'),

  createPart: (clientId: string, part: Part) => call<void>('create_part', { clientId, part }),
  updatePart: (part: Part) => call<void>('update_part', { part }),
  setPartPositions: (clientId: string, positions: PartPosition[]) =>
    call<void>('set_part_positions', { clientId, positions }),
  deletePart: (id: string) => call<void>('delete_part', { id }),
  createRelationship: (clientId: string, relationship: Relationship) =>
    call<void>('create_relationship', { clientId, relationship }),
  updateRelationship: (relationship: Relationship) => call<void>('update_relationship', { relationship }),
  deleteRelationship: (id: string) => call<void>('delete_relationship', { id }),
  createAgreement: (clientId: string, agreement: Agreement) => call<void>('create_agreement', { clientId, agreement }),
  updateAgreement: (agreement: Agreement) => call<void>('update_agreement', { agreement }),
  deleteAgreement: (id: string) => call<void>('delete_agreement', { id }),
  /** The whole map in one call: parts, relationships, agreements, groups, and when its history starts. */
  partsMap: (clientId: string) => call<PartsMap>('parts_map', { clientId }),
  createGroup: (clientId: string, group: PartGroup) => call<void>('create_group', { clientId, group }),
  /** Also how a group is folded or unfolded (a fold is layout: it writes no history). */
  updateGroup: (group: PartGroup) => call<void>('update_group', { group }),
  deleteGroup: (id: string) => call<void>('delete_group', { id }),
  /** Adds the step, or replaces the one with the same id; an "unburdening" step sets the
   * part's status to unburdened. Resolves to the part as saved. */
  recordUnburdeningStep: (partId: string, step: UnburdeningStep) =>
    call<Part>('record_unburdening_step', { partId, step }),
  deleteUnburdeningStep: (partId: string, stepId: string) =>
    call<Part>('delete_unburdening_step', { partId, stepId }),
  /** The map as it stood at the end of `date` (read-only); `before_history` when the vault has none then. */
  partsMapOn: (clientId: string, date: DateText) => call<MapOnDay>('parts_map_on', { clientId, date }),
  /** Two days' maps and what changed between them, each change in one sentence. */
  compareMaps: (clientId: string, from: DateText, to: DateText) =>
    call<MapComparison>('compare_parts_maps', { clientId, from, to }),
  /** A part, its unburdening steps, and every session and change that names it, newest first. */
  partStory: (partId: string) => call<PartStory>('part_story', { partId }),

  createSession: (clientId: string, kind: SessionKind, startsAt: Timestamp | null) =>
    call<Session>('create_session', { clientId, kind, startsAt }),
  updateSession: (session: Session) => call<void>('update_session', { session }),
  deleteSession: (id: string) => call<void>('delete_session', { id }),
  signSession: (id: string) => call<Timestamp>('sign_session', { id }),
  addAddendum: (id: string, text: string) => call<Addendum>('add_addendum', { id, text }),
  noteRevisions: (id: string) => call<NoteRevision[]>('note_revisions', { id }),
  restoreNoteRevision: (id: string, revisionId: string) => call<void>('restore_note_revision', { id, revisionId }),
  assessDose: (clientId: string, mg: number, boosterMg: number | null) =>
    call<DoseAssessment>('assess_dose', { clientId, mg, boosterMg }),
  checkinDecision: (responses: CheckInResponse[]) => call<Decision | null>('checkin_decision', { responses }),
  /** The saved session's blood pressure, heart rate and SpO₂ as SVG, the dose marked; null with no readings. */
  sessionVitalsChart: (sessionId: string) => call<string | null>('session_vitals_chart', { sessionId }),

  clientOverview: (clientId: string) => call<Overview>('client_overview', { clientId }),
  /** Acknowledges an open warning or note about each record of a line with the clinician's reason, all or none (a stop is refused). */
  acknowledgeFinding: (clientId: string, code: string, recordIds: string[], reason: string) =>
    call<Acknowledgement[]>('acknowledge_finding', { clientId, code, recordIds, reason }),
  reopenFinding: (clientId: string, acknowledgementId: string) => call<void>('reopen_finding', { clientId, acknowledgementId }),
  logAmendmentRequest: (clientId: string, receivedOn: string, target: AmendmentTarget, requestedChange: string) =>
    call<AmendmentRequest>('log_amendment_request', { clientId, receivedOn, target, requestedChange }),
  extendAmendmentRequest: (clientId: string, requestId: string, recordedOn: string, reason: string, newDueOn: string) =>
    call<AmendmentRequest>('extend_amendment_request', { clientId, requestId, recordedOn, reason, newDueOn }),
  /** Accepts a request, making its change (an addendum, or the corrected field) in the same step. */
  acceptAmendmentRequest: (clientId: string, requestId: string, decidedOn: string, change: AmendmentChange) =>
    call<AmendmentRequest>('accept_amendment_request', { clientId, requestId, decidedOn, change }),
  denyAmendmentRequest: (clientId: string, requestId: string, decidedOn: string, denial: AmendmentDenial) =>
    call<AmendmentRequest>('deny_amendment_request', { clientId, requestId, decidedOn, denial }),
  scoreMeasure: (measure: Measure) => call<Score>('score_measure', { measure }),
  instrumentItems: (instrument: Instrument) => call<InstrumentItems>('instrument_items', { instrument }),
  createMeasure: (clientId: string, measure: Measure) => call<void>('create_measure', { clientId, measure }),
  updateMeasure: (measure: Measure) => call<void>('update_measure', { measure }),
  deleteMeasure: (id: string) => call<void>('delete_measure', { id }),

  backupStatus: () => call<BackupStatus>('backup_status'),
  autoBackup: () => call<string | null>('auto_backup'),
  /** Opens the system's folder dialog (in the shell); resolves to where backups now go. */
  chooseBackupFolder: () => call<BackupStatus>('choose_backup_folder'),
  useDefaultBackupFolder: () => call<BackupStatus>('use_default_backup_folder'),

  importFile: () => call<ImportSummary>('import_file'),
  /** The whole vault's attachments always go with it; a records request's only with `includeAttachments`. */
  exportFile: (clientId: string | null, includePsychotherapyNotes: boolean, includeAttachments = false) =>
    call<Written>('export_file', { clientId, includePsychotherapyNotes, includeAttachments }),
  backupFile: () => call<Written>('backup_file'),
  restoreFile: (passphrase: string) => call<Restored>('restore_file', { passphrase }),

  auditTrail: (clientId: string | null) => call<AuditView>('audit_trail', { clientId }),
  /** `mapThen` (full record only): adds "the system then and now", the map on that day beside today's. */
  writeDocument: (kind: DocumentKind, id: string, includePsychotherapyNotes = false, mapThen: DateText | null = null) =>
    call<WrittenDocument>('write_document', { kind, id, includePsychotherapyNotes, mapThen }),

  listAttachments: (clientId: string) => call<Attachment[]>('list_attachments', { clientId }),
  /** Opens the system's file dialog (in the shell) and attaches the chosen file. */
  attachChosenFile: (clientId: string, sessionId: string | null, kind: AttachmentKind, documentDate: DateText | null, title: string | null) =>
    call<Attachment>('attach_chosen_file', { clientId, sessionId, kind, documentDate, title }),
  /** Attaches the files last dropped on the window: the shell kept their paths. */
  attachDroppedFiles: (clientId: string, sessionId: string | null, kind: AttachmentKind, documentDate: DateText | null) =>
    call<Attachment[]>('attach_dropped_files', { clientId, sessionId, kind, documentDate }),
  discardDroppedFiles: () => call<void>('discard_dropped_files'),
  /** One page as an image in memory (a PDF's page rendered by the core). */
  attachmentPage: (id: string, page: number, width: number) => call<AttachmentPage>('attachment_page', { id, page, width }),
  saveAttachmentFile: (id: string) => call<SavedAttachment>('save_attachment_file', { id }),
  detachAttachment: (id: string) => call<void>('detach_attachment', { id }),
};

/** Files dropped on the window: their names only (the paths stay in the shell). */
export function onFilesDropped(handler: (dropped: FilesDropped) => void): Promise<UnlistenFn> {
  return listen<FilesDropped>('files-dropped', (event) => handler(event.payload));
}

export function onEvent(name: 'vault-locked' | 'app-closing' | 'lock-requested', handler: () => void): Promise<UnlistenFn> {
  return listen(name, handler);
}

/** The full check after unlock has finished (announced once; also in appStatus). */
export function onVerified(handler: (outcome: Verification) => void): Promise<UnlistenFn> {
  return listen<Verification>('vault-verified', (event) => handler(event.payload));
}
