// The app's shared state: lock status, where the clinician is, preferences, and the
// one status message. Locking clears everything decrypted that the UI holds.

import { flushAll, setAutosaveDelay } from './autosave';
import { AppError, ipc } from './ipc';
import type { AppStatus, BackupStatus, DateText, DocumentKind, Preferences, PreferencesShown, Verification } from './types';

export type Screen =
  | { name: 'clients' }
  | { name: 'client'; clientId: string }
  | { name: 'map'; clientId: string }
  | { name: 'session'; clientId: string; sessionId: string }
  | { name: 'part'; clientId: string; partId: string }
  | { name: 'settings' }
  | { name: 'audit'; clientId: string | null };

export interface Notice {
  text: string;
  tone: 'info' | 'warn' | 'error';
}

class AppModel {
  status = $state<AppStatus | null>(null);
  unlocked = $state(false);
  screen = $state<Screen>({ name: 'clients' });
  preferences = $state<Preferences>({
    theme: 'dark',
    auto_lock_minutes: 10,
    backup_every_minutes: 15,
    paper: 'a4',
    reading_reminder: false,
    reading_every_minutes: 15,
    spelling: null,
  });
  /** The spelling languages with a dictionary on this computer, for Settings. */
  spellingLanguages = $state<string[]>([]);
  backup = $state<BackupStatus | null>(null);
  /** The full check the shell runs after unlock; null until it has finished. */
  verification = $state<Verification | null>(null);
  notice = $state<Notice | null>(null);
  /** Bumped on every lock (and after an import) so screens drop what they loaded. */
  generation = $state(0);

  async refreshStatus() {
    const wasUnlocked = this.unlocked;
    this.status = await ipc.appStatus();
    this.unlocked = this.status.unlocked;
    if (this.status.autosave_delay_ms) setAutosaveDelay(this.status.autosave_delay_ms);
    // The check may have finished before its event could be heard.
    if (this.unlocked && this.status.verification) this.verification = this.status.verification;
    // Just unlocked: build the search text in the background (it is not worth an error).
    if (this.unlocked && !wasUnlocked) {
      void ipc.prepareSearch().catch(() => {});
      void this.refreshBackup();
    }
  }

  /** The shell finished the full check after unlock (or after new keys). It drops a
   * check that ends after a lock, so the event may come even before `unlocked` is set. */
  verified(outcome: Verification) {
    this.verification = outcome;
  }

  /** The age of the newest automatic backup (shown in the top bar). */
  async refreshBackup() {
    try {
      this.backup = await ipc.backupStatus();
    } catch {
      this.backup = null;
    }
  }

  /** Takes an automatic backup when one is due (the shell decides). */
  async backupIfDue() {
    try {
      if (await ipc.autoBackup()) await this.refreshBackup();
    } catch (e) {
      this.fail(e);
    }
  }

  async loadPreferences() {
    this.adoptPreferences(await ipc.getPreferences());
  }

  /** Keeps the list of languages apart: the choices go back to the shell as they are,
   * and it refuses anything else. */
  private adoptPreferences({ spelling_languages, ...choices }: PreferencesShown) {
    this.preferences = choices;
    this.spellingLanguages = spelling_languages;
    this.applyTheme();
  }

  applyTheme() {
    document.documentElement.dataset.theme = this.preferences.theme;
  }

  async savePreferences(next: Preferences) {
    this.adoptPreferences(await ipc.setPreferences(next));
  }

  /** Saves what is pending, then shows another screen. When a change could not be
   * saved, the screen stays and says so: leaving would lose it. Asking for the same
   * screen again leaves anyway (a vault that refuses every change must not trap the
   * clinician on one screen). */
  async go(screen: Screen) {
    const failed = await flushAll();
    const sameAsked = JSON.stringify(screen) === this.leavingDespite;
    if (failed && !sameAsked) {
      this.leavingDespite = JSON.stringify(screen);
      this.say(`A change on this screen is not saved. ${failed} Correct it and it saves itself, or choose the same place again to leave without it.`, 'error');
      return;
    }
    this.leavingDespite = null;
    this.notice = null;
    this.screen = screen;
  }
  private leavingDespite: string | null = null;

  /** Opens a part's story (its page): from the map, and wherever a part is named. */
  openPartStory(clientId: string, partId: string) {
    return this.go({ name: 'part', clientId, partId });
  }

  /** Rebuilds the current screen from the vault (after an import, say). */
  refresh() {
    this.generation += 1;
  }

  /** Writes a PDF where the clinician chooses, and says plainly that it is not encrypted. */
  async writeDocument(kind: DocumentKind, id: string, includePsychotherapyNotes = false, mapThen: DateText | null = null) {
    try {
      await flushAll();
      const done = await ipc.writeDocument(kind, id, includePsychotherapyNotes, mapThen);
      const pages = `${done.pages} page${done.pages === 1 ? '' : 's'}`;
      this.say(`Saved ${done.path} (${pages}). This PDF is NOT encrypted: keep it safe and delete it when it is no longer needed.`);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Tells the clinician that someone typed wrong passphrases before this unlock. */
  warnOfFailedUnlocks(failed: string | null) {
    if (failed) {
      this.say(
        `Before this unlock, the vault was tried with a wrong passphrase or recovery key: ${failed}. If that was not you, change the passphrase in Settings. The audit trail keeps the record.`,
        'warn',
      );
    }
  }

  say(text: string, tone: Notice['tone'] = 'info') {
    this.notice = { text, tone };
  }

  fail(error: unknown) {
    const message = error instanceof AppError ? error.message : 'Something went wrong; nothing was changed.';
    this.say(message, 'error');
    if (error instanceof AppError && error.kind === 'locked') this.forget();
  }

  /** Saves what is pending, locks the vault, and forgets everything decrypted. */
  async lock() {
    await flushAll();
    await ipc.lock();
    this.forget();
  }

  /** Called on lock (from here or the `vault-locked` event). */
  forget() {
    this.unlocked = false;
    this.verification = null;
    this.screen = { name: 'clients' };
    this.notice = null;
    this.generation += 1;
    void this.refreshStatus();
  }
}

export const app = new AppModel();
