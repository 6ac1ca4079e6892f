import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNameAddr, isWildcardContact, parseNameAddr, parseNameAddrList } from '../../../src/sip/message/name-addr.ts';
import { formatUri, isSipUri } from '../../../src/sip/message/uri.ts';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { SipParseErrorCode } from '../../../src/sip/sip-errors.ts';
import { itemAt } from '../../support/item-at.ts';

function rejects(text: string, code: SipParseErrorCode, why?: RegExp): void {
  assert.throws(
    () => parseNameAddr(text),
    (err: unknown) => {
      assert.ok(err instanceof SipParseError);
      assert.equal(err.code, code);
      if (why) assert.match(err.message, why);
      return true;
    },
  );
}

test('reads a quoted display name, the URI in <> and header parameters', () => {
  const na = parseNameAddr('"Alice Liddell" <sip:alice@example.com;transport=tcp>;tag=88sja8x;expires=60');
  assert.equal(na.displayName, 'Alice Liddell');
  assert.equal(formatUri(na.uri), 'sip:alice@example.com;transport=tcp');
  assert.deepEqual(
    [...na.params],
    [
      ['tag', '88sja8x'],
      ['expires', '60'],
    ],
  );
});

test('undoes quoted-pair escapes in the display name (RFC 4475 §3.1.1.1, §3.1.1.2)', () => {
  assert.equal(parseNameAddr('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>').displayName, 'J Rosenberg \\"');
  assert.equal(parseNameAddr('"BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007f" <sip:a@example.com>').displayName, 'BEL:\u0007 NUL:\u0000 DEL:\u007f');
});

test('reads an unquoted token display name, even with no space before < (RFC 4475 §3.1.1.6)', () => {
  assert.equal(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName, 'caller');
  assert.equal(parseNameAddr("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>").displayName, "token1~` token2'+_ token3*%!.-");
});

test('leaves the display name undefined without one, and keeps an empty quoted one', () => {
  assert.equal(parseNameAddr('<sip:a@example.com>').displayName, undefined);
  assert.equal(parseNameAddr('"" <sip:a@example.com>').displayName, '');
});

test('in addr-spec form the ;parameters belong to the header, not the URI (RFC 4475 §3.3.12)', () => {
  const na = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam');
  assert.ok(isSipUri(na.uri));
  assert.equal(na.uri.params.size, 0);
  assert.deepEqual([...na.params], [['unknownparam', null]]);
  const inside = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>');
  assert.ok(isSipUri(inside.uri));
  assert.deepEqual([...inside.uri.params], [['unknownparam', null]]);
  assert.equal(inside.params.size, 0);
});

test('allows LWS around ; and = in header parameters (RFC 4475 §3.1.1.1)', () => {
  const na = parseNameAddr('sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n');
  assert.equal(na.params.get('tag'), '1918181833n');
  const contact = parseNameAddr('"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33');
  assert.deepEqual(
    [...contact.params],
    [
      ['newparam', 'newvalue'],
      ['secondparam', null],
      ['q', '0.33'],
    ],
  );
});

test('keeps quoted parameter values with their quotes so they are written back unchanged', () => {
  const na = parseNameAddr('<sip:a@example.com>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";Q=1');
  assert.equal(na.params.get('+sip.instance'), '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"');
  assert.equal(na.params.get('q'), '1');
  assert.equal(formatNameAddr(na), '<sip:a@example.com>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";q=1');
});

test('accepts other URI schemes in both forms (RFC 4475 §3.3.4)', () => {
  assert.equal(parseNameAddr('isbn:2983792873').uri.scheme, 'isbn');
  assert.equal(parseNameAddr('<http://www.example.com>;tag=3234233').uri.scheme, 'http');
});

test('rejects a display name whose quote never closes (RFC 4475 §3.1.2.6)', () => {
  rejects('"Mr. J. User <sip:j.user@example.com>', SipParseErrorCode.BAD_NAME_ADDR, /never closes/);
});

