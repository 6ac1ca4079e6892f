import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUri, isSipUri, isTelUri, parseUri } from '../../../src/sip/message/uri.ts';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { SipParseErrorCode } from '../../../src/sip/sip-errors.ts';
import type { SipUri, TelUri } from '../../../src/sip/message/types.ts';

function sip(text: string): SipUri {
  const uri = parseUri(text);
  assert.ok(isSipUri(uri), `${text} is a SIP URI`);
  return uri;
}

function rejects(text: string, why?: RegExp): void {
  assert.throws(
    () => parseUri(text),
    (err: unknown) => {
      assert.ok(err instanceof SipParseError);
      assert.equal(err.code, SipParseErrorCode.BAD_URI);
      if (why) assert.match(err.message, why);
      return true;
    },
  );
}

test('reads user, password, host, port, parameters and headers of a sip URI', () => {
  const uri = sip('sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
  assert.equal(uri.scheme, 'sips');
  assert.equal(uri.user, 'alice');
  assert.equal(uri.password, 'secret');
  assert.equal(uri.host, 'atlanta.example.com');
  assert.equal(uri.port, 5061);
  assert.deepEqual(
    [...uri.params],
    [
      ['transport', 'tcp'],
      ['lr', null],
    ],
  );
  assert.deepEqual(
    [...uri.headers],
    [
      ['subject', 'project x'],
      ['priority', 'urgent'],
    ],
  );
});

test('leaves user, password and port undefined when absent', () => {
  const uri = sip('sip:example.com');
  assert.equal(uri.user, undefined);
  assert.equal(uri.password, undefined);
  assert.equal(uri.port, undefined);
  assert.equal(uri.params.size, 0);
  assert.equal(uri.headers.size, 0);
});

test('treats the scheme case-insensitively', () => {
  assert.equal(sip('SIP:bob@example.com').scheme, 'sip');
});

test('decodes %-escapes in the user part, so an escaped sips URI is just a user name (RFC 4475 §3.1.1.3)', () => {
  const uri = sip('sip:sips%3Auser%40example.com@example.net');
  assert.equal(uri.user, 'sips:user@example.com');
  assert.equal(uri.host, 'example.net');
});

test('lower-cases and decodes parameter names and decodes values', () => {
  const uri = sip('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31');
  assert.equal(uri.user, 'caller');
  assert.deepEqual(
    [...uri.params],
    [
      ['lr', null],
      ['name', 'value%41'],
    ],
  );
});

test('keeps ; and ? inside the user part when an @ follows (RFC 4475 §3.1.1.9, §3.1.1.2)', () => {
  assert.equal(sip('sip:user;par=u%40example.net@example.com').user, 'user;par=u@example.net');
  const odd = sip("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
  assert.equal(odd.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(odd.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  assert.equal(odd.host, 'example.com');
});

test('decodes an escaped NUL in the user part (RFC 4475 §3.1.1.4)', () => {
  assert.equal(sip('sip:null-%00-null@example.com').user, 'null-\u0000-null');
});

test('decodes escaped UTF-8 as text', () => {
  assert.equal(sip('sip:j%C3%BCrgen@example.com').user, 'jürgen');
});

test('reads bracketed IPv6 hosts with and without port (RFC 5118 §4.1, §4.3, §4.4)', () => {
  assert.equal(sip('sip:[2001:db8::10]').host, '[2001:db8::10]');
  const ambiguous = sip('sip:[2001:db8::10:5070]');
  assert.equal(ambiguous.host, '[2001:db8::10:5070]');
  assert.equal(ambiguous.port, undefined);
  const unambiguous = sip('sip:[2001:db8::10]:5070');
  assert.equal(unambiguous.host, '[2001:db8::10]');
  assert.equal(unambiguous.port, 5070);
});

test('accepts IPv4-mapped IPv6 and both the 2- and 3-colon forms before an IPv4 tail (RFC 5118 §4.9, §4.10)', () => {
  assert.equal(sip('sip:ted@[::ffff:192.0.2.2]').host, '[::ffff:192.0.2.2]');
  assert.equal(sip('sip:user@[2001:db8::192.0.2.1]').host, '[2001:db8::192.0.2.1]');
  assert.equal(sip('sip:user@[2001:db8:::192.0.2.1]').host, '[2001:db8:::192.0.2.1]');
  assert.equal(sip('sip:[::1]').host, '[::1]');
});

test('rejects an IPv6 address without brackets (RFC 5118 §4.2)', () => {
  rejects('sip:2001:db8::10', /enclosed in \[\]/);
  rejects('sip:user@2001:db8::10', /enclosed in \[\]/);
});

test('rejects malformed IPv6 references', () => {
  rejects('sip:[2001:db8::10');
  rejects('sip:[2001:db8::1::2]');
  rejects('sip:[12345::1]');
  rejects('sip:[1:2:3:4:5:6:7:8:9]');
  rejects('sip:[::ffff:192.0.2.256]');
});

test('reads IPv4 hosts and rejects impossible ones', () => {
  assert.equal(sip('sip:192.0.2.1:5060').host, '192.0.2.1');
  assert.equal(sip('sip:255.255.255.255').host, '255.255.255.255');
  rejects('sip:192.0.2.300');
  rejects('sip:1.2.3');
});

test('rejects whitespace anywhere in the URI (RFC 4475 §3.1.2.8)', () => {
  rejects('sip:user@example.com; lr', /whitespace/);
  rejects(' sip:user@example.com', /whitespace/);
});

test('rejects a URI wrapped in <> (RFC 4475 §3.1.2.7)', () => {
  rejects('<sip:user@example.com>', /<>/);
});

test('rejects bad ports, empty parameters and broken escapes', () => {
  rejects('sip:example.com:65536', /port/);
  rejects('sip:example.com:', /port/);
  rejects('sip:example.com:50a0', /port/);
  rejects('sip:example.com;;lr');
  rejects('sip:us%zzer@example.com');
  rejects('sip:@example.com');
  rejects('sip:example.com?');
  rejects('sip:example.com?novalue');
  rejects('sip:example.com;lr;lr', /twice/);
  rejects('sip:');
  rejects('');
  rejects('nocolon');
});

test('reads a tel URI with its parameters (RFC 3966)', () => {
  const uri = parseUri('tel:+1-201-555-0123;ext=1234;Phone-Context=example.com');
  assert.ok(isTelUri(uri));
  const tel = uri as TelUri;
  assert.equal(tel.number, '+1-201-555-0123');
  assert.deepEqual(
    [...tel.params],
    [
      ['ext', '1234'],
      ['phone-context', 'example.com'],
    ],
  );
  assert.equal(formatUri(tel), 'tel:+1-201-555-0123;ext=1234;phone-context=example.com');
  assert.throws(() => parseUri('tel:'), SipParseError);
  assert.throws(() => parseUri('tel:12 34'), SipParseError);
  assert.throws(() => parseUri('tel:+1x'), SipParseError);
});

test('keeps any other scheme as opaque text (RFC 4475 §3.3.2, §3.3.3)', () => {
  assert.deepEqual(parseUri('nobodyKnowsThisScheme:totallyopaquecontent'), {
    scheme: 'nobodyKnowsThisScheme',
    opaque: 'totallyopaquecontent',
  });
  const beep = parseUri('soap.beep://192.0.2.103:3002');
  assert.equal(beep.scheme, 'soap.beep');
  assert.equal(formatUri(beep), 'soap.beep://192.0.2.103:3002');
  assert.equal(isSipUri(beep), false);
  rejects('1abc:foo');
});

test('formats what it parsed and re-escapes what the grammar needs escaped', () => {
  const uri = sip('sip:sips%3Auser%40example.com@example.net;n%61me=a%20b');
  assert.equal(formatUri(uri), 'sip:sips%3Auser%40example.com@example.net;name=a%20b');
  assert.deepEqual(parseUri(formatUri(uri)), uri);
});

test('formats a built URI with escapes for spaces, %, non-ASCII and NUL', () => {
  const uri: SipUri = {
    scheme: 'sip',
    user: 'I have 100% jürgen\u0000',
    password: 'p@ss',
    host: '[2001:db8::1]',
    port: 5060,
    params: new Map([
      ['transport', 'tcp'],
      ['lr', null],
    ]),
    headers: new Map([['Subject', 'a&b=c']]),
  };
  const text = formatUri(uri);
  assert.equal(text, 'sip:I%20have%20100%25%20j%C3%BCrgen%00:p%40ss@[2001:db8::1]:5060;transport=tcp;lr?Subject=a%26b%3Dc');
  assert.deepEqual(parseUri(text), uri);
});

test('round-trips a URI whose escapes are not valid UTF-8 to the same model', () => {
  const uri = sip('sip:%E9t%E9@example.com');
  assert.equal(uri.user, 'été');
  assert.deepEqual(parseUri(formatUri(uri)), uri);
});
