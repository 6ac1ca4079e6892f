import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';
import { appCertificate } from '../dynamics/app-certificate.ts';
import { problemsOfRefused } from './config-problems.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0a9c0000-0000-4000-8000-00000000c11e';
const ORG = 'https://contoso.crm.dynamics.com';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-config-dynamics-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, cwd: dir, interfaces: {}, ...options });
}

function withDynamics(dynamics: unknown, env: Record<string, string> = {}): LoadConfigOptions {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ dynamics }));
  return { argvConfigPath: path, env };
}

function problemsOf(options: LoadConfigOptions): readonly string[] {
  return problemsOfRefused(() => load(options));
}

test('no org is configured by default, and the limits and workers have their defaults', () => {
  assert.deepEqual(load().dynamics, {
    connection: undefined,
    maxConcurrentRequests: 16,
    requestTimeoutSeconds: 30,
    journal: { enabled: true, graceSeconds: 120 },
    phoneIndex: { enabled: true, syncIntervalSeconds: 60, pageSize: 5000 },
  });
});

test('an org with a client secret gets its Entra token URL, lower-case ids and the origin without a slash', () => {
  const config = load(withDynamics({ url: `${ORG}/`, tenantId: TENANT.toUpperCase(), clientId: CLIENT.toUpperCase(), clientSecret: 's3cret' }));
  assert.deepEqual(config.dynamics.connection, {
    url: ORG,
    tenantId: TENANT,
    tokenUrl: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    clientId: CLIENT,
    credential: { kind: 'secret', clientSecret: 's3cret' },
  });
});

test('the secret can come from the environment variable the section names, and every key from CALLPANE_DYNAMICS_* variables', () => {
  const config = load({
    env: {
      CALLPANE_DYNAMICS_URL: 'http://127.0.0.1:8081',
      CALLPANE_DYNAMICS_TENANT_ID: TENANT,
      CALLPANE_DYNAMICS_AUTHORITY: 'http://127.0.0.1:8081/',
      CALLPANE_DYNAMICS_CLIENT_ID: CLIENT,
      CALLPANE_DYNAMICS_CLIENT_SECRET_ENV: 'DYNAMICS_SECRET',
      DYNAMICS_SECRET: 'from-env',
      CALLPANE_DYNAMICS_MAX_CONCURRENT_REQUESTS: '52',
      CALLPANE_DYNAMICS_JOURNAL_GRACE_SECONDS: '0',
      CALLPANE_DYNAMICS_PHONE_INDEX_PAGE_SIZE: '100',
    },
  });
  assert.equal(config.dynamics.connection?.tokenUrl, `http://127.0.0.1:8081/${TENANT}/oauth2/v2.0/token`);
  assert.deepEqual(config.dynamics.connection?.credential, { kind: 'secret', clientSecret: 'from-env' });
  assert.equal(config.dynamics.maxConcurrentRequests, 52);
  assert.equal(config.dynamics.journal.graceSeconds, 0);
  assert.equal(config.dynamics.phoneIndex.pageSize, 100);
});

test('a certificate and its RSA key are taken as absolute paths', () => {
  const { cert, key } = appCertificate();
  writeFileSync(join(dir, 'app.crt'), cert);
  writeFileSync(join(dir, 'app.key'), key);
  const config = load(withDynamics({ url: ORG, tenantId: TENANT, clientId: CLIENT, certificate: { cert: 'app.crt', key: 'app.key' } }));
  assert.deepEqual(config.dynamics.connection?.credential, { kind: 'certificate', cert: join(dir, 'app.crt'), key: join(dir, 'app.key') });
});

test('connection keys go together: each missing one is named with what it is', () => {
  const problems = problemsOf(withDynamics({ url: ORG }));
  assert.equal(problems.length, 3);
  assert.match(problems[0] ?? '', /^dynamics\.tenantId \(CALLPANE_DYNAMICS_TENANT_ID\) = \(not set\): is required with dynamics\.url: .*tenant\) id$/);
  assert.match(problems[1] ?? '', /^dynamics\.clientId .*= \(not set\): is required with dynamics\.url: .*client\) id$/);
  assert.match(
    problems[2] ?? '',
    /^dynamics\.clientSecret .*= \(not set\): is required with dynamics\.url: .*a client secret \(or clientSecretEnv naming a variable that holds it, or certificate\)$/,
  );

  const onlySecret = problemsOf(withDynamics({ clientSecret: 'x' }));
  assert.deepEqual(
    onlySecret.map((line) => line.split(' ')[0]),
    ['dynamics.url', 'dynamics.tenantId', 'dynamics.clientId'],
  );
  assert.ok(onlySecret.every((line) => line.includes('is required with a credential')));
});

