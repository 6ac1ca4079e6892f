import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonInviteClientTransaction } from '../../../src/sip/transaction/index.ts';
import { clientUser, request, response, settle, setup, TCP, UDP } from './helpers.ts';

function startOptions(target = UDP) {
  const env = setup();
  const tu = clientUser();
  const tx = env.layer.createClientTransaction(request({ method: 'OPTIONS' }), target, tu);
  assert.ok(tx instanceof NonInviteClientTransaction);
  return { ...env, tu, tx };
}

test('retransmits over UDP with Timer E doubling from T1 and capped at T2', () => {
  const { clock, transport } = startOptions(UDP);
  clock.advance(31_999);
  assert.deepEqual(transport.requestTimes('OPTIONS'), [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
});

test('retransmits every T2 once a provisional response has arrived', () => {
  const { clock, transport, tu, tx, layer } = startOptions(UDP);
  clock.advance(600);
  layer.handleResponse(response(tx.request, 100), UDP);
  assert.equal(tx.state, 'Proceeding');
  clock.advance(12_000);
  assert.deepEqual(transport.requestTimes('OPTIONS'), [0, 500, 1500, 5500, 9500]);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [100],
  );
});

test('never retransmits over a reliable transport', () => {
  const { clock, transport } = startOptions(TCP);
  clock.advance(31_999);
  assert.deepEqual(transport.requestTimes('OPTIONS'), [0]);
});

test('reports Timer F (64*T1) to the TU once as a 408, in Trying or Proceeding alike', () => {
  const trying = startOptions(UDP);
  trying.clock.advance(32_000);
  assert.deepEqual(
    trying.tu.timeouts.map((r) => r.status),
    [408],
  );
  assert.equal(trying.tx.state, 'Terminated');

  const proceeding = startOptions(TCP);
  proceeding.layer.handleResponse(response(proceeding.tx.request, 100), TCP);
  proceeding.clock.advance(31_999);
  assert.equal(proceeding.tu.timeouts.length, 0);
  proceeding.clock.advance(100_000);
  assert.deepEqual(
    proceeding.tu.timeouts.map((r) => r.status),
    [408],
  );
  assert.equal(proceeding.layer.stats().nonInviteClient, 0);
});

test('passes the final response up once and absorbs its retransmissions for Timer K (T4) on UDP', () => {
  const { clock, transport, tu, tx, layer } = startOptions(UDP);
  const ok = response(tx.request, 200, 'x');
  layer.handleResponse(ok, UDP);
  assert.equal(tx.state, 'Completed');
  layer.handleResponse(ok, UDP);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [200],
  );
  clock.advance(60_000 - 1);
  assert.deepEqual(transport.requestTimes('OPTIONS'), [0], 'no retransmission after the final response');
  assert.equal(tx.state, 'Terminated');
  assert.equal(tu.timeouts.length, 0);
});

test('Timer K fires after T4 on UDP', () => {
  const { clock, tx, layer } = startOptions(UDP);
  layer.handleResponse(response(tx.request, 200, 'x'), UDP);
  clock.advance(4999);
  assert.equal(tx.state, 'Completed');
  assert.equal(layer.stats().nonInviteClient, 1);
  clock.advance(1);
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.stats().nonInviteClient, 0);
});

test('Timer K is zero on a reliable transport: the transaction ends with the final response', () => {
  const { clock, tu, tx, layer } = startOptions(TCP);
  layer.handleResponse(response(tx.request, 404, 'x'), TCP);
  assert.equal(tx.state, 'Terminated');
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [404],
  );
  assert.equal(layer.stats().nonInviteClient, 0);
  assert.equal(clock.pending, 0);
});

test('reports a transport failure to the TU and terminates', async () => {
  const env = setup();
  const tu = clientUser();
  const tx = env.layer.createClientTransaction(request({ method: 'OPTIONS' }), UDP, tu);
  env.transport.failWith = new Error('EHOSTUNREACH');
  env.clock.advance(500);
  await settle();
  assert.deepEqual(tu.transportErrors, [env.transport.failWith]);
  assert.equal(tx.state, 'Terminated');
  assert.equal(env.clock.pending, 0);
});
