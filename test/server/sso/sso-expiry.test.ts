import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/server/logger.ts';
import { SsoBrowser, resultOf } from './sso-browser.ts';
import { createSsoFixture, type SsoFixture } from './sso-fixture.ts';

let sso: SsoFixture;
const lines: Record<string, unknown>[] = [];
// Callpane's clock two hours ahead of the provider's: every ID token it issues (one hour) has expired.
before(async () => {
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  sso = await createSsoFixture({ clients: { clockSkewSeconds: 2 * 60 * 60 }, logger: createLogger({ level: 'info', pretty: false, destination }) });
});
after(() => sso.close());

test('an expired ID token is refused for its expiry, audited, and starts no session', async () => {
  const browser = new SsoBrowser();
  const callback = await browser.authorize(sso.begin('entra').startUrl, 'alice');
  const response = await browser.request(callback);
  const result = resultOf(await response.text());
  assert.equal(result.code, 'SSO_TOKEN_REJECTED');
  assert.equal((sso.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n, 0);
  const refusal = lines.find((line) => line.msg === 'ID token or code refused');
  // Only exp can fail here: iat and auth_time lie in Callpane's past, and no nbf is sent.
  assert.match(String(refusal?.reason), /JWT timestamp claim value failed validation/);
  const audit = lines.find((line) => line.event === 'login');
  assert.deepEqual(
    { method: audit?.method, provider: audit?.provider, outcome: audit?.outcome, reason: audit?.reason },
    { method: 'sso', provider: 'entra', outcome: 'failure', reason: 'SSO_TOKEN_REJECTED' },
  );
});
