import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { ApiClient, type FetchLike } from '../../../src/widget/api/api-client.ts';
import { defaultSettings, type PaneSettings } from '../../../src/widget/api/api-types.ts';
import { activityIdForCall } from '../../../src/crm/activity-id.ts';
import { Dataverse, DataverseError, SEED } from '../../../src/sandbox/dataverse/index.ts';
import type { CifClient } from '../../../src/widget/cif/cif-client.ts';
import { CifErrorKind, type CifResult } from '../../../src/widget/cif/cif-result.ts';
import { CrmFlow } from '../../../src/widget/crm/crm-flow.ts';
import { ServerNumberReader } from '../../../src/widget/phone/server-number-reader.ts';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../../server/api/api-fixture.ts';
import { itemAt } from '../../support/item-at.ts';

const ANA = '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';
const CONTOSO = '90ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';
const OTHER = 'a0ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';

/** Rows per table as Dynamics' wildcard search finds them: the right number and an over-find. */
const ROWS: Record<string, object[]> = {
  contact: [
    { contactid: OTHER, fullname: 'Over-find', telephone1: '+44 415 555 0100' },
    { contactid: ANA, fullname: 'Ana', mobilephone: '(415) 555-0100' },
  ],
  account: [{ accountid: CONTOSO, name: 'Contoso', telephone1: '+1 415-555-0100' }],
  lead: [],
};

let api: ApiFixture;
let reachable = true;

/** The real API in-process: the pane's client talks to it as it would over HTTP. */
const fetchThroughApi: FetchLike = async (path, init) => {
  if (!reachable) throw new TypeError('Failed to fetch');
  const response = await api.http.app.inject({
    method: init.method as 'GET',
    url: path,
    headers: init.headers as Record<string, string>,
    payload: init.body as string | undefined,
  });
  return new Response(response.statusCode === 204 ? null : response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } });
};

function setup(settings: Partial<PaneSettings> = {}, crm: { records?: Partial<CifClient>; agent?: string } = {}) {
  const searches: string[] = [];
  const cifCalls: string[] = [];
  const cif = {
    available: true,
    searchAndOpenRecords: async (entity: string, query: string) => {
      searches.push(`${entity} ${query}`);
      return { ok: true, value: ROWS[entity] };
    },
    openForm: async (options: object, prefill?: object) => {
      cifCalls.push(`openForm ${JSON.stringify(options)} ${JSON.stringify(prefill ?? null)}`);
      return { ok: true, value: {} };
    },
    renderSearchPage: async (entity: string, text: string) => {
      cifCalls.push(`renderSearchPage ${entity} ${text}`);
      return { ok: true, value: undefined };
    },
    ...crm.records,
  } as unknown as CifClient;
  let current: PaneSettings = { ...defaultSettings(), ...settings };
  const client = new ApiClient(fetchThroughApi);
  const flow = new CrmFlow({
    cif: () => cif,
    api: client,
    settings: () => current,
    saveSettings: async (next) => {
      current = next;
      return true;
    },
    agentUserId: () => crm.agent,
    language: () => 'en',
    defaultRegion: 'US',
    // The pane's own reader: every number read through POST /api/phone/normalize.
    numbers: new ServerNumberReader(async (list, region) => {
      const answer = await client.phoneNormalize(list, region);
      return answer.ok ? answer.value.numbers : undefined;
    }),
  });
  return { flow, client, searches, cifCalls, settings: () => current };
}

before(async () => {
  api = await createApiFixture();
});
beforeEach(() => {
  reachable = true;
});
after(() => api.close());

