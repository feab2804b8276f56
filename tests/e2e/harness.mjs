// Starts the real desktop app (built with its front end embedded and the test-only
// `e2e-paths` feature) through tauri-driver and WebKitWebDriver, in a throwaway home,
// and offers a few helpers. Run under Xvfb (see the Makefile's e2e target).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../..');
export const appBinary = process.env.KAPNOTES_APP ?? join(repo, 'target/debug/kapnotes-desktop');
// Screenshots go outside the tracked tree, so a test run leaves `git status` clean;
// `make screenshots` points this at docs/screenshots to refresh the documented ones.
export const screenshotDir = process.env.KAPNOTES_SCREENSHOTS
  ? resolve(process.env.KAPNOTES_SCREENSHOTS)
  : join(repo, 'target/e2e-screenshots');
mkdirSync(screenshotDir, { recursive: true });

// tauri-driver's port and, one above it, WebKitWebDriver's; another pair lets two runs
// share a machine.
const DRIVER_PORT = Number(process.env.KAPNOTES_E2E_PORT ?? 4444);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const homes = [];
// The test vaults (and their backups and exports) go when the test file ends, unless
// KAPNOTES_E2E_KEEP is set for a look at them.
process.once('exit', () => {
  if (process.env.KAPNOTES_E2E_KEEP) return;
  // WebKit's helper processes may still be writing their shader cache for a moment:
  // retry, and a temporary folder left behind is not a failed test.
  for (const home of homes) {
    try {
      rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      console.error(`Could not remove the test home ${home}: ${e.message}`);
    }
  }
});

/** A fresh home for one app run: data, config and cache, and the e2e path folder. */
export function freshHome() {
  const home = mkdtempSync(join(tmpdir(), 'kapnotes-e2e-'));
  for (const d of ['data', 'config', 'cache', 'files']) mkdirSync(join(home, d));
  homes.push(home);
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

/** An autosave pause longer than any test, for `startApp(home, { autosaveDelayMs })`:
 * words typed are then saved only by a path that saves them itself (closing, locking). */
export const AUTOSAVE_NEVER_MS = 600_000;

/** The vault a test's app uses (the default path inside its throwaway home). */
export function vaultPath(home) {
  return join(home, 'data', 'kapnotes', 'vault.kapnotes');
}

/** The parent process id of `pid`, from /proc (null once it is gone). */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: read after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Whether `pid` has exited (gone, or a zombie its parent has not reaped yet). */
export function hasExited(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** The app's own process: the one running `appBinary` below tauri-driver `driverPid`. */
function findAppProcess(driverPid) {
  const below = (pid) => {
    for (let p = parentOf(pid); p && p > 1; p = parentOf(p)) if (p === driverPid) return true;
    return false;
  };
  const binary = realpathSync(appBinary);
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === binary && below(pid)) return pid;
    } catch {
      // the process went away while we looked
    }
  }
  return null;
}

/** Starts tauri-driver and a WebDriver session on the app. With `autosaveDelayMs`
 * (an e2e-only setting of the `e2e-paths` build), autosaves wait that long. */
export async function startApp(home, { autosaveDelayMs } = {}) {
  // The ports are fixed: a driver left over from another run would get our session.
  if ((await portAnswers(DRIVER_PORT)) || (await portAnswers(DRIVER_PORT + 1))) {
    throw new Error(`Port ${DRIVER_PORT} or ${DRIVER_PORT + 1} is already in use (another tauri-driver or WebKitWebDriver?). Stop it, or set KAPNOTES_E2E_PORT to another pair, and run again.`);
  }
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    KAPNOTES_E2E_DIR: join(home, 'files'),
  };
  delete env.KAPNOTES_VAULT;
  delete env.KAPNOTES_E2E_AUTOSAVE_MS;
  if (autosaveDelayMs) env.KAPNOTES_E2E_AUTOSAVE_MS = String(autosaveDelayMs);
  const driver = spawn(process.env.TAURI_DRIVER ?? 'tauri-driver', ['--port', String(DRIVER_PORT), '--native-port', String(DRIVER_PORT + 1)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(DRIVER_PORT, 30_000);
  const browser = await remote({
    hostname: '127.0.0.1',
    port: DRIVER_PORT,
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
  const pid = findAppProcess(driver.pid);
  if (!pid) throw new Error(`no ${appBinary} process found under tauri-driver`);
  /** Waits up to `ms` for the app's process to exit; returns whether it did. */
  const exited = async (ms) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (hasExited(pid)) return true;
      await sleep(100);
    }
    return hasExited(pid);
  };
  return { browser, stop, home, pid, exited };
}

/** Whether some process holds the vault's writer lock (the app does while unlocked). */
export function writerLockHeld(home) {
  const lock = `${vaultPath(home)}.lock`;
  if (!existsSync(lock)) return false;
  try {
    execFileSync('flock', ['--nonblock', '--exclusive', lock, 'true']);
    return false;
  } catch {
    return true;
  }
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
    /** The state of the first autosave indicator on screen: saved, pending, saving or failed. */
    async saveState() {
      const indicator = await el('[data-save-state]');
      await indicator.waitForExist({ timeout: 10_000 });
      return indicator.getAttribute('data-save-state');
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
      // WebKit takes the screenshot at the next paint, and without compositing (the app
      // turns it off, for memory) a still page never paints again: keep one invisible
      // pixel changing meanwhile.
      await browser.execute(() => {
        const pixel = document.createElement('div');
        pixel.id = 'e2e-repaint-pixel';
        pixel.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none';
        document.body.append(pixel);
        let tick = 0;
        pixel.dataset.timer = String(setInterval(() => (pixel.style.backgroundColor = `rgba(0,0,${tick++ % 2},0)`), 30));
      });
      try {
        await browser.saveScreenshot(join(screenshotDir, `${name}.png`));
      } finally {
        await browser.execute(() => {
          const pixel = document.getElementById('e2e-repaint-pixel');
          clearInterval(Number(pixel?.dataset.timer));
          pixel?.remove();
        });
      }
    },
  };
  return h;
}
