/**
 * Calls between extensions through Callpane's proxy, with real SIP user agents (Debian's baresip)
 * on 127.0.0.1: forking, Record-Route over mixed transports, re-INVITE, DTMF, BYE, CANCEL,
 * busy and unreachable callees.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { BaresipAgent, type SipTransportName } from '../support/baresip.ts';
import type { CallEvent } from '../../src/pbx/calls/call-event.ts';
import type { CallRecord } from '../../src/store/call-record-repository.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { itemAt, itemsAt } from '../support/item-at.ts';

const WAIT_MS = 8000;

describe('calls between extensions through the proxy', () => {
  let callpane: TestCallpane;
  const agents: BaresipAgent[] = [];
  let events: CallEvent[] = [];

  before(async () => {
    callpane = await startTestCallpane();
    callpane.running.context.calls.subscribe((event) => events.push(event));
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
    events = [];
  });

  /** The one call the events so far are about, once it ended, and its record. */
  async function endedCall(): Promise<{ types: string[]; ended: Extract<CallEvent, { type: 'ended' }>; record: CallRecord }> {
    const deadline = Date.now() + WAIT_MS;
    while (!events.some((event) => event.type === 'ended')) {
      assert.ok(Date.now() < deadline, `no ended event; events: ${events.map((e) => e.type).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Records are written once per event-loop turn.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(new Set(events.map((event) => event.callId)).size, 1, 'every event carries the same call id');
    const ended = events.find((event) => event.type === 'ended') as Extract<CallEvent, { type: 'ended' }>;
    const record = callpane.running.context.repositories.calls.get(ended.callId);
    assert.ok(record, 'a call record');
    return { types: events.map((event) => event.type), ended, record };
  }
  after(async () => {
    await callpane.remove();
  });

  async function agent(name: string, user: string, transport: SipTransportName, options: { answermode?: 'manual' | 'auto'; password?: string } = {}): Promise<BaresipAgent> {
    const started = await BaresipAgent.start({
      name,
      account: { user, password: options.password ?? callpane.secretOf(user), registrar: callpane.registrar, transport, regint: 600, answermode: options.answermode },
    });
    agents.push(started);
    return started;
  }

  it('rings, answers, holds, resumes, carries DTMF and hangs up, UDP caller to TCP callee', async () => {
    const alice = await agent('alice', '1001', 'udp');
    const bob = await agent('bob', '1002', 'tcp');
    await Promise.all([alice.waitForRegistered(WAIT_MS), bob.waitForRegistered(WAIT_MS)]);

    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    const incoming = await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
    assert.equal(incoming.peeruri, `sip:1001@127.0.0.1:${callpane.sipPort}`);
    assert.equal(incoming.peerdisplayname, 'Alex Agent', `the callee sees the caller extension name: ${JSON.stringify(incoming)}`);
    await alice.waitForEvent('CALL_RINGING', WAIT_MS);

    await bob.answer();
    const [aliceSide, bobSide] = await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    assert.equal(aliceSide.id, bobSide.id, 'one Call-ID end to end');
    await Promise.all([alice.waitForEvent('CALL_RTPESTAB', WAIT_MS), bob.waitForEvent('CALL_RTPESTAB', WAIT_MS)]);

    await alice.hold();
    await bob.waitForEvent((e) => e.type === 'CALL_REMOTE_SDP' && e.param === 'offer', WAIT_MS);
    assert.match(await alice.commandOk('listcalls'), /ESTABLISHED\s+\(on hold\)/);
    await alice.resume();
    await bob.waitForEvent((e) => e.type === 'CALL_REMOTE_SDP' && e.param === 'offer', WAIT_MS);

    await alice.sendDtmf('7');
    assert.equal((await bob.waitForEvent('CALL_DTMF_START', WAIT_MS)).param, '7');

    // The callee hangs up: its BYE reaches the caller through the Record-Route set.
    await bob.hangup();
    const [closedAlice, closedBob] = await Promise.all([alice.waitForEvent('CALL_CLOSED', WAIT_MS), bob.waitForEvent('CALL_CLOSED', WAIT_MS)]);
    assert.equal(closedAlice.param, 'Connection reset by peer');
    assert.equal(closedBob.param, 'Connection reset by user');

    const { types, ended, record } = await endedCall();
    assert.deepEqual(types, ['ringing', 'answered', 'held', 'resumed', 'ended']);
    assert.equal(ended.disposition, 'answered');
    assert.equal(ended.direction, 'internal');
    assert.deepEqual(ended.extensions.sort(), ['1001', '1002']);
    const held = itemAt(events, 2);
    assert.equal(held.type === 'held' && held.by, '1001');
    assert.equal(record.direction, 'internal');
    assert.deepEqual([record.from.number, record.from.name, record.to.number, record.to.name], ['1001', 'Alex Agent', '1002', '李娜']);
    assert.equal(record.disposition, 'answered');
    assert.equal(record.answeredBy, '1002');
    assert.ok(record.answeredAt !== null && record.endedAt !== null && record.endedAt >= record.answeredAt);
    assert.equal(record.talkSeconds, Math.floor((record.endedAt - record.answeredAt) / 1000));
    const metrics = await callpane.metrics();
    assert.equal(metricValue(metrics, 'callpane_calls_total{direction="internal",disposition="answered"}'), 1);
    assert.equal(metricValue(metrics, 'callpane_calls_active'), 0);
    assert.ok(metricValue(metrics, 'callpane_sip_transactions_created_total{kind="invite_client"}') >= 3, 'INVITE and re-INVITEs forwarded');
  });

  it('forks to every registered contact: the first to answer wins, the others stop ringing', async () => {
    const alice = await agent('alice-fork', '1001', 'udp');
    const bobDesk = await agent('bob-desk', '1002', 'udp');
    const bobSoft = await agent('bob-soft', '1002', 'tcp');
    await Promise.all([alice.waitForRegistered(WAIT_MS), bobDesk.waitForRegistered(WAIT_MS), bobSoft.waitForRegistered(WAIT_MS)]);

    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    await Promise.all([bobDesk.waitForEvent('CALL_INCOMING', WAIT_MS), bobSoft.waitForEvent('CALL_INCOMING', WAIT_MS)]);
    await bobSoft.answer();
    await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bobSoft.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    const canceled = await bobDesk.waitForEvent('CALL_CLOSED', WAIT_MS);
    assert.match(canceled.param ?? '', /cancel|terminated|487|Request Terminated|Connection reset/i);

    await alice.hangup();
    await bobSoft.waitForEvent('CALL_CLOSED', WAIT_MS);
  });

  it('passes the caller a busy callee (486), and a CANCEL before answer stops the ringing', async () => {
    const alice = await agent('alice-busy', '1001', 'tcp');
    const bob = await agent('bob-busy', '1002', 'udp');
    await Promise.all([alice.waitForRegistered(WAIT_MS), bob.waitForRegistered(WAIT_MS)]);

    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
    await bob.hangup();
    assert.match((await alice.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^486/);
    const busy = await endedCall();
    assert.deepEqual([busy.types, busy.record.disposition], [['ringing', 'ended'], 'busy']);
    events = [];

    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    await bob.waitForEvent('CALL_INCOMING', WAIT_MS);
    await alice.waitForEvent('CALL_RINGING', WAIT_MS);
    await alice.hangup();
    await bob.waitForEvent('CALL_CLOSED', WAIT_MS);
    await alice.waitForEvent('CALL_CLOSED', WAIT_MS);
    const canceled = await endedCall();
    assert.equal(canceled.record.disposition, 'missed', 'canceled while ringing: the callee missed it');
    assert.equal(canceled.record.answeredAt, null);
  });

  it('answers 480 for an extension with nothing registered and 404 for a number that is no extension', async () => {
    const alice = await agent('alice-480', '1001', 'udp');
    await alice.waitForRegistered(WAIT_MS);
    await alice.dial(`sip:1002@127.0.0.1:${callpane.sipPort}`);
    assert.match((await alice.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^480/);
    const unreachable = await endedCall();
    assert.deepEqual([unreachable.record.disposition, unreachable.record.endReason], ['failed', '480 Temporarily Unavailable']);
    events = [];
    await alice.dial(`sip:4999@127.0.0.1:${callpane.sipPort}`);
    assert.match((await alice.waitForEvent('CALL_CLOSED', WAIT_MS)).param ?? '', /^404/);
  });
});

describe('a restart in the middle of a call', () => {
  it('closes the call record left open as failed, with an end time', async () => {
    const first = await startTestCallpane();
    const agents: BaresipAgent[] = [];
    try {
      const events: CallEvent[] = [];
      first.running.context.calls.subscribe((event) => events.push(event));
      for (const [name, user] of [
        ['alice-restart', '1001'],
        ['bob-restart', '1002'],
      ] as const) {
        agents.push(
          await BaresipAgent.start({
            name,
            account: { user, password: first.secretOf(user), registrar: first.registrar, transport: 'udp', regint: 600, answermode: user === '1002' ? 'auto' : 'manual' },
          }),
        );
      }
      const [alice, bob] = itemsAt(agents, 0, 1);
      await Promise.all([alice.waitForRegistered(WAIT_MS), bob.waitForRegistered(WAIT_MS)]);
      await alice.dial(`sip:1002@127.0.0.1:${first.sipPort}`);
      await Promise.all([alice.waitForEvent('CALL_ESTABLISHED', WAIT_MS), bob.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
      const answered = events.find((event) => event.type === 'answered');
      assert.ok(answered, 'the call was answered');
      await first.stop();

      const beforeRestart = Date.now();
      const second = await startTestCallpane({ dataDir: first.dataDir, sipPort: first.sipPort });
      try {
        const record = second.running.context.repositories.calls.get(answered.callId);
        assert.equal(record?.disposition, 'failed');
        assert.ok(record.endedAt !== null && record.endedAt >= beforeRestart);
        assert.match(record.endReason ?? '', /restart/);
      } finally {
        await second.stop();
      }
    } finally {
      await Promise.all(agents.map((agent) => agent.stop()));
      await first.remove();
    }
  });
});
