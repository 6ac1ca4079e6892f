import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLockout } from '../../src/security/failure-lockout.ts';
import { DigestGuard, type GuardOutcome } from '../../src/pbx/digest-guard.ts';
import { ExtensionAttackWatch, type AttackEpisode } from '../../src/pbx/extension-attack-watch.ts';
import { answerChallenge, parseDigestChallenge, parseDigestCredentials, type DigestChallenge } from '../../src/sip/auth/index.ts';
import { getHeaders, parseMessage } from '../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message/types.ts';
import { itemAt } from '../support/item-at.ts';

const REALM = 'pbx.test';
const REQUEST_URI = 'sip:pbx.test';
const SECRETS: Record<string, string> = { '1001': 'secret-1001', '1002': 'secret-1002' };

/** The SIP credential of a test extension; none for any other name (`constructor` included). */
function credentialOf(user: string): { password: string; user: string } | undefined {
  const password = Object.hasOwn(SECRETS, user) ? SECRETS[user] : undefined;
  return password === undefined ? undefined : { password, user };
}
const POLICY = { limit: 3, windowMs: 60_000, banMs: 600_000 };
const SCANNER = '192.0.2.66';
const PHONE = '192.0.2.10';
/** The default nonce lifetime of NonceManager. */
const NONCE_LIFETIME_MS = 300_000;

type Role = 'registrar' | 'proxy';

// Date is mocked so that the guard's own nonce manager and the limiter share one clock.
beforeEach(() => mock.timers.enable({ apis: ['Date'], now: Date.UTC(2025, 0, 15, 12) }));
afterEach(() => mock.timers.reset());

