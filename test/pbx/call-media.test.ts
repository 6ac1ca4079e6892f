/**
 * The media step through the proxy on a real transaction layer: which offers and answers go to
 * the media relay (an in-memory one that rewrites SDP deterministically), what each side then
 * reads, and that every way a call ends leaves no relay session and no state behind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaRelayError } from '../../src/media/media-relay.ts';
import { CallMedia, callMediaFor, type CodecMismatch, type RelayFailure } from '../../src/pbx/call-media.ts';
import type { ForwardTarget } from '../../src/pbx/proxy/proxy.ts';
import { getHeader, getHeaders, parseUri, setHeader } from '../../src/sip/message/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/types.ts';
import { createFlow, type Flow } from '../../src/sip/transport/index.ts';
import { answer, CALLER_FLOW, fixture, invite, message } from './proxy/proxy-fixture.ts';
import { MemoryMediaRelay, RELAY_ADDRESS } from '../support/memory-media-relay.ts';
import { itemAt, itemsAt } from '../support/item-at.ts';

const PHONE_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n';
const BROWSER_SDP = 'v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\n';
const OPUS_ONLY = 'v=0\r\no=- 3 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n';

const BROWSER_FLOW = createFlow('WS', { address: '127.0.0.1', port: 8080 }, { address: '127.0.0.1', port: 41000 });
const CALLEE_FLOW = createFlow('TCP', { address: '127.0.0.1', port: 5060 }, { address: '127.0.0.7', port: 5060 });
/** A browser callee reached over its WebSocket (no flowId: the recording transport takes anything). */
const BROWSER: ForwardTarget = { uri: parseUri('sip:1002@df7jal23ls0d.invalid;transport=ws'), leg: { transport: 'WS', address: '127.0.0.8', port: 41001 } };
const PHONE: ForwardTarget = { uri: parseUri('sip:1003@127.0.0.7:5060;transport=tcp'), leg: { transport: 'TCP', address: '127.0.0.7', port: 5060 } };

function withSdp<M extends SipMessage>(msg: M, sdp: string): M {
  setHeader(msg, 'Content-Type', 'application/sdp');
  msg.body = Buffer.from(sdp);
  return msg;
}

/** Lets the relay's promises and the proxy's queue run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function setup(options: { failures?: RelayFailure[]; mismatches?: CodecMismatch[] } = {}) {
  const relay = new MemoryMediaRelay();
  const media = new CallMedia({
    relay,
    onRelayFailure: (failure) => options.failures?.push(failure),
    onCodecMismatch: (mismatch) => options.mismatches?.push(mismatch),
  });
  const proxy = fixture({ media });
  const sentInvites = () => proxy.transport.requests.filter((sent) => sent.request.method === 'INVITE').map((sent) => sent.request);
  const upstream = (status?: number) => proxy.transport.responses.filter((response) => status === undefined || response.status === status);
  const call = (body: string | undefined, targets: ForwardTarget[], from: Flow = CALLER_FLOW) => {
    const request = body === undefined ? invite() : withSdp(invite(), body);
    const server = proxy.receive(request, from);
    proxy.proxy.forward(server, request, from, targets);
    return server;
  };
  return { relay, media, ...proxy, sentInvites, upstream, call };
}

/** The offers and answers the relay was asked for: operation, tags and profiles. */
function exchanges(relay: MemoryMediaRelay): Array<Array<string | undefined>> {
  return relay.calls.flatMap((call) => (call.op === 'offer' || call.op === 'answer' ? [[call.op, call.fromTag, call.toTag, call.from, call.to]] : []));
}

/** A response from one branch's callee, naming itself with its own To tag. */
function answerTagged(sent: SipRequest, status: number, tag: string, extra: string[] = []): SipResponse {
  const response = answer(sent, status, extra);
  setHeader(response, 'To', `${getHeader(sent, 'To')};tag=${tag}`);
  return response;
}

