import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MediaRelayError, type MediaProfile } from '../../src/media/media-relay.ts';
import type { NgDictionary, NgInputDictionary } from '../../src/media/ng/bencode.ts';
import { NgClient, NgError } from '../../src/media/ng/ng-client.ts';
import { RtpengineRelay, type NgEngine } from '../../src/media/rtpengine-relay.ts';
import { startRtpengine, type RunningRtpengine } from '../support/rtpengine.ts';
import { chromiumAnswer, chromiumOffer, plainAnswer, plainOffer } from '../support/sdp-samples.ts';
import { rtpPacket, rtpSocket } from '../support/rtp-exchange.ts';
import { itemAt } from '../support/item-at.ts';

let a: RunningRtpengine;
let b: RunningRtpengine;
const clients: NgClient[] = [];

function client(engine: { host: string; ngPort: number } | { host: string; port: number }, timeoutMs = 500, retries = 1): NgClient {
  const port = 'ngPort' in engine ? engine.ngPort : engine.port;
  const made = new NgClient({ host: engine.host, port, timeoutMs, retries });
  clients.push(made);
  return made;
}

let callCounter = 0;
function newCallId(): string {
  return `call-${++callCounter}-${process.pid}@127.0.0.1`;
}

/** The m=audio line's port and protocol, and whether a session/media attribute is present. */
function audio(sdp: Buffer): { port: number; protocol: string; formats: string[]; text: string } {
  const text = sdp.toString('utf8');
  const match = /^m=audio (\d+) (\S+) ([\d ]+)\r?$/m.exec(text);
  assert.ok(match, `no m=audio line in:\n${text}`);
  return { port: Number(match[1]), protocol: itemAt(match, 2), formats: itemAt(match, 3).trim().split(' '), text };
}

/** The SDP with its origin (o=) naming another host, to see the relay put its own address there. */
function foreignOrigin(sdp: Buffer): Buffer {
  return Buffer.from(sdp.toString('utf8').replace(/^(o=\S+ \S+ \S+ IN IP4) 127\.0\.0\.1/m, '$1 198.51.100.7'));
}

function assertNamesRelay(sdp: ReturnType<typeof audio>, engine: RunningRtpengine): void {
  assert.ok(sdp.port >= engine.portMin && sdp.port <= engine.portMax, `port ${sdp.port} is not rtpengine's (${engine.portMin}-${engine.portMax})`);
  assert.match(sdp.text, /^c=IN IP4 127\.0\.0\.1\r?$/m);
  assert.match(sdp.text, /^o=\S+ \S+ \S+ IN IP4 127\.0\.0\.1\r?$/m);
}

/**
 * What an engine lists once `accept` holds, or what it lists after 2 s: a deleted call can take
 * a timer tick of rtpengine's to leave the list on a busy machine.
 */
async function listedSoon(engine: RunningRtpengine, accept: (listed: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const listed = await engine.listCalls();
    if (accept(listed) || Date.now() > deadline) return listed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  [a, b] = await Promise.all([startRtpengine({ name: 'rtpengine A' }), startRtpengine({ name: 'rtpengine B' })]);
});

