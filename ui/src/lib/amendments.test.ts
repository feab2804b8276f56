import { describe, expect, test } from 'vitest';
import { addDays, dueInWords, dueOn, latestExtension } from './amendments';
import type { AmendmentRequest } from './types';

const request = (extension?: AmendmentRequest['extension']): AmendmentRequest => ({
  id: 'r',
  received_on: '2026-05-01',
  target: { kind: 'profile_field', field: 'pronouns' },
  requested_change: 'they/them',
  extension,
});

describe('amendment requests in words', () => {
  test('due 60 days after receipt, or on the extension date', () => {
    expect(dueOn(request())).toBe('2026-06-30');
    expect(dueOn(request({ recorded_on: '2026-06-01', reason: 'r', new_due_on: '2026-07-20' }))).toBe('2026-07-20');
    expect(latestExtension(request())).toBe('2026-07-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
  test('how near the due date is', () => {
    expect(dueInWords(request(), '2026-06-18')).toBe('due in 12 days');
    expect(dueInWords(request(), '2026-06-29')).toBe('due tomorrow');
    expect(dueInWords(request(), '2026-06-30')).toBe('due today');
    expect(dueInWords(request(), '2026-07-05')).toBe('overdue since 1 Jul 2026');
  });
});
