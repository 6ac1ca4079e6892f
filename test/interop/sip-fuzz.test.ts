import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, optionsAnswers, type FuzzTarget } from '../support/sip-fuzz-driver.ts';
import { MUTATIONS } from '../support/sip-mutator.ts';
import { metricValue, startTestCallpane, type TestCallpane } from '../support/callpane.ts';

/**
 * A fixed seed and a few thousand messages keep this quick and repeatable in `npm test`;
 * `npm run fuzz -- --count N --seed S` runs longer campaigns against a Callpane process.
 */
const SEED = 4475;
const COUNT = 3000;

describe('Callpane under a mutation fuzzer', () => {
  let callpane: TestCallpane;
  let target: FuzzTarget;

  before(async () => {
    callpane = await startTestCallpane();
    target = { udpPort: callpane.sipPort, tcpPort: callpane.sipPort, wsUrl: `${callpane.httpUrl.replace(/^http/, 'ws')}/sip` };
  });
  after(() => callpane.remove());

  test('takes thousands of mutated messages over UDP, TCP and WebSocket and still answers OPTIONS on each', async () => {
    const report = await fuzz(target, { count: COUNT, seed: SEED });
    assert.deepEqual(report.sent, { UDP: COUNT / 3, TCP: COUNT / 3, WS: COUNT / 3 });
    for (const mutation of MUTATIONS) assert.ok(report.byMutation[mutation] > 0, `${mutation} was never tried`);
    assert.ok(report.reconnects.TCP > 0, 'some TCP streams were broken enough to be closed');

    assert.deepEqual(await optionsAnswers(target), { UDP: 'SIP/2.0 200 OK', TCP: 'SIP/2.0 200 OK', WS: 'SIP/2.0 200 OK' });
    assert.equal((await fetch(`${callpane.httpUrl}/healthz`)).status, 200);
    // The catch at the end of every receive path keeps the process up; the fuzzer must not have
    // needed it: a message that reached it found a bug above the transport.
    const metrics = await callpane.metrics();
    for (const transport of ['udp', 'tcp', 'ws']) {
      assert.equal(metricValue(metrics, `callpane_sip_receive_failures_total{transport="${transport}"}`), 0, transport);
    }
  });
});
