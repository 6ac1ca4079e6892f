import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { SsoBrowser, resultOf } from './sso-browser.ts';
import { createSsoFixture, type SsoFixture } from './sso-fixture.ts';

let sso: SsoFixture;
beforeEach(async () => {
  sso = await createSsoFixture();
});
afterEach(() => sso.close());

const start = (provider: string) => sso.begin(provider).startUrl;

async function visit(browser: SsoBrowser, url: string) {
  const response = await browser.request(url);
  return { response, result: resultOf(await response.text()) };
}

function sessionCount(): number {
  return (sso.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
}

test('an Entra user whose e-mail an extension has is signed in, and the pane that started it claims the session', async () => {
  const browser = new SsoBrowser();
  const { secret, startUrl } = sso.begin('entra');
  const { response, result } = await visit(browser, await browser.authorize(startUrl, 'alice'));
  assert.equal(response.status, 200);
  assert.deepEqual(result, { type: 'callpane-sso', ok: true, extension: { number: '1001', displayName: 'Alice' } });
  assert.equal(sessionCount(), 0, 'the popup starts no session itself');
  const claimed = await sso.claim(secret);
  assert.equal(claimed.status, 200);
  const body = (await claimed.json()) as { token: string; expiresAt: number; refreshToken?: string };
  assert.equal(body.refreshToken, undefined, 'the refresh token goes to the pane only as its cookie');
  assert.match(claimed.headers.get('set-cookie') ?? '', /^callpane_session=[A-Za-z0-9_-]{43}; Path=\/api\/session; HttpOnly; Secure; SameSite=None; Partitioned/);
  const session = sso.sessions.authenticate(body.token);
  assert.equal(session?.user.number, '1001');
  assert.equal(session?.expiresAt, body.expiresAt);
  assert.equal((await sso.claim(secret)).status, 404, 'an outcome is claimed once');
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
  const { secret, startUrl } = sso.begin('entra');
  const callback = await browser.authorize(startUrl, 'alice');
  assert.equal((await visit(browser, callback)).result.ok, true);
  const { result } = await visit(browser, callback);
  assert.equal(result.ok, false);
  assert.equal(result.code, 'SSO_STATE_MISMATCH');
  assert.equal((await sso.claim(secret)).status, 200, 'the replay did not spoil the first outcome');
  assert.equal(sessionCount(), 1);
});

test('a code already redeemed is refused by the provider even under a fresh state of the same browser', async () => {
  const browser = new SsoBrowser();
  const first = new URL(await browser.authorize(start('entra'), 'alice'));
  assert.equal((await visit(browser, first.href)).result.ok, true);
  // A second flow in the same browser, answered with the first flow's (spent) code.
  const { secret, startUrl } = sso.begin('entra');
  const second = new URL(await browser.authorize(startUrl, 'alice'));
  second.searchParams.set('code', first.searchParams.get('code')!);
  const { result } = await visit(browser, second.href);
  assert.equal(result.code, 'SSO_TOKEN_REJECTED');
  const claimed = await sso.claim(secret);
  assert.equal(claimed.status, 403);
  assert.equal(claimed.headers.get('x-callpane-sso-error'), 'SSO_TOKEN_REJECTED');
  assert.equal(sessionCount(), 0);
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

test('an e-mail address no extension has is refused with a message naming it, in the popup and to the pane', async () => {
  const browser = new SsoBrowser();
  const { secret, startUrl } = sso.begin('entra');
  const { response, result } = await visit(browser, await browser.authorize(startUrl, 'stranger'));
  assert.equal(response.status, 403);
  assert.equal(result.code, 'SSO_NO_EXTENSION');
  assert.match(String(result.message), /nobody@example\.com/);
  const claimed = await sso.claim(secret);
  assert.equal(claimed.status, 403);
  const body = (await claimed.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'SSO_FAILED');
  assert.match(body.error.message, /nobody@example\.com/);
  assert.equal(claimed.headers.get('x-callpane-sso-error'), 'SSO_NO_EXTENSION');
  assert.equal(sessionCount(), 0);
});

test("a start without the pane's handoff is refused before anything is sent to the provider", async () => {
  for (const handoff of ['', '&handoff=short', `&handoff=${'x'.repeat(44)}`]) {
    const { response, result } = await visit(new SsoBrowser(), `${sso.callpane}/dyncrm/sso/start?provider=entra${handoff}`);
    assert.equal(response.status, 400, handoff);
    assert.equal(result.code, 'SSO_HANDOFF_INVALID');
  }
});

test("a start that is not the pane's own navigation (a link in an e-mail or on another site) is refused", async () => {
  // The attack it stops: a link with a handoff whose secret the link's author holds, opened by an
  // agent already signed in at the provider, would otherwise end in a session the author claims.
  const { secret, startUrl } = sso.begin('entra');
  for (const site of ['none', 'cross-site', 'same-site', '']) {
    // '' stands for a client that sends no fetch metadata (an old browser, a script).
    const response = await new SsoBrowser().request(startUrl, { headers: { 'sec-fetch-site': site } });
    assert.equal(response.status, 400, site);
    assert.equal(resultOf(await response.text()).code, 'SSO_HANDOFF_INVALID');
  }
  assert.equal((await sso.claim(secret)).status, 404, 'nothing was started');
});

test('a handoff starts one sign-in only: reopening its start URL cannot restart or overwrite it', async () => {
  const browser = new SsoBrowser();
  const { secret, startUrl } = sso.begin('entra');
  assert.equal((await visit(browser, await browser.authorize(startUrl, 'alice'))).result.ok, true);
  const again = await new SsoBrowser().request(startUrl);
  assert.equal(again.status, 400);
  assert.equal(resultOf(await again.text()).code, 'SSO_HANDOFF_INVALID');
  const claimed = await sso.claim(secret);
  assert.equal(claimed.status, 200, 'the first outcome stands');
});

test('while the popup is at the provider the pane hears "pending", and a secret nobody began is not found', async () => {
  const { secret, startUrl } = sso.begin('entra');
  await new SsoBrowser().request(startUrl);
  const pending = await sso.claim(secret);
  assert.equal(pending.status, 202);
  assert.deepEqual(await pending.json(), { status: 'pending' });
  assert.equal((await sso.claim(sso.begin('entra').secret)).status, 404);
});

test('only the pane may claim, and only with the secret itself (the handoff in the URL is worthless)', async () => {
  const browser = new SsoBrowser();
  const { secret, startUrl } = sso.begin('entra');
  await visit(browser, await browser.authorize(startUrl, 'alice'));
  const handoff = new URL(startUrl).searchParams.get('handoff')!;
  assert.equal((await sso.claim(secret, {})).status, 400);
  assert.equal((await sso.claim(handoff)).status, 404);
  assert.equal(sessionCount(), 0);
  assert.equal((await sso.claim(secret)).status, 200);
});

test("the pane's sign-in buttons name the providers and nothing secret", async () => {
  const response = await fetch(`${sso.callpane}/api/sso/providers`);
  assert.deepEqual(await response.json(), {
    providers: [
      { id: 'entra', kind: 'entra', label: 'Microsoft' },
      { id: 'google', kind: 'google', label: 'Google' },
    ],
  });
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
