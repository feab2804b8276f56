// A client built to trip the clinical safety rules: the overview must show the findings
// and the course as pictures; entering a PHQ-9 with item 9 above zero raises a stop
// until a safety follow-up is recorded.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshHome, helpers, startApp } from './harness.mjs';

const PASSPHRASE = 'rules and charts passphrase';
let app;
let h;
let browser;

const id = (kind, n) => `00000000-0000-4000-9000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;
const PLANNER = id(1, 1);
const SCROLLER = id(1, 2);
const CRITIC = id(1, 3);
const LITTLE = id(1, 4);

function dosing(n, day, mg, { asked = [PLANNER, SCROLLER, CRITIC], checkin = true, flooding = [], telehealth = false } = {}) {
  return {
    id: id(2, n),
    kind: 'dosing',
    starts_at: `${day}T14:00:00+01:00`,
    duration_minutes: 180,
    status: 'completed',
    setting: telehealth ? 'telehealth' : 'in_person',
    note: `Dosing ${n}.`,
    signed_at: `${day}T18:00:00+01:00`,
    checkin: checkin
      ? { at: `${day}T14:05:00+01:00`, decision: 'proceed', responses: asked.map((part) => ({ part, signal: 'green' })) }
      : null,
    dose: { mg, route: 'sublingual', administered_at: `${day}T14:20:00+01:00` },
    observations: { parts_present: [LITTLE], flooding_signs: flooding },
  };
}

function integration(n, day, dosingId, energy) {
  return {
    id: id(3, n),
    kind: 'integration',
    starts_at: `${day}T10:00:00+01:00`,
    duration_minutes: 50,
    status: 'completed',
    signed_at: `${day}T11:00:00+01:00`,
    integration: { dosing_session: dosingId, self_energy: energy, insights: 'Integration.' },
  };
}

const energy = (base) => ({
  calm: base, clarity: base - 1, compassion: base + 1, curiosity: base, confidence: base - 2,
  courage: base - 1, creativity: base - 2, connectedness: base,
});

function trippingClient() {
  return {
    format: 'kapnotes.interchange',
    version: 1,
    exported_at: '2026-06-30T18:00:00+00:00',
    clients: [
      {
        id: id(9, 1),
        display_name: 'R.T.',
        created_at: '2026-02-01T10:00:00+00:00',
        planned_dosing_sessions: 6,
        prescriber: {
          name: 'Dr. Okafor', dose_min_mg: 50, dose_max_mg: 150, route: 'sublingual',
          prescribed_on: '2026-03-01', next_medical_follow_up: '2026-04-15',
        },
        screening: {
          screened_on: '2026-02-20',
          contraindications: [{ kind: 'uncontrolled_hypertension', present: true, noted_on: '2026-03-01', note: 'Under review.' }],
        },
        parts: [
          { id: PLANNER, name: 'Planner', role: 'manager' },
          { id: SCROLLER, name: 'Scroller', role: 'firefighter' },
          { id: CRITIC, name: 'Critic', role: 'manager' },
          { id: LITTLE, name: 'Little one', role: 'exile' },
        ],
        relationships: [],
        agreements: [],
        sessions: [
          dosing(1, '2026-03-10', 100, { asked: [PLANNER, SCROLLER], flooding: ['panic'] }),
          integration(1, '2026-03-11', id(2, 1), energy(4)),
          dosing(2, '2026-03-12', 175, { telehealth: true }),
          dosing(3, '2026-05-01', 120, { checkin: false }),
          integration(3, '2026-05-03', id(2, 3), energy(7)),
          { id: id(4, 1), kind: 'therapy', starts_at: '2026-05-20T10:00:00+01:00', status: 'completed', note: 'Unsigned note.' },
        ],
        measures: [
          { id: id(5, 1), instrument: 'PHQ-9', taken_on: '2026-03-01', answers: [3, 2, 3, 2, 2, 2, 2, 2, 0] },
          { id: id(5, 2), instrument: 'PHQ-9', taken_on: '2026-04-01', answers: [2, 2, 2, 1, 1, 2, 1, 1, 0] },
          { id: id(5, 3), instrument: 'PHQ-9', taken_on: '2026-05-10', answers: [1, 1, 1, 0, 1, 1, 0, 0, 0] },
          { id: id(5, 4), instrument: 'GAD-7', taken_on: '2026-03-01', answers: [3, 2, 2, 2, 1, 2, 2] },
          { id: id(5, 5), instrument: 'GAD-7', taken_on: '2026-05-10', answers: [1, 1, 1, 0, 1, 1, 0] },
          { id: id(5, 6), instrument: 'PCL-5', taken_on: '2026-03-01', answers: [3, 3, 2, 3, 3, 2, 3, 1, 2, 2, 3, 2, 2, 1, 2, 1, 3, 3, 2, 3] },
          { id: id(5, 7), instrument: 'DES-II', taken_on: '2026-03-01', answers: [...Array(27).fill(20), null] },
        ],
      },
    ],
  };
}

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  await h.importDocument(app.home, 'rules.json', trippingClient());
  await h.waitText('.notices', 'Imported 1 client(s)');
});

after(async () => {
  await app?.stop();
});

const findingCodes = async () => {
  const items = await browser.$$('[data-testid=findings] [data-code]');
  const codes = [];
  for (const item of items) codes.push(await item.getAttribute('data-code'));
  return codes;
};

test('the overview shows every finding the client trips, stops first', async () => {
  await h.click('button*=R.T.');
  await h.waitText('[data-testid=findings]', 'What needs attention');
  const codes = await findingCodes();
  for (const code of [
    'dosing-completed-without-proceed',
    'checkin-protector-not-asked',
    'dose-outside-prescribed-range',
    'dosing-without-preparation',
    'contraindication-open',
    'consent-missing',
    'telehealth-without-support-person',
    'medical-follow-up-overdue',
    'integration-missing',
    'doses-too-close',
    'dose-raised-after-flooding',
    'note-unsigned',
  ]) {
    assert.ok(codes.includes(code), `missing finding ${code}: ${codes.join(', ')}`);
  }
  assert.equal(codes[0], 'dosing-completed-without-proceed', 'stops come first');
  await h.waitText('.course', 'held off');
  await h.shot('17-findings');
});

test('the course is drawn: measures with bands and dosing marks, doses, Self-energy, protectors', async () => {
  const charts = await browser.$$('.chart-figure svg');
  assert.equal(charts.length, 4);
  const protectors = await charts[3].getHTML();
  for (const name of ['Planner', 'Scroller', 'Critic']) assert.ok(protectors.includes(`>${name}<`), name);
  assert.ok(protectors.includes('green: agrees'), 'the latest answer is written, not only coloured');
  const measures = await charts[0].getHTML();
  for (const panel of ['PHQ-9', 'GAD-7', 'PCL-5', 'DES-II']) assert.ok(measures.includes(`>${panel}<`), panel);
  assert.ok(measures.includes('incomplete (an item was skipped)'));
  assert.ok((await charts[1].getHTML()).includes('dose-bar outside'));
  await charts[0].scrollIntoView();
  await h.shot('18-measure-charts');
  await charts[1].scrollIntoView();
  await h.shot('19-dose-and-self-energy-charts');
  await h.click('button=Dim room');
  await charts[0].scrollIntoView();
  await h.shot('20-charts-dim-room');
  await h.click('button=Dim room');
});

test('a PHQ-9 with item 9 above zero stops until a safety follow-up is recorded', async () => {
  await h.click('button=Add a measure');
  await h.waitText('.measure-form', '9. Thoughts of death or self-harm');
  for (let i = 0; i < 8; i++) await h.choose(`#item-${i}`, '1');
  await h.waitText('[data-testid=measure-score]', 'Incomplete');
  await h.choose('#item-8', '1');
  await h.waitText('[data-testid=measure-score]', 'Score 9: mild');
  await h.waitText('.measure-form [role=alert]', 'Item 9 is above zero');
  await h.shot('21-measure-entry');
  await h.click('button=Save measure');
  await browser.waitUntil(async () => (await findingCodes()).includes('phq9-item9-positive'), {
    timeout: 10_000,
    timeoutMsg: 'no PHQ-9 safety finding',
  });
  const safety = await h.el('//li[@data-code="phq9-item9-positive"]');
  assert.match(await safety.getAttribute('class'), /\bstop\b/);
  // Open it from the finding and record the follow-up.
  await h.click('//li[@data-code="phq9-item9-positive"]//button');
  await h.type('#follow-up-note', 'Safety plan reviewed; no intent; crisis line given.');
  await h.click('button=Record the follow-up');
  await browser.waitUntil(async () => !(await findingCodes()).includes('phq9-item9-positive'), {
    timeout: 10_000,
    timeoutMsg: 'the safety finding did not clear',
  });
});
