import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callIdOf, contactsOf, cseqOf, expiresOf, fromOf, maxForwardsOf, tagOf, toOf, topVia,
} from '../../../src/sip/message/accessors.ts';
import { SIP_PARSE_ERRORS, SipParseError } from '../../../src/sip/message/parse-error.ts';
import { formatUri } from '../../../src/sip/message/uri.ts';
import type { Header } from '../../../src/sip/message/types.ts';

const headers: Header[] = [
  { name: 'Via', value: 'SIP/2.0/UDP first.example.com:5070;branch=z9hG4bKa, SIP/2.0/TCP second.example.com;branch=z9hG4bKb' },
  { name: 'Via', value: 'SIP/2.0/UDP third.example.com;branch=z9hG4bKc' },
  { name: 'f', value: '"Alice" <sip:alice@example.com>;tag=1928301774' },
  { name: 'To', value: 'sip:bob@example.com' },
  { name: 'i', value: 'a84b4c76e66710@pc33.example.com' },
  { name: 'CSeq', value: '314159 INVITE' },
  { name: 'Max-Forwards', value: '70' },
  { name: 'Expires', value: '3600' },
  { name: 'm', value: '<sip:alice@pc33.example.com>;expires=60, "Desk" <sip:alice@desk.example.com>' },
  { name: 'Contact', value: 'sip:alice@phone.example.com;q=0.5' },
];
const msg = { headers };

test('topVia parses the first Via value, even inside a comma-separated header', () => {
  const via = topVia(msg);
  assert.equal(via.host, 'first.example.com');
  assert.equal(via.port, 5070);
  assert.equal(via.params.get('branch'), 'z9hG4bKa');
});

test('reads CSeq, Call-ID, From and To through compact names', () => {
  assert.deepEqual(cseqOf(msg), { seq: 314159, method: 'INVITE' });
  assert.equal(callIdOf(msg), 'a84b4c76e66710@pc33.example.com');
  assert.equal(fromOf(msg).displayName, 'Alice');
  assert.equal(tagOf(fromOf(msg)), '1928301774');
  assert.equal(tagOf(toOf(msg)), undefined);
});

test('contactsOf flattens every Contact entry in order', () => {
  const contacts = contactsOf(msg);
  assert.deepEqual(contacts.map((c) => formatUri(c.uri)), [
    'sip:alice@pc33.example.com', 'sip:alice@desk.example.com', 'sip:alice@phone.example.com',
  ]);
  assert.equal(contacts[0].params.get('expires'), '60');
  assert.equal(contacts[2].params.get('q'), '0.5');
  assert.deepEqual(contactsOf({ headers: [] }), []);
});

test('reads Max-Forwards and Expires as numbers, undefined when absent', () => {
  assert.equal(maxForwardsOf(msg), 70);
  assert.equal(expiresOf(msg), 3600);
  assert.equal(maxForwardsOf({ headers: [] }), undefined);
  assert.equal(expiresOf({ headers: [] }), undefined);
  assert.throws(() => maxForwardsOf({ headers: [{ name: 'Max-Forwards', value: '300' }] }), SipParseError);
  assert.throws(() => expiresOf({ headers: [{ name: 'Expires', value: '1e3' }] }), SipParseError);
});

test('throws SIP_PARSE_MISSING_HEADER for an absent required header', () => {
  for (const read of [topVia, cseqOf, callIdOf, fromOf, toOf]) {
    assert.throws(() => read({ headers: [] }), (err: unknown) => err instanceof SipParseError && err.code === SIP_PARSE_ERRORS.MISSING_HEADER);
  }
});

test('tagOf ignores a tag without a value', () => {
  assert.equal(tagOf({ uri: { scheme: 'x', opaque: 'y' }, params: new Map([['tag', null]]) }), undefined);
});
