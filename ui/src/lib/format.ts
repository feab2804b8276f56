// Dates and times as the clinician reads and types them. Timestamps keep the offset
// they were written with; new ones carry the computer's local offset.

import type { Route, SessionKind, SessionStatus, Timestamp } from './types';

function pad(n: number, width = 2): string {
  return String(Math.trunc(Math.abs(n))).padStart(width, '0');
}

/** The local offset of `date`, as ±HH:MM. */
export function offsetOf(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  return `${sign}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

/** `date` as an RFC 3339 timestamp in local time with its offset, to the second. */
export function toTimestamp(date: Date): Timestamp {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${offsetOf(date)}`
  );
}

export function nowTimestamp(): Timestamp {
  return toTimestamp(new Date());
}

/** Today's date as YYYY-MM-DD in local time. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The wall-clock part of a timestamp, for a datetime-local input (YYYY-MM-DDTHH:MM). */
export function toLocalInput(timestamp: Timestamp): string {
  return timestamp.slice(0, 16);
}

/** A datetime-local value back to a timestamp, keeping `offset` (the session's own). */
export function fromLocalInput(value: string, offset: string): Timestamp | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  return `${value}:00${offset}`;
}

/** The offset a timestamp was written with (±HH:MM). */
export function offsetOfTimestamp(timestamp: Timestamp): string {
  const match = /([+-]\d{2}:\d{2})$/.exec(timestamp);
  return match ? match[1] : offsetOf(new Date());
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "30 Apr 2026, 14:00" in the timestamp's own offset (no conversion). */
export function formatWhen(timestamp: Timestamp): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(timestamp);
  if (!m) return timestamp;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}, ${m[4]}:${m[5]}`;
}

/** "30 Apr 2026". */
export function formatDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

export const KIND_LABELS: Record<SessionKind, string> = {
  consultation: 'Consultation',
  preparation: 'Preparation',
  dosing: 'Dosing',
  integration: 'Integration',
  therapy: 'Therapy',
};

export const STATUS_LABELS: Record<SessionStatus, string> = {
  planned: 'Planned',
  completed: 'Completed',
  held_off: 'Held off',
  cancelled: 'Cancelled',
};

/** Milligrams without a needless fraction: 100 mg, 12.5 mg. */
export function formatMg(mg: number): string {
  return `${Number.isInteger(mg) ? mg.toFixed(0) : String(mg)} mg`;
}

export const ROUTE_LABELS: Record<Route, string> = {
  sublingual: 'Sublingual',
  oral: 'Oral',
  intramuscular: 'Intramuscular',
  intravenous: 'Intravenous',
  intranasal: 'Intranasal',
};

/** A moment (milliseconds since 1970) in local time: "14:05" today, else "30 Apr 2026, 14:05". */
export function formatMoment(ms: number, now: Date = new Date()): string {
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? time : `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${time}`;
}
