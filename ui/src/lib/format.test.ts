import { describe, expect, it } from 'vitest';
import { formatDate, formatMg, formatWhen, fromLocalInput, offsetOfTimestamp, toLocalInput, toTimestamp } from './format';

describe('timestamps', () => {
  it('are written with seconds and the local offset', () => {
    const t = toTimestamp(new Date(2026, 3, 30, 14, 5, 9));
    expect(t).toMatch(/^2026-04-30T14:05:09[+-]\d{2}:\d{2}$/);
  });

  it('round-trip through a datetime-local input keeping their own offset', () => {
    const t = '2026-04-30T14:05:00-07:00';
    expect(toLocalInput(t)).toBe('2026-04-30T14:05');
    expect(fromLocalInput('2026-05-01T09:30', offsetOfTimestamp(t))).toBe('2026-05-01T09:30:00-07:00');
    expect(fromLocalInput('not a time', '+00:00')).toBeNull();
  });

  it('are shown in their own offset, not converted', () => {
    expect(formatWhen('2026-04-30T23:30:00-07:00')).toBe('30 Apr 2026, 23:30');
    expect(formatDate('2026-01-05')).toBe('5 Jan 2026');
  });
});

describe('doses', () => {
  it('drop a needless fraction', () => {
    expect(formatMg(100)).toBe('100 mg');
    expect(formatMg(12.5)).toBe('12.5 mg');
  });
});
