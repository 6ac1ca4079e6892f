import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { PANE_CREDENTIAL_LIFETIME_MS } from '../../../src/security/pane-credentials.ts';
import { PaneIceServers, turnCredential } from '../../../src/security/turn-credentials.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { createSessionRepository } from '../../../src/store/session-repository.ts';
import { createApiFixture, type ApiFixture, type ApiFixtureOptions } from './api-fixture.ts';

let api: ApiFixture | undefined;
afterEach(() => api?.close());

async function setUp(options: ApiFixtureOptions = {}) {
  api = await createApiFixture(options);
  return { api, alice: await api.login('1001'), bob: await api.login('1002') };
}

function credentials(fixture: ApiFixture, token: string | undefined, host = 'pbx.example.test:8080') {
  return fixture.http.app.inject({ method: 'GET', url: '/api/sip/credentials', headers: { host, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}

test('an agent gets a short-lived credential for their own extension, never its SIP secret, and no cache keeps it', async () => {
  const { api, alice, bob } = await setUp();
  const response = await credentials(api, alice);
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['cache-control'], 'no-store');
  const { authorizationUser, password, expiresAt, expiresInSeconds, ...rest } = response.json();
  assert.deepEqual(rest, {
    wsUrl: 'ws://pbx.example.test:8080/sip',
    uri: 'sip:1001@pbx.example.test',
    displayName: 'Alice',
    registrarServer: 'sip:pbx.example.test',
    iceServers: [],
    iceTransportPolicy: 'all',
  });
  const sessionTag = api.sessions.authenticate(alice)?.id.slice(0, 16);
  assert.match(authorizationUser, /^1001\.\d{10}\.[0-9a-f]{16}$/);
  assert.notEqual(password, 's1');
  assert.deepEqual(api.paneCredentials.verify(authorizationUser), { extension: '1001', sessionTag, password });
  assert.equal(Date.parse(expiresAt), Number(authorizationUser.split('.')[1]) * 1000);
  assert.ok(Math.abs(expiresInSeconds * 1000 - (Date.parse(expiresAt) - api.now())) <= 1000, "the lifetime left, by the server's clock");
  const bobs = (await credentials(api, bob)).json();
  assert.match(bobs.authorizationUser, /^1002\./);
  assert.equal(api.paneCredentials.verify(bobs.authorizationUser)?.password, bobs.password);
  assert.doesNotMatch(JSON.stringify(bobs), /"s2"/);
});

test('the credential lasts minutes, so a stolen access token buys no more', async () => {
  const { api, alice } = await setUp();
  const { expiresAt } = (await credentials(api, alice)).json();
  const remaining = Date.parse(expiresAt) - Date.now();
  assert.ok(remaining <= PANE_CREDENTIAL_LIFETIME_MS && remaining > PANE_CREDENTIAL_LIFETIME_MS - 60_000, `expires in ${remaining} ms`);
});

test('the credential never outlives the session that asked for it', async () => {
  const short = await setUp({ sessions: { lifetimeMs: 5 * 60 * 1000 } });
  const capped = (await credentials(short.api, short.alice)).json();
  const left = Date.parse(capped.expiresAt) - Date.now();
  assert.ok(left <= 5 * 60 * 1000 && left > 4 * 60 * 1000, `expires in ${left} ms`);
  short.api.advance(5 * 60 * 1000);
  assert.equal(short.api.paneCredentials.verify(capped.authorizationUser), undefined);
  assert.equal((await credentials(short.api, short.alice)).statusCode, 401);
});

test('each credential names the session that asked for it, so that it ends with that session alone', async () => {
  const { api, alice } = await setUp();
  const otherTab = await api.login('1001');
  const ofAlice = api.paneCredentials.verify((await credentials(api, alice)).json().authorizationUser);
  const ofOtherTab = api.paneCredentials.verify((await credentials(api, otherTab)).json().authorizationUser);
  assert.ok(ofAlice && ofOtherTab);
  assert.notEqual(ofAlice.sessionTag, ofOtherTab.sessionTag);
  const store = createSessionRepository(api.db);
  const session = api.sessions.authenticate(alice);
  assert.ok(session);
  assert.equal(store.hasLiveWithPrefix(ofAlice.sessionTag, '1001', Date.now()), true);
  api.sessions.logout(session);
  assert.equal(store.hasLiveWithPrefix(ofAlice.sessionTag, '1001', Date.now()), false);
  assert.equal(store.hasLiveWithPrefix(ofOtherTab.sessionTag, '1001', Date.now()), true);
});

test('the WebSocket URL follows TLS, the public URL and the configured path; an IPv6 domain is bracketed', async () => {
  const tls = await setUp({ site: { https: true }, sip: { wsPath: '/ws-sip' } });
  assert.equal((await credentials(tls.api, tls.alice, 'pbx.example.test')).json().wsUrl, 'wss://pbx.example.test/ws-sip');
  await tls.api.close();

  const proxied = await setUp({ site: { publicUrl: 'https://pbx.example.test' }, sip: { domain: '2001:db8::5' } });
  const answer = (await credentials(proxied.api, proxied.alice, 'pbx.example.test')).json();
  assert.equal(answer.wsUrl, 'wss://pbx.example.test/sip');
  assert.equal(answer.uri, 'sip:1001@[2001:db8::5]');
  assert.equal(answer.registrarServer, 'sip:[2001:db8::5]');
});

test('without a session, or with SIP over WebSocket off, no secret is handed out', async () => {
  const { api, alice } = await setUp({ sip: { webSocket: false } });
  const anonymous = await credentials(api, undefined);
  assert.equal(anonymous.statusCode, 401);
  assert.doesNotMatch(anonymous.body, /s1|s2/);
  const off = await credentials(api, alice);
  assert.equal(off.statusCode, 503);
  assert.equal(off.json().error.code, 'SIP_UNAVAILABLE');
  assert.doesNotMatch(off.body, /"s1"/);
});

test('a malformed Host gets a 400, not a URL built from it', async () => {
  const { api, alice } = await setUp();
  const response = await credentials(api, alice, 'evil.example/x?');
  assert.equal(response.statusCode, 400);
  assert.doesNotMatch(response.body, /"s1"/);
});

test('the SIP secrets and the session token never reach the log, even at trace level', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', pretty: false, destination: { write: (line: string) => void lines.push(line) } });
  const { api, alice } = await setUp({ logger });
  const { password } = (await credentials(api, alice)).json();
  await credentials(api, 'x'.repeat(43));
  await api.http.app.inject({ method: 'GET', url: '/api/sip/credentials', headers: { host: 'h', cookie: `callpane_session=${alice}`, 'x-callpane-client': 'pane' } });
  assert.ok(lines.length > 0, 'expected some log lines');
  const text = lines.join('');
  assert.ok(!text.includes(alice), 'the token leaked');
  assert.ok(!text.includes('"s1"'), 'the SIP secret leaked');
  assert.ok(!text.includes(password), 'the pane credential leaked');
});

const TURN_SECRET = 'a-shared-turn-secret-01';

test("the ICE servers come with the credential: STUN, TURN with a short-lived credential for the caller's extension, and the transport policy", async () => {
  const ice = new PaneIceServers({
    stun: ['stun:127.0.0.1:3478'],
    turn: { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: TURN_SECRET, ttlSeconds: 3600 },
    transportPolicy: 'relay',
  });
  const { api, alice, bob } = await setUp({ sip: { ice } });
  const answer = (await credentials(api, alice)).json();
  assert.equal(answer.iceTransportPolicy, 'relay');
  assert.equal(answer.iceServers.length, 2);
  assert.deepEqual(answer.iceServers[0], { urls: ['stun:127.0.0.1:3478'] });
  const turn = answer.iceServers[1];
  assert.deepEqual(turn.urls, ['turn:127.0.0.1:3478?transport=udp']);
  const [expiry, extension] = turn.username.split(':');
  assert.equal(extension, '1001');
  const left = Number(expiry) * 1000 - Date.now();
  assert.ok(left > 3500_000 && left <= 3600_000, `the TURN credential lasts the configured hour: ${left} ms left`);
  assert.equal(turn.credential, turnCredential(TURN_SECRET, '1001', Number(expiry)).credential);
  assert.doesNotMatch(JSON.stringify(answer), new RegExp(TURN_SECRET), 'the shared secret itself never reaches the browser');
  assert.match((await credentials(api, bob)).json().iceServers[1].username, /^\d{10}:1002$/);
});
