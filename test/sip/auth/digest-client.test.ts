import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerChallenge, DigestClientSession } from '../../../src/sip/auth/digest-client.ts';
import { DigestError } from '../../../src/sip/auth/digest-error.ts';
import { DigestErrorCode } from '../../../src/sip/sip-errors.ts';
import { parseDigestChallenge, parseDigestCredentials, type DigestChallenge } from '../../../src/sip/auth/digest-header.ts';
import { rfc7616 } from './rfc7616-example.ts';

const user = { username: '1001', password: 'pw', method: 'INVITE', uri: 'sip:+15550100@trunk.test' };
const md5: DigestChallenge = { realm: 'trunk.test', nonce: 'n-md5', algorithm: 'MD5', qop: ['auth'] };
const sha: DigestChallenge = { realm: 'trunk.test', nonce: 'n-sha', algorithm: 'SHA-256', qop: ['auth'] };

function assertDigestError(run: () => unknown, code: DigestErrorCode): void {
  assert.throws(run, (error: unknown) => error instanceof DigestError && error.code === code);
}

for (const algorithm of ['MD5', 'SHA-256'] as const) {
  test(`answers the RFC 7616 §3.9.1 ${algorithm} challenge with the documented response`, () => {
    const challenge = parseDigestChallenge(`Digest realm="${rfc7616.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${rfc7616.nonce}", opaque="${rfc7616.opaque}"`);
    const header = answerChallenge(challenge, {
      username: rfc7616.username,
      password: rfc7616.password,
      method: rfc7616.method,
      uri: rfc7616.uri,
      cnonce: rfc7616.cnonce,
    });
    assert.deepEqual(parseDigestCredentials(header), {
      username: rfc7616.username,
      realm: rfc7616.realm,
      nonce: rfc7616.nonce,
      uri: rfc7616.uri,
      response: rfc7616.responses[algorithm],
      algorithm,
      cnonce: rfc7616.cnonce,
      opaque: rfc7616.opaque,
      qop: 'auth',
      nc: '00000001',
    });
  });
}

test('picks SHA-256 when it is offered, whatever the order', () => {
  assert.equal(parseDigestCredentials(answerChallenge([md5, sha], user)).algorithm, 'SHA-256');
  assert.equal(parseDigestCredentials(answerChallenge([sha, md5], user)).nonce, 'n-sha');
});

test('falls back to MD5, also when the challenge names no algorithm', () => {
  assert.equal(parseDigestCredentials(answerChallenge([{ ...sha, algorithm: 'SHA-512-256' }, md5], user)).algorithm, 'MD5');
  const bare = parseDigestCredentials(answerChallenge({ realm: 'r', nonce: 'n', qop: ['auth'] }, user));
  assert.equal(bare.algorithm, 'MD5');
});

test('writes the nonce-count as 8 hex digits and a fresh cnonce each time', () => {
  const a = parseDigestCredentials(answerChallenge(md5, { ...user, nc: 26 }));
  const b = parseDigestCredentials(answerChallenge(md5, user));
  assert.equal(a.nc, '0000001a');
  assert.equal(b.nc, '00000001');
  assert.notEqual(a.cnonce, b.cnonce);
});

test('refuses challenges without qop=auth or with only unknown algorithms', () => {
  assertDigestError(() => answerChallenge({ realm: 'r', nonce: 'n' }, user), DigestErrorCode.NO_USABLE_CHALLENGE);
  assertDigestError(() => answerChallenge({ ...md5, qop: ['auth-int'] }, user), DigestErrorCode.NO_USABLE_CHALLENGE);
  assertDigestError(() => answerChallenge({ ...md5, algorithm: 'MD5-sess' }, user), DigestErrorCode.NO_USABLE_CHALLENGE);
  assertDigestError(() => answerChallenge([], user), DigestErrorCode.NO_USABLE_CHALLENGE);
});

test('refuses a nonce-count outside 1 to ffffffff', () => {
  for (const nc of [0, -1, 1.5, 0x1_0000_0000]) {
    assertDigestError(() => answerChallenge(md5, { ...user, nc }), DigestErrorCode.INVALID_PARAM);
  }
});

test('a session counts up per nonce and starts again at 1 for a new nonce', () => {
  const session = new DigestClientSession({ username: '1001', password: 'pw' });
  const request = { method: 'REGISTER', uri: 'sip:trunk.test' };
  const ncOf = (challenge: DigestChallenge): string | undefined => parseDigestCredentials(session.answer(challenge, request)).nc;
  assert.equal(ncOf(md5), '00000001');
  assert.equal(ncOf(md5), '00000002');
  assert.equal(ncOf({ ...md5, nonce: 'other' }), '00000001');
  assert.equal(ncOf(md5), '00000003');
});

test('a session remembers a bounded number of nonces', () => {
  const session = new DigestClientSession({ username: '1001', password: 'pw' });
  const request = { method: 'REGISTER', uri: 'sip:trunk.test' };
  session.answer(md5, request);
  for (let i = 0; i < DigestClientSession.maxNonces; i += 1) session.answer({ ...md5, nonce: `n${i}` }, request);
  // The first nonce was the least recently used and has been forgotten, so it counts from 1 again.
  assert.equal(parseDigestCredentials(session.answer(md5, request)).nc, '00000001');
});
