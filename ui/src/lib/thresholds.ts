// The dosing-day thresholds as the Settings screen sends them: only the values that
// differ from their defaults (the vault keeps only those), each a whole number in its
// range. The core checks them again and refuses with the path; this says it first, in
// the screen's words.

import type { Threshold, ThresholdKey } from './types';

export type ThresholdValues = Partial<Record<ThresholdKey, number>>;

/** The values to save, or the one sentence that says what to correct. */
export function thresholdValues(rows: Threshold[]): { values: ThresholdValues } | { error: string } {
  const values: ThresholdValues = {};
  for (const t of rows) {
    // A cleared number input binds `null`; Number(null) would read as 0.
    const value = t.value === null || String(t.value).trim() === '' ? NaN : Number(t.value);
    if (!Number.isInteger(value)) return { error: `Enter a whole number for "${t.label}".` };
    if (value < t.min || value > t.max) return { error: `"${t.label}" must lie between ${t.min} and ${t.max} ${t.unit}.` };
    if (value !== t.default) values[t.key] = value;
  }
  return { values };
}
