// The map on any day: a client whose document carries months of map history is
// imported; today the clinician changes a part's status and draws a new relationship;
// the map as it was before the first dosing session is shown read-only, then compared
// with today, the changes marked on the map (by outline and line style, with a legend)
// and listed in words. Before the history starts, the map says so plainly.
// Screenshots 37 (a past day) and 35 (the comparison, dim-room theme): a part gone, one
// new, two changed, a relationship gained.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshHome, helpers, startApp } from './harness.mjs';
import { mapGeometry, overlaps } from './map-geometry.mjs';

const PASSPHRASE = 'map history test passphrase';
const SINCE = '2026-03-02T09:00:00+00:00';
let app;
let h;
let browser;

const id = (kind, n) => `00000000-0000-4000-8000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;
const PLANNER = id(1, 1);
const LANTERN = id(1, 2);
const CRITIC = id(1, 3);
const SWIMMER = id(1, 4);
const OLD_GUARD = id(1, 5);

const part = (n, name, role, status, x, y) => ({ id: id(1, n), name, role, description: '', status, position: { x, y } });

function clientWithHistory() {
  const planner = part(1, 'The Planner', 'manager', 'befriended', -160, -40);
  const lantern = part(2, 'Lantern Keeper', 'exile', 'getting_to_know', 0, 120);
  const critic = part(3, 'The Critic', 'firefighter', 'getting_to_know', 170, -40);
  const swimmer = part(4, 'Night Swimmer', 'exile', 'unmet', 180, 160);
  const oldGuard = part(5, 'Old Guard', 'manager', 'getting_to_know', -150, 250);
  const protects = { id: id(2, 1), from_part: PLANNER, to_part: LANTERN, kind: 'protects' };
  return {
    format: 'kapnotes.interchange',
    version: 1,
    exported_at: '2026-07-20T18:00:00+00:00',
    clients: [
      {
        id: id(3, 0),
        display_name: 'M.K.',
        created_at: '2026-03-02T09:00:00+00:00',
        parts: [planner, lantern, critic, swimmer],
        relationships: [protects],
        agreements: [],
        sessions: [{ id: id(5, 1), kind: 'dosing', starts_at: '2026-06-10T14:00:00+00:00', duration_minutes: 180, status: 'planned', note: '' }],
        measures: [],
        map_history: {
          since: SINCE,
          versions: [
            { at: SINCE, part: { ...planner, status: 'getting_to_know' } },
            { at: SINCE, part: { ...lantern, status: 'unmet' } },
            { at: SINCE, part: critic },
            { at: SINCE, part: oldGuard },
            { at: SINCE, relationship: protects },
            { at: '2026-05-20T10:00:00+00:00', part: swimmer },
            { at: '2026-07-01T10:00:00+00:00', part: lantern },
            { at: '2026-07-01T10:00:00+00:00', part: planner },
            { at: '2026-07-01T10:00:00+00:00', removed: { kind: 'part', id: OLD_GUARD } },
          ],
        },
      },
    ],
  };
}

/** Sets a date field as a date picker would. */
async function setDate(selector, value) {
  const input = await browser.$(selector);
  await browser.execute(
    (e, v) => {
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    },
    input,
    value,
  );
}

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
});

after(async () => {
  await app?.stop();
  // The app writes its caches until it is gone: the home is removed only after that.
  await app?.exited(10_000);
});

test('the map as it was before the first dosing session, compared with today', async () => {
  await h.importDocument(app.home, 'history.json', clientWithHistory());
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button*=M.K.');
  await h.click('button=Parts map');
  await h.waitText('h1', 'Parts map: M.K.');
  await h.waitText('#day-heading', 'The map on another day');
  await h.waitText('.side', 'History kept since 2 Mar 2026');

  // Today: Lantern Keeper is unburdened, and the Critic turns out polarized with the Planner.
  await h.click(`[data-part-id="${LANTERN}"] path`);
  await h.waitText('#part-heading', 'Lantern Keeper');
  await h.choose('#sel-status', 'Unburdened');
  await h.saved();
  await h.click(`[data-part-id="${CRITIC}"] path`);
  await h.waitText('#part-heading', 'The Critic');
  await h.choose('#connect-kind', 'polarized with');
  await h.choose('#connect-to', 'The Planner (Manager)');
  await h.click('button=Connect');
  await h.waitText('.side', 'The Critic polarized with The Planner');
  await h.type('#part-name', 'Young Runner');
  await h.choose('#part-role', 'Firefighter');
  await h.click('button=Add part');
  await h.waitText('#part-heading', 'Young Runner');

  // Before the first dosing session (10 June): the map of 9 June, read-only.
  await h.click('button=Before the first dosing session');
  await h.waitText('#past-heading', 'The map as it was on 9 Jun 2026 (read-only)');
  assert.equal((await browser.$$('[data-part-id]')).length, 5, 'Old Guard was still there; Young Runner not yet');
  assert.equal(await (await browser.$(`[data-part-id="${LANTERN}"]`)).getAttribute('aria-label'), 'Exile: Lantern Keeper');
  assert.equal((await browser.$$('.relationship.polarized')).length, 0, 'the polarization drawn today is not on the old map');
  assert.equal(await (await browser.$('#part-name')).isExisting(), false, 'a past day cannot be edited');
  assert.deepEqual(overlaps((await mapGeometry(browser)).nodes), []);
  await h.shot('37-map-on-a-day');

  // Before the history starts, the map says so plainly.
  await setDate('#map-day', '2026-02-01');
  await h.click('button=Show');
  await h.waitText('.notice', 'This vault has no history of this map before 2 Mar 2026.');
  assert.equal((await browser.$$('[data-part-id]')).length, 0);

  // Compare 9 June with today: the changes marked on one map, and in words.
  await h.click('button=Before the first dosing session');
  await h.click('label=Compare with a later day');
  await h.click('button=Compare');
  await h.waitText('#past-heading', 'The map on 9 Jun 2026 compared with');
  await h.click('button=Dim room');
  const lantern = await browser.$(`[data-part-id="${LANTERN}"]`);
  assert.match(await lantern.getAttribute('class'), /mark-changed/);
  assert.match(await lantern.getAttribute('aria-label'), /\(changed\)/);
  assert.match(await (await browser.$(`[data-part-id="${PLANNER}"]`)).getAttribute('class'), /mark-changed/);
  assert.doesNotMatch(await (await browser.$(`[data-part-id="${SWIMMER}"]`)).getAttribute('class'), /mark-/, 'Night Swimmer was there already on 9 June');
  assert.match(await (await browser.$(`[data-part-id="${OLD_GUARD}"]`)).getAttribute('class'), /mark-removed/);
  assert.match(await (await browser.$('.part[aria-label^="Firefighter: Young Runner"]')).getAttribute('class'), /mark-added/);
  const polarized = await browser.$('.relationship.polarized');
  assert.match(await polarized.getAttribute('class'), /mark-added/);
  assert.equal(await (await polarized.$('polyline')).getAttribute('marker-mid'), 'url(#mark-added)');
  await h.waitText('#legend-heading + ul', 'new since the earlier day');
  const words = await h.text('.changes');
  assert.match(words, /Lantern Keeper.*unburdened/);
  assert.match(words, /The Critic and The Planner are now polarized/);
  assert.match(words, /Young Runner \(firefighter\) was added/);
  assert.match(words, /Old Guard \(manager\) was removed/);
  assert.deepEqual(overlaps((await mapGeometry(browser)).nodes), []);
  // A part picked on the compared map says what it was on each day.
  await browser.execute((e) => e.focus(), lantern);
  await browser.keys(['Enter']);
  await h.waitText('#past-part-heading', 'Lantern Keeper');
  await h.waitText('#past-part-heading + p', 'On 9 Jun 2026: exile, not yet met.');
  assert.match(await h.text('#past-part-heading + p + p'), /exile, unburdened\.$/);
  await h.shot('35-map-comparison');
  await h.click('button=Dim room');

  // Back to today; a part's side panel opens its story.
  await h.click('button=Today');
  await h.click(`[data-part-id="${LANTERN}"] path`);
  await h.click("button=Open Lantern Keeper's story");
  await h.waitText('h1', 'Lantern Keeper');
});
