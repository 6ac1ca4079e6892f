/**
 * The pane talks to real phones and carriers through the media relay (issue 12's proof, in
 * Chromium): Callpane with its sandbox and a real rtpengine anchoring every call; agents Alice
 * (1001) and Bob (1002) in panes; desk phones 1003 and 1004 that are baresip registered over UDP
 * (plain RTP/AVP, G.711, a 440 Hz sine as their microphone); a carrier that is baresip on
 * 127.0.0.3 answering `early` (a 183 with SDP, then 200 on `accept`), and a scripted carrier on
 * 127.0.0.4 that plays a tone as early media. Audio is proven at both ends of the relay: the
 * pane's getStats shows energy in what it receives, rtpengine's own counters (ng `query`) show
 * packets from each party, and the phone's own RTP statistics show what it received; the SDP
 * each side saw names rtpengine's ports (everything is on 127.0.0.1, so the port tells rtpengine
 * from the other party), never the other party's. Call control on relayed calls: keypad DTMF as
 * RFC 4733 events, hold and resume, blind and attended transfer.
 *
 * Callpane's SIP listens on 5060 here: the pane's blind-transfer Refer-To is a URI on the SIP
 * domain without a port, which a phone resolves to 5060 (RFC 3263 §4.2) as it would in a real
 * deployment. The namespace is loopback-only and fresh for the run; nothing else takes 5060.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { BaresipAgent } from '../support/baresip.ts';
import { delay } from '../support/deadline.ts';
import { Agent, launchPaneBrowser } from '../support/pane-browser.ts';
import { ScriptedUa } from '../support/scripted-ua.ts';
import {
  WAIT_MS,
  audioPortsReceived,
  eventually,
  packetsByParty,
  paneInboundAudio,
  paneRemoteMedia,
  phoneReceived,
  respondWithSdp,
  sessionsLeft,
  startDeskPhone,
  startRelayStack,
  theOnlyCall,
  type RelayStack,
} from './support/relay-journey.ts';
import { ToneSender } from './support/tone-sender.ts';

const JOURNEY_MS = 60_000;
const SIP_PORT = 5060;
const CALLPANE = `127.0.0.1:${SIP_PORT}`;
const BARESIP_CARRIER_HOST = '127.0.0.3';
const SCRIPTED_CARRIER_HOST = '127.0.0.4';
/** What the carrier numbers answer as (E.164 after the routes' strip and prepend). */
const BARESIP_CARRIER_NUMBER = '+14155550123';

let relay: RelayStack;
let browser: Browser;
let alice: Agent;
let bob: Agent;
let desk: BaresipAgent;
let desk2: BaresipAgent;
let carrier: BaresipAgent;
let scriptedCarrier: ScriptedUa;

before(async () => {
  // baresip finds the account by the Request-URI's user: the carrier's account is the number called.
  carrier = await BaresipAgent.start({
    name: 'carrier',
    address: BARESIP_CARRIER_HOST,
    sipTrace: true,
    account: { user: BARESIP_CARRIER_NUMBER, registrar: `sip:${BARESIP_CARRIER_HOST}`, regint: 0, answermode: 'early' },
  });
  scriptedCarrier = await ScriptedUa.open(SCRIPTED_CARRIER_HOST, SIP_PORT);
  relay = await startRelayStack({
    sipPort: SIP_PORT,
    file: {
      trunks: [
        { name: 'baresip-carrier', host: BARESIP_CARRIER_HOST, port: carrier.sipPort, transport: 'udp', match: { addresses: [`${BARESIP_CARRIER_HOST}/32`] } },
        { name: 'scripted-carrier', host: SCRIPTED_CARRIER_HOST, port: scriptedCarrier.port, transport: 'udp', match: { addresses: [`${SCRIPTED_CARRIER_HOST}/32`] } },
      ],
      routes: {
        inbound: [],
        outbound: [
          { pattern: '_9NXXNXXXXXX', trunk: 'baresip-carrier', strip: 1, prepend: '+1', callerId: '+14155550199' },
          { pattern: '_8NXXNXXXXXX', trunk: 'scripted-carrier', strip: 1, prepend: '+1', callerId: '+14155550199' },
        ],
      },
    },
  });
  browser = await launchPaneBrowser();
  [alice, bob] = await Promise.all([Agent.open(browser, relay.stack, 'alice'), Agent.open(browser, relay.stack, 'bob')]);
  await Promise.all([alice.signIn('1001', relay.stack.password('1001')), bob.signIn('1002', relay.stack.password('1002'))]);
  desk = await startDeskPhone(relay.stack, 'desk-1003', '1003');
  desk2 = await startDeskPhone(relay.stack, 'desk-1004', '1004');
});

