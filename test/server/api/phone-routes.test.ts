import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildPhoneSearchQueries } from '../../../src/crm/phone-search.ts';
import { phoneIndexWith, type IndexedRow } from '../../dynamics/phone-index/phone-index-fixture.ts';
import { createApiFixture, type ApiFixture } from './api-fixture.ts';
import { libphonenumberReader } from '../../../src/crm/numbers/phone-number.ts';

let api: ApiFixture;
let alice: string;

before(async () => {
  api = await createApiFixture();
  alice = await api.login('1001');
});
after(() => api.close());

/** `token` null: no Authorization header. */
function post(path: string, body: unknown, token: string | null = alice) {
  return api.http.app.inject({
    method: 'POST',
    url: `/api/phone/${path}`,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify(body),
  });
}

const CONTACT = '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';
const ACCOUNT = '90ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';

describe('POST /api/phone/normalize', () => {
  test('each number comes back as the server reads it, in order, with its international form', async () => {
    const response = await post('normalize', { numbers: ['(415) 555-0100 x140', '1002', 'anonymous'], defaultRegion: 'US' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const [placed, extension, none] = response.json().numbers;
    assert.equal(placed.raw, '(415) 555-0100 x140');
    assert.equal(placed.phone.kind, 'international');
    assert.equal(placed.phone.e164, '+14155550100');
    assert.equal(placed.phone.extension, '140');
    assert.equal(placed.international, '+1 415 555 0100');
    assert.deepEqual(extension, { raw: '1002', phone: { kind: 'short', digits: '1002' } });
    assert.equal(none.phone.kind, 'none');
  });

  test('without a default region a national number stays national', async () => {
    const [number] = (await post('normalize', { numbers: ['030 1234567'] })).json().numbers;
    assert.deepEqual(number, { raw: '030 1234567', phone: { kind: 'national', digits: '0301234567' } });
  });

  test('a region the numbering data does not know is a 400 naming the field', async () => {
    const response = await post('normalize', { numbers: ['123'], defaultRegion: 'us' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.code, 'INVALID_REQUEST');
    assert.match(response.json().error.message, /^body\.defaultRegion: must be an ISO 3166-1 alpha-2 code/);
  });

  test('no numbers, too many, or too long a text is refused', async () => {
    assert.equal((await post('normalize', { numbers: [] })).statusCode, 400);
    assert.equal((await post('normalize', { numbers: Array.from({ length: 201 }, () => '1') })).statusCode, 400);
    assert.match((await post('normalize', { numbers: ['1'.repeat(201)] })).json().error.message, /^body\.numbers\.0: /);
  });

  test('without a session nothing is read', async () => {
    const response = await post('normalize', { numbers: ['+14155550100'] }, null);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'UNAUTHORIZED');
  });
});

describe('POST /api/phone/lookup', () => {
  test('answers the CIF search query per table in the order given, and how the number reads', async () => {
    const response = await post('lookup', { number: '+1 415-555-0100', entities: ['lead', 'contact'], defaultRegion: 'US' });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.number.phone.e164, '+14155550100');
    assert.equal(body.number.international, '+1 415 555 0100');
    assert.deepEqual(body.queries, buildPhoneSearchQueries(libphonenumberReader, '+1 415-555-0100', { entities: ['lead', 'contact'], defaultRegion: 'US' }));
    assert.deepEqual(
      body.queries.map((query: { entity: string }) => query.entity),
      ['lead', 'contact'],
    );
  });

  test('with no phone index on the server, the index is off and the pane searches with the queries', async () => {
    const response = await post('lookup', { number: '+1 415-555-0100', entities: ['contact'], defaultRegion: 'US' });
    assert.deepEqual(response.json().index, { state: 'off', matches: [] });
  });

  test('a caller that is not a number gets no queries', async () => {
    assert.deepEqual((await post('lookup', { number: 'anonymous', entities: ['contact'] })).json().queries, []);
  });

  test('a table Callpane does not search is a 400', async () => {
    const response = await post('lookup', { number: '+14155550100', entities: ['incident'] });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().error.message, /^body\.entities\.0: /);
  });

  test('without a session there is no query', async () => {
    assert.equal((await post('lookup', { number: '+14155550100', entities: ['contact'] }, null)).statusCode, 401);
  });
});

