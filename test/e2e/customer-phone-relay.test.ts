/**
 * The local demo through the media relay: Callpane as the demo runs it, with `media.relay:
 * always` and rtpengine run by Callpane itself (managed), the sandbox's customer phone page (its
 * own browser context, a fake microphone) calling the company's demo number through the demo
 * carrier, and agent 1001's pane answering. Audio flows both ways, each browser's remote SDP
 * names rtpengine's ports, and the managed rtpengine's own counters (ng `query`) see packets from
 * both browsers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callStatsFromQuery } from '../../src/media/rtpengine-stats.ts';
import { parseNgAddress } from '../../src/media/ng-address.ts';
import { NgClient } from '../../src/media/ng/ng-client.ts';
import { CUSTOMER_PHONE_PATHS } from '../../src/sandbox/customer-phone/customer-phone-page.ts';
import { delay } from '../support/deadline.ts';
import { Agent, launchPaneBrowser, STEP_MS } from '../support/pane-browser.ts';
import { startPaneStack, type PaneStack } from '../support/pane-stack.ts';
import { eventually, paneInboundAudio, paneRemoteMedia } from './support/relay-journey.ts';

const JOURNEY_MS = 30_000;
/** Alex Baker's mobile as the seed stores it. */
const ALEX_BAKER_STORED = '619-555-0129';

let stack: PaneStack;
let browser: Browser;
let alice: Agent;
let customerContext: BrowserContext;
let customer: Page;
let ng: NgClient;
const customerProblems: string[] = [];

/** Every RTCPeerConnection the customer page makes, for its statistics and SDP. */
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

function customerMedia(): Promise<{ sent: number; received: number; energy: number; remoteCandidatePorts: number[] }> {
  return customer.evaluate(async () => {
    const totals = { sent: 0, received: 0, energy: 0, remoteCandidatePorts: [] as number[] };
    for (const pc of (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const match of (pc.remoteDescription?.sdp ?? '').matchAll(/^a=candidate:\S+ \d+ \S+ \d+ \S+ (\d+) typ/gm)) totals.remoteCandidatePorts.push(Number(match[1]));
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        if (report.kind !== 'audio') return;
        if (report.type === 'outbound-rtp') totals.sent += Number(report.packetsSent ?? 0);
        if (report.type === 'inbound-rtp') {
          totals.received += Number(report.packetsReceived ?? 0);
          totals.energy += Number(report.totalAudioEnergy ?? 0);
        }
      });
    }
    return totals;
  });
}

before(async () => {
  stack = await startPaneStack({ file: { media: { relay: 'always' } } });
  const managed = stack.callpane.running.context.media.status().managed;
  const address = parseNgAddress(managed?.ng ?? '').address;
  if (!address) throw new Error(`the demo runs no managed rtpengine: ${JSON.stringify(stack.callpane.running.context.media.status())}`);
  ng = new NgClient({ ...address, timeoutMs: 500, retries: 1 });
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
  await ng?.close();
  await browser?.close();
  await stack?.close();
});

describe('the customer phone demo through the media relay', () => {
  test('the customer calls the demo number, the agent answers, and audio flows both ways through the managed rtpengine', { timeout: JOURNEY_MS }, async () => {
    const status = stack.callpane.running.context.media.status();
    assert.deepEqual([status.mode, status.ready], ['managed', true], JSON.stringify(status));
    const { portMin, portMax } = status.managed!;
    const inRange = (port: number) => port >= portMin && port <= portMax;

    await customer.goto(`${stack.sandboxUrl}${CUSTOMER_PHONE_PATHS.page}`);
    await customer.locator('.customer-number', { hasText: ALEX_BAKER_STORED }).locator('input[type=radio]').check();
    await customer.click('.btn-call');
    await alice.pane.waitForSelector('.card.incoming');
    await customer.waitForSelector('.customer-status[data-status=ringing]');
    await alice.pane.click('.card.incoming .answer');
    await Promise.all([alice.pane.waitForSelector('.card.active'), customer.waitForSelector('.customer-status[data-status=answered]')]);

    const agentHears = await eventually(
      () => paneInboundAudio(alice),
      (audio) => audio.packets > 25 && audio.totalAudioEnergy > 0,
    );
    assert.ok(agentHears.packets > 25 && agentHears.totalAudioEnergy > 0, `the agent hears the customer: ${JSON.stringify(agentHears)}`);
    const customerHears = await eventually(customerMedia, (media) => media.received > 25 && media.sent > 25 && media.energy > 0);
    assert.ok(customerHears.received > 25 && customerHears.sent > 25 && customerHears.energy > 0, `the customer hears the agent: ${JSON.stringify(customerHears)}`);

    const paneSaw = await paneRemoteMedia(alice);
    assert.ok(
      paneSaw.candidates.length > 0 && paneSaw.candidates.every((candidate) => inRange(Number(candidate.split(':')[1]))),
      `the pane's remote candidates are rtpengine's (${portMin}-${portMax}): ${paneSaw.candidates.join(', ')}`,
    );
    assert.ok(
      customerHears.remoteCandidatePorts.length > 0 && customerHears.remoteCandidatePorts.every(inRange),
      `the customer page's remote candidates are rtpengine's: ${customerHears.remoteCandidatePorts.join(', ')}`,
    );

    const calls = (await ng.request('list')).calls;
    assert.ok(Array.isArray(calls) && calls.length === 1, `the managed rtpengine holds the call: ${JSON.stringify(calls)}`);
    const callId = String(calls[0]);
    const first = callStatsFromQuery(await ng.request('query', { 'call-id': callId })).legs;
    await delay(1000);
    const later = callStatsFromQuery(await ng.request('query', { 'call-id': callId })).legs;
    assert.equal(later.length, 2, `rtpengine relays two parties: ${JSON.stringify(later)}`);
    for (const leg of later) {
      const before = first.find((earlier) => earlier.tag === leg.tag)?.packets ?? 0;
      assert.ok(leg.packets >= before + 25, `rtpengine keeps receiving from ${leg.tag}: ${before} then ${leg.packets} packets in 1 s`);
    }
    await alice.shot('e2e-relay-customer-phone');

    await customer.click('.btn-hangup');
    await customer.waitForSelector('.customer-status[data-status=ended]');
    await alice.pane.waitForSelector('.card.wrap-up');
    await alice.dismissWrapUps();
    const left = await eventually(
      async () => (await ng.request('list')).calls,
      (list) => Array.isArray(list) && list.length === 0,
      3000,
    );
    assert.deepEqual(left, [], 'no session is left after the hangup');
    assert.deepEqual([...alice.problems, ...customerProblems], []);
  });
});
