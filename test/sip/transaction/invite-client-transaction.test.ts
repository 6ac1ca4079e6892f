import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InviteClientTransaction } from '../../../src/sip/transaction/index.ts';
import { clientUser, header, headers, request, response, settle, setup, TCP, UDP } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

function startInvite(target = UDP, options: Parameters<typeof setup>[0] = {}) {
  const env = setup(options);
  const tu = clientUser();
  const tx = env.layer.createClientTransaction(request({ routes: ['<sip:proxy.test;lr>'] }), target, tu);
  assert.ok(tx instanceof InviteClientTransaction);
  return { ...env, tu, tx };
}

test('retransmits an INVITE over UDP with Timer A doubling from T1 (0, 0.5, 1.5, 3.5 … 31.5 s)', () => {
  const { clock, transport } = startInvite(UDP);
  clock.advance(31_999);
  assert.deepEqual(transport.requestTimes('INVITE'), [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
});

test('follows T1 when it is configured: Timer A starts at T1 and doubles', () => {
  const { clock, transport } = startInvite(UDP, { T1: 100 });
  clock.advance(6399);
  assert.deepEqual(transport.requestTimes('INVITE'), [0, 100, 300, 700, 1500, 3100, 6300]);
});

test('never retransmits an INVITE over a reliable transport', () => {
  const { clock, transport } = startInvite(TCP);
  clock.advance(40_000);
  assert.deepEqual(transport.requestTimes('INVITE'), [0]);
});

test('reports Timer B (64*T1) to the TU exactly once as a 408 and stops retransmitting', () => {
  const { clock, transport, tu, tx, layer } = startInvite(UDP);
  clock.advance(31_999);
  assert.equal(tu.timeouts.length, 0);
  clock.advance(1);
  assert.equal(tu.timeouts.length, 1);
  assert.equal(itemAt(tu.timeouts, 0).status, 408);
  assert.equal(header(itemAt(tu.timeouts, 0), 'Call-ID'), 'call-1@127.0.0.1');
  assert.equal(tx.state, 'Terminated');
  const sends = transport.sent.length;
  clock.advance(120_000);
  assert.equal(tu.timeouts.length, 1);
  assert.equal(transport.sent.length, sends);
  assert.equal(tu.responses.length, 0);
  assert.equal(layer.stats().inviteClient, 0);
});

test('stops retransmitting on a provisional response, passes every provisional up, and Timer B no longer applies', () => {
  const { clock, transport, tu, tx, layer } = startInvite(UDP);
  clock.advance(600);
  layer.handleResponse(response(tx.request, 100), UDP);
  layer.handleResponse(response(tx.request, 180, 'b1'), UDP);
  assert.equal(tx.state, 'Proceeding');
  clock.advance(60_000);
  assert.deepEqual(transport.requestTimes('INVITE'), [0, 500]);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [100, 180],
  );
  assert.equal(tu.timeouts.length, 0);
  assert.equal(tx.state, 'Proceeding');
});

test('acknowledges a 486 inside the transaction: INVITE branch and Request-URI, From, Call-ID, CSeq number, Route, the response To', () => {
  const { transport, tu, tx, layer } = startInvite(UDP);
  const busy = response(tx.request, 486, 'callee-tag');
  layer.handleResponse(busy, UDP);
  assert.equal(tx.state, 'Completed');
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [486],
  );
  const [ack] = transport.requests('ACK');
  assert.ok(ack);
  assert.equal(ack.uri, tx.request.uri);
  assert.deepEqual(headers(ack, 'Via'), [header(tx.request, 'Via')]);
  assert.match(header(ack, 'Via')!, new RegExp(`;branch=${tx.branch}(;|$)`));
  assert.equal(header(ack, 'From'), header(tx.request, 'From'));
  assert.equal(header(ack, 'To'), '<sip:bob@127.0.0.1>;tag=callee-tag');
  assert.equal(header(ack, 'Call-ID'), header(tx.request, 'Call-ID'));
  assert.equal(header(ack, 'CSeq'), '1 ACK');
  assert.deepEqual(headers(ack, 'Route'), ['<sip:proxy.test;lr>']);
  assert.equal(header(ack, 'Max-Forwards'), '70');
  assert.equal(ack.body.length, 0);
  assert.equal(transport.sent.find((s) => s.message === ack)?.to, UDP);
});

test('absorbs a retransmitted 486 with the same ACK again, not passing it up, until Timer D (32 s on UDP)', () => {
  const { clock, transport, tu, tx, layer } = startInvite(UDP);
  const busy = response(tx.request, 486, 'callee-tag');
  layer.handleResponse(busy, UDP);
  clock.advance(1000);
  layer.handleResponse(busy, UDP);
  layer.handleResponse(busy, UDP);
  const acks = transport.requests('ACK');
  assert.equal(acks.length, 3);
  assert.deepEqual(acks[1], acks[0]);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [486],
  );
  clock.advance(30_999);
  assert.equal(tx.state, 'Completed');
  clock.advance(1);
  assert.equal(tx.state, 'Terminated');
  layer.handleResponse(busy, UDP);
  assert.equal(transport.requests('ACK').length, 3);
  assert.equal(layer.stats().inviteClient, 0);
});

test('ends at once after a failure response over a reliable transport (Timer D is zero)', () => {
  const { transport, tu, tx, layer } = startInvite(TCP);
  layer.handleResponse(response(tx.request, 404, 'x'), TCP);
  assert.equal(tx.state, 'Terminated');
  assert.equal(transport.requests('ACK').length, 1);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [404],
  );
  assert.equal(layer.stats().inviteClient, 0);
});

test('passes a 2xx up without ACKing it and stays Accepted for Timer M (64*T1), passing retransmitted and forked 2xx up', () => {
  const { clock, transport, user, tu, tx, layer } = startInvite(UDP);
  layer.handleResponse(response(tx.request, 180, 'b1'), UDP);
  layer.handleResponse(response(tx.request, 200, 'b1'), UDP);
  assert.equal(tx.state, 'Accepted');
  layer.handleResponse(response(tx.request, 200, 'b1'), UDP);
  layer.handleResponse(response(tx.request, 200, 'b2'), UDP);
  layer.handleResponse(response(tx.request, 486, 'b3'), UDP);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [180, 200, 200, 200],
  );
  assert.equal(transport.requests('ACK').length, 0);
  clock.advance(31_999);
  assert.equal(tx.state, 'Accepted');
  clock.advance(1);
  assert.equal(tx.state, 'Terminated');
  layer.handleResponse(response(tx.request, 200, 'b1'), UDP);
  assert.equal(tu.responses.length, 4);
  assert.equal(user.strayResponses.length, 1, 'after Timer M a 2xx is stray: the TU (UA core) re-ACKs it');
});

test('reports a failure to send the INVITE to the TU and terminates', async () => {
  const env = setup();
  env.transport.failWith = new Error('no route');
  const user = clientUser();
  const tx = env.layer.createClientTransaction(request(), UDP, user);
  assert.equal(user.transportErrors.length, 0, 'reported asynchronously, after the call returned');
  await settle();
  assert.deepEqual(user.transportErrors, [env.transport.failWith]);
  assert.equal(tx.state, 'Terminated');
  assert.equal(env.layer.stats().inviteClient, 0);
  assert.equal(env.clock.pending, 0);
});
