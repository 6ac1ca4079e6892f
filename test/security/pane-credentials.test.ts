import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PANE_CREDENTIAL_LIFETIME_MS, PANE_CREDENTIAL_SECRET_FILE, PaneCredentialError, PaneCredentials } from '../../src/security/pane-credentials.ts';

const NOW = Date.UTC(2026, 10, 30, 12);
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
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

test('a credential names its extension and expiry, and verifies to the same password until it expires', () => {
  const time = clock();
  const issuer = new PaneCredentials(Buffer.alloc(32, 7), time.now);
  const credential = issuer.issue('1001');
  const expiresAtSeconds = (NOW + PANE_CREDENTIAL_LIFETIME_MS) / 1000;
  assert.equal(credential.authorizationUser, `1001.${expiresAtSeconds}`);
  assert.equal(credential.expiresAt, expiresAtSeconds * 1000);
  assert.match(credential.password, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(issuer.verify(credential.authorizationUser), { extension: '1001', password: credential.password });
  time.advance(PANE_CREDENTIAL_LIFETIME_MS - 1);
  assert.equal(issuer.verify(credential.authorizationUser)?.password, credential.password);
  time.advance(1);
  assert.equal(issuer.verify(credential.authorizationUser), undefined);
});

test('a credential expires no later than the bound it is given, rounded down to a second', () => {
  const issuer = new PaneCredentials(Buffer.alloc(32, 7), () => NOW);
  const credential = issuer.issue('1001', NOW + 60_500);
  assert.equal(credential.expiresAt, NOW + 60_000);
  assert.equal(credential.authorizationUser, `1001.${(NOW + 60_000) / 1000}`);
});

test('the password depends on the server secret and on every character of the username', () => {
  const one = new PaneCredentials(Buffer.alloc(32, 1), () => NOW);
  const other = new PaneCredentials(Buffer.alloc(32, 2), () => NOW);
  const credential = one.issue('1001');
  assert.notEqual(other.issue('1001').password, credential.password);
  // Another extension or a later expiry cannot reuse the password.
  const [, expiry] = credential.authorizationUser.split('.');
  assert.notEqual(one.verify(`1002.${expiry}`)?.password, credential.password);
  assert.notEqual(one.verify(`1001.${Number(expiry) + 3600}`)?.password, credential.password);
});

test('usernames that are not pane credentials are not verified', () => {
  const issuer = new PaneCredentials(Buffer.alloc(32, 7), () => NOW);
  for (const username of ['1001', 'trunk-user', '1001.', '.1764547200', 'abc.1764547200', '1001.1764547200.1', '1001.17645472000000']) {
    assert.equal(issuer.verify(username), undefined, username);
  }
});

test('the server secret is created once at first start, readable by the owner only, and reused', () => {
  const dir = dataDir();
  const first = PaneCredentials.load(dir, () => NOW).issue('1001');
  const file = join(dir, PANE_CREDENTIAL_SECRET_FILE);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const { secret } = JSON.parse(readFileSync(file, 'utf8')) as { secret: string };
  assert.equal(Buffer.from(secret, 'base64url').length, 32);
  assert.equal(PaneCredentials.load(dir, () => NOW).verify(first.authorizationUser)?.password, first.password);
  assert.notEqual(PaneCredentials.load(dataDir(), () => NOW).issue('1001').password, first.password);
});

test('a damaged secret file is refused with a message naming the file but not its content', () => {
  const dir = dataDir();
  const file = join(dir, PANE_CREDENTIAL_SECRET_FILE);
  writeFileSync(file, '{"secret": "top-secret-value"');
  assert.throws(() => PaneCredentials.load(dir), (error: unknown) => {
    assert.ok(error instanceof PaneCredentialError);
    assert.match(error.message, /pane-credential-secret\.json/);
    assert.doesNotMatch(error.message, /top-secret-value/);
    return true;
  });
  writeFileSync(file, JSON.stringify({ secret: 'c2hvcnQ' }));
  assert.throws(() => PaneCredentials.load(dir), PaneCredentialError);
});