test('two credentials, an unset secret variable and a secret value are refused without showing the secret', () => {
  const base = { url: ORG, tenantId: TENANT, clientId: CLIENT };
  const both = problemsOf(withDynamics({ ...base, clientSecret: 'hunter2', clientSecretEnv: 'X' }));
  assert.deepEqual(both, ['dynamics.clientSecretEnv (CALLPANE_DYNAMICS_CLIENT_SECRET_ENV) = "[redacted]": is set together with dynamics.clientSecret: keep one']);
  const withCertificate = problemsOf(withDynamics({ ...base, clientSecret: 'hunter2', certificate: { cert: 'a', key: 'b' } }));
  assert.deepEqual(withCertificate, ['dynamics.certificate = {"cert":"a","key":"b"}: is set together with dynamics.clientSecret: keep one credential']);
  const unset = problemsOf(withDynamics({ ...base, clientSecretEnv: 'NOT_SET' }));
  assert.deepEqual(unset, ['dynamics.clientSecretEnv (CALLPANE_DYNAMICS_CLIENT_SECRET_ENV) = "[redacted]": names NOT_SET, which is not set or empty']);
  const tooLong = problemsOf(withDynamics({ ...base, clientSecret: 'y'.repeat(2000) }));
  assert.equal(tooLong.length, 1);
  assert.match(tooLong[0] ?? '', /^dynamics\.clientSecret \(CALLPANE_DYNAMICS_CLIENT_SECRET\) = "\[redacted\]": must be the client secret value/);
  assert.ok(!tooLong.some((line) => line.includes('hunter2') || line.includes('yyyy')));
});

test('the org URL must be https, or http on this machine, without a path; the authority https or loopback http', () => {
  const base = { tenantId: TENANT, clientId: CLIENT, clientSecret: 's' };
  for (const url of ['http://contoso.crm.dynamics.com', 'https://contoso.crm.dynamics.com/main.aspx', 'https://contoso.crm.dynamics.com?x=1', 'contoso.crm.dynamics.com']) {
    const problems = problemsOf(withDynamics({ ...base, url }));
    assert.deepEqual(problems, [
      `dynamics.url (CALLPANE_DYNAMICS_URL) = ${JSON.stringify(url)}: must be the org URL such as https://contoso.crm.dynamics.com, without a path (http:// only on this machine: localhost, 127.0.0.1, [::1])`,
    ]);
  }
  const authority = problemsOf(withDynamics({ ...base, url: ORG, authority: 'http://login.example.com' }));
  assert.match(authority[0] ?? '', /^dynamics\.authority \(CALLPANE_DYNAMICS_AUTHORITY\) = "http:\/\/login\.example\.com": must be the https:\/\/ Entra ID sign-in host/);
  assert.equal(
    load(withDynamics({ ...base, url: 'http://localhost:8081', authority: 'https://login.microsoftonline.us' })).dynamics.connection?.tokenUrl,
    `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`,
  );
});

test('ids must be GUIDs and the limits stay within what Dataverse allows', () => {
  const problems = problemsOf(
    withDynamics({ url: ORG, tenantId: 'contoso.onmicrosoft.com', clientId: 'app', clientSecret: 's', maxConcurrentRequests: 53, phoneIndex: { pageSize: 5001 } }),
  );
  assert.deepEqual(
    problems.map((line) => line.split(' = ')[0]),
    [
      'dynamics.tenantId (CALLPANE_DYNAMICS_TENANT_ID)',
      'dynamics.clientId (CALLPANE_DYNAMICS_CLIENT_ID)',
      'dynamics.maxConcurrentRequests (CALLPANE_DYNAMICS_MAX_CONCURRENT_REQUESTS)',
      'dynamics.phoneIndex.pageSize (CALLPANE_DYNAMICS_PHONE_INDEX_PAGE_SIZE)',
    ],
  );
  assert.match(problems[2] ?? '', /must be an integer from 1 to 52 \(Dataverse allows 52 concurrent requests per user; default 16\)$/);
  assert.match(problems[3] ?? '', /must be an integer from 1 to 5000 /);
});

test('a certificate that cannot sign what Entra ID verifies is named at the file to fix', () => {
  const base = { url: ORG, tenantId: TENANT, clientId: CLIENT };
  const rsa = appCertificate();
  const other = appCertificate();
  const ec = appCertificate('ec');
  writeFileSync(join(dir, 'rsa.crt'), rsa.cert);
  writeFileSync(join(dir, 'other.key'), other.key);
  writeFileSync(join(dir, 'ec.crt'), ec.cert);
  writeFileSync(join(dir, 'ec.key'), ec.key);
  writeFileSync(join(dir, 'not.pem'), 'hello');
  const cases: [unknown, RegExp][] = [
    [
      { cert: 'missing.crt', key: 'other.key' },
      /^dynamics\.certificate\.cert \(CALLPANE_DYNAMICS_CERTIFICATE_CERT\) = "missing\.crt": must be a readable file \(.*missing\.crt: ENOENT\)$/,
    ],
    [{ cert: 'not.pem', key: 'other.key' }, /^dynamics\.certificate\.cert \(CALLPANE_DYNAMICS_CERTIFICATE_CERT\) = "not\.pem": must be a PEM certificate/],
    [{ cert: 'rsa.crt', key: 'not.pem' }, /^dynamics\.certificate\.key \(CALLPANE_DYNAMICS_CERTIFICATE_KEY\) = "not\.pem": must be a PEM private key/],
    [{ cert: 'ec.crt', key: 'ec.key' }, /^dynamics\.certificate\.key \(CALLPANE_DYNAMICS_CERTIFICATE_KEY\) = "ec\.key": must be an RSA key: .*holds a ec key/],
    [
      { cert: 'rsa.crt', key: 'other.key' },
      /^dynamics\.certificate\.key \(CALLPANE_DYNAMICS_CERTIFICATE_KEY\) = "other\.key": must be the private key of dynamics\.certificate\.cert/,
    ],
  ];
  for (const [certificate, expected] of cases) {
    const problems = problemsOf(withDynamics({ ...base, certificate }));
    assert.equal(problems.length, 1, String(problems));
    assert.match(problems[0] ?? '', expected);
  }
});