test('rejects spaces inside <> (RFC 4475 §3.1.2.14)', () => {
  rejects('"Watson, Thomas" < sip:t.watson@example.org >', SipParseErrorCode.BAD_NAME_ADDR, /whitespace inside <>/);
});

test('rejects an unquoted display name with non-token chars (RFC 4475 §3.1.2.15)', () => {
  rejects('Bell, Alexander <sip:a.g.bell@example.com>;tag=43', SipParseErrorCode.BAD_NAME_ADDR, /quote it/);
});

test('rejects an addr-spec holding ? , or headers outside <> (RFC 3261 §20.10, RFC 4475 §3.1.2.13)', () => {
  rejects('sip:user@example.com?Route=%3Csip:sip.example.com%3E', SipParseErrorCode.BAD_NAME_ADDR, /enclosed in <>/);
});

test('rejects empty parameters, a missing >, trailing text and a bad URI', () => {
  rejects('"Joe" <sip:joe@example.org>;;;;', SipParseErrorCode.BAD_NAME_ADDR, /empty parameter/);
  rejects('<sip:joe@example.org', SipParseErrorCode.BAD_NAME_ADDR, /missing >/);
  rejects('<sip:joe@example.org> junk', SipParseErrorCode.BAD_NAME_ADDR, /unexpected/);
  rejects('<sip:joe@example.org>;tag=1;tag=2', SipParseErrorCode.BAD_NAME_ADDR, /twice/);
  rejects('<sip:joe@example.org>;tag=', SipParseErrorCode.BAD_NAME_ADDR, /empty value/);
  rejects('"Joe" sip:joe@example.org', SipParseErrorCode.BAD_NAME_ADDR, /followed by <URI>/);
  rejects('', SipParseErrorCode.BAD_NAME_ADDR, /empty/);
  rejects('<sip:2001:db8::1>', SipParseErrorCode.BAD_URI);
});

test('splits a list at commas outside quotes and <>', () => {
  const list = parseNameAddrList('"Doe, John" <sip:a,b@example.com>;q=0.5, sip:b@example.com , <sip:c@example.com>');
  assert.deepEqual(
    list.map((na) => formatUri(na.uri)),
    ['sip:a,b@example.com', 'sip:b@example.com', 'sip:c@example.com'],
  );
  assert.equal(itemAt(list, 0).displayName, 'Doe, John');
  assert.throws(() => parseNameAddrList('<sip:a@example.com>,,<sip:b@example.com>'), SipParseError);
});

test('recognises the Contact wildcard, which is no address', () => {
  assert.equal(isWildcardContact(' * '), true);
  assert.equal(isWildcardContact('<sip:*@example.com>'), false);
  assert.throws(() => parseNameAddrList('*'), /wildcard/);
});

test('formats with <> always and quotes display names that are not a single token', () => {
  assert.equal(formatNameAddr(parseNameAddr('sip:a@example.com;tag=1')), '<sip:a@example.com>;tag=1');
  assert.equal(formatNameAddr(parseNameAddr('Alice <sip:a@example.com>')), 'Alice <sip:a@example.com>');
  // baresip (libre) keeps only the last word of an unquoted "Alice Agent".
  assert.equal(formatNameAddr(parseNameAddr('Alice Agent <sip:a@example.com>')), '"Alice Agent" <sip:a@example.com>');
  assert.equal(formatNameAddr(parseNameAddr('"Doe, John" <sip:a@example.com>')), '"Doe, John" <sip:a@example.com>');
  const tricky = parseNameAddr('"a \\"b\\" \\\\ c\\\u0000" <sip:a@example.com>');
  assert.equal(tricky.displayName, 'a "b" \\ c\u0000');
  assert.deepEqual(parseNameAddr(formatNameAddr(tricky)), tricky);
  assert.equal(formatNameAddr({ displayName: '', uri: tricky.uri, params: new Map() }), '"" <sip:a@example.com>');
  assert.throws(() => formatNameAddr({ displayName: 'a\r\nVia: x', uri: tricky.uri, params: new Map() }), /CR or LF/);
});
