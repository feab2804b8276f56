// The outcome of the full check the shell runs after unlock, in the clinician's words:
// calm when all is intact, plain about what to do when it is not.

import { formatMoment } from './format';
import type { Verification } from './types';

export type VerificationTone = 'ok' | 'problems' | 'unchecked';

export function toneOf(outcome: Verification): VerificationTone {
  if (outcome.could_not_check) return 'unchecked';
  return outcome.problems.length === 0 ? 'ok' : 'problems';
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One line for the top bar. */
export function shortLine(outcome: Verification, now?: Date): string {
  switch (toneOf(outcome)) {
    case 'ok':
      return `Checked ${plural(outcome.records_checked, 'record', 'records')} at ${formatMoment(outcome.checked_at_ms, now)}, all intact`;
    case 'problems':
      return `${plural(outcome.problems.length, 'problem', 'problems')} found in this vault`;
    case 'unchecked':
      return 'The vault could not be checked';
  }
}

/** The full sentence, for the notice and the audit view. */
export function fullSentence(outcome: Verification, now?: Date): string {
  const when = formatMoment(outcome.checked_at_ms, now);
  switch (toneOf(outcome)) {
    case 'ok':
      return `Checked ${plural(outcome.records_checked, 'record', 'records')} after unlock (at ${when}): all intact. Every record opens, and each matches its entry in the audit trail.`;
    case 'problems':
      return (
        `kapnotes found ${plural(outcome.problems.length, 'problem', 'problems')} in this vault (checked at ${when}): ` +
        'a record was changed or removed outside kapnotes, or the file is damaged. ' +
        'Until then nothing can be changed or recorded; every record can still be read and exported. ' +
        'Restore the newest backup that verifies (File → Restore a backup…), and keep this vault for inspection.'
      );
    case 'unchecked':
      return `kapnotes could not finish checking this vault: ${outcome.could_not_check}`;
  }
}
