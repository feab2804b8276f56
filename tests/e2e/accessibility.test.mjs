// Accessibility checked by an independent tool: axe-core runs on every main screen, in
// the light and the dim-room theme, and any WCAG 2.1 A or AA violation fails the test
// with the rule, the elements and axe's own explanation.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, repo, startApp } from './harness.mjs';

const PASSPHRASE = 'accessibility test passphrase';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const EXAMPLE = JSON.parse(readFileSync(`${repo}/tests/fixtures/interchange/example.json`, 'utf8'));
let app;
let h;
let browser;

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
});

after(async () => {
  await app?.stop();
});

/** axe's violations of WCAG 2.0/2.1 A and AA on the page as it is now, in `theme`. */
async function violations(theme) {
  await browser.execute((t) => {
    document.documentElement.dataset.theme = t;
  }, theme);
  // Let transitions and the repaint finish before colours are read.
  await browser.pause(300);
  await browser.execute(axeSource);
  return browser.executeAsync((done) => {
    window.axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
      .then((result) =>
        done(
          result.violations.map((v) => ({
            rule: v.id,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
            count: v.nodes.length,
          })),
        ),
      )
      .catch((e) => done([{ rule: 'axe-error', help: String(e), nodes: [], count: 1 }]));
  });
}

// Every screen is checked before anything fails, so one run lists all there is to fix.
const found = [];
const checked = [];

/** Checks the current screen in both themes; `name` says which screen it was. */
async function check(name) {
  const original = await browser.execute(() => document.documentElement.dataset.theme);
  for (const theme of ['light', 'dark', 'dim']) {
    for (const v of await violations(theme)) found.push(`[${name}, ${theme}] ${v.rule} (${v.count}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
  }
  checked.push(name);
  await browser.execute((t) => {
    document.documentElement.dataset.theme = t;
  }, original);
}

test('first run and the recovery key', async () => {
  await h.waitText('h1', 'kapnotes', 30_000);
  await check('first run');
  await h.type('#new-passphrase', PASSPHRASE);
  await h.type('#confirm-passphrase', PASSPHRASE);
  await h.click('button=Create the vault');
  await h.el('[data-testid=recovery-key]');
  await check('recovery key');
  await h.click('label*=I have written down the recovery key');
  await h.click('button=Continue');
  await h.waitText('h1', 'Clients');
});

test('clients, a client, the parts map, a session', async () => {
  await h.importDocument(app.home, 'example.json', EXAMPLE);
  await h.waitText('.notices', 'Imported 1 client(s)');
  await check('clients');
  await h.click('button*=J.R.');
  await h.waitText('#course-heading + p', 'dosing session');
  await check('client overview');
  // Findings a clinician can act on and amendment requests (issue 12): their in-place forms.
  await h.click('//ul[@data-testid="open-findings"]//button[starts-with(., "Acknowledge")]');
  await h.el('[data-testid=findings] form.acknowledge');
  await check('acknowledging a finding');
  await h.click('//form[contains(@class, "acknowledge")]//button[.="Cancel"]');
  await h.click('button=Log a request…');
  await h.el('[data-testid=amendments] form');
  await check('logging an amendment request');
  await h.click('//section[@data-testid="amendments"]//form//button[.="Cancel"]');
  // The attachments section with a file listed and shown.
  const png = join(app.home, 'files', 'ecg.png');
  writeFileSync(png, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
  nextPath(app.home, png);
  await h.choose('#attach-kind', 'Lab result or ECG');
  await h.click('button=Attach a file…');
  await h.waitText('.attachment-list', 'ecg');
  await h.click('.view-attachment');
  await h.el('.viewer img');
  await check('attachments');
  await h.click('button=Close');
  await h.click('button=Parts map');
  await h.waitText('h1', 'Parts map');
  await check('parts map');
  await h.click('button=Back to client');
  await h.click('.status-completed.kind-dosing button');
  await h.waitText('main', '100 mg');
  await check('signed dosing session');
  await h.click('button=Back to client');
  await h.click('button=Add session');
  await h.waitText('h1', 'session');
  await check('new session');
  // A note written in a template: its sections as labelled text areas with their prompts.
  await h.choose('#note-template', 'SOAP');
  await h.el('#note-section-3');
  await check('note in a template');
  await h.click('button=Back to client');
});

test('settings, the audit trail, unlock', async () => {
  await h.click('button=Audit trail');
  await h.waitText('h1', 'Audit trail');
  await check('audit trail');
  // A client long past retention, for the disposal confirmation (the example ten years
  // earlier, under other ids).
  const old = readFileSync(`${repo}/tests/fixtures/interchange/example.json`, 'utf8').replaceAll('2026-', '2016-').replaceAll('5b0c8f2e-', '6b0c8f2e-');
  await h.importDocument(app.home, 'old.json', JSON.parse(old));
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button=Settings');
  await h.waitText('h1', 'Settings');
  await check('settings');
  // The templates editor with a custom template of two sections, and the disposal confirmation.
  await h.click('button=New template');
  await h.click('button=Add a section');
  await h.click('button=Dispose of…');
  await h.el('#dispose-passphrase');
  await check('templates editor and disposal confirmation');
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  await check('unlock');
  await h.click('button*=Forgot the passphrase?');
  await h.el('#recovery-key');
  await check('recovery');
});

test('no screen has a violation', () => {
  assert.equal(checked.length, 16, `screens checked: ${checked.join(', ')}`);
  assert.deepEqual(found, [], `axe found violations:\n${found.join('\n')}`);
});
