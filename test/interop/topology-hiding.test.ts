/**
 * What a carrier and a callee learn through a running Callpane, with scripted phones on 127.0.0.1
 * (they add a model name, Diversion, X- headers and a spoofed identity, as real ones may) and a
 * scripted carrier on 127.0.0.2, a trunk matched by address: the carrier sees Callpane only, the
 * callee sees the identity the PBX asserts, and in-dialog requests in both directions still reach
 * the right party after hiding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatUri, getHeader, getHeaders, parseNameAddr } from '../../src/sip/message/index.ts';
import type { SipMessage } from '../../src/sip/message/types.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { freeUdpTcpPort } from '../support/ports.ts';
import { ScriptedUa, type Received } from '../support/scripted-ua.ts';

/** What a desk phone adds that only the PBX may read. */
const PHONE_HEADERS = ['User-Agent: DeskPhone 9000 fw 1.2.3', 'Diversion: <sip:1003@127.0.0.1>;reason=unconditional', 'X-Phone-Serial: 00-11-22', 'P-Asserted-Identity: "Boss" <sip:1003@127.0.0.1>', 'Remote-Party-ID: "Boss" <sip:1003@127.0.0.1>;party=calling'];

describe('topology hiding and asserted identity through a running Callpane', () => {
  let callpane: TestCallpane;
  let carrier: ScriptedUa;
  let alice: ScriptedUa;
  let bob: ScriptedUa;

  before(async () => {
    // The carrier's port is in the configuration, so it opens first.
    const sipPort = await freeUdpTcpPort();
    carrier = await ScriptedUa.open('127.0.0.2', sipPort);
    callpane = await startTestCallpane({
      sipPort,
      file: {
        trunks: [{ name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp', match: { addresses: ['127.0.0.2/32'] }, country: 'US' }],
        routes: {
          inbound: [{ did: '+14155550199', extension: '1002' }],
          outbound: [{ pattern: '_9NXXNXXXXXX', trunk: 'carrier', strip: 1, prepend: '+1', callerId: '+14155550199' }],
          callerIds: {},
        },
      },
    });
    alice = await ScriptedUa.open('127.0.0.1', callpane.sipPort);
    bob = await ScriptedUa.open('127.0.0.1', callpane.sipPort);
    await alice.register('1001', callpane.secretOf('1001'));
    await bob.register('1002', callpane.secretOf('1002'));
  });
  after(async () => {
    for (const ua of [carrier, alice, bob]) ua?.close();
    await callpane?.remove();
  });

  /** Everything the carrier could read in a message, its tokens opened as base64 too. */
  function assertCarrierSeesOnlyCallpane(received: Received, phone: ScriptedUa, extension: string): void {
    const { message, text } = received;
    // Callpane's and the carrier's own addresses may be shown (and their ports hold any digits).
    const shown = text.replaceAll(`127.0.0.1:${callpane.sipPort}`, 'CALLPANE').replaceAll(`127.0.0.2:${carrier.port}`, 'CARRIER');
    const decoded = [...shown.matchAll(/[A-Za-z0-9_-]{16,}/g)].map(([token]) => Buffer.from(token, 'base64url').toString('latin1'));
    const seen = [shown, ...decoded].join('\n');
    for (const secret of [`:${phone.port}`, extension, '192.0.2.55', 'DeskPhone', '1003']) assert.ok(!seen.includes(secret), `the carrier reads ${secret} in\n${text}`);
    assert.ok(!/^(x-|diversion|user-agent|history-info|remote-party-id)/im.test(text), `a phone or PBX header crosses:\n${text}`);
    const vias = getHeaders(message, 'Via');
    if (message.type === 'request') assert.deepEqual(vias.map((via) => via.split(';')[0]), [`SIP/2.0/UDP 127.0.0.1:${callpane.sipPort}`], 'only our Via');
    else assert.ok(vias.every((via) => via.includes(`127.0.0.2:${carrier.port}`)), 'only the carrier Vias');
    for (const contact of getHeaders(message, 'Contact')) assert.match(contact, new RegExp(`^<sip:[A-Za-z0-9_-]+@127\\.0\\.0\\.1:${callpane.sipPort};transport=udp>$`));
  }

  /** The route set a UA keeps from a 2xx: the Record-Route as is (callee) or reversed (caller). */
  const routeSet = (message: SipMessage, caller: boolean): string[] => {
    const routes = getHeaders(message, 'Record-Route');
    return (caller ? routes.reverse() : routes).map((route) => `Route: ${route}`);
  };
  const contactOf = (message: SipMessage): string => formatUri(parseNameAddr(getHeader(message, 'Contact') ?? '').uri);

  it('shows 1002 the PBX identity of 1001 however 1001 claims to be someone else, and the other way round', async () => {
    const callId = `spoof-${Date.now()}@192.0.2.55`;
    await alice.sendAuthenticated('INVITE', `sip:1002@127.0.0.1:${callpane.sipPort}`, '1001', callpane.secretOf('1001'), (cseq, authorization) => [
      `INVITE sip:1002@127.0.0.1:${callpane.sipPort} SIP/2.0`,
      alice.via(),
      'Max-Forwards: 70',
      'From: <sip:1001@127.0.0.1>;tag=spoof',
      'To: <sip:1002@127.0.0.1>',
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:1001@${alice.address};transport=udp>`,
      ...PHONE_HEADERS,
      ...authorization,
    ]);
    const ringing = await bob.request('INVITE');
    const asserted = getHeaders(ringing.message, 'P-Asserted-Identity');
    assert.equal(asserted.length, 1, 'one identity, the PBX one');
    assert.match(asserted[0], /^(".*" )?<sip:1001@/, 'the PBX asserts the authenticated extension');
    assert.deepEqual([getHeaders(ringing.message, 'Remote-Party-ID'), getHeaders(ringing.message, 'P-Preferred-Identity')], [[], []]);

    bob.respond(ringing.message, '200 OK', [`Contact: <sip:1002@${bob.address};transport=udp>`, 'P-Asserted-Identity: <sip:1003@127.0.0.1>']);
    const ok = await alice.response('INVITE');
    assert.equal(ok.message.status, 200);
    assert.match(getHeader(ok.message, 'P-Asserted-Identity') ?? '', /<sip:1002@/, 'the caller sees who answered, as the PBX says');

    const inDialog = (method: string, cseq: number) => [`${method} ${contactOf(ok.message)} SIP/2.0`, alice.via(), 'Max-Forwards: 70', ...routeSet(ok.message, true), `From: ${getHeader(ok.message, 'From')}`, `To: ${getHeader(ok.message, 'To')}`, `Call-ID: ${callId}`, `CSeq: ${cseq} ${method}`];
    alice.send(inDialog('ACK', 2));
    await bob.request('ACK');
    alice.send(inDialog('BYE', 3));
    const bye = await bob.request('BYE');
    bob.respond(bye.message, '200 OK');
    assert.equal((await alice.response('BYE')).message.status, 200);
  });

  it('lets the carrier see only Callpane on a call out, and in-dialog requests both ways still reach the right party', async () => {
    const callId = `out-${Date.now()}@192.0.2.55`;
    const uri = `sip:94155550123@127.0.0.1:${callpane.sipPort}`;
    await alice.sendAuthenticated('INVITE', uri, '1001', callpane.secretOf('1001'), (cseq, authorization) => [
      `INVITE ${uri} SIP/2.0`,
      alice.via(),
      'Max-Forwards: 70',
      'From: "Alice" <sip:1001@127.0.0.1>;tag=alice',
      'To: <sip:94155550123@127.0.0.1>',
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:1001@${alice.address};transport=udp>`,
      ...PHONE_HEADERS,
      ...authorization,
    ]);
    const offer = await carrier.request('INVITE');
    assertCarrierSeesOnlyCallpane(offer, alice, '1001');
    assert.match(getHeader(offer.message, 'P-Asserted-Identity') ?? '', /^<sip:\+14155550199@/, 'the route caller id, asserted');

    carrier.respond(offer.message, '200 OK', [`Contact: <sip:far@${carrier.address}>`], 'carrier');
    const ok = await alice.response('INVITE');
    assert.deepEqual([ok.message.status, getHeader(ok.message, 'Call-ID'), getHeaders(ok.message, 'Via').length], [200, callId, 1], 'the phone gets its own Call-ID and Via back');

    const fromAlice = (method: string, cseq: number) => [
      `${method} ${contactOf(ok.message)} SIP/2.0`,
      alice.via(),
      'Max-Forwards: 70',
      ...routeSet(ok.message, true),
      'From: "Alice" <sip:1001@127.0.0.1>;tag=alice',
      `To: ${getHeader(ok.message, 'To')}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:1001@${alice.address};transport=udp>`,
      ...PHONE_HEADERS,
    ];
    alice.send(fromAlice('ACK', 2));
    assertCarrierSeesOnlyCallpane(await carrier.request('ACK'), alice, '1001');

    // The carrier puts the call on hold: its re-INVITE names our Contact and reaches the phone at its own.
    carrier.send([
      `INVITE ${contactOf(offer.message)} SIP/2.0`,
      carrier.via(),
      'Max-Forwards: 70',
      ...routeSet(offer.message, false),
      `From: ${getHeader(offer.message, 'To')};tag=carrier`,
      `To: ${getHeader(offer.message, 'From')}`,
      `Call-ID: ${getHeader(offer.message, 'Call-ID')}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:far@${carrier.address}>`,
    ]);
    const hold = await alice.request('INVITE');
    assert.equal(formatUri(hold.message.uri), `sip:1001@${alice.address};transport=udp`, 'the phone Contact restored');
    assert.equal(getHeader(hold.message, 'Call-ID'), callId);
    alice.respond(hold.message, '200 OK', [`Contact: <sip:1001@${alice.address};transport=udp>`, ...PHONE_HEADERS]);
    const held = await carrier.response('INVITE', 200);
    assertCarrierSeesOnlyCallpane(held, alice, '1001');
    assert.equal(getHeader(held.message, 'Call-ID'), getHeader(offer.message, 'Call-ID'), 'the Call-ID the carrier knows');

    // The phone hangs up: the BYE reaches the carrier, hidden, and the 200 comes back.
    alice.send(fromAlice('BYE', 3));
    const bye = await carrier.request('BYE');
    assertCarrierSeesOnlyCallpane(bye, alice, '1001');
    carrier.respond(bye.message, '200 OK');
    assert.equal((await alice.response('BYE')).message.status, 200);
  });

  it('lets the carrier see only Callpane on a call in, and its in-dialog requests reach the phone that answered', async () => {
    const callId = `in-${Date.now()}@127.0.0.2`;
    carrier.send([
      `INVITE sip:+14155550199@127.0.0.1:${callpane.sipPort} SIP/2.0`,
      carrier.via(),
      'Max-Forwards: 70',
      'From: <sip:+14155550100@127.0.0.2>;tag=carrier-in',
      'To: <sip:+14155550199@127.0.0.1>',
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:far@${carrier.address}>`,
      'P-Asserted-Identity: <sip:+19995550000@127.0.0.2>',
    ]);
    const ringing = await bob.request('INVITE');
    assert.deepEqual(getHeaders(ringing.message, 'P-Asserted-Identity'), [], "a trunk's assertion is not the PBX's");
    bob.respond(ringing.message, '200 OK', [`Contact: <sip:1002@${bob.address};transport=udp>`, ...PHONE_HEADERS], 'bob');
    const ok = await carrier.response('INVITE');
    assert.equal(ok.message.status, 200);
    assertCarrierSeesOnlyCallpane(ok, bob, '1002');

    const fromCarrier = (method: string, cseq: number) => [
      `${method} ${contactOf(ok.message)} SIP/2.0`,
      carrier.via(),
      'Max-Forwards: 70',
      ...routeSet(ok.message, true),
      'From: <sip:+14155550100@127.0.0.2>;tag=carrier-in',
      `To: ${getHeader(ok.message, 'To')}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
    ];
    carrier.send(fromCarrier('ACK', 1));
    const ack = await bob.request('ACK');
    assert.equal(formatUri(ack.message.uri), `sip:1002@${bob.address};transport=udp`, 'the phone Contact restored');

    // The phone puts the call on hold: the re-INVITE reaches the carrier, hidden.
    bob.send([
      `INVITE ${contactOf(ringing.message)} SIP/2.0`,
      bob.via(),
      'Max-Forwards: 70',
      ...routeSet(ringing.message, false),
      `From: ${getHeader(ringing.message, 'To')};tag=bob`,
      `To: ${getHeader(ringing.message, 'From')}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:1002@${bob.address};transport=udp>`,
      ...PHONE_HEADERS,
    ]);
    const hold = await carrier.request('INVITE');
    assertCarrierSeesOnlyCallpane(hold, bob, '1002');
    carrier.respond(hold.message, '200 OK', [`Contact: <sip:far@${carrier.address}>`]);
    assert.equal((await bob.response('INVITE')).message.status, 200);

    carrier.send(fromCarrier('BYE', 2));
    const bye = await bob.request('BYE');
    assert.equal(formatUri(bye.message.uri), `sip:1002@${bob.address};transport=udp`);
    bob.respond(bye.message, '200 OK', PHONE_HEADERS);
    const done = await carrier.response('BYE');
    assert.equal(done.message.status, 200);
    assertCarrierSeesOnlyCallpane(done, bob, '1002');
  });
});
