/**
 * The server-side path as one service: the phone index and the journal on one Web API client, so
 * they share one token and one cap on concurrent requests (Dataverse counts both per user).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamicsConfig } from '../../src/config/dynamics-config.ts';
import { defaultUserSettings } from '../../src/contract/user-settings.ts';
import { libphonenumberReader } from '../../src/crm/numbers/phone-number.ts';
import { journalGraceSeconds, startDynamicsService } from '../../src/dynamics/dynamics-service.ts';
import { createLogger } from '../../src/server/logger.ts';
import { createCallRecordRepository } from '../../src/store/call-record-repository.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { APP, startSandboxOrg, type SandboxOrg } from './web-api/sandbox-org.ts';

const SETTINGS: DynamicsConfig = {
  connection: undefined,
  maxConcurrentRequests: 4,
  requestTimeoutSeconds: 30,
  journal: { enabled: true, graceSeconds: 0 },
  phoneIndex: { enabled: true, syncIntervalSeconds: 60, pageSize: 5000 },
};
const logger = createLogger({ level: 'silent', pretty: false });
const metrics = { journalAttempt() {}, observeJournalOutbox() {} };

let org: SandboxOrg;
let dataDir: string;
let db: Database;

beforeEach(async () => {
  org = await startSandboxOrg();
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-dynamics-service-'));
  db = openDatabase(dataDir);
});
afterEach(async () => {
  db.close();
  await org.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function start(settings: DynamicsConfig) {
  const connection = { url: org.origin, tenantId: 't', tokenUrl: org.tokenUrl, clientId: APP.clientId, credential: { kind: 'secret' as const, clientSecret: APP.clientSecret } };
  return startDynamicsService({
    connection,
    settings,
    db,
    calls: createCallRecordRepository(db),
    extensions: createExtensionRepository(db),
    settingsOf: () => defaultUserSettings(),
    numbers: libphonenumberReader,
    defaultRegion: 'US',
    metrics,
    logger,
  });
}

test('the phone index and the journal act on one client: one token for both, the index synced', async () => {
  const service = await start(SETTINGS);
  try {
    for (let attempt = 0; service.phoneIndex?.state() !== 'ready' && attempt < 200; attempt++) await sleep(50);
    assert.equal(service.phoneIndex?.state(), 'ready');
    assert.equal(org.tokenRequests.length, 1);
  } finally {
    await service.close();
  }
});

test('a phone index switched off is not there, and sends nothing', async () => {
  const service = await start({ ...SETTINGS, journal: { enabled: false, graceSeconds: 0 }, phoneIndex: { ...SETTINGS.phoneIndex, enabled: false } });
  await service.close();
  assert.equal(service.phoneIndex, undefined);
  assert.deepEqual(org.seen, []);
});

test('call records keep an outbox only when a journal will drain it', () => {
  assert.equal(journalGraceSeconds({ ...SETTINGS, journal: { enabled: true, graceSeconds: 90 } }, true), 90);
  assert.equal(journalGraceSeconds({ ...SETTINGS, journal: { enabled: true, graceSeconds: 90 } }, false), undefined);
  assert.equal(journalGraceSeconds({ ...SETTINGS, journal: { enabled: false, graceSeconds: 90 } }, true), undefined);
});
