/**
 * The browser pane registers through JsSIP, whose DigestAuthentication speaks MD5 with qop=auth
 * and reads only the first WWW-Authenticate / Proxy-Authenticate line of a response. These tests
 * run JsSIP's own header grammar and digest code against our challenges and verifier.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { parseDigestCredentials } from '../../../src/sip/auth/digest-header.ts';
import { DigestAuthenticator, type DigestSecretLookup } from '../../../src/sip/auth/digest-server.ts';
import { itemAt } from '../../support/item-at.ts';

interface JsSipChallenge {
  realm: string;
  nonce: string;
  algorithm?: string;
  qop?: string[];
  stale?: boolean;
}
interface JsSipDigest {
  authenticate(request: { method: string; ruri: string; body?: string }, challenge: JsSipChallenge): boolean;
  toString(): string;
}

const require = createRequire(import.meta.url);
const Grammar = require('jssip/lib/Grammar.js') as { parse(input: string, rule: string): JsSipChallenge | -1 };
const DigestAuthentication = require('jssip/lib/DigestAuthentication.js') as new (credentials: { username: string; password: string }) => JsSipDigest;

const realm = 'callpane.test';
const ruri = 'sip:callpane.test';
const lookup: DigestSecretLookup = (username) => (username === '1001' ? { password: 's3cret' } : undefined);

function jssipParse(value: string, rule: 'WWW_Authenticate' | 'Proxy_Authenticate'): JsSipChallenge {
  const parsed = Grammar.parse(value, rule);
  assert.notEqual(parsed, -1, `JsSIP cannot parse ${value}`);
  return parsed as JsSipChallenge;
}

test('JsSIP answers an MD5 challenge with credentials the authenticator accepts', () => {
  const auth = new DigestAuthenticator({ realm, algorithms: ['MD5'], opaque: 'op' });
  for (const method of ['REGISTER', 'INVITE']) {
    const challenge = jssipParse(itemAt(auth.challenge().values, 0), 'WWW_Authenticate');
    const digest = new DigestAuthentication({ username: '1001', password: 's3cret' });
    assert.equal(digest.authenticate({ method, ruri }, challenge), true);
    const credentials = parseDigestCredentials(digest.toString());
    assert.equal(credentials.qop, 'auth');
    assert.equal(credentials.opaque, 'op');
    assert.deepEqual(auth.verify({ method, uri: ruri, credentials }, lookup), { ok: true, username: '1001' });
  }
});

test('JsSIP answers a proxy challenge and reads the stale flag', () => {
  const auth = new DigestAuthenticator({ realm, algorithms: ['MD5', 'SHA-256'] });
  const { header, values } = auth.challenge({ proxy: true, stale: true });
  assert.equal(header, 'Proxy-Authenticate');
  const challenge = jssipParse(itemAt(values, 0), 'Proxy_Authenticate');
  assert.equal(challenge.stale, true);
  const digest = new DigestAuthentication({ username: '1001', password: 's3cret' });
  assert.equal(digest.authenticate({ method: 'INVITE', ruri }, challenge), true);
  const credentials = parseDigestCredentials(digest.toString());
  assert.deepEqual(auth.verify({ method: 'INVITE', uri: ruri, credentials }, lookup), { ok: true, username: '1001' });
});

test('JsSIP with the wrong password is refused', () => {
  const auth = new DigestAuthenticator({ realm, algorithms: ['MD5'] });
  const digest = new DigestAuthentication({ username: '1001', password: 'wrong' });
  assert.equal(digest.authenticate({ method: 'REGISTER', ruri }, jssipParse(itemAt(auth.challenge().values, 0), 'WWW_Authenticate')), true);
  const credentials = parseDigestCredentials(digest.toString());
  assert.deepEqual(auth.verify({ method: 'REGISTER', uri: ruri, credentials }, lookup), { ok: false, reason: 'bad-response' });
});

// JsSIP reads the first challenge line only and gives up on anything but MD5, so with the
// default SHA-256-first challenge it never authenticates: WebRTC clients need MD5 offered first.
test('JsSIP gives up on the default challenge, whose first line is SHA-256', () => {
  const { values } = new DigestAuthenticator({ realm }).challenge();
  const first = jssipParse(itemAt(values, 0), 'WWW_Authenticate');
  assert.equal(first.algorithm, 'SHA-256');
  const digest = new DigestAuthentication({ username: '1001', password: 's3cret' });
  assert.equal(digest.authenticate({ method: 'REGISTER', ruri }, first), false);
});
