// Records a clinician can stand behind: PDFs from the session and the client overview
// (written 0600, readable text), and the audit trail per client and for the whole vault,
// including a burst of autosaves as one entry and a failed unlock counted at the next.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, repo, screenshotDir, startApp } from './harness.mjs';

const PASSPHRASE = 'records we can stand behind';
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
  // The clinician, as printed on every page of a document.
  await h.click('button=Settings');
  await h.type('#clinician-name', 'Dr. Robin Hale');
  await h.type('#clinician-credentials', 'PsyD');
  await h.type('#clinician-practice', 'Quiet Harbour Practice');
  await h.click('//form[.//h2[contains(., "printed on documents")]]//button[@type="submit"]');
  await h.waitText('.notices', 'Your details are saved');
  await h.click('button=Clients');
});

after(async () => {
  await app?.stop();
});

/** Clicks a button that writes a PDF to `name`, waits for the notice, and returns the path. */
async function writePdf(button, name) {
  const path = join(app.home, 'files', name);
  nextPath(app.home, path);
  await h.click(`button=${button}`);
  await h.waitText('.notices', name);
  await h.waitText('.notices', 'NOT encrypted');
  return path;
}

/** Checks a written PDF and returns its text. */
function pdfText(path) {
  assert.ok(existsSync(path), `${path} was not written`);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(readFileSync(path).subarray(0, 5).toString(), '%PDF-');
  return execFileSync('pdftotext', [path, '-']).toString();
}

test('the dosing-day sheet and the note are written as PDFs from the session', async () => {
  await h.click('button*=J.R.');
  await h.click('.status-completed.kind-dosing button');
  await h.waitText('h1', 'Dosing session');
  const sheet = await writePdf('Dosing-day sheet (PDF)…', 'sheet.pdf');
  // One page to read, then the blank monitoring table to fill by hand.
  await h.waitText('.notices', '(2 pages)');
  const text = pdfText(sheet);
  for (const expected of ['Dosing-day preparation sheet', 'Let the Planner rest', 'The parts they protect', 'Grounding', 'Dr. Robin Hale, PsyD', 'Monitoring record']) {
    assert.ok(text.includes(expected), `${expected} missing`);
  }
  // Keep a picture of the page itself beside the app's screenshots.
  execFileSync('pdftoppm', ['-r', '80', '-png', '-singlefile', '-f', '1', '-l', '1', sheet, join(screenshotDir, '23-dosing-day-sheet-pdf')]);

  const note = await writePdf('Note as PDF…', 'note.pdf');
  assert.ok(pdfText(note).includes('Soft journey'));
});

test('the full record is written from the overview, psychotherapy notes left out', async () => {
  await h.click('button=Back to client');
  await h.waitText('#records-heading', 'Records');
  const record = await writePdf('Full record as PDF…', 'record.pdf');
  const text = pdfText(record);
  assert.ok(text.includes('Clinical record'));
  assert.ok(text.includes('Audit trail for this client'));
  // The overview draws the protector figure too, from the same SVG as the sheet.
  const figures = await browser.$$('.chart-figure svg');
  assert.ok((await figures[figures.length - 1].getHTML()).includes('protects-line'));
});

test("a burst of autosaves is one entry in the client's audit trail", async () => {
  await h.click('.kind-integration button');
  await h.waitText('h1', 'Integration session');
  for (const text of ['Calmer', 'Calmer this', 'Calmer this week.']) {
    await h.type('#session-note', text);
    await h.saved();
  }
  await h.click('button=Back to client');
  await h.click('//main//button[normalize-space()="Audit trail"]');
  await h.waitText('h1', 'Audit trail · J.R.');
  await h.waitText('.notice.ok', 'The chain is whole');
  const rows = await browser.$$('tbody tr');
  const first = await rows[0].getText();
  assert.match(first, /Edited/);
  assert.match(first, /\d saves, until/);
  const all = await h.text('tbody');
  for (const expected of ['Document written: dosing-day sheet PDF', 'full record PDF, psychotherapy notes left out', 'Imported']) {
    assert.ok(all.includes(expected), `${expected} missing from the trail`);
  }
  await h.shot('22-audit-trail-client');
});

test('a failed unlock is written into the trail at the next unlock', async () => {
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  await h.type('#passphrase', 'somebody guessing');
  await h.click('button=Unlock');
  await h.waitText('[role=alert]', 'passphrase is not right');
  await h.type('#passphrase', PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('h1', 'Clients');
  await h.waitText('.notice.warn', 'tried with a wrong passphrase or recovery key: 1 failed attempt');
  await h.shot('25-failed-unlock-warning');
  await h.click('button=Audit trail');
  await h.waitText('h1', 'Audit trail · whole vault');
  await h.waitText('tbody', 'Failed unlock attempts: 1 failed attempt');
  await h.waitText('tbody', 'Backup taken');
  await h.waitText('tbody', 'Vault created');
  await h.choose('#audit-filter', 'Unlocks, passphrase and keys');
  await h.waitText('.filters', 'shown');
  assert.ok(!(await h.text('tbody')).includes('Imported'), 'the filter hides changes to records');
  await h.choose('#audit-filter', 'Everything');
  await h.shot('24-audit-trail-vault');
});
