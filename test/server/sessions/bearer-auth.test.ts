import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken } from '../../../src/server/sessions/bearer-auth.ts';
import { hashSessionToken, isWellFormedToken, newSessionToken } from '../../../src/server/sessions/session-token.ts';

test('the token is read from a Bearer Authorization header only', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('BEARER  abc '), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

test('new tokens are 32 random bytes in base64url and hash to hex SHA-256', () => {
  const tokens = new Set(Array.from({ length: 100 }, newSessionToken));
  assert.equal(tokens.size, 100);
  for (const token of tokens) {
    assert.ok(isWellFormedToken(token));
    assert.equal(Buffer.from(token, 'base64url').length, 32);
  }
  assert.equal(hashSessionToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(isWellFormedToken('x'.repeat(44)), false);
  assert.equal(isWellFormedToken(`${'x'.repeat(42)}=`), false);
});
