// What issue 9 asked of the app: the backup folder is chosen by the shell in the
// system dialog (the webview cannot name one); after every unlock the whole vault is
// checked in the background and the outcome shown (calmly when intact, plainly and
// persistently when a record was rolled back behind the app's back); and one action
// replaces the passphrase, the data key and the recovery key together.
// Run in the dim-room theme; screenshots 26–30 (docs/screenshots/ with `make screenshots`).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, repo, startApp, vaultPath } from './harness.mjs';

const PASSPHRASE = 'checked after every unlock';
const NEW_PASSPHRASE = 'somebody overheard the old one';
let app;
let h;
let browser;

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  const example = JSON.parse(readFileSync(join(repo, 'tests/fixtures/interchange/example.json'), 'utf8'));
  await h.importDocument(app.home, 'example.json', example);
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button=Dim room');
});

after(async () => {
  await app?.stop();
});

const preferences = () => JSON.parse(readFileSync(join(app.home, 'config', 'kapnotes', 'preferences.json'), 'utf8'));

async function lockAndUnlock(passphrase) {
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  await h.type('#passphrase', passphrase);
  await h.click('button=Unlock');
  await h.waitText('h1', 'Clients');
}

/** Scrolls the page so `selector` is near the top, for a screenshot. */
async function scrollToTop(selector) {
  await browser.execute((e) => e.scrollIntoView({ block: 'start' }), await h.el(selector));
}

/** Presses a button from the keyboard: focus it, then Enter. */
async function pressWithKeyboard(selector) {
  const button = await h.el(selector);
  await button.waitForClickable({ timeout: 10_000 });
  await browser.execute((b) => b.focus(), button);
  await browser.keys('Enter');
}

test('the backup folder is chosen in the system dialog; the webview cannot name one', async () => {
  await h.click('button=Settings');
  await h.waitText('[data-testid=backup-folder]', '(the default folder)');
  await h.waitText('[data-testid=verification-status]', 'all intact', 30_000);
  // Two folders that do not exist yet: the first automatic backup creates them.
  const folder = join(app.home, 'files', 'practice', 'kapnotes-backups');
  nextPath(app.home, folder);
  await h.click('button=Choose a folder…');
  await h.waitText('[data-testid=backup-folder]', folder);
  await h.waitText('.notices', `Automatic backups now go to ${folder}`);
  assert.equal(preferences().backup_folder, folder);

  // A script in the webview calling the command itself cannot name a folder.
  const answer = await browser.execute(async () => {
    try {
      await window.__TAURI_INTERNALS__.invoke('set_preferences', {
        preferences: { theme: 'dim', auto_lock_minutes: 10, backup_every_minutes: 15, paper: 'a4', backup_folder: '/tmp/elsewhere' },
      });
      return 'accepted';
    } catch (e) {
      return `refused: ${typeof e === 'string' ? e : JSON.stringify(e)}`;
    }
  });
  assert.match(answer, /^refused: .*backup_folder/);
  assert.equal(preferences().backup_folder, folder);
  await scrollToTop('[data-testid=backup-folder]');
  await h.shot('26-settings-backup-folder');

  // Locking takes an automatic backup there; the folders kapnotes made are private.
  await lockAndUnlock(PASSPHRASE);
  assert.ok(readdirSync(folder).some((name) => name.startsWith('kapnotes-backup-')));
  assert.equal(statSync(folder).mode & 0o777, 0o700);
  assert.equal(statSync(join(app.home, 'files', 'practice')).mode & 0o777, 0o700);

  await h.click('button=Settings');
  await pressWithKeyboard('button=Use the default folder');
  await h.waitText('[data-testid=backup-folder]', '(the default folder)');
  assert.equal(preferences().backup_folder, null);
  assert.ok(!(await (await h.el('button=Use the default folder')).isExisting()));
});

