import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callIdOf, contactsOf, cseqOf, expiresOf, fromOf, maxForwardsOf, tagOf, toOf, topVia } from '../../../src/sip/message/accessors.ts';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { SipParseErrorCode } from '../../../src/sip/sip-errors.ts';
import { formatUri } from '../../../src/sip/message/uri.ts';
import { parseMessage } from '../../../src/sip/message/parser.ts';
import { addHeader, setHeader } from '../../../src/sip/message/header-list.ts';
import type { Header } from '../../../src/sip/message/types.ts';
import { itemAt } from '../../support/item-at.ts';

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
  assert.deepEqual(
    contacts.map((c) => formatUri(c.uri)),
    ['sip:alice@pc33.example.com', 'sip:alice@desk.example.com', 'sip:alice@phone.example.com'],
  );
  assert.equal(itemAt(contacts, 0).params.get('expires'), '60');
  assert.equal(itemAt(contacts, 2).params.get('q'), '0.5');
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
    assert.throws(
      () => read({ headers: [] }),
      (err: unknown) => err instanceof SipParseError && err.code === SipParseErrorCode.MISSING_HEADER,
    );
  }
});

test('tagOf ignores a tag without a value', () => {
  assert.equal(tagOf({ uri: { scheme: 'x', opaque: 'y' }, params: new Map([['tag', null]]) }), undefined);
});

test('hands the value parseMessage validated to the first caller only, then parses afresh', () => {
  const data = Buffer.from(
    [
      'OPTIONS sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1',
      'To: <sip:bob@example.com>',
      'From: <sip:alice@example.com>;tag=1',
      'Call-ID: c1',
      'CSeq: 7 OPTIONS',
      '',
      '',
    ].join('\r\n'),
  );
  const msg = parseMessage(data);
  const first = topVia(msg);
  first.params.set('received', '192.0.2.9');
  const second = topVia(msg);
  assert.notEqual(second, first, 'a second caller gets its own value');
  assert.equal(second.params.has('received'), false, 'an edit by the first caller does not leak');
  assert.notEqual(fromOf(msg), fromOf(msg));
  assert.notEqual(toOf(msg), toOf(msg));
  assert.notEqual(cseqOf(msg), cseqOf(msg));
});

test('never serves a parsed value for a header that was edited since parsing', () => {
  const data = Buffer.from(
    [
      'OPTIONS sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1',
      'To: <sip:bob@example.com>',
      'From: <sip:alice@example.com>;tag=1',
      'Call-ID: c1',
      'CSeq: 7 OPTIONS',
      '',
      '',
    ].join('\r\n'),
  );
  const edited = parseMessage(data);
  itemAt(edited.headers, 0).value = 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2';
  assert.equal(topVia(edited).host, 'proxy.example.com');
  const replaced = parseMessage(data);
  setHeader(replaced, 'To', '<sip:carol@example.com>;tag=9');
  assert.equal(tagOf(toOf(replaced)), '9');
  const prepended = parseMessage(data);
  addHeader(prepended, 'Via', 'SIP/2.0/UDP new.example.com;branch=z9hG4bK3', 'first');
  assert.equal(topVia(prepended).host, 'new.example.com');
});
