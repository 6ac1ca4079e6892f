/**
 * Calls between real SIP phones (Debian's baresip, plain RTP) through Callpane with a real
 * rtpengine anchoring the media: each phone's SDP names rtpengine, rtpengine's own counters (ng
 * `query`) see packets from both phones while they talk (through hold, resume and DTMF), a fork's
 * winner keeps talking, a late offer is answered in the ACK, a blind transfer's new call is
 * anchored and the old one deleted, a carrier's early media (183) reaches
 * the caller through rtpengine, a call while rtpengine is down is refused with 503, and after
 * calls that end every way — answered and hung up by either side, busy, cancelled, never
 * answered (Timer B) — rtpengine lists no session.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { BaresipAgent, type SipTransportName } from '../support/baresip.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { delay } from '../support/deadline.ts';
import { startRtpengine, type RunningRtpengine } from '../support/rtpengine.ts';
import { freeUdpTcpPort } from '../support/ports.ts';
import { ScriptedUa } from '../support/scripted-ua.ts';
import type { NgDictionary } from '../../src/media/ng/bencode.ts';
import type { SipRequest } from '../../src/sip/message/types.ts';
import { getHeader, getHeaders } from '../../src/sip/message/index.ts';
import { itemAt, itemsAt } from '../support/item-at.ts';

const WAIT_MS = 8000;

describe('calls anchored through a real rtpengine', () => {
  let engine: RunningRtpengine;
  let callpane: TestCallpane;
  const agents: BaresipAgent[] = [];

  before(async () => {
    engine = await startRtpengine({ rtpPorts: 120 });
    // An external engine, so the test can read its `list` and `query` (Callpane's composition relays through it).
    callpane = await startTestCallpane({ file: { media: { rtpengine: { engines: [`${engine.host}:${engine.ngPort}`] } } } });
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  });
  after(async () => {
    await callpane?.remove();
    await engine?.stop();
  });

  async function phone(name: string, user: string, transport: SipTransportName, answermode: 'manual' | 'auto' = 'manual'): Promise<BaresipAgent> {
    const agent = await BaresipAgent.start({
      name,
      sipTrace: true,
      account: { user, password: callpane.secretOf(user), registrar: callpane.registrar, transport, regint: 600, answermode },
    });
    agents.push(agent);
    await agent.waitForRegistered(WAIT_MS);
    return agent;
  }

  const inEngineRange = (port: number) => port >= engine.portMin && port <= engine.portMax;

  /** Packets rtpengine received from each party (by SIP tag) of a call, from ng `query`. */
  async function packetsByTag(callId: string): Promise<Map<string, number>> {
    const reply = await engine.ng.request('query', { 'call-id': callId });
    const packets = new Map<string, number>();
    const tags = (reply.tags ?? {}) as NgDictionary;
    for (const [tag, value] of Object.entries(tags)) {
      let sum = 0;
      for (const media of ((value as NgDictionary).medias ?? []) as NgDictionary[]) {
        for (const stream of (media.streams ?? []) as NgDictionary[]) {
          const flags = ((stream.flags ?? []) as unknown[]).map(String);
          if (flags.includes('RTCP') && !flags.includes('RTP')) continue;
          sum += Number(((stream.stats ?? {}) as NgDictionary).packets ?? 0);
        }
      }
      packets.set(tag, sum);
    }
    return packets;
  }

  async function sessionsLeft(): Promise<string[]> {
    const deadline = Date.now() + 3000;
    let calls = await engine.listCalls();
    while (calls.length > 0 && Date.now() < deadline) {
      await delay(50);
      calls = await engine.listCalls();
    }
    return calls;
  }

  it('relays a phone-to-phone call: both SDPs name rtpengine, it sees packets from both through hold, resume and DTMF, and nothing is left after the hangup', async () => {
    const alice = await phone('alice-relay', '1001', 'udp');
    const bob = await phone('bob-relay', '1002', 'tcp');

    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
    await bob.answer();
    const [established] = await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    await Promise.all([alice.waitForEvent('CALL_RTPESTAB', WAIT_MS), bob.waitForEvent('CALL_RTPESTAB', WAIT_MS)]);

    for (const agent of [alice, bob]) {
      const ports = audioPortsOf(agent, callpane.sipPort);
      assert.ok(ports.length > 0, `${agent.name} received an SDP`);
      assert.ok(ports.every(inEngineRange), `${agent.name} was offered only rtpengine's ports ${engine.portMin}-${engine.portMax}: ${ports.join(', ')}`);
      const [, source] = await agent.waitForLog(/receiving from 127\.0\.0\.1:(\d+)/, WAIT_MS);
      assert.ok(inEngineRange(Number(source)), `${agent.name} receives its RTP from rtpengine (port ${source})`);
    }

    const callId = established.id ?? '';
    assert.notEqual(callId, '');
    await delay(1000);
    const packets = await packetsByTag(callId);
    assert.equal(packets.size, 2, `two parties in rtpengine: ${[...packets.keys()].join(', ')}`);
    for (const [tag, count] of packets) assert.ok(count > 10, `rtpengine received ${count} packets from ${tag}`);

    // Hold and resume from either side (re-INVITEs anchored like the first offer), and DTMF
    // (RFC 4733 telephone-event) through rtpengine.
    const reoffered = (agent: BaresipAgent) => agent.waitForEvent((event) => event.type === 'CALL_REMOTE_SDP' && event.param === 'offer', WAIT_MS);
    for (const [holder, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      await holder.hold();
      await reoffered(other);
      await holder.resume();
      await reoffered(other);
    }
    await alice.sendDtmf('7');
    assert.equal((await bob.waitForEvent('CALL_DTMF_START', WAIT_MS)).param, '7');
    const resumed = await packetsByTag(callId);
    await delay(600);
    for (const [tag, count] of await packetsByTag(callId)) assert.ok(count > (resumed.get(tag) ?? 0), `${tag} still sends through rtpengine after hold and resume`);

    await alice.hangup();
    await Promise.all([alice.waitForEvent('CALL_CLOSED', WAIT_MS), bob.waitForEvent('CALL_CLOSED', WAIT_MS)]);
    assert.deepEqual(await sessionsLeft(), []);
  });

  it('keeps the winner of a fork talking after the losing branch is deleted', async () => {
    const alice = await phone('alice-fork', '1001', 'udp');
    const bobDesk = await phone('bob-desk', '1002', 'udp');
    const bobSoft = await phone('bob-soft', '1002', 'tcp');

    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    await Promise.all([bobDesk.waitForEvent('CALL_INCOMING', WAIT_MS), bobSoft.waitForEvent('CALL_INCOMING', WAIT_MS)]);
    await bobSoft.answer();
    const [established] = await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bobSoft.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    await bobDesk.waitForEvent('CALL_CLOSED', WAIT_MS);
    await delay(600);
    const first = await packetsByTag(established.id ?? '');
    await delay(600);
    const later = await packetsByTag(established.id ?? '');
    const talking = [...later].filter(([tag, count]) => count > (first.get(tag) ?? 0));
    assert.equal(talking.length, 2, `packets keep coming from both parties: ${JSON.stringify([...first])} then ${JSON.stringify([...later])}`);

    await bobSoft.hangup();
    await alice.waitForEvent('CALL_CLOSED', WAIT_MS);
    assert.deepEqual(await sessionsLeft(), []);
  });

  it('anchors a late offer: the callee offers in its 200, the caller answers in the ACK', async () => {
    const bob = await phone('bob-late', '1002', 'tcp', 'auto');
    const caller = await ScriptedUa.open('127.0.0.1', callpane.sipPort);
    try {
      const uri = `sip:1002@127.0.0.1:${callpane.sipPort}`;
      const callId = `late-offer-${Date.now()}`;
      await caller.sendAuthenticated('INVITE', uri, '1001', callpane.secretOf('1001'), (cseq, authorization) => [
        `INVITE ${uri} SIP/2.0`,
        caller.via(),
        'Max-Forwards: 70',
        'From: <sip:1001@127.0.0.1>;tag=late',
        'To: <sip:1002@127.0.0.1>',
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} INVITE`,
        `Contact: <sip:1001@${caller.address};transport=udp>`,
        ...authorization,
      ]);
      const ok = (await caller.response('INVITE', 200)).message;
      const offered = Number(/\nm=audio (\d+) /.exec(ok.body.toString())?.[1]);
      assert.ok(inEngineRange(offered), `the caller is offered rtpengine's port, not ${offered}`);

      const dialog = (method: string, cseq: number) => [
        `${method} ${/<([^>]+)>/.exec(getHeader(ok, 'Contact') ?? '')?.[1]} SIP/2.0`,
        caller.via(),
        'Max-Forwards: 70',
        ...getHeaders(ok, 'Record-Route')
          .reverse()
          .map((route) => `Route: ${route}`),
        'From: <sip:1001@127.0.0.1>;tag=late',
        `To: ${getHeader(ok, 'To')}`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
      ];
      const answer = [
        'v=0',
        'o=- 7 7 IN IP4 127.0.0.1',
        's=-',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        `m=audio ${caller.port + 2} RTP/AVP 0 101`,
        'a=rtpmap:101 telephone-event/8000',
        'a=sendrecv',
        '',
      ].join('\r\n');
      caller.send([...dialog('ACK', 2), 'Content-Type: application/sdp'], answer);
      await bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS);
      await delay(800);
      const ports = audioPortsOf(bob, callpane.sipPort);
      assert.ok(ports.length >= 1 && ports.every(inEngineRange), `the callee gets the caller's answer from rtpengine: ${ports.join(', ')}`);
      const packets = await packetsByTag(callId);
      assert.equal(packets.size, 2, `both parties in rtpengine: ${[...packets.keys()].join(', ')}`);
      assert.ok(
        [...packets.values()].some((count) => count > 10),
        `the callee's RTP reaches rtpengine: ${JSON.stringify([...packets])}`,
      );

      caller.send(dialog('BYE', 3));
      await caller.response('BYE', 200);
      await bob.waitForEvent('CALL_CLOSED', WAIT_MS);
      assert.deepEqual(await sessionsLeft(), []);
      const metrics = await callpane.metrics();
      assert.equal(
        ['unavailable', 'timeout', 'refused', 'error'].reduce((sum, reason) => sum + metricValue(metrics, `callpane_media_relay_failures_total{reason="${reason}"}`), 0),
        0,
        'rtpengine took the offer and the answer',
      );
    } finally {
      caller.close();
    }
  });

  it("anchors a blind transfer's new call, and deletes the transferred one", async () => {
    callpane.running.context.repositories.extensions.add({ number: '1008', displayName: 'Carol Agent', passwordHash: 'unused', sipSecret: 'carol-secret-1008' });
    const alice = await phone('alice-xfer', '1001', 'udp');
    const bob = await phone('bob-xfer', '1002', 'tcp', 'auto');
    const carol = await phone('carol-xfer', '1008', 'udp', 'auto');

    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    const [first] = await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    // RFC 3515: bob refers alice to carol; alice calls carol, and the call with bob ends.
    await bob.commandOk('transfer', `sip:1008@127.0.0.1:${callpane.sipPort}`);
    const [second] = await Promise.all([
      alice.waitForEvent((event) => event.type === 'CALL_ESTABLISHED' && event.id !== first.id, WAIT_MS),
      carol.waitForEvent('CALL_ESTABLISHED', WAIT_MS),
      bob.waitForEvent('CALL_CLOSED', WAIT_MS),
    ]);
    const deadline = Date.now() + 3000;
    while ((await engine.listCalls()).includes(first.id ?? '') && Date.now() < deadline) await delay(50);
    assert.deepEqual(await engine.listCalls(), [second.id], 'only the new call is anchored');
    await delay(800);
    const packets = await packetsByTag(second.id ?? '');
    assert.equal(packets.size, 2);
    for (const [tag, count] of packets) assert.ok(count > 10, `rtpengine received ${count} packets from ${tag} after the transfer`);

    await carol.hangup();
    await alice.waitForEvent((event) => event.type === 'CALL_CLOSED' && event.id === second.id, WAIT_MS);
    assert.deepEqual(await sessionsLeft(), []);
  });

  it('leaves no session after calls that end every way', async () => {
    const alice = await phone('alice-batch', '1001', 'udp');
    const bob = await phone('bob-batch', '1002', 'tcp');
    const dialBob = () => alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);

    // Never answered: a phone that registered and then says nothing (Timer B, 408), meanwhile the rest.
    callpane.running.context.repositories.extensions.add({ number: '1009', displayName: 'Silent Phone', passwordHash: 'unused', sipSecret: 'silent-secret-1009' });
    const silent = await ScriptedUa.open('127.0.0.9', callpane.sipPort);
    const carol = await phone('carol-batch', '1001', 'tcp');
    try {
      await silent.register('1009', 'silent-secret-1009');
      await carol.dial(`sip:1009@127.0.0.1:${callpane.sipPort}`);
      const ringing = await silent.request('INVITE');
      const unanswered = carol.waitForEvent('CALL_CLOSED', 40_000);
      const offered = Number(/\r\nm=audio (\d+) /.exec(ringing.text)?.[1]);
      assert.ok(inEngineRange(offered), `the silent phone is offered rtpengine's port, not ${offered}`);
      assert.deepEqual(await engine.listCalls(), [getHeader(ringing.message, 'Call-ID')], 'the unanswered call is anchored while it rings');

      // Answered, hung up by the caller; then by the callee.
      for (const hangsUp of [alice, bob]) {
        await dialBob();
        await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
        await bob.answer();
        const [established] = await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
        assert.ok((await engine.listCalls()).includes(established.id ?? ''), 'the answered call is anchored');
        await hangsUp.hangup();
        await Promise.all([alice.waitForEvent('CALL_CLOSED', WAIT_MS), bob.waitForEvent('CALL_CLOSED', WAIT_MS)]);
      }
      // Busy.
      await dialBob();
      await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
      await bob.hangup();
      assert.match((await alice.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^486/);
      // Cancelled while ringing.
      await dialBob();
      await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
      await alice.waitForEvent('CALL_RINGING', WAIT_MS);
      await alice.hangup();
      await Promise.all([alice.waitForEvent('CALL_CLOSED', WAIT_MS), bob.waitForEvent('CALL_CLOSED', WAIT_MS)]);

      assert.match((await unanswered).param ?? '', /^408/);
      assert.deepEqual(await sessionsLeft(), []);
      assert.equal(metricValue(await callpane.metrics(), 'callpane_media_relay_failures_total{reason="unavailable"}'), 0);
    } finally {
      silent.close();
    }
  });
});

