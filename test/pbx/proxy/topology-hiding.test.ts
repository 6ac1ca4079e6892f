/**
 * Topology hiding on trunk legs, through the proxy: what a carrier sees of a call a phone makes
 * or takes (only Callpane: its Via, its Contact, a sealed Call-ID, allowed headers), and that
 * in-dialog requests in both directions still reach the right party with what it expects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropIdentity } from '../../../src/pbx/proxy/asserted-identity.ts';
import type { ForwardTarget } from '../../../src/pbx/proxy/proxy.ts';
import { hideSdp, TRUNK_REQUEST_HEADERS, TRUNK_RESPONSE_HEADERS } from '../../../src/pbx/proxy/topology-hiding.ts';
import { formatUri, getHeader, getHeaders, parseMessage, parseNameAddr, parseUri, serializeMessage, setHeader } from '../../../src/sip/message/index.ts';
import { headerKey } from '../../../src/sip/message/header-names.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message/types.ts';
import { createFlow } from '../../../src/sip/transport/index.ts';
import { answer, CALLER_FLOW, fixture, invite, message } from './proxy-fixture.ts';
import { itemAt } from '../../support/item-at.ts';

const CARRIER_FLOW = createFlow('UDP', { address: '127.0.0.1', port: 5060 }, { address: '127.0.0.9', port: 5060 });
const CARRIER: ForwardTarget = { uri: parseUri('sip:14155550123@127.0.0.9:5060'), leg: { transport: 'UDP', address: '127.0.0.9', port: 5060 }, trunk: true };
const PHONE: ForwardTarget = { uri: parseUri('sip:1002@127.0.0.1:40000;transport=tcp'), leg: { transport: 'TCP', address: '127.0.0.1', port: 40000, flowId: CALLER_FLOW.id } };

/** What a phone adds that no carrier may see. */
const INTERNAL = [
  'User-Agent: DeskPhone 9000 fw 1.2.3',
  'Diversion: <sip:1003@pbx.test>;reason=unconditional',
  'History-Info: <sip:1003@pbx.test>;index=1',
  'X-Callpane-Call-Id: 7f0c',
  'X-Phone-Serial: 00:11:22',
  'P-Asserted-Identity: <sip:1003@pbx.test>',
  'Remote-Party-ID: <sip:1003@pbx.test>;party=calling',
];

/** The phone's Call-ID: phones put their address in it. */
const PHONE_CALL_ID = 'a84b4c76e66710@192.168.1.50';
/** What a phone may send of the inside: its preloaded route, a Record-Route it adds. */
const PHONE_ROUTES = ['Route: <sip:10.1.2.3:5060;lr>', 'Record-Route: <sip:1001@192.168.1.50;lr>'];

/**
 * What the carrier must never read in a message off the wire: the phone's address and port (it
 * is at 127.0.0.1:40000 over TCP; Callpane is 127.0.0.1:5060), an extension number, the phone's
 * Call-ID or its host part, the inside addresses of its routes, its model, and its transport (the
 * carrier leg is UDP: nothing may say TCP). Our tokens are AES-GCM ciphertext: what a carrier reads
 * of them is what this text shows.
 */
function leaks(msg: SipMessage): string[] {
  const text = serializeMessage(msg).toString('latin1');
  const secrets = ['127.0.0.1:40000', '40000', '1001', '1002', '1003', PHONE_CALL_ID, 'a84b4c76e66710', '192.168.1.50', '10.1.2.3', 'DeskPhone', 'proxy-test'];
  const found = secrets.filter((secret) => text.includes(secret));
  if (/transport=tcp|SIP\/2\.0\/TCP/i.test(text)) found.push('the phone transport (TCP)');
  return found;
}

