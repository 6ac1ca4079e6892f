/**
 * Notes an agent types during a call that a pane cannot log at once (the pane is not connected to
 * Dynamics 365, or it is reloaded before its createRecord) still reach the Phone Call activity
 * that the start-up catch-up writes later: the pane keeps them on the server (PUT
 * /api/calls/:id/notes), since session storage is denied in the cross-site frame and per tab anyway.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { Agent, launchPaneBrowser, STEP_MS } from '../support/pane-browser.ts';
import { DEMO_DID, startPaneStack, type PaneStack } from '../support/pane-stack.ts';
import { delay } from '../support/deadline.ts';
import { itemAt } from '../support/item-at.ts';

const NOTES = 'Wants the renewal quote by Friday.';

let stack: PaneStack;
let browser: Browser;

before(async () => {
  stack = await startPaneStack();
  browser = await launchPaneBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

test('notes typed in a pane outside Dynamics 365 reach the activity a pane inside it writes later', { timeout: 60_000 }, async () => {
  const since = Date.now();
  const outside = await browser.newContext();
  outside.setDefaultTimeout(STEP_MS);
  const page = await outside.newPage();
  await page.goto(`${stack.paneOrigin}/dyncrm?base=${stack.sandboxUrl}`);
  await page.fill('input[name=login]', '1001');
  await page.fill('input[name=password]', stack.password('1001'));
  await page.click('button[type=submit]');
  await page.waitForSelector('.badge-ok');
  await page.waitForSelector('.banner-warning');
  stack.carrier.call('+16195550129', DEMO_DID);
  await page.click('.card.incoming .answer');
  await page.fill('.card.active textarea', NOTES);
  await page.click('.card.active .btn-danger');
  await page.waitForSelector('.card.wrap-up');
  await outside.close();

  const inside = await Agent.open(browser, stack, 'inside');
  await inside.signIn('1001', stack.password('1001'));
  let call = itemAt(await stack.calls('1001'), 0);
  for (let waited = 0; call.crm.logState !== 'logged' && waited < STEP_MS; waited += 100) {
    await delay(100);
    call = itemAt(await stack.calls('1001'), 0);
  }
  assert.equal(call.crm.logState, 'logged', 'the catch-up logged the call');
  const rows = await stack.activitiesOf(call, new Date(Math.floor(since / 1000) * 1000));
  assert.equal(rows.length, 1);
  await inside.shot('e2e-notes-catch-up');
  assert.equal(itemAt(rows, 0).description, NOTES, 'the notes typed during the call are in the activity');
});
