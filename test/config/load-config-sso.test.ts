import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';
import { problemsOfRefused } from './config-problems.ts';
import { itemAt } from '../support/item-at.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-config-sso-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, cwd: dir, interfaces: {}, ...options });
}

function withProviders(providers: unknown[], env: Record<string, string> = {}): LoadConfigOptions {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ sso: { providers } }));
  return { argvConfigPath: path, env };
}

function problemsOf(options: LoadConfigOptions): readonly string[] {
  return problemsOfRefused(() => load(options));
}

test('no identity provider is configured by default', () => {
  assert.deepEqual(load().sso, { providers: [] });
});

test('an Entra provider gets its tenant issuer and a Google one the Google issuer and its hosted domain', () => {
  const config = load(
    withProviders([
      { id: 'entra', kind: 'entra', clientId: 'app-1', clientSecret: 's1', tenantId: TENANT.toUpperCase() },
      { id: 'google', kind: 'google', clientId: 'app-2', clientSecret: 's2', hostedDomain: 'Example.com' },
      { id: 'corp', kind: 'oidc', clientId: 'app-3', clientSecret: 's3', issuer: 'https://id.example.com/', emailClaim: 'upn', label: 'Corp ID' },
    ]),
  );
  assert.deepEqual(config.sso.providers, [
    {
      id: 'entra',
      kind: 'entra',
      label: 'Microsoft',
      clientId: 'app-1',
      clientSecret: 's1',
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      tenantId: TENANT,
      hostedDomain: undefined,
      emailClaim: 'email',
    },
    {
      id: 'google',
      kind: 'google',
      label: 'Google',
      clientId: 'app-2',
      clientSecret: 's2',
      issuer: 'https://accounts.google.com',
      tenantId: undefined,
      hostedDomain: 'example.com',
      emailClaim: 'email',
    },
    {
      id: 'corp',
      kind: 'oidc',
      label: 'Corp ID',
      clientId: 'app-3',
      clientSecret: 's3',
      issuer: 'https://id.example.com',
      tenantId: undefined,
      hostedDomain: undefined,
      emailClaim: 'upn',
    },
  ]);
});

test('the client secret can come from the environment variable the provider names', () => {
  const config = load(withProviders([{ id: 'entra', kind: 'entra', clientId: 'app', clientSecretEnv: 'ENTRA_SECRET', tenantId: TENANT }], { ENTRA_SECRET: 'from-env' }));
  assert.equal(itemAt(config.sso.providers, 0).clientSecret, 'from-env');
});

test('a missing secret variable, a missing tenant, hosted domain or issuer, and a duplicate id are each named', () => {
  const problems = problemsOf(
    withProviders([
      { id: 'a', kind: 'entra', clientId: 'x', clientSecretEnv: 'NOT_SET' },
      { id: 'a', kind: 'google', clientId: 'x', clientSecret: 'y' },
      { id: 'c', kind: 'oidc', clientId: 'x' },
    ]),
  );
  assert.deepEqual(problems, [
    'sso.providers[0].tenantId = (not set): is required for kind entra: the directory (tenant) id from the Entra admin center',
    'sso.providers[0].clientSecretEnv = "[redacted]": names NOT_SET, which is not set or empty',
    'sso.providers[1].id = "a": is used by an earlier provider: ids must be unique',
    'sso.providers[1].hostedDomain = (not set): is required for kind google: the Workspace domain whose users may sign in',
    'sso.providers[2].issuer = (not set): is required for kind oidc: the issuer URL of the identity provider',
    'sso.providers[2].clientSecret = (not set): is required (or clientSecretEnv naming a variable that holds it)',
  ]);
});

test('a tenant that is not a GUID and an unknown kind are refused, and a wrong entry never shows its secret', () => {
  const problems = problemsOf(
    withProviders([
      { id: 'e', kind: 'entra', clientId: 'x', clientSecret: 'hunter2-secret', tenantId: 'common' },
      { id: 'f', kind: 'saml', clientId: 'x', clientSecret: 'other-secret' },
    ]),
  );
  assert.ok(
    problems.some((line) => line.startsWith('sso.providers[0].tenantId = "common": must be the Entra directory (tenant) id, a GUID')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((line) => line.startsWith('sso.providers[1].kind = "saml": must be one of entra, google, oidc')),
    problems.join('\n'),
  );
  assert.ok(!problems.join('\n').includes('secret"'), problems.join('\n'));
  assert.ok(!problems.join('\n').includes('hunter2'), problems.join('\n'));
});

test('the providers cannot be set from an environment variable', () => {
  const problems = problemsOf({ env: { CALLPANE_SSO_PROVIDERS: '[]' } });
  assert.deepEqual(problems, ['sso.providers (CALLPANE_SSO_PROVIDERS) is set: sso.providers can be set only in the configuration file']);
});

test('an issuer speaks HTTPS, or plain HTTP only when it runs on this machine', () => {
  const oidc = (issuer: string) => ({ id: 'corp', kind: 'oidc', clientId: 'x', clientSecret: 's', issuer });
  for (const issuer of ['http://127.0.0.1:9000', 'http://localhost:9000/realms/dev', 'http://[::1]:9000']) {
    assert.equal(itemAt(load(withProviders([oidc(issuer)])).sso.providers, 0).issuer, issuer.replace(/\/$/, ''), issuer);
  }
  for (const issuer of ['http://id.example.com', 'http://10.0.0.5:9000', 'ftp://127.0.0.1']) {
    const problems = problemsOf(withProviders([oidc(issuer)]));
    assert.ok(
      problems.some((line) => line.startsWith(`sso.providers[0].issuer = "${issuer}": must be the https:// issuer URL`)),
      problems.join('\n'),
    );
  }
});
