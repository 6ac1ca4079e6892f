import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonInviteServerTransaction, TransactionStateError } from '../../../src/sip/transaction/index.ts';
import { request, response, setup, TCP, UDP } from './helpers.ts';
import type { TestFlow } from './helpers.ts';

function receiveBye(flow: TestFlow = UDP) {
  const env = setup();
  const bye = request({ method: 'BYE', via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-bye-1', toTag: 'b1' });
  env.layer.handleRequest(bye, flow);
  const tx = env.user.requests[0]?.transaction;
  assert.ok(tx instanceof NonInviteServerTransaction);
  return { ...env, bye, tx };
}

test('absorbs retransmissions while Trying, then answers them with the last response', () => {
  const { transport, tx, bye, layer, user } = receiveBye();
  layer.handleRequest(bye, UDP);
  assert.equal(transport.sent.length, 0);
  tx.respond(response(bye, 100));
  layer.handleRequest(bye, UDP);
  assert.deepEqual(
    transport.responses().map((r) => r.status),
    [100, 100],
  );
  tx.respond(response(bye, 200));
  layer.handleRequest(bye, UDP);
  layer.handleRequest(bye, UDP);
  assert.deepEqual(
    transport.responses().map((r) => r.status),
    [100, 100, 200, 200, 200],
  );
  assert.equal(user.requests.length, 1);
});

test('Timer J keeps the Completed transaction 64*T1 on UDP', () => {
  const { clock, tx, bye, layer } = receiveBye(UDP);
  tx.respond(response(bye, 200));
  clock.advance(31_999);
  assert.equal(tx.state, 'Completed');
  clock.advance(1);
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.stats().nonInviteServer, 0);
});

test('Timer J is zero on a reliable transport', () => {
  const { tx, bye, layer, clock } = receiveBye(TCP);
  tx.respond(response(bye, 200));
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.stats().nonInviteServer, 0);
  assert.equal(clock.pending, 0);
});

test('a retransmission after the transaction ended is a new request for the TU', () => {
  const { clock, tx, bye, layer, user } = receiveBye(UDP);
  tx.respond(response(bye, 200));
  clock.advance(32_000);
  layer.handleRequest(bye, UDP);
  assert.equal(user.requests.length, 2);
});

test('throws TransactionStateError for any response after the final one', () => {
  const { tx, bye, transport } = receiveBye();
  tx.respond(response(bye, 200));
  assert.throws(() => tx.respond(response(bye, 100)), TransactionStateError);
  assert.throws(() => tx.respond(response(bye, 500)), TransactionStateError);
  assert.equal(transport.responses().length, 1);
});
