import { describe, expect, it } from 'vitest';
import { thresholdValues } from './thresholds';
import type { Threshold } from './types';

const row = (key: Threshold['key'], value: number, dflt: number, min: number, max: number): Threshold => ({
  key,
  label: key,
  unit: 'mmHg',
  default: dflt,
  min,
  max,
  source: 'a source',
  value,
});

describe('thresholds', () => {
  it('sends only the values changed from their defaults', () => {
    const rows = [row('blood_pressure_warn_systolic', 135, 140, 110, 220), row('observation_minutes', 120, 120, 30, 480)];
    expect(thresholdValues(rows)).toEqual({ values: { blood_pressure_warn_systolic: 135 } });
    expect(thresholdValues([row('observation_minutes', 120, 120, 30, 480)])).toEqual({ values: {} });
  });

  it('refuses a value out of its range or not whole, at the edges', () => {
    expect(thresholdValues([row('observation_minutes', 30, 120, 30, 480)])).toEqual({ values: { observation_minutes: 30 } });
    expect(thresholdValues([row('observation_minutes', 29, 120, 30, 480)])).toEqual({
      error: '"observation_minutes" must lie between 30 and 480 mmHg.',
    });
    expect(thresholdValues([row('observation_minutes', 481, 120, 30, 480)])).toHaveProperty('error');
    expect(thresholdValues([row('observation_minutes', 90.5, 120, 30, 480)])).toHaveProperty('error');
    expect(thresholdValues([row('observation_minutes', null as unknown as number, 120, 30, 480)])).toHaveProperty('error');
  });
});
