// The whole course of treatment, in the real app in a real WebKit window: create a
// vault → add a client → build a parts map → a preparation session with two intentions
// → a dosing session held off by a red protector → a dosing session with all greens,
// a dose (first out of range, then in range), observations and a signed note → an
// integration session → lock → a wrong passphrase → unlock → everything still there.
// Screenshots of every main screen (docs/screenshots/ with `make screenshots`).

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, startApp } from './harness.mjs';

const PASSPHRASE = 'quiet harbour lantern maple';
let app;
let h;
let browser;

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
});

after(async () => {
  await app?.stop();
});

const protectorRadio = (part, signal) =>
  `//fieldset[legend[contains(., "${part}")]]//input[@value="${signal}"]`;

async function newSession(kind) {
  await h.choose('#new-kind', kind);
  await h.click('button=Add session');
  await h.waitText('h1', `${kind} session`);
  // A dosing session opens on its pre-dose checks; this course goes straight to the check-in.
  if (kind === 'Dosing') await h.click('button=2. Check-in');
}

async function setStatus(label) {
  const details = await h.el('details.details');
  if (!(await details.getAttribute('open'))) await h.click('summary=When, where and status');
  await h.choose('#status', label);
}

async function backToClient() {
  await h.click('button=Back to client');
  await h.waitText('#course-heading', 'Course of treatment');
}

