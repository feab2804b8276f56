// A whole monitored dosing day in the real app, in the dim-room theme: pre-dose checks
// with a baseline reading → check-in → a dose with its lot number → two readings taken
// with "Record now" (one edited, its time moved as if copied from the paper sheet) →
// an adverse event and what was done → discharge → closing note. Then the whole vault
// is exported and read back. Screenshots of the pre-dose, monitoring and discharge steps.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, startApp } from './harness.mjs';

const PASSPHRASE = 'a monitored dosing day';
let app;
let h;
let browser;

const PLANNER = '00000000-0000-4000-9000-000100000001';
const SCROLLER = '00000000-0000-4000-9000-000100000002';

const document = {
  format: 'kapnotes.interchange',
  version: 1,
  exported_at: '2026-06-30T18:00:00+00:00',
  clients: [
    {
      id: '00000000-0000-4000-9000-000900000001',
      display_name: 'M.K.',
      created_at: '2026-02-01T10:00:00+00:00',
      prescriber: { name: 'Dr. Okafor', dose_min_mg: 50, dose_max_mg: 150, route: 'sublingual' },
      parts: [
        { id: PLANNER, name: 'Planner', role: 'manager' },
        { id: SCROLLER, name: 'Scroller', role: 'firefighter' },
      ],
      relationships: [],
      agreements: [],
      sessions: [],
      measures: [],
    },
  ],
};

