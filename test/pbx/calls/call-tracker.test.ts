import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallEvent } from '../../../src/pbx/calls/call-event.ts';
import type { CallSetup } from '../../../src/pbx/call-router.ts';
import { CallTracker } from '../../../src/pbx/calls/call-tracker.ts';
import { createResponse, parseMessage } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.ts';
import { itemAt, itemsAt } from '../../support/item-at.ts';

function message(lines: string[], body = ''): string {
  return [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

function request(method: string, options: { from?: string; to?: string; uri?: string; body?: string; headers?: string[]; cseq?: number } = {}): SipRequest {
  const parsed = parseMessage(
    Buffer.from(
      message(
        [
          `${method} ${options.uri ?? 'sip:1002@pbx.test'} SIP/2.0`,
          'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-t',
          'Max-Forwards: 70',
          `From: ${options.from ?? '"Alice Agent" <sip:1001@pbx.test>;tag=alice'}`,
          `To: ${options.to ?? '<sip:1002@pbx.test>'}`,
          'Call-ID: call-1',
          `CSeq: ${options.cseq ?? 1} ${method}`,
          ...(options.headers ?? []),
        ],
        options.body,
      ),
    ),
  );
  assert.equal(parsed.type, 'request');
  return parsed;
}

const SDP = (direction: string) => `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=${direction}\r\n`;

const INTERNAL: CallSetup = {
  direction: 'internal',
  from: { number: '1001', displayName: 'Alice Agent', extension: '1001' },
  to: { number: '1002', extension: '1002' },
  extensions: ['1001', '1002'],
};

function fixture() {
  const events: CallEvent[] = [];
  let time = 1_000;
  const tracker = new CallTracker({ publish: (event) => events.push(event), now: () => time, newId: () => 'uuid-1' });
  const invite = request('INVITE');
  const respond = (status: number): SipResponse => {
    const response = createResponse(invite, status, { toTag: 'bob' });
    tracker.responding(invite, response);
    return response;
  };
  return { events, tracker, invite, respond, advance: (ms: number) => (time += ms) };
}

const types = (events: CallEvent[]) => events.map((event) => event.type);

describe('call tracker', () => {
  it('follows an answered call: ringing once across forks, answered once, held, resumed, ended by BYE', () => {
    const { events, tracker, invite, respond, advance } = fixture();
    tracker.begin(invite, INTERNAL);
    respond(100);
    respond(180);
    respond(180);
    advance(2000);
    respond(200);
    respond(200);
    const inDialog = { from: '<sip:1001@pbx.test>;tag=alice', to: '<sip:1002@pbx.test>;tag=bob', uri: 'sip:1002@127.0.0.1:5072' };
    tracker.forwarding(request('INVITE', { ...inDialog, cseq: 2, body: SDP('sendonly') }));
    tracker.forwarding(request('INVITE', { ...inDialog, cseq: 3, body: SDP('sendonly') }));
    tracker.forwarding(request('INVITE', { ...inDialog, cseq: 4, body: SDP('sendrecv') }));
    advance(5000);
    // The callee hangs up: its tag is in From, the caller's in To.
    tracker.forwarding(request('BYE', { from: '<sip:1002@pbx.test>;tag=bob', to: '<sip:1001@pbx.test>;tag=alice', uri: 'sip:1001@127.0.0.1:5070' }));

    assert.deepEqual(types(events), ['ringing', 'answered', 'held', 'resumed', 'ended']);
    assert.ok(events.every((event) => event.callId === 'uuid-1' && event.direction === 'internal'));
    assert.deepEqual(itemAt(events, 0).from, { number: '1001', displayName: 'Alice Agent', extension: '1001' });
    assert.deepEqual(itemAt(events, 0).extensions, ['1001', '1002']);
    const [, answered, held, , ended] = itemsAt(events, 0, 1, 2, 3, 4);
    assert.equal(answered.type === 'answered' && answered.answeredBy, '1002');
    assert.equal(held.type === 'held' && held.by, '1001');
    assert.ok(ended.type === 'ended');
    assert.deepEqual([ended.disposition, ended.reason, ended.startedAt, ended.answeredAt, ended.at], ['answered', 'hung up by 1002', 1000, 3000, 8000]);
    assert.equal(tracker.activeCalls, 0);
  });

  for (const [status, rang, disposition] of [
    [486, true, 'busy'],
    [603, true, 'busy'],
    [487, true, 'missed'],
    [487, false, 'canceled'],
    [480, false, 'failed'],
    [408, true, 'failed'],
  ] as const) {
    it(`ends a call answered ${status}${rang ? ' after ringing' : ''} as ${disposition}`, () => {
      const { events, tracker, invite, respond } = fixture();
      tracker.begin(invite, INTERNAL);
      if (rang) respond(180);
      respond(status);
      const ended = events.at(-1);
      assert.ok(ended?.type === 'ended');
      assert.equal(ended.disposition, disposition);
      assert.match(ended.reason ?? '', new RegExp(`^${status} `));
    });
  }

  it('reports blind and attended transfers (REFER, with Replaces for attended)', () => {
    const { events, tracker, invite, respond } = fixture();
    tracker.begin(invite, INTERNAL);
    respond(200);
    const inDialog = { from: '<sip:1002@pbx.test>;tag=bob', to: '<sip:1001@pbx.test>;tag=alice', uri: 'sip:1001@127.0.0.1:5070' };
    tracker.forwarding(request('REFER', { ...inDialog, cseq: 2, headers: ['Refer-To: <sip:1003@pbx.test>'] }));
    tracker.forwarding(request('REFER', { ...inDialog, cseq: 3, headers: ['Refer-To: <sip:1004@pbx.test?Replaces=abc%3Bto-tag%3Dx%3Bfrom-tag%3Dy>'] }));
    const transfers = events.filter((event) => event.type === 'transferred');
    assert.deepEqual(
      transfers.map((event) => event.type === 'transferred' && [event.kind, event.by, event.target]),
      [
        ['blind', '1002', '1003'],
        ['attended', '1002', '1004'],
      ],
    );
  });

  it('records an INVITE the route refused as a failed call, and as missed for an absent agent called from outside', () => {
    const inbound = fixture();
    inbound.tracker.refused(inbound.invite, 480, 'Temporarily Unavailable', { ...INTERNAL, direction: 'inbound', from: { number: '+14155550100', trunk: 'carrier' } });
    const missed = itemAt(inbound.events, 0);
    assert.equal(missed.type === 'ended' && missed.disposition, 'missed');

    const { events, tracker, invite } = fixture();
    tracker.refused(invite, 480, 'Temporarily Unavailable', INTERNAL);
    assert.deepEqual(types(events), ['ended']);
    const ended = itemAt(events, 0);
    assert.ok(ended.type === 'ended');
    assert.deepEqual([ended.disposition, ended.reason], ['failed', '480 Temporarily Unavailable']);
    assert.equal(tracker.activeCalls, 0);
  });

  it('counts the calls in progress on each trunk', () => {
    const { tracker, invite, respond } = fixture();
    tracker.begin(invite, { ...INTERNAL, direction: 'outbound', to: { number: '+14155550100', trunk: 'carrier' }, extensions: ['1001'] });
    assert.deepEqual([tracker.activeCallsOn('carrier'), tracker.activeCallsOn('other')], [1, 0]);
    respond(486);
    assert.equal(tracker.activeCallsOn('carrier'), 0);
  });

  it('ignores in-dialog requests and responses of calls it does not know', () => {
    const { events, tracker, invite } = fixture();
    tracker.forwarding(request('BYE', { to: '<sip:1002@pbx.test>;tag=bob' }));
    tracker.responding(invite, createResponse(invite, 200, { toTag: 'x' }));
    assert.deepEqual(events, []);
  });
});
