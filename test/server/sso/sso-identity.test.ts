import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SsoProvider } from '../../../src/config/sso-providers.ts';
import { emailOf } from '../../../src/server/sso/sso-identity.ts';

const TENANT = '0b1f4e6c-2d3a-4b5c-8d9e-0f1a2b3c4d5e';
const base = { label: 'x', clientId: 'c', clientSecret: 's', issuer: 'https://id.example.com', emailClaim: 'email' };
const entra: SsoProvider = { ...base, id: 'entra', kind: 'entra', tenantId: TENANT, hostedDomain: undefined };
const google: SsoProvider = { ...base, id: 'google', kind: 'google', tenantId: undefined, hostedDomain: 'example.com' };
const corp: SsoProvider = { ...base, id: 'corp', kind: 'oidc', tenantId: undefined, hostedDomain: undefined, emailClaim: 'upn' };

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

test('an Entra token of the tenant gives its e-mail, whatever the case of tid', () => {
  assert.equal(emailOf(entra, { tid: TENANT.toUpperCase(), email: ' alice@example.com ' }), 'alice@example.com');
});

test('an Entra e-mail whose domain Entra marks unverified (xms_edov false) is refused; true or absent passes', () => {
  assert.equal(
    codeOf(() => emailOf(entra, { tid: TENANT, email: 'guest@elsewhere.example', xms_edov: false })),
    'SSO_EMAIL_MISSING',
  );
  assert.equal(emailOf(entra, { tid: TENANT, email: 'alice@example.com', xms_edov: true }), 'alice@example.com');
  assert.equal(
    emailOf({ ...entra, emailClaim: 'preferred_username' }, { tid: TENANT, preferred_username: 'alice@example.com', xms_edov: false }),
    'alice@example.com',
    'xms_edov speaks of the email claim only',
  );
});

test('an Entra token without tid or of another tenant is refused', () => {
  assert.equal(
    codeOf(() => emailOf(entra, { email: 'alice@example.com' })),
    'SSO_ORGANIZATION_NOT_ALLOWED',
  );
  assert.equal(
    codeOf(() => emailOf(entra, { tid: 'other', email: 'alice@example.com' })),
    'SSO_ORGANIZATION_NOT_ALLOWED',
  );
});

test('a Google address must be verified and of the hosted domain', () => {
  assert.equal(emailOf(google, { hd: 'Example.com', email: 'a@example.com', email_verified: true }), 'a@example.com');
  assert.equal(
    codeOf(() => emailOf(google, { hd: 'example.com', email: 'a@example.com' })),
    'SSO_EMAIL_MISSING',
  );
  assert.equal(
    codeOf(() => emailOf(google, { email: 'a@gmail.com', email_verified: true })),
    'SSO_ORGANIZATION_NOT_ALLOWED',
  );
});

test('a configured claim names the address, and an address marked unverified is refused', () => {
  assert.equal(emailOf(corp, { upn: 'a@corp.example', email: 'other@example.com' }), 'a@corp.example');
  assert.equal(
    codeOf(() => emailOf(corp, { upn: 'a@corp.example', email_verified: false })),
    'SSO_EMAIL_MISSING',
  );
  assert.equal(
    codeOf(() => emailOf(corp, { email: 'a@corp.example' })),
    'SSO_EMAIL_MISSING',
  );
  assert.equal(
    codeOf(() => emailOf(corp, { upn: 'not an address' })),
    'SSO_EMAIL_MISSING',
  );
});
