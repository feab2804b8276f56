// The app's footprint, for docs/BENCHMARKS.md (`make footprint`, also run by `make bench`):
// the cold start to the first screen, and the memory of the shell and WebKit's processes
// (proportional set size, summed) at the first screen and with a 160-part map open.
// Run under Xvfb like the e2e suite; the app is KAPNOTES_APP (default: the debug build).
// Not a test: it prints figures and fails only if the app cannot be driven.

import { readFileSync, readdirSync } from 'node:fs';
import { freshHome, helpers, startApp } from './harness.mjs';
import { bigSystem } from './systems.mjs';

const ROUNDS = Number(process.env.KAPNOTES_FOOTPRINT_ROUNDS ?? 3);
const PASSPHRASE = 'footprint passphrase of decent length';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function stat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** `pid` and every process below it. */
function processTree(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p)) continue;
    try {
      const parent = Number(stat(p)[1]);
      children.set(parent, [...(children.get(parent) ?? []), p]);
    } catch {
      // gone while we looked
    }
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** Proportional set size in MB, summed over the app's processes, with their names. */
function memory(pid) {
  let kb = 0;
  const names = [];
  for (const p of processTree(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      names.push(readFileSync(`/proc/${p}/comm`, 'utf8').trim());
    } catch {
      // gone while we looked
    }
  }
  return { mb: kb / 1024, names };
}

/** When `pid` started, in ms since the epoch (from /proc: ticks since boot). */
function startedAt(pid) {
  const ticks = Number(stat(pid)[19]);
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - uptimeS * 1000 + (ticks / 100) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const starts = [];
const firstScreen = [];
const mapOpen = [];
let names = [];
let seenByDriver = false;
for (let round = 0; round < ROUNDS; round++) {
  const app = await startApp(freshHome());
  const h = helpers(app.browser);
  try {
    await h.waitText('h1', 'kapnotes', 30_000);
    const seen = Date.now();
    // The first paint the webview reports, against the process's start; when this
    // WebKit reports none, the moment the driver first saw the screen (a little later).
    const painted = await app.browser.execute(() => {
      const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
      return paint ? performance.timeOrigin + paint.startTime : null;
    });
    if (!painted) seenByDriver = true;
    starts.push((painted ?? seen) - startedAt(app.pid));
    await sleep(3000); // let the first screen settle, as a clinician's would
    const idle = memory(app.pid);
    firstScreen.push(idle.mb);
    names = idle.names;

    await h.createVault(PASSPHRASE);
    await h.importDocument(app.home, 'system.json', bigSystem());
    await h.waitText('.notices', 'Imported 1 client(s)', 30_000);
    await h.click('button*=D.I.D. system');
    await h.click("button=Parts map");
    await app.browser.waitUntil(async () => (await app.browser.$$('[data-part-id]')).length > 0, { timeout: 30_000 });
    await sleep(3000);
    mapOpen.push(memory(app.pid).mb);
  } finally {
    await app.stop();
  }
}

const fmt = (x) => x.toFixed(0);
console.log(`processes: ${names.join(', ')}`);
console.log(`| measure (median of ${ROUNDS}) | value | target |`);
console.log('|---|---|---|');
const startWhat = seenByDriver ? 'first seen by the driver; this WebKit reports no paint timing' : 'its first paint';
console.log(`| cold start to the first screen (${startWhat}) | ${fmt(median(starts))} ms | |`);
console.log(`| memory at the first screen (PSS, all processes) | ${fmt(median(firstScreen))} MB | ≤ 150 MB |`);
console.log(`| memory with the 160-part map open | ${fmt(median(mapOpen))} MB | ≤ 250 MB |`);
