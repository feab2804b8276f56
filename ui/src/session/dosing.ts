// The dosing day's small sums, kept apart from the screens so they are tested on their
// own: reading order (the core refuses readings out of time order), the CADSS-6 total,
// and the monitoring clock.

import { SCHEMA_BOUNDS, type Reading, type Session, type Timestamp } from '../lib/types';

/** Milliseconds since 1970 of a timestamp (it carries its offset). */
export function instantOf(at: Timestamp): number {
  return Date.parse(at);
}

/** Sorts readings by time, in place; equal times keep their order. */
export function sortReadings(readings: Reading[]): Reading[] {
  return readings.sort((a, b) => instantOf(a.at) - instantOf(b.at));
}

/** MOAA/S, from alert to no response, in words. */
export const SEDATION_LEVELS: [number, string][] = [
  [5, '5 · alert: answers to their name at once'],
  [4, '4 · slow to answer their name'],
  [3, '3 · answers only to a loud call'],
  [2, '2 · answers only to a prod or shake'],
  [1, '1 · answers only to a painful squeeze'],
  [0, '0 · no answer to a painful squeeze'],
];

/** The CADSS-6 total (0–24), like a measure's score: only when all six items are answered. */
export function dissociationTotal(items: (number | null)[] | undefined): number | null {
  if (!items || items.length !== 6 || items.some((i) => i === null || i === undefined)) return null;
  return (items as number[]).reduce((sum, i) => sum + i, 0);
}

/** Inclusive bounds as `withinBounds` takes them. */
export const range = ({ min, max }: { readonly min: number; readonly max: number }) => [min, max] as const;

/** The bounds of each measured value, as the interchange schema (and so the core) sets them. */
export const BOUNDS = {
  systolic: range(SCHEMA_BOUNDS.reading.systolic),
  diastolic: range(SCHEMA_BOUNDS.reading.diastolic),
  heart_rate: range(SCHEMA_BOUNDS.reading.heart_rate),
  spo2: range(SCHEMA_BOUNDS.reading.spo2),
} as const;
export type Vital = keyof typeof BOUNDS;

/** A typed value as a whole number within `bounds`, or null (empty or out of bounds). */
export function withinBounds(text: string, [low, high]: readonly [number, number]): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isInteger(n) && n >= low && n <= high ? n : null;
}

/** Where the monitoring clock stands at `now`: since the dose, and when the next reading is due. */
export interface Clock {
  sinceDoseMs: number | null;
  /** Negative once a reading is overdue. */
  nextDueInMs: number | null;
}

export function clockAt(session: Session, everyMinutes: number, now: number): Clock {
  const doseAt = session.dose ? instantOf(session.dose.administered_at) : null;
  if (doseAt === null || Number.isNaN(doseAt)) return { sinceDoseMs: null, nextDueInMs: null };
  // The last reading since the dose restarts the interval; before any, it runs from the dose.
  const last = (session.monitoring ?? []).map((r) => instantOf(r.at)).filter((t) => t >= doseAt);
  const from = last.length ? Math.max(...last) : doseAt;
  return { sinceDoseMs: now - doseAt, nextDueInMs: from + everyMinutes * 60_000 - now };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "1:05:09" for a span of time (hours unpadded). */
export function formatSpan(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** "40 minutes" or "2 h 05 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} minutes` : `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

/** The wall-clock time of a timestamp as HH:MM, in its own offset. */
export function timeOf(at: Timestamp): string {
  return at.slice(11, 16);
}