function assertHidden(msg: SipMessage, allowed: readonly string[]): void {
  assert.deepEqual(leaks(msg), [], `the carrier reads the inside in\n${serializeMessage(msg).toString('latin1')}`);
  const names = new Set(allowed.map(headerKey));
  assert.deepEqual(
    msg.headers.filter((header) => !names.has(headerKey(header.name))).map((header) => header.name),
    [],
    'only allowed headers',
  );
  assert.equal(getHeaders(msg, 'Via').length, msg.type === 'request' ? 1 : getHeaders(msg, 'Via').length);
  for (const contact of getHeaders(msg, 'Contact')) assert.match(contact, /^<sip:[A-Za-z0-9_-]+@127\.0\.0\.1:5060;transport=(udp|tcp)>$/);
}

function inDialog(method: string, uri: string, routes: string[], from: string, to: string, callId: string, cseq: number, extra: string[] = []): SipRequest {
  const host = from.includes('carrier') ? '127.0.0.9:5060' : '127.0.0.1:40000';
  return message([
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/${host.startsWith('127.0.0.9') ? 'UDP' : 'TCP'} ${host};branch=z9hG4bK-${method}-${cseq}`,
    'Max-Forwards: 70',
    ...routes.map((route) => `Route: ${route}`),
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    ...extra,
  ]);
}

/** A phone's INVITE out, as it arrives: its own Call-ID, the headers and routes of the inside. */
function fromPhone(): SipRequest {
  const request = invite(7, [...INTERNAL, ...PHONE_ROUTES]);
  setHeader(request, 'Call-ID', PHONE_CALL_ID);
  return request;
}

/** The phone's INVITE as the relay hands it over: From is the caller id, no identity header of the phone (extension-relay.ts). */
function relayed(): SipRequest {
  const request = fromPhone();
  setHeader(request, 'From', '<sip:+14155550199@pbx.test>;tag=caller');
  dropIdentity(request);
  return request;
}

describe('a call from a phone out to a trunk', () => {
  function established() {
    const world = fixture();
    const { transport, proxy, receive, respond } = world;
    proxy.forward(receive(fromPhone()), relayed(), CALLER_FLOW, [CARRIER]);
    const sent = itemAt(transport.requests, 0).request;
    respond(answer(sent, 200), CARRIER_FLOW);
    const ok = transport.responses.find((response) => response.status === 200)!;
    return { ...world, sent, ok };
  }

  it('shows the carrier only our Via and Contact, a sealed Call-ID, and none of the phone headers; the phone gets its own back', () => {
    const { sent, ok } = established();
    assertHidden(sent, TRUNK_REQUEST_HEADERS);
    assert.match(getHeader(sent, 'Via') ?? '', /^SIP\/2\.0\/UDP 127\.0\.0\.1:5060;/);
    assert.deepEqual(getHeaders(ok, 'Via'), ['SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-caller']);
    assert.equal(getHeader(ok, 'Call-ID'), PHONE_CALL_ID);
    assert.equal(getHeader(ok, 'To'), '<sip:14155550123@pbx.test>;tag=carrier');
  });

  it('hides the phone in its BYE, re-INVITE and ACK to the carrier, From included, and the answers come back', () => {
    const { transport, proxy, receive, respond, ok } = established();
    const routes = getHeaders(ok, 'Record-Route').reverse();
    const fromPhone = (method: string, cseq: number, extra: string[] = []) =>
      inDialog(method, 'sip:far@127.0.0.9:5060', routes, '<sip:1001@pbx.test>;tag=caller', '<sip:14155550123@pbx.test>;tag=carrier', PHONE_CALL_ID, cseq, [
        'Contact: <sip:1001@127.0.0.1:40000;transport=tcp>',
        ...INTERNAL,
        ...extra,
      ]);

    assert.equal(proxy.forwardAck(fromPhone('ACK', 7), CALLER_FLOW), true);
    const ack = transport.requests.at(-1)!.request;
    assert.equal(ack.method, 'ACK');
    assertHidden(ack, TRUNK_REQUEST_HEADERS);
    assert.equal(getHeader(ack, 'Call-ID'), getHeader(itemAt(transport.requests, 0).request, 'Call-ID'), 'the Call-ID the carrier knows');

    for (const [method, cseq] of [
      ['INVITE', 8],
      ['BYE', 9],
    ] as const) {
      const request = fromPhone(method, cseq);
      assert.equal(proxy.forwardInDialog(receive(request), request, CALLER_FLOW), true);
      const sent = transport.requests.at(-1)!.request;
      assert.equal(sent.method, method);
      assertHidden(sent, TRUNK_REQUEST_HEADERS);
      assert.equal(parseNameAddr(getHeader(sent, 'From')!).params.get('tag'), 'caller', 'the dialog tags stay');
      respond(answer(sent, 200), CARRIER_FLOW);
      const back = transport.responses.at(-1)!;
      assert.deepEqual([back.status, getHeader(back, 'Call-ID'), getHeaders(back, 'Via')], [200, PHONE_CALL_ID, [`SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-${method}-${cseq}`]]);
    }
  });

  it('sends the carrier BYE to the phone at its real Contact, with the real Call-ID, and hides the phone answer', () => {
    const { transport, proxy, receive, respond, sent, ok } = established();
    const routes = getHeaders(ok, 'Record-Route');
    const contact = parseNameAddr(getHeader(sent, 'Contact')!).uri;
    const bye = inDialog('BYE', formatUri(contact), routes, '<sip:14155550123@127.0.0.9>;tag=carrier', `${getHeader(sent, 'From')}`, getHeader(sent, 'Call-ID')!, 1);
    assert.equal(proxy.forwardInDialog(receive(bye, CARRIER_FLOW), bye, CARRIER_FLOW), true);
    const toPhone = transport.requests.at(-1)!;
    assert.equal(formatUri(toPhone.request.uri), 'sip:1001@127.0.0.1:40000;transport=tcp');
    assert.equal(getHeader(toPhone.request, 'Call-ID'), PHONE_CALL_ID);
    assert.deepEqual(toPhone.target, { transport: 'TCP', host: '127.0.0.1', port: 40000 });

    respond(answer(toPhone.request, 200, ['Contact: <sip:1001@127.0.0.1:40000;transport=tcp>', ...INTERNAL]));
    const back = transport.responses.at(-1)!;
    assert.equal(back.status, 200);
    assertHidden(back, TRUNK_RESPONSE_HEADERS);
    assert.deepEqual([getHeader(back, 'Call-ID'), getHeaders(back, 'Via')], [getHeader(sent, 'Call-ID'), ['SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-BYE-1']]);
  });
});

describe('routes a phone sets on a call out', () => {
  const CARRIER_RR = '<sip:sbc@127.0.0.9:5060;lr>';

  it('reach the carrier neither as Route nor as Record-Route: only our two entries, on the carrier transport', () => {
    const { transport, proxy, receive } = fixture();
    proxy.forward(receive(fromPhone()), relayed(), CALLER_FLOW, [CARRIER]);
    const sent = itemAt(transport.requests, 0).request;
    assert.deepEqual(getHeaders(sent, 'Route'), []);
    const recorded = getHeaders(sent, 'Record-Route');
    assert.equal(recorded.length, 2);
    for (const entry of recorded) assert.match(entry, /^<sip:[A-Za-z0-9_-]+@127\.0\.0\.1:5060;transport=udp;lr>$/);
    assertHidden(sent, TRUNK_REQUEST_HEADERS);
  });

  it('give the phone its own Record-Route entry back, and in-dialog the carrier still gets its own route set', () => {
    const { transport, proxy, receive, respond } = fixture();
    proxy.forward(receive(fromPhone()), relayed(), CALLER_FLOW, [CARRIER]);
    const sent = itemAt(transport.requests, 0).request;
    const ok200 = answer(sent, 200);
    setHeader(ok200, 'Record-Route', [CARRIER_RR, ...getHeaders(sent, 'Record-Route')].join(', '));
    respond(ok200, CARRIER_FLOW);
    const ok = transport.responses.find((response) => response.status === 200)!;
    const routes = getHeaders(ok, 'Record-Route').flatMap((value) => value.split(', '));
    assert.equal(routes[0], CARRIER_RR);
    assert.match(itemAt(routes, 1), /;transport=udp;lr>$/, 'the entry facing the carrier');
    assert.match(itemAt(routes, 2), /;transport=tcp;lr>$/, 'the entry facing the phone, as the phone reaches us');

    const bye = inDialog('BYE', 'sip:far@127.0.0.9:5060', [...routes].reverse(), '<sip:1001@pbx.test>;tag=caller', '<sip:14155550123@pbx.test>;tag=carrier', PHONE_CALL_ID, 8);
    assert.equal(proxy.forwardInDialog(receive(bye), bye, CALLER_FLOW), true);
    const toCarrier = transport.requests.at(-1)!.request;
    assert.deepEqual([toCarrier.method, getHeaders(toCarrier, 'Route')], ['BYE', [CARRIER_RR]], "the carrier's route set, nothing of ours");
    assertHidden(toCarrier, TRUNK_REQUEST_HEADERS);
  });
});

describe('a transfer toward a trunk', () => {
  it('is answered 403 by the PBX, REFER or INVITE with Replaces, and nothing reaches the carrier', () => {
    const { transport, proxy, receive, respond } = fixture();
    proxy.forward(receive(fromPhone()), relayed(), CALLER_FLOW, [CARRIER]);
    respond(answer(itemAt(transport.requests, 0).request, 200), CARRIER_FLOW);
    const ok = transport.responses.find((response) => response.status === 200)!;
    const routes = getHeaders(ok, 'Record-Route').reverse();
    const sentBefore = transport.requests.length;
    const transfers = [
      inDialog('REFER', 'sip:far@127.0.0.9:5060', routes, '<sip:1001@pbx.test>;tag=caller', '<sip:14155550123@pbx.test>;tag=carrier', PHONE_CALL_ID, 8, [
        'Refer-To: <sip:1002@pbx.test?Replaces=abc%40192.168.1.50%3Bto-tag%3Dx%3Bfrom-tag%3Dy>',
        'Referred-By: <sip:1001@pbx.test>',
      ]),
      inDialog('INVITE', 'sip:far@127.0.0.9:5060', routes, '<sip:1001@pbx.test>;tag=caller', '<sip:14155550123@pbx.test>;tag=carrier', PHONE_CALL_ID, 9, [
        'Replaces: abc@192.168.1.50;to-tag=x;from-tag=y',
      ]),
    ];
    for (const request of transfers) {
      assert.equal(proxy.forwardInDialog(receive(request), request, CALLER_FLOW), true);
      const refused = transport.responses.at(-1)!;
      assert.deepEqual([refused.status, refused.reason, getHeader(refused, 'CSeq')], [403, 'Transfer Through A Trunk Not Supported', getHeader(request, 'CSeq')]);
    }
    assert.equal(transport.requests.length, sentBefore, 'nothing went to the carrier');
  });
});

describe('a call from a phone that gives up before the carrier answers', () => {
  it('sends the carrier a CANCEL as hidden as the INVITE', () => {
    const { transport, proxy, receive, respond } = fixture();
    const server = receive(fromPhone());
    proxy.forward(server, relayed(), CALLER_FLOW, [CARRIER]);
    respond(answer(itemAt(transport.requests, 0).request, 180), CARRIER_FLOW);
    proxy.cancel(server);
    const cancel = transport.requests.at(-1)!.request;
    assert.equal(cancel.method, 'CANCEL');
    assertHidden(cancel, TRUNK_REQUEST_HEADERS);
  });
});

describe('a call from a trunk to a phone', () => {
  const fromCarrier = (): SipRequest =>
    message([
      'INVITE sip:1002@pbx.test SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-carrier',
      'Max-Forwards: 70',
      'From: <sip:+14155550100@127.0.0.9>;tag=carrier',
      'To: <sip:+14155550199@pbx.test>',
      'Call-ID: carrier-call@127.0.0.9',
      'CSeq: 1 INVITE',
      'Contact: <sip:carrier@127.0.0.9:5060>',
    ]);

  it('shows the carrier our Contact for the phone that answered, and none of the phone headers', () => {
    const { transport, proxy, receive, respond } = fixture();
    proxy.forward(receive(fromCarrier(), CARRIER_FLOW), fromCarrier(), CARRIER_FLOW, [PHONE], { fromTrunk: true });
    const toPhone = itemAt(transport.requests, 0).request;
    respond(answer(toPhone, 200, ['Contact: <sip:1001@127.0.0.1:40000;transport=tcp>', ...INTERNAL]));
    const ok = transport.responses.find((response) => response.status === 200)!;
    assertHidden(ok, TRUNK_RESPONSE_HEADERS);
    assert.deepEqual(getHeaders(ok, 'Via'), ['SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-carrier']);
    assert.equal(getHeader(ok, 'Call-ID'), 'carrier-call@127.0.0.9');

    // The carrier's re-INVITE names our Contact: the phone gets it at its own.
    const reinvite = inDialog(
      'INVITE',
      formatUri(parseNameAddr(getHeader(ok, 'Contact')!).uri),
      getHeaders(ok, 'Record-Route'),
      '<sip:+14155550100@127.0.0.9>;tag=carrier',
      getHeader(ok, 'To')!,
      'carrier-call@127.0.0.9',
      2,
    );
    assert.equal(proxy.forwardInDialog(receive(reinvite, CARRIER_FLOW), reinvite, CARRIER_FLOW), true);
    const relayed = transport.requests.at(-1)!;
    assert.equal(formatUri(relayed.request.uri), 'sip:1001@127.0.0.1:40000;transport=tcp');
    respond(answer(relayed.request, 200, ['Contact: <sip:1001@127.0.0.1:40000;transport=tcp>', ...INTERNAL]));
    assertHidden(transport.responses.at(-1)!, TRUNK_RESPONSE_HEADERS);
  });
});

describe('Record-Route entries in an answer to a trunk', () => {
  it("are ours and the carrier's own: one the phone adds is dropped", () => {
    const { transport, proxy, receive, respond } = fixture();
    const carrierRr = '<sip:sbc@127.0.0.9:5060;lr>';
    const fromCarrier = (): SipRequest =>
      message([
        'INVITE sip:1002@pbx.test SIP/2.0',
        'Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-carrier-rr',
        'Max-Forwards: 70',
        `Record-Route: ${carrierRr}`,
        'From: <sip:+14155550100@127.0.0.9>;tag=carrier',
        'To: <sip:+14155550199@pbx.test>',
        'Call-ID: carrier-rr@127.0.0.9',
        'CSeq: 1 INVITE',
        'Contact: <sip:carrier@127.0.0.9:5060>',
      ]);
    proxy.forward(receive(fromCarrier(), CARRIER_FLOW), fromCarrier(), CARRIER_FLOW, [PHONE], { fromTrunk: true });
    const toPhone = itemAt(transport.requests, 0).request;
    const ok200 = answer(toPhone, 200, ['Contact: <sip:1002@127.0.0.1:40000;transport=tcp>']);
    setHeader(ok200, 'Record-Route', ['<sip:1002@192.168.1.50;lr>', ...getHeaders(toPhone, 'Record-Route')].join(', '));
    respond(ok200);
    const ok = transport.responses.find((response) => response.status === 200)!;
    const routes = getHeaders(ok, 'Record-Route').flatMap((value) => value.split(', '));
    assert.equal(routes.length, 3, routes.join(' | '));
    for (const entry of routes.slice(0, 2)) assert.match(entry, /^<sip:[A-Za-z0-9_-]+@127\.0\.0\.1:5060;transport=udp;lr>$/);
    assert.equal(routes[2], carrierRr);
    assertHidden(ok, TRUNK_RESPONSE_HEADERS);
  });
});

describe('identity headers the proxy passes on', () => {
  it('drops a phone P-Asserted-Identity and Remote-Party-ID from in-dialog requests and from responses between extensions', () => {
    const { transport, proxy, receive, respond } = fixture();
    const internal = invite(7);
    proxy.forward(receive(internal), internal, CALLER_FLOW, [PHONE]);
    respond(answer(itemAt(transport.requests, 0).request, 200, INTERNAL.slice(-2)));
    const ok: SipResponse = transport.responses.find((response) => response.status === 200)!;
    assert.deepEqual([getHeaders(ok, 'P-Asserted-Identity'), getHeaders(ok, 'Remote-Party-ID')], [[], []], 'the callee cannot claim to be someone else');

    const bye = inDialog(
      'BYE',
      'sip:1002@127.0.0.1:40000',
      getHeaders(ok, 'Record-Route').reverse(),
      '<sip:1001@pbx.test>;tag=caller',
      getHeader(ok, 'To')!,
      'proxy-test',
      8,
      INTERNAL.slice(-2),
    );
    assert.equal(proxy.forwardInDialog(receive(bye), bye, CALLER_FLOW), true);
    const sent = transport.requests.at(-1)!.request;
    assert.deepEqual([sent.method, getHeaders(sent, 'P-Asserted-Identity'), getHeaders(sent, 'Remote-Party-ID')], ['BYE', [], []]);
  });
});

describe('the SDP a trunk gets', () => {
  const SDP = 'v=0\r\no=1001 8000 8001 IN IP4 127.0.0.1\r\ns=DeskPhone 9000\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n';
  function withSdp<M extends SipMessage>(msg: M): M {
    const text = serializeMessage(msg).toString('latin1').replace('Content-Length: 0\r\n\r\n', `Content-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`);
    return parseMessage(Buffer.from(text, 'latin1')) as M;
  }

  it('names no extension and no phone model in o= and s= of a call out, the origin otherwise kept', () => {
    const { transport, proxy, receive } = fixture();
    proxy.forward(receive(withSdp(fromPhone())), withSdp(relayed()), CALLER_FLOW, [CARRIER]);
    const sent = itemAt(transport.requests, 0).request;
    assertHidden(sent, TRUNK_REQUEST_HEADERS);
    assert.match(sent.body.toString(), /^o=- 8000 8001 IN IP4 127\.0\.0\.1\r\ns=-\r\n/m);
    assert.equal(getHeader(sent, 'Content-Length'), String(sent.body.length));
  });

  it("hides the answer of a phone that takes a trunk's call the same way", () => {
    const { transport, proxy, receive, respond } = fixture();
    const fromCarrier = message<SipRequest>([
      'INVITE sip:1002@pbx.test SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-in',
      'Max-Forwards: 70',
      'From: <sip:+14155550123@127.0.0.9>;tag=carrier',
      'To: <sip:1002@pbx.test>',
      'Call-ID: carrier-call',
      'CSeq: 1 INVITE',
      'Contact: <sip:far@127.0.0.9:5060>',
    ]);
    proxy.forward(receive(fromCarrier, CARRIER_FLOW), fromCarrier, CARRIER_FLOW, [PHONE], { fromTrunk: true });
    respond(withSdp(answer(itemAt(transport.requests, 0).request, 200, ['Contact: <sip:1002@127.0.0.1:40000;transport=tcp>'])));
    const ok = transport.responses.find((response) => response.status === 200)!;
    assert.match(ok.body.toString(), /^o=- 8000 8001 IN IP4 127\.0\.0\.1\r\ns=-\r\n/m);
  });

  it('leaves a body that is no SDP, and SDP toward a phone, as they are', () => {
    const { transport, proxy, receive } = fixture();
    proxy.forward(receive(withSdp(invite())), withSdp(invite()), CALLER_FLOW, [PHONE]);
    assert.equal(itemAt(transport.requests, 0).request.body.toString(), SDP);
    const text: SipRequest = { ...relayed(), body: Buffer.from('o=1001 x\r\ns=phone\r\n') };
    setHeader(text, 'Content-Type', 'text/plain');
    assert.equal(hideSdp(text), text);
  });
});
