import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestError } from '../../../src/sip/auth/digest-error.ts';
import { DigestErrorCode } from '../../../src/sip/sip-errors.ts';
import { formatDigestChallenge, formatDigestCredentials, parseDigestChallenge, parseDigestCredentials, type DigestCredentials } from '../../../src/sip/auth/digest-header.ts';
import { rfc7616 } from './rfc7616-example.ts';

// RFC 7616 §3.9.1, unfolded onto one line as the message parser hands it over.
const rfcAuthorization =
  'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, ' +
  'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, ' +
  'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, ' +
  'response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

function assertDigestError(run: () => unknown, code: DigestErrorCode): void {
  assert.throws(run, (error: unknown) => error instanceof DigestError && error.code === code);
}

test('parses the RFC 7616 example Authorization value', () => {
  assert.deepEqual(parseDigestCredentials(rfcAuthorization), {
    username: rfc7616.username,
    realm: rfc7616.realm,
    nonce: rfc7616.nonce,
    uri: rfc7616.uri,
    response: rfc7616.responses.MD5,
    algorithm: 'MD5',
    cnonce: rfc7616.cnonce,
    opaque: rfc7616.opaque,
    qop: 'auth',
    nc: '00000001',
  });
});

test('unescapes quoted-pairs in quoted strings', () => {
  const c = parseDigestCredentials(String.raw`Digest username="bob \"the builder\" \\ co", realm="a\bc", nonce="n", uri="sip:x@y", response="r"`);
  assert.equal(c.username, 'bob "the builder" \\ co');
  assert.equal(c.realm, 'abc');
});

test('keeps commas, equals signs and spaces inside quoted strings', () => {
  const c = parseDigestCredentials('Digest username="a, b=c ", realm="r", nonce="n", uri="sip:x@y;transport=tcp", response="r"');
  assert.equal(c.username, 'a, b=c ');
  assert.equal(c.uri, 'sip:x@y;transport=tcp');
});

test('accepts odd spacing, tabs, empty list elements and a lower-case scheme', () => {
  const c = parseDigestCredentials('  digest\t username = "alice" ,realm="r",, ,nonce\t=\t"n" , uri="sip:r" ,response="ab",qop = auth,nc=0000000A ,cnonce="c"  ');
  assert.equal(c.username, 'alice');
  assert.equal(c.nonce, 'n');
  assert.equal(c.qop, 'auth');
  assert.equal(c.nc, '0000000A');
});

test('reads parameter names case-insensitively and values as tokens or quoted strings', () => {
  const c = parseDigestCredentials('DIGEST UserName="alice", REALM="r", Nonce=abc-_, URI="sip:r", Response="ab", Algorithm=sha-256, QOP="auth", NC=00000001, CNonce=xyz');
  assert.equal(c.username, 'alice');
  assert.equal(c.nonce, 'abc-_');
  assert.equal(c.algorithm, 'sha-256');
  assert.equal(c.qop, 'auth');
  assert.equal(c.cnonce, 'xyz');
});

test('ignores parameters it does not know', () => {
  const c = parseDigestCredentials('Digest username="a", realm="r", nonce="n", uri="u", response="x", userhash=false, x-ext="1,2"');
  assert.equal(c.username, 'a');
  assert.equal(Object.hasOwn(c, 'userhash'), false);
});

test('parses a challenge with its qop options, algorithm, opaque and stale flag', () => {
  assert.deepEqual(parseDigestChallenge('Digest realm="http-auth@example.org", qop="auth, AUTH-INT", algorithm=SHA-256, nonce="n1", opaque="o", stale=TRUE'), {
    realm: 'http-auth@example.org',
    nonce: 'n1',
    algorithm: 'SHA-256',
    opaque: 'o',
    qop: ['auth', 'auth-int'],
    stale: true,
  });
  assert.equal(parseDigestChallenge('Digest realm="r", nonce="n", stale="false"').stale, false);
  assert.equal(parseDigestChallenge('Digest realm="r", nonce="n"').qop, undefined);
});