/** An in-dialog request along the route set the 2xx recorded. */
function inDialog(method: string, ok: SipResponse, byCallee: boolean, cseq: number, sdp?: string): SipRequest {
  const routes = getHeaders(ok, 'Record-Route');
  const from = byCallee ? getHeader(ok, 'To')! : getHeader(ok, 'From')!;
  const to = byCallee ? getHeader(ok, 'From')! : getHeader(ok, 'To')!;
  const request = message<SipRequest>([
    `${method} sip:peer@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/TCP ${byCallee ? '127.0.0.7:5060' : '127.0.0.1:40000'};branch=z9hG4bK-${method}-${cseq}-${byCallee}`,
    'Max-Forwards: 70',
    ...(byCallee ? routes : [...routes].reverse()).map((route) => `Route: ${route}`),
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: ${getHeader(ok, 'Call-ID')}`,
    `CSeq: ${cseq} ${method}`,
  ]);
  return sdp === undefined ? request : withSdp(request, sdp);
}

describe('the media step of a call', () => {
  it('anchors a phone calling a browser: the offer is rewritten for WebRTC, the answer for plain RTP', async () => {
    const t = setup();
    t.call(PHONE_SDP, [BROWSER]);
    await settle();
    const sent = itemAt(t.sentInvites(), 0);
    assert.match(sent.body.toString(), new RegExp(`c=IN IP4 ${RELAY_ADDRESS}[\\s\\S]*a=x-relayed-for:webrtc`));
    t.respond(withSdp(answer(sent, 200), BROWSER_SDP));
    await settle();
    const ok = itemAt(t.upstream(200), 0);
    assert.match(ok.body.toString(), /a=x-relayed-for:rtp/);
    assert.doesNotMatch(ok.body.toString(), /c=IN IP4 127\.0\.0\.1/, 'the phone never sees the browser');
    assert.deepEqual(exchanges(t.relay), [
      ['offer', 'caller', undefined, 'rtp', 'webrtc'],
      ['answer', 'caller', 'carrier', 'webrtc', 'rtp'],
    ]);
  });

  it('anchors a browser calling a phone the other way round', async () => {
    const t = setup();
    t.call(BROWSER_SDP, [PHONE], BROWSER_FLOW);
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
    await settle();
    assert.match(itemAt(t.upstream(200), 0).body.toString(), /a=x-relayed-for:webrtc/);
    assert.deepEqual(
      exchanges(t.relay).map(([op, , , from, to]) => [op, from, to]),
      [
        ['offer', 'webrtc', 'rtp'],
        ['answer', 'rtp', 'webrtc'],
      ],
    );
  });

  it("rewrites a carrier's early media in a 183 and the 200 after it, and no response overtakes one still with the relay", async () => {
    const t = setup();
    t.call(BROWSER_SDP, [{ ...PHONE, trunk: true, media: 'srtp' }], BROWSER_FLOW);
    await settle();
    const sent = itemAt(t.sentInvites(), 0);
    assert.match(sent.body.toString(), /x-relayed-for:srtp/, "the trunk's configured profile");
    let release!: () => void;
    t.relay.gate = new Promise((resolve) => (release = resolve));
    t.respond(withSdp(answer(sent, 183), PHONE_SDP));
    t.respond(answer(sent, 180));
    t.respond(withSdp(answer(sent, 200), PHONE_SDP));
    await settle();
    assert.deepEqual(
      t.upstream().filter((response) => response.status > 100),
      [],
      'nothing overtakes the 183 still with the relay',
    );
    release();
    await settle();
    assert.deepEqual(
      t
        .upstream()
        .filter((response) => response.status > 100)
        .map((response) => [response.status, /x-relayed-for:webrtc/.test(response.body.toString())]),
      [
        [183, true],
        [180, false],
        [200, true],
      ],
    );
  });

  it('gives each branch of a fork its own session and deletes the losers when one answers', async () => {
    const t = setup();
    t.call(PHONE_SDP, [BROWSER, PHONE]);
    await settle();
    const [toBrowser, toPhone] = itemsAt(t.sentInvites(), 0, 1);
    assert.match(toBrowser.body.toString(), /x-relayed-for:webrtc/);
    assert.match(toPhone.body.toString(), /x-relayed-for:rtp/);
    t.respond(withSdp(answer(toPhone, 200), PHONE_SDP));
    await settle();
    assert.deepEqual(t.relay.ops(), ['offer@1', 'offer@2', 'delete@1', 'answer@2']);
    assert.equal(t.upstream(200).length, 1);
  });

  it("keeps a fork's second 200 from the relay and the caller: its callee gets an ACK and a BYE, the winner keeps the caller's media", async () => {
    const t = setup();
    t.call(PHONE_SDP, [BROWSER, PHONE]);
    await settle();
    const [toBrowser, toPhone] = itemsAt(t.sentInvites(), 0, 1);
    t.respond(withSdp(answer(toPhone, 200), PHONE_SDP));
    const late = withSdp(answerTagged(toBrowser, 200, 'loser', ['Contact: <sip:1002@127.0.0.8:41001;transport=ws>']), BROWSER_SDP);
    t.respond(late);
    await settle();
    t.respond(late);
    await settle();
    assert.deepEqual(t.relay.ops(), ['offer@1', 'offer@2', 'delete@1', 'answer@2'], "the loser's answer never reaches the relay");
    assert.deepEqual(
      t.upstream(200).map((response) => getHeader(response, 'To')?.split('tag=')[1]),
      ['carrier'],
      "the caller sees the winner's 200 only",
    );
    const toLoser = t.transport.requests.filter((entry) => entry.request.method !== 'INVITE');
    assert.deepEqual(
      toLoser.map((entry) => [entry.request.method, getHeader(entry.request, 'To')?.split('tag=')[1]]),
      [
        ['ACK', 'loser'],
        ['BYE', 'loser'],
        ['ACK', 'loser'],
      ],
    );
    assert.equal(getHeader(itemAt(toLoser, 1).request, 'Reason'), 'SIP;cause=200;text="Call completed elsewhere"');
  });

  it("deletes nothing on a BYE of a fork's losing dialog; the winner's BYE ends the call", async () => {
    const t = setup();
    t.call(PHONE_SDP, [BROWSER, PHONE]);
    await settle();
    const [toBrowser, toPhone] = itemsAt(t.sentInvites(), 0, 1);
    t.respond(withSdp(answer(toPhone, 200), PHONE_SDP));
    const late = withSdp(answerTagged(toBrowser, 200, 'loser'), BROWSER_SDP);
    t.respond(late);
    await settle();
    const loserBye = inDialog('BYE', late, true, 1);
    t.proxy.forwardInDialog(t.receive(loserBye, CALLEE_FLOW), loserBye, CALLEE_FLOW);
    await settle();
    assert.deepEqual(t.relay.ops(), ['offer@1', 'offer@2', 'delete@1', 'answer@2'], "the winner's media stays");
    assert.equal(t.media.activeCalls, 1);

    const bye = inDialog('BYE', itemAt(t.upstream(200), 0), false, 9);
    t.proxy.forwardInDialog(t.receive(bye), bye, CALLER_FLOW);
    await settle();
    assert.deepEqual(t.relay.ops().slice(4), ['delete']);
    assert.equal(t.relay.sessions.size, 0);
    assert.equal(t.media.activeCalls, 0);
  });

  it('ends a 200 that crossed the CANCEL to a branch with no provisional yet: ACK and BYE, only the 487 goes up, the relay sees no answer', async () => {
    const t = setup();
    const server = t.call(PHONE_SDP, [PHONE]);
    await settle();
    const sent = itemAt(t.sentInvites(), 0);
    t.proxy.cancel(server);
    await settle();
    t.respond(withSdp(answer(sent, 200, ['Contact: <sip:1003@127.0.0.7:5060;transport=tcp>']), PHONE_SDP));
    await settle();
    assert.deepEqual(
      t
        .upstream()
        .filter((response) => response.status >= 200)
        .map((response) => response.status),
      [487],
    );
    const toCallee = t.transport.requests.filter((entry) => entry.request.method === 'ACK' || entry.request.method === 'BYE');
    assert.deepEqual(
      toCallee.map((entry) => entry.request.method),
      ['ACK', 'BYE'],
    );
    assert.equal(getHeader(itemAt(toCallee, 1).request, 'Reason'), 'SIP;cause=487;text="Request Terminated"');
    assert.deepEqual(t.relay.ops(), ['offer@1', 'delete']);
    assert.equal(t.media.activeCalls, 0);
  });

  it('anchors a re-INVITE (hold) from either side between the parties the 200 established', async () => {
    const t = setup();
    t.call(PHONE_SDP, [BROWSER]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), BROWSER_SDP));
    await settle();
    const ok = itemAt(t.upstream(200), 0);

    const hold = inDialog('INVITE', ok, true, 1, BROWSER_SDP.replace('m=audio', 'a=sendonly\r\nm=audio'));
    t.proxy.forwardInDialog(t.receive(hold, CALLEE_FLOW), hold, CALLEE_FLOW);
    await settle();
    const toCaller = t.transport.requests.at(-1)?.request;
    assert.equal(toCaller?.method, 'INVITE');
    assert.match(toCaller!.body.toString(), /x-relayed-for:rtp/);
    t.respond(withSdp(answer(toCaller!, 200), PHONE_SDP), CALLEE_FLOW);
    await settle();
    assert.match(t.upstream(200).at(-1)!.body.toString(), /x-relayed-for:webrtc/);

    const resume = inDialog('INVITE', ok, false, 8, PHONE_SDP);
    t.proxy.forwardInDialog(t.receive(resume), resume, CALLER_FLOW);
    await settle();
    const toCallee = t.transport.requests.at(-1)!.request;
    assert.match(toCallee.body.toString(), /x-relayed-for:webrtc/);
    assert.deepEqual(exchanges(t.relay).slice(2), [
      ['offer', 'carrier', 'caller', 'webrtc', 'rtp'],
      ['answer', 'carrier', 'caller', 'rtp', 'webrtc'],
      ['offer', 'caller', 'carrier', 'rtp', 'webrtc'],
    ]);
  });

  it('anchors an UPDATE in the early dialog a 183 started', async () => {
    const t = setup();
    t.call(PHONE_SDP, [BROWSER]);
    await settle();
    t.respond(
      withSdp(
        answer(
          itemAt(t.sentInvites(), 0),
          183,
          getHeaders(itemAt(t.sentInvites(), 0), 'Record-Route').map((rr) => `Record-Route: ${rr}`),
        ),
        BROWSER_SDP,
      ),
    );
    await settle();
    const early = itemAt(t.upstream(183), 0);
    const update = inDialog('UPDATE', early, true, 1, BROWSER_SDP);
    t.proxy.forwardInDialog(t.receive(update, CALLEE_FLOW), update, CALLEE_FLOW);
    await settle();
    const sent = t.transport.requests.at(-1)!.request;
    assert.equal(sent.method, 'UPDATE');
    assert.match(sent.body.toString(), /x-relayed-for:rtp/);
    assert.deepEqual(exchanges(t.relay).at(-1), ['offer', 'carrier', 'caller', 'webrtc', 'rtp']);
  });

  it('sends a BYE only after the re-INVITE before it, whose offer was still with the relay', async () => {
    const t = setup();
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
    await settle();
    const ok = itemAt(t.upstream(200), 0);
    let release!: () => void;
    t.relay.gate = new Promise((resolve) => (release = resolve));
    const reinvite = inDialog('INVITE', ok, false, 8, PHONE_SDP);
    t.proxy.forwardInDialog(t.receive(reinvite), reinvite, CALLER_FLOW);
    const bye = inDialog('BYE', ok, false, 9);
    t.proxy.forwardInDialog(t.receive(bye), bye, CALLER_FLOW);
    await settle();
    release();
    await settle();
    assert.deepEqual(
      t.transport.requests.slice(1).map((sent) => sent.request.method),
      ['INVITE', 'BYE'],
    );
  });

  it('takes a late offer from the 200 and its answer from the ACK', async () => {
    const t = setup();
    t.call(undefined, [BROWSER]);
    await settle();
    assert.equal(itemAt(t.sentInvites(), 0).body.length, 0);
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), BROWSER_SDP));
    await settle();
    const ok = itemAt(t.upstream(200), 0);
    assert.match(ok.body.toString(), /x-relayed-for:rtp/);
    const ack = inDialog('ACK', ok, false, 7, PHONE_SDP);
    assert.equal(t.proxy.forwardAck(ack, CALLER_FLOW), true);
    await settle();
    const sentAck = t.transport.requests.at(-1)!.request;
    assert.equal(sentAck.method, 'ACK');
    assert.match(sentAck.body.toString(), /x-relayed-for:webrtc/);
    assert.deepEqual(exchanges(t.relay), [
      ['offer', 'carrier', 'caller', 'webrtc', 'rtp'],
      ['answer', 'carrier', 'caller', 'rtp', 'webrtc'],
    ]);
  });

  it('takes a late offer from a reliable 183 and its answer from the PRACK, and gives the caller the same SDP in the 200', async () => {
    const t = setup();
    t.call(undefined, [BROWSER]);
    await settle();
    const sent = itemAt(t.sentInvites(), 0);
    const recordRoutes = getHeaders(sent, 'Record-Route').map((rr) => `Record-Route: ${rr}`);
    t.respond(withSdp(answer(sent, 183, [...recordRoutes, 'Require: 100rel', 'RSeq: 1']), BROWSER_SDP));
    await settle();
    const early = itemAt(t.upstream(183), 0);
    assert.match(early.body.toString(), /x-relayed-for:rtp/);

    const prack = inDialog('PRACK', early, false, 8, PHONE_SDP);
    setHeader(prack, 'RAck', '1 7 INVITE');
    t.proxy.forwardInDialog(t.receive(prack), prack, CALLER_FLOW);
    await settle();
    const sentPrack = t.transport.requests.at(-1)!.request;
    assert.equal(sentPrack.method, 'PRACK');
    assert.match(sentPrack.body.toString(), /x-relayed-for:webrtc/);
    t.respond(answer(sentPrack, 200), CALLEE_FLOW);
    await settle();

    t.respond(withSdp(answer(sent, 200), BROWSER_SDP));
    await settle();
    assert.equal(t.upstream(200).at(-1)!.body.toString(), early.body.toString(), 'the offer the caller already answered');
    assert.deepEqual(exchanges(t.relay), [
      ['offer', 'carrier', 'caller', 'webrtc', 'rtp'],
      ['answer', 'carrier', 'caller', 'rtp', 'webrtc'],
    ]);
    assert.deepEqual(t.relay.ops(), ['offer@1', 'answer@1'], "the PRACK answers the 183's branch");
  });

  it('cancels a call whose offer is still with the relay: 487, no INVITE sent, nothing left', async () => {
    const t = setup();
    let release!: () => void;
    t.relay.gate = new Promise((resolve) => (release = resolve));
    const server = t.call(PHONE_SDP, [BROWSER]);
    await settle();
    t.proxy.cancel(server);
    await settle();
    assert.deepEqual(
      t
        .upstream()
        .filter((response) => response.status >= 200)
        .map((response) => response.status),
      [487],
    );
    release();
    await settle();
    assert.equal(t.sentInvites().length, 0, 'the offer came back too late: the INVITE never went');
    assert.deepEqual(t.relay.ops(), ['offer@1', 'delete']);
    assert.equal(t.relay.sessions.size, 0);
    assert.equal(t.media.activeCalls, 0);
  });

  it('deletes the session of a call Timer C gave up on', async () => {
    const relay = new MemoryMediaRelay();
    const media = new CallMedia({ relay });
    const t = fixture({ media, timerCMs: 30 });
    const request = withSdp(invite(), PHONE_SDP);
    t.proxy.forward(t.receive(request), request, CALLER_FLOW, [PHONE]);
    await settle();
    const sent = itemAt(t.transport.requests, 0).request;
    t.respond(answer(sent, 180));
    await new Promise((resolve) => setTimeout(resolve, 60));
    const cancel = t.transport.requests.find((entry) => entry.request.method === 'CANCEL');
    assert.ok(cancel, 'Timer C cancelled the ringing branch');
    t.respond(answer(sent, 487));
    await settle();
    assert.deepEqual(
      t.transport.responses.filter((response) => response.status >= 200).map((response) => response.status),
      [487],
    );
    assert.deepEqual(relay.ops(), ['offer@1', 'delete']);
    assert.equal(media.activeCalls, 0);
  });

  it('sends nothing for an offer that comes back after the proxy closed', async () => {
    const t = setup();
    let release!: () => void;
    t.relay.gate = new Promise((resolve) => (release = resolve));
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    t.proxy.close();
    release();
    await settle();
    assert.equal(t.sentInvites().length, 0);
  });

  it('deletes the session when the callee is busy', async () => {
    const t = setup();
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    t.respond(answer(itemAt(t.sentInvites(), 0), 486));
    await settle();
    assert.deepEqual(t.upstream(486).length, 1);
    assert.deepEqual(t.relay.ops(), ['offer@1', 'delete']);
    assert.equal(t.relay.sessions.size, 0);
    assert.equal(t.media.activeCalls, 0);
  });

  it('asks the relay what it measured of an answered call before deleting it', async () => {
    const stats: Array<[string, string, string | undefined]> = [];
    const relay = new MemoryMediaRelay();
    const media = new CallMedia({ relay, recordIdOf: () => 'record-1', onCallStats: ({ callId, callerTag, recordId }) => stats.push([callId, callerTag, recordId]) });
    const t = fixture({ media });
    const request = withSdp(invite(), PHONE_SDP);
    t.proxy.forward(t.receive(request), request, CALLER_FLOW, [PHONE]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.transport.requests, 0).request, 200), PHONE_SDP));
    await settle();
    const bye = inDialog('BYE', t.transport.responses.find((response) => response.status === 200)!, false, 9);
    t.proxy.forwardInDialog(t.receive(bye), bye, CALLER_FLOW);
    await settle();
    assert.deepEqual(stats, [['proxy-test', 'caller', 'record-1']]);
    assert.deepEqual(relay.ops(), ['offer@1', 'answer@1', 'query', 'delete']);
  });

  it('deletes the session when either side hangs up', async () => {
    for (const byCallee of [false, true]) {
      const t = setup();
      t.call(PHONE_SDP, [PHONE]);
      await settle();
      t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
      await settle();
      const bye = inDialog('BYE', itemAt(t.upstream(200), 0), byCallee, 9);
      t.proxy.forwardInDialog(t.receive(bye, byCallee ? CALLEE_FLOW : CALLER_FLOW), bye, byCallee ? CALLEE_FLOW : CALLER_FLOW);
      await settle();
      assert.deepEqual(t.relay.ops(), ['offer@1', 'answer@1', 'delete'], byCallee ? 'callee hung up' : 'caller hung up');
      assert.equal(t.relay.sessions.size, 0);
      assert.equal(t.media.activeCalls, 0);
    }
  });

  it("anchors a transfer's new dialog (INVITE with Replaces) as any call, and deletes only the old one on its BYE", async () => {
    const t = setup();
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
    await settle();
    const old = itemAt(t.upstream(200), 0);

    const replacing = withSdp(invite(3, ['Replaces: proxy-test;to-tag=carrier;from-tag=caller']), PHONE_SDP);
    setHeader(replacing, 'Call-ID', 'transfer-new');
    setHeader(replacing, 'Via', 'SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-transfer');
    t.proxy.forward(t.receive(replacing), replacing, CALLER_FLOW, [BROWSER]);
    await settle();
    const sent = t.sentInvites().at(-1)!;
    assert.equal(getHeader(sent, 'Call-ID'), 'transfer-new');
    assert.match(sent.body.toString(), /x-relayed-for:webrtc/);
    t.respond(withSdp(answer(sent, 200), BROWSER_SDP));
    await settle();

    const bye = inDialog('BYE', old, true, 2);
    t.proxy.forwardInDialog(t.receive(bye, CALLEE_FLOW), bye, CALLEE_FLOW);
    await settle();
    assert.deepEqual(
      t.relay.calls.filter((call) => call.op === 'delete').map((call) => call.callId),
      ['proxy-test'],
    );
    assert.deepEqual([...t.relay.sessions], ['transfer-new'], 'the new dialog keeps its media');
    assert.equal(t.media.activeCalls, 1);
  });

  it('deletes the calls still up when the service closes', async () => {
    const t = setup();
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
    await settle();
    await t.media.close();
    assert.deepEqual(t.relay.ops(), ['offer@1', 'answer@1', 'delete']);
    assert.equal(t.relay.sessions.size, 0);
    assert.equal(t.media.activeCalls, 0);
  });

  it('answers 503 Media Relay Unavailable when the relay is down, reports it, and keeps nothing', async () => {
    const failures: RelayFailure[] = [];
    const t = setup({ failures });
    t.relay.failWith = new MediaRelayError('MEDIA_RELAY_UNAVAILABLE', 'no engine answers ng ping');
    t.call(PHONE_SDP, [BROWSER]);
    await settle();
    assert.equal(t.sentInvites().length, 0);
    const finals = t.upstream().filter((response) => response.status >= 200);
    assert.deepEqual(
      finals.map((response) => [response.status, response.reason]),
      [[503, 'Media Relay Unavailable']],
    );
    assert.deepEqual(
      failures.map((failure) => [failure.code, failure.cleanup]),
      [['MEDIA_RELAY_UNAVAILABLE', false]],
    );
    assert.equal(t.media.activeCalls, 0);
    assert.equal(t.relay.sessions.size, 0);
  });

  it('rewrites a retransmitted 200 as the first one without asking the relay again', async () => {
    const t = setup();
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    const ok = withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP);
    t.respond(ok);
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
    await settle();
    assert.deepEqual(
      t.upstream(200).map((response) => /x-relayed-for:rtp/.test(response.body.toString())),
      [true, true],
    );
    assert.deepEqual(t.relay.ops(), ['offer@1', 'answer@1']);
  });

  it('answers 503 instead of a 200 the relay could not take, and keeps its retransmissions from the caller', async () => {
    const failures: RelayFailure[] = [];
    const t = setup({ failures });
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    t.relay.failWith = new MediaRelayError('MEDIA_RELAY_TIMEOUT', 'no reply in 1000 ms');
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), PHONE_SDP));
    await settle();
    assert.deepEqual(
      t
        .upstream()
        .filter((response) => response.status >= 200)
        .map((response) => [response.status, response.reason]),
      [[503, 'Media Relay Unavailable']],
    );
    assert.deepEqual(
      failures.map((failure) => [failure.code, failure.message]),
      [['MEDIA_RELAY_TIMEOUT', '200 INVITE']],
    );
    assert.deepEqual(t.relay.ops(), ['offer@1', 'answer@1', 'delete']);
    assert.equal(t.media.activeCalls, 0);
  });

  it("ends the callee's side of a 200 the relay could not take: an ACK for each 200, and one BYE", async () => {
    const t = setup();
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    t.relay.failWith = new MediaRelayError('MEDIA_RELAY_UNAVAILABLE', 'no engine');
    const sent = itemAt(t.sentInvites(), 0);
    const ok = withSdp(answer(sent, 200, ['Contact: <sip:1003@127.0.0.7:5060;transport=tcp>']), PHONE_SDP);
    t.respond(ok);
    await settle();
    t.respond(ok);
    await settle();
    const toCallee = t.transport.requests.filter((entry) => entry.request.method !== 'INVITE');
    assert.deepEqual(
      toCallee.map((entry) => [entry.request.method, getHeader(entry.request, 'CSeq')]),
      [
        ['ACK', '7 ACK'],
        ['BYE', '8 BYE'],
        ['ACK', '7 ACK'],
      ],
    );
    const bye = itemAt(toCallee, 1).request;
    assert.equal(`${bye.uri.scheme}:${'user' in bye.uri ? bye.uri.user : ''}`, 'sip:1003', 'to the Contact of the 200');
    assert.deepEqual([getHeader(bye, 'From'), getHeader(bye, 'To'), getHeader(bye, 'Call-ID')], [getHeader(sent, 'From'), getHeader(ok, 'To'), getHeader(sent, 'Call-ID')]);
    assert.deepEqual(getHeaders(bye, 'Route'), [], 'our own Record-Route entries are no route to the callee');
    assert.deepEqual(itemAt(toCallee, 1).target, { transport: 'TCP', host: '127.0.0.7', port: 5060 });
  });

  it('keeps the call when the relay cannot take the 200 to a re-INVITE: that 200 is ACKed, no BYE goes out', async () => {
    const t = setup();
    t.call(PHONE_SDP, [BROWSER]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), BROWSER_SDP));
    await settle();
    const ok = itemAt(t.upstream(200), 0);
    const resume = inDialog('INVITE', ok, false, 8, PHONE_SDP);
    t.proxy.forwardInDialog(t.receive(resume), resume, CALLER_FLOW);
    await settle();
    const reinvite = t.transport.requests.at(-1)!.request;
    t.relay.failWith = new MediaRelayError('MEDIA_RELAY_TIMEOUT', 'no reply in 1000 ms');
    t.respond(withSdp(answer(reinvite, 200), BROWSER_SDP), CALLEE_FLOW);
    await settle();
    const after = t.transport.requests.slice(t.transport.requests.indexOf(t.transport.requests.at(-1)!)).map((entry) => entry.request.method);
    assert.deepEqual(
      t.transport.requests.filter((entry) => entry.request.method === 'BYE'),
      [],
      'the call stays up',
    );
    assert.deepEqual(after, ['ACK'], "the callee's 200 is ACKed");
    assert.equal(t.upstream().at(-1)!.status, 503);
  });

  it('answers 488 when the relay refuses the SDP, and reports its codecs', async () => {
    const failures: RelayFailure[] = [];
    const t = setup({ failures });
    t.relay.failWith = new MediaRelayError('MEDIA_RELAY_REFUSED', 'no usable media');
    t.call(PHONE_SDP, [PHONE]);
    await settle();
    assert.deepEqual(
      t
        .upstream()
        .filter((response) => response.status >= 200)
        .map((response) => response.status),
      [488],
    );
    assert.deepEqual(
      failures.map((failure) => [failure.code, failure.codecs]),
      [['MEDIA_RELAY_REFUSED', ['PCMU/8000', 'telephone-event/8000']]],
    );
    assert.equal(t.media.activeCalls, 0);
  });

  it('lets two browsers talk end to end when the relay is down', async () => {
    const t = setup();
    t.relay.failWith = new MediaRelayError('MEDIA_RELAY_UNAVAILABLE', 'no engine answers ng ping');
    t.call(BROWSER_SDP, [BROWSER], BROWSER_FLOW);
    await settle();
    assert.equal(itemAt(t.sentInvites(), 0).body.toString(), BROWSER_SDP);
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 200), BROWSER_SDP));
    await settle();
    assert.equal(itemAt(t.upstream(200), 0).body.toString(), BROWSER_SDP);
    assert.deepEqual(t.relay.ops(), ['offer@1'], 'the answer is not sent to a relay that holds nothing');
  });

  it("answers 503 to a call with a WebRTC trunk when the relay is down: a carrier never gets a browser's addresses", async () => {
    const t = setup();
    t.relay.failWith = new MediaRelayError('MEDIA_RELAY_UNAVAILABLE', 'no engine answers ng ping');
    t.call(BROWSER_SDP, [{ ...PHONE, trunk: true, media: 'webrtc' }], BROWSER_FLOW);
    await settle();
    assert.equal(t.sentInvites().length, 0, 'nothing goes to the carrier');
    assert.deepEqual(
      t
        .upstream()
        .filter((response) => response.status >= 200)
        .map((response) => [response.status, response.reason]),
      [[503, 'Media Relay Unavailable']],
    );

    const fromCarrier = withSdp(invite(), BROWSER_SDP);
    setHeader(fromCarrier, 'Call-ID', 'from-carrier');
    setHeader(fromCarrier, 'Via', 'SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-from-carrier');
    t.proxy.forward(t.receive(fromCarrier), fromCarrier, CALLER_FLOW, [BROWSER], { fromTrunk: true, callerMedia: 'webrtc' });
    await settle();
    assert.equal(t.sentInvites().length, 0, "nor does the carrier's offer reach the browser unrelayed");
    assert.deepEqual(
      t
        .upstream()
        .filter((response) => response.status >= 200)
        .map((response) => response.status),
      [503, 503],
    );
    assert.equal(t.media.activeCalls, 0);
  });

  it("names both sides' codecs when the callee refuses the offer with 488", async () => {
    const mismatches: CodecMismatch[] = [];
    const t = setup({ mismatches });
    t.call(PHONE_SDP, [BROWSER]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.sentInvites(), 0), 488), OPUS_ONLY));
    await settle();
    assert.equal(t.upstream(488).length, 1, 'the 488 goes up');
    assert.deepEqual(mismatches, [{ callId: 'proxy-test', status: 488, offered: ['PCMU/8000', 'telephone-event/8000'], answered: ['opus/48000/2'] }]);
    assert.equal(t.relay.sessions.size, 0);
  });
});

describe('the sweep of calls that ended without a BYE through us', () => {
  it('forgets a call idle past idleMs that the relay timed out, and keeps one the relay still holds', async () => {
    const clock = { now: 1_000_000 };
    const relay = new MemoryMediaRelay();
    const media = new CallMedia({ relay, idleMs: 60_000, now: () => clock.now });
    const t = fixture({ media });
    for (const callId of ['gone', 'up']) {
      const request = withSdp(invite(), PHONE_SDP);
      setHeader(request, 'Call-ID', callId);
      setHeader(request, 'Via', `SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-${callId}`);
      t.proxy.forward(t.receive(request), request, CALLER_FLOW, [PHONE]);
      await settle();
      t.respond(withSdp(answer(t.transport.requests.at(-1)!.request, 200), PHONE_SDP));
      await settle();
    }
    assert.equal(media.activeCalls, 2);
    // The tab with the call was closed: no BYE came, rtpengine timed the session out.
    relay.sessions.delete('gone');

    clock.now += 59_000;
    await media.sweep();
    assert.equal(media.activeCalls, 2, 'not idle long enough: the relay is not even asked');
    assert.deepEqual(
      relay.calls.filter((call) => call.op === 'query'),
      [],
    );

    clock.now += 2_000;
    await media.sweep();
    assert.equal(media.activeCalls, 1);
    assert.deepEqual(
      relay.calls.filter((call) => call.op === 'query').map((call) => call.callId),
      ['gone', 'up'],
    );
    assert.deepEqual(
      relay.calls.filter((call) => call.op === 'delete'),
      [],
      'nothing to delete: the relay has forgotten it',
    );

    const bye = inDialog('BYE', t.transport.responses.filter((response) => response.status === 200).at(-1)!, false, 9);
    setHeader(bye, 'Call-ID', 'up');
    t.proxy.forwardInDialog(t.receive(bye), bye, CALLER_FLOW);
    await settle();
    assert.deepEqual(
      relay.calls.filter((call) => call.op === 'delete').map((call) => call.callId),
      ['up'],
      'the call still up ends as usual',
    );
    assert.equal(media.activeCalls, 0);
    await media.close();
  });

  it('keeps an idle call while the relay cannot be asked, and runs by itself every sweepIntervalMs', async (context) => {
    context.mock.timers.enable({ apis: ['setInterval'] });
    const clock = { now: 0 };
    const relay = new MemoryMediaRelay();
    const media = new CallMedia({ relay, idleMs: 60_000, sweepIntervalMs: 300_000, now: () => clock.now });
    const t = fixture({ media });
    const request = withSdp(invite(), PHONE_SDP);
    t.proxy.forward(t.receive(request), request, CALLER_FLOW, [PHONE]);
    await settle();
    t.respond(withSdp(answer(itemAt(t.transport.requests, 0).request, 200), PHONE_SDP));
    await settle();
    relay.sessions.clear();
    const query = relay.query.bind(relay);
    relay.query = async (callId) => {
      await query(callId);
      throw new MediaRelayError('MEDIA_RELAY_TIMEOUT', 'no reply in 1000 ms');
    };
    clock.now = 300_000;
    context.mock.timers.tick(300_000);
    await settle();
    assert.deepEqual(relay.ops(), ['offer@1', 'answer@1', 'query'], 'the interval ran the sweep');
    assert.equal(media.activeCalls, 1, 'an unreachable relay forgets nothing');

    relay.query = query;
    clock.now = 600_000;
    context.mock.timers.tick(300_000);
    await settle();
    assert.equal(media.activeCalls, 0);
    await media.close();
  });
});

describe('the relay policy', () => {
  it('never: no media step, the SDP passes end to end untouched', async () => {
    const relay = new MemoryMediaRelay();
    assert.equal(callMediaFor('never', { relay }), undefined);
    assert.equal(callMediaFor('always', undefined), undefined, 'no relay configured');
    const t = fixture({ media: callMediaFor('never', { relay }) });
    const request = withSdp(invite(), PHONE_SDP);
    t.proxy.forward(t.receive(request), request, CALLER_FLOW, [BROWSER]);
    assert.equal(itemAt(t.transport.requests, 0).request.body.toString(), PHONE_SDP, 'sent at once, as it came');
    t.respond(withSdp(answer(itemAt(t.transport.requests, 0).request, 200), BROWSER_SDP));
    assert.equal(t.transport.responses.find((response) => response.status === 200)?.body.toString(), BROWSER_SDP);
    assert.deepEqual(relay.calls, []);
  });
});