describe('POST /api/phone/rank', () => {
  test('keeps the candidates that hold the number, best first, and drops the wildcard over-finds', async () => {
    const candidates = [
      { entity: 'account', id: ACCOUNT, name: 'Contoso', field: 'telephone1', number: '(415) 555-0100' },
      { entity: 'contact', id: CONTACT, name: 'Over-find', field: 'telephone1', number: '+44 415 555 0100' },
      { entity: 'contact', id: `{${CONTACT.toUpperCase()}}`, name: 'Ana', field: 'mobilephone', number: '+1 415 555 0100' },
    ];
    const response = await post('rank', { number: '+14155550100', candidates, defaultRegion: 'US' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().matches, [
      { candidate: { ...candidates[0] }, reason: 'same-e164' },
      { candidate: { ...candidates[2], id: CONTACT }, reason: 'same-e164' },
    ]);
  });

  test('without a region a number with a country still matches one written nationally', async () => {
    const candidates = [{ entity: 'lead', id: CONTACT, field: 'telephone1', number: '030 1234567' }];
    assert.deepEqual((await post('rank', { number: '+49301234567', candidates })).json().matches, [{ candidate: candidates[0], reason: 'same-national-number' }]);
  });

  test('a candidate’s record country places its numbers: a US record’s 207-123-4567 is not the UK calling', async () => {
    const candidates = [
      { entity: 'contact', id: CONTACT, name: 'Sam', field: 'telephone1', number: 'Tel. 207-123-4567 x12', country: 'United States' },
      { entity: 'contact', id: ACCOUNT, name: 'Lena', field: 'mobilephone', number: 'Mob: 020 7123 4567 / 0171 2345678', country: 'UK' },
    ];
    const response = await post('rank', { number: '+44 20 7123 4567', candidates, defaultRegion: 'US' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().matches, [{ candidate: candidates[1], reason: 'same-e164' }]);
  });

  test('a candidate without a record id is a 400 naming it', async () => {
    const response = await post('rank', { number: '+14155550100', candidates: [{ entity: 'contact', id: 'x', field: 'telephone1', number: '1' }] });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().error.message, /^body\.candidates\.0\.id: must be a Dataverse id/);
  });

  test('a full page of over-finds fits in one request', async () => {
    const candidates = Array.from({ length: 5000 }, (_, index) => ({
      entity: 'contact',
      id: CONTACT,
      name: `Contact ${index}`,
      field: 'telephone1',
      number: `+1 415 555 ${String(index).padStart(4, '0')}`,
    }));
    const response = await post('rank', { number: '+14155550100', candidates, defaultRegion: 'US' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      response.json().matches.map((match: { candidate: { name: string } }) => match.candidate.name),
      ['Contact 100'],
    );
  });

  test('without a session nothing is ranked', async () => {
    assert.equal((await post('rank', { number: '+14155550100', candidates: [] }, null)).statusCode, 401);
  });
});

describe('POST /api/phone/lookup with the server’s phone index', () => {
  const ROWS: IndexedRow[] = [
    { entity: 'contact', row: { contactid: CONTACT, fullname: 'Ana', mobilephone: 'Mob: (415) 555-0100', address1_country: 'USA' } },
    { entity: 'account', row: { accountid: ACCOUNT, name: 'Contoso', telephone1: '+1 415 555 0100 x12', telephone2: '020 7123 4567' } },
    // A UK number typed on a US record: read as a US number, it is not the UK's.
    { entity: 'lead', row: { leadid: CONTACT, fullname: 'Sam', telephone1: '207-123-4567', address1_country: 'United States' } },
  ];
  let indexed: ApiFixture;
  let syncing: ApiFixture;
  const lookup = async (fixture: ApiFixture, body: unknown) => {
    const token = await fixture.login('1001');
    return fixture.http.app.inject({ method: 'POST', url: '/api/phone/lookup', headers: { authorization: `Bearer ${token}` }, payload: body as object });
  };

  before(async () => {
    indexed = await createApiFixture({ phoneIndex: (db) => phoneIndexWith(db, ROWS, { defaultRegion: 'GB' }) });
    syncing = await createApiFixture({ phoneIndex: (db) => phoneIndexWith(db, ROWS, { defaultRegion: 'GB', ready: false }) });
  });
  after(async () => {
    await indexed.close();
    await syncing.close();
  });

  test('a synced index answers the records holding the number, in the tables and order asked, with the queries as before', async () => {
    const body = (await lookup(indexed, { number: '+14155550100', entities: ['account', 'contact'], defaultRegion: 'GB' })).json();
    assert.equal(body.index.state, 'ready');
    assert.deepEqual(body.index.matches, [
      { candidate: { entity: 'account', id: ACCOUNT, name: 'Contoso', field: 'telephone1', number: '+14155550100', extension: '12' }, reason: 'same-e164' },
      { candidate: { entity: 'contact', id: CONTACT, name: 'Ana', field: 'mobilephone', number: '+14155550100' }, reason: 'same-e164' },
    ]);
    assert.equal(body.queries.length, 2);
  });

  test('a national number of one country is never the foreign number sharing its digits', async () => {
    const uk = (await lookup(indexed, { number: '+44 20 7123 4567', entities: ['contact', 'account', 'lead'], defaultRegion: 'GB' })).json();
    assert.deepEqual(
      uk.index.matches.map((match: { candidate: { name: string } }) => match.candidate.name),
      ['Contoso'],
    );
    const us = (await lookup(indexed, { number: '+1 207 123 4567', entities: ['contact', 'account', 'lead'], defaultRegion: 'GB' })).json();
    assert.deepEqual(
      us.index.matches.map((match: { candidate: { name: string } }) => match.candidate.name),
      ['Sam'],
    );
  });

  test('an index still on its first sync says so and has no matches', async () => {
    const body = (await lookup(syncing, { number: '+14155550100', entities: ['contact'], defaultRegion: 'GB' })).json();
    assert.deepEqual(body.index, { state: 'syncing', matches: [] });
  });

  test('a lookup in another default region than the index read the records in is not answered by the index', async () => {
    const body = (await lookup(indexed, { number: '+14155550100', entities: ['contact'], defaultRegion: 'US' })).json();
    assert.deepEqual(body.index, { state: 'off', matches: [] });
  });
});
