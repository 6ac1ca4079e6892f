/**
 * The phone index as `callpane start` wires it: with a Dynamics org configured (here the sandbox),
 * Callpane syncs the index after its services start and POST /api/phone/lookup answers from it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCallpane, type RunningCallpane } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { Dataverse, SANDBOX_TENANT_ID } from '../../../src/sandbox/dataverse/index.ts';
import { createSandboxServer, type SandboxServer } from '../../../src/sandbox/sandbox-server.ts';
import { hashPassword } from '../../../src/security/password-hash.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { createExtensionRepository } from '../../../src/store/extension-repository.ts';

const CLIENT = { clientId: '0a9c0000-0000-4000-8000-00000000d001', clientSecret: 'index-app-secret' };
const NIA = 'dddddddd-0000-4000-8000-0000000000d1';
const logger = createLogger({ level: 'silent', pretty: false });
let dataverse: Dataverse;
let sandbox: SandboxServer;
let dataDir: string;
let running: RunningCallpane;

before(async () => {
  dataverse = new Dataverse({ path: ':memory:' });
  dataverse.create('contacts', { contactid: NIA, firstname: 'Nia', lastname: 'Index', mobilephone: 'Mob: (303) 555-2368', address1_country: 'USA' });
  sandbox = createSandboxServer({ host: '127.0.0.1', port: 0, dataverse, logger, dataverseRoutes: { oauth: { clients: [CLIENT] } } });
  const origin = await sandbox.listen();
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-index-app-'));
  const db = openDatabase(dataDir);
  createExtensionRepository(db).add({ number: '1001', displayName: 'Alice', email: null, passwordHash: await hashPassword('alice-password-1'), sipSecret: 's'.repeat(24) });
  db.close();
  const env = {
    CALLPANE_DATA_DIR: dataDir,
    CALLPANE_HTTP_HOST: '127.0.0.1',
    CALLPANE_HTTP_PORT: '0',
    CALLPANE_SIP_HOST: '127.0.0.1',
    CALLPANE_SIP_PORT: '0',
    CALLPANE_SANDBOX_ENABLED: 'false',
    CALLPANE_MEDIA_RELAY: 'never',
    CALLPANE_DYNAMICS_URL: origin,
    CALLPANE_DYNAMICS_AUTHORITY: origin,
    CALLPANE_DYNAMICS_TENANT_ID: SANDBOX_TENANT_ID,
    CALLPANE_DYNAMICS_CLIENT_ID: CLIENT.clientId,
    CALLPANE_DYNAMICS_CLIENT_SECRET: CLIENT.clientSecret,
    CALLPANE_DYNAMICS_JOURNAL_ENABLED: 'false',
  };
  running = await startCallpane({ config: loadConfig({ env, cwd: dataDir, interfaces: {} }), logger });
});
after(async () => {
  await running.close();
  await sandbox.close();
  dataverse.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function lookup(token: string, number: string) {
  const response = await fetch(`${running.httpUrl}/api/phone/lookup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ number, entities: ['contact', 'account', 'lead'], defaultRegion: 'US' }),
  });
  return (await response.json()) as { index: { state: string; matches: Array<{ candidate: { id: string; name?: string } }> } };
}

test('with an org configured, the index syncs at start and the caller lookup answers from it', async () => {
  const session = await fetch(`${running.httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: '1001', password: 'alice-password-1' }),
  });
  const { token } = (await session.json()) as { token: string };
  let answer = await lookup(token, '+13035552368');
  // The first sync reads the seed's few hundred records: wait for it, bounded.
  for (let attempt = 0; answer.index.state !== 'ready' && attempt < 200; attempt++) {
    await sleep(50);
    answer = await lookup(token, '+13035552368');
  }
  assert.equal(answer.index.state, 'ready');
  assert.deepEqual(
    answer.index.matches.map((match) => match.candidate),
    [{ entity: 'contact', id: NIA, name: 'Nia Index', field: 'mobilephone', number: '+13035552368' }],
  );
});
