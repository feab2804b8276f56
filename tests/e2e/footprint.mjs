// The app's footprint, for docs/BENCHMARKS.md (`make footprint`, also run by `make bench`):
// the cold start to the first screen, and the memory of the shell and WebKit's processes
// (proportional set size, summed) at the first screen and with a 160-part map open.
// Run under Xvfb like the e2e suite; the app is KAPNOTES_APP, by default the release build
// (`make footprint` builds it, with `e2e-paths` for the import). Five rounds
// (KAPNOTES_FOOTPRINT_ROUNDS), medians. On a shared machine PSS is taken only in the rounds
// no other WebKit app ran; as root it also counts each resident page once, which they do
// not move.
// Not a test: it prints figures and fails only if the app cannot be driven.

import { fileURLToPath } from 'node:url';
import { neighbours, processesByName, processTree, pssByProcess, residentOnce, startedAt, total } from './memory.mjs';
import { bigSystem } from './systems.mjs';

// The release build unless told otherwise (the harness reads KAPNOTES_APP as it loads):
// a debug build's shell is heavier and slower to start than the one a clinician runs.
process.env.KAPNOTES_APP ??= fileURLToPath(new URL('../../target/release/kapnotes-desktop', import.meta.url));
const { freshHome, helpers, startApp } = await import('./harness.mjs');

const ROUNDS = Number(process.env.KAPNOTES_FOOTPRINT_ROUNDS ?? 5);
const PASSPHRASE = 'footprint passphrase of decent length';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

/** The app's PSS by process, or null if another WebKit app ran beside it meanwhile (PSS
 * shares a library's pages among every process mapping it, so the app's would read low). */
function pssAlone(pid) {
  if (neighbours(pid)) return null;
  const byProcess = pssByProcess(pid);
  return neighbours(pid) ? null : byProcess;
}

const starts = [];
const pageStarts = [];
const firstScreen = [];
const mapOpen = [];
const firstScreenOnce = [];
const mapOpenOnce = [];
let roundsWithoutPaintTiming = 0;
const webProcessStarts = [];
// KAPNOTES_FOOTPRINT_SHOTS names a prefix: the first round then saves the first screen,
// the client overview and the map (in the e2e screenshot folder), to compare a setting's
// screens with and without it.
const shots = process.env.KAPNOTES_FOOTPRINT_SHOTS;
for (let round = 0; round < ROUNDS; round++) {
  const app = await startApp(freshHome());
  const h = helpers(app.browser);
  try {
    await h.waitText('h1', 'kapnotes', 30_000);
    const seen = Date.now();
    // The first paint the webview reports (the first screen: it is rendered at once, its
    // fields adjusted when the shell answers), against the process's start; when this
    // WebKit reports none, the moment the driver first saw the screen (a little later).
    const { painted, pageStarted } = await app.browser.execute(() => {
      const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
      return { painted: paint ? performance.timeOrigin + paint.startTime : null, pageStarted: performance.timeOrigin };
    });
    if (!painted) roundsWithoutPaintTiming += 1;
    const processStarted = startedAt(app.pid);
    starts.push((painted ?? seen) - processStarted);
    pageStarts.push(pageStarted - processStarted);
    webProcessStarts.push(startedAt(processesByName(app.pid).WebKitWebProces) - processStarted);
    await sleep(3000); // let the first screen settle, as a clinician's would
    const idle = pssAlone(app.pid);
    if (idle) firstScreen.push(idle);
    firstScreenOnce.push(residentOnce(processTree(app.pid)));
    if (shots && round === 0) await h.shot(`${shots}-first-screen`);

    await h.createVault(PASSPHRASE);
    await h.importDocument(app.home, 'system.json', bigSystem());
    await h.waitText('.notices', 'Imported 1 client(s)', 30_000);
    await h.click('button*=D.I.D. system');
    if (shots && round === 0) {
      await h.waitText('h1', 'D.I.D. system');
      await sleep(1000);
      await h.shot(`${shots}-overview`);
    }
    await h.click("button=Parts map");
    await app.browser.waitUntil(async () => (await app.browser.$$('[data-part-id]')).length > 0, { timeout: 30_000 });
    await sleep(3000);
    const withMap = pssAlone(app.pid);
    if (withMap) mapOpen.push(withMap);
    mapOpenOnce.push(residentOnce(processTree(app.pid)));
    if (shots && round === 0) await h.shot(`${shots}-map`);
  } finally {
    await app.stop();
  }
}

const fmt = (x) => x.toFixed(0);
const mb = (xs) => (xs.length ? `${fmt(median(xs))} MB (${range(xs)})` : 'not measured: another WebKit app ran meanwhile');
const perProcess = (samples) =>
  samples.length
    ? Object.keys(samples[0])
        .map((name) => `${name} ${fmt(median(samples.map((s) => s[name] ?? 0)))}`)
        .join(', ')
    : '–';
const startWhat = roundsWithoutPaintTiming
  ? `process start to its first paint; in ${roundsWithoutPaintTiming} round(s) WebKit reported none: to when the driver first saw it`
  : 'process start to its first paint';
console.log(`| measure (${ROUNDS} rounds: median, range) | value | target |`);
console.log('|---|---|---|');
console.log(`| cold start to the first screen (${startWhat}) | ${fmt(median(starts))} ms (${range(starts)}) | about 250 ms |`);
console.log(`| of which to WebKit's web process starting (the shell and its window) | ${fmt(median(webProcessStarts))} ms (${range(webProcessStarts)}) | |`);
console.log(`| of which to the page's start (then WebKit's processes up) | ${fmt(median(pageStarts))} ms (${range(pageStarts)}) | |`);
console.log(`| memory at the first screen (PSS, all processes; ${firstScreen.length} rounds alone on the machine) | ${mb(firstScreen.map(total))} | ≤ 150 MB |`);
console.log(`| memory with the 160-part map open (PSS; ${mapOpen.length} rounds alone) | ${mb(mapOpen.map(total))} | ≤ 250 MB |`);
if (!firstScreenOnce.includes(null)) {
  console.log(`| memory at the first screen, each page once (all rounds) | ${mb(firstScreenOnce)} | |`);
  console.log(`| memory with the 160-part map open, each page once (all rounds) | ${mb(mapOpenOnce)} | |`);
}
console.log(`\nPSS by process (MB, medians): first screen: ${perProcess(firstScreen)}; map open: ${perProcess(mapOpen)}`);
