import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/ports.ts';
import { startTestProvider, type TestProvider } from './oidc-test-provider.ts';

const CLIENT = { clientId: 'pane', clientSecret: 'test-client-secret-0123456789', redirectUri: 'http://127.0.0.1:9/dyncrm/login' };

async function withProvider(openerPolicy: string | undefined, run: (provider: TestProvider) => Promise<void>): Promise<void> {
  const provider = await startTestProvider({ port: await freePort(), clients: [CLIENT], accounts: {}, openerPolicy });
  try {
    await run(provider);
  } finally {
    await provider.close();
  }
}

const get = (url: string) => fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });

test('the test provider sends the opener policy it is given on its discovery document, authorization redirect and login page', async () => {
  await withProvider('same-origin', async (provider) => {
    const discovery = await get(`${provider.issuer}/.well-known/openid-configuration`);
    const authorize = new URL(((await discovery.json()) as { authorization_endpoint: string }).authorization_endpoint);
    for (const [name, value] of Object.entries({ client_id: CLIENT.clientId, redirect_uri: CLIENT.redirectUri, response_type: 'code', scope: 'openid' }))
      authorize.searchParams.set(name, value);
    const redirect = await get(authorize.href);
    assert.equal(redirect.status, 303);
    // The login page is where a real provider's policy matters: it is what the popup shows.
    const login = await fetch(new URL(redirect.headers.get('location')!, provider.issuer), {
      headers: {
        cookie: redirect.headers
          .getSetCookie()
          .map((line) => line.split(';')[0])
          .join('; '),
      },
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(login.status, 200);
    assert.match(await login.text(), /<form/);
    for (const response of [discovery, redirect, login]) assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
  });
});

test('the test provider sends no opener policy unless given one', async () => {
  await withProvider(undefined, async (provider) => {
    const discovery = await get(`${provider.issuer}/.well-known/openid-configuration`);
    await discovery.body?.cancel();
    assert.equal(discovery.status, 200);
    assert.equal(discovery.headers.get('cross-origin-opener-policy'), null);
  });
});
