import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse, cseqOf, parseMessage, serializeMessage, topVia } from '../../../src/sip/message/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message/types.ts';
import { InviteClientTransaction } from '../../../src/sip/transaction/index.ts';
import { clientUser, request, setup, UDP } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

function overTheWire<M extends SipMessage>(message: M): M {
  return parseMessage(serializeMessage(message)) as M;
}

test('a client INVITE, the 486 and our ACK survive serializing and parsing with the transaction branch', () => {
  const env = setup();
  const tu = clientUser();
  const tx = env.layer.createClientTransaction(request(), UDP, tu);
  assert.ok(tx instanceof InviteClientTransaction);
  const received = overTheWire(tx.request);
  const busy = overTheWire(createResponse(received, 486, { toTag: 'far-end' }));
  env.layer.handleResponse(busy, UDP);
  assert.deepEqual(
    tu.responses.map((r) => r.status),
    [486],
  );
  const ack = itemAt(
    env.transport.requests('ACK').map((a) => overTheWire<SipRequest>(a)),
    0,
  );
  assert.equal(topVia(ack).params.get('branch'), tx.branch);
  assert.deepEqual(cseqOf(ack), { seq: 1, method: 'ACK' });
});

test('a retransmission written with compact header names matches the transaction of the long-form original', () => {
  const env = setup();
  const lines = (names: Record<string, string>) =>
    Buffer.from(
      [
        'INVITE sip:bob@127.0.0.1 SIP/2.0',
        `${names.via}: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-wire;rport`,
        'Max-Forwards: 70',
        `${names.from}: <sip:alice@127.0.0.1>;tag=a1`,
        `${names.to}: <sip:bob@127.0.0.1>`,
        `${names.callId}: wire-call@127.0.0.1`,
        'CSeq: 1 INVITE',
        '',
        '',
      ].join('\r\n'),
    );
  const original = parseMessage(lines({ via: 'Via', from: 'From', to: 'To', callId: 'Call-ID' })) as SipRequest;
  const compact = parseMessage(lines({ via: 'v', from: 'f', to: 't', callId: 'i' })) as SipRequest;
  env.layer.handleRequest(original, UDP);
  env.layer.handleRequest(compact, UDP);
  assert.equal(env.user.requests.length, 1);
  const trying = env.transport.responses(100).map((r) => overTheWire<SipResponse>(r));
  assert.equal(trying.length, 1, 'the retransmission is answered with 100 Trying');
  assert.equal(topVia(itemAt(trying, 0)).params.get('branch'), 'z9hG4bK-wire');
});
