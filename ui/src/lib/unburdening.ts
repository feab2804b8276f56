// Unburdening as the clinician records it: the steps' names and order, how far a part
// has come, the session a new step defaults to, and the step as the core takes it
// (released and released_to only on an "unburdening" step, qualities only on an
// "invitation" step: the interchange's rule).

import type { PartStatus, ReleaseElement, Session, UnburdeningStep, UnburdeningStepKind } from './types';

export const STEP_LABELS: Record<UnburdeningStepKind, string> = {
  witnessing: 'Witnessing',
  redo: 'Redo',
  retrieval: 'Retrieval',
  unburdening: 'Unburdening',
  invitation: 'Invitation',
  protector_check: 'Check with the protectors',
};

/** What each step is, in a few words (shown beside the kind while recording). */
export const STEP_HINTS: Record<UnburdeningStepKind, string> = {
  witnessing: 'the part shows what happened and feels understood',
  redo: 'the scene is done over, the way it needed to go',
  retrieval: 'the part is taken out of that time and place',
  unburdening: 'the burden is released',
  invitation: 'qualities are invited in to fill the space',
  protector_check: 'the protectors see the change and are asked how they are',
};

export const ELEMENT_LABELS: Record<ReleaseElement, string> = {
  light: 'Light',
  water: 'Water',
  earth: 'Earth',
  fire: 'Fire',
  air: 'Air',
  other: 'Another way',
};

export const PART_STATUS_LABELS: Record<PartStatus, string> = {
  unmet: 'Not yet met',
  getting_to_know: 'Getting to know',
  befriended: 'Befriended',
  unburdened: 'Unburdened',
};

/** The five stages of an unburdening in the order they usually come; redo and retrieval
 * are two ways through the second. */
export const STAGES: { label: string; kinds: UnburdeningStepKind[] }[] = [
  { label: 'Witnessing', kinds: ['witnessing'] },
  { label: 'Redo or retrieval', kinds: ['redo', 'retrieval'] },
  { label: 'Unburdening', kinds: ['unburdening'] },
  { label: 'Invitation', kinds: ['invitation'] },
  { label: 'Protector check', kinds: ['protector_check'] },
];

const STAGE_OF: Record<UnburdeningStepKind, number> = {
  witnessing: 0,
  redo: 1,
  retrieval: 1,
  unburdening: 2,
  invitation: 3,
  protector_check: 4,
};

export interface StageProgress {
  label: string;
  /** The steps recorded for this stage, oldest first (a stage may take more than one session). */
  steps: UnburdeningStep[];
}

/** The steps in the order they happened: by date, and on one day in the order of the stages. */
export function inOrder(steps: readonly UnburdeningStep[]): UnburdeningStep[] {
  return [...steps].sort((a, b) => a.on.localeCompare(b.on) || STAGE_OF[a.kind] - STAGE_OF[b.kind]);
}

/** Each stage with the steps recorded for it. */
export function progress(steps: readonly UnburdeningStep[]): StageProgress[] {
  const ordered = inOrder(steps);
  return STAGES.map((stage) => ({ label: stage.label, steps: ordered.filter((s) => stage.kinds.includes(s.kind)) }));
}

/** How far the part has come, in words: "3 of 5 stages recorded; next: invitation". */
export function progressWords(steps: readonly UnburdeningStep[]): string {
  if (steps.length === 0) return 'No unburdening steps recorded yet.';
  const stages = progress(steps);
  const done = stages.filter((s) => s.steps.length > 0).length;
  const next = stages.find((s) => s.steps.length === 0);
  const count = `${done} of ${stages.length} stages recorded`;
  return next ? `${count}; not yet recorded: ${next.label.toLowerCase()}.` : `${count}.`;
}

/** The session a new step defaults to: the latest that has begun (by its start), else the
 * earliest planned one; null when the client has no session. Cancelled sessions are passed over. */
export function defaultSession(sessions: readonly Session[], now: Date = new Date()): Session | null {
  const usable = sessions.filter((s) => s.status !== 'cancelled');
  const byStart = [...usable].sort((a, b) => instant(a.starts_at) - instant(b.starts_at));
  const begun = byStart.filter((s) => instant(s.starts_at) <= now.getTime());
  return begun.at(-1) ?? byStart[0] ?? null;
}

function instant(timestamp: string): number {
  return new Date(timestamp).getTime();
}

/** The step as the core takes it: what belongs to another kind is left out, blank text is absent. */
export function cleanStep(step: UnburdeningStep): UnburdeningStep {
  const text = (value: string | null | undefined) => (value && value.trim() !== '' ? value : null);
  const cleaned: UnburdeningStep = { id: step.id, kind: step.kind, on: step.on, session: step.session, note: step.note };
  if (step.kind === 'unburdening') {
    const released = text(step.released);
    if (released) cleaned.released = released;
    if (step.released_to) cleaned.released_to = step.released_to;
  }
  if (step.kind === 'invitation') {
    const qualities = text(step.qualities);
    if (qualities) cleaned.qualities = qualities;
  }
  return cleaned;
}

/** A step in one line, for lists and screen readers: "Unburdening on 12 Mar 2026: fear, released to light." */
export function stepSummary(step: UnburdeningStep, formatDate: (date: string) => string): string {
  let detail = '';
  if (step.kind === 'unburdening' && (step.released || step.released_to)) {
    const what = step.released?.trim() || 'the burden';
    detail = step.released_to ? `: ${what}, released to ${step.released_to === 'other' ? 'another element' : step.released_to}` : `: ${what}, released`;
  } else if (step.kind === 'invitation' && step.qualities?.trim()) {
    detail = `: took in ${step.qualities.trim()}`;
  }
  return `${STEP_LABELS[step.kind]} on ${formatDate(step.on)}${detail}.`;
}
