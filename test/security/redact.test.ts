import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, isSecretField, redactSecrets } from '../../src/security/redact.ts';

test('secret field names are recognised whatever their case', () => {
  for (const name of ['password', 'secret', 'Authorization', 'Proxy-Authorization', 'sipSecret', 'sip_secret', 'webPassword', 'clientSecret', 'accessToken']) {
    assert.equal(isSecretField(name), true, name);
  }
  for (const name of ['passwordHash', 'user', 'key', 'cert', 'number']) assert.equal(isSecretField(name), false, name);
});

test('secrets are masked at any depth without touching the input', () => {
  const input = { user: '1001', headers: { Authorization: 'Digest x', via: 'v' }, list: [{ sipSecret: 's' }] };
  const output = redactSecrets(input);
  assert.deepEqual(output, { user: '1001', headers: { Authorization: REDACTED, via: 'v' }, list: [{ sipSecret: REDACTED }] });
  assert.equal(input.headers.Authorization, 'Digest x');
});

test('objects without secrets come back as they are', () => {
  const input = { a: 1, b: { c: [2] } };
  assert.equal(redactSecrets(input), input);
  const error = new Error('boom');
  assert.equal(redactSecrets({ err: error }).err, error);
});
