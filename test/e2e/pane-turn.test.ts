/**
 * Agents whose network lets media through a TURN server only: Callpane configured with coturn
 * (Debian `coturn`, on 127.0.0.1, use-auth-secret) in media.ice.turn and
 * `media.ice.transportPolicy: relay`, two panes in Chromium — each gathers relayed candidates
 * only, with the short-lived TURN credential that came with its SIP credential. Alice calls Bob,
 * Bob answers, and audio arrives at both panes over a candidate pair whose local side is a relay:
 * once with TURN over UDP, once with TURN over TCP (a network that blocks UDP). The call's media
 * is anchored in rtpengine (an external engine the test runs, so it can ask it `query`): each
 * pane reaches rtpengine through TURN, and rtpengine counts packets from both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startCoturn, type Coturn } from '../support/coturn.ts';
import { delay } from '../support/deadline.ts';
import { Agent, launchPaneBrowser } from '../support/pane-browser.ts';
import { startPaneStack, type PaneStack } from '../support/pane-stack.ts';
import { startRtpengine, type RunningRtpengine } from '../support/rtpengine.ts';
import { packetsByParty, theOnlyCall } from './support/relay-journey.ts';

const SECRET = 'coturn-secret-for-pane-journeys';
const JOURNEY_MS = 45_000;

let coturn: Coturn;
let browser: Browser;

before(async () => {
  coturn = await startCoturn({ secret: SECRET });
  browser = await launchPaneBrowser();
});

after(async () => {
  await browser?.close();
  await coturn?.stop();
});

interface SelectedPair {
  localType: string | undefined;
  /** How the pane reaches the TURN server for a relayed candidate. */
  relayProtocol: string | undefined;
  remoteType: string | undefined;
  state: string | undefined;
}

/** The candidate pair each of the pane's peer connections selected (getStats transport → candidate-pair → candidates). */
function selectedPairs(agent: Agent): Promise<SelectedPair[]> {
  return agent.pane.evaluate(async () => {
    const pairs: SelectedPair[] = [];
    for (const pc of (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      const reports = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((report: Record<string, unknown>) => {
        reports.set(String(report.id), report);
      });
      for (const report of reports.values()) {
        if (report.type !== 'transport' || typeof report.selectedCandidatePairId !== 'string') continue;
        const pair = reports.get(report.selectedCandidatePairId);
        const local = reports.get(String(pair?.localCandidateId));
        pairs.push({
          localType: local?.candidateType as string | undefined,
          relayProtocol: local?.relayProtocol as string | undefined,
          remoteType: reports.get(String(pair?.remoteCandidateId))?.candidateType as string | undefined,
          state: pair?.state as string | undefined,
        });
      }
    }
    return pairs;
  });
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await delay(200);
  }
}

for (const transport of ['udp', 'tcp'] as const) {
  describe(`TURN over ${transport.toUpperCase()}`, () => {
    let stack: PaneStack;
    let engine: RunningRtpengine;
    let alice: Agent;
    let bob: Agent;

    before(async () => {
      const urls = coturn.urls.filter((url) => url.endsWith(`transport=${transport}`));
      engine = await startRtpengine({ rtpPorts: 40 });
      const relay = { relay: 'always', rtpengine: { engines: [`${engine.host}:${engine.ngPort}`] } };
      stack = await startPaneStack({ file: { media: { ...relay, ice: { turn: { urls, secret: SECRET }, transportPolicy: 'relay' } } } });
      [alice, bob] = await Promise.all([Agent.open(browser, stack, 'alice'), Agent.open(browser, stack, 'bob')]);
      await Promise.all([alice.signIn('1001', stack.password('1001')), bob.signIn('1002', stack.password('1002'))]);
    });

    after(async () => {
      await Promise.all([alice?.context.close(), bob?.context.close()]);
      await stack?.close();
      await engine?.stop();
    });

    test('two agents limited to TURN-relayed candidates talk: audio arrives both ways over a relay pair', { timeout: JOURNEY_MS }, async () => {
      await alice.pane.fill('#dial-input', '1002');
      await alice.pane.click('.call-button');
      await bob.pane.waitForSelector('.card.incoming');
      await bob.pane.click('.card.incoming .answer');
      await Promise.all([alice.pane.waitForSelector('.card.active'), bob.pane.waitForSelector('.card.active')]);
      const [toBob, toAlice] = await Promise.all([
        eventually(
          () => bob.audioBytesReceived(),
          (bytes) => bytes > 0,
          10_000,
        ),
        eventually(
          () => alice.audioBytesReceived(),
          (bytes) => bytes > 0,
          10_000,
        ),
      ]);
      const diagnostics = () => coturn.recentLog(15).join('\n');
      assert.ok(toBob > 0, `Bob's pane received ${toBob} audio bytes\n${diagnostics()}`);
      assert.ok(toAlice > 0, `Alice's pane received ${toAlice} audio bytes\n${diagnostics()}`);
      for (const agent of [alice, bob]) {
        // A working pair shows 'in-progress' while a consent check (RFC 7675) is out: wait for 'succeeded'.
        const pairs = await eventually(
          () => selectedPairs(agent),
          (found) => found.length > 0 && found.every((pair) => pair.state === 'succeeded'),
          5_000,
        );
        assert.ok(pairs.length > 0, `${agent.name}'s pane selected no candidate pair`);
        for (const pair of pairs) {
          assert.deepEqual(
            { local: pair.localType, relayProtocol: pair.relayProtocol, state: pair.state },
            { local: 'relay', relayProtocol: transport, state: 'succeeded' },
            `${agent.name}'s selected pair: ${JSON.stringify(pair)}`,
          );
        }
      }
      // Both panes reached rtpengine through their TURN relays: it counts packets from each.
      const counted = await eventually(
        async () => [...(await packetsByParty(engine, await theOnlyCall(engine))).values()],
        (packets) => packets.length === 2 && packets.every((count) => count > 0),
        5_000,
      );
      assert.equal(counted.filter((count) => count > 0).length, 2, `rtpengine counted ${JSON.stringify(counted)} packets per party`);
      await bob.shot(`e2e-turn-${transport}-call`);
      await alice.pane.click('.card.active .btn-danger');
      await Promise.all([alice.pane.waitForSelector('.card.wrap-up'), bob.pane.waitForSelector('.card.wrap-up')]);
      await Promise.all([alice.dismissWrapUps(), bob.dismissWrapUps()]);
      assert.deepEqual([...alice.problems, ...bob.problems], []);
    });
  });
}
