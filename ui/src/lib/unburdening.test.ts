import { describe, expect, it } from 'vitest';
import type { Session, UnburdeningStep } from './types';
import { cleanStep, defaultSession, inOrder, progress, progressWords, stepSummary } from './unburdening';

const step = (kind: UnburdeningStep['kind'], on: string, extra: Partial<UnburdeningStep> = {}): UnburdeningStep => ({
  id: `${kind}-${on}`,
  kind,
  on,
  session: 's1',
  note: '',
  ...extra,
});

const session = (id: string, starts_at: string, status: Session['status'] = 'completed') => ({ id, starts_at, status }) as Session;

describe('unburdening steps', () => {
  it('orders steps by date, and on one day by stage', () => {
    const steps = [step('protector_check', '2026-03-10'), step('invitation', '2026-03-10'), step('witnessing', '2026-02-01'), step('unburdening', '2026-03-01')];
    expect(inOrder(steps).map((s) => s.kind)).toEqual(['witnessing', 'unburdening', 'invitation', 'protector_check']);
  });

  it('counts redo and retrieval as one stage, and names the first stage not yet recorded', () => {
    const steps = [step('witnessing', '2026-02-01'), step('retrieval', '2026-02-01'), step('witnessing', '2026-01-20')];
    const stages = progress(steps);
    expect(stages.map((s) => s.steps.length)).toEqual([2, 1, 0, 0, 0]);
    expect(stages[0].steps.map((s) => s.on)).toEqual(['2026-01-20', '2026-02-01']);
    expect(progressWords(steps)).toBe('2 of 5 stages recorded; not yet recorded: unburdening.');
    expect(progressWords([])).toBe('No unburdening steps recorded yet.');
  });

  it('says when every stage is recorded', () => {
    const all = ['witnessing', 'redo', 'unburdening', 'invitation', 'protector_check'] as const;
    expect(progressWords(all.map((k) => step(k, '2026-03-01')))).toBe('5 of 5 stages recorded.');
  });

  it('defaults to the latest session that has begun, passing over cancelled ones', () => {
    const now = new Date('2026-04-01T12:00:00Z');
    const sessions = [
      session('old', '2026-01-10T10:00:00+00:00'),
      session('latest', '2026-03-20T10:00:00+01:00'),
      session('cancelled', '2026-03-25T10:00:00+00:00', 'cancelled'),
      session('planned', '2026-04-20T10:00:00+00:00', 'planned'),
    ];
    expect(defaultSession(sessions, now)?.id).toBe('latest');
    expect(defaultSession([sessions[3]], now)?.id).toBe('planned');
    expect(defaultSession([], now)).toBeNull();
  });

  it('sends released and released_to only on an unburdening step, qualities only on an invitation', () => {
    const released = { released: 'shame', released_to: 'light' as const, qualities: 'joy' };
    expect(cleanStep(step('unburdening', '2026-03-01', released))).toEqual({ ...step('unburdening', '2026-03-01'), released: 'shame', released_to: 'light' });
    expect(cleanStep(step('invitation', '2026-03-01', released))).toEqual({ ...step('invitation', '2026-03-01'), qualities: 'joy' });
    expect(cleanStep(step('witnessing', '2026-03-01', released))).toEqual(step('witnessing', '2026-03-01'));
    // Blank text is absent, not an empty string the interchange would refuse.
    expect(cleanStep(step('unburdening', '2026-03-01', { released: '  ', released_to: undefined }))).toEqual(step('unburdening', '2026-03-01'));
  });

  it('words a step in one line', () => {
    const date = (d: string) => `on-${d}`;
    expect(stepSummary(step('unburdening', '2026-03-01', { released: 'the shame', released_to: 'light' }), date)).toBe(
      'Unburdening on on-2026-03-01: the shame, released to light.',
    );
    expect(stepSummary(step('invitation', '2026-03-02', { qualities: 'playfulness' }), date)).toBe('Invitation on on-2026-03-02: took in playfulness.');
    expect(stepSummary(step('protector_check', '2026-03-02'), date)).toBe('Check with the protectors on on-2026-03-02.');
  });
});