describe('the pane’s CRM flow with numbers read by the server', () => {
  test('a caller is searched with the server’s queries and only the records holding the number come back, best first', async () => {
    const { flow, client, searches } = setup();
    await client.login('1001', PASSWORDS['1001']);
    const records = await flow.lookup('+14155550100');
    assert.deepEqual(
      searches.map((search) => search.split(' ')[0]),
      ['contact', 'account', 'lead'],
    );
    assert.match(itemAt(searches, 0), /contains\(telephone1,'%\[4４\]%\[1１\]%/);
    assert.deepEqual(records, [
      { entity: 'contact', id: ANA, name: 'Ana' },
      { entity: 'account', id: CONTOSO, name: 'Contoso' },
    ]);
  });

  test('numbers typed with labels, several to a field, are read in their record’s country: the UK caller finds the UK record, not the US one sharing its digits', async () => {
    const saved = { contact: ROWS.contact, account: ROWS.account };
    ROWS.contact = [
      { contactid: OTHER, fullname: 'Sam', address1_country: 'United States', telephone1: 'Tel. 207-123-4567 x12' },
      { contactid: ANA, fullname: 'Ana', address1_country: 'United Kingdom', mobilephone: 'Mob: 07911 123456 / Büro: 020 7123 4567' },
    ];
    ROWS.account = [];
    try {
      const { flow, client } = setup();
      await client.login('1001', PASSWORDS['1001']);
      assert.deepEqual(await flow.lookup('+44 20 7123 4567'), [{ entity: 'contact', id: ANA, name: 'Ana' }]);
      assert.deepEqual(await flow.lookup('+1 207 123 4567'), [{ entity: 'contact', id: OTHER, name: 'Sam' }]);
    } finally {
      Object.assign(ROWS, saved);
    }
  });

  test('when the server cannot be reached the search could not run, rather than finding nobody', async () => {
    const { flow, client, searches } = setup();
    await client.login('1001', PASSWORDS['1001']);
    reachable = false;
    assert.equal(await flow.lookup('+14155550100'), undefined);
    assert.deepEqual(searches, []);
  });

  test('an unknown caller’s new contact form is prefilled with the number as the server formats it', async () => {
    const { flow, client, cifCalls } = setup({ unknownNumber: 'new-contact-form' });
    await client.login('1001', PASSWORDS['1001']);
    const decision = await flow.screenPop({ direction: 'inbound', phase: 'ringing', number: '(415) 555-0100', matches: [] });
    assert.deepEqual(decision, { kind: 'new-form', entity: 'contact', prefill: { telephone1: '+1 415 555 0100' } });
    assert.deepEqual(cifCalls, ['openForm {"entityName":"contact"} {"telephone1":"+1 415 555 0100"}']);
  });

  test('a chosen record is remembered under the number’s E.164 form and found again however the number is written', async () => {
    const { flow, client, settings } = setup();
    await client.login('1001', PASSWORDS['1001']);
    const ana = { entity: 'contact' as const, id: ANA, name: 'Ana' };
    assert.equal(await flow.remember('(415) 555-0100', ana), true);
    assert.deepEqual(settings().rememberedChoices, { '+14155550100': ana });
    assert.deepEqual(await flow.remembered('+1 415 555 0100'), ana);
  });

  test('the search page gets the quick find of the number’s digits', async () => {
    const { flow, client, cifCalls } = setup();
    await client.login('1001', PASSWORDS['1001']);
    assert.equal(await flow.searchPage('+1 415 555 0100', 'account'), true);
    assert.deepEqual(cifCalls, ['renderSearchPage account *4*1*5*5*5*5*0*1*0*0']);
  });
});

/**
 * CIF's record calls as the sandbox's Xrm answers them, on its Dataverse (a completed activity
 * read-only but for reopening, a duplicate key refused 0x80040237); `writes` lists each call.
 */
function recordsIn(dataverse: Dataverse, writes: string[]): Partial<CifClient> {
  const answer = <T>(what: string, run: () => T): CifResult<T> => {
    try {
      const value = run();
      writes.push(what);
      return { ok: true, value };
    } catch (error) {
      if (!(error instanceof DataverseError)) throw error;
      writes.push(`${what}: ${error.code}`);
      return { ok: false, error: { kind: CifErrorKind.Rejected, message: error.message, code: error.code } };
    }
  };
  const set = (entity: string) => dataverse.entitySetFor(entity);
  return {
    createRecord: async (entity, data) => answer('create', () => ({ id: dataverse.create(set(entity), data, { dialect: 'xrm', callerId: SEED.agentEnglish }).id })),
    retrieveRecord: async (entity, id, options) => answer('retrieve', () => dataverse.retrieve(set(entity), id, options ?? {}).record),
    updateRecord: async (entity, id, data) => answer(`update ${Object.keys(data).join(',')}`, () => void dataverse.update(set(entity), id, data, { dialect: 'xrm' })),
  };
}

describe('the pane journals a call the server journaled first (its grace period ended while the agent typed)', () => {
  const CALL = 'srv-grace-1';
  const ACTIVITY = activityIdForCall(CALL);
  let dataverse: Dataverse;
  let writes: string[];

  beforeEach(() => {
    dataverse = new Dataverse({ path: ':memory:' });
    writes = [];
  });
  afterEach(() => dataverse.close());

  /** The activity as the server's journal leaves it: created with the notes it held, completed. */
  function writtenByServer(description: string | undefined): void {
    dataverse.create('phonecalls', { activityid: ACTIVITY, subject: 'Inbound call +1 415 555 0100', ...(description === undefined ? {} : { description }) });
    dataverse.update('phonecalls', ACTIVITY, { statecode: 1, statuscode: 4 });
  }

  async function journal(notes: string) {
    const { flow, client } = setup({}, { records: recordsIn(dataverse, writes), agent: SEED.agentEnglish });
    await client.login('1001', PASSWORDS['1001']);
    const startedAt = Date.UTC(2026, 11, 7, 9, 0, 0);
    return flow.journal({
      call: { callId: CALL, direction: 'inbound', number: '+14155550100', extension: '1001', startedAt, answeredAt: startedAt + 5_000, endedAt: startedAt + 65_000 },
      direction: 'inbound',
      notes,
    });
  }

  function activity() {
    return dataverse.retrieve('phonecalls', ACTIVITY, '?$select=subject,description,statecode,statuscode').record;
  }

  test('the agent’s notes reach the activity: reopened, updated and completed again, in place of the draft the server held', async () => {
    writtenByServer('Wants a call');
    assert.deepEqual(await journal('Wants a callback on Monday, after 10'), { state: 'logged', activityId: ACTIVITY });
    assert.deepEqual(writes, ['create: 0x80040237', 'retrieve', 'update statecode,statuscode', 'update description', 'update statecode,statuscode']);
    const written = activity();
    assert.equal(written.description, 'Wants a callback on Monday, after 10');
    assert.deepEqual([written.statecode, written.statuscode, written.subject], [1, 4, 'Inbound call +1 415 555 0100']);
  });

  test('what the server wrote before the notes (the agent it named) is kept, and other text is kept ahead of them', async () => {
    writtenByServer('Agent: Dana Desk (extension 1002), who has no Dynamics user.\n\nWants a call');
    await journal('Wants a callback');
    assert.equal(activity().description, 'Agent: Dana Desk (extension 1002), who has no Dynamics user.\n\nWants a callback');
    dataverse.update('phonecalls', ACTIVITY, { statecode: 0, statuscode: 1 });
    dataverse.update('phonecalls', ACTIVITY, { description: 'Noted in Dynamics by a colleague', statecode: 1, statuscode: 4 });
    await journal('Wants a callback');
    assert.equal(activity().description, 'Noted in Dynamics by a colleague\n\nWants a callback');
  });

  test('notes the activity holds already are not written again, and a pane without notes clears nothing', async () => {
    writtenByServer('Wants a callback');
    assert.equal((await journal('  Wants a callback ')).state, 'logged');
    assert.equal((await journal('')).state, 'logged');
    assert.deepEqual(writes, ['create: 0x80040237', 'retrieve', 'create: 0x80040237', 'retrieve']);
    assert.deepEqual([activity().description, activity().statecode], ['Wants a callback', 1]);
  });

  test('an activity the server left open gets the notes and is completed, without reopening', async () => {
    dataverse.create('phonecalls', { activityid: ACTIVITY, subject: 'Inbound call' });
    await journal('Wants a quote');
    assert.deepEqual(writes, ['create: 0x80040237', 'retrieve', 'update description', 'update statecode,statuscode']);
    assert.deepEqual([activity().description, activity().statecode], ['Wants a quote', 1]);
  });
});
