// Parts work over time, in the real app: a client imported with months of map history
// (an exile, two protectors that protect it, dosing and integration sessions in the
// past); the clinician records the exile's unburdening over three sessions, from the
// part's story and from a session's screen; the status becomes unburdened; the rules
// ask for the protectors' check-in about it, until a later check-in asks them; and the
// exile's story holds the steps, the check-ins that named it, and says where its
// history starts; the full record's PDF shows the system then and now. Screenshot 36 (a part's story, dim room) goes to docs/screenshots/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, startApp } from './harness.mjs';

const PASSPHRASE = 'parts over time passphrase';
let app;
let h;
let browser;

const id = (kind, n) => `00000000-0000-4000-9000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;
const CLIENT = id(9, 1);
const PLANNER = id(1, 1);
const SCROLLER = id(1, 2);
const LITTLE = id(1, 3);
const DOSING_1 = id(2, 1);
const DOSING_2 = id(2, 2);
const INTEGRATION_1 = id(3, 1);
const INTEGRATION_2 = id(3, 2);
const HISTORY_SINCE = '2026-01-05T09:00:00+00:00';

const planner = { id: PLANNER, name: 'Planner', role: 'manager', status: 'befriended', age_sense: '40s' };
const scroller = { id: SCROLLER, name: 'Scroller', role: 'firefighter', status: 'getting_to_know' };
const little = {
  id: LITTLE,
  name: 'Little one',
  role: 'exile',
  status: 'befriended',
  age_sense: 'about six',
  body_location: 'a knot in the stomach',
  description: 'Holds the shame from the schoolyard.',
  first_noticed: '2026-01-05',
};
const protectsLittle = [
  { id: id(6, 1), from_part: PLANNER, to_part: LITTLE, kind: 'protects' },
  { id: id(6, 2), from_part: SCROLLER, to_part: LITTLE, kind: 'protects' },
];

function dosing(n, sessionId, day, answers, signed) {
  return {
    id: sessionId,
    kind: 'dosing',
    starts_at: `${day}T14:00:00+01:00`,
    duration_minutes: 180,
    status: 'completed',
    note: `Dosing ${n}.`,
    ...(signed ? { signed_at: `${day}T18:00:00+01:00` } : {}),
    checkin: {
      at: `${day}T14:05:00+01:00`,
      decision: 'proceed',
      responses: answers.map(([part, signal, concerns]) => ({ part, signal, concerns: concerns ?? '' })),
    },
    dose: { mg: 100, route: 'sublingual', administered_at: `${day}T14:20:00+01:00` },
    observations: { parts_present: [LITTLE] },
  };
}

function integration(sessionId, day, dosingId, signed) {
  return {
    id: sessionId,
    kind: 'integration',
    starts_at: `${day}T10:00:00+01:00`,
    duration_minutes: 50,
    status: 'completed',
    ...(signed ? { signed_at: `${day}T11:00:00+01:00` } : {}),
    integration: { dosing_session: dosingId, parts_encountered: [LITTLE], insights: 'Integration.' },
  };
}

/** A client whose map history starts in January: the parts as first recorded, and the
 * exile befriended in February. */
function clientWithHistory() {
  return {
    format: 'kapnotes.interchange',
    version: 1,
    exported_at: '2026-04-10T18:00:00+00:00',
    clients: [
      {
        id: CLIENT,
        display_name: 'M.K.',
        created_at: HISTORY_SINCE,
        consent_signed_on: '2026-01-05',
        planned_dosing_sessions: 4,
        parts: [planner, scroller, little],
        relationships: protectsLittle,
        agreements: [{ id: id(7, 1), text: 'Planner steps back during the journey.', made_on: '2026-01-20', parts: [PLANNER, LITTLE] }],
        sessions: [
          {
            id: id(4, 1),
            kind: 'preparation',
            starts_at: '2026-01-20T10:00:00+01:00',
            status: 'completed',
            signed_at: '2026-01-20T11:00:00+01:00',
            note: 'Preparation.',
            intentions: [{ id: id(8, 1), text: 'Meet the little one with kindness.', part: LITTLE }],
            safety_plan: 'Feet on the floor.',
          },
          dosing(1, DOSING_1, '2026-02-10', [[PLANNER, 'green'], [SCROLLER, 'yellow', 'Worried it will be too much.'], [LITTLE, 'yellow', 'Scared, but wants to be seen.']], true),
          integration(INTEGRATION_1, '2026-02-12', DOSING_1, true),
          dosing(2, DOSING_2, '2026-03-10', [[PLANNER, 'green'], [SCROLLER, 'green'], [LITTLE, 'green']], false),
          integration(INTEGRATION_2, '2026-04-02', DOSING_2, false),
        ],
        measures: [],
        map_history: {
          since: HISTORY_SINCE,
          versions: [
            { at: HISTORY_SINCE, part: planner },
            { at: HISTORY_SINCE, part: scroller },
            { at: HISTORY_SINCE, part: { ...little, status: 'getting_to_know' } },
            { at: '2026-01-05T09:10:00+00:00', relationship: protectsLittle[0] },
            { at: '2026-01-05T09:10:00+00:00', relationship: protectsLittle[1] },
            { at: '2026-01-20T11:00:00+01:00', agreement: { id: id(7, 1), text: 'Planner steps back during the journey.', made_on: '2026-01-20', parts: [PLANNER, LITTLE] } },
            { at: '2026-02-12T11:00:00+01:00', part: little },
          ],
        },
      },
    ],
  };
}

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  await h.importDocument(app.home, 'parts-over-time.json', clientWithHistory());
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button*=M.K.');
  await h.waitText('#parts-heading', 'Parts and their stories');
});

after(async () => {
  await app?.stop();
});

const findingCodes = async () => {
  const codes = [];
  for (const item of await browser.$$('[data-testid=findings] [data-code]')) codes.push(await item.getAttribute('data-code'));
  return codes;
};

const stepKinds = async () => {
  const kinds = [];
  for (const item of await browser.$$('[data-testid=unburdening] li.step')) kinds.push(await item.getAttribute('data-step-kind'));
  return kinds;
};

async function openLittleOnesStory() {
  await h.click('//section[@aria-labelledby="parts-heading"]//button[.="Little one"]');
  await h.waitText('h1', 'Little one');
  await h.waitText('[data-testid=unburdening]', 'No unburdening steps recorded yet.');
}

/** Records a step from the part's story: kind, the session it happened in, what happened. */
async function recordFromStory(kind, session, note, extra = async () => {}) {
  await h.click('button=Record a step');
  await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.id)) === 'new-step-kind', {
    timeout: 5_000,
    timeoutMsg: 'the new step form did not take the keyboard to its first field',
  });
  await h.choose('#new-step-kind', kind);
  await h.choose('#new-step-session', session);
  await extra();
  await h.type('#new-step-note', note);
  await h.click('button=Record the step');
  await h.waitText('[data-testid=unburdening]', note);
}

test('the part named on the overview opens its story, which starts with the history', async () => {
  await openLittleOnesStory();
  const about = await h.text('.about');
  for (const words of ['Exile', 'about six', 'a knot in the stomach', 'Planner', 'Scroller']) assert.ok(about.includes(words), words);
  assert.equal(await h.text('[data-testid=part-status]'), 'Befriended');
  assert.match(await h.text('[data-testid=history-start]'), /known from 5 Jan 2026/);
});

const focused = () => browser.execute(() => document.activeElement?.id ?? '');

test('the first session: witnessing, recorded on the story with its session chosen', async () => {
  await recordFromStory('Witnessing', 'Dosing on 10 Feb 2026, 14:00', 'Showed the schoolyard; felt seen.');
  // The keyboard is left where the next step is recorded (the form took it to its first field).
  await browser.waitUntil(async () => (await focused()) === 'record-step', { timeout: 5_000, timeoutMsg: 'focus did not return to "Record a step"' });
  assert.deepEqual(await stepKinds(), ['witnessing']);
  // The date follows the session chosen.
  await h.waitText('[data-testid=unburdening] li.step', 'Witnessing on 10 Feb 2026');
  assert.equal(await h.text('[data-testid=part-status]'), 'Befriended', 'witnessing alone does not unburden');
});

test('the second session: the unburdening, recorded from the session screen, to light', async () => {
  // From the story to the session it names, then back to the overview and into the next dosing day.
  await h.click('button=Back to M.K.');
  await h.click('button*=10 Mar 2026');
  await h.waitText('h1', 'Dosing session');
  await h.waitText('[data-testid=session-unburdening]', 'No unburdening step recorded in this session.');
  await h.click('button=Record an unburdening step');
  await h.choose('#unburdening-part', 'Little one');
  await h.click('button=Continue');
  await h.choose('#session-new-step-kind', 'Unburdening');
  await h.type('#session-new-step-released', 'the shame');
  await h.choose('#session-new-step-released-to', 'Light');
  await h.type('#session-new-step-note', 'Let it rise into the light.');
  await h.click('button=Record the step');
  await h.waitText('[data-testid=session-unburdening]', 'Unburdening on 10 Mar 2026: the shame, released to light.');
  await h.waitText('.notices', "Little one's status is now unburdened");
});

test('the third session: invitation and the check with the protectors', async () => {
  // The exile's name on the session screen leads to its story.
  await h.click('//section[@data-testid="session-unburdening"]//button[.="Little one"]');
  await h.waitText('h1', 'Little one');
  assert.equal(await h.text('[data-testid=part-status]'), 'Unburdened');
  const integration = 'Integration on 2 Apr 2026, 10:00';
  await recordFromStory('Invitation', integration, 'Took in what it needed.', async () => {
    await h.type('#new-step-qualities', 'playfulness, lightness');
  });
  await recordFromStory('Check with the protectors', integration, 'Planner and Scroller saw it free.');
  assert.deepEqual(await stepKinds(), ['witnessing', 'unburdening', 'invitation', 'protector_check']);
  await h.waitText('[data-testid=unburdening]', '4 of 5 stages recorded; not yet recorded: redo or retrieval.');
  await h.waitText('[data-testid=unburdening]', 'took in playfulness, lightness');
});

test("the protectors are due a check-in about the unburdened exile", async () => {
  await h.click('button=Back to M.K.');
  await h.waitText('[data-testid=findings]', 'What needs attention');
  await browser.waitUntil(async () => (await findingCodes()).includes('unburdened-exile-protectors-due'), {
    timeout: 10_000,
    timeoutMsg: `no unburdened-exile-protectors-due finding: ${(await findingCodes()).join(', ')}`,
  });
  const due = await h.el('//li[@data-code="unburdened-exile-protectors-due"]');
  assert.match(await due.getAttribute('class'), /\bnote\b/);
  assert.match(await due.getText(), /Little one/);
  // The finding leads to the part it is about.
  await h.click('//li[@data-code="unburdened-exile-protectors-due"]//button');
  await h.waitText('h1', 'Little one');
});

test("the exile's story holds the steps, the check-ins that named it, and its sessions, newest first", async () => {
  const entries = await browser.$$('ol.story li.entry');
  const kinds = [];
  const dates = [];
  for (const e of entries) {
    kinds.push(await e.getAttribute('data-story-kind'));
    dates.push(await e.$('.on').getText());
  }
  assert.equal(kinds.filter((k) => k === 'unburdening_step').length, 4, kinds.join(', '));
  assert.equal(kinds.filter((k) => k === 'check_in').length, 2, kinds.join(', '));
  for (const kind of ['journey', 'integration', 'intention', 'agreement', 'status_changed']) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(', ')}`);
  // Newest first: the entries' dates never go forward.
  const instants = dates.map((d) => new Date(d).getTime());
  for (let i = 1; i < instants.length; i++) assert.ok(instants[i] <= instants[i - 1], `${dates[i - 1]} then ${dates[i]}`);
  const checkin = await h.el('//li[@data-story-kind="check_in"][contains(., "10 Feb 2026")]');
  assert.match(await checkin.getText(), /yellow/);
  // Each session entry opens its session.
  const openSession = await checkin.$('button');
  assert.match(await openSession.getAttribute('aria-label'), /Dosing session of 10 Feb 2026/);

  await h.click('button=Dim room');
  await h.waitText('[data-testid=history-start]', 'known from 5 Jan 2026');
  await h.shot('36-part-story');
  await h.click('button=Dim room');

  await openSession.click();
  await h.waitText('h1', 'Dosing session');
  await h.waitText('p.notice.ok', 'Signed on');
});

