// How the measure entry offers answers and words the live score. The numbers (topics,
// ranges, scores, bands, subscales) all come from the core; this only says them.
import type { InstrumentItems, Score } from './types';

/** The most answers offered as a list; beyond it (the EBI's 0–100 line) a number field is used. */
const MOST_LISTED_ANSWERS = 11;

/** The answers an item offers, lowest first, or null when a number field suits better. */
export function answerChoices(items: Pick<InstrumentItems, 'item_max' | 'item_step'>): number[] | null {
  const step = Math.max(1, items.item_step);
  const count = Math.floor(items.item_max / step) + 1;
  if (count > MOST_LISTED_ANSWERS) return null;
  return Array.from({ length: count }, (_, i) => i * step);
}

/** An answer typed into a number field: a whole number in range, or null (skipped, or not
 * yet valid: the field itself shows it as invalid and the form will not save). */
export function typedAnswer(text: string, items: Pick<InstrumentItems, 'item_max' | 'item_step'>): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > items.item_max || value % Math.max(1, items.item_step) !== 0) return null;
  return value;
}

/** A score as the app writes it everywhere: whole numbers bare, others to one decimal. */
export function formatScore(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The live score, in three parts so the number can be set in bold. */
export interface ScoreWords {
  lead: string;
  value: string;
  rest: string;
}

/** The words for a score; a string when items were skipped (there is no total then). */
export function scoreWords(score: Score, items: Pick<InstrumentItems, 'max_score' | 'higher_is_better'>): ScoreWords | string {
  if (!score.complete || score.score === null) {
    const n = score.skipped_items.length;
    return `Incomplete: item${n === 1 ? '' : 's'} ${score.skipped_items.join(', ')} skipped, so there is no total.`;
  }
  const value = formatScore(score.score);
  switch (score.instrument) {
    case 'WHO-5':
      return { lead: 'Score', value, rest: ` of ${items.max_score}: ${score.band}. On the WHO-5 a higher score is better.` };
    case 'EBI':
      return { lead: 'Mean', value, rest: ` of ${items.max_score}. The EBI has no cut-off.` };
    case 'MEQ-30': {
      const subscales = score.subscales
        .map((s) => `${s.subscale} ${Math.round(s.percent_of_max ?? 0)} %${s.reaches_criterion ? '' : ' (below 60 %)'}`)
        .join(', ');
      return { lead: 'Mean', value, rest: ` of ${items.max_score}: ${score.band}. Subscales: ${subscales}.` };
    }
    default: {
      const clusters = score.clusters.length ? ` (clusters ${score.clusters.map((c) => `${c.cluster} ${c.score}`).join(', ')})` : '';
      return { lead: 'Score', value, rest: `${score.band ? `: ${score.band}` : ''}${clusters}` };
    }
  }
}
