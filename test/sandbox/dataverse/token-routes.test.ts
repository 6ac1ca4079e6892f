import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { SANDBOX_TENANT_ID } from '../../../src/sandbox/dataverse/token-issuer.ts';
import { fixtureDataverse } from './dataverse-fixture.ts';

const ORIGIN = 'http://localhost:80';
const CLIENT_ID = '0a9c0000-0000-4000-8000-00000000c11e';
const SECRET = 'sandbox-secret~with.special_chars';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let app: FastifyInstance;
let dataverse: Dataverse;

beforeEach(async () => {
  dataverse = fixtureDataverse();
  app = fastify();
  registerDataverseRoutes(app, dataverse, { oauth: { clients: [{ clientId: CLIENT_ID, clientSecret: SECRET }], tokenLifetimeSeconds: 600 } });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  dataverse.close();
});

function tokenRequest(fields: Record<string, string>, path = `/${SANDBOX_TENANT_ID}/oauth2/v2.0/token`) {
  return app.inject({ method: 'POST', url: path, headers: FORM, payload: new URLSearchParams(fields).toString() });
}

const VALID = { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: `${ORIGIN}/.default` };

/** Asserts Entra ID's error response: status, `error`, the AADSTS code, and the fields Entra sends. */
function assertEntraError(response: { statusCode: number; json(): unknown }, status: number, error: string, aadsts: number): void {
  assert.equal(response.statusCode, status);
  const body = response.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['correlation_id', 'error', 'error_codes', 'error_description', 'error_uri', 'timestamp', 'trace_id']);
  assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, [aadsts]);
  assert.match(
    String(body.error_description),
    new RegExp(`^AADSTS${aadsts}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z$`),
  );
  assert.equal(body.error_uri, `https://login.microsoftonline.com/error?code=${aadsts}`);
}

describe('the token endpoint', () => {
  test('grants a configured client a short-lived bearer token for the org, never cached', async () => {
    const response = await tokenRequest(VALID);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    assert.match(body.access_token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual((await tokenRequest(VALID)).json().access_token, body.access_token, 'every token is new');
  });

  test('answers on the tenant-less path too, and takes the scope with a doubled slash', async () => {
    assert.equal((await tokenRequest(VALID, '/oauth2/v2.0/token')).statusCode, 200);
    assert.equal((await tokenRequest({ ...VALID, scope: `${ORIGIN}//.default` })).statusCode, 200);
    assert.equal((await tokenRequest(VALID, `/${SANDBOX_TENANT_ID.toUpperCase()}/oauth2/v2.0/token`)).statusCode, 200);
  });

  test('refuses a wrong tenant, grant type or missing parameter as Entra ID does', async () => {
    assertEntraError(await tokenRequest(VALID, '/00000000-0000-4000-8000-000000000000/oauth2/v2.0/token'), 400, 'invalid_request', 90002);
    assertEntraError(await tokenRequest({ ...VALID, grant_type: 'password' }), 400, 'unsupported_grant_type', 70003);
    for (const missing of ['grant_type', 'client_id', 'scope'] as const) {
      const { [missing]: _, ...rest } = VALID;
      const response = await tokenRequest(rest);
      assertEntraError(response, 400, 'invalid_request', 900144);
      assert.match(response.json().error_description, new RegExp(`parameter: '${missing}'`));
    }
  });

  test('refuses an unknown application, a missing or wrong secret', async () => {
    assertEntraError(await tokenRequest({ ...VALID, client_id: '0a9c0000-0000-4000-8000-0000000000ff' }), 400, 'unauthorized_client', 700016);
    const { client_secret: _, ...noSecret } = VALID;
    assertEntraError(await tokenRequest(noSecret), 401, 'invalid_client', 7000218);
    assertEntraError(await tokenRequest({ ...VALID, client_secret: `${SECRET}x` }), 401, 'invalid_client', 7000215);
    assertEntraError(await tokenRequest({ ...VALID, client_secret: SECRET.toUpperCase() }), 401, 'invalid_client', 7000215);
  });

  test('refuses a scope that is not {org}/.default, or names another org', async () => {
    assertEntraError(await tokenRequest({ ...VALID, scope: `${ORIGIN}/user_impersonation` }), 400, 'invalid_scope', 1002012);
    assertEntraError(await tokenRequest({ ...VALID, scope: `${ORIGIN}/.default openid` }), 400, 'invalid_scope', 1002012);
    assertEntraError(await tokenRequest({ ...VALID, scope: 'https://contoso.crm.dynamics.com/.default' }), 400, 'invalid_resource', 500011);
    assertEntraError(await tokenRequest({ ...VALID, scope: `${ORIGIN}/api/.default` }), 400, 'invalid_resource', 500011);
  });

  test('refuses a repeated parameter and a body that is not a form', async () => {
    const repeated = await app.inject({ method: 'POST', url: '/oauth2/v2.0/token', headers: FORM, payload: `${new URLSearchParams(VALID)}&scope=x` });
    assertEntraError(repeated, 400, 'invalid_request', 9000411);
    const json = await app.inject({ method: 'POST', url: '/oauth2/v2.0/token', payload: VALID });
    assertEntraError(json, 400, 'invalid_request', 900144);
  });

  test('with no clients configured, no application gets a token', async () => {
    const bare = fastify();
    registerDataverseRoutes(bare, dataverse);
    try {
      const response = await bare.inject({ method: 'POST', url: '/oauth2/v2.0/token', headers: FORM, payload: new URLSearchParams(VALID).toString() });
      assertEntraError(response, 400, 'unauthorized_client', 700016);
    } finally {
      await bare.close();
    }
  });
});
