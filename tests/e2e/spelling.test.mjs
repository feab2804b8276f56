// Offline spell check: a misspelled word in a note is marked as the clinician types
// (WebKitGTK draws a red underline under it, read here from screenshots of the field),
// in the chosen language or not at all; the context menu offers the guesses but never
// "Learn Spelling"; and nothing is written where enchant keeps personal dictionaries.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { freshHome, helpers, repo, startApp, vaultPath } from './harness.mjs';

const PASSPHRASE = 'spelling test passphrase';
// The same shape twice, one letter apart: only the misspelling may differ on screen.
const CORRECT = 'Breathing slowed and the session ended calmly.';
const MISSPELLED = 'Brething slowed and the session ended calmly.';
// Right in en_GB, wrong in en_US.
const BRITISH = 'The colour of the room softened for everyone.';
let app;
let h;
let browser;
let home;
// The screenshots the marks are counted in stay out of docs/screenshots (one of them
// goes there through `h.shot`).
const countedShots = join(repo, 'target/e2e-screenshots');
mkdirSync(countedShots, { recursive: true });

/** Fails with what to install when a tool or dictionary the test needs is missing. */
function need(what, present) {
  assert.ok(present, `This test needs ${what}: run scripts/setup-debian.sh.`);
}

// enchant's folder in the real home, should anything there ignore XDG_CONFIG_HOME.
const realEnchant = join(homedir(), '.config', 'enchant');
const realEnchantBefore = existsSync(realEnchant);

before(async () => {
  home = freshHome();
  app = await startApp(home);
  browser = app.browser;
  h = helpers(browser);
});

after(async () => {
  await app?.stop();
});

/** Decodes an 8-bit RGB or RGBA PNG (what WebDriver returns) to RGBA pixels. */
function decodePng(png) {
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'an 8-bit PNG');
      assert.equal(body[12], 0, 'a PNG that is not interlaced');
      channels = { 2: 3, 6: 4 }[body[9]];
      assert.ok(channels, `a PNG of colour type ${body[9]}`);
    } else if (type === 'IDAT') {
      data.push(body);
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(width * height * 4);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? line[x - channels] : 0;
      const up = previous[x];
      const upLeft = x >= channels ? previous[x - channels] : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      line[x] = (line[x] + predicted) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) pixels[(y * width + x) * 4 + c] = c < channels ? line[x * channels + c] : 255;
    }
    previous = line;
  }
  return { width, height, pixels };
}

/** How many pixels inside `rect` of the screenshot `png` are red, as a misspelling's
 * underline is (no theme draws text or borders in it). */
function redPixels(png, rect) {
  const { width, height, pixels } = decodePng(png);
  let red = 0;
  // Inside the border and the focus ring (orange in two themes), and on screen.
  const inset = 4;
  const [top, bottom] = [Math.max(0, Math.ceil(rect.top) + inset), Math.min(height, Math.floor(rect.bottom) - inset)];
  const [left, right] = [Math.max(0, Math.ceil(rect.left) + inset), Math.min(width, Math.floor(rect.right) - inset)];
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
      // The dotted underline is a dark red on a dark panel, a bright one on a light panel.
      const other = Math.max(g, b);
      if (r - other > 50 && r > 2 * other) red++;
    }
  }
  return red;
}

/** Types `text` into `field` (the session note unless named) as the clinician would,
 * then shoots the window (saved as `name`.png) and counts the red pixels inside the field. */
async function typeAndCount(text, name, field = '#session-note') {
  await h.type(field, text);
  // Spell check runs as each word ends; give it, and the repaint, a moment.
  await browser.pause(1000);
  // Wholly on screen (a note format's sections can push the field to the window's foot).
  await browser.execute((e) => e.scrollIntoView({ block: 'center' }), await h.el(field));
  await browser.pause(300);
  const rect = await browser.execute((e) => e.getBoundingClientRect().toJSON(), await h.el(field));
  const shot = Buffer.from(await browser.takeScreenshot(), 'base64');
  writeFileSync(join(countedShots, `${name}.png`), shot);
  return redPixels(shot, rect);
}

async function chooseSpelling(option) {
  await h.click('button=Settings');
  await h.waitText('h1', 'Settings');
  await h.choose('#spelling', option);
  await browser.execute(() => document.querySelector('#spelling').scrollIntoView({ block: 'center' }));
  await browser.pause(300);
  await browser.saveScreenshot(join(countedShots, 'spelling-settings.png'));
  await h.click('//form[.//select[@id="spelling"]]//button[normalize-space()="Save"]');
  await h.waitText('.notices', 'Preferences saved.');
  await h.click('button=Clients');
  await h.click('button*=S.P.');
  await h.waitText('h1', 'S.P.');
  await h.click('button*=Preparation');
  await h.waitText('h1', 'Preparation session');
}

