// Note templates (issue 12): a therapy session's note written in SOAP, signed, its
// sections headed in the signed view and in the session-note PDF; a custom template
// edited in Settings with the keyboard-operable controls, kept after leaving Settings,
// and the default of its kind for the next session.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshHome, helpers, nextPath, repo, startApp } from './harness.mjs';

const PASSPHRASE = 'templates test passphrase';
const EXAMPLE = JSON.parse(readFileSync(`${repo}/tests/fixtures/interchange/example.json`, 'utf8'));
const SOAP = [
  ['Subjective', 'Reports sleeping better since the integration session.'],
  ['Objective', 'Calm, warm affect; PHQ-9 down to 8.'],
  ['Assessment', 'The protector around work has eased.'],
  ['Plan', 'Continue weekly; revisit the Planner.'],
];
let app;
let h;
let browser;

before(async () => {
  app = await startApp(freshHome());
  browser = app.browser;
  h = helpers(browser);
  await h.createVault(PASSPHRASE);
  await h.importDocument(app.home, 'example.json', EXAMPLE);
  await h.waitText('.notices', 'Imported 1 client(s)');
});

after(async () => {
  await app?.stop();
});

test('a SOAP note is written, signed, and headed in the signed view and the PDF', async () => {
  await h.click('button*=J.R.');
  await h.choose('#new-kind', 'Therapy');
  await h.click('button=Add session');
  await h.waitText('h1', 'Therapy session');
  // A therapy session starts as a plain note; the clinician chooses SOAP.
  assert.equal(await (await h.el('#note-template')).getValue(), '');
  await h.choose('#note-template', 'SOAP');
  for (const [i, [heading, text]] of SOAP.entries()) {
    assert.equal(await h.text(`label[for="note-section-${i}"]`), heading);
    // The prompt is the text area's description, read out with it.
    const described = await (await h.el(`#note-section-${i}`)).getAttribute('aria-describedby');
    assert.ok((await h.text(`#${described}`)).length > 10, `${heading} has its prompt`);
    await h.type(`#note-section-${i}`, text);
  }
  await h.saved();
  await h.shot('40-soap-note');
  const details = await h.el('details.details');
  if (!(await details.getAttribute('open'))) await h.click('summary=When, where and status');
  await h.choose('#status', 'Completed');
  await h.saved();
  await h.click('button=Sign and lock the note');
  await h.click('button=Sign');
  await h.waitText('main', 'Signed on');
  await h.waitText('main', 'Note (SOAP)');
  const headings = await browser.execute(() => [...document.querySelectorAll('h3.note-heading')].map((e) => e.textContent.trim()));
  assert.deepEqual(headings, SOAP.map(([heading]) => heading));
  for (const [, text] of SOAP) await h.waitText('main', text);
  await h.shot('41-soap-note-signed');

  const pdf = join(app.home, 'files', 'soap.pdf');
  nextPath(app.home, pdf);
  await h.click('button=Note as PDF…');
  await h.waitText('.notices', 'NOT encrypted');
  const text = execFileSync('pdftotext', [pdf, '-']).toString();
  let at = text.indexOf('Note (SOAP)');
  assert.ok(at >= 0, text);
  for (const [heading, body] of SOAP) {
    const next = text.indexOf(heading, at);
    assert.ok(next > at, `${heading} after what precedes it`);
    at = text.indexOf(body, next);
    assert.ok(at > next, `${body} under ${heading}`);
  }
  await h.click('button=Back to client');
});

test('a custom template is edited in Settings and becomes the default of its kind', async () => {
  await h.click('button=Settings');
  await h.waitText('#templates-heading', 'Note templates');
  await h.click('button=New template');
  await h.type('#template-name', 'Brief check-in');
  await h.type('#section-heading-0', 'What happened');
  await h.type('#section-prompt-0', 'In a few lines.');
  await h.click('button=Add a section');
  await h.type('#section-heading-1', 'Risk');
  await h.type('#section-prompt-1', 'Any risk to self or others, and what was done.');
  // Reordered with the keyboard: focus stays on the moved section's button.
  await (await h.el('#section-up-1')).click();
  // At the top, Move up is disabled: focus is on the row's Move down.
  await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.id)) === 'section-down-0');
  assert.equal(await (await h.el('#section-heading-0')).getValue(), 'Risk');
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.id)) === 'section-up-1');
  assert.equal(await (await h.el('#section-heading-1')).getValue(), 'Risk');
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await browser.execute(() => document.activeElement?.id)) === 'section-down-0');
  await h.choose('#default-therapy', 'Brief check-in');
  await (await h.el('#templates-heading')).scrollIntoView();
  await h.shot('42-note-templates-settings');
  await h.click('button=Save templates');
  await h.waitText('.notices', 'The note templates are saved');

  // A next therapy session starts in it, sections in the new order.
  await h.click('button=Clients');
  await h.click('button*=J.R.');
  await h.choose('#new-kind', 'Therapy');
  await h.click('button=Add session');
  await h.waitText('h1', 'Therapy session');
  assert.equal(await (await h.el('#note-template')).getValue(), 'Brief check-in');
  assert.equal(await h.text('label[for="note-section-0"]'), 'Risk');
  assert.equal(await h.text('label[for="note-section-1"]'), 'What happened');
  await h.waitText('#note-section-0-prompt', 'Any risk to self');
  await browser.execute(() => (document.documentElement.dataset.theme = 'dim'));
  await h.shot('43-template-note-dim');
  await browser.execute(() => (document.documentElement.dataset.theme = 'light'));
});
