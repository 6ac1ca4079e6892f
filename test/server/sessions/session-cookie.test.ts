/**
 * The pane's cookie mode on a real server on 127.0.0.1: the Partitioned session cookie set at
 * login, accepted with X-Callpane-Client: pane on every /api route, cleared at logout, and on
 * the event channel's handshake only from our own origin.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { CallEvent } from '../../../src/pbx/calls/call-event.ts';
import { EVENT_CHANNEL_PATH, EventChannelCloseCode } from '../../../src/server/api/event-channel.ts';
import { SESSION_LIFETIME_MS } from '../../../src/server/sessions/session-service.ts';
import { clearedSessionCookie, sessionCookie, sessionCookieTokens } from '../../../src/server/sessions/session-cookie.ts';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../api/api-fixture.ts';
import { connectChannel } from '../api/event-channel-client.ts';

const PANE = { 'x-callpane-client': 'pane' };

test('the cookie is Partitioned, Secure, SameSite=None and HttpOnly, for the whole site', () => {
  assert.equal(sessionCookie('tok', 43_200.9), 'callpane_session=tok; Path=/; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=43200');
  assert.equal(clearedSessionCookie(), 'callpane_session=; Path=/; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=0');
});

test('every session cookie of the Cookie header is read, and only those', () => {
  assert.deepEqual(sessionCookieTokens('a=1; callpane_session=first;other=x;  callpane_session = second ; callpane_session='), ['first', 'second']);
  assert.deepEqual(sessionCookieTokens('callpane_sessionx=1; xcallpane_session=2'), []);
  assert.deepEqual(sessionCookieTokens(undefined), []);
  assert.equal(sessionCookieTokens(Array.from({ length: 10 }, (_, i) => `callpane_session=t${i}`).join('; ')).length, 4);
});

describe('cookie sessions over HTTP', () => {
  let api: ApiFixture;
  let base: string;

  beforeEach(async () => {
    api = await createApiFixture();
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

  async function cookieOf(number: keyof typeof PASSWORDS): Promise<string> {
    const setCookie = (await login(number)).headers.get('set-cookie');
    assert.ok(setCookie);
    return setCookie.split(';')[0];
  }

  test('a login from the pane sets the session cookie for the session\'s lifetime; the JSON stays the same', async () => {
    const response = await login('1001');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { token: string; expiresAt: number };
    assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'extension', 'token']);
    assert.equal(response.headers.get('set-cookie'), `callpane_session=${body.token}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=${SESSION_LIFETIME_MS / 1000}`);
  });

  test('a login from any other client sets no cookie', async () => {
    for (const headers of [{}, { 'x-callpane-client': 'other' }] as Record<string, string>[]) {
      const response = await login('1001', headers);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('set-cookie'), null);
    }
  });

  test('the pane resumes its session from the cookie alone', async () => {
    const cookie = await cookieOf('1001');
    const response = await fetch(`${base}/api/session`, { headers: { cookie, ...PANE } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'extension']);
    assert.deepEqual(body.extension, { number: '1001', displayName: 'Alice', email: 'alice@example.com' });
  });

  test('a cookie without X-Callpane-Client: pane authenticates nothing, on any route', async () => {
    const cookie = await cookieOf('1001');
    for (const path of ['/api/session', '/api/calls', '/api/settings', '/api/sip/credentials']) {
      for (const headers of [{ cookie }, { cookie, 'x-callpane-client': 'evil' }] as Record<string, string>[]) {
        const response = await fetch(`${base}${path}`, { headers });
        assert.equal(response.status, 401, path);
        const body = (await response.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'UNAUTHORIZED');
        assert.match(body.error.message, /X-Callpane-Client: pane/);
      }
      assert.equal((await fetch(`${base}${path}`, { headers: { cookie, ...PANE } })).status, 200, path);
    }
  });

  test('a cookie-carrying write without the header changes nothing', async () => {
    const cookie = await cookieOf('1001');
    const response = await fetch(`${base}/api/session`, { method: 'DELETE', headers: { cookie } });
    assert.equal(response.status, 401);
    assert.equal((await fetch(`${base}/api/session`, { headers: { cookie, ...PANE } })).status, 200);
  });

  test('logging out ends the session and clears the partitioned cookie', async () => {
    const cookie = await cookieOf('1001');
    const logout = await fetch(`${base}/api/session`, { method: 'DELETE', headers: { cookie, ...PANE } });
    assert.equal(logout.status, 204);
    assert.equal(logout.headers.get('set-cookie'), clearedSessionCookie());
    const after = await fetch(`${base}/api/session`, { headers: { cookie, ...PANE } });
    assert.equal(after.status, 401);
    assert.match(after.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  test('a Bearer token decides over a cookie, a stale one included', async () => {
    const aliceCookie = await cookieOf('1001');
    const bob = await api.login('1002');
    const asBob = await fetch(`${base}/api/session`, { headers: { cookie: aliceCookie, authorization: `Bearer ${bob}`, ...PANE } });
    assert.equal(((await asBob.json()) as { extension: { number: string } }).extension.number, '1002');
    const stale = await fetch(`${base}/api/session`, { headers: { cookie: aliceCookie, authorization: `Bearer ${'A'.repeat(43)}`, ...PANE } });
    assert.equal(stale.status, 401);
  });

  test('a stale cookie next to a live one does not hide it', async () => {
    const live = await cookieOf('1002');
    const response = await fetch(`${base}/api/session`, { headers: { cookie: `callpane_session=${'A'.repeat(43)}; ${live}`, ...PANE } });
    assert.equal(response.status, 200);
  });

  test('a cookie stops working when its session expires', async () => {
    const cookie = await cookieOf('1001');
    api.advance(SESSION_LIFETIME_MS);
    assert.equal((await fetch(`${base}/api/session`, { headers: { cookie, ...PANE } })).status, 401);
  });
});

describe('cookie sessions on the event channel', () => {
  let api: ApiFixture;
  let httpBase: string;
  let wsUrl: string;

  beforeEach(async () => {
    api = await createApiFixture({ site: { publicUrl: 'https://pbx.example.test' } });
    const base = await api.listen({ authTimeoutMs: 300 });
    httpBase = base.replace(/^ws/, 'http');
    wsUrl = `${base}${EVENT_CHANNEL_PATH}`;
  });
  afterEach(() => api.close());

  async function cookieOf(number: keyof typeof PASSWORDS): Promise<{ cookie: string; token: string }> {
    const response = await fetch(`${httpBase}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...PANE },
      body: JSON.stringify({ login: number, password: PASSWORDS[number] }),
    });
    const { token } = (await response.json()) as { token: string };
    return { cookie: `callpane_session=${token}`, token };
  }

  const ringing: CallEvent = {
    type: 'ringing',
    callId: 'c-1',
    direction: 'internal',
    from: { number: '1002', extension: '1002' },
    to: { number: '1001', extension: '1001' },
    extensions: ['1001'],
    at: 1,
  };

  test('a handshake from our own origin is authenticated by the cookie, with no auth message', async () => {
    const { cookie } = await cookieOf('1001');
    const client = await connectChannel(wsUrl, { cookie, origin: httpBase });
    const ready = await client.next();
    assert.equal(ready.type, 'ready');
    assert.deepEqual(ready.extension, { number: '1001', displayName: 'Alice', email: 'alice@example.com' });
    api.bus.publish(ringing);
    assert.deepEqual(await client.next(), { type: 'call', event: ringing });
    client.ws.close();
  });

  test('the public URL\'s origin is ours too (a TLS proxy in front)', async () => {
    const { cookie } = await cookieOf('1001');
    const client = await connectChannel(wsUrl, { cookie, origin: 'https://pbx.example.test' });
    assert.equal((await client.next()).type, 'ready');
    client.ws.close();
  });

  test('an auth message the pane sends after the cookie authenticated it is ignored', async () => {
    const { cookie, token } = await cookieOf('1001');
    const client = await connectChannel(wsUrl, { cookie, origin: httpBase });
    assert.equal((await client.next()).type, 'ready');
    client.send({ type: 'auth', token });
    client.send({ type: 'something else' });
    api.bus.publish(ringing);
    assert.deepEqual(await client.next(), { type: 'call', event: ringing });
    client.ws.close();
  });

  test('the cookie is ignored on a handshake from another site or without an Origin', async () => {
    const { cookie } = await cookieOf('1001');
    for (const headers of [{ cookie, origin: 'http://evil.example' }, { cookie, origin: 'null' }, { cookie }] as Record<string, string>[]) {
      const client = await connectChannel(wsUrl, headers);
      assert.deepEqual(await client.closed(), { code: EventChannelCloseCode.AUTH_TIMEOUT, reason: 'no auth message in time' });
    }
  });

  test('another site\'s page may still authenticate with a token it holds', async () => {
    const { cookie } = await cookieOf('1001');
    const bob = await api.login('1002');
    const client = await connectChannel(wsUrl, { cookie, origin: 'http://evil.example' });
    client.send({ type: 'auth', token: bob });
    assert.deepEqual((await client.next()).extension, { number: '1002', displayName: 'Bob', email: null });
    client.ws.close();
  });

  test('a cookie of an ended session closes the socket as unauthorized unless a token follows', async () => {
    const { cookie, token } = await cookieOf('1001');
    await fetch(`${httpBase}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    const refused = await connectChannel(wsUrl, { cookie, origin: httpBase });
    assert.equal((await refused.closed()).code, EventChannelCloseCode.UNAUTHORIZED);

    const bob = await api.login('1002');
    const rescued = await connectChannel(wsUrl, { cookie, origin: httpBase });
    rescued.send({ type: 'auth', token: bob });
    assert.equal((await rescued.next()).type, 'ready');
    rescued.ws.close();
  });

  test('logging out closes a cookie-authenticated socket', async () => {
    const { cookie, token } = await cookieOf('1001');
    const client = await connectChannel(wsUrl, { cookie, origin: httpBase });
    assert.equal((await client.next()).type, 'ready');
    await fetch(`${httpBase}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await client.closed()).code, EventChannelCloseCode.UNAUTHORIZED);
  });
});