test('a misspelled word in a note is marked as it is typed', async () => {
  await h.createVault(PASSPHRASE);
  await h.type('#new-client', 'S.P.');
  await h.click('button=Add client');
  await h.waitText('h1', 'S.P.');
  // A name is not checked (it would be marked as often as not); the client's notes are.
  assert.equal(await typeAndCount('Brething Calmly', 'spelling-name', '#full-name'), 0, 'a name is not spell-checked');
  const notes = await typeAndCount(MISSPELLED, 'spelling-client-notes', '#client-notes');
  assert.ok(notes > 10, `the misspelled word is marked in the client's notes (${notes} red pixels)`);
  await h.saved();
  await h.choose('#new-kind', 'Preparation');
  await h.click('button=Add session');
  await h.waitText('h1', 'Preparation session');

  const correct = await typeAndCount(CORRECT, 'spelling-correct');
  const misspelled = await typeAndCount(MISSPELLED, 'spelling-marked');
  assert.equal(correct, 0, 'a correctly spelled note shows no red');
  assert.ok(misspelled > 10, `the misspelled word is marked (${misspelled} red pixels)`);
  await h.shot('38-spelling-marked');

  // The light theme draws it too.
  await browser.execute(() => (document.documentElement.dataset.theme = 'light'));
  assert.equal(await typeAndCount(CORRECT, 'spelling-correct-light'), 0);
  const light = await typeAndCount(MISSPELLED, 'spelling-marked-light');
  assert.ok(light > 10, `the misspelled word is marked in the light theme (${light} red pixels)`);
  await browser.execute(() => (document.documentElement.dataset.theme = 'dark'));

  // And the dim room (its switch saves the preferences, the language with them).
  await h.click('button=Dim room');
  await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === 'dim');
  assert.equal(await typeAndCount(CORRECT, 'spelling-correct-dim'), 0);
  const dim = await typeAndCount(MISSPELLED, 'spelling-marked-dim');
  assert.ok(dim > 10, `the misspelled word is marked in the dim room (${dim} red pixels)`);
  await h.click('button=Dim room');
  await h.saved();
});

test('the context menu offers guesses but never Learn Spelling', async () => {
  need('xdotool', existsSync('/usr/bin/xdotool'));
  const menu = join(home, 'files', 'context-menu');
  rmSync(menu, { force: true });
  // WebKit shows no context menu for WebDriver's simulated clicks: the right-click comes
  // from the X server, as a person's would, inside the first word (the misspelled one).
  const rect = await browser.execute(() => document.querySelector('#session-note').getBoundingClientRect().toJSON());
  const appWindow = execFileSync('xdotool', ['search', '--onlyvisible', '--pid', String(app.pid)], { encoding: 'utf8' }).trim().split('\n')[0];
  const [x, y] = [Math.round(rect.left + 30), Math.round(rect.top + 18)];
  execFileSync('xdotool', ['mousemove', '--window', appWindow, String(x), String(y), 'click', '3']);
  await browser.waitUntil(() => existsSync(menu), { timeout: 5000, timeoutMsg: 'no context menu was shown' });
  execFileSync('xdotool', ['key', 'Escape']);
  const entries = readFileSync(menu, 'utf8').trim().split('\n');
  assert.ok(entries.includes('SpellingGuess'), `the guesses are offered: ${entries}`);
  assert.ok(entries.includes('IgnoreSpelling'), `Ignore Spelling is offered: ${entries}`);
  assert.ok(!entries.includes('LearnSpelling'), `Learn Spelling is gone: ${entries}`);
});

test('the language is a setting, and Off removes the marks', async () => {
  need('the British English dictionary (hunspell-en-gb)', existsSync('/usr/share/hunspell/en_GB.dic'));
  await chooseSpelling('British English – en_GB');
  assert.equal(await typeAndCount(BRITISH, 'spelling-british-en-gb'), 0, 'colour is right in British English');
  await chooseSpelling('American English – en_US');
  const american = await typeAndCount(BRITISH, 'spelling-british-en-us');
  assert.ok(american > 10, `colour is marked in American English (${american} red pixels)`);

  await chooseSpelling('Off');
  assert.equal(await typeAndCount(MISSPELLED, 'spelling-off'), 0, 'with spell check off nothing is marked');
  await chooseSpelling('American English – en_US');
});

test('no personal dictionary is written, nor any word typed', async () => {
  await h.saved();
  // enchant keeps one per language under the config folder ($XDG_CONFIG_HOME/enchant),
  // and creates it as soon as a language is chosen unless it is kept from doing so.
  assert.equal(existsSync(join(home, 'config', 'enchant')), false, 'enchant wrote into the config folder');
  if (!realEnchantBefore) assert.equal(existsSync(realEnchant), false, `enchant wrote into ${realEnchant}`);
  // Nor is a misspelled word, as typed, anywhere in the app's folders (data, config,
  // cache): the notes are in the vault, sealed.
  const files = readdirSync(home, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  assert.ok(files.includes(vaultPath(home)), 'the vault is among the files read');
  const leaks = files.filter((file) => /Brething|colour of the room/.test(readFileSync(file, 'latin1')));
  assert.deepEqual(leaks, []);
});
