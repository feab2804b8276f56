// Notes save themselves as the clinician types: each change is saved after a short
// pause, and every pending save can be flushed at once (before lock, navigation or
// quit), so nothing typed is lost and there is no Save button to forget.

export type SaveState = 'saved' | 'pending' | 'saving' | 'failed';

export interface Autosaver<T> {
  /** Remember `value` and save it after the pause (a newer value replaces it). */
  schedule(value: T): void;
  /** Save the pending value now, if there is one. */
  flush(): Promise<void>;
  readonly state: SaveState;
  readonly error: string | null;
}

const live = new Set<Autosaver<unknown>>();

let defaultDelayMs = 400;

/** The pause before an autosave. Only end-to-end test builds change it (the shell
 * says so in appStatus), to tell a save made by closing or locking from an autosave. */
export function setAutosaveDelay(ms: number) {
  defaultDelayMs = ms;
}

/** Flushes every autosaver that has something pending. Returns the first save that
 * failed (its message), if one did: what it held is still on screen, not in the vault. */
export async function flushAll(): Promise<string | null> {
  await Promise.all([...live].map((saver) => saver.flush()));
  const failed = [...live].find((saver) => saver.state === 'failed');
  return failed ? (failed.error ?? 'it was refused') : null;
}

export function createAutosaver<T>(
  save: (value: T) => Promise<void>,
  onState: (state: SaveState, error: string | null) => void = () => {},
  delayMs?: number,
): Autosaver<T> & { dispose(): void } {
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  let state: SaveState = 'saved';
  let error: string | null = null;

  const set = (next: SaveState, message: string | null = null) => {
    state = next;
    error = message;
    onState(state, error);
  };

  const run = async () => {
    if (timer) clearTimeout(timer);
    timer = null;
    // Saves run one after another, in order, so an older value never lands last.
    running = running.then(async () => {
      if (!pending) return;
      const { value } = pending;
      pending = null;
      set('saving');
      try {
        await save(value);
        set(pending ? 'pending' : 'saved');
      } catch (e) {
        // Keep the value so the next flush tries again; say plainly that it failed.
        if (!pending) pending = { value };
        set('failed', e instanceof Error ? e.message : String(e));
      }
    });
    await running;
  };

  const saver = {
    schedule(value: T) {
      pending = { value };
      set('pending');
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, delayMs ?? defaultDelayMs);
    },
    flush: () => (pending ? run() : running),
    get state() {
      return state;
    },
    get error() {
      return error;
    },
    dispose() {
      live.delete(saver as Autosaver<unknown>);
    },
  };
  live.add(saver as Autosaver<unknown>);
  return saver;
}
