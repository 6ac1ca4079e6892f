import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../../../src/sip/message/response-builder.ts';
import { parseMessage } from '../../../src/sip/message/parser.ts';
import { serializeMessage } from '../../../src/sip/message/serializer.ts';
import { getHeader, getHeaders } from '../../../src/sip/message/header-list.ts';
import { reasonPhrase } from '../../../src/sip/message/reason-phrases.ts';
import type { SipRequest } from '../../../src/sip/message/types.ts';

function invite(to = 'Bob <sip:bob@example.com>'): SipRequest {
  const text = [
    'INVITE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2, SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=192.0.2.1',
    'Max-Forwards: 69',
    `To: ${to}`,
    'From: Alice <sip:alice@example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710',
    'CSeq: 314159 INVITE',
    'Timestamp: 54',
    'Contact: <sip:alice@pc33.example.com>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const msg = parseMessage(Buffer.from(text));
  assert.equal(msg.type, 'request');
  return msg as SipRequest;
}

test('copies every Via in order, From, To, Call-ID and CSeq and nothing else (RFC 3261 §8.2.6.2)', () => {
  const res = createResponse(invite(), 486);
  assert.equal(res.type, 'response');
  assert.equal(res.status, 486);
  assert.equal(res.reason, 'Busy Here');
  assert.deepEqual(res.headers, [
    { name: 'Via', value: 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2' },
    { name: 'Via', value: 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=192.0.2.1' },
    { name: 'To', value: 'Bob <sip:bob@example.com>' },
    { name: 'From', value: 'Alice <sip:alice@example.com>;tag=1928301774' },
    { name: 'Call-ID', value: 'a84b4c76e66710' },
    { name: 'CSeq', value: '314159 INVITE' },
  ]);
  assert.equal(res.body.length, 0);
});

test('adds the To tag above 100 when the request has none', () => {
  assert.equal(getHeader(createResponse(invite(), 180, { toTag: 'a6c85cf' }), 'To'), 'Bob <sip:bob@example.com>;tag=a6c85cf');
  assert.equal(getHeader(createResponse(invite('sip:bob@example.com'), 200, { toTag: 'x1' }), 'To'), 'sip:bob@example.com;tag=x1');
});

test('keeps an existing To tag and adds none to a 100 Trying', () => {
  assert.equal(getHeader(createResponse(invite('<sip:bob@example.com>;tag=abc'), 200, { toTag: 'new' }), 'To'), '<sip:bob@example.com>;tag=abc');
  assert.equal(getHeader(createResponse(invite(), 100, { toTag: 'new' }), 'To'), 'Bob <sip:bob@example.com>');
});

test('copies Timestamp into a 100 Trying only (RFC 3261 §8.2.6.1)', () => {
  assert.equal(getHeader(createResponse(invite(), 100), 'Timestamp'), '54');
  assert.equal(getHeader(createResponse(invite(), 180), 'Timestamp'), undefined);
});

test('takes a custom reason, extra headers and a body, and serialises to a parseable response', () => {
  const res = createResponse(invite(), 200, {
    reason: 'Fine',
    toTag: 't',
    headers: [
      { name: 'Contact', value: '<sip:bob@192.0.2.4>' },
      { name: 'Content-Type', value: 'application/sdp' },
    ],
    body: Buffer.from('v=0\r\n'),
  });
  const again = parseMessage(serializeMessage(res));
  assert.equal(again.type, 'response');
  assert.equal(again.type === 'response' && again.reason, 'Fine');
  assert.deepEqual(getHeaders(again, 'Via').length, 2);
  assert.equal(getHeader(again, 'Content-Length'), '5');
  assert.equal(again.body.toString(), 'v=0\r\n');
});

test('rejects a status outside 100..699', () => {
  assert.throws(() => createResponse(invite(), 99), RangeError);
  assert.throws(() => createResponse(invite(), 700), RangeError);
});

test('knows the usual reason phrases and falls back to the class name', () => {
  assert.equal(reasonPhrase(100), 'Trying');
  assert.equal(reasonPhrase(200), 'OK');
  assert.equal(reasonPhrase(481), 'Call/Transaction Does Not Exist');
  assert.equal(reasonPhrase(505), 'Version Not Supported');
  assert.equal(reasonPhrase(499), 'Client Error');
  assert.equal(reasonPhrase(699), 'Global Failure');
});