function request(method: 'REGISTER' | 'INVITE', credentials: string[] = [], header = 'Authorization'): SipRequest {
  const lines = [
    `${method} ${REQUEST_URI} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-guard',
    'Max-Forwards: 70',
    'From: <sip:1001@pbx.test>;tag=from-1',
    'To: <sip:1001@pbx.test>',
    'Call-ID: guard-call',
    `CSeq: 1 ${method}`,
    'Contact: <sip:1001@127.0.0.1:5070>',
    ...credentials.map((value) => `${header}: ${value}`),
    'Content-Length: 0',
    '',
    '',
  ];
  const message = parseMessage(Buffer.from(lines.join('\r\n')));
  assert.equal(message.type, 'request');
  return message;
}

function fixture() {
  const bans: Array<{ address: string; until: number }> = [];
  const guard = new DigestGuard({
    realm: REALM,
    credentialOf,
    limiter: new FailureLockout(POLICY),
    onBan: (address, until) => bans.push({ address, until }),
  });
  return { guard, bans };
}

function challengeHeader(role: Role): string {
  return role === 'proxy' ? 'Proxy-Authenticate' : 'WWW-Authenticate';
}

function challengesOf(outcome: GuardOutcome, role: Role = 'registrar'): DigestChallenge[] {
  assert.equal(outcome.ok, false);
  return getHeaders(outcome.response, challengeHeader(role)).map(parseDigestChallenge);
}

/** A fresh challenge, answered the way a client would, as the request that carries the answer. */
function answered(guard: DigestGuard, options: { username?: string; password?: string; role?: Role; from?: string; md5Only?: boolean } = {}): SipRequest {
  const role = options.role ?? 'registrar';
  const method = role === 'proxy' ? 'INVITE' : 'REGISTER';
  const challenges = challengesOf(guard.authenticate(request(method), options.from ?? PHONE, role), role);
  const username = options.username ?? '1001';
  const value = answerChallenge(options.md5Only === true ? itemAt(challenges, 0) : challenges, {
    username,
    // An unknown user answers with an empty password: the guard refuses the user either way.
    password: options.password ?? credentialOf(username)?.password ?? '',
    method,
    uri: REQUEST_URI,
  });
  return request(method, [value], role === 'proxy' ? 'Proxy-Authorization' : 'Authorization');
}

type Refusal = Extract<GuardOutcome, { ok: false }>;

function failure(outcome: GuardOutcome): Refusal {
  assert.equal(outcome.ok, false, 'expected the request to be refused');
  return outcome;
}

/** Everything of a challenge response but its nonces. */
function challengeShape(response: SipResponse) {
  return {
    status: response.status,
    headers: response.headers.map((h) => h.name),
    challenges: response.headers
      .filter((h) => h.name === 'WWW-Authenticate' || h.name === 'Proxy-Authenticate')
      .map((h) => ({ ...parseDigestChallenge(h.value), nonce: undefined })),
  };
}

describe('challenges (RFC 3261 §22.1, §22.3)', () => {
  test('answers a REGISTER without credentials with 401 offering MD5 first and SHA-256 too', () => {
    const { guard } = fixture();
    const outcome = failure(guard.authenticate(request('REGISTER'), PHONE, 'registrar'));
    assert.equal(outcome.reason, 'challenge');
    assert.equal(outcome.response.status, 401);
    assert.deepEqual(getHeaders(outcome.response, 'Proxy-Authenticate'), []);
    const challenges = challengesOf(outcome);
    assert.deepEqual(
      challenges.map((c) => c.algorithm),
      ['MD5', 'SHA-256'],
    );
    for (const challenge of challenges) {
      assert.equal(challenge.realm, REALM);
      assert.deepEqual(challenge.qop, ['auth']);
      assert.notEqual(challenge.stale, true);
    }
  });

  test('answers a proxied request without credentials with 407 and Proxy-Authenticate', () => {
    const { guard } = fixture();
    const outcome = failure(guard.authenticate(request('INVITE'), PHONE, 'proxy'));
    assert.equal(outcome.response.status, 407);
    assert.deepEqual(getHeaders(outcome.response, 'WWW-Authenticate'), []);
    assert.deepEqual(
      challengesOf(outcome, 'proxy').map((c) => c.algorithm),
      ['MD5', 'SHA-256'],
    );
  });

  test('ignores credentials for another realm and challenges without counting a failure', () => {
    const { guard, bans } = fixture();
    const foreign = answerChallenge(
      { realm: 'elsewhere.test', nonce: 'abc', algorithm: 'MD5', qop: ['auth'] },
      { username: '1001', password: 'secret-1001', method: 'REGISTER', uri: REQUEST_URI },
    );
    for (let i = 0; i < POLICY.limit + 1; i++) {
      const outcome = failure(guard.authenticate(request('REGISTER', [foreign]), SCANNER, 'registrar'));
      assert.equal(outcome.reason, 'challenge');
      assert.equal(outcome.response.status, 401);
    }
    assert.deepEqual(bans, []);
  });

  test('ignores Authorization when it authenticates as a proxy', () => {
    const { guard } = fixture();
    const registrarAnswer = answered(guard);
    const invite = request('INVITE', getHeaders(registrarAnswer, 'Authorization'));
    assert.equal(failure(guard.authenticate(invite, PHONE, 'proxy')).reason, 'challenge');
  });
});

describe('verification', () => {
  for (const [label, options, algorithm] of [
    ['a registrar, with SHA-256', { role: 'registrar' }, 'SHA-256'],
    ['a registrar, with MD5 from a client that reads only the first challenge', { role: 'registrar', md5Only: true }, 'MD5'],
    ['a proxy', { role: 'proxy' }, 'SHA-256'],
  ] as const) {
    test(`accepts the correct answer as ${label} and names the user`, () => {
      const { guard } = fixture();
      const answer = answered(guard, { ...options, username: '1002' });
      const credentials = itemAt(getHeaders(answer, options.role === 'proxy' ? 'Proxy-Authorization' : 'Authorization'), 0);
      assert.equal(parseDigestCredentials(credentials).algorithm, algorithm);
      assert.deepEqual(guard.authenticate(answer, PHONE, options.role), { ok: true, user: '1002' });
    });
  }

  test('answers a wrong password and an unknown user with the same challenge', () => {
    const { guard } = fixture();
    const wrongPassword = failure(guard.authenticate(answered(guard, { password: 'guess' }), SCANNER, 'registrar'));
    const unknownUser = failure(guard.authenticate(answered(guard, { username: '9999', password: 'guess' }), SCANNER, 'registrar'));
    assert.equal(wrongPassword.reason, 'failed');
    assert.equal(unknownUser.reason, 'failed');
    assert.equal(wrongPassword.response.status, 401);
    assert.deepEqual(challengeShape(unknownUser.response), challengeShape(wrongPassword.response));
    assert.equal(challengesOf(wrongPassword).length, 2);
  });

  test('refuses an answer replayed with the same nonce-count', () => {
    const { guard } = fixture();
    const register = answered(guard);
    assert.equal(guard.authenticate(register, PHONE, 'registrar').ok, true);
    assert.equal(failure(guard.authenticate(register, PHONE, 'registrar')).response.status, 401);
  });
});

describe('stale nonces (RFC 7616 §3.3)', () => {
  test('answers a correct digest with an expired nonce with stale=true and counts no failure', () => {
    const { guard, bans } = fixture();
    for (let i = 0; i < POLICY.limit + 1; i++) {
      const register = answered(guard);
      mock.timers.tick(NONCE_LIFETIME_MS + 1);
      const outcome = failure(guard.authenticate(register, PHONE, 'registrar'));
      assert.equal(outcome.reason, 'stale');
      assert.equal(outcome.response.status, 401);
      assert.deepEqual(
        challengesOf(outcome).map((c) => c.stale),
        [true, true],
      );
    }
    assert.deepEqual(bans, []);
    assert.equal(guard.authenticate(answered(guard), PHONE, 'registrar').ok, true);
  });

  test('counts a wrong password with an expired nonce as a failure, without stale=true', () => {
    const { guard } = fixture();
    const register = answered(guard, { password: 'guess' });
    mock.timers.tick(NONCE_LIFETIME_MS + 1);
    const outcome = failure(guard.authenticate(register, PHONE, 'registrar'));
    assert.equal(outcome.reason, 'failed');
    assert.deepEqual(
      challengesOf(outcome).map((c) => c.stale),
      [undefined, undefined],
    );
  });
});

describe('bans after repeated failures', () => {
  test('bans the address at the limit, telling onBan once, then refuses even correct answers with 403', () => {
    const { guard, bans } = fixture();
    const bannedAt = Date.now();
    for (let i = 0; i < POLICY.limit; i++) {
      assert.equal(failure(guard.authenticate(answered(guard, { password: 'guess', from: SCANNER }), SCANNER, 'registrar')).reason, 'failed');
    }
    assert.deepEqual(bans, [{ address: SCANNER, until: bannedAt + POLICY.banMs }]);

    for (const role of ['registrar', 'proxy'] as const) {
      const outcome = failure(guard.authenticate(answered(guard, { role, from: PHONE }), SCANNER, role));
      assert.equal(outcome.reason, 'banned');
      assert.equal(outcome.response.status, 403);
      assert.deepEqual(getHeaders(outcome.response, challengeHeader(role)), []);
    }
    assert.equal(failure(guard.authenticate(request('REGISTER'), SCANNER, 'registrar')).response.status, 403);
    assert.equal(bans.length, 1);
  });

  test('leaves other addresses unaffected by a ban', () => {
    const { guard } = fixture();
    for (let i = 0; i < POLICY.limit; i++) guard.authenticate(answered(guard, { password: 'guess' }), SCANNER, 'registrar');
    assert.deepEqual(guard.authenticate(answered(guard), PHONE, 'registrar'), { ok: true, user: '1001' });
    assert.equal(failure(guard.authenticate(request('REGISTER'), PHONE, 'registrar')).response.status, 401);
  });

  test('accepts the address again once the ban is over', () => {
    const { guard } = fixture();
    for (let i = 0; i < POLICY.limit; i++) guard.authenticate(answered(guard, { password: 'guess' }), SCANNER, 'registrar');
    mock.timers.tick(POLICY.banMs);
    assert.equal(guard.authenticate(answered(guard), SCANNER, 'registrar').ok, true);
  });

  test('forgets earlier failures of an address after it authenticates successfully', () => {
    const { guard, bans } = fixture();
    const fail = () => failure(guard.authenticate(answered(guard, { password: 'typo' }), PHONE, 'registrar'));
    for (let i = 0; i < POLICY.limit - 1; i++) fail();
    assert.equal(guard.authenticate(answered(guard), PHONE, 'registrar').ok, true);
    for (let i = 0; i < POLICY.limit - 1; i++) fail();
    assert.deepEqual(bans, []);
    fail();
    assert.equal(bans.length, 1);
  });
});

describe('credentials that stand for an extension (the pane’s short-lived ones)', () => {
  const PANE_USER = '1001.1736942400';
  function paneFixture() {
    const bans: Array<{ address: string; until: number }> = [];
    const guard = new DigestGuard({
      realm: REALM,
      credentialOf: (username) => (username === PANE_USER ? { password: 'pane-password', user: '1001' } : undefined),
      limiter: new FailureLockout(POLICY),
      onBan: (address, until) => bans.push({ address, until }),
    });
    return { guard, bans };
  }

  test('names the extension the credential proves, not the digest username', () => {
    const { guard } = paneFixture();
    for (const role of ['registrar', 'proxy'] as const) {
      const answer = answered(guard, { role, username: PANE_USER, password: 'pane-password' });
      assert.deepEqual(guard.authenticate(answer, PHONE, role), { ok: true, user: '1001' });
    }
  });

  test('counts a credential the lookup does not know (forged, or of a deleted extension) as a failure, up to a ban', () => {
    const { guard, bans } = paneFixture();
    for (let i = 0; i < POLICY.limit; i++) {
      const outcome = failure(guard.authenticate(answered(guard, { username: '1001.1000000000', password: 'pane-password', from: SCANNER }), SCANNER, 'registrar'));
      assert.equal(outcome.reason, 'failed');
      assert.equal(outcome.response.status, 401);
    }
    assert.equal(bans.length, 1);
  });
});

describe('what a verified digest proves', () => {
  const PANE_USER = '1001.1736942400.0123456789abcdef';
  function paneGuard(): DigestGuard {
    return new DigestGuard({
      realm: REALM,
      credentialOf: (user) => {
        if (user === PANE_USER) return { password: 'pane-password', user: '1001', sessionTag: '0123456789abcdef' };
        return credentialOf(user);
      },
      limiter: new FailureLockout(POLICY),
    });
  }

  test('names the extension and the web session for a pane credential', () => {
    const guard = paneGuard();
    const outcome = guard.authenticate(answered(guard, { username: PANE_USER, password: 'pane-password' }), PHONE, 'registrar');
    assert.deepEqual(outcome, { ok: true, user: '1001', sessionTag: '0123456789abcdef' });
  });

  test("names no web session for an extension's own secret", () => {
    const guard = paneGuard();
    assert.deepEqual(guard.authenticate(answered(guard), PHONE, 'registrar'), { ok: true, user: '1001' });
  });
});

describe('a genuine pane credential that has expired or whose web session ended', () => {
  const EXPIRED_USER = '1001.1736942400.0123456789abcdef';
  function expiredFixture() {
    const bans: Array<{ address: string; until: number }> = [];
    const attacks = new ExtensionAttackWatch({ threshold: 3, windowMs: 600_000, firstDelayMs: 1_000, maxDelayMs: 4_000, maxTrackedUnknown: 10 });
    const guard = new DigestGuard({
      realm: REALM,
      credentialOf: (user) => {
        if (user === EXPIRED_USER) return { password: 'pane-password', user: '1001', sessionTag: '0123456789abcdef', expired: true };
        return credentialOf(user);
      },
      limiter: new FailureLockout(POLICY),
      attacks,
      onBan: (address, until) => bans.push({ address, until }),
    });
    return { guard, bans, attacks };
  }

  test('is refused with a challenge, like a wrong password, but counts toward no ban and no attack', () => {
    const { guard, bans, attacks } = expiredFixture();
    for (let i = 0; i < 2 * POLICY.limit; i++) {
      const outcome = failure(guard.authenticate(answered(guard, { username: EXPIRED_USER, password: 'pane-password', from: SCANNER }), SCANNER, 'registrar'));
      assert.equal(outcome.reason, 'expired');
      assert.equal(outcome.target, '1001');
      assert.equal(outcome.delayMs, undefined);
      assert.equal(outcome.response.status, 401);
      assert.equal(challengesOf(outcome).length, 2);
    }
    assert.deepEqual(bans, []);
    assert.equal(attacks.tracked, 0);
    // The address is not banned: the agent's own secret still registers from it.
    assert.deepEqual(guard.authenticate(answered(guard, { from: SCANNER }), SCANNER, 'registrar'), { ok: true, user: '1001' });
  });

  test('with a wrong password (a forged credential) still counts as a guess, up to a ban', () => {
    const { guard, bans } = expiredFixture();
    for (let i = 0; i < POLICY.limit; i++) {
      const outcome = failure(guard.authenticate(answered(guard, { username: EXPIRED_USER, password: 'forged', from: SCANNER }), SCANNER, 'registrar'));
      assert.equal(outcome.reason, 'failed');
    }
    assert.equal(bans.length, 1);
    assert.equal(failure(guard.authenticate(answered(guard), SCANNER, 'registrar')).reason, 'banned');
  });
});

describe('guessing one extension from many addresses', () => {
  const ATTACK = { threshold: 4, windowMs: 600_000, firstDelayMs: 1_000, maxDelayMs: 4_000, maxTrackedUnknown: 10 };
  function spreadFixture() {
    const started: AttackEpisode[] = [];
    const bans: string[] = [];
    const guard = new DigestGuard({
      realm: REALM,
      credentialOf,
      limiter: new FailureLockout(POLICY),
      attacks: new ExtensionAttackWatch(ATTACK, { onAttackStarted: (episode) => started.push(episode) }),
      onBan: (address) => bans.push(address),
    });
    return { guard, started, bans };
  }
  const attacker = (i: number) => `198.51.100.${i}`;

  test('raises the signal once and delays the answers to further guesses, while the right password gets in at once', () => {
    const { guard, started, bans } = spreadFixture();
    const delays: Array<number | undefined> = [];
    for (let i = 0; i < 2 * ATTACK.threshold; i++) {
      const outcome = failure(guard.authenticate(answered(guard, { password: `guess-${i}`, from: attacker(i) }), attacker(i), 'registrar'));
      assert.equal(outcome.reason, 'failed');
      assert.equal(outcome.target, '1001');
      delays.push(outcome.delayMs);
    }
    // One failure per address: no ban, yet the extension is under attack from the threshold on.
    assert.deepEqual(bans, []);
    assert.deepEqual(delays, [undefined, undefined, undefined, 1_000, 1_000, 1_000, 1_000, 2_000]);
    assert.deepEqual(
      started.map((episode) => episode.account),
      ['1001'],
    );
    assert.deepEqual(guard.authenticate(answered(guard, { from: attacker(99) }), attacker(99), 'registrar'), { ok: true, user: '1001' });
    // A proxied request (407) to the same extension is slowed down alike; another extension is not.
    assert.equal(failure(guard.authenticate(answered(guard, { role: 'proxy', password: 'guess', from: attacker(50) }), attacker(50), 'proxy')).delayMs, 2_000);
    assert.equal(failure(guard.authenticate(answered(guard, { username: '1002', password: 'guess', from: attacker(51) }), attacker(51), 'registrar')).delayMs, undefined);
  });

  test('delays guesses at a username that is no extension alike, naming no target', () => {
    const { guard, started } = spreadFixture();
    const delays: Array<number | undefined> = [];
    for (let i = 0; i < ATTACK.threshold + 1; i++) {
      const outcome = failure(guard.authenticate(answered(guard, { username: '9999', password: `guess-${i}`, from: attacker(i) }), attacker(i), 'registrar'));
      assert.equal(outcome.target, undefined);
      delays.push(outcome.delayMs);
    }
    assert.deepEqual(delays, [undefined, undefined, undefined, 1_000, 1_000]);
    assert.deepEqual(started, []);
  });

  test('never bans a trusted proxy speaking for itself (neverBan), however often it fails, but counts its failures per extension', () => {
    const proxy = '203.0.113.5';
    const { guard, bans, started } = spreadFixture();
    for (let i = 0; i < 3 * POLICY.limit; i++) {
      assert.equal(failure(guard.authenticate(answered(guard, { password: `guess-${i}`, from: proxy }), proxy, 'registrar', true)).reason, 'failed');
    }
    assert.deepEqual(bans, []);
    assert.deepEqual(
      started.map((episode) => episode.account),
      ['1001'],
    );
    assert.deepEqual(guard.authenticate(answered(guard, { from: proxy }), proxy, 'registrar', true), { ok: true, user: '1001' });
  });

  test('bans the same address when it is not the proxy speaking for itself (a phone over UDP there), and still lets the proxy in', () => {
    const address = '203.0.113.5';
    const { guard, bans } = spreadFixture();
    // Answered before the ban: a banned address gets no challenge to answer.
    const [fromPhone, fromProxy] = [answered(guard, { from: address }), answered(guard, { from: address })];
    for (let i = 0; i < POLICY.limit; i++) guard.authenticate(answered(guard, { password: `guess-${i}`, from: address }), address, 'registrar');
    assert.deepEqual(bans, [address]);
    assert.equal(failure(guard.authenticate(fromPhone, address, 'registrar')).reason, 'banned');
    assert.deepEqual(guard.authenticate(fromProxy, address, 'registrar', true), { ok: true, user: '1001' }, 'the proxy itself is never refused as banned');
  });
});