after(async () => {
  await Promise.all([desk?.stop(), desk2?.stop(), carrier?.stop()]);
  scriptedCarrier?.close();
  await browser?.close();
  await relay?.close();
});

// A journey that failed midway leaves nothing behind for the next one: every call is hung up.
afterEach(async () => {
  await Promise.all([desk, desk2, carrier].map((phone) => phone?.command('hangup').catch(() => undefined)));
  for (const agent of [alice, bob]) {
    if (!agent) continue;
    for (const hangup of await agent.pane.$$('.card.active .btn-danger, .card.consult .btn-danger')) await hangup.click().catch(() => undefined);
    await agent.dismissWrapUps().catch(() => undefined);
  }
  if (relay) await sessionsLeft(relay.engine);
});

/** The pane's call is answered: its controls (hold…) are enabled only then, not while it rings. */
function answered(agent: Agent): Promise<unknown> {
  return agent.pane.waitForSelector('.card.active button[aria-label="Hold"]:not([disabled])');
}

async function hangUpFromPane(agent: Agent): Promise<void> {
  await agent.pane.click('.card.active .btn-danger');
  await agent.pane.waitForSelector('.card.wrap-up');
  await agent.dismissWrapUps();
}

/** The pane hears something other than silence: energy and level above zero, and still growing. */
async function assertPaneHears(agent: Agent, what: string): Promise<void> {
  const first = await eventually(
    () => paneInboundAudio(agent),
    (audio) => audio.totalAudioEnergy > 0 && audio.audioLevel > 0,
  );
  assert.ok(first.packets > 0 && first.totalAudioEnergy > 0 && first.audioLevel > 0, `${agent.name}'s pane hears ${what}: ${JSON.stringify(first)}`);
  const later = await eventually(
    () => paneInboundAudio(agent),
    (audio) => audio.totalAudioEnergy > first.totalAudioEnergy && audio.packets > first.packets + 10,
  );
  assert.ok(later.totalAudioEnergy > first.totalAudioEnergy, `${agent.name}'s pane keeps hearing ${what}: ${JSON.stringify(first)} then ${JSON.stringify(later)}`);
}

/** rtpengine keeps receiving from both parties of its one call (its own ng `query` counters). */
async function assertRelayCarriesBoth(): Promise<string> {
  const { engine } = relay;
  const callId = await theOnlyCall(engine);
  const first = await packetsByParty(engine, callId);
  await delay(1000);
  const later = await packetsByParty(engine, callId);
  assert.equal(later.size, 2, `rtpengine relays two parties: ${JSON.stringify([...later])}`);
  for (const [party, packets] of later)
    assert.ok(packets >= (first.get(party) ?? 0) + 25, `rtpengine keeps receiving from ${party}: ${first.get(party)} then ${packets} packets in 1 s`);
  return callId;
}

/** The phone keeps receiving RTP, and from rtpengine's ports only. */
async function assertPhoneHears(phone: BaresipAgent): Promise<void> {
  const first = await phoneReceived(phone);
  const later = await eventually(
    () => phoneReceived(phone),
    (now) => now.packets > first.packets + 10,
    3000,
  );
  assert.ok(later.packets > first.packets + 10, `${phone.name} keeps receiving RTP: ${first.packets} then ${later.packets}`);
  assert.ok(later.sources.length > 0 && later.sources.every(relay.inEngineRange), `${phone.name} receives from rtpengine's ports only: ${later.sources.join(', ')}`);
}

