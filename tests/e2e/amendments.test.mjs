// Findings a clinician can act on, and amendment requests (issue 12): the same finding
// on several sessions is one line; acknowledging a warning takes it off the open list
// (and the count of lines changes); a client's request to amend a signed note is logged
// and denied, and the denial goes with the records-request export and the full-record
// PDF.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AUTOSAVE_NEVER_MS, freshHome, helpers, nextPath, startApp } from './harness.mjs';

const PASSPHRASE = 'amendments test passphrase';
let app;
let h;
let browser;

const id = (kind, n) => `00000000-0000-4000-9000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;
const PLANNER = id(1, 1);

function dosing(n, day) {
  return {
    id: id(2, n),
    kind: 'dosing',
    starts_at: `${day}T14:00:00+01:00`,
    duration_minutes: 180,
    status: 'completed',
    note: `Dosing ${n}: the client seemed agitated at first.`,
    signed_at: `${day}T18:00:00+01:00`,
    checkin: { at: `${day}T14:05:00+01:00`, decision: 'proceed', responses: [{ part: PLANNER, signal: 'green' }] },
    dose: { mg: 100, route: 'sublingual', administered_at: `${day}T14:20:00+01:00` },
  };
}

// No consent on file: "No informed consent is on file" for each of the three dosing sessions.
const DOCUMENT = {
  format: 'kapnotes.interchange',
  version: 1,
  exported_at: '2026-06-30T18:00:00+00:00',
  clients: [
    {
      id: id(9, 1),
      display_name: 'A.M.',
      created_at: '2026-02-01T10:00:00+00:00',
      prescriber: { name: 'Dr. Okafor', dose_min_mg: 50, dose_max_mg: 150, route: 'sublingual', prescribed_on: '2026-03-01', next_medical_follow_up: '2026-12-01' },
      parts: [{ id: PLANNER, name: 'Planner', role: 'manager' }],
      relationships: [],
      agreements: [],
      sessions: [dosing(1, '2026-03-10'), dosing(2, '2026-03-24'), dosing(3, '2026-04-07')],
      measures: [],
    },
  ],
};

before(async () => {
  // Autosave held off: a profile edit is saved only by the flush before an amendment's
  // change, which the last test needs to see.
  app = await startApp(freshHome(), { autosaveDelayMs: AUTOSAVE_NEVER_MS });
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  await h.importDocument(app.home, 'amend.json', DOCUMENT);
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button*=A.M.');
  await h.waitText('[data-testid=findings]', 'What needs attention');
});

after(async () => {
  await app?.stop();
});

/** Runs `work` with the dim-room theme on, then puts the theme back. */
async function inDimRoom(work) {
  const original = await browser.execute(() => document.documentElement.dataset.theme);
  await browser.execute(() => (document.documentElement.dataset.theme = 'dim'));
  try {
    await work();
  } finally {
    await browser.execute((t) => (document.documentElement.dataset.theme = t), original);
  }
}

const openLines = async () => {
  const lines = [];
  for (const item of await browser.$$('[data-testid=open-findings] > li[data-code]')) lines.push(await item.getAttribute('data-code'));
  return lines;
};

test('the same finding on three sessions is one line, each session openable', async () => {
  const line = await h.el('[data-testid=findings] li[data-code=consent-missing]');
  await line.waitForDisplayed({ timeout: 10_000 });
  assert.equal(await line.getAttribute('data-count'), '3');
  assert.match(await line.getText(), /No informed consent is on file before 3 dosing sessions\./);
  assert.equal((await line.$$('.records button')).length, 3);
  const codes = await openLines();
  assert.equal(codes.filter((c) => c === 'consent-missing').length, 1);
  await h.shot('findings-grouped');
});

test('acknowledging a warning moves it to its own list, with the reason', async () => {
  const before = await openLines();
  const line = await h.el('[data-testid=findings] li[data-code=consent-missing]');
  await (await line.$('button*=Acknowledge')).click();
  // The reason field takes the focus: typed, then Enter on the button, keyboard only.
  const reason = await h.el('[data-testid=findings] textarea');
  await reason.waitForDisplayed();
  assert.equal(await browser.execute(() => document.activeElement?.tagName), 'TEXTAREA');
  await reason.setValue('Signed on paper at intake; the scan is on its way.');
  await (await (await h.el('[data-testid=findings] form.acknowledge')).$('button[type=submit]')).click();
  await browser.waitUntil(async () => (await openLines()).length > 0 && !(await openLines()).includes('consent-missing'), { timeout: 10_000, timeoutMsg: 'still open' });
  const after = await openLines();
  assert.equal(after.length, before.length - 1);
  await h.waitText('[data-testid=acknowledged]', 'Signed on paper at intake');
  const acknowledged = await browser.$$('[data-testid=acknowledged] li[data-code=consent-missing]');
  assert.equal(acknowledged.length, 3, 'each session acknowledged');
  await h.shot('findings-acknowledged');
  await inDimRoom(() => h.shot('findings-acknowledged-dim'));
  // Re-open one: it comes back to the open list.
  await (await (await h.el('[data-testid=acknowledged] li[data-code=consent-missing]')).$('button=Re-open')).click();
  await browser.waitUntil(async () => (await openLines()).includes('consent-missing'), { timeout: 10_000, timeoutMsg: 'not re-opened' });
});

test('an amendment request is logged, denied, and goes with the record', async () => {
  await h.click('button=Log a request…');
  await h.choose('[data-testid=amendments] select', 0); // the first dosing session's note
  await h.type('[data-testid=amendments] form textarea', 'Please remove the word agitated from my note.');
  await h.shot('amendment-log');
  await h.click('button=Log the request');
  await h.waitText('[data-testid=amendment-request]', 'due in 60 days');
  await h.click('button=Deny…');
  const boxes = await browser.$$('[data-testid=amendment-request] form textarea');
  await boxes[0].setValue('The note is accurate: restlessness was observed and recorded.');
  await boxes[1].setValue('I was calm, not agitated.');
  await boxes[2].setValue('Restlessness at 14:20 is in the readings.');
  await inDimRoom(() => h.shot('amendment-deny-form-dim'));
  await h.click('button=Record the denial');
  await h.waitText('[data-testid=amendment-request]', 'Denied on');
  await h.waitText('[data-testid=amendment-request]', 'I was calm, not agitated.');
  await h.shot('amendment-denied');
  await inDimRoom(() => h.shot('amendment-denied-dim'));

  const exported = join(app.home, 'files', 'request.json');
  nextPath(app.home, exported);
  await h.click('button=Export for a records request…');
  await h.waitText('.notices', 'request.json');
  const request = JSON.parse(readFileSync(exported, 'utf8')).clients[0].amendment_requests[0];
  assert.equal(request.decision.outcome, 'denied');
  assert.equal(request.decision.statement_of_disagreement, 'I was calm, not agitated.');
  assert.equal(request.decision.rebuttal, 'Restlessness at 14:20 is in the readings.');

  const pdf = join(app.home, 'files', 'record.pdf');
  nextPath(app.home, pdf);
  await h.click('button=Full record as PDF…');
  await h.waitText('.notices', 'record.pdf');
  const text = execFileSync('pdftotext', [pdf, '-']).toString().replace(/\s+/g, ' ');
  for (const expected of [
    'Amendment requests (1)',
    'Basis of the denial',
    'The note is accurate: restlessness was observed and recorded.',
    'I was calm, not agitated.',
    'Restlessness at 14:20 is in the readings.',
  ]) {
    assert.ok(text.includes(expected), `${expected} in the PDF`);
  }
});

test('an accepted request corrects the profile field, and a pending edit does not undo it', async () => {
  // An edit still waiting for autosave is saved first, then the correction lands on top.
  await h.type('#full-name', 'Ana M.');
  await h.click('button=Log a request…');
  await h.choose('[data-testid=amendments] select', 'Pronouns');
  await h.type('[data-testid=amendments] form textarea', 'My pronouns are she/her.');
  await h.click('button=Log the request');
  await h.waitText('[data-testid=amendments]', 'due in 60 days');
  await h.click('button=Accept…');
  await h.type('//section[@data-testid="amendments"]//form//input[not(@type="date")]', 'she/her');
  await h.click('button=Accept and amend');
  await h.waitText('[data-testid=amendments]', 'Accepted on');
  await browser.waitUntil(async () => (await (await h.el('#pronouns')).getValue()) === 'she/her', { timeout: 10_000, timeoutMsg: 'pronouns not corrected' });
  assert.equal(await (await h.el('#full-name')).getValue(), 'Ana M.');
});
