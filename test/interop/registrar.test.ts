/**
 * Real SIP user agents (Debian's baresip) register with Callpane's embedded registrar over UDP
 * and TCP with digest authentication, on 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRegisterLoad } from '../../bench/sip-load-generator.ts';
import { PaneCredentials } from '../../src/security/pane-credentials.ts';
import { BaresipAgent } from '../support/baresip.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { WsSipPeer } from '../support/ws-sip-peer.ts';

const WAIT_MS = 8000;

function bindingsOf(callpane: TestCallpane, aor: string) {
  return callpane.running.context.repositories.registrations.listForAor(aor, Date.now());
}

/**
 * The bindings of `aor` once the store has them: the location service writes behind, so on a
 * busy machine the 200 OK can reach the phone before the write is committed.
 */
async function storedBindingsOf(callpane: TestCallpane, aor: string, transport: string) {
  const deadline = Date.now() + 2000;
  for (;;) {
    const bindings = bindingsOf(callpane, aor).filter((b) => b.transport === transport);
    if (bindings.length > 0 || Date.now() > deadline) return bindings;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('baresip registers with the embedded registrar', () => {
  let callpane: TestCallpane;
  const agents: BaresipAgent[] = [];

  before(async () => {
    callpane = await startTestCallpane();
  });
  after(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await callpane.remove();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`registers over ${transport.toUpperCase()} after a digest challenge, and unregisters`, async () => {
      const agent = await BaresipAgent.start({
        name: `1001-${transport}`,
        account: { user: '1001', password: callpane.secretOf('1001'), registrar: callpane.registrar, transport, regint: 600 },
      });
      agents.push(agent);
      const registered = await agent.waitForRegistered(WAIT_MS);
      assert.equal(registered.param, '200 OK');

      const [binding] = await storedBindingsOf(callpane, '1001', transport.toUpperCase());
      assert.ok(binding, 'a binding over the transport used');
      assert.equal(binding.sourceAddress, '127.0.0.1');
      // Over UDP the REGISTER leaves from the listening port; over TCP from an ephemeral one.
      if (transport === 'udp') assert.equal(binding.sourcePort, agent.sipPort);
      assert.match(binding.contact, new RegExp(`^<sip:1001[^@]*@127\\.0\\.0\\.1:${agent.sipPort}[;>]`));
      const metrics = await callpane.metrics();
      assert.ok(metricValue(metrics, 'callpane_sip_register_total{result="ok"}') >= 1);
      assert.ok(metricValue(metrics, 'callpane_sip_register_total{result="challenged"}') >= 1);
      assert.ok(metricValue(metrics, `callpane_sip_messages_in_total{kind="request",method="REGISTER",status_class="",transport="${transport}"}`) >= 2);

      await agent.unregister();
      await waitUntil(() => bindingsOf(callpane, '1001').every((b) => !b.contact.includes(`:${agent.sipPort}`)), WAIT_MS);
    });
  }

  it('refuses a wrong SIP secret and keeps no binding', async () => {
    const agent = await BaresipAgent.start({
      name: '1002-wrong',
      account: { user: '1002', password: 'not-the-secret', registrar: callpane.registrar, transport: 'udp', regint: 600 },
    });
    agents.push(agent);
    const failed = await agent.waitForEvent((e) => e.type === 'REGISTER_FAIL' || e.type === 'REGISTER_OK', WAIT_MS);
    assert.equal(failed.type, 'REGISTER_FAIL');
    assert.match(failed.param ?? '', /^(401|403)/);
    assert.deepEqual(bindingsOf(callpane, '1002'), []);
    assert.ok(metricValue(await callpane.metrics(), 'callpane_sip_auth_failures_total') >= 1);
    await agent.stop();
  });

  it('refuses an extension that registers as another one', async () => {
    const agent = await BaresipAgent.start({
      name: '1002-as-1001',
      account: { user: '1002', password: callpane.secretOf('1001'), registrar: callpane.registrar, transport: 'udp', regint: 600 },
    });
    agents.push(agent);
    const failed = await agent.waitForEvent((e) => e.type === 'REGISTER_FAIL' || e.type === 'REGISTER_OK', WAIT_MS);
    assert.equal(failed.type, 'REGISTER_FAIL');
    assert.deepEqual(bindingsOf(callpane, '1002'), []);
    await agent.stop();
  });
});

describe('repeated authentication failures', () => {
  it('ban the source address, visible in /metrics, while other addresses still register', async () => {
    const callpane = await startTestCallpane({ env: { CALLPANE_SECURITY_AUTH_FAILURES_LIMIT: '3' } });
    try {
      const attack = await runRegisterLoad({
        target: { host: '127.0.0.1', port: callpane.sipPort },
        users: [{ user: '1001', password: 'guess' }],
        count: 6,
        concurrency: 1,
        digest: true,
      });
      assert.equal(attack.completed, 0);
      assert.ok((attack.statuses['403'] ?? 0) >= 1, `statuses ${JSON.stringify(attack.statuses)}`);
      const metrics = await callpane.metrics();
      assert.equal(metricValue(metrics, 'callpane_sip_bans_total'), 1);
      assert.ok(metricValue(metrics, 'callpane_sip_register_total{result="banned"}') >= 1);

      // The right secret from the banned address is refused too until the ban ends.
      const afterBan = await runRegisterLoad({
        target: { host: '127.0.0.1', port: callpane.sipPort },
        users: [{ user: '1001', password: callpane.secretOf('1001') }],
        count: 1,
        concurrency: 1,
        digest: true,
      });
      assert.equal(afterBan.completed, 0);
      assert.deepEqual(afterBan.statuses, { 403: 1 });

      const other = await runRegisterLoad({
        target: { host: '127.0.0.1', port: callpane.sipPort },
        localHost: '127.0.0.2',
        domain: `127.0.0.1:${callpane.sipPort}`,
        users: [{ user: '1001', password: callpane.secretOf('1001') }],
        count: 1,
        concurrency: 1,
        digest: true,
      });
      assert.equal(other.completed, 1, JSON.stringify(other.firstErrors));
    } finally {
      await callpane.remove();
    }
  });
});

describe('SIP authentication limits', () => {
  const PROXY = '127.0.0.3';
  let callpane: TestCallpane;

  before(async () => {
    callpane = await startTestCallpane({ env: { CALLPANE_HTTP_TRUST_PROXY: PROXY } });
  });
  after(async () => {
    await callpane.remove();
  });

  function register(localHost: string, user: string, password: string, count = 1) {
    return runRegisterLoad({
      target: { host: '127.0.0.1', port: callpane.sipPort },
      localHost,
      domain: `127.0.0.1:${callpane.sipPort}`,
      users: [{ user, password }],
      count,
      concurrency: 1,
      digest: true,
    });
  }

  it("never bans a trusted proxy's own SIP over WebSocket, however often it fails; a phone at its address over UDP is banned as any other", async () => {
    const { domain } = callpane.config.sip;
    const url = `${callpane.httpUrl.replace(/^http/, 'ws')}${callpane.config.sip.wsPath}`;
    // No X-Forwarded-For: the proxy speaks for itself (as for a client it could not name).
    const proxyItself = await WsSipPeer.connect(url, { localAddress: PROXY });
    try {
      for (let attempt = 0; attempt < 12; attempt++) {
        assert.equal((await proxyItself.register('1002', 'guess', domain)).status, 401, 'challenged again, never 403');
      }
      assert.equal(metricValue(await callpane.metrics(), 'callpane_sip_bans_total'), 0);

      const limit = callpane.config.security.authFailures.limit;
      const phone = await register(PROXY, '1002', 'guess', limit);
      assert.equal(phone.completed, 0);
      const banned = await register(PROXY, '1002', callpane.secretOf('1002'));
      assert.deepEqual(banned.statuses, { 403: 1 }, 'UDP from the proxy address is counted by its source address, as any other');
      assert.equal(metricValue(await callpane.metrics(), 'callpane_sip_bans_total'), 1);

      assert.equal((await proxyItself.register('1002', callpane.secretOf('1002'), domain)).status, 200, "the proxy's own WebSocket is not refused by that ban");
    } finally {
      proxyItself.close();
    }
  });

  it('does not count a refused expired pane credential as a guess: five do not ban the address, five forged ones do', async () => {
    const panes = PaneCredentials.load(callpane.dataDir);
    // Signed with the server's secret: one past its moment, one whose web session does not live.
    const expired = panes.issue('1002', { id: 'a'.repeat(64), expiresAt: Date.now() - 60_000 });
    const sessionEnded = panes.issue('1002', { id: 'b'.repeat(64), expiresAt: Date.now() + 3_600_000 });
    const before = await callpane.metrics();
    const failuresBefore = metricValue(before, 'callpane_sip_auth_failures_total');
    const bansBefore = metricValue(before, 'callpane_sip_bans_total');
    for (const credential of [expired, sessionEnded]) {
      const refused = await register('127.0.0.4', credential.authorizationUser, credential.password, 5);
      assert.deepEqual(refused.statuses, { 401: 10 }, 'refused, as before');
    }
    const stillAdmitted = await register('127.0.0.4', '1002', callpane.secretOf('1002'));
    assert.equal(stillAdmitted.completed, 1, `not banned: ${JSON.stringify(stillAdmitted.statuses)}`);
    let metrics = await callpane.metrics();
    assert.equal(metricValue(metrics, 'callpane_sip_bans_total'), bansBefore);
    assert.equal(metricValue(metrics, 'callpane_sip_auth_failures_total'), failuresBefore);

    const forged = await register('127.0.0.5', expired.authorizationUser, 'forged-password', 5);
    assert.equal(forged.completed, 0);
    const afterForged = await register('127.0.0.5', '1002', callpane.secretOf('1002'));
    assert.deepEqual(afterForged.statuses, { 403: 1 }, 'banned');
    metrics = await callpane.metrics();
    assert.equal(metricValue(metrics, 'callpane_sip_bans_total'), bansBefore + 1);
    assert.equal(metricValue(metrics, 'callpane_sip_auth_failures_total'), failuresBefore + 5);
  });

  it('shows guessing at one extension from many addresses in /metrics, and its agent still registers at once', async () => {
    let metrics = await callpane.metrics();
    assert.equal(metricValue(metrics, 'callpane_sip_extensions_under_attack'), 0);
    const failuresBefore = metricValue(metrics, 'callpane_sip_extension_auth_failures_total');
    const bansBefore = metricValue(metrics, 'callpane_sip_bans_total');
    // 30 failures (the threshold), 3 from each of 10 addresses: under every per-address limit.
    const attackers = Array.from({ length: 10 }, (_, i) => `127.0.1.${i + 1}`);
    const attacks = await Promise.all(attackers.map((address) => register(address, '1001', `guess-at-${address}`, 3)));
    assert.ok(
      attacks.every((attack) => attack.completed === 0 && attack.timeouts === 0 && attack.statuses['403'] === undefined),
      JSON.stringify(attacks.map((a) => a.statuses)),
    );
    metrics = await callpane.metrics();
    assert.equal(metricValue(metrics, 'callpane_sip_extensions_under_attack'), 1);
    assert.equal(metricValue(metrics, 'callpane_sip_extension_auth_failures_total'), failuresBefore + 30);
    assert.equal(metricValue(metrics, 'callpane_sip_bans_total'), bansBefore, 'no address banned');

    const agent = await register('127.0.0.1', '1001', callpane.secretOf('1001'));
    assert.equal(agent.completed, 1, JSON.stringify(agent.firstErrors));
    assert.ok(agent.maxMs < 500, `registered in ${agent.maxMs} ms, not held back`);
    // A further guess is answered only after the delay (1 s at the threshold).
    const slowed = await register('127.0.1.99', '1001', 'one-more-guess');
    assert.ok(slowed.elapsedMs >= 950, `the failed guess was answered after ${slowed.elapsedMs} ms`);
    assert.deepEqual(slowed.statuses, { 401: 2 });
  });
});

describe('bindings over UDP', () => {
  it('survive a restart of Callpane', async () => {
    const first = await startTestCallpane();
    const agent = await BaresipAgent.start({
      name: '1001-restart',
      account: { user: '1001', password: first.secretOf('1001'), registrar: first.registrar, transport: 'udp', regint: 600 },
    });
    try {
      await agent.waitForRegistered(WAIT_MS);
      await first.stop();
      const second = await startTestCallpane({ dataDir: first.dataDir, sipPort: first.sipPort });
      try {
        const [binding] = bindingsOf(second, '1001');
        assert.equal(binding?.sourcePort, agent.sipPort);
        assert.equal(metricValue(await second.metrics(), 'callpane_sip_registrations'), 1);
      } finally {
        await second.stop();
      }
    } finally {
      await agent.stop();
      await first.remove();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
