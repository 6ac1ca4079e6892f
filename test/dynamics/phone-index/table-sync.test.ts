import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import { libphonenumberReader as numbers } from '../../../src/crm/numbers/phone-number.ts';
import { PhoneIndexService } from '../../../src/dynamics/phone-index/phone-index-service.ts';
import type { WebApiClient, WebApiRequest } from '../../../src/dynamics/web-api/web-api-client.ts';
import { openDatabase, type Database } from '../../../src/store/database.ts';
import { createPhoneIndexRepository, type PhoneIndexRepository } from '../../../src/store/phone-index-repository.ts';

const ORG = 'https://org.example.test/api/data/v9.2/';
const ANA = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const BO = '7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const CY = '8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

/** Dataverse's refusal as the web API client throws it (status, code, not retryable). */
function refused(status: number, dataverseCode: string, retryable = false): Error {
  return Object.assign(new Error(`refused ${dataverseCode}`), { status, dataverseCode, retryable });
}

/**
 * Dataverse as a script: each path (relative, or an absolute next/delta link) answers a body or
 * throws; the requests are recorded. Tables nobody scripted answer one empty page.
 */
class ScriptedDataverse implements WebApiClient {
  readonly requests: WebApiRequest[] = [];
  readonly answers = new Map<string, unknown>();

  answer(path: string, body: unknown): void {
    this.answers.set(path, body);
  }

  async request(request: WebApiRequest) {
    this.requests.push(request);
    const key = [...this.answers.keys()].find((path) => request.path === path || (request.path.startsWith(path) && path.endsWith('?')));
    const body = key === undefined ? { value: [], '@odata.deltaLink': `${ORG}${request.path.split('?')[0]}?$deltatoken=empty` } : this.answers.get(key);
    if (body instanceof Error) throw body;
    return { status: 200, headers: new Headers(), body, requestId: undefined };
  }
  close() {}
}

let dataDir: string;
let db: Database;
let repository: PhoneIndexRepository;
let dataverse: ScriptedDataverse;

function service(defaultRegion: string | undefined = 'US'): PhoneIndexService {
  return new PhoneIndexService({ client: dataverse, repository, numbers, defaultRegion, syncIntervalSeconds: 60, pageSize: 2, logger: pino({ level: 'silent' }), now: () => 1000 });
}

