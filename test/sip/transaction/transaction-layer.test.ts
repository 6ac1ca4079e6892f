import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InviteClientTransaction, InviteServerTransaction, NonInviteServerTransaction } from '../../../src/sip/transaction/index.ts';
import { clientUser, header, headers, request, response, setup, TCP, UDP } from './helpers.ts';
import type { RequestOptions } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

const VIA = 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-c1;rport';
const VIA_2543 = 'SIP/2.0/UDP 127.0.0.1:5070';

function startInvite(env: ReturnType<typeof setup>, target = UDP) {
  const tu = clientUser();
  const tx = env.layer.createClientTransaction(request(), target, tu);
  assert.ok(tx instanceof InviteClientTransaction);
  return { tu, tx };
}

function receive(env: ReturnType<typeof setup>, options: RequestOptions) {
  const req = request(options);
  env.layer.handleRequest(req, UDP);
  return req;
}

test('inserts our Via (transport, sent-by, fresh z9hG4bK branch, rport) on a copy of the request', () => {
  const env = setup();
  const original = request({ method: 'OPTIONS' });
  const before = structuredClone(original.headers);
  const udp = env.layer.createClientTransaction(original, UDP, clientUser());
  const tcp = env.layer.createClientTransaction(original, TCP, clientUser());
  assert.deepEqual(original.headers, before);
  assert.equal(itemAt(udp.request.headers, 0).name, 'Via');
  assert.equal(itemAt(udp.request.headers, 0).value, `SIP/2.0/UDP 127.0.0.1:5060;branch=${udp.branch};rport`);
  assert.equal(itemAt(tcp.request.headers, 0).value, `SIP/2.0/TCP 127.0.0.1:5060;branch=${tcp.branch};rport`);
  assert.match(udp.branch, /^z9hG4bK[0-9a-f]{32}$/);
  assert.notEqual(udp.branch, tcp.branch);
  assert.deepEqual(env.transport.requests(), [udp.request, tcp.request]);
});

