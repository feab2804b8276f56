import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAutosaver, flushAll } from './autosave';

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves the latest value once after a pause', async () => {
    const saved: string[] = [];
    const saver = createAutosaver<string>(async (v) => void saved.push(v), undefined, 400);
    saver.schedule('a');
    saver.schedule('ab');
    saver.schedule('abc');
    expect(saver.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(400);
    expect(saved).toEqual(['abc']);
    expect(saver.state).toBe('saved');
    saver.dispose();
  });

  it('flushes pending text at once (before lock or quit)', async () => {
    const saved: string[] = [];
    const saver = createAutosaver<string>(async (v) => void saved.push(v));
    saver.schedule('typed just before closing');
    await flushAll();
    expect(saved).toEqual(['typed just before closing']);
    saver.dispose();
  });

  it('says which flush failed, so leaving the screen can be held back', async () => {
    const fine = createAutosaver<string>(async () => {});
    const refused = createAutosaver<string>(async () => {
      throw new Error('A part needs a name.');
    });
    fine.schedule('saved words');
    refused.schedule('');
    expect(await flushAll()).toBe('A part needs a name.');
    refused.dispose();
    fine.schedule('more words');
    expect(await flushAll()).toBeNull();
    fine.dispose();
  });

  it('keeps the text and reports a failed save, then retries on flush', async () => {
    let fail = true;
    const saved: string[] = [];
    const states: string[] = [];
    const saver = createAutosaver<string>(
      async (v) => {
        if (fail) throw new Error('The disk is full.');
        saved.push(v);
      },
      (s) => states.push(s),
    );
    saver.schedule('precious words');
    await saver.flush();
    expect(saver.state).toBe('failed');
    expect(saver.error).toBe('The disk is full.');
    fail = false;
    await saver.flush();
    expect(saved).toEqual(['precious words']);
    expect(states.at(-1)).toBe('saved');
    saver.dispose();
  });

  it('saves in order: an older value never lands after a newer one', async () => {
    const saved: string[] = [];
    const saver = createAutosaver<string>(async (v) => {
      await new Promise((r) => setTimeout(r, v === 'first' ? 50 : 1));
      saved.push(v);
    });
    saver.schedule('first');
    const one = saver.flush();
    await vi.advanceTimersByTimeAsync(1); // the slow save of 'first' is under way
    saver.schedule('second');
    const two = saver.flush();
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([one, two]);
    expect(saved).toEqual(['first', 'second']);
    saver.dispose();
  });
});
