/**
 * Callpane where rtpengine cannot run (media.rtpengine.binary names a path that does not exist,
 * as on a machine without the package): it starts anyway, /healthz and the start banner say the
 * relay is unavailable and what that means, and two agents in Chromium still talk browser to
 * browser — each pane's remote SDP is the other browser's own, and audio arrives at both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { formatBanner } from '../../src/server/banner.ts';
import { Agent, launchPaneBrowser } from '../support/pane-browser.ts';
import { startPaneStack, type PaneStack } from '../support/pane-stack.ts';
import { eventually, paneInboundAudio } from './support/relay-journey.ts';

const JOURNEY_MS = 45_000;
const MISSING_BINARY = '/nonexistent/rtpengine';

let stack: PaneStack;
let browser: Browser;
let alice: Agent;
let bob: Agent;

before(async () => {
  stack = await startPaneStack({ file: { media: { relay: 'always', rtpengine: { binary: MISSING_BINARY } } } });
  browser = await launchPaneBrowser();
  [alice, bob] = await Promise.all([Agent.open(browser, stack, 'alice'), Agent.open(browser, stack, 'bob')]);
  await Promise.all([alice.signIn('1001', stack.password('1001')), bob.signIn('1002', stack.password('1002'))]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

/** The ICE ufrags of the pane's open peer connection: its own, and the one its remote SDP names. */
function iceUfrags(agent: Agent): Promise<{ local: string[]; remote: string[] }> {
  return agent.pane.evaluate(() => {
    const ufrags = (sdp: string | undefined) => [...new Set([...(sdp ?? '').matchAll(/^a=ice-ufrag:(\S+)/gm)].flatMap(([, ufrag]) => (ufrag === undefined ? [] : [ufrag])))];
    const open = ((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed');
    return { local: open.flatMap((pc) => ufrags(pc.localDescription?.sdp)), remote: open.flatMap((pc) => ufrags(pc.remoteDescription?.sdp)) };
  });
}

describe('Callpane without rtpengine', () => {
  test('starts, and /healthz and the banner say the relay is unavailable, what that means and how to install it', async () => {
    const status = stack.callpane.running.context.media.status();
    assert.equal(status.mode, 'unavailable');
    assert.match(status.reason ?? '', /\/nonexistent\/rtpengine \(media\.rtpengine\.binary\) is not found/);

    const response = await fetch(`${stack.callpane.httpUrl}/healthz`);
    const health = (await response.json()) as { status: string; media: { mode: string; ready: boolean; reason: string } };
    assert.deepEqual([health.status, health.media.mode, health.media.ready], ['degraded', 'unavailable', false], JSON.stringify(health));
    assert.match(health.media.reason, /media\.rtpengine\.binary/);

    const { running } = stack.callpane;
    const banner = formatBanner({ httpUrl: running.httpUrl, publicUrl: undefined, sipUris: running.sipUris, demo: [], dataDir: stack.callpane.dataDir, media: status });
    assert.match(
      banner,
      /Media {6}relay unavailable — calls work only between browsers on one network\n +install rtpengine-daemon \(apt-get install rtpengine-daemon\)\n +\(.*media\.rtpengine\.binary.*\)/,
    );
  });

  test("two agents still talk browser to browser: each pane's remote SDP is the other browser's, and audio arrives at both", { timeout: JOURNEY_MS }, async () => {
    await alice.pane.fill('#dial-input', '1002');
    await alice.pane.click('.call-button');
    await bob.pane.waitForSelector('.card.incoming');
    await bob.pane.click('.card.incoming .answer');
    await Promise.all([alice, bob].map((agent) => agent.pane.waitForSelector('.card.active button[aria-label="Hold"]:not([disabled])')));
    for (const agent of [alice, bob]) {
      const received = await eventually(
        () => paneInboundAudio(agent),
        (audio) => audio.packets > 25 && audio.totalAudioEnergy > 0,
      );
      assert.ok(received.packets > 25 && received.totalAudioEnergy > 0, `${agent.name}'s pane receives audio: ${JSON.stringify(received)}`);
    }
    const [aliceIce, bobIce] = await Promise.all([iceUfrags(alice), iceUfrags(bob)]);
    assert.deepEqual(aliceIce.remote, bobIce.local, "Alice negotiated ICE with Bob's browser itself");
    assert.deepEqual(bobIce.remote, aliceIce.local, "Bob negotiated ICE with Alice's browser itself");
    await bob.shot('e2e-relay-unavailable-pane-to-pane');

    await alice.pane.click('.card.active .btn-danger');
    await Promise.all([alice.pane.waitForSelector('.card.wrap-up'), bob.pane.waitForSelector('.card.wrap-up')]);
    await Promise.all([alice.dismissWrapUps(), bob.dismissWrapUps()]);
    assert.deepEqual([...alice.problems, ...bob.problems], []);
  });
});
