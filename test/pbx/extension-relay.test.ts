import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExtensionRelay } from '../../src/pbx/extension-relay.ts';
import { LocationService } from '../../src/pbx/location-service.ts';
import type { ForwardOptions, ForwardTarget, Proxy } from '../../src/pbx/proxy/proxy.ts';
import { getHeader, getHeaders, parseMessage, setHeader } from '../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message/types.ts';
import type { ServerTransaction } from '../../src/sip/transaction/index.ts';
import { createFlow, type Flow } from '../../src/sip/transport/index.ts';
import { MemoryBindingStore } from '../support/memory-binding-store.ts';
import { itemAt, itemsAt } from '../support/item-at.ts';

const FLOW = createFlow('UDP', { address: '127.0.0.1', port: 5060 }, { address: '127.0.0.1', port: 5070 });
const SERVER = {} as ServerTransaction<Flow>;

function invite(extra: string[]): SipRequest {
  return parseMessage(
    Buffer.from(
      [
        'INVITE sip:1002@pbx.test SIP/2.0',
        'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-relay',
        'Max-Forwards: 70',
        'From: "Phone Name" <sip:1001@pbx.test>;tag=a',
        'To: <sip:1002@pbx.test>',
        'Call-ID: relay-1',
        'CSeq: 2 INVITE',
        ...extra,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    ),
  ) as SipRequest;
}

/** `fault`: what the proxy's forward throws (a bug of ours), to see that the caller is still answered. */
function fixture(fault?: Error) {
  const forwarded: Array<{
    request: SipRequest;
    targets: readonly ForwardTarget[];
    responseHeaders: Readonly<Record<string, string>> | undefined;
    fromTrunk: boolean;
    callerMedia?: string;
  }> = [];
  const refused: SipResponse[] = [];
  const errors: unknown[] = [];
  const proxy = {
    forward: (_server: unknown, request: SipRequest, _flow: Flow, targets: readonly ForwardTarget[], options: ForwardOptions = {}) => {
      if (fault) throw fault;
      forwarded.push({ request, targets, responseHeaders: options.responseHeaders, fromTrunk: options.fromTrunk === true, callerMedia: options.callerMedia });
    },
    refuse: (_server: unknown, _request: SipRequest, response: SipResponse) => refused.push(response),
  } as unknown as Proxy;
  const relay = createExtensionRelay({
    proxy,
    location: new LocationService(new MemoryBindingStore()),
    domain: 'pbx.test',
    callIdOf: () => 'call-uuid-1',
    onError: (error) => errors.push(error),
  });
  return { relay, forwarded, refused, errors };
}

const BINDING = {
  aor: '1002',
  contact: '<sip:1002@127.0.0.1:5072>',
  contactUri: 'sip:1002@127.0.0.1:5072',
  expiresAt: Date.now() + 60_000,
  callId: 'r',
  cseq: 1,
  transport: 'UDP' as const,
  sourceAddress: '127.0.0.1',
  sourcePort: 5072,
};

describe('the relay to extensions', () => {
  it('shows the callee the caller extension name and keeps only credentials meant for other realms', () => {
    const { relay, forwarded } = fixture();
    const request = invite([
      'Proxy-Authorization: Digest username="1001", realm="pbx.test", nonce="n", uri="sip:1002@pbx.test", response="00000000000000000000000000000000"',
      'Proxy-Authorization: Digest username="x", realm="upstream.example", nonce="m", uri="sip:1002@pbx.test", response="11111111111111111111111111111111"',
    ]);
    relay.toExtension(request, FLOW, SERVER, { caller: { kind: 'extension', number: '1001', displayName: 'Alice Agent' }, callee: '1002', bindings: [BINDING] });
    const { request: sent, targets } = itemAt(forwarded, 0);
    assert.equal(getHeader(sent, 'From'), '"Alice Agent" <sip:1001@pbx.test>;tag=a');
    assert.deepEqual(
      getHeaders(sent, 'Proxy-Authorization').map((value) => /realm="([^"]+)"/.exec(value)?.[1]),
      ['upstream.example'],
    );
    assert.deepEqual(
      targets.map((target) => target.leg),
      [{ transport: 'UDP', address: '127.0.0.1', port: 5072, flowId: undefined }],
    );
    assert.equal(getHeaders(request, 'Proxy-Authorization').length, 2, 'the request as received is left alone');
  });

  it('presents a trunk caller by the number the router normalised', () => {
    const { relay, forwarded } = fixture();
    const trunk = { name: 'carrier', port: 5060, transport: 'udp' as const, match: { addresses: ['127.0.0.9/32'] } };
    relay.toExtension(invite([]), FLOW, SERVER, { caller: { kind: 'trunk', trunk }, callee: '1002', bindings: [BINDING], presentedFrom: '+14155550100' });
    assert.equal(getHeader(itemAt(forwarded, 0).request, 'From'), '"Phone Name" <sip:+14155550100@pbx.test>;tag=a');
  });
});