after(async () => {
  await Promise.all(clients.map((made) => made.close()));
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('RtpengineRelay with one real rtpengine', () => {
  it('gives a plain RTP phone a Chromium offer as RTP/AVP without ICE or crypto, naming rtpengine, codecs and DTMF unchanged', async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    const callId = newCallId();
    const offered = audio(await relay.offer({ callId, fromTag: 'pane', sdp: foreignOrigin(chromiumOffer()), from: 'webrtc', to: 'rtp' }));
    assert.equal(offered.protocol, 'RTP/AVP');
    assertNamesRelay(offered, a);
    assert.doesNotMatch(offered.text, /a=(ice-ufrag|ice-pwd|candidate|fingerprint|setup|crypto|rtcp-mux)/);
    assert.deepEqual(offered.formats, ['111', '63', '9', '0', '8', '13', '110', '126'], "the browser's codecs pass through, none added");
    assert.match(offered.text, /a=rtpmap:126 telephone-event\/8000/);
    assert.match(offered.text, new RegExp(`a=rtcp:${offered.port + 1}\\b`), 'RTCP on its own port toward the phone (rtcp-mux demux)');

    const answered = audio(await relay.answer({ callId, fromTag: 'pane', toTag: 'phone', sdp: foreignOrigin(plainAnswer(50202, 126)), from: 'rtp', to: 'webrtc' }));
    assert.equal(answered.protocol, 'UDP/TLS/RTP/SAVPF');
    assertNamesRelay(answered, a);
    assert.match(answered.text, /a=ice-ufrag:\S+/);
    assert.match(answered.text, /a=ice-pwd:\S+/);
    assert.match(answered.text, new RegExp(`a=candidate:\\S+ 1 UDP \\d+ 127\\.0\\.0\\.1 ${answered.port} typ host`));
    assert.match(answered.text, /a=fingerprint:sha-256 [0-9A-F:]+/);
    assert.match(answered.text, /a=rtcp-mux/);
    // rtpengine takes the active DTLS role toward a browser that offered actpass; passive would hang.
    assert.match(answered.text, /a=setup:active/);
    assert.doesNotMatch(answered.text, /a=crypto/);
    assert.deepEqual(answered.formats, ['0', '126']);
    assert.match(answered.text, /a=rtpmap:126 telephone-event\/8000/);
    await relay.delete({ callId });
  });

  it("gives a browser a plain offer as UDP/TLS/RTP/SAVPF with ICE and DTLS, and the phone the browser's answer as plain RTP", async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    const callId = newCallId();
    const offered = audio(await relay.offer({ callId, fromTag: 'phone', sdp: foreignOrigin(plainOffer()), from: 'rtp', to: 'webrtc' }));
    assert.equal(offered.protocol, 'UDP/TLS/RTP/SAVPF');
    assertNamesRelay(offered, a);
    assert.match(offered.text, /a=ice-ufrag:\S+/);
    assert.match(offered.text, /a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host/);
    assert.match(offered.text, /a=fingerprint:sha-256 /);
    assert.match(offered.text, /a=setup:actpass/);
    assert.match(offered.text, /a=rtcp-mux/);
    assert.doesNotMatch(offered.text, /a=crypto/, 'no SDES toward a browser');
    assert.deepEqual(offered.formats, ['0', '8', '101']);

    const answered = audio(await relay.answer({ callId, fromTag: 'phone', toTag: 'pane', sdp: chromiumAnswer(), from: 'webrtc', to: 'rtp' }));
    assert.equal(answered.protocol, 'RTP/AVP');
    assertNamesRelay(answered, a);
    assert.doesNotMatch(answered.text, /a=(ice-ufrag|candidate|fingerprint|setup|crypto)/);
    assert.deepEqual(answered.formats, ['0', '101']);
    assert.match(answered.text, /a=rtpmap:101 telephone-event\/8000/);
    await relay.delete({ callId });
  });

  it("relays pane to pane too: the other browser gets rtpengine's own ICE and DTLS", async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    const callId = newCallId();
    const offered = audio(await relay.offer({ callId, fromTag: 'pane-1', sdp: chromiumOffer(), from: 'webrtc', to: 'webrtc' }));
    assert.equal(offered.protocol, 'UDP/TLS/RTP/SAVPF');
    assertNamesRelay(offered, a);
    assert.doesNotMatch(offered.text, /a=ice-ufrag:Xk3q/, "ICE ends at the relay: not the first browser's credentials");
    assert.doesNotMatch(offered.text, /a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 50100/);
    assert.match(offered.text, /a=fingerprint:sha-256 /);
    const answered = audio(await relay.answer({ callId, fromTag: 'pane-1', toTag: 'pane-2', sdp: chromiumAnswer(), from: 'webrtc', to: 'webrtc' }));
    assert.equal(answered.protocol, 'UDP/TLS/RTP/SAVPF');
    assert.doesNotMatch(answered.text, /a=ice-ufrag:b7Lm/);
    await relay.delete({ callId });
  });

  it('gives an SDES trunk RTP/SAVP with crypto keys and no ICE', async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    const callId = newCallId();
    const offered = audio(await relay.offer({ callId, fromTag: 'pane', sdp: chromiumOffer(), from: 'webrtc', to: 'srtp' }));
    assert.equal(offered.protocol, 'RTP/SAVP');
    assert.match(offered.text, /a=crypto:1 \S+ inline:\S+/);
    assert.doesNotMatch(offered.text, /a=(ice-ufrag|candidate|fingerprint)/);
    await relay.delete({ callId });
  });

  it('anchors each branch of a forked INVITE on its own ports and deletes one branch alone', async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    const callId = newCallId();
    const offer = { callId, fromTag: 'caller', sdp: plainOffer(), from: 'rtp' as MediaProfile, to: 'rtp' as MediaProfile };
    const first = audio(await relay.offer({ ...offer, viaBranch: 'z9hG4bK-one' }));
    const second = audio(await relay.offer({ ...offer, viaBranch: 'z9hG4bK-two' }));
    assert.notEqual(first.port, second.port);
    const answer = { callId, fromTag: 'caller', from: 'rtp' as MediaProfile, to: 'rtp' as MediaProfile };
    const fromOne = audio(await relay.answer({ ...answer, toTag: 'one', viaBranch: 'z9hG4bK-one', sdp: plainAnswer(50300) }));
    const fromTwo = audio(await relay.answer({ ...answer, toTag: 'two', viaBranch: 'z9hG4bK-two', sdp: plainAnswer(50400) }));
    assert.notEqual(fromOne.port, fromTwo.port);

    const before = await relay.query(callId);
    assert.deepEqual(before?.legs.map((leg) => leg.tag).sort(), ['caller', 'one', 'two']);
    await relay.delete({ callId, fromTag: 'caller', viaBranch: 'z9hG4bK-two' });
    const afterLoser = await relay.query(callId);
    assert.deepEqual(afterLoser?.legs.map((leg) => leg.tag).sort(), ['caller', 'one'], 'the losing branch has no media left');
    assert.deepEqual(await a.listCalls().then((calls) => calls.includes(callId)), true);
    await relay.delete({ callId });
    assert.equal((await a.listCalls()).includes(callId), false);
  });

  it('counts real RTP both ways in query, then delete leaves nothing listed', async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    const callId = newCallId();
    const [phone, carrier] = await Promise.all([rtpSocket(), rtpSocket()]);
    const received = { phone: 0, carrier: 0 };
    phone.on('message', () => received.phone++);
    carrier.on('message', () => received.carrier++);
    try {
      const toCarrier = audio(await relay.offer({ callId, fromTag: 'phone', sdp: plainOffer(phone.address().port), from: 'rtp', to: 'rtp' }));
      const toPhone = audio(await relay.answer({ callId, fromTag: 'phone', toTag: 'carrier', sdp: plainAnswer(carrier.address().port, 101), from: 'rtp', to: 'rtp' }));
      for (let sequence = 1; sequence <= 20; sequence++) {
        phone.send(rtpPacket(sequence, 0x1111), toPhone.port, '127.0.0.1');
        carrier.send(rtpPacket(sequence, 0x2222), toCarrier.port, '127.0.0.1');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const deadline = Date.now() + 2000;
      while ((received.phone < 20 || received.carrier < 20) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(received, { phone: 20, carrier: 20 }, 'every packet went through rtpengine');

      const stats = await relay.query(callId);
      const legs = Object.fromEntries((stats?.legs ?? []).map((leg) => [leg.tag, leg]));
      assert.equal(legs.phone?.packets, 20);
      assert.equal(legs.phone?.bytes, 20 * 172);
      assert.equal(legs.carrier?.packets, 20);
      assert.equal(legs.carrier?.bytes, 20 * 172);
      // No RTCP was sent, so nothing can be said of loss, jitter or MOS.
      assert.equal(legs.phone?.mos, undefined);
    } finally {
      phone.close();
      carrier.close();
    }
    await relay.delete({ callId });
    assert.deepEqual(await a.listCalls(), []);
    assert.equal(await relay.query(callId), undefined, 'a deleted call has no statistics');
  });

  it('resolves a delete of a call that is already gone', async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    await relay.delete({ callId: newCallId() });
    await relay.delete({ callId: newCallId(), fromTag: 'x', viaBranch: 'z9hG4bK-gone' });
  });

  it('reports SDP rtpengine cannot parse as MEDIA_RELAY_REFUSED with its reason', async () => {
    const relay = new RtpengineRelay({ engines: [client(a)] });
    await assert.rejects(
      relay.offer({ callId: newCallId(), fromTag: 'x', sdp: Buffer.from('not sdp'), from: 'rtp', to: 'webrtc' }),
      (error: unknown) => error instanceof MediaRelayError && error.code === 'MEDIA_RELAY_REFUSED' && /Failed to parse SDP/.test(error.message),
    );
  });
});

