import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerChallenge } from '../../../src/sip/auth/digest-client.ts';
import { parseDigestChallenge, parseDigestCredentials, type DigestCredentials } from '../../../src/sip/auth/digest-header.ts';
import { computeHa1, type DigestAlgorithm } from '../../../src/sip/auth/digest-hash.ts';
import { DigestAuthenticator, type DigestSecretLookup } from '../../../src/sip/auth/digest-server.ts';
import { NonceManager } from '../../../src/sip/auth/nonce-manager.ts';
import { itemAt } from '../../support/item-at.ts';

const realm = 'callpane.test';
const uri = 'sip:callpane.test;transport=ws';
const users: Record<string, string> = { '1001': 'secret-1001', 'ann"quoted': 'pa ss' };

function passwordOf(username: string): string {
  const password = users[username];
  if (password === undefined) throw new Error(`no test user ${username}`);
  return password;
}
const byPassword: DigestSecretLookup = (username, r) => (r === realm && Object.hasOwn(users, username) ? { password: users[username] } : undefined);

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_700_000_000_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

/** What a client sends after the given challenge line, parsed back the way the server sees it. */
function answer(challengeLine: string, options: { username?: string; password?: string; method?: string; uri?: string; nc?: number } = {}): DigestCredentials {
  const username = options.username ?? '1001';
  return parseDigestCredentials(
    answerChallenge(parseDigestChallenge(challengeLine), {
      username,
      password: options.password ?? passwordOf(username),
      method: options.method ?? 'REGISTER',
      uri: options.uri ?? uri,
      nc: options.nc,
    }),
  );
}

function challengeFor(auth: DigestAuthenticator, algorithm: DigestAlgorithm): string {
  const line = auth.challenge().values.find((value) => parseDigestChallenge(value).algorithm === algorithm);
  assert.ok(line, `no ${algorithm} challenge`);
  return line;
}

test('challenges as a registrar or UAS with WWW-Authenticate, SHA-256 first then MD5, qop="auth"', () => {
  const { header, values } = new DigestAuthenticator({ realm }).challenge();
  assert.equal(header, 'WWW-Authenticate');
  const parsed = values.map(parseDigestChallenge);
  assert.deepEqual(
    parsed.map((c) => c.algorithm),
    ['SHA-256', 'MD5'],
  );
  for (const c of parsed) {
    assert.equal(c.realm, realm);
    assert.deepEqual(c.qop, ['auth']);
    assert.equal(c.stale, undefined);
    assert.equal(c.opaque, undefined);
  }
  assert.equal(itemAt(parsed, 0).nonce, itemAt(parsed, 1).nonce);
});

test('challenges as a proxy with Proxy-Authenticate', () => {
  assert.equal(new DigestAuthenticator({ realm }).challenge({ proxy: true }).header, 'Proxy-Authenticate');
});

test('marks a re-challenge stale and includes the configured opaque', () => {
  const { values } = new DigestAuthenticator({ realm, algorithms: ['MD5'], opaque: 'cp-1' }).challenge({ stale: true });
  assert.equal(values.length, 1);
  assert.deepEqual(parseDigestChallenge(itemAt(values, 0)), {
    realm,
    nonce: parseDigestChallenge(itemAt(values, 0)).nonce,
    algorithm: 'MD5',
    qop: ['auth'],
    opaque: 'cp-1',
    stale: true,
  });
});

test('offers the algorithms in the configured order', () => {
  const { values } = new DigestAuthenticator({ realm, algorithms: ['MD5', 'SHA-256'] }).challenge();
  assert.deepEqual(
    values.map((v) => parseDigestChallenge(v).algorithm),
    ['MD5', 'SHA-256'],
  );
});

test('refuses an empty or repeated algorithm list', () => {
  assert.throws(() => new DigestAuthenticator({ realm, algorithms: [] }), RangeError);
  assert.throws(() => new DigestAuthenticator({ realm, algorithms: ['MD5', 'MD5'] }), RangeError);
});

