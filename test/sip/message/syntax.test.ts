import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHost, isIPv4, isIPv6, isToken, parseBoundedInt, trimWsp } from '../../../src/sip/message/syntax.ts';

test('recognises IPv6 addresses per RFC 3261 §25.1, tolerating the 3-colon IPv4 tail (RFC 5118 §4.10)', () => {
  for (const ok of [
    '::',
    '::1',
    '2001:db8::10',
    '2001:db8::10:5070',
    '1:2:3:4:5:6:7:8',
    '::ffff:192.0.2.10',
    '2001:db8::192.0.2.1',
    '2001:db8:::192.0.2.1',
    '1:2:3:4:5:6:192.0.2.1',
    'FE80::1',
  ]) {
    assert.equal(isIPv6(ok), true, ok);
  }
  for (const bad of ['', '1', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::1', 'g::1', ':::1', '1:2:3:4:5:6:7:192.0.2.1', '::192.0.2', '2001:db8::10]', '1:2:3:4:5:6:7:']) {
    assert.equal(isIPv6(bad), false, bad);
  }
});

test('recognises IPv4 dotted quads only', () => {
  assert.equal(isIPv4('192.0.2.255'), true);
  for (const bad of ['192.0.2', '192.0.2.256', '1.2.3.4.5', '1..2.3', '01234.1.1.1', 'a.b.c.d']) assert.equal(isIPv4(bad), false, bad);
});

test('recognises hosts: names, IPv4 and bracketed IPv6', () => {
  for (const ok of ['example.com', 'example.com.', 'a-b.example', 'host_1.example.com', '192.0.2.1', '[::1]']) {
    assert.equal(isHost(ok), true, ok);
  }
  for (const bad of ['', '-a.example', '.example', 'a..b', '1.2.3', '::1', '[::1', 'a b']) assert.equal(isHost(bad), false, bad);
});

test('recognises tokens and parses bounded integers without overflow', () => {
  assert.equal(isToken("!interesting-Method0123456789_*+`.%indeed'~"), true);
  assert.equal(isToken('a b'), false);
  assert.equal(isToken(''), false);
  assert.equal(parseBoundedInt('0068', 255), 68);
  assert.equal(parseBoundedInt('256', 255), undefined);
  assert.equal(parseBoundedInt('9'.repeat(40), Number.MAX_SAFE_INTEGER), undefined);
  assert.equal(parseBoundedInt('1e3', 5000), undefined);
  assert.equal(parseBoundedInt('', 5), undefined);
});

test('trims only SP and HTAB', () => {
  assert.equal(trimWsp(' \t a b \t'), 'a b');
  assert.equal(trimWsp('\ufeffx\u00a0'), '\ufeffx\u00a0');
});
