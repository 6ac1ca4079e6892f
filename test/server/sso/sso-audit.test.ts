import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/server/logger.ts';
import { SsoBrowser, resultOf } from './sso-browser.ts';
import { createSsoFixture, type SsoFixture } from './sso-fixture.ts';

let sso: SsoFixture;
const lines: Record<string, unknown>[] = [];
before(async () => {
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  sso = await createSsoFixture({ logger: createLogger({ level: 'info', pretty: false, destination }) });
});
after(() => sso.close());

test('an SSO sign-in and a refused one are audited like password logins, without the token or the code', async () => {
  const browser = new SsoBrowser();
  const { secret, startUrl } = sso.begin('entra');
  const callback = await browser.authorize(startUrl, 'alice');
  const result = resultOf(await (await browser.request(callback)).text());
  assert.equal(result.ok, true);
  const claimed = (await (await sso.claim(secret)).json()) as { token: string };
  const stranger = new SsoBrowser();
  await stranger.request(await stranger.authorize(sso.begin('entra').startUrl, 'stranger'));
  const audits = lines.filter((line) => line.event === 'login');
  assert.deepEqual(
    audits.map((line) => [line.level, line.method, line.provider, line.outcome, line.login, line.reason, line.extension]),
    [
      [30, 'sso', 'entra', 'success', 'Alice@Example.com', 'sso-accepted', '1001'],
      [40, 'sso', 'entra', 'failure', 'nobody@example.com', 'SSO_NO_EXTENSION', undefined],
    ],
  );
  const claim = lines.find((line) => line.event === 'session');
  assert.deepEqual([claim?.method, claim?.extension], ['sso', '1001'], "the pane's claim of the session is logged too");
  const text = lines.map((line) => JSON.stringify(line)).join('\n');
  assert.ok(!text.includes(claimed.token), 'the log holds the access token');
  assert.ok(!text.includes(secret), 'the log holds the handoff secret');
  assert.ok(!text.includes(new URL(callback).searchParams.get('code')!), 'the log holds the authorization code');
});