for (const algorithm of ['SHA-256', 'MD5'] as const) {
  test(`accepts a client's ${algorithm} answer with the right password`, () => {
    const auth = new DigestAuthenticator({ realm });
    const credentials = answer(challengeFor(auth, algorithm));
    assert.equal(credentials.algorithm, algorithm);
    assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: true, username: '1001' });
  });

  test(`accepts a ${algorithm} answer checked against a stored H(A1)`, () => {
    const auth = new DigestAuthenticator({ realm });
    const credentials = answer(challengeFor(auth, algorithm));
    const ha1 = computeHa1(algorithm, '1001', realm, passwordOf('1001'));
    const lookup: DigestSecretLookup = () => ({ ha1: algorithm === 'MD5' ? { md5: ha1 } : { sha256: ha1 } });
    assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, lookup), { ok: true, username: '1001' });
  });

  test(`answers bad-response to a ${algorithm} answer with the wrong password`, () => {
    const auth = new DigestAuthenticator({ realm });
    const credentials = answer(challengeFor(auth, algorithm), { password: 'guess' });
    assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: false, reason: 'bad-response' });
  });
}

test('accepts a username that needs escaping', () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = answer(challengeFor(auth, 'SHA-256'), { username: 'ann"quoted' });
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: true, username: 'ann"quoted' });
});

test('accepts a response digest written in upper-case hex', () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = answer(challengeFor(auth, 'MD5'));
  const upper = { ...credentials, response: credentials.response.toUpperCase() };
  assert.equal(auth.verify({ method: 'REGISTER', uri, credentials: upper }, byPassword).ok, true);
});

test('answers bad-response when the method differs from the one the digest covers', () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = answer(challengeFor(auth, 'SHA-256'), { method: 'REGISTER' });
  assert.deepEqual(auth.verify({ method: 'INVITE', uri, credentials }, byPassword), { ok: false, reason: 'bad-response' });
});

test('answers bad-response to a truncated or empty response digest', () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = answer(challengeFor(auth, 'SHA-256'));
  for (const response of [credentials.response.slice(0, 32), '']) {
    assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials: { ...credentials, response } }, byPassword), {
      ok: false,
      reason: 'bad-response',
    });
  }
});

test('answers unknown-user when the lookup knows no such user', () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = answer(challengeFor(auth, 'MD5'), { username: '9999', password: 'x' });
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: false, reason: 'unknown-user' });
});

test('refuses a replayed nonce-count and accepts the same nonce with a higher one', () => {
  const auth = new DigestAuthenticator({ realm });
  const line = challengeFor(auth, 'SHA-256');
  const first = answer(line, { nc: 1 });
  assert.equal(auth.verify({ method: 'REGISTER', uri, credentials: first }, byPassword).ok, true);
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials: first }, byPassword), { ok: false, reason: 'replay' });
  const second = answer(line, { nc: 2 });
  assert.equal(auth.verify({ method: 'REGISTER', uri, credentials: second }, byPassword).ok, true);
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials: second }, byPassword), { ok: false, reason: 'replay' });
});

test('a forged request cannot burn the nonce-counts of a real client', () => {
  const auth = new DigestAuthenticator({ realm });
  const line = challengeFor(auth, 'MD5');
  const forged = answer(line, { nc: 0xffffffff, password: 'guess' });
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials: forged }, byPassword), { ok: false, reason: 'bad-response' });
  assert.equal(auth.verify({ method: 'REGISTER', uri, credentials: answer(line, { nc: 1 }) }, byPassword).ok, true);
});

test('answers stale-nonce to the right password on an expired nonce, and the stale re-challenge works', () => {
  const time = clock();
  const auth = new DigestAuthenticator({ realm, nonces: new NonceManager({ lifetimeMs: 30_000, now: time.now }) });
  const credentials = answer(challengeFor(auth, 'SHA-256'));
  time.advance(30_001);
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: false, reason: 'stale-nonce' });
  const retry = auth.challenge({ stale: true });
  assert.equal(parseDigestChallenge(itemAt(retry.values, 0)).stale, true);
  assert.equal(auth.verify({ method: 'REGISTER', uri, credentials: answer(itemAt(retry.values, 0)) }, byPassword).ok, true);
});