/** A local date and time `minutes` from now, as a datetime-local input holds it. */
function localInput(minutes) {
  const d = new Date(Date.now() + minutes * 60_000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Sets a date-and-time input (WebDriver cannot type into WebKit's date fields). */
async function setDateTime(selector, value) {
  const e = await h.el(selector);
  await e.waitForDisplayed({ timeout: 10_000 });
  await browser.execute(
    (input, v) => {
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    e,
    value,
  );
}

/** Scrolls `selector` to the top of the window, for a screenshot that starts there. */
async function scrollToTop(selector) {
  await browser.execute((e) => e.scrollIntoView({ block: 'start' }), await h.el(selector));
}

const field = (label, reading) => `[aria-label^="${label}, reading ${reading} at"]`;

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  await h.importDocument(app.home, 'client.json', document);
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button=Dim room');
  await h.click('button*=M.K.');
  await h.choose('#new-kind', 'Dosing');
  await h.click('button=Add session');
  await h.waitText('h1', 'Dosing session');
});

after(async () => {
  await app?.stop();
});

test('pre-dose checks with a baseline reading', async () => {
  await h.waitText('#step-panel', 'Pre-dose checks');
  await h.type('#hours-fasted', '80');
  await h.waitText('#step-panel', 'Between 0 and 72 hours.');
  await h.type('#hours-fasted', '6');
  await h.click('label*=Cannabis');
  await h.type('#ride-home', 'Partner (Sam), picking up at 15:30');
  await h.type('#predose-notes', 'Slept well; light breakfast at 7.');
  await h.click('button=Record the baseline now');
  await setDateTime(field('Time', 1), localInput(-50));
  await h.type(field('Systolic', 1), '128');
  await h.type(field('Diastolic', 1), '82');
  await h.type(field('Heart rate', 1), '72');
  await h.type(field('SpO₂', 1), '98');
  await h.choose(field('Sedation (MOAA/S)', 1), '5 · alert: answers to their name at once');
  await h.saved();
  await scrollToTop('#predose-heading');
  await h.shot('31-dosing-pre-dose-dim');
});

test('check-in with all greens, then the dose with its lot number', async () => {
  await h.click('button=Next: check-in');
  await h.click('button=Begin the check-in');
  for (const part of ['Planner', 'Scroller']) await h.click(`//fieldset[legend[contains(., "${part}")]]//input[@value="green"]`);
  await h.click('button=Next: dose');
  await h.type('#dose-mg', '100');
  await h.waitText('#step-panel', "Within the prescriber's range.");
  await setDateTime('#dose-time', localInput(-40));
  await h.type('#lot-number', 'KX-2291-B');
  await h.saved();
});

test('monitoring: two readings with Record now, one edited, the clock and the chart', async () => {
  await h.click('button=Next: the journey');
  await h.waitText('#monitoring-heading', 'Monitoring');
  // The dose was 40 minutes ago; the reminder is off until the clinician turns it on.
  await browser.waitUntil(async () => /^0:4\d:\d\d$/.test(await h.text('[data-testid=since-dose]')), {
    timeout: 10_000,
    timeoutMsg: 'the clock did not count from the dose',
  });
  // No reading since the dose, which was 40 minutes ago: one is overdue. The calm
  // reminder shows only once turned on, and stays on (a preference, not clinical data).
  await h.waitText('[data-testid=monitoring-clock]', 'Reading due');
  const reminder = await (await h.el('label*=Remind me quietly')).$('input');
  assert.equal(await reminder.isSelected(), false, 'the reminder is off by default');
  assert.equal((await browser.$$('.clock.due')).length, 0);
  await reminder.click();
  await h.waitText('[data-testid=monitoring-clock]', 'A reading is due.');
  assert.equal((await browser.$$('.clock.due')).length, 1);
  await h.click('button=Record now');
  await h.waitText('[data-testid=monitoring-clock]', 'Next reading in');
  assert.equal((await browser.$$('.clock.due')).length, 0);
  await h.click('button=Record now');
  assert.equal((await browser.$$('tbody.reading')).length, 3);
  // The first new reading, copied later from the paper sheet: its time moved back.
  await h.type(field('Systolic', 2), '150');
  await h.type(field('Diastolic', 2), '94');
  await h.type(field('Heart rate', 2), '88');
  await h.type(field('SpO₂', 2), '96');
  await setDateTime(field('Time', 2), localInput(-20));
  await h.type(field('Systolic', 2), '146'); // corrected
  await h.choose(field('Sedation (MOAA/S)', 2), '4 · slow to answer their name');
  // A value outside its bounds is marked and not kept.
  await h.type(field('Systolic', 3), '30');
  assert.equal(await (await h.el(field('Systolic', 3))).getAttribute('aria-invalid'), 'true');
  await h.type(field('Systolic', 3), '126');
  await h.type(field('Diastolic', 3), '80');
  await h.type(field('Heart rate', 3), '76');
  await h.type(field('SpO₂', 3), '97');
  await h.choose(field('Sedation (MOAA/S)', 3), '3 · answers only to a loud call');
  for (const [item, value] of [1, 0, 2, 1, 0, 1].entries()) await h.type(field(`CADSS-6 item ${item + 1}`, 3), String(value));
  await h.waitText('tbody.reading[data-reading="2"] [data-testid=cadss-total]', '5');
  await h.type(field('Note', 3), 'Eyes closed, breathing slow.');
  await h.saved();
  await browser.waitUntil(async () => (await browser.$$('.monitoring-panel .chart-figure svg')).length === 1, {
    timeout: 10_000,
    timeoutMsg: 'the vital-signs chart did not appear',
  });
  await scrollToTop('#monitoring-heading');
  await h.shot('32-dosing-monitoring-dim');
});

test('an adverse event, from the journey step', async () => {
  await h.click('button=Add an adverse event');
  await h.choose('#event-kind-0', 'Nausea');
  await h.choose('#event-severity-0', 'Moderate');
  await h.type('#event-action-0', 'Ondansetron 4 mg under the tongue; settled in ten minutes.');
  await h.saved();
});

test('discharge and the closing note', async () => {
  await h.click('button=Next: discharge');
  await h.click('button=Now');
  await h.waitText('[data-testid=discharge-after]', 'after the dose');
  for (const criterion of ['Alert and oriented', 'Walking steadily', 'Vital signs near the baseline']) {
    await h.click(`//div[@aria-label="${criterion}"]//label[contains(., "Yes")]`);
  }
  await h.type('#left-with', 'Partner (Sam)');
  await h.type('#discharge-notes', 'Steady on the stairs; will text this evening.');
  await h.saved();
  await h.shot('33-dosing-discharge-dim');
  await h.click('button=Next: closing note');
  await h.type('#session-note', 'A gentle session; the Planner let go for a while.');
  await h.click('summary=When, where and status');
  await h.choose('#status', 'Completed');
  await h.saved();
});

test('the whole dosing day was saved: exported and read back', async () => {
  const file = join(app.home, 'files', 'day.json');
  nextPath(app.home, file);
  await h.click('button=File');
  await h.click('button=Export everything…');
  await h.waitText('.notices', 'NOT encrypted');
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  const preferences = JSON.parse(readFileSync(join(app.home, 'config', 'kapnotes', 'preferences.json'), 'utf8'));
  assert.equal(preferences.reading_reminder, true, 'the reminder choice was kept');
  const session = exported.clients[0].sessions.find((s) => s.kind === 'dosing');
  assert.equal(session.status, 'completed');
  assert.equal(session.note, 'A gentle session; the Planner let go for a while.');
  assert.deepEqual(session.pre_dose.substances_today, ['cannabis']);
  assert.equal(session.pre_dose.hours_fasted, 6);
  assert.equal(session.pre_dose.ride_home, 'Partner (Sam), picking up at 15:30');
  assert.equal(session.dose.mg, 100);
  assert.equal(session.dose.lot_number, 'KX-2291-B');
  const readings = session.monitoring;
  assert.equal(readings.length, 3);
  const times = readings.map((r) => Date.parse(r.at));
  assert.deepEqual([...times].sort((a, b) => a - b), times, 'in time order');
  assert.ok(times[0] < Date.parse(session.dose.administered_at), 'the baseline is before the dose');
  assert.deepEqual(
    readings.map((r) => [r.systolic, r.diastolic, r.heart_rate, r.spo2, r.sedation]),
    [
      [128, 82, 72, 98, 5],
      [146, 94, 88, 96, 4],
      [126, 80, 76, 97, 3],
    ],
  );
  assert.deepEqual(readings[2].dissociation_items, [1, 0, 2, 1, 0, 1]);
  assert.equal(readings[2].note, 'Eyes closed, breathing slow.');
  assert.ok(!('dissociation_items' in readings[0]), 'an empty CADSS-6 is left out');
  assert.equal(session.adverse_events.length, 1);
  assert.deepEqual(
    { kind: session.adverse_events[0].kind, severity: session.adverse_events[0].severity, action: session.adverse_events[0].action },
    { kind: 'nausea', severity: 'moderate', action: 'Ondansetron 4 mg under the tongue; settled in ten minutes.' },
  );
  assert.equal(session.discharge.left_with, 'Partner (Sam)');
  assert.equal(session.discharge.alert_and_oriented, true);
  assert.equal(session.discharge.walking_steadily, true);
  assert.equal(session.discharge.vitals_near_baseline, true);
  assert.ok(Date.parse(session.discharge.at) > Date.parse(session.dose.administered_at));
});

test('the session-note PDF holds the whole dosing day', async () => {
  const path = join(app.home, 'files', 'dosing-note.pdf');
  nextPath(app.home, path);
  await h.click('button=Note as PDF…');
  await h.waitText('.notices', 'dosing-note.pdf');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const text = execFileSync('pdftotext', ['-layout', path, '-']).toString().replace(/\s+/g, ' ');
  for (const expected of [
    'Pre-dose checks',
    'Partner (Sam), picking up at 15:30',
    'KX-2291-B',
    'Readings',
    '146/94',
    'Eyes closed, breathing slow.',
    'Discharge',
    'Partner (Sam)',
    'Adverse events',
    'Ondansetron 4 mg under the tongue',
  ]) {
    assert.ok(text.includes(expected), `${expected} missing from the session-note PDF`);
  }
});

test('signed, the note still shows the whole day', async () => {
  await h.click('button=Sign and lock the note');
  await h.click('button=Sign');
  await h.waitText('main', 'Signed on');
  for (const expected of ['Pre-dose checks', 'lot KX-2291-B', 'Readings', '146/94', '3 · answers only to a loud call', 'left with: Partner (Sam)', 'done: Ondansetron']) {
    await h.waitText('main', expected);
  }
});
