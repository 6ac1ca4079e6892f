import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient, type FetchLike } from '../../../src/widget/api/api-client.ts';
import { defaultSettings, type PaneSettings } from '../../../src/widget/api/api-types.ts';
import type { CifClient } from '../../../src/widget/cif/cif-client.ts';
import { CrmFlow } from '../../../src/widget/crm/crm-flow.ts';
import { ServerNumberReader } from '../../../src/widget/phone/server-number-reader.ts';
import { phoneIndexWith, type IndexedRow } from '../../dynamics/phone-index/phone-index-fixture.ts';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../../server/api/api-fixture.ts';

const ANA = '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';
const CONTOSO = '90ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';
const SAM = 'a0ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';

/** The records in Dynamics: the server's index holds them, and CIF's search finds them too. */
const RECORDS: IndexedRow[] = [
  { entity: 'contact', row: { contactid: ANA, fullname: 'Ana', telephone1: 'Tel. (415) 555-0100', mobilephone: '+1 415 555 0100' } },
  { entity: 'account', row: { accountid: CONTOSO, name: 'Contoso', telephone1: '+1 415-555-0100 ext. 12' } },
  { entity: 'contact', row: { contactid: SAM, fullname: 'Sam', telephone1: '207-123-4567', address1_country: 'United States' } },
];

function fetchThrough(api: ApiFixture): FetchLike {
  return async (path, init) => {
    const response = await api.http.app.inject({
      method: init.method as 'GET',
      url: path,
      headers: init.headers as Record<string, string>,
      payload: init.body as string | undefined,
    });
    return new Response(response.statusCode === 204 ? null : response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } });
  };
}

/** The pane's CRM flow on `api`, with a CIF host whose search finds the records above and counts its calls. */
async function pane(api: ApiFixture, settings: Partial<PaneSettings> = {}) {
  const searches: string[] = [];
  const opened: string[] = [];
  const cif = {
    available: true,
    searchAndOpenRecords: async (entity: string, query: string) => {
      searches.push(`${entity} ${query}`);
      return { ok: true, value: RECORDS.filter((record) => record.entity === entity).map((record) => record.row) };
    },
    openForm: async (options: { entityName: string; entityId?: string }) => {
      opened.push(`${options.entityName} ${options.entityId}`);
      return { ok: true, value: {} };
    },
  } as unknown as CifClient;
  const client = new ApiClient(fetchThrough(api));
  await client.login('1001', PASSWORDS['1001']);
  const current: PaneSettings = { ...defaultSettings(), ...settings };
  const flow = new CrmFlow({
    cif: () => cif,
    api: client,
    settings: () => current,
    saveSettings: async () => true,
    agentUserId: () => undefined,
    language: () => 'en',
    defaultRegion: 'US',
    numbers: new ServerNumberReader(async (list, region) => {
      const answer = await client.phoneNormalize(list, region);
      return answer.ok ? answer.value.numbers : undefined;
    }),
  });
  return { flow, searches, opened };
}

let synced: ApiFixture;
let syncing: ApiFixture;
let none: ApiFixture;

before(async () => {
  synced = await createApiFixture({ phoneIndex: (db) => phoneIndexWith(db, RECORDS, { defaultRegion: 'US' }) });
  syncing = await createApiFixture({ phoneIndex: (db) => phoneIndexWith(db, RECORDS, { defaultRegion: 'US', ready: false }) });
  none = await createApiFixture();
});
after(async () => {
  await Promise.all([synced.close(), syncing.close(), none.close()]);
});

describe('the pane finds callers through the server’s phone index first', () => {
  test('with a synced index the records come from it, best first and each once, and CIF searches nothing', async () => {
    const { flow, searches } = await pane(synced);
    assert.deepEqual(await flow.lookup('+14155550100'), [
      { entity: 'contact', id: ANA, name: 'Ana' },
      { entity: 'account', id: CONTOSO, name: 'Contoso' },
    ]);
    assert.deepEqual(searches, []);
  });

  test('the index answers only from the tables the agent searches, in the agent’s order', async () => {
    const searchIn = [
      { entity: 'account' as const, enabled: true },
      { entity: 'contact' as const, enabled: true },
      { entity: 'lead' as const, enabled: false },
    ];
    const { flow } = await pane(synced, { searchIn });
    assert.deepEqual(
      (await flow.lookup('(415) 555-0100'))?.map((record) => record.name),
      ['Contoso', 'Ana'],
    );
    const { flow: contactsOnly } = await pane(synced, { searchIn: searchIn.map((item) => ({ ...item, enabled: item.entity === 'contact' })) });
    assert.deepEqual(
      (await contactsOnly.lookup('(415) 555-0100'))?.map((record) => record.name),
      ['Ana'],
    );
  });

  test('an index that finds nobody is an answer: no CIF search follows', async () => {
    const { flow, searches } = await pane(synced);
    assert.deepEqual(await flow.lookup('+44 20 7123 4567'), []);
    assert.deepEqual(searches, []);
  });

  test('while the index has not finished its first sync, the pane searches through CIF as before and finds the same records', async () => {
    const { flow, searches } = await pane(syncing);
    assert.deepEqual(await flow.lookup('+14155550100'), [
      { entity: 'contact', id: ANA, name: 'Ana' },
      { entity: 'account', id: CONTOSO, name: 'Contoso' },
    ]);
    assert.deepEqual(
      searches.map((search) => search.split(' ')[0]),
      ['contact', 'account', 'lead'],
    );
  });

  test('without an index on the server, the pane searches through CIF', async () => {
    const { flow, searches } = await pane(none);
    assert.deepEqual(
      (await flow.lookup('+1 207 123 4567'))?.map((record) => record.name),
      ['Sam'],
    );
    assert.equal(searches.length, 3);
  });

  test('a record the index found opens through CIF', async () => {
    const { flow, opened } = await pane(synced);
    const [first] = (await flow.lookup('+14155550100')) ?? [];
    assert.ok(first);
    assert.equal(await flow.open(first), true);
    assert.deepEqual(opened, [`contact ${ANA}`]);
  });
});
