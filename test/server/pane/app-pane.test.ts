/**
 * The pane as `callpane start` wires it: configured Dynamics origins and the origins of running
 * stand-in services (the sandbox) are accepted as base, the widget is served, and an agent signed
 * in from the pane gets their SIP credentials with the session cookie alone.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCallpane, type AppService } from '../../../src/app.ts';
import { loadConfig, type Config } from '../../../src/config/load-config.ts';
import { PaneCredentials } from '../../../src/security/pane-credentials.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { itemAt } from '../../support/item-at.ts';

const logger = createLogger({ level: 'silent', pretty: false });
const paneSources = {
  entry: fileURLToPath(new URL('./fixture/main.ts', import.meta.url)),
  css: fileURLToPath(new URL('./fixture/pane.css', import.meta.url)),
};
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-pane-app-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    env: { CALLPANE_DATA_DIR: dataDir, CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_HTTP_PORT: '0', CALLPANE_SIP_HOST: '127.0.0.1', CALLPANE_SIP_PORT: '0', ...env },
    cwd: dataDir,
    interfaces: {},
  });
}

test("a running stand-in service's origin is an allowed base, next to the configured patterns", async () => {
  const standIn: AppService = { close: async () => {}, crmOrigins: () => ['http://127.0.0.1:48081'] };
  const running = await startCallpane({
    config: testConfig({ CALLPANE_CRM_ALLOWED_ORIGINS: 'https://*.crm4.dynamics.com', CALLPANE_CRM_DEFAULT_REGION: 'GB' }),
    logger,
    extraServices: [async () => standIn],
    paneSources,
  });
  try {
    const shell = await fetch(`${running.httpUrl}/dyncrm?base=http://127.0.0.1:48081`);
    assert.equal(shell.status, 200);
    assert.match(await shell.text(), /"base":"http:\/\/127\.0\.0\.1:48081","defaultRegion":"GB"/);
    assert.equal((await fetch(`${running.httpUrl}/dyncrm?base=https://org.crm4.dynamics.com`)).status, 200);
    const refused = await fetch(`${running.httpUrl}/dyncrm?base=https://org.crm.dynamics.com`);
    assert.equal(refused.status, 400);
    const page = await refused.text();
    assert.ok(page.includes('<code>https://*.crm4.dynamics.com</code>') && page.includes('<code>http://127.0.0.1:48081</code>'));
    const scriptPath = /<script type="module" src="([^"]+)">/.exec(await (await fetch(`${running.httpUrl}/dyncrm?base=https://org.crm4.dynamics.com`)).text())?.[1];
    assert.match(scriptPath ?? '', /^\/dyncrm\/assets\/pane\.[0-9a-f]{16}\.js$/);
    // fetch() decodes what it gets, as a browser does.
    const script = await fetch(`${running.httpUrl}${scriptPath}`, { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('content-encoding'), 'br');
    assert.match(await script.text(), /Hello from the /);
  } finally {
    await running.close();
  }
});

test('signed in from the pane, an agent resumes from the cookie alone and gets their SIP credentials', async () => {
  const running = await startCallpane({ config: testConfig(), logger, paneSources });
  try {
    const demo = running.demoExtensions.find((d) => d.number === '1001');
    assert.ok(demo);
    const login = await fetch(`${running.httpUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-callpane-client': 'pane' },
      body: JSON.stringify({ login: '1001', password: demo.password }),
    });
    const cookie = itemAt((login.headers.get('set-cookie') ?? '').split(';'), 0);
    assert.match(cookie, /^callpane_session=[A-Za-z0-9_-]{43}$/);
    // A reload: nothing in memory, only the cookie, which buys an access token.
    const refreshed = await fetch(`${running.httpUrl}/api/session/refresh`, { method: 'POST', headers: { cookie, 'x-callpane-client': 'pane' } });
    assert.equal(refreshed.status, 200);
    const { token } = (await refreshed.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'x-callpane-client': 'pane' };
    assert.equal((await fetch(`${running.httpUrl}/api/session`, { headers })).status, 200);
    const credentials = (await (await fetch(`${running.httpUrl}/api/sip/credentials`, { headers })).json()) as Record<string, unknown>;
    const { host } = new URL(running.httpUrl);
    const config = running.context.config;
    assert.equal(credentials.wsUrl, `ws://${host}${config.sip.wsPath}`);
    assert.equal(credentials.uri, `sip:1001@${config.sip.domain}`);
    // A short-lived pane credential standing for 1001, never its own SIP secret.
    assert.notEqual(credentials.password, running.context.repositories.extensions.get('1001')?.sipSecret);
    assert.deepEqual(PaneCredentials.load(config.dataDir).verify(String(credentials.authorizationUser)), {
      extension: '1001',
      sessionTag: String(credentials.authorizationUser).split('.')[2],
      password: credentials.password,
    });
    const settings = await fetch(`${running.httpUrl}/api/settings`, { headers });
    assert.equal(((await settings.json()) as { language: string }).language, 'dynamics');
  } finally {
    await running.close();
  }
});