describe('a call while rtpengine is down', () => {
  it('is refused with 503 Media Relay Unavailable and counted, never connected without media', async () => {
    const engine = await startRtpengine();
    const callpane = await startTestCallpane({ file: { media: { rtpengine: { engines: [`${engine.host}:${engine.ngPort}`] } } } });
    const agents: BaresipAgent[] = [];
    try {
      await engine.stop();
      for (const [name, user] of [
        ['alice-down', '1001'],
        ['bob-down', '1002'],
      ] as const) {
        agents.push(
          await BaresipAgent.start({
            name,
            account: { user, password: callpane.secretOf(user), registrar: callpane.registrar, transport: 'udp', regint: 600, answermode: 'auto' },
          }),
        );
      }
      const [alice, bob] = itemsAt(agents, 0, 1);
      await Promise.all([alice.waitForRegistered(WAIT_MS), bob.waitForRegistered(WAIT_MS)]);
      await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
      assert.match((await alice.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^503 Media Relay Unavailable/);
      assert.equal(bob.events.filter((event) => event.type === 'CALL_INCOMING').length, 0, 'the callee never rang');
      const metrics = await callpane.metrics();
      const refused = ['unavailable', 'timeout'].map((reason) => metricValue(metrics, `callpane_media_relay_failures_total{reason="${reason}"}`));
      assert.equal(itemAt(refused, 0) + itemAt(refused, 1), 1);
    } finally {
      await Promise.all(agents.map((agent) => agent.stop()));
      await callpane.remove();
    }
  });
});

describe('a call out through a carrier that plays early media', () => {
  it("gives the caller the 183 and the 200 with rtpengine's address, and the carrier only rtpengine's", async () => {
    const sipPort = await freeUdpTcpPort();
    const carrier = await ScriptedUa.open('127.0.0.2', sipPort);
    const engine = await startRtpengine();
    const callpane = await startTestCallpane({
      sipPort,
      file: {
        media: { rtpengine: { engines: [`${engine.host}:${engine.ngPort}`] } },
        trunks: [{ name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp', match: { addresses: ['127.0.0.2/32'] } }],
        routes: { inbound: [], outbound: [{ pattern: '_9NXXNXXXXXX', trunk: 'carrier', strip: 1, prepend: '+1', callerId: '+14155550199' }], callerIds: {} },
      },
    });
    const inRange = (port: number) => port >= engine.portMin && port <= engine.portMax;
    const alice = await BaresipAgent.start({
      name: 'alice-early',
      sipTrace: true,
      account: { user: '1001', password: callpane.secretOf('1001'), registrar: callpane.registrar, transport: 'udp', regint: 600 },
    });
    try {
      await alice.waitForRegistered(WAIT_MS);
      await alice.dial(`sip:94155550123@127.0.0.1:${callpane.sipPort}`);
      const invite = (await carrier.request('INVITE')).message;
      const offered = Number(/\nm=audio (\d+) /.exec(invite.body.toString())?.[1]);
      assert.ok(inRange(offered), `the carrier is offered rtpengine's port, not ${offered}`);
      assert.match(invite.body.toString(), / RTP\/AVP /, 'plain RTP toward the carrier');

      const carrierSdp = (version: number) =>
        ['v=0', `o=carrier ${version} ${version} IN IP4 127.0.0.2`, 's=-', 'c=IN IP4 127.0.0.2', 't=0 0', 'm=audio 47000 RTP/AVP 0', 'a=sendrecv', ''].join('\r\n');
      respondWithSdp(carrier, invite, '183 Session Progress', carrierSdp(1));
      await alice.waitForLog(/SIP Progress: 183/, WAIT_MS);
      respondWithSdp(carrier, invite, '200 OK', carrierSdp(2));
      await alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS);
      await carrier.request('ACK');
      const ports = audioPortsOf(alice, callpane.sipPort);
      assert.equal(ports.length, 2, `the caller got SDP in the 183 and the 200: ${ports.join(', ')}`);
      assert.ok(ports.every(inRange), `both name rtpengine, never the carrier's 47000: ${ports.join(', ')}`);

      await alice.hangup();
      carrier.respond((await carrier.request('BYE')).message, '200 OK', [], 'carrier');
      await alice.waitForEvent('CALL_CLOSED', WAIT_MS);
      const deadline = Date.now() + 3000;
      while ((await engine.listCalls()).length > 0 && Date.now() < deadline) await delay(50);
      assert.deepEqual(await engine.listCalls(), []);
    } finally {
      await alice.stop();
      await callpane.remove();
      carrier.close();
      await engine.stop();
    }
  });
});

/** A carrier's answer with an SDP body, copying what RFC 3261 §8.2.6.2 says a response copies. */
function respondWithSdp(ua: ScriptedUa, request: SipRequest, status: string, sdp: string): void {
  const to = getHeader(request, 'To') ?? '';
  ua.send(
    [
      `SIP/2.0 ${status}`,
      ...getHeaders(request, 'Via').map((via) => `Via: ${via}`),
      ...getHeaders(request, 'Record-Route').map((route) => `Record-Route: ${route}`),
      `From: ${getHeader(request, 'From')}`,
      `To: ${to};tag=carrier`,
      `Call-ID: ${getHeader(request, 'Call-ID')}`,
      `CSeq: ${getHeader(request, 'CSeq')}`,
      `Contact: <sip:carrier@${ua.address}>`,
      'Content-Type: application/sdp',
    ],
    sdp,
  );
}

/** The m=audio ports of the SDP bodies a phone received from Callpane at `sipPort` (its SIP trace). */
function audioPortsOf(agent: BaresipAgent, sipPort: number): number[] {
  const ports: number[] = [];
  let fromCallpane = false;
  for (const line of agent.recentLog(4000)) {
    const hop = /^(?:UDP|TCP|TLS) (\S+) -> (\S+)$/.exec(line);
    if (hop) fromCallpane = hop[1] === `127.0.0.1:${sipPort}`;
    const media = /^m=audio (\d+) /.exec(line);
    if (media && fromCallpane) ports.push(Number(media[1]));
  }
  return ports;
}