describe('RtpengineRelay when an engine is down', () => {
  it('fails at once with MEDIA_RELAY_UNAVAILABLE when nothing listens at the ng address', async () => {
    const dead = await rtpSocket();
    const port = dead.address().port;
    dead.close();
    const relay = new RtpengineRelay({ engines: [client({ host: '127.0.0.1', port }, 1000, 2)] });
    const started = Date.now();
    await assert.rejects(
      relay.offer({ callId: newCallId(), fromTag: 'x', sdp: plainOffer(), from: 'rtp', to: 'webrtc' }),
      (error: unknown) => error instanceof MediaRelayError && error.code === 'MEDIA_RELAY_UNAVAILABLE',
    );
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
  });

  it('fails with MEDIA_RELAY_TIMEOUT after its retransmissions when the engine is silent', async () => {
    const silent = await rtpSocket();
    try {
      const relay = new RtpengineRelay({ engines: [client({ host: '127.0.0.1', port: silent.address().port }, 100, 1)] });
      const started = Date.now();
      await assert.rejects(
        relay.offer({ callId: newCallId(), fromTag: 'x', sdp: plainOffer(), from: 'rtp', to: 'webrtc' }),
        (error: unknown) => error instanceof MediaRelayError && error.code === 'MEDIA_RELAY_TIMEOUT' && /did not answer ng "offer"/.test(error.message),
      );
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    } finally {
      silent.close();
    }
  });
});

