/**
 * Access tokens and the pane's refresh cookie on a real server on 127.0.0.1: every sign-in gives a
 * short-lived access token; the session's refresh token goes to the pane only as a Partitioned
 * HttpOnly cookie for /api/session, which counts only with X-Callpane-Client: pane, only to
 * refresh or end the session, and never on the event channel.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_CHANNEL_PATH, EventChannelCloseCode } from '../../../src/server/api/event-channel.ts';
import { ACCESS_TOKEN_LIFETIME_MS } from '../../../src/server/sessions/access-tokens.ts';
import { clearedSessionCookie, sessionCookie, sessionCookieTokens } from '../../../src/server/sessions/session-cookie.ts';
import { SESSION_LIFETIME_MS } from '../../../src/server/sessions/session-service.ts';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../api/api-fixture.ts';
import { connectChannel } from '../api/event-channel-client.ts';
import { itemAt } from '../../support/item-at.ts';

const PANE = { 'x-callpane-client': 'pane' };

interface SignedInAnswer {
  token: string;
  tokenExpiresAt: number;
  expiresAt: number;
  refreshToken?: string;
  extension: { number: string };
}

test('the cookie is Partitioned, Secure, SameSite=None and HttpOnly, and only for /api/session', () => {
  assert.equal(sessionCookie('tok', 43_200.9), 'callpane_session=tok; Path=/api/session; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=43200');
  assert.equal(clearedSessionCookie(), 'callpane_session=; Path=/api/session; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=0');
});

test('every session cookie of the Cookie header is read, and only those', () => {
  assert.deepEqual(sessionCookieTokens('a=1; callpane_session=first;other=x;  callpane_session = second ; callpane_session='), ['first', 'second']);
  assert.deepEqual(sessionCookieTokens('callpane_sessionx=1; xcallpane_session=2'), []);
  assert.deepEqual(sessionCookieTokens(undefined), []);
  assert.equal(sessionCookieTokens(Array.from({ length: 10 }, (_, i) => `callpane_session=t${i}`).join('; ')).length, 4);
});

describe('access tokens and the refresh cookie over HTTP', () => {
  let api: ApiFixture;
  let base: string;

  beforeEach(async () => {
    api = await createApiFixture({ frozenClock: true });
    base = (await api.listen()).replace(/^ws/, 'http');
  });
  afterEach(() => api.close());

  async function login(number: keyof typeof PASSWORDS, headers: Record<string, string> = PANE): Promise<Response> {
    return fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ login: number, password: PASSWORDS[number] }),
    });
  }

  async function paneLogin(number: keyof typeof PASSWORDS): Promise<{ cookie: string; answer: SignedInAnswer }> {
    const response = await login(number);
    const setCookie = response.headers.get('set-cookie');
    assert.ok(setCookie);
    return { cookie: itemAt(setCookie.split(';'), 0), answer: (await response.json()) as SignedInAnswer };
  }

  const refresh = (headers: Record<string, string>, body?: unknown) =>
    fetch(`${base}/api/session/refresh`, {
      method: 'POST',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const whoAmI = (token: string) => fetch(`${base}/api/session`, { headers: { authorization: `Bearer ${token}` } });

  test('a login from the pane answers a 15-minute access token and keeps the refresh token in the cookie only', async () => {
    const now = api.now();
    const { cookie, answer } = await paneLogin('1001');
    assert.deepEqual(Object.keys(answer).sort(), ['expiresAt', 'extension', 'token', 'tokenExpiresAt']);
    assert.equal(answer.tokenExpiresAt, now + ACCESS_TOKEN_LIFETIME_MS);
    assert.equal(answer.expiresAt, now + SESSION_LIFETIME_MS);
    const refreshToken = cookie.slice('callpane_session='.length);
    assert.notEqual(refreshToken, answer.token);
    assert.equal((await whoAmI(refreshToken)).status, 401, 'the refresh token is no access token');
  });

  test('a login from any other client gets the refresh token in the JSON and no cookie', async () => {
    for (const headers of [{}, { 'x-callpane-client': 'other' }] as Record<string, string>[]) {
      const response = await login('1001', headers);
      assert.equal(response.headers.get('set-cookie'), null);
      const answer = (await response.json()) as SignedInAnswer;
      assert.match(answer.refreshToken ?? '', /^[A-Za-z0-9_-]{43}$/);
      const refreshed = await refresh({}, { refreshToken: answer.refreshToken });
      assert.equal(refreshed.status, 200);
      assert.equal((await whoAmI(((await refreshed.json()) as SignedInAnswer).token)).status, 200);
    }
  });

  test("the pane gets a new access token from its cookie, and the session's end does not move", async () => {
    const { cookie, answer } = await paneLogin('1001');
    api.advance(ACCESS_TOKEN_LIFETIME_MS);
    assert.equal((await whoAmI(answer.token)).status, 401, 'the access token has expired');
    const response = await refresh({ cookie, ...PANE });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const refreshed = (await response.json()) as SignedInAnswer;
    assert.equal(refreshed.expiresAt, answer.expiresAt);
    assert.equal(refreshed.refreshToken, undefined);
    assert.equal(((await (await whoAmI(refreshed.token)).json()) as SignedInAnswer).extension.number, '1001');
  });

  test('the cookie counts only with X-Callpane-Client: pane, and authenticates no other route', async () => {
    const { cookie } = await paneLogin('1001');
    for (const headers of [{ cookie }, { cookie, 'x-callpane-client': 'evil' }] as Record<string, string>[]) {
      assert.equal((await refresh(headers)).status, 401);
      assert.equal((await fetch(`${base}/api/session`, { method: 'DELETE', headers })).status, 401);
    }
    for (const path of ['/api/session', '/api/calls', '/api/settings', '/api/sip/credentials']) {
      const response = await fetch(`${base}${path}`, { headers: { cookie, ...PANE } });
      assert.equal(response.status, 401, path);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /Bearer/);
    }
    assert.equal((await refresh({ cookie, ...PANE })).status, 200, 'the session was left alone');
  });

  test('logging out with the cookie alone ends the session, its access tokens and the cookie', async () => {
    const { cookie, answer } = await paneLogin('1001');
    const logout = await fetch(`${base}/api/session`, { method: 'DELETE', headers: { cookie, ...PANE } });
    assert.equal(logout.status, 204);
    assert.equal(logout.headers.get('set-cookie'), clearedSessionCookie());
    const after = await whoAmI(answer.token);
    assert.equal(after.status, 401);
    assert.match(after.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const refused = await refresh({ cookie, ...PANE });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('set-cookie'), clearedSessionCookie(), 'a dead cookie is cleared');
  });

  test('logging out with an access token ends every access token of that session, not other sessions', async () => {
    const first = await paneLogin('1001');
    const second = await paneLogin('1001');
    const refreshed = (await (await refresh({ cookie: first.cookie, ...PANE })).json()) as SignedInAnswer;
    assert.equal((await fetch(`${base}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${first.answer.token}` } })).status, 204);
    assert.equal((await whoAmI(refreshed.token)).status, 401);
    assert.equal((await whoAmI(second.answer.token)).status, 200);
  });

  test('a stale cookie next to a live one does not hide it', async () => {
    const { cookie } = await paneLogin('1002');
    const response = await refresh({ cookie: `callpane_session=${'A'.repeat(43)}; ${cookie}`, ...PANE });
    assert.equal(response.status, 200);
  });

  test('the refresh cookie stops working when its session expires', async () => {
    const { cookie } = await paneLogin('1001');
    api.advance(SESSION_LIFETIME_MS);
    assert.equal((await refresh({ cookie, ...PANE })).status, 401);
  });

  test('an access token never outlives its session', async () => {
    const { cookie, answer } = await paneLogin('1001');
    api.advance(SESSION_LIFETIME_MS - 60_000);
    const last = (await (await refresh({ cookie, ...PANE })).json()) as SignedInAnswer;
    assert.equal(last.tokenExpiresAt, answer.expiresAt);
    api.advance(60_000);
    assert.equal((await whoAmI(last.token)).status, 401);
  });

  test('a refresh without any refresh token, or with a forged one, is refused', async () => {
    assert.equal((await refresh(PANE)).status, 401);
    assert.equal((await refresh({}, { refreshToken: 'A'.repeat(43) })).status, 401);
    assert.equal((await refresh({}, { refreshToken: 42 })).status, 400);
  });
});

describe('the event channel and the cookie', () => {
  let api: ApiFixture;
  let httpBase: string;
  let wsUrl: string;

  beforeEach(async () => {
    api = await createApiFixture();
    const base = await api.listen({ authTimeoutMs: 300 });
    httpBase = base.replace(/^ws/, 'http');
    wsUrl = `${base}${EVENT_CHANNEL_PATH}`;
  });
  afterEach(() => api.close());

  test('the cookie authenticates no handshake, even from our own origin; an access token does', async () => {
    const response = await fetch(`${httpBase}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...PANE },
      body: JSON.stringify({ login: '1001', password: PASSWORDS['1001'] }),
    });
    const cookie = itemAt(response.headers.get('set-cookie')!.split(';'), 0);
    const { token } = (await response.json()) as SignedInAnswer;
    const refused = await connectChannel(wsUrl, { cookie, origin: httpBase });
    assert.deepEqual(await refused.closed(), { code: EventChannelCloseCode.AUTH_TIMEOUT, reason: 'no auth message in time' });
    const client = await connectChannel(wsUrl, { cookie, origin: httpBase });
    client.send({ type: 'auth', token });
    assert.equal((await client.next()).type, 'ready');
    client.ws.close();
  });
});
