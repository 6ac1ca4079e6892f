import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSecret, hashGeneratedSecret, hashPassword, verificationCosts, verifyPassword } from '../../src/security/password-hash.ts';

test('a hash verifies its own password and no other', async () => {
  const encoded = await hashPassword('correct horse battery staple');
  assert.equal(await verifyPassword('correct horse battery staple', encoded), true);
  assert.equal(await verifyPassword('correct horse battery stapler', encoded), false);
  assert.equal(await verifyPassword('', encoded), false);
});

test('hashes are encoded scrypt$N$r$p$salt$hash with a fresh salt each time', async () => {
  const first = await hashPassword('same');
  const second = await hashPassword('same');
  assert.match(first, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(first.split('$')[4], second.split('$')[4]);
  assert.notEqual(first, second);
});

test('parameters are read from the stored hash, so older costs keep verifying', async () => {
  const { scryptSync } = await import('node:crypto');
  const salt = Buffer.from('0123456789abcdef');
  const hash = scryptSync('old', salt, 32, { N: 1024, r: 8, p: 1 });
  const encoded = `scrypt$1024$8$1$${salt.toString('base64url')}$${hash.toString('base64url')}`;
  assert.equal(await verifyPassword('old', encoded), true);
  assert.equal(await verifyPassword('new', encoded), false);
});

test('malformed or absurd stored hashes never verify', async () => {
  const valid = await hashPassword('pw');
  const [, , r, p, salt, hash] = valid.split('$');
  for (const encoded of [
    '',
    'plain-text',
    `bcrypt$32768$${r}$${p}$${salt}$${hash}`,
    `scrypt$1000$${r}$${p}$${salt}$${hash}`,
    `scrypt$${2 ** 24}$${r}$${p}$${salt}$${hash}`,
    `scrypt$32768$${r}$${p}$${salt}$AAAA`,
  ]) {
    assert.equal(await verifyPassword('pw', encoded), false, encoded);
  }
});

test('generated secrets are URL-safe and as long as asked', () => {
  const secret = generateSecret(18);
  assert.match(secret, /^[A-Za-z0-9_-]{24}$/);
  assert.equal(Buffer.from(generateSecret(32), 'base64url').length, 32);
  assert.notEqual(generateSecret(), generateSecret());
});

test('a secret Callpane generated is hashed at a low cost, verifies, and refuses what a person would choose', async () => {
  const secret = generateSecret(12);
  const hash = await hashGeneratedSecret(secret);
  assert.match(hash, /^scrypt\$1024\$8\$1\$/);
  assert.equal(await verifyPassword(secret, hash), true);
  assert.equal(await verifyPassword(`${secret}x`, hash), false);
  assert.throws(() => hashGeneratedSecret('correct horse'), /at least 16 characters/);
});

test('checking a cheaply hashed secret also does the full work, so a sign-in takes the same whatever the account', async () => {
  const generated = await hashGeneratedSecret(generateSecret(12));
  const chosen = await hashPassword('a password a person chose');
  assert.deepEqual(verificationCosts(generated), [1024, 2 ** 15]);
  assert.deepEqual(verificationCosts(chosen), [2 ** 15]);
});