describe('RtpengineRelay over two real rtpengines', () => {
  it('spreads new calls round-robin and keeps each call on the engine of its first offer', async () => {
    const relay = new RtpengineRelay({ engines: [client(a), client(b)] });
    const calls = [newCallId(), newCallId(), newCallId(), newCallId()];
    for (const callId of calls) await relay.offer({ callId, fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
    const [onA, onB] = await Promise.all([a.listCalls(), b.listCalls()]);
    assert.deepEqual(
      calls.map((callId) => (onA.includes(callId) ? 'A' : onB.includes(callId) ? 'B' : '-')),
      ['A', 'B', 'A', 'B'],
    );

    // The answer and a re-offer only succeed on the engine that holds the call.
    for (const callId of calls) {
      await relay.answer({ callId, fromTag: 'caller', toTag: 'callee', sdp: plainAnswer(), from: 'rtp', to: 'rtp' });
      await relay.offer({ callId, fromTag: 'callee', toTag: 'caller', sdp: plainOffer(50500), from: 'rtp', to: 'rtp' });
      assert.ok((await relay.query(callId))?.legs.length);
    }
    for (const callId of calls) await relay.delete({ callId });
    assert.deepEqual(await Promise.all([a.listCalls(), b.listCalls()]), [[], []]);
  });

  it('puts the branches of a fork offered at once, and a delete right behind them, on one engine', async () => {
    const relay = new RtpengineRelay({ engines: [client(a), client(b)] });
    const callIds = [newCallId(), newCallId()];
    for (const callId of callIds) {
      const offer = { callId, fromTag: 'caller', sdp: plainOffer(), from: 'rtp' as MediaProfile, to: 'rtp' as MediaProfile };
      const branches = relay.offer({ ...offer, viaBranch: 'z9hG4bK-1' });
      const more = [relay.offer({ ...offer, viaBranch: 'z9hG4bK-2' }), relay.offer({ ...offer, viaBranch: 'z9hG4bK-3' })];
      await Promise.all([branches, ...more]);
    }
    const [onA, onB] = await Promise.all([a.listCalls(), b.listCalls()]);
    assert.deepEqual(
      callIds.map((callId) => [onA.includes(callId), onB.includes(callId)]),
      [
        [true, false],
        [false, true],
      ],
      'each call, all its branches, on one engine; the next call on the next engine',
    );

    // A CANCEL right after the INVITE: the delete waits for the offer on its way.
    const cancelled = newCallId();
    const offered = relay.offer({ callId: cancelled, fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
    await Promise.all([offered, relay.delete({ callId: cancelled })]);
    for (const callId of callIds) await relay.delete({ callId });
    assert.deepEqual(await Promise.all([a.listCalls(), b.listCalls()]), [[], []]);
  });

  it('skips an engine that timed out for a while, then gives it new calls again', async () => {
    const silent = await rtpSocket();
    let now = 1_000_000;
    try {
      const relay = new RtpengineRelay({ engines: [client({ host: '127.0.0.1', port: silent.address().port }, 100, 0), client(b)], skipMs: 10_000, now: () => now });
      // Counted, not timed: what the silent engine is asked shows whether a call waited for it.
      let asked = 0;
      silent.on('message', () => asked++);
      const first = newCallId();
      await relay.offer({ callId: first, fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
      assert.equal(asked, 1, 'the first call tried the silent engine once, then went on');
      await relay.offer({ callId: newCallId(), fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
      await relay.offer({ callId: newCallId(), fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
      assert.equal(asked, 1, 'later calls did not ask it while it is skipped');
      assert.ok((await b.listCalls()).includes(first));

      now += 10_001;
      asked = 0;
      // Round-robin: of two new calls, one starts with the engine that was skipped.
      await relay.offer({ callId: newCallId(), fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
      await relay.offer({ callId: newCallId(), fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
      assert.equal(asked, 1, 'the engine was asked again once its skip period was over');
    } finally {
      silent.close();
    }
    for (const callId of await b.listCalls()) await new RtpengineRelay({ engines: [client(b)] }).delete({ callId });
    assert.deepEqual(await b.listCalls(), []);
  });

  it('gives every new call to the engine that answers while the other is down, without waiting for it', async () => {
    const dead = await rtpSocket();
    const port = dead.address().port;
    dead.close();
    // A client that would wait a minute per attempt: only a relay that never waits for the dead
    // engine finishes within the test's time (nothing here is measured).
    const relay = new RtpengineRelay({ engines: [client({ host: '127.0.0.1', port }, 60_000, 2), client(b)] });
    const calls = [newCallId(), newCallId(), newCallId()];
    for (const callId of calls) await relay.offer({ callId, fromTag: 'caller', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
    const onB = await b.listCalls();
    assert.ok(
      calls.every((callId) => onB.includes(callId)),
      'every call landed on the live engine',
    );
    for (const callId of calls) await relay.delete({ callId });
    assert.deepEqual(await listedSoon(b, (listed) => listed.length === 0), []);
  });
});

describe('RtpengineRelay with scripted engines', () => {
  /** An engine that answers from a script and records what it was asked. */
  function scripted(endpoint: string, answer: (command: string, params: NgInputDictionary) => NgDictionary | Error) {
    const asked: Array<{ command: string; callId: string }> = [];
    const engine: NgEngine = {
      endpoint,
      async request(command, params = {}) {
        asked.push({ command, callId: String(params['call-id']) });
        const result = answer(command, params);
        if (result instanceof Error) throw result;
        return result;
      },
    };
    return { engine, asked };
  }
  const sdpReply = (): NgDictionary => ({ result: Buffer.from('ok'), sdp: Buffer.from('v=0\r\n') });

  it('moves a new call on from an engine at its load limit, which counts as unavailable', async () => {
    const full = scripted('full', () => new NgError('offer', 'load limit', 'Parallel session limit reached'));
    const free = scripted('free', sdpReply);
    const relay = new RtpengineRelay({ engines: [full.engine, free.engine] });
    await relay.offer({ callId: 'c1', fromTag: 'x', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
    assert.deepEqual(
      full.asked.map((entry) => entry.callId),
      ['c1'],
    );
    assert.deepEqual(
      free.asked.map((entry) => entry.callId),
      ['c1'],
    );

    const alone = new RtpengineRelay({ engines: [full.engine] });
    await assert.rejects(
      alone.offer({ callId: 'c2', fromTag: 'x', sdp: plainOffer(), from: 'rtp', to: 'rtp' }),
      (error: unknown) => error instanceof MediaRelayError && error.code === 'MEDIA_RELAY_UNAVAILABLE' && /full offer: Parallel session limit reached/.test(error.message),
    );
  });

  it('finds a call it does not remember (after a restart) on the engine that knows it', async () => {
    const unknown = new NgError('answer', 'error', 'Unknown call-id');
    const other = scripted('other', () => unknown);
    const holder = scripted('holder', sdpReply);
    const relay = new RtpengineRelay({ engines: [other.engine, holder.engine] });
    await relay.answer({ callId: 'old', fromTag: 'x', toTag: 'y', sdp: plainAnswer(), from: 'rtp', to: 'rtp' });
    await relay.answer({ callId: 'old', fromTag: 'x', toTag: 'y', sdp: plainAnswer(), from: 'rtp', to: 'rtp' });
    assert.equal(other.asked.length, 1, 'the engine that did not know the call is not asked again');
    assert.equal(holder.asked.length, 2);
  });

  it('remembers at most maxCalls calls, forgetting the oldest', async () => {
    const first = scripted('first', sdpReply);
    const second = scripted('second', sdpReply);
    const relay = new RtpengineRelay({ engines: [first.engine, second.engine], maxCalls: 2 });
    for (const callId of ['c1', 'c2', 'c3']) await relay.offer({ callId, fromTag: 'x', sdp: plainOffer(), from: 'rtp', to: 'rtp' });
    // c1 was forgotten: its delete goes to every engine; c3's only to its own.
    await relay.delete({ callId: 'c1' });
    await relay.delete({ callId: 'c3' });
    const deletes = (asked: Array<{ command: string; callId: string }>) => asked.filter((entry) => entry.command === 'delete').map((entry) => entry.callId);
    assert.deepEqual([deletes(first.asked), deletes(second.asked)], [['c1', 'c3'], ['c1']]);
  });
});
