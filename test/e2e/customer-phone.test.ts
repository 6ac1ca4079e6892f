/**
 * The customer phone journey in Chromium: one person, one browser. The sandbox's customer phone
 * page (its own browser context, a fake microphone) calls the company's demo number through the
 * demo carrier — a ws trunk Callpane adds by default in the demo — with a seed contact's number
 * as caller id; agent 1001's pane, in the sandbox page of another context, rings with that
 * contact popped, answers, audio flows both ways (getStats), the customer hangs up, and the call
 * is journaled in the sandbox exactly once, as received and regarding the contact.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CUSTOMER_PHONE_PATHS } from '../../src/sandbox/customer-phone/customer-phone-page.ts';
import { SEED } from '../../src/sandbox/dataverse/index.ts';
import { DEMO_CARRIER_DID, findDemoCarrier } from '../../src/server/demo-carrier.ts';
import type { CallRecord } from '../../src/store/call-record-repository.ts';
import { delay } from '../support/deadline.ts';
import { screenshotPath } from './support/chromium.ts';
import { Agent, launchPaneBrowser, STEP_MS } from '../support/pane-browser.ts';
import { startPaneStack, type PaneStack } from '../support/pane-stack.ts';
import { itemAt } from '../support/item-at.ts';

/** The journey, from the first click to the counted activity. */
const JOURNEY_MS = 20_000;
/** Phone Call statuscode of a received call (docs/dataverse.md §7). */
const RECEIVED = 4;
/** Alex Baker's mobile as the seed stores it, and as the pane shows it (the demo carrier is in the US). */
const ALEX_BAKER_STORED = '619-555-0129';
const ALEX_BAKER_E164 = '+16195550129';

let stack: PaneStack;
let browser: Browser;
let alice: Agent;
let customerContext: BrowserContext;
let customer: Page;
const customerProblems: string[] = [];

/** Every RTCPeerConnection the customer page makes, for its statistics. */
function observePeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const made: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = made;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this);
    }
  } as typeof RTCPeerConnection;
}

function customerAudio(): Promise<{ sent: number; received: number }> {
  return customer.evaluate(async () => {
    const totals = { sent: 0, received: 0 };
    for (const pc of (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      (await pc.getStats()).forEach((report: { type: string; kind?: string; bytesSent?: number; bytesReceived?: number }) => {
        if (report.kind !== 'audio') return;
        if (report.type === 'outbound-rtp') totals.sent += report.bytesSent ?? 0;
        if (report.type === 'inbound-rtp') totals.received += report.bytesReceived ?? 0;
      });
    }
    return totals;
  });
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, ms = STEP_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await delay(100);
  }
}

before(async () => {
  stack = await startPaneStack();
  browser = await launchPaneBrowser();
  alice = await Agent.open(browser, stack, 'alice');
  await alice.signIn('1001', stack.password('1001'));
  customerContext = await browser.newContext({ viewport: { width: 800, height: 700 } });
  customerContext.setDefaultTimeout(STEP_MS);
  await customerContext.addInitScript(observePeerConnections);
  customer = await customerContext.newPage();
  customer.on('pageerror', (error) => customerProblems.push(`customer pageerror: ${error.message}`));
  customer.on('console', (message) => {
    if (message.type() === 'error') customerProblems.push(`customer console: ${message.text()}`);
  });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the customer phone on the sandbox site', () => {
  test('the demo runs with the demo carrier beside the trunks of its file', () => {
    const config = stack.callpane.running.context.config;
    assert.ok(findDemoCarrier(config), 'the demo carrier trunk is there');
    assert.deepEqual(
      config.trunks.map((trunk) => trunk.name),
      ['demo', 'demo-carrier'],
    );
    assert.ok(config.routes.inbound.some((route) => route.did === DEMO_CARRIER_DID && route.extension === '1001'));
  });

  test('a customer calls the demo number as a seed contact: 1001 rings with the contact popped, answers, audio flows both ways, and one activity is journaled', {
    timeout: JOURNEY_MS,
  }, async () => {
    const since = Date.now();
    await alice.page.goto(`${stack.sandboxUrl}/main.aspx`);
    await alice.findPane();
    await alice.registered();
    assert.equal(await alice.page.locator(`a.topbar-link[href="${CUSTOMER_PHONE_PATHS.page}"]`).count(), 1, 'the top bar links to the customer phone');

    await customer.goto(`${stack.sandboxUrl}${CUSTOMER_PHONE_PATHS.page}`);
    await customer.locator('.customer-number', { hasText: ALEX_BAKER_STORED }).locator('input[type=radio]').check();
    await customer.click('.btn-call');

    await alice.pane.waitForSelector('.card.incoming .record-link:has-text("Alex Baker")');
    await alice.page.waitForURL((url) => url.searchParams.get('id') === SEED.contactAlexBaker);
    await customer.waitForSelector('.customer-status[data-status=ringing]');
    await alice.pane.click('.card.incoming .answer');
    await Promise.all([alice.pane.waitForSelector('.card.active'), customer.waitForSelector('.customer-status[data-status=answered]')]);

    const agentBytes = await eventually(
      () => alice.audioBytesReceived(),
      (bytes) => bytes > 0,
      6000,
    );
    assert.ok(agentBytes > 0, `the agent's pane received ${agentBytes} audio bytes from the customer's microphone`);
    const customerBytes = await eventually(customerAudio, (totals) => totals.received > 0 && totals.sent > 0, 6000);
    assert.ok(customerBytes.received > 0 && customerBytes.sent > 0, `the customer page sent and received audio: ${JSON.stringify(customerBytes)}`);
    await customer.screenshot({ path: screenshotPath('customer-phone-answered') });

    await customer.click('.btn-hangup');
    await customer.waitForSelector('.customer-status[data-status=ended]');
    await alice.pane.waitForSelector('.card.wrap-up .log-status .ok');
    await alice.shot('e2e-customer-phone');

    const calls = await eventually(
      () => stack.calls('1001'),
      (list) => list.some((call) => call.startedAt >= since && call.from.number === ALEX_BAKER_E164 && call.crm.logState === 'logged'),
    );
    const call = calls.find((candidate: CallRecord) => candidate.startedAt >= since && candidate.from.number === ALEX_BAKER_E164);
    assert.ok(call, `a call from ${ALEX_BAKER_E164} since the journey started: ${JSON.stringify(calls.slice(0, 3))}`);
    assert.equal(call.direction, 'inbound');
    assert.equal(call.crm.logState, 'logged');
    // Give a second writer the time to show itself before counting; createdon has whole seconds.
    await delay(500);
    const activities = await stack.activitiesOf(call, new Date(Math.floor(since / 1000) * 1000));
    assert.equal(activities.length, 1, `one activity for the call, found ${JSON.stringify(activities, null, 1)}`);
    assert.equal(itemAt(activities, 0).activityid, call.crm.activityId);
    assert.equal(itemAt(activities, 0).directioncode, false);
    assert.equal(itemAt(activities, 0).statuscode, RECEIVED);
    assert.equal(itemAt(activities, 0)._regardingobjectid_value, SEED.contactAlexBaker);
    await alice.dismissWrapUps();
    assert.deepEqual([...alice.problems, ...customerProblems], []);
  });
});
