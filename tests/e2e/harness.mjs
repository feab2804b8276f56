// Starts the real desktop app (built with its front end embedded and the test-only
// `e2e-paths` feature) through tauri-driver and WebKitWebDriver, in a throwaway home,
// and offers a few helpers. Run under Xvfb (see the Makefile's e2e target).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../..');
export const appBinary = process.env.KAPNOTES_APP ?? join(repo, 'target/debug/kapnotes-desktop');
export const screenshotDir = join(repo, 'docs/screenshots');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A fresh home for one app run: data, config and cache, and the e2e path folder. */
export function freshHome() {
  const home = mkdtempSync(join(tmpdir(), 'kapnotes-e2e-'));
  for (const d of ['data', 'config', 'cache', 'files']) mkdirSync(join(home, d));
  return home;
}

async function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`tauri-driver did not start on port ${port}`);
}

async function portAnswers(port) {
  try {
    await fetch(`http://127.0.0.1:${port}/status`);
    return true;
  } catch {
    return false;
  }
}

/** Starts tauri-driver and a WebDriver session on the app. */
export async function startApp(home) {
  // The ports are fixed: a driver left over from another run would get our session.
  if ((await portAnswers(4444)) || (await portAnswers(4445))) {
    throw new Error('Port 4444 or 4445 is already in use (another tauri-driver or WebKitWebDriver?). Stop it and run again.');
  }
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    KAPNOTES_E2E_DIR: join(home, 'files'),
  };
  delete env.KAPNOTES_VAULT;
  const driver = spawn(process.env.TAURI_DRIVER ?? 'tauri-driver', [], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(4444, 30_000);
  const browser = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'error',
    capabilities: {
      'tauri:options': { application: appBinary },
      'wdio:enforceWebDriverClassic': true,
    },
  });
  await browser.setTimeout({ implicit: 0 });
  const stop = async () => {
    try {
      await browser.deleteSession();
    } catch {
      // the app may already be gone
    }
    // SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver too.
    driver.kill('SIGTERM');
    await new Promise((r) => driver.once('exit', r));
  };
  return { browser, stop, home };
}

/** Tells the app which path the next file dialog "chooses". */
export function nextPath(home, path) {
  writeFileSync(join(home, 'files', 'next-path'), path);
}

export function helpers(browser) {
  const el = (selector) => browser.$(selector);
  const h = {
    /** First run, the short way: create the vault, confirm the recovery key, land on Clients. */
    async createVault(passphrase) {
      await h.waitText('h1', 'kapnotes', 30_000);
      await h.type('#new-passphrase', passphrase);
      await h.type('#confirm-passphrase', passphrase);
      await h.click('button=Create the vault');
      await h.click('label*=I have written down the recovery key');
      await h.click('button=Continue');
      await h.waitText('h1', 'Clients');
    },
    /** Imports a document through File → Import…, as the clinician would. */
    async importDocument(home, name, document) {
      const file = join(home, 'files', name);
      writeFileSync(file, JSON.stringify(document));
      nextPath(home, file);
      await h.click('button=File');
      await h.click('button=Import…');
    },
    el,
    async click(selector) {
      const e = await el(selector);
      await e.waitForClickable({ timeout: 10_000 });
      await e.click();
    },
    async type(selector, text) {
      const e = await el(selector);
      await e.waitForDisplayed({ timeout: 10_000 });
      await e.clearValue();
      if (text === '') {
        // WebDriver cannot send an empty string: clear it as a person would, then say so.
        await browser.execute((input) => input.dispatchEvent(new Event('input', { bubbles: true })), e);
      } else {
        await e.setValue(text);
      }
    },
    /** Picks an option of a <select> by its visible text (or by index), as a person would. */
    async choose(selector, option) {
      const e = await el(selector);
      await e.waitForDisplayed({ timeout: 10_000 });
      const found = await browser.execute(
        (select, wanted) => {
          const options = [...select.options];
          const index = typeof wanted === 'number' ? wanted : options.findIndex((o) => o.text.trim() === wanted);
          if (index < 0 || index >= options.length) return false;
          select.selectedIndex = index;
          select.dispatchEvent(new Event('input', { bubbles: true }));
          select.dispatchEvent(new Event('change', { bubbles: true }));
          return true;
        },
        e,
        option,
      );
      if (!found) throw new Error(`no option "${option}" in ${selector}`);
    },
    async text(selector) {
      const e = await el(selector);
      await e.waitForDisplayed({ timeout: 10_000 });
      return e.getText();
    },
    async waitText(selector, fragment, timeout = 10_000) {
      await browser.waitUntil(async () => {
        const e = await el(selector);
        return (await e.isExisting()) && (await e.getText()).includes(fragment);
      }, { timeout, timeoutMsg: `"${fragment}" did not appear in ${selector}` });
    },
    async saved() {
      // Every autosave indicator on screen says the work is saved.
      await browser.waitUntil(async () => {
        const states = await browser.$$('[data-save-state]');
        for (const s of states) if ((await s.getAttribute('data-save-state')) !== 'saved') return false;
        return true;
      }, { timeout: 10_000, timeoutMsg: 'autosave did not finish' });
    },
    async shot(name) {
      await sleep(400); // let the last frame paint
      await browser.saveScreenshot(join(screenshotDir, `${name}.png`));
    },
  };
  return h;
}
