import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { SEED } from '../../../src/sandbox/dataverse/seed-data.ts';
import { applicationUserId } from '../../../src/sandbox/dataverse/application-users.ts';
import { SANDBOX_TENANT_ID } from '../../../src/sandbox/dataverse/token-issuer.ts';
import { FIXED_NOW, fixtureDataverse, IDS } from './dataverse-fixture.ts';

const API = '/api/data/v9.2';
const WRITER = { clientId: '0a9c0000-0000-4000-8000-00000000c11e', clientSecret: 'writer-secret' };
const READER = { clientId: '0a9c0000-0000-4000-8000-00000000c12e', clientSecret: 'reader-secret' };
const CHALLENGE = `Bearer authorization_uri=http://localhost:80/${SANDBOX_TENANT_ID}/oauth2/authorize, resource_id=http://localhost:80/`;

let app: FastifyInstance;
let dataverse: Dataverse;
let now: Date;

beforeEach(async () => {
  now = FIXED_NOW;
  dataverse = fixtureDataverse(() => now);
  app = fastify();
  registerDataverseRoutes(app, dataverse, { currentUserId: () => SEED.agentChinese, oauth: { clients: [WRITER, READER], tokenLifetimeSeconds: 300 } });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  dataverse.close();
});

async function token(client: { clientId: string; clientSecret: string }, host = 'localhost:80'): Promise<string> {
  const payload = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: `http://${host}/.default` });
  const response = await app.inject({
    method: 'POST',
    url: '/oauth2/v2.0/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', host },
    payload: payload.toString(),
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().access_token;
}

function call(method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) {
  return app.inject({ method, url: `${API}${url}`, headers, ...(payload ? { payload } : {}) });
}

function assertChallenged(response: { statusCode: number; headers: Record<string, unknown>; body: string }, challenge = CHALLENGE): void {
  assert.equal(response.statusCode, 401);
  assert.equal(response.headers['www-authenticate'], challenge);
  assert.equal(response.body, '');
}

describe('server-side callers', () => {
  test('read and write with a bearer token from the token endpoint', async () => {
    const bearer = { authorization: `Bearer ${await token(WRITER)}` };
    const list = await call('GET', '/contacts?$select=fullname&$top=2', bearer);
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().value.length, 2);
    const created = await call('POST', '/phonecalls', bearer, { subject: 'Written by the server' });
    assert.equal(created.statusCode, 204);
    assert.equal(
      (await call('GET', `/contacts(${IDS.alex})?$select=fullname`, { authorization: `bearer ${bearer.authorization.slice(7)}` })).statusCode,
      200,
      'the scheme is case-insensitive',
    );
  });

  test('act as their application user: WhoAmI names it, not the user picked in the UI', async () => {
    const writer = await call('GET', '/WhoAmI', { authorization: `Bearer ${await token(WRITER)}` });
    assert.equal(writer.json().UserId, applicationUserId(WRITER.clientId));
    const reader = await call('GET', '/WhoAmI', { authorization: `Bearer ${await token(READER)}` });
    assert.equal(reader.json().UserId, applicationUserId(READER.clientId));
    assert.notEqual(reader.json().UserId, writer.json().UserId);
    const page = await call('GET', '/WhoAmI', { 'sec-fetch-site': 'same-origin' });
    assert.equal(page.json().UserId, SEED.agentChinese);
  });

  test('without a token, or with a token that is made up, of another scheme, expired or for another org, get the 401 challenge', async () => {
    assertChallenged(await call('GET', '/contacts', {}));
    assertChallenged(await call('POST', '/contacts', {}, { lastname: 'x' }));
    assertChallenged(await call('GET', '/contacts', { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }));
    assertChallenged(await call('GET', '/contacts', { authorization: `Basic ${Buffer.from(`${WRITER.clientId}:${WRITER.clientSecret}`).toString('base64')}` }));
    assertChallenged(await call('GET', '/contacts', { authorization: 'Bearer' }));
    const elsewhere = await token(WRITER, '127.0.0.1:8081');
    assertChallenged(await call('GET', '/contacts', { authorization: `Bearer ${elsewhere}` }));
    assert.equal((await call('GET', '/contacts', { authorization: `Bearer ${elsewhere}`, host: '127.0.0.1:8081' })).statusCode, 200);
    const expiring = await token(WRITER);
    now = new Date(FIXED_NOW.getTime() + 299_000);
    assert.equal((await call('GET', '/contacts', { authorization: `Bearer ${expiring}` })).statusCode, 200);
    now = new Date(FIXED_NOW.getTime() + 300_000);
    assertChallenged(await call('GET', '/contacts', { authorization: `Bearer ${expiring}` }));
  });

  test('a bad token is refused even from the sandbox’s own pages', async () => {
    assertChallenged(await call('GET', '/contacts', { 'sec-fetch-site': 'same-origin', authorization: 'Bearer not-a-token' }));
  });

  test('the challenge names the host the request came to and the configured tenant', async () => {
    const other = fastify();
    registerDataverseRoutes(other, dataverse, { oauth: { tenantId: 'aaaaaaaa-0000-4000-8000-0000000000aa' } });
    try {
      const response = await other.inject({ method: 'GET', url: `${API}/contacts`, headers: { host: 'sandbox.test:8081' } });
      assertChallenged(response, 'Bearer authorization_uri=http://sandbox.test:8081/aaaaaaaa-0000-4000-8000-0000000000aa/oauth2/authorize, resource_id=http://sandbox.test:8081/');
    } finally {
      await other.close();
    }
  });

  test('a cross-site browser request is refused 403 even with a valid token', async () => {
    const response = await call('GET', '/contacts', { authorization: `Bearer ${await token(WRITER)}`, origin: 'https://evil.example' });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().error.code, '0x80048405');
  });

  test('an application is throttled on its own budget', async () => {
    dataverse.throttle({ requests: 1, retryAfterSeconds: 3 });
    const bearer = { authorization: `Bearer ${await token(WRITER)}` };
    assert.equal((await call('GET', '/contacts?$top=1', bearer)).statusCode, 200);
    const throttled = await call('GET', '/contacts?$top=1', bearer);
    assert.equal(throttled.statusCode, 429);
    assert.equal(throttled.headers['retry-after'], '3');
    assert.equal((await call('GET', '/contacts?$top=1', { 'sec-fetch-site': 'same-origin' })).statusCode, 200, 'the page’s user has a budget of its own');
  });
});
