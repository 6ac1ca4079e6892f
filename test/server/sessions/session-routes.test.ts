import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../api/api-fixture.ts';
import { ACCESS_TOKEN_LIFETIME_MS } from '../../../src/server/sessions/access-tokens.ts';
import { SESSION_LIFETIME_MS } from '../../../src/server/sessions/session-service.ts';
import { hashSessionToken } from '../../../src/server/sessions/session-token.ts';

let api: ApiFixture;
beforeEach(async () => {
  api = await createApiFixture();
});
afterEach(() => api.close());

function login(body: unknown, headers: Record<string, string> = {}) {
  return api.http.app.inject({ method: 'POST', url: '/api/session', payload: body as Record<string, unknown>, headers });
}

describe('POST /api/session', () => {
  test('the right password for an extension number gives an access token, a refresh token, their expiries and the agent', async () => {
    const before = Date.now();
    const response = await login({ login: '1001', password: PASSWORDS['1001'] });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.match(body.token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(body.refreshToken, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(body.expiresAt >= before + SESSION_LIFETIME_MS && body.expiresAt <= Date.now() + SESSION_LIFETIME_MS);
    assert.ok(body.tokenExpiresAt >= before + ACCESS_TOKEN_LIFETIME_MS && body.tokenExpiresAt <= Date.now() + ACCESS_TOKEN_LIFETIME_MS);
    assert.deepEqual(body.extension, { number: '1001', displayName: 'Alice', email: 'alice@example.com' });
    assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'extension', 'refreshToken', 'token', 'tokenExpiresAt']);
  });

  test('an e-mail address logs in too, in any case and with spaces around it', async () => {
    const response = await login({ login: '  ALICE@Example.com ', password: PASSWORDS['1001'] });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().extension.number, '1001');
  });

  test('two logins give two different tokens, and only their hashes are stored', async () => {
    const first = await api.login('1001');
    const second = await api.login('1001');
    assert.notEqual(first, second);
    const stored = api.db
      .prepare('SELECT token_hash FROM sessions')
      .all()
      .map((row) => row.token_hash as string);
    assert.equal(stored.length, 2);
    for (const token of [first, second]) assert.ok(!stored.includes(token) && !stored.includes(hashSessionToken(token)), 'access tokens are not stored at all');
    assert.ok(stored.every((hash) => /^[0-9a-f]{64}$/.test(hash)));
  });

  test('a wrong password and an unknown login get the very same 401', async () => {
    const answers = await Promise.all([
      login({ login: '1001', password: 'wrong-password' }),
      login({ login: '1999', password: 'wrong-password' }),
      login({ login: 'nobody@example.com', password: 'wrong-password' }),
      login({ login: 'not a login', password: 'wrong-password' }),
      login({ login: '1002', password: PASSWORDS['1001'] }),
    ]);
    for (const response of answers) {
      assert.equal(response.statusCode, 401);
      assert.deepEqual(response.json(), { error: { code: 'INVALID_CREDENTIALS', message: 'wrong login or password' } });
    }
    assert.equal(api.db.prepare('SELECT count(*) AS n FROM sessions').get()?.n, 0);
  });

  test('malformed bodies are refused with a 400 naming the field', async () => {
    const missing = await login({ login: '1001' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.code, 'INVALID_REQUEST');
    assert.match(missing.json().error.message, /^body\.password: /);

    const wrongType = await login({ login: 1001, password: 'x' });
    assert.equal(wrongType.statusCode, 400);
    assert.match(wrongType.json().error.message, /^body\.login: /);

    const empty = await api.http.app.inject({ method: 'POST', url: '/api/session' });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.code, 'INVALID_REQUEST');
  });

  test('broken JSON, a wrong content type and an oversized body get the same error shape', async () => {
    const broken = await api.http.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"login":' });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error.code, 'INVALID_JSON');

    const text = await api.http.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'text/plain' }, payload: 'login=1001' });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');

    const huge = await login({ login: '1001', password: 'x'.repeat(100 * 1024) });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error.code, 'BODY_TOO_LARGE');
  });

  test('an overlong password is refused before any hashing', async () => {
    const response = await login({ login: '1001', password: 'x'.repeat(2000) });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().error.message, /^body\.password: /);
  });
});

describe('GET and DELETE /api/session', () => {
  test('the token names the logged-in agent', async () => {
    const token = await api.login('1002');
    const response = await api.http.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().extension, { number: '1002', displayName: 'Bob', email: null });
    assert.equal(typeof response.json().expiresAt, 'number');
  });

  test('the Bearer scheme is case-insensitive', async () => {
    const token = await api.login('1002');
    const response = await api.http.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `bearer ${token}` } });
    assert.equal(response.statusCode, 200);
  });

  test('no token, a malformed one and an unknown one get 401 with a Bearer challenge', async () => {
    const none = await api.http.app.inject({ method: 'GET', url: '/api/session' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="callpane"');
    assert.equal(none.json().error.code, 'UNAUTHORIZED');
    for (const authorization of ['Bearer short', `Bearer ${'A'.repeat(43)}`, `Basic ${Buffer.from('1001:x').toString('base64')}`]) {
      const response = await api.http.app.inject({ method: 'GET', url: '/api/session', headers: { authorization } });
      assert.equal(response.statusCode, 401, authorization);
      assert.equal(response.json().error.code, 'UNAUTHORIZED');
    }
  });

  test('logging out ends the session: the token no longer works', async () => {
    const token = await api.login('1001');
    const headers = { authorization: `Bearer ${token}` };
    const logout = await api.http.app.inject({ method: 'DELETE', url: '/api/session', headers });
    assert.equal(logout.statusCode, 204);
    assert.equal(logout.body, '');
    const after = await api.http.app.inject({ method: 'GET', url: '/api/session', headers });
    assert.equal(after.statusCode, 401);
    assert.match(after.headers['www-authenticate'] as string, /error="invalid_token"/);
    const again = await api.http.app.inject({ method: 'DELETE', url: '/api/session', headers });
    assert.equal(again.statusCode, 401);
  });

  test("an access token stops working after its lifetime, and the session's refresh token at the session's end", async () => {
    const signedIn = (await login({ login: '1001', password: PASSWORDS['1001'] })).json() as { token: string; refreshToken: string };
    const headers = { authorization: `Bearer ${signedIn.token}` };
    api.advance(ACCESS_TOKEN_LIFETIME_MS - 1000);
    assert.equal((await api.http.app.inject({ method: 'GET', url: '/api/session', headers })).statusCode, 200);
    api.advance(1000);
    assert.equal((await api.http.app.inject({ method: 'GET', url: '/api/session', headers })).statusCode, 401);
    const refresh = () => api.http.app.inject({ method: 'POST', url: '/api/session/refresh', payload: { refreshToken: signedIn.refreshToken } });
    api.advance(SESSION_LIFETIME_MS - ACCESS_TOKEN_LIFETIME_MS - 1000);
    assert.equal((await refresh()).statusCode, 200);
    api.advance(1000);
    assert.equal((await refresh()).statusCode, 401);
  });
});
