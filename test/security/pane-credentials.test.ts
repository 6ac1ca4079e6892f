import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PANE_CREDENTIAL_LIFETIME_MS, PANE_CREDENTIAL_SECRET_FILE, PaneCredentialError, PaneCredentials } from '../../src/security/pane-credentials.ts';
import { PaneCredentialErrorCode } from '../../src/security/security-errors.ts';

const NOW = Date.UTC(2026, 10, 30, 12);
/** A day-long session: the credential's own lifetime is the shorter bound. */
const SESSION = { id: `0123456789abcdef${'9'.repeat(48)}`, expiresAt: NOW + 24 * 60 * 60 * 1000 };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-pane-credentials-'));
  dirs.push(dir);
  return dir;
}

function clock(start = NOW) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

test('a credential names its extension, expiry and session, and reads as expired from its moment on, with the same password', () => {
  const time = clock();
  const issuer = new PaneCredentials(Buffer.alloc(32, 7), time.now);
  const credential = issuer.issue('1001', SESSION);
  const expiresAtSeconds = (NOW + PANE_CREDENTIAL_LIFETIME_MS) / 1000;
  assert.equal(credential.authorizationUser, `1001.${expiresAtSeconds}.0123456789abcdef`);
  assert.equal(credential.expiresAt, expiresAtSeconds * 1000);
  assert.match(credential.password, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(issuer.read(credential.authorizationUser), { extension: '1001', sessionTag: '0123456789abcdef', password: credential.password, expired: false });
  assert.deepEqual(issuer.verify(credential.authorizationUser), { extension: '1001', sessionTag: '0123456789abcdef', password: credential.password });
  time.advance(PANE_CREDENTIAL_LIFETIME_MS - 1);
  assert.equal(issuer.read(credential.authorizationUser)?.expired, false);
  assert.equal(issuer.verify(credential.authorizationUser)?.password, credential.password);
  time.advance(1);
  // Still read with its password, so that the guard can tell a genuine expired credential from a forged one.
  assert.deepEqual(issuer.read(credential.authorizationUser), { extension: '1001', sessionTag: '0123456789abcdef', password: credential.password, expired: true });
  assert.equal(issuer.verify(credential.authorizationUser), undefined);
});

test('a credential expires no later than its session, rounded down to a second', () => {
  const issuer = new PaneCredentials(Buffer.alloc(32, 7), () => NOW);
  const credential = issuer.issue('1001', { ...SESSION, expiresAt: NOW + 60_500 });
  assert.equal(credential.expiresAt, NOW + 60_000);
  assert.equal(credential.authorizationUser, `1001.${(NOW + 60_000) / 1000}.0123456789abcdef`);
});

test('only a session id (SHA-256 hex) can bind a credential', () => {
  const issuer = new PaneCredentials(Buffer.alloc(32, 7), () => NOW);
  for (const id of ['', '0123456789abcdef', `${'A'.repeat(64)}`, `${'0'.repeat(63)}g`]) {
    assert.throws(
      () => issuer.issue('1001', { ...SESSION, id }),
      (error: unknown) => error instanceof PaneCredentialError && error.code === PaneCredentialErrorCode.INVALID_SESSION,
      id,
    );
  }
});

test('the password depends on the server secret and on every character of the username', () => {
  const one = new PaneCredentials(Buffer.alloc(32, 1), () => NOW);
  const other = new PaneCredentials(Buffer.alloc(32, 2), () => NOW);
  const credential = one.issue('1001', SESSION);
  assert.notEqual(other.issue('1001', SESSION).password, credential.password);
  // Another extension, a later expiry or another session cannot reuse the password.
  const [, expiry, tag] = credential.authorizationUser.split('.');
  assert.notEqual(one.read(`1002.${expiry}.${tag}`)?.password, credential.password);
  assert.notEqual(one.read(`1001.${Number(expiry) + 3600}.${tag}`)?.password, credential.password);
  assert.notEqual(one.read(`1001.${expiry}.fedcba9876543210`)?.password, credential.password);
  assert.notEqual(one.issue('1001', { ...SESSION, id: 'f'.repeat(64) }).password, credential.password);
});

test('usernames that are not pane credentials are not read as one', () => {
  const issuer = new PaneCredentials(Buffer.alloc(32, 7), () => NOW);
  const tag = '0123456789abcdef';
  for (const username of [
    '1001',
    'trunk-user',
    '1001.',
    '.1764547200',
    'abc.1764547200',
    '1001.17645472000000',
    // Without its session (the form before credentials were bound to one), or with a malformed one.
    '1001.1764547200',
    `1001.1764547200.${tag}.`,
    '1001.1764547200.1',
    '1001.1764547200.0123456789ABCDEF',
    `1001.1764547200.${tag}0`,
    `abc.1764547200.${tag}`,
  ]) {
    assert.equal(issuer.read(username), undefined, username);
  }
});

test('the server secret is created once at first start, readable by the owner only, and reused', () => {
  const dir = dataDir();
  const first = PaneCredentials.load(dir, () => NOW).issue('1001', SESSION);
  const file = join(dir, PANE_CREDENTIAL_SECRET_FILE);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const { secret } = JSON.parse(readFileSync(file, 'utf8')) as { secret: string };
  assert.equal(Buffer.from(secret, 'base64url').length, 32);
  assert.equal(PaneCredentials.load(dir, () => NOW).read(first.authorizationUser)?.password, first.password);
  assert.notEqual(PaneCredentials.load(dataDir(), () => NOW).issue('1001', SESSION).password, first.password);
});

test('a damaged secret file is refused with a message naming the file but not its content', () => {
  const dir = dataDir();
  const file = join(dir, PANE_CREDENTIAL_SECRET_FILE);
  writeFileSync(file, '{"secret": "top-secret-value"');
  assert.throws(
    () => PaneCredentials.load(dir),
    (error: unknown) => {
      assert.ok(error instanceof PaneCredentialError);
      assert.equal(error.code, PaneCredentialErrorCode.UNREADABLE_SECRET);
      assert.match(error.message, /pane-credential-secret\.json/);
      assert.doesNotMatch(error.message, /top-secret-value/);
      return true;
    },
  );
  writeFileSync(file, JSON.stringify({ secret: 'c2hvcnQ' }));
  assert.throws(() => PaneCredentials.load(dir), PaneCredentialError);
});