test('answers bad-response, not stale, to a wrong password on an expired nonce', () => {
  const time = clock();
  const auth = new DigestAuthenticator({ realm, nonces: new NonceManager({ lifetimeMs: 30_000, now: time.now }) });
  const credentials = answer(challengeFor(auth, 'SHA-256'), { password: 'guess' });
  time.advance(30_001);
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: false, reason: 'bad-response' });
});

test('answers invalid-nonce to a nonce it did not issue or that was tampered with', () => {
  const auth = new DigestAuthenticator({ realm });
  const foreign = answer(challengeFor(new DigestAuthenticator({ realm }), 'SHA-256'));
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials: foreign }, byPassword), { ok: false, reason: 'invalid-nonce' });
  const line = challengeFor(auth, 'SHA-256');
  const nonce = parseDigestChallenge(line).nonce;
  const tampered = line.replace(nonce, (nonce[0] === 'x' ? 'y' : 'x') + nonce.slice(1));
  assert.notEqual(tampered, line);
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials: answer(tampered) }, byPassword), {
    ok: false,
    reason: 'invalid-nonce',
  });
});

test('answers realm-mismatch to credentials for another realm', () => {
  const auth = new DigestAuthenticator({ realm });
  const other = answer(challengeFor(auth, 'SHA-256').replace(`realm="${realm}"`, 'realm="elsewhere"'));
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials: other }, byPassword), { ok: false, reason: 'realm-mismatch' });
});

test('answers uri-mismatch when the digest-uri is not the Request-URI', () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = answer(challengeFor(auth, 'SHA-256'), { uri: 'sip:other.test' });
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: false, reason: 'uri-mismatch' });
});

test('answers unsupported-algorithm to an algorithm it does not implement or did not offer', () => {
  const md5Only = new DigestAuthenticator({ realm, algorithms: ['MD5'] });
  const sha = answer(challengeFor(new DigestAuthenticator({ realm, nonces: md5Only.nonces }), 'SHA-256'));
  assert.deepEqual(md5Only.verify({ method: 'REGISTER', uri, credentials: sha }, byPassword), {
    ok: false,
    reason: 'unsupported-algorithm',
  });
  const sess = { ...answer(challengeFor(md5Only, 'MD5')), algorithm: 'MD5-sess' };
  assert.deepEqual(md5Only.verify({ method: 'REGISTER', uri, credentials: sess }, byPassword), {
    ok: false,
    reason: 'unsupported-algorithm',
  });
});

test("answers unsupported-algorithm when the user has only the other algorithm's H(A1)", () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = answer(challengeFor(auth, 'SHA-256'));
  const lookup: DigestSecretLookup = () => ({ ha1: { md5: computeHa1('MD5', '1001', realm, passwordOf('1001')) } });
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, lookup), { ok: false, reason: 'unsupported-algorithm' });
});

test('refuses an RFC 2069-style answer without qop even when its digest is right (downgrade)', () => {
  const auth = new DigestAuthenticator({ realm, algorithms: ['MD5'] });
  const nonce = parseDigestChallenge(itemAt(auth.challenge().values, 0)).nonce;
  const ha1 = computeHa1('MD5', '1001', realm, passwordOf('1001'));
  const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
  const response = md5(`${ha1}:${nonce}:${md5(`REGISTER:${uri}`)}`);
  const credentials = parseDigestCredentials(`Digest username="1001", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`);
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: false, reason: 'missing-qop' });
});

test('refuses qop=auth-int, which it never offers', () => {
  const auth = new DigestAuthenticator({ realm });
  const credentials = { ...answer(challengeFor(auth, 'MD5')), qop: 'auth-int' };
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri, credentials }, byPassword), { ok: false, reason: 'missing-qop' });
});
