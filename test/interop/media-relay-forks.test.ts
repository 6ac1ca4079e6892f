/**
 * Offer/answer corners through the proxy and a real rtpengine. A fork whose two branches both
 * answer: rtpengine itself accepts an answer on a branch already deleted (it moves the caller's
 * port and makes that branch the caller's only subscriber), so only the PBX can keep the
 * winner's media — the loser's 200 must never reach rtpengine, and the loser's BYE must not
 * delete the call. A late offer in a reliable 183: the PRACK's SDP is the answer (RFC 3262 §5),
 * or a browser that offered is handed an offer back.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { NgDictionary } from '../../src/media/ng/bencode.ts';
import { NgClient } from '../../src/media/ng/ng-client.ts';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.ts';
import { CallMedia } from '../../src/pbx/call-media.ts';
import type { ForwardTarget } from '../../src/pbx/proxy/proxy.ts';
import { getHeader, getHeaders, parseUri, setHeader } from '../../src/sip/message/index.ts';
import type { SipMessage, SipRequest } from '../../src/sip/message/types.ts';
import { createFlow } from '../../src/sip/transport/index.ts';
import { answer, CALLER_FLOW, fixture, invite, message } from '../pbx/proxy/proxy-fixture.ts';
import { startRtpengine, type RunningRtpengine } from '../support/rtpengine.ts';
import { chromiumOffer, plainAnswer, plainOffer } from '../support/sdp-samples.ts';
import { itemAt, itemsAt } from '../support/item-at.ts';

const DESK: ForwardTarget = { uri: parseUri('sip:1002@127.0.0.7:5060;transport=tcp'), leg: { transport: 'TCP', address: '127.0.0.7', port: 5060 } };
const SOFT: ForwardTarget = { uri: parseUri('sip:1002@127.0.0.8:5060;transport=tcp'), leg: { transport: 'TCP', address: '127.0.0.8', port: 5060 } };
const DESK_FLOW = createFlow('TCP', { address: '127.0.0.1', port: 5060 }, { address: '127.0.0.7', port: 5060 });
/** A browser reached over its WebSocket (no flowId: the recording transport takes anything). */
const BROWSER: ForwardTarget = { uri: parseUri('sip:1002@df7jal23ls0d.invalid;transport=ws'), leg: { transport: 'WS', address: '127.0.0.8', port: 41001 } };
const BROWSER_FLOW = createFlow('WS', { address: '127.0.0.1', port: 8080 }, { address: '127.0.0.8', port: 41001 });

let engine: RunningRtpengine;
let ng: NgClient;
before(async () => {
  engine = await startRtpengine();
  ng = new NgClient({ host: engine.host, port: engine.ngPort, timeoutMs: 1000, retries: 1 });
});
after(async () => {
  await ng?.close();
  await engine?.stop();
});

function withSdp<M extends SipMessage>(msg: M, sdp: Buffer): M {
  setHeader(msg, 'Content-Type', 'application/sdp');
  msg.body = sdp;
  return msg;
}

async function settle(ms = 100): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function rtpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function audioPort(sdp: Buffer): number {
  return Number(/^m=audio (\d+) /m.exec(sdp.toString('utf8'))?.[1]);
}

/** A PCMU RTP packet (RFC 3550 §5.1). */
function rtpPacket(sequence: number): Buffer {
  const packet = Buffer.alloc(12 + 160, 0xff);
  packet[0] = 0x80;
  packet[1] = 0;
  packet.writeUInt16BE(sequence, 2);
  packet.writeUInt32BE(sequence * 160, 4);
  packet.writeUInt32BE(0x1111, 8);
  return packet;
}

/** The SIP tags rtpengine holds for a call (ng `query`). */
async function tagsOf(callId: string): Promise<string[]> {
  const reply = await ng.request('query', { 'call-id': callId });
  return Object.keys((reply.tags ?? {}) as NgDictionary).filter((tag) => !tag.startsWith('<'));
}

