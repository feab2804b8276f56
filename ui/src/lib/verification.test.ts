import { describe, expect, it } from 'vitest';
import { fullSentence, shortLine, toneOf } from './verification';

const at = new Date(2026, 10, 29, 14, 5).getTime();
const now = new Date(2026, 10, 29, 18, 0);

describe('the outcome of the check after unlock', () => {
  it('is calm when everything is intact', () => {
    const clean = { checked_at_ms: at, records_checked: 1234, problems: [], could_not_check: null };
    expect(toneOf(clean)).toBe('ok');
    expect(shortLine(clean, now)).toBe('Checked 1234 records at 14:05, all intact');
  });

  it('counts the problems and says what to do', () => {
    const problem = { record: 'audit_entries', message: 'The session s1 is not the version audit entry 9 recorded: it was rolled back or replaced.' };
    const damaged = { checked_at_ms: at, records_checked: 40, problems: [problem], could_not_check: null };
    expect(toneOf(damaged)).toBe('problems');
    expect(shortLine(damaged, now)).toBe('1 problem found in this vault');
    expect(fullSentence(damaged, now)).toContain('kapnotes found 1 problem in this vault');
    expect(fullSentence(damaged, now)).toContain('Restore the newest backup that verifies');
    expect(fullSentence(damaged, now)).toContain('nothing can be changed');
  });

  it('says so when the check could not finish', () => {
    const unchecked = { checked_at_ms: at, records_checked: 0, problems: [], could_not_check: 'The vault file was replaced while it was open; lock and unlock it again.' };
    expect(toneOf(unchecked)).toBe('unchecked');
    expect(fullSentence(unchecked, now)).toContain('could not finish checking');
  });
});
