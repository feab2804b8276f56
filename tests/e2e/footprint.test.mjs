// WebKit's settings that keep the app small (src-tauri/src/webkit_settings.rs): drawing
// without compositing, WebKit's web process holds about 80 MB less at the first screen
// (docs/BENCHMARKS.md). The figures themselves: `make footprint`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshHome, helpers, startApp } from './harness.mjs';
import { processesByName, pssByProcess, residentOnce } from './memory.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('WebKit draws the first screen without compositing and its buffers', async () => {
  const app = await startApp(freshHome());
  try {
    await helpers(app.browser).waitText('h1', 'kapnotes', 30_000);
    await sleep(3000); // the first screen settled
    const web = processesByName(app.pid).WebKitWebProces;
    assert.ok(web, 'WebKit web process found below the app');
    // Each page counted once (about 180 MB without compositing, 260 with): other WebKit
    // apps on the machine do not move it. Without root (no page frames), PSS (about 110
    // and 190), which they can only lower.
    const once = residentOnce([web]);
    const [mb, bound] = once ? [once, 220] : [pssByProcess(web).WebKitWebProces, 150];
    assert.ok(mb < bound, `the web process holds ${mb.toFixed(0)} MB at the first screen${once ? ', each page once' : ' (PSS)'}: more than ${bound} MB, as when WebKit composites`);
  } finally {
    await app.stop();
  }
});
