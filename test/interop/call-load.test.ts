/**
 * The call load generator of `npm run bench` (bench/call-load-generator.ts) against real
 * proxies on 127.0.0.1: Kamailio with and without digest on INVITEs, and Callpane's own proxy.
 * If these fail, the call figures of the benchmark mean nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCallLoad, type CallLoad, type LoadUser } from '../../bench/call-load-generator.ts';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { startKamailio, type KamailioServer } from '../support/kamailio.ts';
import { freeUdpTcpPort } from '../support/ports.ts';
import { itemAt } from '../support/item-at.ts';

const pairs = 10;
const callers: LoadUser[] = Array.from({ length: pairs }, (_, i) => ({ user: `caller${i}`, password: `pw-c${i}` }));
const callees: LoadUser[] = Array.from({ length: pairs }, (_, i) => ({ user: `callee${i}`, password: `pw-e${i}` }));

describe('call load generator against Kamailio', () => {
  let guarded: KamailioServer;
  let registrarOnly: KamailioServer;
  const loads: CallLoad[] = [];

  before(async () => {
    const users = [...callers, ...callees];
    [guarded, registrarOnly] = await Promise.all([
      startKamailio({ transports: ['udp'], children: 2, auth: { users, challengeInvites: true } }),
      startKamailio({ transports: ['udp'], children: 2, auth: { users } }),
    ]);
  });

  after(async () => {
    for (const load of loads) load.close();
    await Promise.all([guarded?.stop(), registrarOnly?.stop()]);
  });

  async function registeredLoad(server: KamailioServer): Promise<CallLoad> {
    const load = await openCallLoad({ target: { host: server.host, port: server.port }, callers, callees });
    loads.push(load);
    const registration = await load.registerCallees(5);
    assert.deepEqual(registration, { registered: pairs, failures: [] });
    return load;
  }

  it('answers the 407 of every INVITE, then ACKs the 200 and hangs up through the Record-Route', async () => {
    const load = await registeredLoad(guarded);
    const result = await load.run({ pacing: { concurrency: 5 }, count: 60 });
    assert.equal(result.completed, 60, result.firstErrors.join('\n'));
    assert.equal(result.setups, 60);
    assert.equal(result.errors, 0);
    assert.equal(result.challenges, 60);
    assert.equal(result.statuses['INVITE 407'], 60);
    assert.equal(result.statuses['INVITE 200'], 60);
    assert.equal(result.statuses['BYE 200'], 60);
    assert.deepEqual(result.callee, { invites: 60, acks: 60, byes: 60, retransmittedRequests: 0, missingAcks: 0, openDialogs: 0, unexpected: 0 });
    assert.ok(result.setup.p50Ms > 0 && result.setup.p99Ms >= result.setup.p50Ms);
    assert.ok(result.fullCall.p50Ms > result.setup.p50Ms, 'a full call lasts longer than its setup');
    assert.ok(result.setupsPerSecond > 0 && result.callsPerSecond > 0);
  });

  it('sets calls up without a challenge when the proxy relays INVITEs as they come', async () => {
    const load = await registeredLoad(registrarOnly);
    const result = await load.run({ pacing: { concurrency: 3 }, count: 20 });
    assert.equal(result.completed, 20, result.firstErrors.join('\n'));
    assert.equal(result.challenges, 0);
    assert.equal(result.statuses['INVITE 407'], undefined);
  });

  it('starts calls at a fixed rate in the open loop and stops when the duration is over', async () => {
    const load = await registeredLoad(guarded);
    const started = Date.now();
    const result = await load.run({ pacing: { ratePerSecond: 100 }, durationMs: 500 });
    assert.ok(Date.now() - started < 3000);
    assert.ok(result.started >= 45 && result.started <= 50, `started ${result.started}`);
    assert.equal(result.skipped, 0);
    assert.equal(result.completed, result.started, result.firstErrors.join('\n'));
  });

  it('counts scheduled calls it had no idle pair for as skipped errors', async () => {
    const load = await registeredLoad(guarded);
    // 10 pairs cannot carry 20,000 calls/s: each call takes more than the 0.05 ms between starts.
    const result = await load.run({ pacing: { ratePerSecond: 20_000 }, durationMs: 50 });
    assert.ok(result.skipped > 0);
    assert.equal(result.errors, result.skipped);
    assert.match(itemAt(result.firstErrors, 0), /every caller\/callee pair was still in a call/);
  });

  it('counts unanswered INVITEs as timeouts and stops by itself', async () => {
    // Free for UDP too: a port free only for TCP may be a UDP-only Kamailio of another test.
    const silent = await freeUdpTcpPort();
    const load = await openCallLoad({ target: { host: '127.0.0.1', port: silent }, callers, callees, requestTimeoutMs: 200 });
    loads.push(load);
    const result = await load.run({ pacing: { concurrency: 3 }, count: 3 });
    assert.equal(result.timeouts, 3, `responses ${JSON.stringify(result.statuses)}`);
    assert.equal(result.completed, 0);
    assert.match(itemAt(result.firstErrors, 0), /no final response to INVITE within 200 ms/);
  });
});

describe('call load generator against Callpane', () => {
  let callpane: TestCallpane;
  let load: CallLoad;

  before(async () => {
    callpane = await startTestCallpane();
    const user = (number: string): LoadUser => ({ user: number, password: callpane.secretOf(number) });
    load = await openCallLoad({ target: { host: '127.0.0.1', port: callpane.sipPort }, callers: [user('1001')], callees: [user('1002')] });
  });

  after(async () => {
    load?.close();
    await callpane?.remove();
  });

  it('counts calls to a callee that has not registered as failed with 480', async () => {
    const result = await load.run({ pacing: { concurrency: 1 }, count: 2 });
    assert.equal(result.completed, 0);
    assert.equal(result.errors, 2);
    assert.match(itemAt(result.firstErrors, 0), /INVITE answered SIP\/2\.0 480/);
  });

  it('completes calls through the proxy once the callee registered', async () => {
    assert.deepEqual(await load.registerCallees(), { registered: 1, failures: [] });
    const result = await load.run({ pacing: { concurrency: 1 }, count: 20 });
    assert.equal(result.completed, 20, result.firstErrors.join('\n'));
    assert.equal(result.challenges, 20);
    assert.equal(result.retransmissionsSeen, 0);
    assert.equal(result.callee.missingAcks, 0);
    assert.equal(result.callee.acks, 20);
  });
});
