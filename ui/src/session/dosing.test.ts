import { describe, expect, it } from 'vitest';
import type { Session } from '../lib/types';
import { clockAt, dissociationTotal, formatDuration, formatSpan, sortReadings, withinBounds } from './dosing';

describe('the dosing day sums', () => {
  it('keeps readings in time order across offsets', () => {
    const readings = [{ at: '2026-05-01T10:30:00+02:00' }, { at: '2026-05-01T08:15:00+00:00' }, { at: '2026-05-01T10:00:00+02:00' }];
    expect(sortReadings(readings).map((r) => r.at)).toEqual([
      '2026-05-01T10:00:00+02:00',
      '2026-05-01T08:15:00+00:00', // 10:15 at +02:00
      '2026-05-01T10:30:00+02:00',
    ]);
  });

  it('totals the CADSS-6 only when all six are answered', () => {
    expect(dissociationTotal([0, 1, 2, 3, 4, 4])).toBe(14);
    expect(dissociationTotal([0, 1, 2, 3, 4, null])).toBeNull();
    expect(dissociationTotal(undefined)).toBeNull();
  });

  it('takes a value only within its bounds', () => {
    expect(withinBounds('40', [40, 300])).toBe(40);
    expect(withinBounds('39', [40, 300])).toBeNull();
    expect(withinBounds('301', [40, 300])).toBeNull();
    expect(withinBounds('120.5', [40, 300])).toBeNull();
    expect(withinBounds('', [40, 300])).toBeNull();
  });

  it('runs the next reading from the last one since the dose', () => {
    const dose = Date.parse('2026-05-01T10:00:00+02:00');
    const session = {
      dose: { mg: 100, route: 'sublingual', administered_at: '2026-05-01T10:00:00+02:00', booster_mg: null },
      monitoring: [{ at: '2026-05-01T09:50:00+02:00' }, { at: '2026-05-01T10:20:00+02:00' }],
    } as unknown as Session;
    const clock = clockAt(session, 15, dose + 40 * 60_000);
    expect(clock.sinceDoseMs).toBe(40 * 60_000);
    expect(clock.nextDueInMs).toBe(-5 * 60_000);
    const none = clockAt({ ...session, monitoring: [] } as Session, 15, dose + 5 * 60_000);
    expect(none.nextDueInMs).toBe(10 * 60_000);
    expect(clockAt({ ...session, dose: null } as Session, 15, dose).sinceDoseMs).toBeNull();
  });

  it('writes spans as hours, minutes and seconds', () => {
    expect(formatSpan(3_909_000)).toBe('1:05:09');
    expect(formatSpan(-59_000)).toBe('0:00:59');
    expect(formatDuration(40 * 60_000 + 59_000)).toBe('40 minutes');
    expect(formatDuration(125 * 60_000)).toBe('2 h 05 min');
  });
});