/** The pane's remote SDP names rtpengine: its address, and ports and candidates in rtpengine's range. */
async function assertPaneSeesRelay(agent: Agent): Promise<void> {
  const media = await paneRemoteMedia(agent);
  assert.ok(media.ports.length > 0 && media.candidates.length > 0, `${agent.name}'s pane has a remote SDP with candidates: ${JSON.stringify(media)}`);
  assert.ok(media.ports.every(relay.inEngineRange), `${agent.name}'s pane was offered rtpengine's ports: ${JSON.stringify(media)}`);
  for (const candidate of media.candidates)
    assert.ok(
      candidate.startsWith(`${relay.engine.host}:`) && relay.inEngineRange(Number(candidate.split(':')[1])),
      `${agent.name}'s remote candidate ${candidate} is rtpengine's`,
    );
  assert.ok(
    media.connections.every((address) => address === relay.engine.host),
    `${agent.name}'s remote c= lines name rtpengine's address: ${media.connections.join(', ')}`,
  );
}

describe('a desk phone calls an agent through the media relay', () => {
  test("the pane rings and answers; the pane hears the phone's tone, the phone receives the pane's audio, rtpengine counts packets from both, and each side's SDP names rtpengine", {
    timeout: JOURNEY_MS,
  }, async () => {
    await desk.dial(`sip:1001@${CALLPANE}`);
    await alice.pane.waitForSelector('.card.incoming');
    await alice.pane.click('.card.incoming .answer');
    await Promise.all([answered(alice), desk.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);

    await assertPaneHears(alice, "the phone's 440 Hz tone");
    await assertPhoneHears(desk);
    await assertRelayCarriesBoth();
    const phoneSaw = audioPortsReceived(desk, CALLPANE);
    assert.ok(phoneSaw.length > 0 && phoneSaw.every(relay.inEngineRange), `the phone was given rtpengine's ports only: ${phoneSaw.join(', ')}`);
    await assertPaneSeesRelay(alice);
    await alice.shot('e2e-relay-desk-phone');

    await hangUpFromPane(alice);
    await desk.waitForEvent('CALL_CLOSED', WAIT_MS);
    assert.deepEqual(await sessionsLeft(relay.engine), []);
  });
});

describe('an agent calls out through a trunk to a carrier', () => {
  test("a carrier that is baresip (plain RTP): its 183 with SDP reaches the ringing pane naming rtpengine, the pane's media reaches it before the answer, and after the answer audio flows both ways", {
    timeout: JOURNEY_MS,
  }, async () => {
    const since = carrier.logLineCount;
    await alice.pane.fill('#dial-input', '94155550123');
    await alice.pane.click('.call-button');
    await carrier.waitForLog(/^SIP\/2\.0 183 Session Progress$/, WAIT_MS, { since });
    // Early media: the pane set the 183's SDP while it still rings, ICE and DTLS with rtpengine
    // came up, and the pane's audio reaches the carrier before any answer.
    await carrier.waitForEvent('CALL_RTPESTAB', WAIT_MS);
    assert.match((await alice.pane.textContent('.card.active .call-status')) ?? '', /Ringing/);
    await assertPaneSeesRelay(alice);
    const carrierSaw = audioPortsReceived(carrier, CALLPANE);
    assert.ok(carrierSaw.length > 0 && carrierSaw.every(relay.inEngineRange), `the carrier was offered rtpengine's ports only: ${carrierSaw.join(', ')}`);
    assert.match(carrier.recentLog(4000).join('\n'), /^m=audio \d+ RTP\/AVP /m, 'plain RTP toward the carrier');

    await carrier.answer();
    await Promise.all([answered(alice), carrier.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    await assertPaneHears(alice, "the carrier's 440 Hz tone");
    await assertPhoneHears(carrier);
    await assertRelayCarriesBoth();
    await assertPaneSeesRelay(alice);

    await hangUpFromPane(alice);
    await carrier.waitForEvent('CALL_CLOSED', WAIT_MS);
    assert.deepEqual(await sessionsLeft(relay.engine), []);
  });

  test('a carrier that plays a tone in early media (183 with SDP, RTP before the answer): the ringing pane hears it, then the call is answered', {
    timeout: JOURNEY_MS,
  }, async () => {
    const tone = await ToneSender.open(SCRIPTED_CARRIER_HOST);
    try {
      await alice.pane.fill('#dial-input', '84155550124');
      await alice.pane.click('.call-button');
      const invite = (await scriptedCarrier.request('INVITE')).message;
      const offer = invite.body.toString();
      const rtpTo = { host: /^c=IN IP4 (\S+)/m.exec(offer)?.[1] ?? '', port: Number(/^m=audio (\d+) RTP\/AVP /m.exec(offer)?.[1]) };
      assert.equal(rtpTo.host, relay.engine.host, `the carrier is offered rtpengine's address: ${offer}`);
      assert.ok(relay.inEngineRange(rtpTo.port), `the carrier is offered rtpengine's port in plain RTP, not ${rtpTo.port}`);

      const sdp = (version: number) =>
        [
          'v=0',
          `o=carrier ${version} ${version} IN IP4 ${SCRIPTED_CARRIER_HOST}`,
          's=-',
          `c=IN IP4 ${SCRIPTED_CARRIER_HOST}`,
          't=0 0',
          `m=audio ${tone.port} RTP/AVP 0`,
          'a=rtpmap:0 PCMU/8000',
          'a=sendrecv',
          '',
        ].join('\r\n');
      respondWithSdp(scriptedCarrier, invite, '183 Session Progress', sdp(1));
      tone.start(rtpTo.host, rtpTo.port);
      await assertPaneHears(alice, "the carrier's early media");
      assert.match((await alice.pane.textContent('.card.active .call-status')) ?? '', /Ringing/, 'the pane heard it before any answer');
      await assertPaneSeesRelay(alice);

      respondWithSdp(scriptedCarrier, invite, '200 OK', sdp(1));
      await scriptedCarrier.request('ACK');
      await answered(alice);
      await assertPaneHears(alice, "the carrier's tone after the answer");
      await assertRelayCarriesBoth();

      await alice.pane.click('.card.active .btn-danger');
      scriptedCarrier.respond((await scriptedCarrier.request('BYE')).message, '200 OK', [], 'carrier');
      await alice.pane.waitForSelector('.card.wrap-up');
      await alice.dismissWrapUps();
      assert.deepEqual(await sessionsLeft(relay.engine), []);
    } finally {
      tone.close();
    }
  });
});

describe('call control from the pane on a relayed call with a desk phone', () => {
  test('keypad digits arrive at the phone as RFC 4733 events; after hold and resume from the pane, and from the phone, audio flows again', { timeout: JOURNEY_MS }, async () => {
    await desk.dial(`sip:1001@${CALLPANE}`);
    await alice.pane.waitForSelector('.card.incoming');
    await alice.pane.click('.card.incoming .answer');
    await Promise.all([answered(alice), desk.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    // What baresip received was offered as telephone-event (RFC 4733 §7.1.1), through rtpengine.
    assert.match(desk.recentLog(4000).join('\n'), /^a=rtpmap:\d+ telephone-event\/8000$/m, 'the phone was offered RFC 4733 telephone-event');

    await alice.pane.click('.card.active button[aria-label="Keypad"]');
    for (const digit of ['5', '#', '1']) {
      await alice.pane.click(`.card.active .keypad button:has(.digit:text-is("${digit}"))`);
      const event = await desk.waitForEvent('CALL_DTMF_START', WAIT_MS);
      assert.equal(event.param, digit, `the phone received DTMF ${digit} as an RFC 4733 event`);
    }
    assert.ok(!desk.recentLog(4000).some((line) => /^INFO sip:/.test(line)), 'the digits came in RTP, not in SIP INFO');

    const offered = () => desk.waitForEvent((event) => event.type === 'CALL_REMOTE_SDP' && event.param === 'offer', WAIT_MS);
    await alice.pane.click('.card.active button[aria-label="Hold"]');
    await offered();
    await alice.pane.waitForSelector('.card.active.held');
    assert.match(desk.recentLog(4000).join('\n'), /^a=sendonly$/m, 'the hold offer reached the phone as sendonly');
    await delay(600);
    const onHold = await paneInboundAudio(alice);
    await delay(1000);
    const stillOnHold = await paneInboundAudio(alice);
    assert.ok(stillOnHold.packets - onHold.packets < 10, `no audio reaches the pane while it holds the call: ${onHold.packets} then ${stillOnHold.packets}`);

    await alice.pane.click('.card.active button[aria-label="Resume"]');
    await offered();
    await alice.pane.waitForSelector('.card.active:not(.held)');
    await assertPaneHears(alice, 'the phone again after resume');
    await assertPhoneHears(desk);
    await assertRelayCarriesBoth();

    // And from the phone's side: its re-INVITEs reach the pane through rtpengine and are answered.
    const answeredByPane = () => desk.waitForEvent((event) => event.type === 'CALL_REMOTE_SDP' && event.param === 'answer', WAIT_MS);
    await desk.hold();
    await answeredByPane();
    await delay(600);
    const heldByPhone = await paneInboundAudio(alice);
    await delay(1000);
    assert.ok((await paneInboundAudio(alice)).packets - heldByPhone.packets < 10, 'no audio reaches the pane while the phone holds the call');
    await desk.resume();
    await answeredByPane();
    await assertPaneHears(alice, 'the phone again after it resumed');
    await assertPhoneHears(desk);

    await hangUpFromPane(alice);
    await desk.waitForEvent('CALL_CLOSED', WAIT_MS);
    assert.deepEqual(await sessionsLeft(relay.engine), []);
  });

  test("a blind transfer from the pane puts the caller through to another desk phone, with audio both ways through rtpengine and the old call's session gone", {
    timeout: JOURNEY_MS,
  }, async () => {
    const { engine } = relay;
    await desk.dial(`sip:1001@${CALLPANE}`);
    await alice.pane.waitForSelector('.card.incoming');
    await alice.pane.click('.card.incoming .answer');
    const [established] = await Promise.all([desk.waitForEvent('CALL_ESTABLISHED', WAIT_MS), answered(alice)]);
    const transferred = established.id ?? '';

    await alice.pane.click('.card.active button[aria-label="Transfer"]');
    await alice.pane.fill('.card.active .transfer input[type=tel]', '1004');
    await alice.pane.click('.card.active .transfer button[type=submit]');
    await desk2.waitForEvent('CALL_INCOMING', WAIT_MS);
    await desk2.answer();
    const [next] = await Promise.all([desk2.waitForEvent('CALL_ESTABLISHED', WAIT_MS), desk.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    await alice.pane.waitForSelector('.card.wrap-up');

    const callId = await assertRelayCarriesBoth();
    assert.equal(callId, next.id, 'rtpengine holds the new call only');
    assert.ok(!(await engine.listCalls()).includes(transferred), "the transferred call's session is gone");
    await assertPhoneHears(desk);
    await assertPhoneHears(desk2);
    for (const phone of [desk, desk2]) {
      const ports = audioPortsReceived(phone, CALLPANE);
      assert.ok(ports.length > 0 && ports.every(relay.inEngineRange), `${phone.name} was given rtpengine's ports only: ${ports.join(', ')}`);
    }
    await alice.shot('e2e-relay-blind-transfer');
    await alice.dismissWrapUps();

    await desk.hangup();
    await Promise.all([desk.waitForEvent('CALL_CLOSED', WAIT_MS), desk2.waitForEvent('CALL_CLOSED', WAIT_MS)]);
    assert.deepEqual(await sessionsLeft(engine), []);
  });

  // baresip 1.0.0 knows no Replaces (RFC 3891) either way: as transferee it mangles a Refer-To
  // that carries one (Callpane answers its INVITE 400), and as transfer target it rings the
  // INVITE with Replaces as a new call. So the transferee here is Bob's pane (JsSIP does
  // Replaces) and the desk phone, the target, is answered by the test as its user would.
  test("an attended transfer from the pane: Alice consults a desk phone and completes; Bob's INVITE with Replaces reaches the phone, the relay anchors it and deletes the other sessions, audio both ways", {
    timeout: JOURNEY_MS,
  }, async () => {
    const { engine } = relay;
    await bob.pane.fill('#dial-input', '1001');
    await bob.pane.click('.call-button');
    await alice.pane.waitForSelector('.card.incoming');
    await alice.pane.click('.card.incoming .answer');
    await Promise.all([answered(alice), answered(bob)]);

    await alice.pane.click('.card.active button[aria-label="Transfer"]');
    await alice.pane.fill('.card.active .transfer input[type=tel]', '1004');
    await alice.pane.click('.card.active .transfer button.btn-secondary');
    await desk2.waitForEvent('CALL_INCOMING', WAIT_MS);
    await desk2.answer();
    const consultation = (await desk2.waitForEvent('CALL_ESTABLISHED', WAIT_MS)).id ?? '';
    await alice.pane.waitForSelector('.card.consult');
    assert.equal((await engine.listCalls()).length, 2, 'the original call and the consultation are both anchored');

    const since = desk2.logLineCount;
    await alice.pane.click('.card.active .transfer .btn-primary');
    const incoming = await desk2.waitForEvent('CALL_INCOMING', WAIT_MS);
    assert.equal(incoming.peeruri, 'sip:1002@127.0.0.1', 'the transferee, Bob, calls the desk phone');
    const [, replaces] = await desk2.waitForLog(/^Replaces: (\S+?);/, WAIT_MS, { since });
    assert.equal(replaces, consultation, "Bob's INVITE replaces the consultation (RFC 3891)");
    await desk2.answer();
    const transferred = (await desk2.waitForEvent((event) => event.type === 'CALL_ESTABLISHED' && event.id === incoming.id, WAIT_MS)).id;
    await alice.pane.waitForSelector('text=Call transferred.');

    // Alice's pane ends the consultation itself a few seconds after the transfer succeeded.
    const calls = await eventually(
      () => engine.listCalls(),
      (list) => list.length === 1,
      8000,
    );
    assert.deepEqual(calls, [transferred], 'rtpengine holds the transferred call only: the original and the consultation are deleted');
    await assertRelayCarriesBoth();
    await assertPaneHears(bob, 'the desk phone after the transfer');
    await assertPhoneHears(desk2);
    await assertPaneSeesRelay(bob);
    await bob.shot('e2e-relay-attended-transfer');

    await desk2.hangup();
    await bob.pane.waitForSelector('.card.wrap-up');
    await Promise.all([alice.dismissWrapUps(), bob.dismissWrapUps()]);
    assert.deepEqual(await sessionsLeft(engine), []);
  });
});

describe('two agents talk through the media relay', () => {
  test("each pane's remote SDP names rtpengine, and audio arrives at both", { timeout: JOURNEY_MS }, async () => {
    await alice.pane.fill('#dial-input', '1002');
    await alice.pane.click('.call-button');
    await bob.pane.waitForSelector('.card.incoming');
    await bob.pane.click('.card.incoming .answer');
    await Promise.all([answered(alice), answered(bob)]);
    for (const agent of [alice, bob]) {
      const received = await eventually(
        () => paneInboundAudio(agent),
        (audio) => audio.packets > 25 && audio.totalAudioEnergy > 0,
      );
      assert.ok(received.packets > 25 && received.totalAudioEnergy > 0, `${agent.name}'s pane receives audio from the other's fake microphone: ${JSON.stringify(received)}`);
      await assertPaneSeesRelay(agent);
    }
    await assertRelayCarriesBoth();
    await bob.shot('e2e-relay-pane-to-pane');

    await hangUpFromPane(alice);
    await bob.pane.waitForSelector('.card.wrap-up');
    await bob.dismissWrapUps();
    assert.deepEqual(await sessionsLeft(relay.engine), []);
  });

  test('no page or pane raised an uncaught error during the journeys', () => {
    assert.deepEqual([...alice.problems, ...bob.problems], []);
  });
});
