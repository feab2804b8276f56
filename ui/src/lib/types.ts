// Every type the core and the shell send or take is generated from the Rust types
// (./generated/contract.ts, refreshed by `make types`; `make test` fails while it is
// stale), with the dose bands and the core's empty records. What follows is the UI's
// own: the orders the screens list some choices in.

import type { AdverseEventKind, ReleaseElement, SelfEnergy, Substance, UnburdeningStepKind } from './generated/contract';

export * from './generated/contract';

/** `list` as it is, when it names every value of `T`: a value added in Rust and missing
 * here is a type error, not a choice the screen cannot offer. */
export function everyOf<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : never)): L => list;
}

/** The steps in the order they usually happen; "redo" and "retrieval" are two ways of the second step. */
export const UNBURDENING_STEP_KINDS = everyOf<UnburdeningStepKind>()(['witnessing', 'redo', 'retrieval', 'unburdening', 'invitation', 'protector_check']);
/** What a burden is released to: the core's `Element` (named otherwise, since `Element` is the DOM's). */
export const RELEASE_ELEMENTS = everyOf<ReleaseElement>()(['light', 'water', 'earth', 'fire', 'air', 'other']);
export const SUBSTANCES = everyOf<Substance>()(['benzodiazepine', 'opioid', 'alcohol', 'cannabis', 'stimulant', 'maoi', 'other']);
export const ADVERSE_EVENT_KINDS = everyOf<AdverseEventKind>()([
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
]);

export type SelfEnergyQuality = keyof SelfEnergy;
/** The 8 C's in the order IFS names them. */
export const SELF_ENERGY_QUALITIES = everyOf<SelfEnergyQuality>()([
  'calm',
  'clarity',
  'compassion',
  'curiosity',
  'confidence',
  'courage',
  'creativity',
  'connectedness',
]);
