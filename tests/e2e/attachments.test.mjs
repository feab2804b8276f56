// Encrypted attachments from the app: a PDF consent form attached through the file
// dialog (its e2e stand-in) clears "No informed consent is on file", is viewed as pages
// the core renders (an image in memory: nothing in the home, its cache or the temporary
// folder holds its text), saved out with the "NOT encrypted" word, and detached. And a
// file dropped on the window from another program (a GTK drag source, moved by xdotool
// through the X server as a person's mouse would) reaches the shell: the page hears its
// name only, gets no DOM drop and no path.

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, repo, startApp } from './harness.mjs';

const PASSPHRASE = 'consent on file at last';
const MARKER = `CONSENTMARKER${Date.now()}`;
let app;
let h;
let browser;

/** A one-page PDF whose text (uncompressed) holds the marker, with a correct xref. */
function consentPdf() {
  const stream = `BT /F1 18 Tf 60 760 Td (Informed consent to ketamine-assisted psychotherapy) Tj 0 -30 Td (${MARKER}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let text = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(text.length);
    text += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) text += `${String(o).padStart(10, '0')} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text, 'latin1');
}

/** Files under `folder` holding the marker (the source and a saved copy excepted). */
function holdingMarker(folder, except, found = []) {
  let entries = [];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (except.includes(path)) continue;
    if (entry.isDirectory()) holdingMarker(path, except, found);
    else if (entry.isFile()) {
      try {
        if (readFileSync(path).includes(MARKER)) found.push(path);
      } catch {
        // gone meanwhile
      }
    }
  }
  return found;
}

