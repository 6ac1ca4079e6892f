/**
 * The phone index synced from the sandbox Dataverse over HTTP — paging, change tracking and its
 * seed, numbers typed the ways people type them in eight countries — answers every stored number
 * with exactly the records the pane's wildcard search plus matchPhone finds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CRM_ENTITIES, type CrmEntity, type CrmRecordRef } from '../../../src/crm/crm-entities.ts';
import { libphonenumberReader as numbers } from '../../../src/crm/numbers/phone-number.ts';
import { matchPhone } from '../../../src/crm/phone-match.ts';
import { buildPhoneSearchQueries, candidatesFromSearchResult, type RecordPhone } from '../../../src/crm/phone-search.ts';
import { matchedRecords } from '../../../src/crm/screen-pop.ts';
import { phoneFieldTexts } from '../../../src/crm/phone-field.ts';
import { PhoneIndexService } from '../../../src/dynamics/phone-index/phone-index-service.ts';
import type { WebApiClient } from '../../../src/dynamics/web-api/web-api-client.ts';
import { Dataverse, SANDBOX_TENANT_ID } from '../../../src/sandbox/dataverse/index.ts';
import { createSandboxServer, type SandboxServer } from '../../../src/sandbox/sandbox-server.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { openDatabase, type Database } from '../../../src/store/database.ts';
import { createPhoneIndexRepository, type PhoneIndexRepository } from '../../../src/store/phone-index-repository.ts';
import { sandboxWebApiClient, type LoggedRequest } from '../../support/sandbox-web-api-client.ts';

const CLIENT = { clientId: '0a9c0000-0000-4000-8000-00000000b001', clientSecret: 'index-secret' };
const REGION = 'US';
const ENTITIES: readonly CrmEntity[] = ['contact', 'account', 'lead'];
const NEW_CONTACT = 'cccccccc-0000-4000-8000-0000000000b1';

/**
 * The test client takes paths relative to the Web API; next and delta links are absolute, as the
 * real client takes them. `signIn` gets a new token, as the real client does when one expires.
 */
function sandboxClient(origin: string): WebApiClient & { log: LoggedRequest[]; signIn(): void } {
  const base = `${origin}/api/data/v9.2/`;
  const log: LoggedRequest[] = [];
  let inner = sandboxWebApiClient({ origin, ...CLIENT, tenantId: SANDBOX_TENANT_ID });
  return {
    log,
    signIn: () => {
      inner = sandboxWebApiClient({ origin, ...CLIENT, tenantId: SANDBOX_TENANT_ID });
    },
    async request(request, signal) {
      const path = request.path.startsWith(base) ? request.path.slice(base.length) : request.path;
      try {
        return await inner.request({ ...request, path }, signal);
      } finally {
        log.push(...inner.log.splice(0));
      }
    },
    close: () => inner.close(),
  };
}

