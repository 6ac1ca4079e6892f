/**
 * Real SIP user agents (Debian's baresip) register with Callpane's embedded registrar over UDP
 * and TCP with digest authentication, on 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRegisterLoad } from '../../bench/sip-load-generator.ts';
import { BaresipAgent } from '../support/baresip.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';

const WAIT_MS = 8000;

function bindingsOf(callpane: TestCallpane, aor: string) {
  return callpane.running.context.repositories.registrations.listForAor(aor, Date.now());
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

      const [binding] = bindingsOf(callpane, '1001').filter((b) => b.transport === transport.toUpperCase());
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