test('a step is edited in place and deleted after confirming; the status stays editable', async () => {
  // The signed session names the exile in its check-in: the name leads back to the story.
  await h.click('//h2[starts-with(., "Check-in")]/following-sibling::ul[1]//button[.="Little one"]');
  await h.waitText('h1', 'Little one');
  await h.click('button[aria-label^="Edit the check with the protectors step"]');
  await h.type('#edit-step-note', 'Planner and Scroller saw it free, and relaxed.');
  await h.saved();
  await h.click('button=Done');
  await h.waitText('[data-testid=unburdening]', 'and relaxed.');
  await h.click('//li[@data-step-kind="protector_check"]//button[.="Delete"]');
  await h.click('//li[@data-step-kind="protector_check"]//span[contains(@class, "ask")]//button[.="Delete"]');
  await browser.waitUntil(async () => !(await stepKinds()).includes('protector_check'), { timeout: 10_000, timeoutMsg: 'the step was not deleted' });
  assert.equal(await h.text('[data-testid=part-status]'), 'Unburdened', 'the status stays');
  // The status stays the clinician's to change.
  await h.choose('#part-status', 'Befriended');
  await h.waitText('.about [role=status]', 'Status saved');
  await h.waitText('[data-testid=part-status]', 'Befriended');
  await h.waitText('ol.story li.entry', 'unburdened → befriended');
  await h.choose('#part-status', 'Unburdened');
  await h.waitText('[data-testid=part-status]', 'Unburdened');
});