describe('the call id for the panes', () => {
  it('goes to the callee on the INVITE and to an extension caller on every response, replacing a forged one', () => {
    const { relay, forwarded } = fixture();
    relay.toExtension(invite(['X-Callpane-Call-Id: forged']), FLOW, SERVER, { caller: { kind: 'extension', number: '1001' }, callee: '1002', bindings: [BINDING] });
    assert.deepEqual(getHeaders(itemAt(forwarded, 0).request, 'X-Callpane-Call-Id'), ['call-uuid-1']);
    assert.equal(itemAt(forwarded, 0).responseHeaders?.['X-Callpane-Call-Id'], 'call-uuid-1');
  });

  it('is never told to a trunk, in either direction', async () => {
    const { relay, forwarded } = fixture();
    const carrier = { name: 'carrier', host: '127.0.0.9', port: 5060, transport: 'udp' as const, match: { addresses: ['127.0.0.9/32'] } };
    relay.toExtension(invite([]), FLOW, SERVER, { caller: { kind: 'trunk', trunk: carrier }, callee: '1002', bindings: [BINDING] });
    assert.equal(itemAt(forwarded, 0).responseHeaders, undefined, 'the carrier gets no call id back');
    assert.equal(itemAt(forwarded, 0).fromTrunk, true, 'and its responses are topology-hidden');
    relay.toTrunk(invite(['X-Callpane-Call-Id: forged']), FLOW, SERVER, { caller: '1001', trunk: carrier, number: '+14155550123', callerId: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(getHeaders(itemAt(forwarded, 1).request, 'X-Callpane-Call-Id'), [], 'the INVITE to the carrier carries none');
    assert.deepEqual(itemAt(forwarded, 1).responseHeaders, { 'X-Callpane-Call-Id': 'call-uuid-1' }, 'the calling agent still learns it');
    assert.equal(itemAt(itemAt(forwarded, 1).targets, 0).trunk, true, 'the branch to the carrier is topology-hidden');
  });
});

describe('the identity the PBX asserts (RFC 3325)', () => {
  const IDENTITY = ['P-Asserted-Identity', 'P-Preferred-Identity', 'Remote-Party-ID'];
  const SPOOFED = ['P-Asserted-Identity: "Boss" <sip:1003@pbx.test>', 'P-Preferred-Identity: <sip:1003@pbx.test>', 'Remote-Party-ID: "Boss" <sip:1003@pbx.test>;party=calling'];
  const carrier = {
    name: 'carrier',
    host: '127.0.0.9',
    port: 5060,
    transport: 'udp' as const,
    match: { addresses: ['127.0.0.9/32'] },
    outbound: { username: 'acct', password: 'pw', fromDomain: 'carrier.example' },
  };

  it('tells the callee the extension that authenticated, never what its phone claimed, and the caller who answered', () => {
    const { relay, forwarded } = fixture();
    relay.toExtension(invite(SPOOFED), FLOW, SERVER, { caller: { kind: 'extension', number: '1001', displayName: 'Alice Agent' }, callee: '1002', bindings: [BINDING] });
    const { request, responseHeaders } = itemAt(forwarded, 0);
    assert.deepEqual(getHeaders(request, 'P-Asserted-Identity'), ['"Alice Agent" <sip:1001@pbx.test>']);
    assert.deepEqual([getHeaders(request, 'P-Preferred-Identity'), getHeaders(request, 'Remote-Party-ID')], [[], []]);
    assert.equal(responseHeaders?.['P-Asserted-Identity'], '<sip:1002@pbx.test>');

    relay.toExtension(invite(SPOOFED), FLOW, SERVER, { caller: { kind: 'extension', number: '1001' }, callee: '1002', bindings: [BINDING] });
    assert.deepEqual(getHeaders(itemAt(forwarded, 1).request, 'P-Asserted-Identity'), ['<sip:1001@pbx.test>'], 'a name only the configuration gives, never the phone From');
  });

  it("passes no trunk's assertion to an extension", () => {
    const { relay, forwarded } = fixture();
    relay.toExtension(invite(SPOOFED), FLOW, SERVER, { caller: { kind: 'trunk', trunk: carrier }, callee: '1002', bindings: [BINDING], presentedFrom: '+14155550100' });
    assert.deepEqual(
      IDENTITY.map((name) => getHeaders(itemAt(forwarded, 0).request, name)),
      [[], [], []],
    );
  });

  it('asserts the caller id to a trunk, and on an anonymous call asks for privacy and asserts nothing', async () => {
    const { relay, forwarded } = fixture();
    relay.toTrunk(invite(SPOOFED), FLOW, SERVER, { caller: '1001', trunk: carrier, number: '+14155550123', callerId: '+14155550199' });
    relay.toTrunk(invite(SPOOFED), FLOW, SERVER, { caller: '1001', trunk: carrier, number: '+14155550123', callerId: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    const [named, anonymous] = itemsAt(
      forwarded.map((entry) => entry.request),
      0,
      1,
    );
    assert.deepEqual(
      IDENTITY.map((name) => getHeaders(named, name)),
      [['<sip:+14155550199@carrier.example>'], [], []],
    );
    assert.deepEqual(
      IDENTITY.map((name) => getHeaders(anonymous, name)),
      [[], [], []],
    );
    assert.deepEqual(getHeaders(anonymous, 'Privacy'), ['id']);
    assert.ok(!JSON.stringify(anonymous.headers).includes('1001'), 'no header names the extension');
  });
});

describe('the media profile of a trunk leg', () => {
  const carrier = { name: 'carrier', host: '127.0.0.9', port: 5060, transport: 'udp' as const, match: { addresses: ['127.0.0.9/32'] } };

  it('is what the trunk configures, plain RTP when it says nothing, for calls out and calls in', async () => {
    const { relay, forwarded } = fixture();
    relay.toTrunk(invite([]), FLOW, SERVER, { caller: '1001', trunk: { ...carrier, media: 'srtp' }, number: '+14155550123', callerId: undefined });
    relay.toTrunk(invite([]), FLOW, SERVER, { caller: '1001', trunk: carrier, number: '+14155550123', callerId: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    relay.toExtension(invite([]), FLOW, SERVER, { caller: { kind: 'trunk', trunk: { ...carrier, media: 'webrtc' } }, callee: '1002', bindings: [BINDING] });
    relay.toExtension(invite([]), FLOW, SERVER, { caller: { kind: 'trunk', trunk: carrier }, callee: '1002', bindings: [BINDING] });
    assert.deepEqual(
      forwarded.slice(0, 2).map((entry) => itemAt(entry.targets, 0).media),
      ['srtp', 'rtp'],
    );
    assert.deepEqual(
      forwarded.slice(2).map((entry) => entry.callerMedia),
      ['webrtc', 'rtp'],
    );
    relay.toExtension(invite([]), FLOW, SERVER, { caller: { kind: 'extension', number: '1001' }, callee: '1002', bindings: [BINDING] });
    assert.deepEqual([itemAt(forwarded, 4).callerMedia, itemAt(itemAt(forwarded, 4).targets, 0).media], [undefined, undefined], "a phone's profile follows from its transport");
  });

  it('is WebRTC for a ws trunk that says nothing: its peer is a browser', () => {
    const { relay, forwarded } = fixture();
    const page = { name: 'page', port: 0, transport: 'ws' as const, match: { username: 'page', password: 'secret-secret' } };
    relay.toExtension(invite([]), FLOW, SERVER, { caller: { kind: 'trunk', trunk: page }, callee: '1002', bindings: [BINDING] });
    relay.toExtension(invite([]), FLOW, SERVER, { caller: { kind: 'trunk', trunk: { ...page, media: 'rtp' } }, callee: '1002', bindings: [BINDING] });
    assert.deepEqual(
      forwarded.map((entry) => entry.callerMedia),
      ['webrtc', 'rtp'],
    );
  });
});

describe('a call to a trunk the relay cannot send', () => {
  const carrier = { name: 'carrier', host: '127.0.0.9', port: 5060, transport: 'udp' as const, match: { addresses: ['127.0.0.9/32'] } };

  it('is a transfer: REFER or INVITE with Replaces is answered 403 and never forwarded', async () => {
    const { relay, forwarded, refused } = fixture();
    const refer = invite(['Refer-To: <sip:1002@pbx.test?Replaces=abc%40192.168.1.50%3Bto-tag%3Dx%3Bfrom-tag%3Dy>']);
    refer.method = 'REFER';
    setHeader(refer, 'CSeq', '2 REFER');
    relay.toTrunk(refer, FLOW, SERVER, { caller: '1001', trunk: carrier, number: '+14155550123', callerId: undefined });
    relay.toTrunk(invite(['Replaces: abc@192.168.1.50;to-tag=x;from-tag=y']), FLOW, SERVER, { caller: '1001', trunk: carrier, number: '+14155550123', callerId: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(forwarded, []);
    assert.deepEqual(
      refused.map((response) => [response.status, response.reason, getHeader(response, 'CSeq')]),
      [
        [403, 'Transfer Through A Trunk Not Supported', '2 REFER'],
        [403, 'Transfer Through A Trunk Not Supported', '2 INVITE'],
      ],
    );
    assert.ok(
      refused.every((response) => /;tag=/.test(getHeader(response, 'To') ?? '')),
      'a final answer tags its To',
    );
  });

  it('fails in the relay itself: the caller gets 500, the fault is reported, and nothing is left unhandled', async () => {
    const { relay, refused, errors } = fixture(new Error('a bug of ours'));
    const unhandled: unknown[] = [];
    const track = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', track);
    try {
      relay.toTrunk(invite([]), FLOW, SERVER, { caller: '1001', trunk: carrier, number: '+14155550123', callerId: '+14155550199' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', track);
    }
    assert.deepEqual(unhandled, []);
    assert.deepEqual(
      refused.map((response) => [response.status, response.reason]),
      [[500, 'Trunk Call Failed']],
    );
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['a bug of ours'],
    );
  });
});
