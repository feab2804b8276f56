// Retention and disposal (issue 12): a client ten years past their last session is
// listed in Settings as past retention; disposing of them asks the passphrase again,
// names the automatic backups that still hold them and says other copies may exist;
// afterwards the client is gone and the audit trail shows the tombstone.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { freshHome, helpers, repo, startApp } from './harness.mjs';

const PASSPHRASE = 'disposal test passphrase';
// The example, ten years earlier: its retention (7 years after the last session) ended in 2023.
const OLD = JSON.parse(readFileSync(`${repo}/tests/fixtures/interchange/example.json`, 'utf8').replaceAll('2026-', '2016-'));
let app;
let h;
let browser;

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  await h.importDocument(app.home, 'old.json', OLD);
  await h.waitText('.notices', 'Imported 1 client(s)');
});

after(async () => {
  await app?.stop();
});

test('a client past retention is disposed of with the passphrase, leaving a tombstone', async () => {
  await h.click('button=Settings');
  await h.waitText('[aria-label="Clients past their retention date"]', 'J.R.');
  await h.waitText('[aria-label="Clients past their retention date"]', 'kept until');
  await h.click('button=Dispose of…');
  await h.waitText('#dispose-heading', 'Dispose of J.R.?');
  // Keyboard users land on the question.
  assert.equal(await browser.execute(() => document.activeElement?.id), 'dispose-heading');
  await h.waitText('[data-testid=dispose]', 'signed notes included');
  await h.waitText('[data-testid=dispose]', 'Other copies may exist');
  await h.waitText('[data-testid=dispose]', 'backups made from the command line');
  await (await h.el('[data-testid=dispose]')).scrollIntoView();
  await browser.execute(() => (document.documentElement.dataset.theme = 'dim'));
  await h.shot('44-disposal-confirmation-dim');
  await browser.execute(() => (document.documentElement.dataset.theme = 'light'));

  // A wrong passphrase deletes nothing.
  await h.type('#dispose-passphrase', 'not the passphrase');
  await h.click('button=Dispose of their records');
  await h.waitText('.notices', 'passphrase');
  await h.click('button=Clients');
  await h.waitText('main', 'J.R.');

  await h.click('button=Settings');
  await h.click('button=Dispose of…');
  await h.type('#dispose-passphrase', PASSPHRASE);
  await h.click('button=Dispose of their records');
  await h.waitText('.notices', 'are disposed of');
  await h.waitText('[aria-label="Clients past their retention date"]', 'No client is past');

  await h.click('button=Clients');
  await h.waitText('h1', 'Clients');
  assert.ok(!(await h.text('main')).includes('J.R.'), 'the client is gone');

  await h.click('button=Audit trail');
  await h.waitText('h1', 'Audit trail');
  await h.waitText('main', 'Disposed of at the end of retention');
  const text = await h.text('main');
  assert.ok(/\d+ sessions/.test(text), 'the tombstone counts the records');
  await h.shot('45-disposal-tombstone');
  // The check after unlock still finds the vault intact without the client.
  await h.click('button=Lock');
  await h.type('#passphrase', PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('header', 'all intact', 30_000);
});
