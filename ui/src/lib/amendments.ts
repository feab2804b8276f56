// Amendment requests in words: the due date (60 days after receipt, or the extension's
// date, as the core counts it) and how near it is.
import { AMENDMENT_DUE_DAYS, AMENDMENT_EXTENSION_MAX_DAYS, type AmendmentRequest, type ProfileField } from './types';
import { formatDate } from './format';

export const PROFILE_FIELD_LABELS: Record<ProfileField, string> = {
  display_name: 'Name',
  full_name: 'Full name',
  date_of_birth: 'Date of birth',
  pronouns: 'Pronouns',
  notes: 'Notes',
};

/** `date` (YYYY-MM-DD) plus `days`, as YYYY-MM-DD (calendar days, no time zone). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  const at = (s: string) => {
    const [y, m, d] = s.split('-').map(Number);
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((at(to) - at(from)) / 86_400_000);
}

export function dueOn(request: AmendmentRequest): string {
  return request.extension?.new_due_on ?? addDays(request.received_on, AMENDMENT_DUE_DAYS);
}

/** The latest due date one extension may set. */
export function latestExtension(request: AmendmentRequest): string {
  return addDays(request.received_on, AMENDMENT_DUE_DAYS + AMENDMENT_EXTENSION_MAX_DAYS);
}

/** "due in 12 days", "due tomorrow", "due today", "overdue since 3 June 2026". */
export function dueInWords(request: AmendmentRequest, today: string): string {
  const due = dueOn(request);
  const left = daysBetween(today, due);
  if (left > 1) return `due in ${left} days`;
  if (left === 1) return 'due tomorrow';
  if (left === 0) return 'due today';
  return `overdue since ${formatDate(addDays(due, 1))}`;
}
