import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InviteServerTransaction, TransactionStateError } from '../../../src/sip/transaction/index.ts';
import { header, request, response, settle, setup, TCP, UDP } from './helpers.ts';
import type { TestFlow } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

const VIA = 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-client-1;rport';

function receiveInvite(flow: TestFlow = UDP, options: Parameters<typeof setup>[0] = {}) {
  const env = setup(options);
  const invite = request({ via: VIA });
  env.layer.handleRequest(invite, flow);
  assert.equal(env.user.requests.length, 1);
  const tx = itemAt(env.user.requests, 0).transaction;
  assert.ok(tx instanceof InviteServerTransaction);
  return { ...env, invite, tx };
}

/** The ACK a client sends for our final response tagged `uas`: same branch as the INVITE. */
function ack() {
  return request({ method: 'ACK', via: VIA, toTag: 'uas' });
}

test('sends 100 Trying on its own when the TU has not answered within 200 ms', () => {
  const { clock, transport, tx } = receiveInvite();
  clock.advance(199);
  assert.equal(transport.sent.length, 0);
  clock.advance(1);
  assert.deepEqual(transport.responseTimes(100), [200]);
  const trying = itemAt(transport.responses(100), 0);
  assert.equal(header(trying, 'Via'), VIA);
  assert.equal(header(trying, 'To'), '<sip:bob@127.0.0.1>', 'no To tag on a 100');
  assert.equal(tx.state, 'Proceeding');
});

test('sends no 100 Trying when the TU answers within 200 ms', () => {
  const { clock, transport, tx, invite } = receiveInvite();
  clock.advance(50);
  tx.respond(response(invite, 180, 'uas'));
  clock.advance(10_000);
  assert.deepEqual(
    transport.sent.map((s) => (s.message.type === 'response' ? s.message.status : 0)),
    [180],
  );
});

test('answers a retransmitted INVITE with the last provisional response, or at once with 100 Trying before any', () => {
  const { clock, transport, tx, invite, layer, user } = receiveInvite();
  clock.advance(100);
  layer.handleRequest(invite, UDP);
  assert.deepEqual(transport.responseTimes(100), [100]);
  tx.respond(response(invite, 180, 'uas'));
  clock.advance(400);
  layer.handleRequest(invite, UDP);
  assert.deepEqual(
    transport.responses().map((r) => r.status),
    [100, 180, 180],
  );
  assert.equal(user.requests.length, 1, 'a retransmission never reaches the TU');
});

test('retransmits a non-2xx final response with Timer G (T1 doubling to T2) until the ACK, then stops', () => {
  const { clock, transport, tx, invite, layer } = receiveInvite();
  const busy = response(invite, 486, 'uas');
  tx.respond(busy);
  assert.equal(tx.state, 'Completed');
  clock.advance(15_000);
  assert.deepEqual(transport.responseTimes(486), [0, 500, 1500, 3500, 7500, 11_500]);
  layer.handleRequest(ack(), UDP);
  assert.equal(tx.state, 'Confirmed');
  clock.advance(1000);
  assert.equal(transport.responses(486).length, 6);
});

test('answers a retransmitted INVITE in Completed with the final response again', () => {
  const { transport, tx, invite, layer } = receiveInvite(TCP);
  tx.respond(response(invite, 404, 'uas'));
  layer.handleRequest(invite, TCP);
  assert.deepEqual(
    transport.responses().map((r) => r.status),
    [404, 404],
  );
});

test('Timer H (64*T1): tells the TU the ACK never came and terminates', () => {
  const { clock, tx, invite, layer, user } = receiveInvite();
  tx.respond(response(invite, 486, 'uas'));
  clock.advance(31_999);
  assert.equal(user.serverTimeouts.length, 0);
  clock.advance(1);
  assert.deepEqual(user.serverTimeouts, [tx]);
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.stats().inviteServer, 0);
  assert.equal(clock.pending, 0);
});

test('the ACK moves Completed to Confirmed, retransmitted ACKs are absorbed, Timer I (T4) ends it', () => {
  const { clock, tx, invite, layer, user } = receiveInvite();
  const busy = response(invite, 486, 'uas');
  tx.respond(busy);
  layer.handleRequest(ack(), UDP);
  layer.handleRequest(ack(), UDP);
  assert.equal(tx.state, 'Confirmed');
  assert.equal(user.acks.length, 0, 'the ACK of a non-2xx belongs to the transaction');
  clock.advance(4999);
  assert.equal(tx.state, 'Confirmed');
  clock.advance(1);
  assert.equal(tx.state, 'Terminated');
  assert.equal(user.serverTimeouts.length, 0);
  assert.equal(layer.stats().inviteServer, 0);
});

test('over a reliable transport: no Timer G, and Timer I is zero', () => {
  const { clock, transport, tx, invite, layer } = receiveInvite(TCP);
  const busy = response(invite, 603, 'uas');
  tx.respond(busy);
  clock.advance(10_000);
  assert.equal(transport.responses(603).length, 1);
  layer.handleRequest(ack(), TCP);
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.stats().inviteServer, 0);
});

test('Accepted (RFC 6026): absorbs INVITE retransmissions, sends the TU 2xx retransmissions, hands ACKs to the TU, ends on Timer L', () => {
  const { clock, transport, tx, invite, layer, user } = receiveInvite();
  const ok = response(invite, 200, 'uas');
  tx.respond(ok);
  assert.equal(tx.state, 'Accepted');
  layer.handleRequest(invite, UDP);
  assert.deepEqual(
    transport.responses().map((r) => r.status),
    [200],
    'the transaction does not retransmit 2xx itself',
  );
  tx.respond(ok);
  assert.deepEqual(
    transport.responses().map((r) => r.status),
    [200, 200],
  );
  const theAck = ack();
  layer.handleRequest(theAck, UDP);
  assert.deepEqual(
    user.acks.map((a) => a.ack),
    [theAck],
  );
  assert.equal(user.requests.length, 1);
  clock.advance(31_999);
  assert.equal(tx.state, 'Accepted');
  clock.advance(1);
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.stats().inviteServer, 0);
});

test('throws TransactionStateError on an illegal response from the TU', () => {
  const failed = receiveInvite();
  failed.tx.respond(response(failed.invite, 486, 'uas'));
  assert.throws(() => failed.tx.respond(response(failed.invite, 180, 'uas')), TransactionStateError);
  assert.throws(() => failed.tx.respond(response(failed.invite, 200, 'uas')), TransactionStateError);

  const accepted = receiveInvite();
  accepted.tx.respond(response(accepted.invite, 200, 'uas'));
  assert.throws(() => accepted.tx.respond(response(accepted.invite, 183, 'uas')), TransactionStateError);
  assert.throws(() => accepted.tx.respond(response(accepted.invite, 486, 'uas')), /486 response after a 2xx/);
  assert.equal(accepted.tx.state, 'Accepted', 'a refused response changes nothing');
});

test('a failure to send a response is reported to the TU and ends the transaction', async () => {
  const { tx, invite, transport, user, layer } = receiveInvite();
  transport.failWith = new Error('socket closed');
  tx.respond(response(invite, 486, 'uas'));
  await settle();
  assert.deepEqual(user.serverTransportErrors, [transport.failWith]);
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.stats().inviteServer, 0);
});

test('sends 100 Trying at once when configured with no delay', () => {
  const { clock, transport } = receiveInvite(UDP, { tryingDelayMs: 0 });
  clock.advance(0);
  assert.deepEqual(transport.responseTimes(100), [0]);
});
