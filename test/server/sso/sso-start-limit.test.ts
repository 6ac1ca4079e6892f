import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { START_POLICY } from '../../../src/server/sso/sso-routes.ts';
import { SsoBrowser, resultOf } from './sso-browser.ts';
import { createSsoFixture, type SsoFixture } from './sso-fixture.ts';

let sso: SsoFixture;
before(async () => {
  sso = await createSsoFixture({ startPolicy: { limit: 3, windowMs: 60_000, banMs: 60_000 } });
});
after(() => sso.close());

test('by default one address may start 300 sign-ins in 10 minutes: a call centre behind one address signs in at shift start', () => {
  assert.deepEqual(START_POLICY, { limit: 300, windowMs: 10 * 60_000, banMs: 10 * 60_000 });
});

test('an address that starts too many sign-ins is refused before anything is kept for it; refused requests do not count', async () => {
  for (let i = 0; i < 5; i++) {
    const notFromPane = await new SsoBrowser().request(sso.begin('entra').startUrl, { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(notFromPane.status, 400);
  }
  for (let i = 0; i < 3; i++) assert.equal((await new SsoBrowser().request(sso.begin('entra').startUrl)).status, 302);
  const { secret, startUrl } = sso.begin('entra');
  const refused = await new SsoBrowser().request(startUrl);
  assert.equal(refused.status, 429);
  assert.equal(resultOf(await refused.text()).code, 'SSO_TOO_MANY_STARTS');
  assert.equal((await sso.claim(secret)).status, 404, 'no sign-in was kept for it');
});
