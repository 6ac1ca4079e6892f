/**
 * Self-tests of the interop harness: real baresip agents register with and call through a real
 * Kamailio on 127.0.0.1, before Callpane's own registrar exists. If these fail, interop test
 * failures elsewhere say nothing about Callpane.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runRegisterLoad } from '../../bench/sip-load-generator.ts';
import { BaresipAgent, formatAccountLine } from '../support/baresip.ts';
import { startKamailio, type KamailioServer } from '../support/kamailio.ts';
import { ManagedProcess, liveProcesses } from '../support/managed-process.ts';
import { NetstringDecoder, encodeNetstring } from '../support/netstring.ts';
import { freePort, freePortBlock, freeUdpTcpPort } from '../support/ports.ts';
import { itemAt } from '../support/item-at.ts';

const WAIT_MS = 5000;

describe('netstring framing of ctrl_tcp', () => {
  it('decodes frames split across chunks and several frames in one chunk', () => {
    const decoder = new NetstringDecoder();
    const wire = Buffer.concat([encodeNetstring('{"a":1}'), encodeNetstring('{"text":"é ok"}'), encodeNetstring('')]);
    const received: string[] = [];
    for (let i = 0; i < wire.length; i += 3) received.push(...decoder.push(wire.subarray(i, i + 3)));
    assert.deepEqual(received, ['{"a":1}', '{"text":"é ok"}', '']);
  });

  it('counts the length in bytes, not characters', () => {
    assert.equal(encodeNetstring('é').toString('latin1'), '2:\u00c3\u00a9,');
  });

  it('rejects a frame that does not end with a comma', () => {
    assert.throws(() => new NetstringDecoder().push(Buffer.from('3:abc;')), /does not end with ','/);
  });

  it('rejects a length that is not a number', () => {
    assert.throws(() => new NetstringDecoder().push(Buffer.from('x1:a,')), /bad length/);
  });
});

describe('free loopback ports', () => {
  it('finds a port that is free for both UDP and TCP', async () => {
    const port = await freeUdpTcpPort();
    assert.ok(port > 0 && port < 65536);
  });

  it('finds consecutive free ports starting on an even number', async () => {
    const first = await freePortBlock(10, { udp: true });
    assert.equal(first % 2, 0);
    assert.notEqual(await freePort(), 0);
  });
});

describe('managed processes', () => {
  it('SIGKILLs a process that ignores the request to exit once the grace period ends', async () => {
    const stubborn = await ManagedProcess.start({ name: 'stubborn', command: 'sh', args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'] });
    await stubborn.waitForLine(/^ready$/, WAIT_MS);
    const exit = await stubborn.stop({ graceMs: 300 });
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(!liveProcesses().includes(stubborn));
  });

  it('fails a log wait with the last output lines when the process exits first', async () => {
    const quitter = await ManagedProcess.start({ name: 'quitter', command: 'sh', args: ['-c', 'echo last words; exit 3'] });
    await assert.rejects(quitter.waitForLine(/never printed/, WAIT_MS), /exited before printing[\s\S]*last words/);
    assert.equal((await quitter.exited).code, 3);
  });
});

describe('baresip account lines', () => {
  it('writes the AOR, transport and the account parameters baresip reads', () => {
    const line = formatAccountLine({
      account: { user: '1001', password: 'pw', registrar: 'sip:127.0.0.1:5060', transport: 'tcp', regint: 30, answermode: 'auto', displayName: 'Alice' },
      mediaenc: 'dtls_srtp',
      medianat: 'ice',
    });
    assert.equal(line, '"Alice" <sip:1001@127.0.0.1:5060;transport=tcp>;auth_pass=pw;regint=30;answermode=auto;mediaenc=dtls_srtp;medianat=ice');
  });

  it('refuses ICE, whose candidates would leave loopback', async () => {
    await assert.rejects(BaresipAgent.start({ name: 'ice', medianat: 'ice', account: { user: '1', registrar: 'sip:127.0.0.1:5060' } }), /cannot stay on 127\.0\.0\.1/);
  });

  it('refuses a password that would break the account line', () => {
    assert.throws(() => formatAccountLine({ account: { user: '1001', password: 'a;b', registrar: 'sip:127.0.0.1:5060' } }), /cannot carry/);
  });
});

describe('baresip with Kamailio as registrar and proxy', () => {
  let kamailio: KamailioServer;
  const agents: BaresipAgent[] = [];

  async function agent(name: string, user: string, transport: 'udp' | 'tcp', registrar = kamailio.uri): Promise<BaresipAgent> {
    const started = await BaresipAgent.start({ name, account: { user, password: 'unused', registrar, transport } });
    agents.push(started);
    return started;
  }

  before(async () => {
    kamailio = await startKamailio({ transports: ['udp', 'tcp'], logRegistrations: true });
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await kamailio?.stop();
    assert.deepEqual(
      liveProcesses().map((p) => p.name),
      [],
    );
  });

  it('registers over UDP (REGISTER_OK, 200 OK in the log)', async () => {
    const alice = await agent('udp-registrant', '2001', 'udp');
    const event = await alice.waitForRegistered(WAIT_MS);
    assert.equal(event.accountaor, `sip:2001@127.0.0.1:${kamailio.port}`);
    assert.equal(event.param, '200 OK');
    await alice.waitForLog(/\{0\/UDP\/v4\} 200 OK \(kamailio/, WAIT_MS);
  });

  it('registers over TCP (REGISTER_OK, 200 OK in the log)', async () => {
    const bob = await agent('tcp-registrant', '2002', 'tcp');
    await bob.waitForRegistered(WAIT_MS);
    await bob.waitForLog(/\{0\/TCP\/v4\} 200 OK \(kamailio/, WAIT_MS);
  });

  it('reports REGISTER_FAIL with the reason when nothing listens at the registrar', async () => {
    const closedPort = await freePort();
    const carol = await agent('refused', '2003', 'tcp', `sip:127.0.0.1:${closedPort}`);
    await assert.rejects(carol.waitForRegistered(WAIT_MS), /registration of sip:2003@127\.0\.0\.1:\d+ failed: Connection refused/);
  });

  it('sets up a call between two agents through Kamailio, with hold, resume and DTMF, and closes it on both sides', async () => {
    const caller = await agent('caller', '3001', 'udp');
    const callee = await agent('callee', '3002', 'tcp');
    await Promise.all([caller.waitForRegistered(WAIT_MS), callee.waitForRegistered(WAIT_MS)]);

    await caller.dial(`sip:3002@127.0.0.1:${kamailio.port}`);
    const incoming = await callee.waitForEvent('CALL_INCOMING', WAIT_MS);
    assert.equal(incoming.peeruri, `sip:3001@127.0.0.1:${kamailio.port}`);
    await caller.waitForEvent('CALL_RINGING', WAIT_MS);

    await callee.answer();
    const [callerSide, calleeSide] = await Promise.all([caller.waitForEvent('CALL_ESTABLISHED', WAIT_MS), callee.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    assert.equal(callerSide.id, calleeSide.id, 'both sides name the same call (its Call-ID)');
    assert.equal(callerSide.direction, 'outgoing');
    assert.equal(calleeSide.direction, 'incoming');
    await Promise.all([caller.waitForEvent('CALL_RTPESTAB', WAIT_MS), callee.waitForEvent('CALL_RTPESTAB', WAIT_MS)]);

    await caller.hold();
    await callee.waitForEvent((e) => e.type === 'CALL_REMOTE_SDP' && e.param === 'offer', WAIT_MS);
    assert.match(await caller.commandOk('listcalls'), /ESTABLISHED\s+\(on hold\)/);
    await caller.resume();
    await callee.waitForEvent((e) => e.type === 'CALL_REMOTE_SDP' && e.param === 'offer', WAIT_MS);
    assert.doesNotMatch(await caller.commandOk('listcalls'), /on hold/);

    await caller.sendDtmf('4#');
    assert.equal((await callee.waitForEvent('CALL_DTMF_START', WAIT_MS)).param, '4');
    assert.equal((await callee.waitForEvent('CALL_DTMF_START', WAIT_MS)).param, '#');

    await caller.hangup();
    const [closedHere, closedThere] = await Promise.all([caller.waitForEvent('CALL_CLOSED', WAIT_MS), callee.waitForEvent('CALL_CLOSED', WAIT_MS)]);
    assert.equal(closedHere.param, 'Connection reset by user');
    assert.equal(closedThere.param, 'Connection reset by peer');
  });

  it('sets up an Opus call encrypted with DTLS-SRTP', async () => {
    const webrtcLike = { mediaenc: 'dtls_srtp', extraModules: ['opus'] };
    const caller = await BaresipAgent.start({ name: 'dtls-caller', account: { user: '3101', registrar: kamailio.uri }, ...webrtcLike });
    agents.push(caller);
    const callee = await BaresipAgent.start({ name: 'dtls-callee', account: { user: '3102', registrar: kamailio.uri, answermode: 'auto' }, ...webrtcLike });
    agents.push(callee);
    await Promise.all([caller.waitForRegistered(WAIT_MS), callee.waitForRegistered(WAIT_MS)]);

    await caller.dial('3102');
    await Promise.all([caller.waitForEvent('CALL_ESTABLISHED', WAIT_MS), callee.waitForEvent('CALL_ESTABLISHED', WAIT_MS)]);
    await Promise.all([caller.waitForEvent('CALL_MENC', WAIT_MS), callee.waitForEvent('CALL_MENC', WAIT_MS)]);
    await caller.waitForEvent('CALL_RTPESTAB', WAIT_MS);
    await caller.waitForLog(/DTLS-SRTP complete \(audio\/RTP\)/, WAIT_MS);
    await caller.hangup();
    await callee.waitForEvent('CALL_CLOSED', WAIT_MS);
  });

  it('fails to start with the reason and its log when its SIP port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      await assert.rejects(
        BaresipAgent.start({ name: 'collides', sipPort: port, account: { user: '3201', registrar: kamailio.uri } }),
        /exited before printing[\s\S]*Address already in use/,
      );
    } finally {
      holder.close();
    }
  });

  it('unregisters, after which Kamailio answers a call to that user with 404', async () => {
    const caller = await agent('caller-404', '4001', 'udp');
    const gone = await agent('unregistered', '4002', 'udp');
    await Promise.all([caller.waitForRegistered(WAIT_MS), gone.waitForRegistered(WAIT_MS)]);
    await gone.unregister();
    await gone.waitForEvent('UNREGISTERING', WAIT_MS);
    await kamailio.waitForLog(/registrar: saved sip:4002@127\.0\.0\.1:\d+ contact=<[^>]+>;expires=0 /, WAIT_MS);

    await caller.dial(`sip:4002@127.0.0.1:${kamailio.port}`);
    const closed = await caller.waitForEvent('CALL_CLOSED', WAIT_MS);
    assert.equal(closed.param, '404 Not Found');
  });
});

describe('Kamailio with Digest authentication of REGISTER', () => {
  let kamailio: KamailioServer;
  const agents: BaresipAgent[] = [];

  before(async () => {
    kamailio = await startKamailio({ transports: ['udp'], auth: { users: [{ user: '5001', password: 'right-pw' }] } });
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await kamailio?.stop();
  });

  it('accepts the right password and refuses a wrong one with 401', async () => {
    const good = await BaresipAgent.start({ name: 'good-password', account: { user: '5001', password: 'right-pw', registrar: kamailio.uri } });
    agents.push(good);
    await good.waitForRegistered(WAIT_MS);
    const bad = await BaresipAgent.start({ name: 'bad-password', account: { user: '5001', password: 'wrong-pw', registrar: kamailio.uri } });
    agents.push(bad);
    await assert.rejects(bad.waitForRegistered(WAIT_MS), /failed: 401 Unauthorized/);
  });
});

describe('REGISTER load generator against Kamailio', () => {
  const users = Array.from({ length: 20 }, (_, i) => ({ user: `load${i}`, password: `pw${i}` }));
  let open: KamailioServer;
  let guarded: KamailioServer;

  before(async () => {
    [open, guarded] = await Promise.all([
      startKamailio({ transports: ['udp'], children: 2 }),
      startKamailio({ transports: ['udp'], children: 2, auth: { users, algorithm: 'SHA-256' } }),
    ]);
  });

  after(async () => {
    await Promise.all([open?.stop(), guarded?.stop()]);
  });

  it('completes every registration without challenges when the registrar does not authenticate', async () => {
    const result = await runRegisterLoad({ target: { host: open.host, port: open.port }, users, count: 300, concurrency: 10, digest: false });
    assert.equal(result.completed, 300);
    assert.equal(result.errors, 0);
    assert.equal(result.challenges, 0);
    assert.deepEqual(result.statuses, { 200: 300 });
    assert.ok(result.transactionsPerSecond > 0 && result.p50Ms > 0 && result.p99Ms >= result.p50Ms);
  });

  it('answers each SHA-256 challenge and counts the challenged round trip separately', async () => {
    const result = await runRegisterLoad({ target: { host: guarded.host, port: guarded.port }, users, count: 200, concurrency: 20, digest: true });
    assert.equal(result.completed, 200, result.firstErrors.join('\n'));
    assert.equal(result.challenges, 200);
    assert.deepEqual(result.statuses, { 200: 200, 401: 200 });
    assert.ok(result.roundTripsPerSecond > result.transactionsPerSecond);
  });

  it('counts challenges as errors when told not to answer them', async () => {
    const result = await runRegisterLoad({ target: { host: guarded.host, port: guarded.port }, users, count: 10, concurrency: 5, digest: false });
    assert.equal(result.completed, 0);
    assert.equal(result.errors, 10);
    assert.match(itemAt(result.firstErrors, 0), /401 Unauthorized/);
  });

  it('counts unanswered requests as timeouts and stops by itself', async () => {
    const silent = await freePort();
    const result = await runRegisterLoad({ target: { host: '127.0.0.1', port: silent }, users, count: 3, concurrency: 3, digest: true, requestTimeoutMs: 200 });
    assert.equal(result.timeouts, 3);
    assert.equal(result.completed, 0);
  });

  it('stops starting registrations when the duration is over', async () => {
    const started = Date.now();
    const result = await runRegisterLoad({ target: { host: open.host, port: open.port }, users, durationMs: 300, concurrency: 5, digest: false });
    assert.ok(Date.now() - started < 2000);
    assert.ok(result.completed > 0);
    assert.equal(result.errors, 0);
  });
});
