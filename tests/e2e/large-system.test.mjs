// A client with a dissociative system of 160 parts, imported from the File menu: the
// parts map must stay usable (fit, search, filter by role), and the import's errors
// must be shown plainly.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshHome, helpers, startApp } from './harness.mjs';

const PASSPHRASE = 'large system test passphrase';
const ROLES = ['manager', 'firefighter', 'exile', 'unknown'];
let app;
let h;
let browser;

function bigSystem() {
  const id = (kind, n) => `00000000-0000-4000-8000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;
  const parts = Array.from({ length: 160 }, (_, n) => ({
    id: id(1, n),
    name: n === 0 ? 'Self' : n === 77 ? 'Lantern Keeper' : `Part ${n}`,
    role: n === 0 ? 'self' : ROLES[n % ROLES.length],
  }));
  const relationships = Array.from({ length: 60 }, (_, n) => ({
    id: id(2, n),
    from_part: id(1, 1 + ((n * 4) % 156)),
    to_part: id(1, 3 + ((n * 4) % 156)),
    kind: 'protects',
  }));
  return {
    format: 'kapnotes.interchange',
    version: 1,
    exported_at: '2026-06-30T18:00:00+00:00',
    clients: [
      {
        id: id(3, 0),
        display_name: 'D.I.D. system',
        created_at: '2026-01-10T10:00:00+00:00',
        parts,
        relationships,
        agreements: [],
        sessions: [],
        measures: [],
      },
    ],
  };
}

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
});

after(async () => {
  await app?.stop();
});

test('a rejected import names the problem and writes nothing', async () => {
  const doc = bigSystem();
  doc.clients[0].relationships[0].to_part = doc.clients[0].relationships[0].from_part;
  await h.importDocument(app.home, 'broken.json', doc);
  await h.waitText('.notices', '/clients/0/relationships/0/to_part');
  await h.waitText('.notices', 'Nothing was written');
  assert.equal((await browser.$$('button.client')).length, 0);
});

test('a system of 160 parts stays usable on the map', async () => {
  await h.importDocument(app.home, 'system.json', bigSystem());
  await h.waitText('.notices', 'Imported 1 client(s)');
  await h.click('button*=D.I.D. system');
  await h.click('button=Parts map');
  await h.waitText('h1', 'Parts map');
  assert.equal((await browser.$$('[data-part-id]')).length, 160);
  await h.shot('15-large-system-map');

  // Find one part by name: it is selected and the view centres on it.
  await h.type('#part-search', 'lantern');
  await h.click('button=Find');
  await h.waitText('#part-heading', 'Lantern Keeper');
  assert.equal((await browser.$$('.part.match')).length, 1);

  // Filter by role: exiles only stay bright.
  await h.type('#part-search', '');
  for (const role of ['Self', 'Manager', 'Firefighter', 'Not yet known']) await h.click(`label=${role}`);
  const dimmed = (await browser.$$('.part.dimmed')).length;
  assert.equal(dimmed, 160 - 40);
  await h.click('button=+');
  await h.shot('16-large-system-exiles');
});
