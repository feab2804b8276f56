// Nothing is lost if the window is closed mid-sentence: the clinician types, closes the
// window at once (through the window manager, as with the title bar's close button),
// and the words are there after the next unlock.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { freshHome, helpers, startApp } from './harness.mjs';

const PASSPHRASE = 'closing window passphrase';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('text typed just before closing the window is saved', async () => {
  const home = freshHome();
  let app = await startApp(home);
  let h = helpers(app.browser);
  try {
    await h.createVault(PASSPHRASE);
    await h.type('#new-client', 'C.M.');
    await h.click('button=Add client');
    await h.waitText('h1', 'C.M.');
    await (await h.el('#client-notes')).setValue('Typed just before the window closed.');
    // Close at once, before the autosave pause is over.
    execFileSync('wmctrl', ['-c', 'kapnotes']);
    await sleep(4000);
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
    assert.equal(await (await h.el('#client-notes')).getValue(), 'Typed just before the window closed.');
  } finally {
    await app.stop();
  }
});
