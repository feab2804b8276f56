// A client with a dissociative system of 160 parts, imported from the File menu: the
// parts map lays it out by itself and stays readable at Fit in the app's default window
// (no shape or name overlaps another, every name at 11 px or more, with the inner
// families folded into groups), and stays usable (search, filter by role, new parts
// placed clear of the others, groups unfolded, Tidy). The import's errors are shown plainly.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshHome, helpers, startApp } from './harness.mjs';
import { inside, mapGeometry, overlaps } from './map-geometry.mjs';
import { bigSystem } from './systems.mjs';

const PASSPHRASE = 'large system test passphrase';
const GROUP_NAMES = ['Host’s inner family', 'The little ones', 'Night watch', 'School years', 'Work crew', 'The critics', 'Body keepers', 'The runners', 'Quiet ones'];
let app;
let h;
let browser;

const id = (kind, n) => `00000000-0000-4000-8000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;

/** The 160-part system, with nine inner families of fifteen parts, folded; Lantern
 * Keeper and 24 others stand alone. */
function bigSystemInGroups() {
  const doc = bigSystem();
  const members = Array.from({ length: 136 }, (_, i) => i + 1).filter((n) => n !== 77);
  doc.clients[0].groups = GROUP_NAMES.map((name, k) => ({
    id: id(4, k),
    name,
    parts: members.slice(k * 15, k * 15 + 15).map((n) => id(1, n)),
    folded: true,
  }));
  return doc;
}

/** Asserts that no two shapes or names on the map overlap. */
async function assertNothingOverlaps(when) {
  const geometry = await mapGeometry(browser);
  assert.deepEqual(overlaps(geometry.nodes), [], `overlaps ${when}`);
  return geometry;
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

test('a rejected import names the problem and writes nothing', async () => {
  const doc = bigSystemInGroups();
  doc.clients[0].relationships[0].to_part = doc.clients[0].relationships[0].from_part;
  await h.importDocument(app.home, 'broken.json', doc);
  await h.waitText('.notices', '/clients/0/relationships/0/to_part');
  await h.waitText('.notices', 'Nothing was written');
  assert.equal((await browser.$$('button.client')).length, 0);
});

test('a system of 160 parts reads at Fit in the default window', async () => {
  assert.deepEqual(await browser.execute(() => [window.innerWidth, window.innerHeight]), [1200, 800]);
  await h.importDocument(app.home, 'system.json', bigSystemInGroups());
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button*=D.I.D. system');
  await h.click('button=Parts map');
  await h.waitText('h1', 'Parts map: D.I.D. system');
  // The parts had no places: the map lays them out and keeps the places it gave them
  // (one write of 160 places: longer than one autosave on a busy machine).
  await browser.waitUntil(async () => (await (await browser.$('[data-save-state]')).getAttribute('data-save-state')) === 'saved', {
    timeout: 60_000,
    timeoutMsg: 'the laid-out positions were not saved',
  });
  assert.equal((await browser.$$('[data-part-id]')).length, 25);
  assert.equal((await browser.$$('[data-group-id]')).length, 9);
  await h.click('button=Fit');

  const geometry = await assertNothingOverlaps('at Fit');
  assert.equal(geometry.nodes.length, 34);
  const smallest = Math.min(...geometry.texts.map((t) => t.px));
  assert.ok(smallest >= 11, `a label renders at ${smallest.toFixed(1)} px`);
  for (const n of geometry.nodes) {
    assert.ok(inside(n.shape, geometry.view) && inside(n.label, geometry.view), `${n.name} is outside the map at Fit`);
  }
  assert.ok(geometry.nodes.some((n) => n.name === 'Night watch'));
  await h.shot('15-large-system-map');
});

test('the large map stays usable: find, filter, unfold, add, tidy', async () => {
  // Find one part by name: it is selected and the view centres on it.
  await h.type('#part-search', 'lantern');
  await h.click('button=Find');
  await h.waitText('#part-heading', 'Lantern Keeper');
  assert.equal((await browser.$$('.part.match')).length, 1);

  // Filter by role: exiles only stay bright.
  await h.type('#part-search', '');
  for (const role of ['Self', 'Manager', 'Firefighter', 'Not yet known']) await h.click(`label=${role}`);
  const roleOf = (e) => e.getAttribute('class');
  for (const part of await browser.$$('.part')) {
    const dimmed = (await roleOf(part)).includes('dimmed');
    assert.equal(dimmed, !(await roleOf(part)).includes('role-exile'));
  }
  // Zooming moves nothing on the map itself: only the view's one transform changes.
  const places = () => browser.execute(() => [...document.querySelectorAll('g.node')].map((g) => g.getAttribute('transform')).join(';'));
  const before = await places();
  await h.click('button=+');
  assert.equal(await places(), before);
  await h.shot('16-large-system-exiles');
  for (const role of ['Self', 'Manager', 'Firefighter', 'Not yet known']) await h.click(`label=${role}`);

  // Unfold a group: its fifteen parts are spread out clear of everything else.
  await h.click('button[aria-label="Unfold Night watch"]');
  await browser.waitUntil(async () => (await browser.$$('[data-part-id]')).length === 40, { timeoutMsg: 'the group did not unfold' });
  await h.saved();
  await assertNothingOverlaps('after unfolding');
  // Picked in the side panel, the unfolded group's parts are outlined on the map.
  await h.click('button[aria-label="Show the group Night watch: 15 parts"]');
  await h.waitText('#group-heading', 'Night watch');
  assert.equal((await browser.$$('.part.match')).length, 15);

  // Two new managers: the second does not cover the first (as it used to).
  for (const name of ['The Planner', 'The Second Planner']) {
    await h.type('#part-name', name);
    await h.click('button=Add part');
    await h.waitText('#part-heading', name);
  }
  await assertNothingOverlaps('after adding two parts');

  // A part moved by hand stays where it was put, through Tidy of the overlapping parts
  // and a return to the map.
  const lantern = await browser.$(`[data-part-id="${id(1, 77)}"]`);
  await browser.execute((e) => e.focus(), lantern);
  for (let i = 0; i < 3; i++) await browser.keys('ArrowRight');
  await h.saved();
  const moved = await lantern.getAttribute('transform');
  await h.choose('#tidy-what', 'Parts on top of others');
  await h.click('button=Tidy');
  await h.saved();
  assert.equal(await lantern.getAttribute('transform'), moved);
  await h.click('button=Back to client');
  await h.click('button=Parts map');
  await h.waitText('h1', 'Parts map: D.I.D. system');
  assert.equal(await (await browser.$(`[data-part-id="${id(1, 77)}"]`)).getAttribute('transform'), moved);
  // The unfold was kept: Night watch's fifteen, the two new parts and the 25 others.
  assert.equal((await browser.$$('[data-part-id]')).length, 42);

  // Name a new group from two parts and fold it: one shape with its count and name.
  await h.type('#group-name', 'Twins');
  await browser.execute(
    (select, wanted) => {
      for (const option of select.options) option.selected = wanted.includes(option.text);
      select.dispatchEvent(new Event('change', { bubbles: true }));
    },
    await browser.$('#group-parts'),
    ['Part 138 (Exile)', 'Part 159 (Not yet known)'],
  );
  await h.click('button=Make group');
  await h.waitText('#groups-heading + ul', 'Twins (2)');
  await h.click('button[aria-label="Fold Twins"]');
  await browser.waitUntil(async () => (await browser.$$('[data-part-id]')).length === 40, { timeoutMsg: 'the new group did not fold' });
  const twins = await browser.$('g.group[aria-label="Folded group: Twins, 2 parts"]');
  assert.equal(await browser.execute((g) => g.nextElementSibling.querySelector('text.count').textContent, twins), '2');
  await h.saved();
  await assertNothingOverlaps('after folding a new group');

  // Tidy the whole map: everything is laid out afresh, nothing overlaps.
  await h.choose('#tidy-what', 'The whole map');
  await h.click('button=Tidy');
  await h.saved();
  await assertNothingOverlaps('after tidying the whole map');
});