describe('the phone index synced from the sandbox', () => {
  const logger = createLogger({ level: 'silent', pretty: false });
  let now = Date.now();
  let dataverse: Dataverse;
  let sandbox: SandboxServer;
  let client: ReturnType<typeof sandboxClient>;
  let dataDir: string;
  let db: Database;
  let repository: PhoneIndexRepository;
  let index: PhoneIndexService;

  /** What the pane finds without an index: the wildcard query per table, ranked by matchPhone. */
  const searched = (incoming: string): CrmRecordRef[] => {
    const candidates: RecordPhone[] = [];
    for (const query of buildPhoneSearchQueries(numbers, incoming, { entities: ENTITIES, defaultRegion: REGION })) {
      candidates.push(...candidatesFromSearchResult(query, dataverse.retrieveMultiple(CRM_ENTITIES[query.entity].setName, query.query).records));
    }
    return matchedRecords(matchPhone(numbers, incoming, candidates, { defaultRegion: REGION }));
  };
  const key = (records: readonly CrmRecordRef[] | undefined) => (records ?? []).map((record) => `${record.entity}:${record.id}`).sort();

  before(async () => {
    dataverse = new Dataverse({ path: ':memory:', now: () => new Date(now) });
    sandbox = createSandboxServer({ host: '127.0.0.1', port: 0, dataverse, logger, dataverseRoutes: { oauth: { clients: [CLIENT] } } });
    const origin = await sandbox.listen();
    client = sandboxClient(origin);
    dataDir = mkdtempSync(join(tmpdir(), 'callpane-index-sandbox-'));
    db = openDatabase(dataDir);
    repository = createPhoneIndexRepository(db);
    // A small page, so every table is read over several pages.
    index = new PhoneIndexService({ client, repository, numbers, defaultRegion: REGION, syncIntervalSeconds: 60, pageSize: 25, logger, now: () => now });
  });
  after(async () => {
    await index.close();
    await sandbox.close();
    dataverse.close();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a full sync pages through every table and then answers every seed number as the wildcard search does', async () => {
    const cycle = await index.syncOnce();
    for (const entity of ENTITIES) assert.equal(cycle.tables[entity]?.kind, 'full', entity);
    assert.ok(client.log.filter((request) => request.path.includes('$skiptoken')).length > 3, 'several pages');
    assert.equal(index.state(), 'ready');
    let compared = 0;
    for (const entity of ENTITIES) {
      const info = CRM_ENTITIES[entity];
      for (const record of dataverse.retrieveMultiple(info.setName, `?$select=${info.phoneFields.join(',')}`).records) {
        for (const field of info.phoneFields) {
          const text = record[field];
          if (typeof text !== 'string') continue;
          for (const number of phoneFieldTexts(text)) {
            const expected = key(searched(number));
            assert.deepEqual(key(index.findRecords(number)), expected, `${entity} ${field} ${JSON.stringify(number)}`);
            compared += 1;
          }
        }
      }
    }
    assert.ok(compared > 300, `${compared} numbers compared`);
  });

  test('the next sync follows the delta links: a new, a changed and a deleted record, and nothing else read again', async () => {
    const [first] = dataverse.retrieveMultiple('contacts', '?$select=fullname,telephone1&$filter=telephone1 ne null&$top=1').records;
    const [second] = dataverse.retrieveMultiple('leads', '?$select=fullname,telephone1&$filter=telephone1 ne null&$top=1').records;
    assert.ok(first && second);
    const changedId = String(first.contactid);
    const deletedId = String(second.leadid);
    const deletedNumber = String(second.telephone1);
    dataverse.create('contacts', { contactid: NEW_CONTACT, firstname: 'Nia', lastname: 'New', mobilephone: 'Mob: (212) 555-0188' });
    dataverse.update('contacts', changedId, { telephone1: '+1 212 555 0177' });
    dataverse.delete('leads', deletedId);
    client.log.length = 0;

    const cycle = await index.syncOnce();
    assert.deepEqual(cycle.tables.contact, { kind: 'delta', upserts: 2, deletes: 0, pages: 1 });
    assert.deepEqual(cycle.tables.account, { kind: 'delta', upserts: 0, deletes: 0, pages: 1 });
    assert.deepEqual(cycle.tables.lead, { kind: 'delta', upserts: 0, deletes: 1, pages: 1 });
    assert.ok(client.log.every((request) => request.path.includes('$deltatoken')));
    assert.deepEqual(key(index.findRecords('+12125550188')), [`contact:${NEW_CONTACT}`]);
    assert.deepEqual(key(index.findRecords('+12125550177')), [`contact:${changedId}`]);
    assert.deepEqual(key(index.findRecords(deletedNumber)), key(searched(deletedNumber)));
    assert.ok(!key(index.findRecords(deletedNumber)).includes(`lead:${deletedId}`));
  });

  test('a delta token past the retention is refused, and the table is read whole again', async () => {
    now += 8 * 24 * 60 * 60 * 1000;
    client.signIn();
    client.log.length = 0;
    const cycle = await index.syncOnce();
    for (const entity of ENTITIES) assert.equal(cycle.tables[entity]?.kind, 'full', String((cycle.tables[entity] as { error?: unknown }).error));
    assert.ok(client.log.some((request) => request.path.includes('$deltatoken') && request.status === 400));
    assert.deepEqual(key(index.findRecords('+12125550188')), [`contact:${NEW_CONTACT}`]);
    assert.equal(index.state(), 'ready');
  });
});