/** Files in the system's temporary folder (top level) written since `since`, holding the marker. */
function recentTempHoldingMarker(since) {
  const found = [];
  for (const entry of readdirSync(tmpdir(), { withFileTypes: true })) {
    const path = join(tmpdir(), entry.name);
    try {
      if (entry.isFile() && statSync(path).mtimeMs >= since && readFileSync(path).includes(MARKER)) found.push(path);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  const example = JSON.parse(readFileSync(join(repo, 'tests/fixtures/interchange/example.json'), 'utf8'));
  await h.importDocument(app.home, 'example.json', example);
  await h.waitText('.notices', 'Imported 1 client(s)');
});

after(async () => {
  await app?.stop();
});

test('a PDF consent form clears the consent finding, is viewed, saved out and detached', async () => {
  const started = Date.now();
  await h.click('button*=J.R.');
  await h.waitText('main', 'No informed consent is on file');
  await h.waitText('#attachments-heading', 'Attachments');

  const source = join(app.home, 'files', `consent-form-${MARKER}.pdf`);
  writeFileSync(source, consentPdf());
  nextPath(app.home, source);
  await h.choose('#attach-kind', 'Informed consent');
  // Signed before the first session.
  await browser.execute(() => {
    const input = document.querySelector('#attach-date');
    input.value = '2026-01-12';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await h.type('#attach-title', 'Signed consent form');
  await h.click('button=Attach a file…');
  await h.waitText('.notices', 'is attached');
  await h.waitText('.attachment-list', 'Signed consent form');
  await h.waitText('.attachment-list', 'Informed consent');
  await browser.waitUntil(async () => !(await h.text('main')).includes('No informed consent is on file'), {
    timeout: 10_000,
    timeoutMsg: 'the consent finding did not clear',
  });
  await h.shot('46-attachments');

  // Viewed: the page rendered by the core, an image in memory.
  await h.click('.view-attachment');
  const image = await h.el('.viewer img');
  await image.waitForDisplayed({ timeout: 20_000 });
  await browser.waitUntil(() => browser.execute(() => document.querySelector('.viewer img')?.naturalWidth > 0), {
    timeout: 20_000,
    timeoutMsg: 'the page was not drawn',
  });
  const src = await image.getAttribute('src');
  assert.ok(src.startsWith('data:image/png;base64,'), src.slice(0, 40));
  await h.shot('47-attachment-viewer');
  await browser.execute(() => {
    document.documentElement.dataset.theme = 'dim';
  });
  await h.shot('48-attachment-viewer-dim');
  await browser.execute(() => {
    document.documentElement.dataset.theme = 'light';
  });
  // Nothing written while viewing holds the file's text: the home (data, config,
  // WebKit's cache) and the temporary folder.
  // (next-path is the dialog's stand-in: the test wrote the file's path there.)
  assert.deepEqual(holdingMarker(app.home, [source, join(app.home, 'files', 'next-path')]), []);
  assert.deepEqual(recentTempHoldingMarker(started), []);
  await h.click('button=Close');

  // Saved out, with the word that it is not encrypted.
  const saved = join(app.home, 'files', 'saved-consent.pdf');
  nextPath(app.home, saved);
  await h.click('.save-attachment');
  await h.waitText('.notices', 'NOT encrypted');
  assert.deepEqual(readFileSync(saved), readFileSync(source));
  assert.equal(statSync(saved).mode & 0o777, 0o600);

  // Detached, after the question in place.
  await h.click('//table[contains(@class, "attachment-list")]//button[normalize-space()="Detach"]');
  await h.waitText('.attachment-list', 'Remove “Signed consent form” from the vault?');
  await h.click('//span[contains(@class, "ask")]//button[normalize-space()="Detach"]');
  await h.waitText('.notices', 'is detached');
  await h.waitText('#attachments-heading + p', 'No files attached yet');
});

const DRAG_SOURCE = join(repo, 'target/debug/examples/drag_source');

test('a file dropped on the window reaches the shell; the page hears only its name', async () => {
  assert.ok(existsSync('/usr/bin/xdotool'), 'This test needs xdotool: run scripts/setup-debian.sh.');
  assert.ok(existsSync(DRAG_SOURCE), 'This test needs the drag source: cargo build -p kapnotes-desktop --example drag_source');
  const folder = join(app.home, 'files', `scans-${MARKER}`);
  execFileSync('mkdir', ['-p', folder]);
  const file = join(folder, 'lab-result.pdf');
  writeFileSync(file, consentPdf());
  // What the page could see of a drop: DOM drop events and what they carry.
  await browser.execute(() => {
    window.__drops = [];
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.addEventListener(type, (e) => {
        const dt = e.dataTransfer;
        window.__drops.push({ type, files: dt ? [...dt.files].map((f) => f.name) : [], uris: dt ? dt.getData('text/uri-list') : '' });
      }, true);
    }
  });
  const source = spawn(DRAG_SOURCE, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve, reject) => {
      source.stdout.on('data', (d) => String(d).includes('ready') && resolve());
      source.on('exit', () => reject(new Error('the drag source did not start')));
    });
    const find = (args) => execFileSync('xdotool', ['search', '--sync', '--onlyvisible', ...args], { encoding: 'utf8' }).trim().split('\n')[0];
    const sourceWindow = find(['--name', 'kapnotes drag source']);
    const appWindow = find(['--pid', String(app.pid)]);
    const geometry = (w) => {
      const out = execFileSync('xdotool', ['getwindowgeometry', '--shell', w], { encoding: 'utf8' });
      return Object.fromEntries(out.trim().split('\n').map((l) => l.split('=')).map(([k, v]) => [k, Number(v)]));
    };
    const from = geometry(sourceWindow);
    const to = geometry(appWindow);
    const [sx, sy] = [from.X + Math.round(from.WIDTH / 2), from.Y + Math.round(from.HEIGHT / 2)];
    const [tx, ty] = [to.X + Math.round(to.WIDTH / 2), to.Y + Math.round(to.HEIGHT / 2)];
    execFileSync('xdotool', ['mousemove', String(sx), String(sy), 'mousedown', '1']);
    // Small steps, so GTK sees a drag begin and then the motion over the app.
    for (let i = 1; i <= 20; i++) {
      execFileSync('xdotool', ['mousemove', String(Math.round(sx + ((tx - sx) * i) / 20)), String(Math.round(sy + ((ty - sy) * i) / 20))]);
      await new Promise((r) => setTimeout(r, 60));
    }
    await new Promise((r) => setTimeout(r, 300));
    execFileSync('xdotool', ['mouseup', '1']);
    await h.waitText('.dropped', 'Dropped: lab-result.pdf');
  } finally {
    source.kill();
  }
  const seen = await browser.execute(() => window.__drops);
  assert.deepEqual(seen.filter((e) => e.type === 'drop'), [], 'the page got a DOM drop');
  for (const e of seen) {
    assert.deepEqual(e.files, [], `the page got files in ${e.type}`);
    assert.ok(!e.uris.includes(folder), `the page got the path in ${e.type}`);
  }
  assert.ok(!(await browser.execute(() => document.body.innerHTML)).includes(folder), 'the path is on the page');
  await h.choose('#attach-kind', 'Lab result or ECG');
  await h.click('button*=Attach it as');
  await h.waitText('.notices', 'attached');
  await h.waitText('.attachment-list', 'lab-result');
  await h.shot('49-attachment-dropped');
});

test('a records request carries the attached files only when asked', async () => {
  const without = join(app.home, 'files', 'request.json');
  nextPath(app.home, without);
  await h.click('button=Export for a records request…');
  await h.waitText('.notices', 'request.json');
  assert.ok(!existsSync(join(app.home, 'files', 'request.attachments.tar')));
  await h.click('label*=with the attached files');
  const withFiles = join(app.home, 'files', 'with-files.json');
  nextPath(app.home, withFiles);
  await h.click('button=Export for a records request…');
  await h.waitText('.notices', 'archive beside it');
  const archive = join(app.home, 'files', 'with-files.attachments.tar');
  assert.ok(existsSync(archive));
  const document = JSON.parse(readFileSync(withFiles, 'utf8'));
  assert.equal(document.attachments_archive, 'with-files.attachments.tar');
  assert.equal(document.attachments.length, 1);
  assert.equal(statSync(archive).mode & 0o777, 0o600);
});
