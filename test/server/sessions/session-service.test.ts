import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../api/api-fixture.ts';
import { createSessionRepository } from '../../../src/store/session-repository.ts';

let api: ApiFixture;
beforeEach(async () => {
  // Frozen: the refusals' Retry-After is compared to the millisecond.
  api = await createApiFixture({ frozenClock: true, sessions: { loginFailurePolicy: { limit: 3, windowMs: 60_000, banMs: 120_000 } } });
});
afterEach(() => api.close());

test('an address that fails too often is refused for a while, even with the right password', async () => {
  const { sessions } = api;
  assert.deepEqual(await sessions.login('1001', 'nope', '192.0.2.7'), { ok: false, reason: 'wrong-password' });
  assert.deepEqual(await sessions.login('1999', 'nope', '192.0.2.7'), { ok: false, reason: 'unknown-login' });
  assert.deepEqual(await sessions.login('1001', 'nope', '192.0.2.7'), { ok: false, reason: 'address-limited', retryAfterMs: 120_000 });
  assert.deepEqual(await sessions.login('1001', PASSWORDS['1001'], '192.0.2.7'), { ok: false, reason: 'address-limited', retryAfterMs: 120_000 });
  assert.equal((await sessions.login('1001', PASSWORDS['1001'], '192.0.2.8')).ok, true, 'other addresses are not affected');
  api.advance(120_000);
  assert.equal((await sessions.login('1001', PASSWORDS['1001'], '192.0.2.7')).ok, true, 'the ban ends');
});

test('the API answers a refused address with 429', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await api.http.app.inject({ method: 'POST', url: '/api/session', payload: { login: '1001', password: 'nope' } })).statusCode);
  }
  assert.deepEqual(statuses, [401, 401, 429]);
  const response = await api.http.app.inject({ method: 'POST', url: '/api/session', payload: { login: '1001', password: PASSWORDS['1001'] } });
  assert.equal(response.statusCode, 429);
  assert.equal(response.json().error.code, 'TOO_MANY_ATTEMPTS');
  assert.equal(response.headers['retry-after'], '120');
});

test('logging in sweeps expired sessions', async () => {
  await api.login('1001');
  await api.login('1002');
  api.advance(13 * 60 * 60 * 1000);
  await api.login('1001');
  assert.equal(api.db.prepare('SELECT count(*) AS n FROM sessions').get()?.n, 1);
});

test('logout tells listeners which session ended, and isActive follows', async () => {
  const token = await api.login('1001');
  const session = api.sessions.authenticate(token);
  assert.ok(session);
  assert.equal(api.sessions.isActive(session.id), true);
  const ended: string[] = [];
  api.sessions.onSessionEnded((id) => ended.push(id));
  assert.equal(api.sessions.logout(session), true);
  assert.deepEqual(ended, [session.id]);
  assert.equal(api.sessions.isActive(session.id), false);
  assert.equal(api.sessions.authenticate(token), undefined);
});

test("a removed extension's token no longer authenticates", async () => {
  const token = await api.login('1002');
  api.extensions.remove('1002');
  assert.equal(api.sessions.authenticate(token), undefined);
});

test('an access token stops at once when another process ends its session (callpane sessions revoke)', async () => {
  const token = await api.login('1001');
  assert.ok(api.sessions.authenticate(token));
  // What the CLI does, in its own process, to the same database: no message reaches this one.
  createSessionRepository(api.db).removeForExtension('1001');
  assert.equal(api.sessions.authenticate(token), undefined);
});
