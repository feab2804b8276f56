// When the screen locks, what is being typed is saved and the vault locks: the desktop
// says so on the session bus, the shell asks the front end to save and lock, and locks
// anyway after a few seconds.
//
// The app runs with an autosave pause longer than the test, so the words can only have
// been saved by the locking path itself (the front end saving on `lock-requested`), not
// by an autosave that happened to come first.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { AUTOSAVE_NEVER_MS, freshHome, helpers, startApp, writerLockHeld } from './harness.mjs';

const PASSPHRASE = 'the screen locks itself';
const WORDS = 'Typed a moment before the screen locked.';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let app;
let h;

before(async () => {
  app = await startApp(freshHome(), { autosaveDelayMs: AUTOSAVE_NEVER_MS });
  h = helpers(app.browser);
  await h.createVault(PASSPHRASE);
});

after(async () => {
  await app?.stop();
});

test('when the screen locks, what is being typed is saved and the vault locks', async () => {
  await h.type('#new-client', 'S.L.');
  await h.click('button=Add client');
  await h.waitText('h1', 'S.L.');
  await (await h.el('#client-notes')).setValue(WORDS);
  // Not saved, well past the usual 400 ms pause: the autosave waits, and will not fire
  // during this test.
  await sleep(1000);
  assert.equal(await h.saveState(), 'pending');
  assert.ok(writerLockHeld(app.home), 'the unlocked app holds the vault');
  // What a desktop sends on its session bus when the screen locks.
  execFileSync('dbus-send', [
    '--session',
    '--type=signal',
    '/org/freedesktop/ScreenSaver',
    'org.freedesktop.ScreenSaver.ActiveChanged',
    'boolean:true',
  ]);
  await h.waitText('h1', 'kapnotes');
  // The shell really locked (it dropped the vault and its writer lock), not only the
  // screen in front of it.
  const deadline = Date.now() + 10_000;
  while (writerLockHeld(app.home) && Date.now() < deadline) await sleep(100);
  assert.ok(!writerLockHeld(app.home), 'the vault is still open after the screen locked');
  assert.ok(!(await app.exited(0)), 'the app quit instead of locking');

  await h.type('#passphrase', PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('h1', 'Clients');
  await h.click('button*=S.L.');
  await h.waitText('h1', 'S.L.');
  assert.equal(await (await h.el('#client-notes')).getValue(), WORDS, 'the words typed before the screen locked were lost');
});