const malformed: Array<[string, string, DigestErrorCode]> = [
  ['Basic scheme', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', DigestErrorCode.WRONG_SCHEME],
  ['empty value', '', DigestErrorCode.WRONG_SCHEME],
  ['scheme glued to a parameter', 'Digest"username"', DigestErrorCode.MALFORMED],
  ['token68 instead of parameters', 'Digest abc==', DigestErrorCode.MALFORMED],
  ['unterminated quoted string', 'Digest username="alice, realm="r"', DigestErrorCode.MALFORMED],
  ['backslash at the very end', 'Digest username="alice\\', DigestErrorCode.MALFORMED],
  ['missing "="', 'Digest username "alice"', DigestErrorCode.MALFORMED],
  ['missing value', 'Digest username=, realm="r"', DigestErrorCode.MALFORMED],
  ['missing comma', 'Digest username="a" realm="r"', DigestErrorCode.MALFORMED],
  ['CR LF inside a quoted string', 'Digest username="a\r\nX-Evil: 1", realm="r", nonce="n", uri="u", response="x"', DigestErrorCode.MALFORMED],
  ['duplicate parameter', 'Digest username="a", USERNAME="b", realm="r", nonce="n", uri="u", response="x"', DigestErrorCode.DUPLICATE_PARAM],
  ['no response', 'Digest username="a", realm="r", nonce="n", uri="u"', DigestErrorCode.MISSING_PARAM],
  ['qop without nc', 'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, cnonce="c"', DigestErrorCode.MISSING_PARAM],
  ['qop without cnonce', 'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=00000001', DigestErrorCode.MISSING_PARAM],
  ['nc of the wrong length', 'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, cnonce="c", nc=1', DigestErrorCode.INVALID_PARAM],
  ['nc that is not hex', 'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, cnonce="c", nc=0000000g', DigestErrorCode.INVALID_PARAM],
];
for (const [what, value, code] of malformed) {
  test(`refuses credentials with ${what} as ${code}`, () => {
    assertDigestError(() => parseDigestCredentials(value), code);
  });
}

test('refuses a challenge without realm or nonce', () => {
  assertDigestError(() => parseDigestChallenge('Digest realm="r"'), DigestErrorCode.MISSING_PARAM);
  assertDigestError(() => parseDigestChallenge('Digest nonce="n"'), DigestErrorCode.MISSING_PARAM);
});

test('throws only DigestError, whatever bytes it is given', () => {
  const alphabet = 'Digest usernamrlcq=",\\ \t\r\naé\x00';
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let refused = 0;
  for (let i = 0; i < 5000; i += 1) {
    let value = 'Digest ';
    const length = Math.floor(random() * 60);
    for (let j = 0; j < length; j += 1) value += alphabet[Math.floor(random() * alphabet.length)];
    for (const parse of [parseDigestCredentials, parseDigestChallenge]) {
      try {
        parse(value);
      } catch (error) {
        assert.ok(error instanceof DigestError, `non-DigestError for ${JSON.stringify(value)}: ${String(error)}`);
        refused += 1;
      }
    }
  }
  assert.ok(refused > 0);
});

test('formats credentials that parse back to the same values, escapes included', () => {
  const credentials: DigestCredentials = {
    username: 'o"brien\\x',
    realm: 'callpane',
    nonce: 'n-1',
    uri: 'sip:callpane.example;transport=ws',
    response: 'abc123',
    algorithm: 'SHA-256',
    cnonce: 'c/1=',
    opaque: 'op',
    qop: 'auth',
    nc: '0000002a',
  };
  const text = formatDigestCredentials(credentials);
  assert.equal(
    text,
    'Digest username="o\\"brien\\\\x", realm="callpane", nonce="n-1", uri="sip:callpane.example;transport=ws", ' +
      'response="abc123", algorithm=SHA-256, cnonce="c/1=", opaque="op", qop=auth, nc=0000002a',
  );
  assert.deepEqual(parseDigestCredentials(text), credentials);
});

test('formats a challenge with qop quoted and stale only when true', () => {
  const text = formatDigestChallenge({ realm: 'callpane', nonce: 'n', algorithm: 'MD5', qop: ['auth'], opaque: 'o', stale: true });
  assert.equal(text, 'Digest realm="callpane", qop="auth", algorithm=MD5, nonce="n", opaque="o", stale=true');
  assert.deepEqual(parseDigestChallenge(text), { realm: 'callpane', nonce: 'n', algorithm: 'MD5', qop: ['auth'], opaque: 'o', stale: true });
  assert.equal(formatDigestChallenge({ realm: 'r', nonce: 'n', stale: false }), 'Digest realm="r", nonce="n"');
});

test('refuses to format a value that would break the header line', () => {
  assertDigestError(() => formatDigestChallenge({ realm: 'r\r\nX-Evil: 1', nonce: 'n' }), DigestErrorCode.INVALID_PARAM);
  assertDigestError(() => formatDigestChallenge({ realm: 'r', nonce: 'n', algorithm: 'MD5, evil' }), DigestErrorCode.INVALID_PARAM);
  assertDigestError(() => formatDigestCredentials({ username: 'a', realm: 'r', nonce: 'n', uri: 'u', response: 'x', qop: 'auth', nc: '1' }), DigestErrorCode.INVALID_PARAM);
});
