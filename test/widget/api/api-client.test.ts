/**
 * The pane's API client against the real /api on 127.0.0.1, through a fetch that keeps cookies as
 * the pane's partition would: access tokens in memory, refreshed from the cookie before they
 * expire, after the server refused one, and after a reload; sign-out ends it all.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCESS_TOKEN_LIFETIME_MS } from '../../../src/server/sessions/access-tokens.ts';
import { ApiClient, type FetchLike } from '../../../src/widget/api/api-client.ts';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../../server/api/api-fixture.ts';

let api: ApiFixture;
let base: string;

beforeEach(async () => {
  api = await createApiFixture({ frozenClock: true });
  base = (await api.listen()).replace(/^ws/, 'http');
});
afterEach(() => api.close());

/** A browser's fetch for one partition: relative URLs, the session cookie kept and sent back. */
function partition(): { fetch: FetchLike; paths: string[] } {
  let cookie: string | undefined;
  const paths: string[] = [];
  return {
    paths,
    async fetch(path, init) {
      paths.push(`${init.method} ${path}`);
      const headers = new Headers(init.headers);
      if (cookie !== undefined && path.startsWith('/api/session')) headers.set('cookie', cookie);
      const response = await fetch(`${base}${path}`, { ...init, headers });
      const set = response.headers.get('set-cookie');
      if (set !== null) {
        const pair = set.split(';')[0];
        cookie = /Max-Age=0/.test(set) ? undefined : pair;
      }
      return response;
    },
  };
}

test('a reloaded pane resumes from its cookie alone, and a pane without one is signed out', async () => {
  const browser = partition();
  assert.equal((await new ApiClient(browser.fetch, api.now).refresh()).ok, false);
  assert.equal((await new ApiClient(browser.fetch, api.now).login('1001', PASSWORDS['1001'])).ok, true);
  const reloaded = new ApiClient(browser.fetch, api.now);
  const resumed = await reloaded.refresh();
  assert.equal(resumed.ok && resumed.value.extension.number, '1001');
  assert.equal((await reloaded.settings()).ok, true);
});

test('a token near its expiry is refreshed before the request, once for requests made together', async () => {
  const browser = partition();
  const client = new ApiClient(browser.fetch, api.now);
  await client.login('1001', PASSWORDS['1001']);
  api.advance(ACCESS_TOKEN_LIFETIME_MS - 30_000);
  browser.paths.length = 0;
  const [settings, calls] = await Promise.all([client.settings(), client.calls()]);
  assert.equal(settings.ok && calls.ok, true);
  assert.deepEqual(
    browser.paths.filter((path) => path.includes('refresh')),
    ['POST /api/session/refresh'],
  );
  api.advance(ACCESS_TOKEN_LIFETIME_MS - 30_000);
  assert.equal((await client.settings()).ok, true, 'the refreshed token lives on');
});

test('a token the server refuses though the pane thinks it fresh (a restart, a skewed clock) is refreshed and the request retried', async () => {
  const browser = partition();
  // The pane's clock runs a whole token lifetime behind the server's.
  const client = new ApiClient(browser.fetch, () => api.now() - ACCESS_TOKEN_LIFETIME_MS);
  await client.login('1001', PASSWORDS['1001']);
  api.advance(ACCESS_TOKEN_LIFETIME_MS);
  browser.paths.length = 0;
  const settings = await client.settings();
  assert.equal(settings.ok, true);
  assert.deepEqual(browser.paths, ['GET /api/settings', 'POST /api/session/refresh', 'GET /api/settings']);
});

test('when the session was ended elsewhere, requests fail with 401 and the pane forgets its token', async () => {
  const browser = partition();
  const client = new ApiClient(browser.fetch, api.now);
  await client.login('1001', PASSWORDS['1001']);
  api.sessions.logout(api.sessions.authenticate((await client.freshToken())!)!);
  const refused = await client.settings();
  assert.equal(!refused.ok && refused.error.status, 401);
  assert.equal(await client.freshToken(), undefined);
});

test('sign-out ends the session on the server even when the access token has expired', async () => {
  const browser = partition();
  const client = new ApiClient(browser.fetch, api.now);
  await client.login('1001', PASSWORDS['1001']);
  api.advance(ACCESS_TOKEN_LIFETIME_MS);
  assert.equal((await client.logout()).ok, true);
  assert.equal((await new ApiClient(browser.fetch, api.now).refresh()).ok, false);
});

test('a refresh that fails for the network is answered as that, never as the end of the session', async () => {
  const browser = partition();
  let refreshesFail = false;
  const flaky: FetchLike = (path, init) => (refreshesFail && path === '/api/session/refresh' ? Promise.reject(new TypeError('network down')) : browser.fetch(path, init));
  const client = new ApiClient(flaky, () => api.now() - ACCESS_TOKEN_LIFETIME_MS);
  await client.login('1001', PASSWORDS['1001']);
  api.advance(ACCESS_TOKEN_LIFETIME_MS);
  refreshesFail = true;
  const answer = await client.settings();
  assert.equal(!answer.ok && answer.error.status, 0, 'a network failure, not a 401');
  assert.ok(await client.freshToken(), 'the pane keeps its token and tries again later');
  refreshesFail = false;
  assert.equal((await client.settings()).ok, true);
});
