import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { SsoBrowser, resultOf } from './sso-browser.ts';
import { createSsoFixture, type SsoFixture } from './sso-fixture.ts';

let sso: SsoFixture;
beforeEach(async () => {
  sso = await createSsoFixture();
});
afterEach(() => sso.close());

const start = (provider: string) => `${sso.callpane}/dyncrm/sso/start?provider=${provider}`;

async function visit(browser: SsoBrowser, url: string) {
  const response = await browser.request(url);
  return { response, result: resultOf(await response.text()) };
}

function sessionCount(): number {
  return (sso.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
}

test('an Entra user whose e-mail an extension has is signed in, and the page hands the session to the pane', async () => {
  const browser = new SsoBrowser();
  const { response, result } = await visit(browser, await browser.authorize(start('entra'), 'alice'));
  assert.equal(response.status, 200);
  assert.equal(result.type, 'callpane-sso');
  assert.equal(result.ok, true);
  assert.deepEqual(result.extension, { number: '1001', displayName: 'Alice', email: 'alice@example.com' });
  const session = sso.sessions.authenticate(result.token as string);
  assert.equal(session?.user.number, '1001');
  assert.equal(session?.expiresAt, result.expiresAt);
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'; script-src 'self'/);
  assert.equal(response.headers.get('cache-control'), 'no-store');
});

test('the start redirects with PKCE S256, a state and a nonce, and binds them to the browser with a Lax HttpOnly cookie', async () => {
  const response = await new SsoBrowser().request(start('entra'));
  assert.equal(response.status, 302);
  const target = new URL(response.headers.get('location')!);
  assert.equal(target.origin, sso.provider.issuer);
  assert.equal(target.searchParams.get('code_challenge_method'), 'S256');
  assert.match(target.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((target.searchParams.get('state') ?? '').length >= 32);
  assert.ok((target.searchParams.get('nonce') ?? '').length >= 32);
  assert.equal(target.searchParams.get('redirect_uri'), `${sso.callpane}/dyncrm/login`);
  assert.match(response.headers.get('set-cookie') ?? '', /^callpane_sso=[A-Za-z0-9_-]{43}; Path=\/dyncrm; HttpOnly; Secure; SameSite=Lax; Max-Age=600$/);
});

test('a Google Workspace user of the allowed hosted domain is signed in', async () => {
  const browser = new SsoBrowser();
  const { result } = await visit(browser, await browser.authorize(start('google'), 'alice'));
  assert.equal(result.ok, true);
});

test('the answer for a sign-in started in another browser is refused and starts no session', async () => {
  const callback = await new SsoBrowser().authorize(start('entra'), 'alice');
  const { response, result } = await visit(new SsoBrowser(), callback);
  assert.equal(response.status, 400);
  assert.equal(result.code, 'SSO_STATE_MISMATCH');
  assert.equal(sessionCount(), 0);
});

test('an answer with a state this server never issued is refused', async () => {
  const browser = new SsoBrowser();
  const callback = new URL(await browser.authorize(start('entra'), 'alice'));
  callback.searchParams.set('state', 'forged-state-value');
  const { result } = await visit(browser, callback.href);
  assert.equal(result.code, 'SSO_STATE_MISMATCH');
  assert.equal(sessionCount(), 0);
});

test('a code used once cannot sign in again', async () => {
  const browser = new SsoBrowser();
  const callback = await browser.authorize(start('entra'), 'alice');
  assert.equal((await visit(browser, callback)).result.ok, true);
  const { result } = await visit(browser, callback);
  assert.equal(result.ok, false);
  assert.equal(result.code, 'SSO_STATE_MISMATCH');
  assert.equal(sessionCount(), 1);
});

test('a code already redeemed is refused by the provider even under a fresh state of the same browser', async () => {
  const browser = new SsoBrowser();
  const first = new URL(await browser.authorize(start('entra'), 'alice'));
  assert.equal((await visit(browser, first.href)).result.ok, true);
  // A second flow in the same browser, answered with the first flow's (spent) code.
  const second = new URL(await browser.authorize(start('entra'), 'alice'));
  second.searchParams.set('code', first.searchParams.get('code')!);
  const { result } = await visit(browser, second.href);
  assert.equal(result.code, 'SSO_TOKEN_REJECTED');
  assert.equal(sessionCount(), 1);
});

test('a user of another Entra tenant is refused even with a known e-mail', async () => {
  const browser = new SsoBrowser();
  const { response, result } = await visit(browser, await browser.authorize(start('entra'), 'outsider'));
  assert.equal(response.status, 403);
  assert.equal(result.code, 'SSO_ORGANIZATION_NOT_ALLOWED');
  assert.equal(sessionCount(), 0);
});

test('a Google account of another hosted domain is refused', async () => {
  const browser = new SsoBrowser();
  const { result } = await visit(browser, await browser.authorize(start('google'), 'outsider'));
  assert.equal(result.code, 'SSO_ORGANIZATION_NOT_ALLOWED');
  assert.match(String(result.message), /example\.com/);
  assert.equal(sessionCount(), 0);
});

test('an e-mail address no extension has is refused with a message naming it', async () => {
  const browser = new SsoBrowser();
  const { response, result } = await visit(browser, await browser.authorize(start('entra'), 'stranger'));
  assert.equal(response.status, 403);
  assert.equal(result.code, 'SSO_NO_EXTENSION');
  assert.match(String(result.message), /nobody@example\.com/);
  assert.equal(sessionCount(), 0);
});

test('an unknown provider gets the result page with a clear error', async () => {
  const { response, result } = await visit(new SsoBrowser(), start('nope'));
  assert.equal(response.status, 404);
  assert.equal(result.code, 'SSO_UNKNOWN_PROVIDER');
});

test('an error answered by the provider is shown and starts no session', async () => {
  const browser = new SsoBrowser();
  const callback = new URL(await browser.authorize(start('entra'), 'alice'));
  callback.searchParams.delete('code');
  callback.searchParams.set('error', 'access_denied');
  const { result } = await visit(browser, callback.href);
  assert.equal(result.code, 'SSO_PROVIDER_ERROR');
  assert.match(String(result.message), /access_denied/);
  assert.equal(sessionCount(), 0);
});

test('the result script posts to the opener at our own origin only', async () => {
  const response = await fetch(`${sso.callpane}/dyncrm/sso/result.js`);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /window\.opener\.postMessage\(result, window\.location\.origin\)/);
});
