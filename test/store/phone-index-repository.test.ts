import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createPhoneIndexRepository, type PhoneIndexRepository, type RecordNumbers } from '../../src/store/phone-index-repository.ts';

const ANA = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const BO = '7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

let dataDir: string;
let db: Database;
let index: PhoneIndexRepository;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-phone-index-'));
  db = openDatabase(dataDir);
  index = createPhoneIndexRepository(db);
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const ana: RecordNumbers = {
  id: ANA,
  name: 'Ana',
  numbers: [
    { field: 'telephone1', kind: 'international', digits: '4155550100', e164: '+14155550100', extension: '12' },
    { field: 'mobilephone', kind: 'national', digits: '0301234567' },
  ],
};

test('a number is found by its exact digits, and by the digits it ends with', () => {
  index.apply('contact', 1, { upserts: [ana], deletes: [] });
  assert.deepEqual(index.withDigits('4155550100'), [
    { entity: 'contact', recordId: ANA, recordName: 'Ana', field: 'telephone1', kind: 'international', digits: '4155550100', e164: '+14155550100', extension: '12' },
  ]);
  assert.deepEqual(index.withDigits('155550100'), []);
  assert.deepEqual(
    index.endingWith('301234567', 10).map((row) => row.digits),
    ['0301234567'],
  );
  assert.deepEqual(
    index.endingWith('0100', 10).map((row) => row.field),
    ['telephone1'],
  );
  assert.deepEqual(index.endingWith('99', 10), []);
});

test('an upserted record’s numbers replace the ones it had, and a deleted record’s go', () => {
  index.apply('contact', 1, { upserts: [ana, { id: BO, name: undefined, numbers: [{ field: 'telephone1', kind: 'short', digits: '1002' }] }], deletes: [] });
  index.apply('contact', 1, {
    upserts: [{ ...ana, name: 'Ana B.', numbers: [{ field: 'telephone2', kind: 'international', digits: '4155550199', e164: '+14155550199' }] }],
    deletes: [BO],
  });
  assert.deepEqual(index.withDigits('4155550100'), []);
  assert.deepEqual(index.withDigits('1002'), []);
  assert.deepEqual(
    index.withDigits('4155550199').map((row) => `${row.recordName} ${row.field}`),
    ['Ana B. telephone2'],
  );
  assert.deepEqual(index.counts(), { contact: 1, account: 0, lead: 0 });
});

test('the same record id in two tables is two records', () => {
  index.apply('contact', 1, { upserts: [ana], deletes: [] });
  index.apply('account', 1, {
    upserts: [{ id: ANA, name: 'Contoso', numbers: [{ field: 'telephone1', kind: 'international', digits: '4155550100', e164: '+14155550100' }] }],
    deletes: [],
  });
  index.apply('contact', 1, { upserts: [], deletes: [ANA] });
  assert.deepEqual(
    index.withDigits('4155550100').map((row) => row.entity),
    ['account'],
  );
});

test('a table holds rows once a record with a number is written to it', () => {
  assert.equal(index.hasRows('contact'), false);
  index.apply('contact', 1, { upserts: [{ id: BO, name: 'Bo', numbers: [] }], deletes: [] });
  assert.equal(index.hasRows('contact'), false);
  index.apply('contact', 1, { upserts: [ana], deletes: [] });
  assert.equal(index.hasRows('contact'), true);
  assert.equal(index.hasRows('lead'), false);
});

test('a sweep keeps only the rows of the full sync that just ended, in that table', () => {
  index.apply('contact', 1, { upserts: [ana, { id: BO, name: 'Bo', numbers: [{ field: 'telephone1', kind: 'short', digits: '1002' }] }], deletes: [] });
  index.apply('lead', 1, { upserts: [{ id: BO, name: 'Bo', numbers: [{ field: 'telephone1', kind: 'short', digits: '1003' }] }], deletes: [] });
  index.apply('contact', 2, { upserts: [ana], deletes: [] });
  assert.equal(index.sweep('contact', 2), 1);
  assert.deepEqual(index.counts(), { contact: 2, account: 0, lead: 1 });
  assert.deepEqual(index.withDigits('1002'), []);
});

test('a table’s sync state is kept, replaced, and forgotten with its rows on reset', () => {
  assert.equal(index.tableState('lead'), undefined);
  const state = { entity: 'lead' as const, state: 'syncing' as const, definition: 'US|leadid', generation: 1, deltaLink: null, lastFullSyncAt: null, lastDeltaAt: null };
  index.saveTableState(state);
  index.saveTableState({ ...state, state: 'ready', deltaLink: 'https://org.example/api/data/v9.2/leads?$deltatoken=1', lastFullSyncAt: 5 });
  assert.deepEqual(index.tableState('lead'), { ...state, state: 'ready', deltaLink: 'https://org.example/api/data/v9.2/leads?$deltatoken=1', lastFullSyncAt: 5 });
  index.apply('lead', 1, { upserts: [ana], deletes: [] });
  index.reset('lead');
  assert.equal(index.tableState('lead'), undefined);
  assert.deepEqual(index.counts(), { contact: 0, account: 0, lead: 0 });
});

test('a lookup by digits uses the index, not a scan of the table', () => {
  const plan = (sql: string) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all('1', '2')
      .map((row) => String(row.detail));
  assert.match(plan('SELECT * FROM phone_index WHERE digits_reversed >= ? AND digits_reversed < ?').join(), /USING INDEX phone_index_digits/);
});