test('first run: create the vault and see the recovery key once', async () => {
  await h.waitText('h1', 'kapnotes', 30_000);
  await h.shot('01-create-vault');
  await h.type('#new-passphrase', PASSPHRASE);
  await h.type('#confirm-passphrase', 'not the same');
  await h.click('button=Create the vault');
  await h.waitText('[role=alert]', 'not the same');
  await h.type('#confirm-passphrase', PASSPHRASE);
  await h.click('button=Create the vault');
  const key = await h.text('[data-testid=recovery-key]');
  assert.match(key, /^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  assert.equal(await (await h.el('button=Continue')).isEnabled(), false, 'must confirm the key was saved');
  await h.shot('02-recovery-key');
  await h.click('label*=I have written down the recovery key');
  await h.click('button=Continue');
  await h.waitText('h1', 'Clients');
});

test('add a client with a prescriber range', async () => {
  await h.type('#new-client', 'J.R.');
  await h.click('button=Add client');
  await h.waitText('h1', 'J.R.');
  await h.type('#full-name', 'Jordan Rivers');
  await h.click('label*=A prescriber has set a dose range');
  await h.type('#prescriber-name', 'Dr. A. Medina');
  await h.type('#dose-min', '50');
  await h.type('#dose-max', '150');
  await h.saved();
});

test('build a parts map: three protectors and an exile, with relationships', async () => {
  await h.click('button=Parts map');
  await h.waitText('h1', 'Parts map');
  for (const [name, role] of [
    ['The Planner', 'Manager'],
    ['Inner Critic', 'Manager'],
    ['Scroller', 'Firefighter'],
    ['Little one', 'Exile'],
  ]) {
    await h.type('#part-name', name);
    await h.choose('#part-role', role);
    await h.click('button=Add part');
    await h.waitText('#part-heading', name);
  }
  // Select and move parts with the keyboard (the map is usable without a mouse;
  // WebDriver cannot click SVG shapes in WebKit anyway).
  const focus = async (label) => {
    const part = await h.el(`[aria-label="${label}"]`);
    await browser.execute((e) => e.focus(), part);
  };
  const select = async (label) => {
    await focus(label);
    await browser.keys(['Enter']);
    await h.waitText('#part-heading', label.split(': ')[1]);
  };
  const nudge = async (label, key, times) => {
    await focus(label);
    for (let i = 0; i < times; i++) await browser.keys(['Shift', key]);
  };
  await nudge('Manager: The Planner', 'ArrowLeft', 4);
  await nudge('Manager: Inner Critic', 'ArrowUp', 3);
  await nudge('Firefighter: Scroller', 'ArrowRight', 4);
  await nudge('Exile: Little one', 'ArrowDown', 3);
  const connect = async (from, kind, to) => {
    await select(from);
    await h.choose('#connect-kind', kind);
    await h.choose('#connect-to', to);
    await h.click('button=Connect');
  };
  await connect('Manager: The Planner', 'protects', 'Little one (Exile)');
  await connect('Firefighter: Scroller', 'protects', 'Little one (Exile)');
  await connect('Manager: Inner Critic', 'polarized with', 'Scroller (Firefighter)');
  await select('Manager: The Planner');
  await h.type('#sel-fears', 'If it stops, everything falls apart.');
  await h.saved();
  await h.click('button=Fit');
  await h.shot('05-parts-map');
  assert.equal((await browser.$$('[data-part-id]')).length, 4);
  assert.equal((await browser.$$('.relationship')).length, 3);
  await backToClient();
});

test('a preparation session with two intentions', async () => {
  await newSession('Preparation');
  await h.click('button=Add an intention');
  await h.type('#intention-0', 'I want to understand why I feel so stuck.');
  await h.click('button=Add an intention');
  await h.type('#intention-1', 'Let the Planner rest for a moment.');
  await h.choose('#intention-part-1', 'The Planner');
  await h.type('#safety-plan', 'Feet on the floor, the blue stone. Partner drives home.');
  const note = 'Talked through set and setting. The Planner worries about losing control on the day.';
  await h.type('#session-note', note);
  await h.saved();
  // An accidental deletion: the earlier text can be brought back.
  await h.type('#session-note', 'Oops.');
  await h.saved();
  await h.click('button=Earlier versions of this note');
  await h.waitText('.revisions', 'losing control on the day');
  await h.click('//div[contains(@class, "revisions")]//button[text()="Bring back"]');
  await browser.waitUntil(async () => (await (await h.el('#session-note')).getValue()) === note, {
    timeout: 10_000,
    timeoutMsg: 'the earlier note did not come back',
  });
  await setStatus('Completed');
  await h.saved();
  await h.shot('06-preparation');
  await backToClient();
});

test('a dosing session held off by a red protector', async () => {
  await newSession('Dosing');
  await h.click('button=Begin the check-in');
  await h.click(protectorRadio('The Planner', 'green'));
  await h.click(protectorRadio('Inner Critic', 'red'));
  await h.waitText('[role=alert]', 'Held off');
  await h.type('#decision-note', 'The Critic is afraid of losing control today.');
  await h.saved();
  await h.shot('07-checkin-held-off');
  await h.click('button=3. Dose');
  await h.waitText('#step-panel', 'No dose: this session is held off.');
  await backToClient();
  await h.waitText('#course-heading + p', '1 held off');
});

test('a dosing session with all greens, a dose, observations and a signed note', async () => {
  await newSession('Dosing');
  await h.click('button=Begin the check-in');
  for (const part of ['The Planner', 'Inner Critic', 'Scroller']) await h.click(protectorRadio(part, 'green'));
  await h.type('//fieldset[legend[contains(., "The Planner")]]//textarea[starts-with(@id, "requests-")]', 'Eye shades off at first.');
  await h.click('button=Next: dose');
  await h.type('#dose-mg', '175');
  await h.waitText('[data-testid=dose-warning]', "outside the prescriber's range of 50 mg to 150 mg");
  await h.shot('08-dose-out-of-range');
  await h.type('#dose-mg', '100');
  await h.waitText('#step-panel', "Within the prescriber's range.");
  await h.waitText('[data-testid=dose-band]', 'psycholytic');
  await h.click('button=Next: the journey');
  await h.click('label=Little one');
  await h.type('#bp-pre', '124/82');
  await h.type('#hr-pre', '72');
  await h.type('#hr-pre', '118'); // changed: typing passes through 1 and 11, which are not heart rates
  await h.type('#timeline-text', 'Onset: warmth in the feet.');
  await h.click('button=Add note');
  await h.waitText('#step-panel', 'warmth in the feet');
  await h.type('#observation-notes', 'Soft journey, no flooding.');
  await h.saved();
  await h.shot('09-journey');
  await h.click('button=6. Closing note');
  await h.type('#session-note', 'Met the Little one from a distance.');
  await setStatus('Completed');
  await h.saved();
  await h.click('button=Sign and lock the note');
  await h.click('button=Sign');
  await h.waitText('main', 'Signed on');
  await h.type('#addendum', 'Client called next morning: slept well.');
  await h.click('button=Add addendum');
  await h.waitText('main', 'slept well');
  await h.shot('10-signed-dosing');
  await h.click('button=Dim room');
  await h.shot('12-dim-room');
  await h.click('button=Dim room');
  await backToClient();
});

test('an integration session linked to the dosing session', async () => {
  await newSession('Integration');
  await h.choose('#linked-dosing', 2); // the second (completed) dosing session
  await h.type('#reflection-1', 'The Planner stepped back for about ten minutes.');
  await h.click('label=Little one');
  await h.type('#insights', 'The stuckness is the Planner guarding the Little one.');
  await h.type('#messages', 'Someone finally came.');
  await h.click('#energy-calm');
  await browser.keys(['ArrowRight']);
  await h.type('#commitments', 'Thank the Planner each morning.');
  await setStatus('Completed');
  await h.saved();
  await h.shot('11-integration');
  await backToClient();
  await h.waitText('#course-heading + p', '1 dosing session done');
  await h.shot('04-client-overview');
});

test('export and back up from the File menu', async () => {
  const exported = join(app.home, 'files', 'everything.json');
  nextPath(app.home, exported);
  await h.click('button=File');
  await h.click('button=Export everything…');
  await h.waitText('.notices', 'NOT encrypted');
  const text = readFileSync(exported, 'utf8');
  assert.ok(text.includes('"display_name": "J.R."'));
  assert.ok(text.includes('Someone finally came.'));
  assert.ok(text.includes('"heart_rate_pre": 118'), 'a changed heart rate is kept whole');
  const backup = join(app.home, 'files', 'backup.kapnotes');
  nextPath(app.home, backup);
  await h.click('button=File');
  await h.click('button=Back up now…');
  await h.waitText('.notices', 'Backup written');
  assert.ok(existsSync(backup));
  assert.ok(!readFileSync(backup).includes('Someone finally came.'), 'the backup is encrypted');
});

test('lock, a wrong passphrase, unlock: everything is still there', async () => {
  await h.click('button=Settings');
  await h.waitText('h1', 'Settings');
  await h.shot('14-settings');
  await h.click('button=Lock');
  await h.waitText('h1', 'kapnotes');
  await h.type('#passphrase', 'not my passphrase');
  await h.click('button=Unlock');
  await h.waitText('[role=alert]', 'passphrase is not right');
  // The refused passphrase is selected, so typing again replaces it.
  const selected = await browser.execute(() => {
    const field = document.activeElement;
    return field?.id === 'passphrase' && field.value.length > 0 && field.selectionStart === 0 && field.selectionEnd === field.value.length;
  });
  assert.ok(selected, 'the refused passphrase is focused and selected');
  await h.shot('13-wrong-passphrase');
  // Locking took an automatic backup of the changed vault.
  const backups = readdirSync(join(app.home, 'data', 'kapnotes', 'backups'));
  assert.ok(backups.some((name) => name.startsWith('kapnotes-backup-')), backups.join(', '));
  await h.type('#passphrase', PASSPHRASE);
  await h.click('button=Unlock');
  await h.waitText('h1', 'Clients');
  await h.waitText('.backup', 'Backed up');
  await h.shot('03-clients');
  await h.click('button*=J.R.');
  await h.waitText('#course-heading + p', '1 dosing session done');
  await h.waitText('#course-heading + p', '1 held off');
  assert.equal((await browser.$$('.timeline li')).length, 4);
  assert.equal(await (await h.el('#full-name')).getValue(), 'Jordan Rivers');
  await h.click('button=Parts map');
  await h.waitText('h1', 'Parts map');
  assert.equal((await browser.$$('[data-part-id]')).length, 4);
  assert.equal((await browser.$$('.relationship')).length, 3);
  await backToClient();
  await h.click('.status-completed.kind-dosing button');
  await h.waitText('main', 'Met the Little one from a distance.');
  await h.waitText('main', 'slept well');
  await h.waitText('main', '100 mg');
});

test('a new recovery key from Settings, then recovering with it after a forgotten passphrase', async () => {
  await h.click('button=Settings');
  await h.type('#key-passphrase', PASSPHRASE);
  await h.click('button=Make a new recovery key');
  const key = await h.text('[data-testid=new-recovery-key]');
  assert.match(key, /^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  await h.click('label*=I have written it down');
  await h.click('button=Done');
  await h.click('button=Lock');
  await h.click('button*=Forgot the passphrase?');
  await h.type('#recovery-key', key.toLowerCase());
  await h.type('#recover-passphrase', 'a brand new passphrase here');
  await h.type('#recover-confirm', 'a brand new passphrase here');
  await h.click('button=Set the new passphrase');
  await h.waitText('h1', 'Clients');
  await h.waitText('main', 'J.R.');
});