test("a later check-in that asks both protectors settles the finding", async () => {
  await h.click('button=Back to M.K.');
  await h.choose('#new-kind', 'Dosing');
  await h.click('button=Add session');
  await h.waitText('h1', 'Dosing session');
  await h.click('button=2. Check-in');
  await h.click('button=Begin the check-in');
  for (const part of ['Planner', 'Scroller']) await h.click(`//fieldset[legend[contains(., "${part}")]]//input[@value="green"]`);
  await h.saved();
  await h.click('button=Back to client');
  await h.waitText('[data-testid=findings]', 'What needs attention');
  await browser.waitUntil(async () => !(await findingCodes()).includes('unburdened-exile-protectors-due'), {
    timeout: 10_000,
    timeoutMsg: 'the finding did not settle after the protectors were asked',
  });
});

test("a search that finds a step's words opens the part's story", async () => {
  await h.type('#client-search', 'rise into the light');
  await h.click('button=Search');
  await h.waitText('[aria-label="Search results"]', 'unburdening note');
  await h.click('[aria-label="Search results"] button');
  await h.waitText('h1', 'Little one');
  await h.click('button=Back to M.K.');
  await h.waitText('#parts-heading', 'Parts and their stories');
});

test('the full record carries the system then and now, from the day the clinician picks', async () => {
  const path = join(app.home, 'files', 'record-then-and-now.pdf');
  // WebDriver cannot type into WebKit's date field: set it and tell the page, as its picker would.
  const field = await h.el('#map-then');
  await browser.execute((input) => {
    input.value = '2026-01-20';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, field);
  nextPath(app.home, path);
  await h.click('button=Full record as PDF…');
  await h.waitText('.notices', 'record-then-and-now.pdf');
  const text = execFileSync('pdftotext', ['-layout', path, '-']).toString().replace(/\s+/g, ' ');
  assert.ok(text.includes('The system then and now'), 'the figure\'s page');
  assert.ok(text.includes('at the end of 20 January 2026'), 'the day asked for');
  // On 20 January the exile was still getting to know; three steps remain after the deletion above.
  assert.match(text, /Little one \(exile\): status getting to know → unburdened; 3 unburdening steps recorded/);
});
