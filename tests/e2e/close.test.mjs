// Nothing is lost if the window is closed mid-sentence: the clinician types, closes the
// window at once (through the window manager, as with the title bar's close button),
// the app exits, and the words are there after the next unlock.
//
// The app runs with an autosave pause longer than the test, so the words can only have
// been saved by the closing path itself (the front end saving on `app-closing`), not by
// an autosave that happened to come first.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { AUTOSAVE_NEVER_MS, freshHome, helpers, startApp, writerLockHeld } from './harness.mjs';

const PASSPHRASE = 'closing window passphrase';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const WORDS = 'Typed just before the window closed.';

test('closing the window saves what was just typed, then the app exits', async () => {
  const home = freshHome();
  let app = await startApp(home, { autosaveDelayMs: AUTOSAVE_NEVER_MS });
  let h = helpers(app.browser);
  try {
    await h.createVault(PASSPHRASE);
    await h.type('#new-client', 'C.M.');
    await h.click('button=Add client');
    await h.waitText('h1', 'C.M.');
    await (await h.el('#client-notes')).setValue(WORDS);
    // Not saved, well past the usual 400 ms pause: the autosave waits, and will not fire
    // during this test.
    await sleep(1000);
    assert.equal(await h.saveState(), 'pending');
    assert.ok(writerLockHeld(home), 'the unlocked app holds the vault');
    execFileSync('wmctrl', ['-c', 'kapnotes']);
    // The app itself must be gone, well within the shell's own 3 s fallback plus a
    // margin for a slow machine.
    assert.ok(await app.exited(10_000), `the app (pid ${app.pid}) did not exit after its window was closed`);
    assert.ok(!writerLockHeld(home), 'the vault is released');
  } finally {
    await app.stop();
  }
  app = await startApp(home);
  h = helpers(app.browser);
  try {
    await h.type('#passphrase', PASSPHRASE);
    await h.click('button=Unlock');
    await h.waitText('h1', 'Clients');
    await h.click('button*=C.M.');
    await h.waitText('h1', 'C.M.');
    assert.equal(await (await h.el('#client-notes')).getValue(), WORDS, 'the words typed before closing were lost');
  } finally {
    await app.stop();
  }
});
