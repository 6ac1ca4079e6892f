/**
 * What a carrier and a callee learn through a running Callpane, with scripted phones on 127.0.0.1
 * (they add a model name, Diversion, X- headers, a spoofed identity, a preloaded Route and a
 * Record-Route of their own, as real ones may), an agent over WebSocket, and a scripted carrier on
 * 127.0.0.2, a trunk matched by address: the carrier sees Callpane only, the callee sees the
 * identity the PBX asserts, in-dialog requests in both directions still reach the right party
 * after hiding, and a transfer toward the carrier is refused by the PBX.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { answerChallenge, parseDigestChallenge } from '../../src/sip/auth/index.ts';
import { formatUri, getHeader, getHeaders, parseNameAddr } from '../../src/sip/message/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/types.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { freeUdpTcpPort } from '../support/ports.ts';
import { ScriptedUa, type Received } from '../support/scripted-ua.ts';
import { WsSipPeer } from '../support/ws-sip-peer.ts';
import { itemAt } from '../support/item-at.ts';

/** What a desk phone adds that only the PBX may read. */
const PHONE_HEADERS = [
  'User-Agent: DeskPhone 9000 fw 1.2.3',
  'Diversion: <sip:1003@127.0.0.1>;reason=unconditional',
  'X-Phone-Serial: 00-11-22',
  'P-Asserted-Identity: "Boss" <sip:1003@127.0.0.1>',
  'Remote-Party-ID: "Boss" <sip:1003@127.0.0.1>;party=calling',
];
/** What of the inside any phone may show; the carrier reads none of it. */
const INSIDE = ['DeskPhone', '1003', '10.1.2.3', '192.168.1.50'];
/** The carrier's own Record-Route entry, on top of ours in its 2xx. */
const CARRIER_RR = '<sip:sbc@127.0.0.2;lr>';
const TRANSFER_REFUSED = '403 Transfer Through A Trunk Not Supported';

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

  /** What of a phone on `ua` the carrier must not read: its address and port, its extension, its Call-ID and the Call-ID's host part. */
  const insideOf = (ua: ScriptedUa, extension: string, callId?: string): string[] => [
    ua.address,
    `:${ua.port}`,
    extension,
    ...(callId === undefined ? [] : [callId, itemAt(callId.split('@'), 1)]),
    ...INSIDE,
  ];

  /**
   * What the carrier reads in a message: none of `inside`, and no transport but UDP (the trunk's;
   * anything else is how a phone reaches Callpane). Our tokens are AES-GCM ciphertext: the text
   * is all a carrier can read of them.
   */
  function assertCarrierSeesOnlyCallpane(received: Received, inside: readonly string[]): void {
    const { message, text } = received;
    // Callpane's and the carrier's own addresses may be shown (and their ports hold any digits).
    const shown = text.replaceAll(`127.0.0.1:${callpane.sipPort}`, 'CALLPANE').replaceAll(`127.0.0.2:${carrier.port}`, 'CARRIER');
    for (const secret of inside) assert.ok(!shown.includes(secret), `the carrier reads ${secret} in\n${text}`);
    assert.ok(!/transport=(tcp|tls|wss?)\b|SIP\/2\.0\/(TCP|TLS|WSS?)\b/i.test(text), `the carrier reads a phone transport in\n${text}`);
    assert.ok(!/^(x-|diversion|user-agent|history-info|remote-party-id)/im.test(text), `a phone or PBX header crosses:\n${text}`);
    const vias = getHeaders(message, 'Via');
    if (message.type === 'request')
      assert.deepEqual(
        vias.map((via) => via.split(';')[0]),
        [`SIP/2.0/UDP 127.0.0.1:${callpane.sipPort}`],
        'only our Via',
      );
    else
      assert.ok(
        vias.every((via) => via.includes(`127.0.0.2:${carrier.port}`)),
        'only the carrier Vias',
      );
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
    assert.match(itemAt(asserted, 0), /^(".*" )?<sip:1001@/, 'the PBX asserts the authenticated extension');
    assert.deepEqual([getHeaders(ringing.message, 'Remote-Party-ID'), getHeaders(ringing.message, 'P-Preferred-Identity')], [[], []]);

    bob.respond(ringing.message, '200 OK', [`Contact: <sip:1002@${bob.address};transport=udp>`, 'P-Asserted-Identity: <sip:1003@127.0.0.1>']);
    const ok = await alice.response('INVITE');
    assert.equal(ok.message.status, 200);
    assert.match(getHeader(ok.message, 'P-Asserted-Identity') ?? '', /<sip:1002@/, 'the caller sees who answered, as the PBX says');

    const inDialog = (method: string, cseq: number) => [
      `${method} ${contactOf(ok.message)} SIP/2.0`,
      alice.via(),
      'Max-Forwards: 70',
      ...routeSet(ok.message, true),
      `From: ${getHeader(ok.message, 'From')}`,
      `To: ${getHeader(ok.message, 'To')}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
    ];
    alice.send(inDialog('ACK', 2));
    await bob.request('ACK');
    alice.send(inDialog('BYE', 3));
    const bye = await bob.request('BYE');
    bob.respond(bye.message, '200 OK');
    assert.equal((await alice.response('BYE')).message.status, 200);
  });

  it('lets the carrier see only Callpane on a call out, none of the phone routes, and in-dialog requests both ways still reach the right party', async () => {
    const callId = `out-${Date.now()}@192.0.2.55`;
    const uri = `sip:94155550123@127.0.0.1:${callpane.sipPort}`;
    const inside = insideOf(alice, '1001', callId);
    await alice.sendAuthenticated('INVITE', uri, '1001', callpane.secretOf('1001'), (cseq, authorization) => [
      `INVITE ${uri} SIP/2.0`,
      alice.via(),
      'Max-Forwards: 70',
      // A desk phone with Callpane as its outbound proxy preloads a Route naming it (RFC 3261 §8.1.2).
      `Route: <sip:127.0.0.1:${callpane.sipPort};lr>`,
      'Route: <sip:10.1.2.3:5060;lr>',
      'Record-Route: <sip:1001@192.168.1.50;lr>',
      'From: "Alice" <sip:1001@127.0.0.1>;tag=alice',
      'To: <sip:94155550123@127.0.0.1>',
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:1001@${alice.address};transport=udp>`,
      ...PHONE_HEADERS,
      ...authorization,
    ]);
    const offer = await carrier.request('INVITE');
    assertCarrierSeesOnlyCallpane(offer, inside);
    assert.deepEqual(getHeaders(offer.message, 'Route'), [], 'no Route a phone set');
    assert.equal(getHeaders(offer.message, 'Record-Route').length, 2, 'our two entries only');
    assert.match(getHeader(offer.message, 'P-Asserted-Identity') ?? '', /^<sip:\+14155550199@/, 'the route caller id, asserted');

    // The carrier's 200 puts its own Record-Route on top of ours.
    carrier.send([
      'SIP/2.0 200 OK',
      ...getHeaders(offer.message, 'Via').map((via) => `Via: ${via}`),
      `Record-Route: ${CARRIER_RR}`,
      ...getHeaders(offer.message, 'Record-Route').map((route) => `Record-Route: ${route}`),
      `From: ${getHeader(offer.message, 'From')}`,
      `To: ${getHeader(offer.message, 'To')};tag=carrier`,
      `Call-ID: ${getHeader(offer.message, 'Call-ID')}`,
      `CSeq: ${getHeader(offer.message, 'CSeq')}`,
      `Contact: <sip:far@${carrier.address}>`,
    ]);
    const ok = await alice.response('INVITE');
    assert.deepEqual([ok.message.status, getHeader(ok.message, 'Call-ID'), getHeaders(ok.message, 'Via').length], [200, callId, 1], 'the phone gets its own Call-ID and Via back');
    assert.equal(getHeaders(ok.message, 'Record-Route')[0], CARRIER_RR);

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
    const ack = await carrier.request('ACK');
    assertCarrierSeesOnlyCallpane(ack, inside);
    assert.deepEqual(getHeaders(ack.message, 'Route'), [CARRIER_RR], "in the dialog, the carrier's own route set and nothing of ours");

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
    assertCarrierSeesOnlyCallpane(held, inside);
    assert.equal(getHeader(held.message, 'Call-ID'), getHeader(offer.message, 'Call-ID'), 'the Call-ID the carrier knows');

    // The agent transfers the carrier's caller to 1002: the PBX refuses, the carrier sees nothing of it.
    alice.send([...fromAlice('REFER', 3), `Refer-To: <sip:1002@127.0.0.1?Replaces=abc%40192.168.1.50%3Bto-tag%3Dx%3Bfrom-tag%3Dy>`, 'Referred-By: <sip:1001@127.0.0.1>']);
    const refused = await alice.response('REFER');
    assert.equal(`${refused.message.status} ${refused.message.reason}`, TRANSFER_REFUSED);
    await assertCarrierGetsNo('REFER');

    // The phone hangs up: the BYE reaches the carrier, hidden, and the 200 comes back.
    alice.send(fromAlice('BYE', 4));
    const bye = await carrier.request('BYE');
    assertCarrierSeesOnlyCallpane(bye, inside);
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
    const inside = insideOf(bob, '1002');
    assertCarrierSeesOnlyCallpane(ok, inside);

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
    assertCarrierSeesOnlyCallpane(hold, inside);
    carrier.respond(hold.message, '200 OK', [`Contact: <sip:far@${carrier.address}>`]);
    assert.equal((await bob.response('INVITE')).message.status, 200);

    carrier.send(fromCarrier('BYE', 2));
    const bye = await bob.request('BYE');
    assert.equal(formatUri(bye.message.uri), `sip:1002@${bob.address};transport=udp`);
    bob.respond(bye.message, '200 OK', PHONE_HEADERS);
    const done = await carrier.response('BYE');
    assert.equal(done.message.status, 200);
    assertCarrierSeesOnlyCallpane(done, inside);
  });

  it('refuses an INVITE with Replaces toward the carrier itself, and the carrier sees nothing of it', async () => {
    const uri = `sip:94155550123@127.0.0.1:${callpane.sipPort}`;
    const callId = `replaces-${Date.now()}@192.0.2.55`;
    const sent = await alice.sendAuthenticated('INVITE', uri, '1001', callpane.secretOf('1001'), (cseq, authorization) => [
      `INVITE ${uri} SIP/2.0`,
      alice.via(),
      'Max-Forwards: 70',
      'From: <sip:1001@127.0.0.1>;tag=alice-replaces',
      'To: <sip:94155550123@127.0.0.1>',
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:1001@${alice.address};transport=udp>`,
      'Replaces: abc@192.168.1.50;to-tag=x;from-tag=y',
      ...authorization,
    ]);
    const refused = await alice.response('INVITE');
    assert.equal(`${refused.message.status} ${refused.message.reason}`, TRANSFER_REFUSED);
    // The ACK of a non-2xx final stays in its transaction (RFC 3261 §17.1.1.3).
    const line = (name: string) => sent.find((header) => header.startsWith(`${name}: `)) ?? '';
    alice.send([`ACK ${uri} SIP/2.0`, line('Via'), 'Max-Forwards: 70', line('From'), `To: ${getHeader(refused.message, 'To')}`, line('Call-ID'), 'CSeq: 2 ACK']);
    await assertCarrierGetsNo('INVITE');
  });

  it('shows the carrier nothing of an agent over WebSocket, whose own Record-Route entry comes back as it reaches Callpane', async () => {
    const agent = await WsSipPeer.connect(`${callpane.httpUrl.replace(/^http/, 'ws')}/sip`);
    try {
      assert.equal((await agent.register('1001', callpane.secretOf('1001'), callpane.config.sip.domain)).status, 200);
      const uri = `sip:94155550124@127.0.0.1:${callpane.sipPort}`;
      const callId = `ws-${Date.now()}@${agent.contactHost}`;
      const invite = (cseq: number, authorization: string[]): string[] => [
        `INVITE ${uri} SIP/2.0`,
        `Via: SIP/2.0/WSS ${agent.contactHost};branch=z9hG4bK-ws-${cseq}`,
        'Max-Forwards: 70',
        'From: <sip:1001@127.0.0.1>;tag=agent',
        'To: <sip:94155550124@127.0.0.1>',
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} INVITE`,
        `Contact: <sip:1001@${agent.contactHost};transport=ws>`,
        ...authorization,
        'Content-Length: 0',
        '',
        '',
      ];
      agent.send(invite(1, []).join('\r\n'));
      const challenge = (await agent.next((message) => message.type === 'response' && message.status === 407)) as SipResponse;
      agent.send(
        [
          `ACK ${uri} SIP/2.0`,
          `Via: SIP/2.0/WSS ${agent.contactHost};branch=z9hG4bK-ws-1`,
          'Max-Forwards: 70',
          'From: <sip:1001@127.0.0.1>;tag=agent',
          `To: ${getHeader(challenge, 'To')}`,
          `Call-ID: ${callId}`,
          'CSeq: 1 ACK',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      const answer = answerChallenge(getHeaders(challenge, 'Proxy-Authenticate').map(parseDigestChallenge), {
        username: '1001',
        password: callpane.secretOf('1001'),
        method: 'INVITE',
        uri,
      });
      agent.send(invite(2, [`Proxy-Authorization: ${answer}`]).join('\r\n'));

      const offer = await carrier.request('INVITE');
      const inside = [agent.contactHost, '1001', callId, ...INSIDE];
      assertCarrierSeesOnlyCallpane(offer, inside);
      carrier.respond(offer.message, '200 OK', [`Contact: <sip:far@${carrier.address}>`], 'carrier');
      const ok = (await agent.next((message) => message.type === 'response' && message.status === 200 && getHeader(message, 'CSeq') === '2 INVITE')) as SipResponse;
      const routes = getHeaders(ok, 'Record-Route');
      assert.equal(routes.length, 2);
      assert.match(itemAt(routes, 0), /;transport=udp;lr>$/, 'the entry facing the carrier');
      assert.match(itemAt(routes, 1), /;transport=ws;lr>$/, 'the entry facing the agent, as it reaches Callpane');

      const fromAgent = (method: string, cseq: number): string =>
        [
          `${method} ${contactOf(ok)} SIP/2.0`,
          `Via: SIP/2.0/WSS ${agent.contactHost};branch=z9hG4bK-ws-${method}-${cseq}`,
          'Max-Forwards: 70',
          ...routeSet(ok, true),
          'From: <sip:1001@127.0.0.1>;tag=agent',
          `To: ${getHeader(ok, 'To')}`,
          `Call-ID: ${callId}`,
          `CSeq: ${cseq} ${method}`,
          `Contact: <sip:1001@${agent.contactHost};transport=ws>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
      agent.send(fromAgent('ACK', 2));
      assertCarrierSeesOnlyCallpane(await carrier.request('ACK'), inside);
      agent.send(fromAgent('BYE', 3));
      const bye = await carrier.request('BYE');
      assertCarrierSeesOnlyCallpane(bye, inside);
      carrier.respond(bye.message, '200 OK');
      const done = (await agent.next((message) => message.type === 'response' && getHeader(message, 'CSeq') === '3 BYE')) as SipResponse;
      assert.equal(done.status, 200);
    } finally {
      agent.close();
    }
  });

  /** A request the PBX refused at once would have gone to the carrier with its answer: a short wait shows it did not. */
  async function assertCarrierGetsNo(method: string): Promise<void> {
    await assert.rejects(
      carrier.next((message): message is SipRequest => message.type === 'request' && message.method === method, `${method} request`, 300),
      /received no/,
      `the carrier got a ${method}`,
    );
  }
});