const names = (index: PhoneIndexService, number: string) => index.findRecords(number).map((record) => record.name);

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-phone-sync-'));
  db = openDatabase(dataDir);
  repository = createPhoneIndexRepository(db);
  dataverse = new ScriptedDataverse();
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the phone index sync', () => {
  test('a full sync reads every page of each table with paging and change tracking, then the index is ready', async () => {
    dataverse.answer('contacts?', {
      value: [
        { contactid: ANA, fullname: 'Ana', telephone1: '(415) 555-0100' },
        { contactid: BO, fullname: 'Bo', mobilephone: '+49 171 2345678' },
      ],
      '@odata.nextLink': `${ORG}contacts?$select=x&$skiptoken=2`,
    });
    dataverse.answer(`${ORG}contacts?$select=x&$skiptoken=2`, {
      value: [{ contactid: CY, fullname: 'Cy', telephone2: '030 1234567', address1_country: 'Deutschland' }],
      '@odata.deltaLink': `${ORG}contacts?$deltatoken=1`,
    });
    const index = service();
    assert.equal(index.state(), 'syncing');
    assert.deepEqual(names(index, '+14155550100'), []);
    const cycle = await index.syncOnce();

    assert.deepEqual(cycle.tables.contact, { kind: 'full', records: 3, pages: 2, tracked: true });
    const [first, second] = dataverse.requests;
    assert.equal(
      first?.path,
      'contacts?$select=contactid,fullname,address1_country,telephone1,telephone2,telephone3,mobilephone,assistantphone,address1_telephone1,address1_telephone2,address1_telephone3,address2_telephone1,address2_telephone2,address2_telephone3',
    );
    assert.deepEqual(first?.headers, { Prefer: 'odata.maxpagesize=2, odata.track-changes' });
    assert.equal(second?.path, `${ORG}contacts?$select=x&$skiptoken=2`);
    assert.deepEqual(
      dataverse.requests.map((request) => request.path.split('?')[0]),
      ['contacts', `${ORG}contacts`, 'accounts', 'leads'],
    );
    assert.equal(index.state(), 'ready');
    assert.deepEqual(names(index, '+14155550100'), ['Ana']);
    assert.deepEqual(names(index, '+491712345678'), ['Bo']);
    assert.deepEqual(names(index, '+49301234567'), ['Cy']);
    assert.equal(repository.tableState('contact')?.deltaLink, `${ORG}contacts?$deltatoken=1`);
  });

  test('a delta replaces a changed record’s numbers and removes a deleted record, and the next delta link is kept', async () => {
    dataverse.answer('contacts?', {
      value: [
        { contactid: ANA, fullname: 'Ana', telephone1: '(415) 555-0100' },
        { contactid: BO, fullname: 'Bo', telephone1: '(415) 555-0101' },
      ],
      '@odata.deltaLink': `${ORG}contacts?$deltatoken=1`,
    });
    const index = service();
    await index.syncOnce();
    dataverse.answer(`${ORG}contacts?$deltatoken=1`, {
      value: [
        { contactid: ANA, fullname: 'Ana Lima', telephone1: '(415) 555-0199' },
        { '@odata.context': `${ORG}$metadata#contacts/$deletedEntity`, id: BO, reason: 'deleted' },
      ],
      '@odata.deltaLink': `${ORG}contacts?$deltatoken=2`,
    });
    dataverse.requests.length = 0;
    const cycle = await index.syncOnce();

    assert.deepEqual(cycle.tables.contact, { kind: 'delta', upserts: 1, deletes: 1, pages: 1 });
    assert.equal(dataverse.requests[0]?.path, `${ORG}contacts?$deltatoken=1`);
    assert.deepEqual(names(index, '+14155550100'), []);
    assert.deepEqual(names(index, '+14155550101'), []);
    assert.deepEqual(names(index, '+14155550199'), ['Ana Lima']);
    assert.equal(repository.tableState('contact')?.deltaLink, `${ORG}contacts?$deltatoken=2`);
    assert.equal(repository.tableState('contact')?.lastDeltaAt, 1000);
  });

  test('a delta link Dataverse no longer takes starts a full sync, which sweeps the records gone meanwhile', async () => {
    dataverse.answer('contacts?', {
      value: [
        { contactid: ANA, fullname: 'Ana', telephone1: '(415) 555-0100' },
        { contactid: BO, fullname: 'Bo', telephone1: '(415) 555-0101' },
      ],
      '@odata.deltaLink': `${ORG}contacts?$deltatoken=1`,
    });
    const index = service();
    await index.syncOnce();
    dataverse.answer(`${ORG}contacts?$deltatoken=1`, refused(400, '0x80044352'));
    dataverse.answer('contacts?', { value: [{ contactid: ANA, fullname: 'Ana', telephone1: '(415) 555-0100' }], '@odata.deltaLink': `${ORG}contacts?$deltatoken=9` });
    const cycle = await index.syncOnce();

    assert.deepEqual(cycle.tables.contact, { kind: 'full', records: 1, pages: 1, tracked: true });
    assert.deepEqual(names(index, '+14155550100'), ['Ana']);
    assert.deepEqual(names(index, '+14155550101'), []);
    assert.equal(repository.tableState('contact')?.deltaLink, `${ORG}contacts?$deltatoken=9`);
  });

  test('a table without change tracking is read whole without asking for it, every time', async () => {
    let asked = 0;
    dataverse.request = async function (request: WebApiRequest) {
      this.requests.push(request);
      if (request.path.startsWith('leads') && request.headers?.Prefer?.includes('track-changes')) {
        asked += 1;
        throw refused(400, '0x80072491');
      }
      return {
        status: 200,
        headers: new Headers(),
        body: { value: request.path.startsWith('leads') ? [{ leadid: CY, fullname: 'Cy', telephone1: '(415) 555-0102' }] : [] },
        requestId: undefined,
      };
    };
    const index = service();
    assert.deepEqual((await index.syncOnce()).tables.lead, { kind: 'full', records: 1, pages: 1, tracked: false });
    assert.deepEqual((await index.syncOnce()).tables.lead, { kind: 'full', records: 1, pages: 1, tracked: false });
    assert.equal(asked, 2);
    assert.deepEqual(names(index, '+14155550102'), ['Cy']);
  });

  test('a table that fails is tried again next cycle while the others sync, and the index waits for it', async () => {
    dataverse.answer('accounts?', refused(503, '', true));
    dataverse.answer('leads?', { value: [{ leadid: CY, fullname: 'Cy', telephone1: '(415) 555-0102' }], '@odata.deltaLink': `${ORG}leads?$deltatoken=1` });
    const index = service();
    const cycle = await index.syncOnce();
    assert.equal(cycle.tables.account?.kind, 'failed');
    assert.equal(cycle.tables.lead?.kind, 'full');
    assert.equal(index.state(), 'syncing');
    dataverse.answer('accounts?', { value: [], '@odata.deltaLink': `${ORG}accounts?$deltatoken=1` });
    await index.syncOnce();
    assert.equal(index.state(), 'ready');
    assert.deepEqual(names(index, '+14155550102'), ['Cy']);
  });

  test('records read in another default region are read again, and the index answers only in its own region', async () => {
    dataverse.answer('contacts?', { value: [{ contactid: ANA, fullname: 'Ana', telephone1: '030 1234567' }], '@odata.deltaLink': `${ORG}contacts?$deltatoken=1` });
    await service('US').syncOnce();
    dataverse.requests.length = 0;
    const german = service('DE');
    assert.equal(german.state(), 'syncing');
    await german.syncOnce();
    assert.equal(dataverse.requests[0]?.path.startsWith('contacts?$select='), true);
    assert.deepEqual(names(german, '+49301234567'), ['Ana']);
    assert.deepEqual(german.lookup('+49301234567', ['contact'], 'US'), { state: 'off', matches: [] });
  });

  test('a page that is not a collection of rows fails the table, not the service', async () => {
    dataverse.answer('contacts?', { rows: [] });
    const cycle = await service().syncOnce();
    assert.match(String((cycle.tables.contact as { error: Error }).error.message), /no "value" array/);
    assert.equal(cycle.tables.account?.kind, 'full');
  });

  test('a started index syncs at once, and closing it ends the request in flight and every later cycle', async () => {
    const pending: Array<{ path: string; signal: AbortSignal | undefined }> = [];
    let answered = () => {};
    const firstRequest = new Promise<void>((resolve) => (answered = resolve));
    dataverse.request = async (request: WebApiRequest, signal?: AbortSignal) => {
      pending.push({ path: request.path, signal });
      answered();
      // Dataverse never answers: only the abort ends the request.
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    };
    const index = service();
    index.start();
    await firstRequest;
    await index.close();
    assert.deepEqual(
      pending.map((request) => [request.path.split('?')[0], request.signal?.aborted]),
      [['contacts', true]],
    );
    assert.equal(index.state(), 'syncing');
  });
});