test('refuses to start a transaction for an ACK or a CANCEL', () => {
  const env = setup();
  assert.throws(() => env.layer.createClientTransaction(request({ method: 'ACK' }), UDP, clientUser()), /sendStateless/);
  assert.throws(() => env.layer.createClientTransaction(request({ method: 'CANCEL' }), UDP, clientUser()), /cancel\(/);
  assert.equal(env.transport.sent.length, 0);
});

test('matches responses on top Via branch and CSeq method; anything else is a stray response for the TU', () => {
  const env = setup();
  const { tu, tx } = startInvite(env);
  const wrongMethod = response(tx.request, 200, 'x');
  wrongMethod.headers = wrongMethod.headers.map((h) => (h.name === 'CSeq' ? { name: 'CSeq', value: '1 CANCEL' } : h));
  const otherBranch = response(request({ via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnotours' }), 200, 'x');
  const noBranch = response(request({ via: 'SIP/2.0/UDP 127.0.0.1:5060' }), 200, 'x');
  for (const res of [wrongMethod, otherBranch, noBranch]) env.layer.handleResponse(res, UDP);
  assert.deepEqual(env.user.strayResponses, [wrongMethod, otherBranch, noBranch]);
  assert.equal(tu.responses.length, 0);
  env.layer.handleResponse(response(tx.request, 180, 'x'), UDP);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [180],
  );
});

test('matches a retransmitted request by branch, sent-by and method, and tells apart the same branch from another sent-by', () => {
  const env = setup();
  receive(env, { method: 'OPTIONS', via: VIA });
  receive(env, { method: 'OPTIONS', via: VIA });
  receive(env, { method: 'OPTIONS', via: 'SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-c1;rport' });
  receive(env, { method: 'INFO', via: VIA });
  assert.equal(env.user.requests.length, 3);
  assert.equal(env.layer.stats().nonInviteServer, 3);
});

test('hands a CANCEL to the TU with the INVITE server transaction it cancels (same branch, RFC 3261 §9.2)', () => {
  const env = setup();
  const invite = receive(env, { via: VIA });
  const cancel = receive(env, { method: 'CANCEL', via: VIA });
  assert.equal(env.user.requests.length, 1, 'the CANCEL does not arrive as a new request');
  assert.equal(env.user.cancels.length, 1);
  const { invite: inviteTx, cancel: received, transaction } = itemAt(env.user.cancels, 0);
  assert.equal(inviteTx, itemAt(env.user.requests, 0).transaction);
  assert.equal(received, cancel);
  assert.ok(transaction instanceof NonInviteServerTransaction);
  transaction.respond(response(cancel, 200, 'uas'));
  inviteTx.respond(response(invite, 487, 'uas'));
  receive(env, { method: 'CANCEL', via: VIA });
  assert.equal(env.user.cancels.length, 1, 'a retransmitted CANCEL stays in its own transaction');
  assert.deepEqual(
    env.transport.responses().map((r) => `${r.status} ${header(r, 'CSeq')}`),
    ['200 1 CANCEL', '487 1 INVITE', '200 1 CANCEL'],
  );
});

test('passes a CANCEL that matches no INVITE to the TU as a new request (a UAS answers 481)', () => {
  const env = setup();
  receive(env, { via: VIA });
  const cancel = receive(env, { method: 'CANCEL', via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-other' });
  assert.equal(env.user.cancels.length, 0);
  assert.equal(itemAt(env.user.requests, 1).request, cancel);
  assert.ok(itemAt(env.user.requests, 1).transaction instanceof NonInviteServerTransaction);
});

test('passes an ACK for a 2xx (its own branch, no transaction) to the TU with its flow', () => {
  const env = setup();
  const invite = receive(env, { via: VIA });
  itemAt(env.user.requests, 0).transaction.respond(response(invite, 200, 'uas'));
  const ack = request({ method: 'ACK', via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ack2xx', toTag: 'uas' });
  env.layer.handleRequest(ack, TCP);
  assert.deepEqual(env.user.acks, [{ ack, flow: TCP }]);
  assert.equal(env.user.requests.length, 1);
});

test('matches RFC 2543 requests (no magic cookie) on Request-URI, tags, Call-ID, CSeq and top Via', () => {
  const env = setup();
  const invite = receive(env, { via: VIA_2543 });
  receive(env, { via: VIA_2543 });
  assert.equal(env.user.requests.length, 1, 'retransmission matched');
  const tx = itemAt(env.user.requests, 0).transaction;
  assert.ok(tx instanceof InviteServerTransaction);
  tx.respond(response(invite, 180, 'uas'));
  receive(env, { via: VIA_2543 });
  assert.deepEqual(
    env.transport.responses().map((r) => r.status),
    [100, 180, 180],
    'each retransmission answered',
  );

  receive(env, { via: VIA_2543, cseq: 2 });
  receive(env, { via: VIA_2543, callId: 'other-call' });
  receive(env, { via: VIA_2543, fromTag: 'other-tag' });
  receive(env, { via: 'SIP/2.0/UDP 127.0.0.1:5071' });
  receive(env, { method: 'OPTIONS', via: VIA_2543 });
  assert.equal(env.user.requests.length, 6, 'any differing field makes a new transaction');
});

test('matches an RFC 2543 ACK to the INVITE only when its To tag is that of our final response', () => {
  const env = setup();
  const invite = receive(env, { via: VIA_2543 });
  const tx = itemAt(env.user.requests, 0).transaction;
  tx.respond(response(invite, 486, 'uas'));
  const strayAck = request({ method: 'ACK', via: VIA_2543, toTag: 'someone-else' });
  env.layer.handleRequest(strayAck, UDP);
  assert.equal(tx.state, 'Completed');
  assert.deepEqual(
    env.user.acks.map((a) => a.ack),
    [strayAck],
  );
  env.layer.handleRequest(request({ method: 'ACK', via: VIA_2543, toTag: 'uas' }), UDP);
  assert.equal(tx.state, 'Confirmed');
  assert.equal(env.user.acks.length, 1);
});

test('matches an RFC 2543 CANCEL to its INVITE', () => {
  const env = setup();
  receive(env, { via: VIA_2543 });
  receive(env, { method: 'CANCEL', via: VIA_2543 });
  assert.equal(env.user.cancels.length, 1);
  assert.equal(itemAt(env.user.cancels, 0).invite, itemAt(env.user.requests, 0).transaction);
});

test('sends the CANCEL only after a provisional response, with the INVITE branch, to the INVITE target', () => {
  const env = setup();
  const { tx } = startInvite(env, TCP);
  const cancelTu = clientUser();
  assert.equal(env.layer.cancel(tx, cancelTu), true);
  assert.equal(env.layer.cancel(tx, cancelTu), true, 'asking twice is harmless');
  assert.equal(env.transport.requests('CANCEL').length, 0, 'RFC 3261 §9.1: not before a provisional response');
  env.layer.handleResponse(response(tx.request, 180, 'uas'), TCP);
  const cancels = env.transport.requests('CANCEL');
  assert.equal(cancels.length, 1);
  const cancel = itemAt(cancels, 0);
  assert.deepEqual(headers(cancel, 'Via'), [header(tx.request, 'Via')]);
  assert.equal(header(cancel, 'CSeq'), '1 CANCEL');
  assert.equal(env.transport.sent.find((s) => s.message === cancel)?.to, TCP);
  env.layer.handleResponse(response(cancel, 200, 'uas'), TCP);
  env.layer.handleResponse(response(tx.request, 487, 'uas'), TCP);
  assert.deepEqual(
    cancelTu.responses.map((r) => r.status),
    [200],
  );
  assert.equal(tx.state, 'Terminated');
  assert.equal(env.transport.requests('ACK').length, 1);
});

test('sends the CANCEL at once in Proceeding, and not at all once a final response arrived', () => {
  const env = setup();
  const proceeding = startInvite(env);
  env.layer.handleResponse(response(proceeding.tx.request, 100), UDP);
  env.layer.cancel(proceeding.tx);
  assert.equal(env.transport.requests('CANCEL').length, 1);

  const answered = startInvite(env);
  env.layer.handleResponse(response(answered.tx.request, 200, 'uas'), UDP);
  assert.equal(env.layer.cancel(answered.tx), false);

  const calling = startInvite(env);
  env.layer.cancel(calling.tx);
  env.layer.handleResponse(response(calling.tx.request, 486, 'uas'), UDP);
  env.clock.advance(100_000);
  const cancelled = new Set(env.transport.requests('CANCEL').map((c) => header(c, 'Via')));
  assert.deepEqual([...cancelled], [header(proceeding.tx.request, 'Via')]);
});

test('gives up on a cancelled INVITE that gets no final response within 64*T1 (RFC 3261 §9.1)', () => {
  const env = setup();
  const { tu, tx } = startInvite(env, TCP);
  env.layer.handleResponse(response(tx.request, 180, 'uas'), TCP);
  env.clock.advance(10_000);
  env.layer.cancel(tx);
  env.clock.advance(31_999);
  assert.equal(tx.state, 'Proceeding');
  env.clock.advance(1);
  assert.equal(tx.state, 'Terminated');
  assert.deepEqual(
    tu.timeouts.map((r) => r.status),
    [408],
  );
});

test('sendStateless adds our Via (a given branch or a fresh one) and resolves with the request sent', async () => {
  const env = setup();
  const ack = request({ method: 'ACK', toTag: 'uas' });
  const sent = await env.layer.sendStateless(ack, UDP, 'z9hG4bKfixed');
  assert.equal(itemAt(sent.headers, 0).value, 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfixed;rport');
  assert.deepEqual(env.transport.requests(), [sent]);
  assert.equal(itemAt(ack.headers, 0).name, 'Max-Forwards', 'the given request is not touched');
  env.transport.failWith = new Error('down');
  await assert.rejects(env.layer.sendStateless(ack, UDP), /down/);
});

test('counts transactions by kind and forgets every one of them once terminated', () => {
  const env = setup();
  const invite = startInvite(env);
  env.layer.createClientTransaction(request({ method: 'OPTIONS' }), UDP, clientUser());
  const serverInvite = receive(env, { via: VIA });
  receive(env, { method: 'CANCEL', via: VIA });
  receive(env, { via: VIA_2543, callId: 'old-style' });
  receive(env, { method: 'REGISTER', via: 'SIP/2.0/TCP 127.0.0.1:5071;branch=z9hG4bK-r' });
  assert.deepEqual(env.layer.stats(), {
    inviteClient: 1,
    inviteServer: 2,
    nonInviteClient: 1,
    nonInviteServer: 2,
    created: { inviteClient: 1, inviteServer: 2, nonInviteClient: 1, nonInviteServer: 2 },
  });
  env.layer.handleResponse(response(invite.tx.request, 486, 'uas'), UDP);
  itemAt(env.user.cancels, 0).transaction.respond(response(itemAt(env.user.cancels, 0).cancel, 200, 'uas'));
  itemAt(env.user.cancels, 0).invite.respond(response(serverInvite, 487, 'uas'));
  for (const { transaction, request: req } of env.user.requests.slice(1)) transaction.respond(response(req, 500, 'uas'));
  env.layer.handleRequest(request({ method: 'ACK', via: VIA, toTag: 'uas' }), UDP);
  env.clock.advance(120_000);
  const stats = env.layer.stats();
  assert.deepEqual(stats, {
    inviteClient: 0,
    inviteServer: 0,
    nonInviteClient: 0,
    nonInviteServer: 0,
    created: { inviteClient: 1, inviteServer: 2, nonInviteClient: 1, nonInviteServer: 2 },
  });
  assert.equal(env.clock.pending, 0, 'no timer left behind');
  // the RFC 2543 ACK index is emptied too: an ACK for the ended transaction is now the TU's
  env.layer.handleRequest(request({ method: 'ACK', via: VIA_2543, callId: 'old-style', toTag: 'uas' }), UDP);
  assert.equal(env.user.acks.length, 1);
});

test('shutdown drops every transaction and timer without telling the TU', () => {
  const env = setup();
  const { tu, tx } = startInvite(env);
  receive(env, { via: VIA });
  env.layer.shutdown();
  assert.equal(tx.state, 'Terminated');
  assert.equal(env.clock.pending, 0);
  assert.equal(env.layer.stats().inviteServer, 0);
  assert.equal(env.layer.stats().inviteClient, 0);
  env.clock.advance(100_000);
  assert.equal(tu.timeouts.length, 0);
});

test('takes T1, T2 and T4 from the options, defaults for the rest, and refuses non-positive values', () => {
  assert.deepEqual(setup({ T1: 250 }).layer.timers, { T1: 250, T2: 4000, T4: 5000 });
  assert.throws(() => setup({ T2: 0 }), /timer T2 must be a positive/);
});
