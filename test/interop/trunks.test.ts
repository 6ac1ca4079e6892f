/**
 * A SIP trunk played by baresip on 127.0.0.1: calls come in on a DID routed to an extension, and
 * an extension's call leaves through an outbound route with the configured caller id. A trunk
 * identified by its source address is checked with a bare UDP peer on 127.0.0.2.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { CallEvent } from '../../src/pbx/calls/call-event.ts';
import { BaresipAgent, type BaresipAccount } from '../support/baresip.ts';
import { startKamailio } from '../support/kamailio.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { UdpSipPeer } from '../support/udp-sip-peer.ts';

const WAIT_MS = 8000;
const CARRIER_SECRET = 'carrier-secret-1';

describe('trunks and routes', () => {
  let callpane: TestCallpane;
  const agents: BaresipAgent[] = [];
  let events: CallEvent[] = [];

  before(async () => {
    callpane = await startTestCallpane({
      file: {
        trunks: [
          { name: 'carrier', transport: 'udp', match: { username: 'carrier', password: CARRIER_SECRET }, country: 'US' },
          { name: 'legacy', host: '127.0.0.2', port: 5999, transport: 'udp', match: { addresses: ['127.0.0.2/32'] }, country: 'US' },
        ],
        routes: {
          inbound: [
            { did: '+14155550199', extension: '1002' },
            { did: '_1415555018X', extension: '1001' },
          ],
          outbound: [{ pattern: '_9NXXNXXXXXX', trunk: 'carrier', strip: 1, prepend: '+1', callerId: '+14155550199' }],
          callerIds: {},
        },
      },
    });
    callpane.running.context.calls.subscribe((event) => events.push(event));
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
    events = [];
  });
  after(async () => {
    await callpane.remove();
  });

  async function start(name: string, account: Omit<BaresipAccount, 'registrar'>): Promise<BaresipAgent> {
    const agent = await BaresipAgent.start({ name, account: { transport: 'udp', regint: 600, ...account, registrar: callpane.registrar } });
    agents.push(agent);
    return agent;
  }

  async function ended(): Promise<Extract<CallEvent, { type: 'ended' }>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = events.find((event) => event.type === 'ended');
      if (found?.type === 'ended') {
        // Records are written once per event-loop turn.
        await new Promise((resolve) => setImmediate(resolve));
        return found;
      }
      assert.ok(Date.now() < deadline, `no ended event; events: ${events.map((e) => e.type).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('rings the extension a DID routes to, with the caller number as the carrier presented it', async () => {
    const bob = await start('bob', { user: '1002', password: callpane.secretOf('1002') });
    await bob.waitForRegistered(WAIT_MS);
    // The carrier presents the caller in From and proves itself with the trunk's credentials.
    const carrier = await start('carrier-in', { user: '+14155550100', authUser: 'carrier', password: CARRIER_SECRET, regint: 0 });

    await carrier.dial(`sip:+14155550199@127.0.0.1:${callpane.sipPort}`);
    const incoming = await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
    assert.match(incoming.peeruri ?? '', /^sip:\+14155550100@/);
    await bob.answer();
    await Promise.all([carrier.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    await carrier.hangup();
    await bob.waitForEvent('CALL_CLOSED', WAIT_MS);

    const end = await ended();
    assert.deepEqual([end.direction, end.from.number, end.from.trunk, end.to.extension, end.disposition], ['inbound', '+14155550100', 'carrier', '1002', 'answered']);
    const record = callpane.running.context.repositories.calls.get(end.callId);
    assert.deepEqual([record?.direction, record?.from.number, record?.to.number, record?.trunk, record?.extensions], ['inbound', '+14155550100', '1002', 'carrier', ['1002']]);
  });

  it('refuses a call out through a registering trunk that is not registered (480), and the call ends', async () => {
    const alice = await start('alice-480', { user: '1001', password: callpane.secretOf('1001') });
    await alice.waitForRegistered(WAIT_MS);
    await alice.dial(`sip:94155550123@127.0.0.1:${callpane.sipPort}`);
    assert.match((await alice.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^480/);
    const end = await ended();
    assert.deepEqual([end.direction, end.disposition, end.reason], ['outbound', 'failed', '480 Trunk Not Registered']);
    assert.equal(metricValue(await callpane.metrics(), 'callpane_calls_active'), 0, 'no call left counted on the trunk');
  });

  it('sends an outbound pattern to the trunk with the route caller id, never the extension number', async () => {
    const alice = await start('alice', { user: '1001', password: callpane.secretOf('1001') });
    const carrier = await start('carrier-out', { user: 'carrier', password: CARRIER_SECRET, answermode: 'manual' });
    await Promise.all([alice.waitForRegistered(WAIT_MS), carrier.waitForRegistered(WAIT_MS)]);

    await alice.dial(`sip:94155550123@127.0.0.1:${callpane.sipPort}`);
    const incoming = await carrier.waitForEvent('CALL_INCOMING', WAIT_MS);
    assert.match(incoming.peeruri ?? '', /^sip:\+14155550199@/);
    await carrier.answer();
    await alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS);
    await alice.hangup();
    await carrier.waitForEvent('CALL_CLOSED', WAIT_MS);

    const end = await ended();
    assert.deepEqual([end.direction, end.from.extension, end.to.number, end.to.trunk], ['outbound', '1001', '+14155550123', 'carrier']);
  });

  it('refuses a number that no route and no extension knows (no open relay)', async () => {
    const alice = await start('alice-404', { user: '1001', password: callpane.secretOf('1001') });
    await alice.waitForRegistered(WAIT_MS);
    await alice.dial(`sip:0044207946000@127.0.0.1:${callpane.sipPort}`);
    assert.match((await alice.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^404/);
  });

  it('takes a call from a trunk identified by its address without challenging it', async () => {
    const peer = await UdpSipPeer.open('127.0.0.2');
    try {
      const invite = [
        `INVITE sip:14155550181@127.0.0.1:${callpane.sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.2:${peer.port};branch=z9hG4bK-legacy;rport`,
        'Max-Forwards: 70',
        'From: <sip:4155550100@127.0.0.2>;tag=legacy',
        `To: <sip:14155550181@127.0.0.1>`,
        'Call-ID: legacy-1',
        'CSeq: 1 INVITE',
        'Contact: <sip:legacy@127.0.0.2>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      await peer.send(invite, callpane.sipPort);
      // 1001 has nothing registered: the call reaches routing (no 407) and ends as missed.
      let answer = await peer.next(2000);
      while (answer?.startsWith('SIP/2.0 100')) answer = await peer.next(2000);
      assert.match(answer ?? '(no answer)', /^SIP\/2\.0 480 /);
      const end = await ended();
      assert.deepEqual([end.direction, end.from.number, end.to.extension, end.disposition], ['inbound', '+14155550100', '1001', 'missed']);
    } finally {
      peer.close();
    }
  });
});

describe('a carrier that challenges our calls', () => {
  it('gets them again with the trunk credentials, and the call connects and ends through the carrier', async () => {
    const kamailio = await startKamailio({
      transports: ['udp'],
      auth: {
        users: [
          { user: '14155550199', password: 'trunk-pw' },
          { user: '14155550123', password: 'far-pw' },
        ],
        challengeInvites: true,
      },
    });
    const callpane = await startTestCallpane({
      file: {
        trunks: [
          {
            name: 'carrier',
            host: '127.0.0.1',
            port: kamailio.port,
            transport: 'udp',
            match: { username: 'carrier-in', password: 'carrier-in-pw' },
            outbound: { username: '14155550199', password: 'trunk-pw' },
          },
        ],
        routes: { inbound: [], outbound: [{ pattern: '_91NXXNXXXXXX', trunk: 'carrier', strip: 1, callerId: '14155550199' }], callerIds: {} },
      },
    });
    const agents: BaresipAgent[] = [];
    try {
      const farEnd = await BaresipAgent.start({ name: 'far-end', account: { user: '14155550123', password: 'far-pw', registrar: kamailio.uri, transport: 'udp', regint: 600 } });
      agents.push(farEnd);
      const alice = await BaresipAgent.start({
        name: 'alice-carrier',
        account: { user: '1001', password: callpane.secretOf('1001'), registrar: callpane.registrar, transport: 'udp', regint: 600 },
      });
      agents.push(alice);
      await Promise.all([farEnd.waitForRegistered(WAIT_MS), alice.waitForRegistered(WAIT_MS)]);

      await alice.dial(`sip:914155550123@127.0.0.1:${callpane.sipPort}`);
      const incoming = await farEnd.waitForEvent('CALL_INCOMING', WAIT_MS);
      assert.match(incoming.peeruri ?? '', /^sip:14155550199@/);
      await farEnd.answer();
      await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), farEnd.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);

      // The BYE travels the carrier leg with its CSeq one ahead (see test/pbx/proxy/proxy.test.ts).
      await alice.hangup();
      assert.equal((await farEnd.waitForEvent('CALL_CLOSED', WAIT_MS)).param, 'Connection reset by peer');
    } finally {
      await Promise.all(agents.map((agent) => agent.stop()));
      await callpane.remove();
      await kamailio.stop();
    }
  });
});