test('after unlock the whole vault is checked in the background, calmly when intact', async () => {
  await h.click('button=Clients');
  await h.waitText('[data-testid=verification-status]', 'all intact', 30_000);
  assert.match(await h.text('[data-testid=verification-status]'), /^Checked \d+ records at \d\d:\d\d, all intact$/);
  assert.ok(!(await (await h.el('[data-testid=verification-notice]')).isExisting()));
  await h.click('button=Audit trail');
  await h.waitText('[data-testid=verification-detail]', 'all intact');
  await h.shot('27-verified-intact');
});

test('"someone may know my passphrase" replaces the passphrase and every key at once', async () => {
  await h.click('button=Settings');
  await h.type('#exposed-current', PASSPHRASE);
  await h.type('#exposed-next', NEW_PASSPHRASE);
  await h.type('#exposed-again', NEW_PASSPHRASE);
  // Submitted from the keyboard, as the form allows.
  await browser.keys('Enter');
  const key = await h.text('[data-testid=new-recovery-key]');
  assert.match(key, /^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  await h.waitText('[data-testid=older-copies-warning]', 'Copies made before are not protected');
  await h.waitText('[data-testid=older-copies-warning]', 'still opens with the old passphrase and the old recovery key');
  await scrollToTop('#exposed-heading');
  await h.shot('28-settings-replace-every-secret');
  await h.click('label*=I have written it down');
  await h.click('button=Done');
  await h.waitText('#exposed-heading', 'Someone may know my passphrase');

  // The old passphrase no longer opens the vault; the new one does, and the vault is
  // checked again under its new key.
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  await h.type('#passphrase', PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('[role=alert]', 'passphrase is not right');
  await h.type('#passphrase', NEW_PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('h1', 'Clients');
  await h.waitText('[data-testid=verification-status]', 'all intact', 30_000);
  await h.click('button=Audit trail');
  await h.waitText('tbody', 'Passphrase, data key and recovery key replaced');
});

/** The client row as it is stored now: [id, revision, sealed bytes as hex]. */
function storedClientRow() {
  const out = execFileSync('sqlite3', ['-separator', '|', vaultPath(app.home), 'SELECT id, revision, hex(sealed) FROM clients']).toString().trim();
  const rows = out.split('\n');
  assert.equal(rows.length, 1, out);
  return rows[0].split('|');
}

async function writeClientNotes(text) {
  await h.click('button=Clients');
  await h.click('button*=J.R.');
  await h.waitText('h1', 'J.R.');
  await h.type('#client-notes', text);
  await h.saved();
}

test('a record rolled back to an older sealed copy of itself is flagged in the app', async () => {
  await writeClientNotes('First draft of the notes.');
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  const [id, oldRevision, oldSealed] = storedClientRow();

  await h.type('#passphrase', NEW_PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('h1', 'Clients');
  await writeClientNotes('The notes as they stand.');
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  // Someone with the file, not the passphrase, puts the older copy back: it still
  // opens on its own, so only the audit trail knows better.
  execFileSync('sqlite3', [
    vaultPath(app.home),
    `UPDATE clients SET revision = ${Number(oldRevision)}, sealed = X'${oldSealed}' WHERE id = '${id}'`,
  ]);

  await h.type('#passphrase', NEW_PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('h1', 'Clients');
  await h.waitText('[data-testid=verification-notice]', 'kapnotes found 1 problem in this vault', 30_000);
  await h.waitText('[data-testid=verification-notice]', 'Restore the newest backup that verifies');
  await h.waitText('[data-testid=verification-status]', '1 problem found');
  await h.shot('29-verify-found-a-problem');
  // The notice stays where the clinician goes, and cannot be dismissed.
  await h.click('button=Settings');
  await h.waitText('[data-testid=verification-notice]', 'kapnotes found 1 problem');
  await pressWithKeyboard('button=Show the problems');
  await h.waitText('h1', 'Audit trail · whole vault');
  await h.waitText('[data-testid=verification-problems]', 'rolled back or replaced');
  await h.shot('30-verify-problems-in-audit-trail');

  // Locking forgets the outcome; the next unlock checks again.
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  assert.ok(!(await (await h.el('[data-testid=verification-notice]')).isExisting()));
});
