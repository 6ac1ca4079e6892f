import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCallpaneProcess, type CallpaneProcess } from '../support/callpane-process.ts';
import { metricValue } from '../support/callpane.ts';
import { fuzz, optionsAnswers, type FuzzTarget } from '../support/sip-fuzz-driver.ts';
import { MUTATIONS } from '../support/sip-mutator.ts';

/**
 * A fixed seed and a few thousand messages keep this quick and repeatable in `npm test`;
 * `npm run fuzz -- --count N --seed S` runs longer campaigns. Callpane runs as its own process,
 * so a crash is seen as the process ending rather than swallowed by the test runner.
 */
const SEED = 4475;
const COUNT = 3000;

describe('Callpane under a mutation fuzzer', () => {
  let callpane: CallpaneProcess;
  let target: FuzzTarget;

  before(async () => {
    callpane = await startCallpaneProcess();
    target = { udpPort: callpane.sipPort, tcpPort: callpane.sipPort, wsUrl: `${callpane.httpUrl.replace(/^http/, 'ws')}/sip` };
  });
  after(() => callpane.stop());

  test('takes thousands of mutated messages and WebSocket handshakes, keeps running and still answers OPTIONS over UDP, TCP and WebSocket', async () => {
    const report = await fuzz(target, { count: COUNT, seed: SEED }).catch(async (err: Error) => {
      // A driver that cannot connect any more usually means the process is gone: say so.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(callpane.exited(), undefined, `Callpane ended while fuzzed:\n${callpane.lastWords()}`);
      throw err;
    });
    assert.equal(callpane.exited(), undefined, `Callpane ended while fuzzed:\n${callpane.lastWords()}`);
    assert.deepEqual(report.sent, { UDP: COUNT / 3, TCP: COUNT / 3, WS: COUNT / 3 });
    assert.equal(report.upgrades, COUNT / 10);
    for (const mutation of MUTATIONS) assert.ok(report.byMutation[mutation] > 100, `${mutation} was tried ${report.byMutation[mutation]} times`);
    // Framing errors end TCP streams: with this seed, hundreds of the thousand TCP messages do.
    assert.ok(report.reconnects.TCP >= 100, `only ${report.reconnects.TCP} TCP streams were broken and opened again`);

    assert.deepEqual(await optionsAnswers(target), { UDP: 'SIP/2.0 200 OK', TCP: 'SIP/2.0 200 OK', WS: 'SIP/2.0 200 OK' });
    assert.equal((await fetch(`${callpane.httpUrl}/healthz`)).status, 200);
    // The catch at the end of every receive path keeps the process up; the fuzzer must not have
    // needed it: a message that reached it found a bug above the transport.
    const metrics = await callpane.metrics();
    for (const transport of ['udp', 'tcp', 'ws']) {
      assert.equal(metricValue(metrics, `callpane_sip_receive_failures_total{transport="${transport}"}`), 0, transport);
    }
    assert.equal(callpane.exited(), undefined);
  });
});