describe('a fork whose branches both answer, anchored through a real rtpengine', () => {
  it("keeps the caller's audio going to the winner, and the loser's BYE leaves the call up", async () => {
    const relay = new RtpengineRelay({ engines: [ng] });
    const media = new CallMedia({ relay });
    const t = fixture({ media });
    const [caller, winner] = await Promise.all([rtpSocket(), rtpSocket()]);
    let heard = 0;
    winner.on('message', () => heard++);
    try {
      const request = withSdp(invite(), plainOffer(caller.address().port));
      t.proxy.forward(t.receive(request), request, CALLER_FLOW, [DESK, SOFT]);
      await settle();
      const [toDesk, toSoft] = itemsAt(
        t.transport.requests.map((sent) => sent.request),
        0,
        1,
      );
      t.respond(withSdp(answer(toSoft, 200), plainAnswer(winner.address().port)));
      await settle();
      const ok = itemAt(
        t.transport.responses.filter((response) => response.status === 200),
        0,
      );
      const callerSends = audioPort(ok.body);
      let sequence = 0;
      const talk = async (packets: number) => {
        const expected = heard + packets;
        for (let sent = 0; sent < packets; sent++) caller.send(rtpPacket(++sequence), callerSends, '127.0.0.1');
        const deadline = Date.now() + 1000;
        while (heard < expected && Date.now() < deadline) await settle(10);
      };

      const late = withSdp(answer(toDesk, 200, ['Contact: <sip:1002@127.0.0.7:5060;transport=tcp>']), plainAnswer(50400));
      setHeader(late, 'To', `${getHeader(toDesk, 'To')};tag=desk`);
      t.respond(late, DESK_FLOW);
      await settle();
      await talk(10);
      assert.equal(heard, 10, 'every packet of the caller reaches the winner');
      assert.deepEqual((await tagsOf('proxy-test')).sort(), ['caller', 'carrier'], 'rtpengine never heard of the loser');
      assert.equal(t.transport.responses.filter((response) => response.status === 200).length, 1, 'the caller sees one 200');
      assert.deepEqual(
        t.transport.requests.filter((sent) => sent.request.method !== 'INVITE').map((sent) => sent.request.method),
        ['ACK', 'BYE'],
        'the loser is ACKed and sent a BYE',
      );

      // The loser hangs up its side before our BYE reached it.
      const loserBye = message<SipRequest>([
        'BYE sip:1001@127.0.0.1:40000;transport=tcp SIP/2.0',
        'Via: SIP/2.0/TCP 127.0.0.7:5060;branch=z9hG4bK-loser-bye',
        'Max-Forwards: 70',
        ...getHeaders(late, 'Record-Route').map((route) => `Route: ${route}`),
        `From: ${getHeader(late, 'To')}`,
        `To: ${getHeader(late, 'From')}`,
        'Call-ID: proxy-test',
        'CSeq: 1 BYE',
      ]);
      assert.equal(t.proxy.forwardInDialog(t.receive(loserBye, DESK_FLOW), loserBye, DESK_FLOW), true);
      await settle();
      assert.ok((await engine.listCalls()).includes('proxy-test'), 'the call is still anchored');

      await talk(10);
      assert.equal(heard, 20, 'the caller is still heard');
    } finally {
      caller.close();
      winner.close();
      await media.close();
    }
    assert.deepEqual(await engine.listCalls(), []);
  });
});

describe('a late offer in a reliable 183, anchored through a real rtpengine', () => {
  it("gives a browser that offered in its 183 the PRACK's SDP as an answer (DTLS setup active or passive, never actpass)", async () => {
    const relay = new RtpengineRelay({ engines: [ng] });
    const media = new CallMedia({ relay });
    const t = fixture({ media });
    try {
      const request = invite();
      setHeader(request, 'Call-ID', 'early-offer');
      t.proxy.forward(t.receive(request), request, CALLER_FLOW, [BROWSER]);
      await settle();
      const sent = itemAt(
        t.transport.requests.map((entry) => entry.request),
        0,
      );
      const recordRoutes = getHeaders(sent, 'Record-Route').map((route) => `Record-Route: ${route}`);
      t.respond(withSdp(answer(sent, 183, [...recordRoutes, 'Require: 100rel', 'RSeq: 1']), chromiumOffer()), BROWSER_FLOW);
      await settle();
      const early = itemAt(
        t.transport.responses.filter((response) => response.status === 183),
        0,
      );
      assert.match(early.body.toString(), / RTP\/AVP /, 'the phone is offered plain RTP');

      const prack = message<SipRequest>([
        'PRACK sip:1002@127.0.0.8:41001;transport=ws SIP/2.0',
        'Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-prack',
        'Max-Forwards: 70',
        ...[...getHeaders(early, 'Record-Route')].reverse().map((route) => `Route: ${route}`),
        `From: ${getHeader(early, 'From')}`,
        `To: ${getHeader(early, 'To')}`,
        'Call-ID: early-offer',
        'CSeq: 8 PRACK',
        'RAck: 1 7 INVITE',
      ]);
      withSdp(prack, plainAnswer());
      assert.equal(t.proxy.forwardInDialog(t.receive(prack), prack, CALLER_FLOW), true);
      await settle();
      const sentPrack = t.transport.requests.at(-1)!.request;
      assert.equal(sentPrack.method, 'PRACK');
      // RFC 5763 §5: the answerer picks active or passive; an SDP with actpass is an offer.
      assert.match(sentPrack.body.toString(), /^a=setup:(active|passive)\r?$/m, `an answer for the browser:\n${sentPrack.body.toString()}`);

      t.respond(withSdp(answer(sent, 200), chromiumOffer()), BROWSER_FLOW);
      await settle();
      const ok = itemAt(
        t.transport.responses.filter((response) => response.status === 200),
        0,
      );
      assert.equal(ok.body.toString(), early.body.toString(), 'the 200 repeats the offer the phone answered');
    } finally {
      await media.close();
    }
    assert.deepEqual(await engine.listCalls(), []);
  });
});
