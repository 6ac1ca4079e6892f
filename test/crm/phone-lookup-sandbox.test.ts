/**
 * The caller lookup end to end against the sandbox Dataverse and its seed — numbers typed the
 * ways people type them in eight countries: the wildcard queries find every stored number's
 * record, and matchPhone keeps exactly the records that hold the number.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrmEntity } from '../../src/crm/crm-entities.ts';
import { CRM_ENTITIES } from '../../src/crm/crm-entities.ts';
import { DEFAULT_CRM_SETTINGS } from '../../src/crm/crm-settings.ts';
import { matchPhone } from '../../src/crm/phone-match.ts';
import { toE164, libphonenumberReader } from '../../src/crm/numbers/phone-number.ts';
import { buildPhoneSearchQueries, candidatesFromSearchResult, type RecordPhone } from '../../src/crm/phone-search.ts';
import { decideScreenPop, matchedRecords } from '../../src/crm/screen-pop.ts';
import { Dataverse } from '../../src/sandbox/dataverse/dataverse.ts';
import { contactId, SEED } from '../../src/sandbox/dataverse/seed-data.ts';
import { COUNTRY_NAMES } from '../../src/sandbox/dataverse/seed-generator.ts';
import { COMPANIES, PROSPECTS } from '../../src/sandbox/dataverse/seed-names.ts';

const COUNTRY_BY_NAME = new Map(Object.entries(COUNTRY_NAMES).map(([code, name]) => [name, code]));
const COUNTRY_BY_COMPANY = new Map([...COMPANIES, ...PROSPECTS].map((company) => [company.name, company.country as string]));

interface Stored {
  entity: CrmEntity;
  id: string;
  field: string;
  raw: string;
  /** The region its writer dialled from: the record's country, or the US for "011 …" numbers. */
  region: string;
  e164: string;
}

describe('caller lookup on the sandbox seed', () => {
  let dataverse: Dataverse;
  let stored: Stored[];

  /** What the pane does: one query per table, the rows as candidates, ranked by matchPhone. */
  const lookUp = (incoming: string, entities: readonly CrmEntity[], defaultRegion: string) => {
    const candidates: RecordPhone[] = [];
    for (const query of buildPhoneSearchQueries(libphonenumberReader, incoming, { entities, defaultRegion })) {
      const rows = dataverse.retrieveMultiple(CRM_ENTITIES[query.entity].setName, query.query).records;
      candidates.push(...candidatesFromSearchResult(query, JSON.stringify(Object.fromEntries(rows.map((row, i) => [i, row])))));
    }
    return { candidates, matches: matchPhone(libphonenumberReader, incoming, candidates, { defaultRegion }) };
  };

  before(() => {
    dataverse = new Dataverse({ path: ':memory:' });
    stored = [];
    for (const entity of ['contact', 'account', 'lead'] as const) {
      const info = CRM_ENTITIES[entity];
      for (const record of dataverse.retrieveMultiple(info.setName).records) {
        const country = entity === 'lead' ? COUNTRY_BY_COMPANY.get(String(record.companyname)) : COUNTRY_BY_NAME.get(String(record.address1_country));
        for (const field of info.phoneFields) {
          const raw = record[field];
          if (typeof raw !== 'string') continue;
          const main = raw.normalize('NFKC').replace(/\s*(x|ext\.?)\s*\d+$/, '');
          const region = toE164(main, country) === undefined && raw.startsWith('011 ') ? 'US' : (country as string);
          const e164 = toE164(main, region);
          assert.ok(e164, `${raw} (${region})`);
          stored.push({ entity, id: String(record[info.idField]), field, raw, region, e164 });
        }
      }
    }
  });
  after(() => dataverse.close());

  test('finds the record of every stored number from the number a trunk presents (E.164)', () => {
    assert.ok(stored.length > 400, `${stored.length} stored numbers`);
    for (const number of stored) {
      const { candidates, matches } = lookUp(number.e164, [number.entity], number.region);
      const mine = (c: RecordPhone) => c.id === number.id && c.field === number.field;
      assert.ok(candidates.some(mine), `the search for ${number.e164} misses ${number.raw}`);
      assert.ok(
        matches.some((m) => mine(m.candidate)),
        `${number.e164} does not match ${number.raw} (${number.region})`,
      );
    }
  });

  test('matches only records that really hold the number', () => {
    const byE164 = new Map<string, Set<string>>();
    for (const number of stored) byE164.set(number.e164, (byE164.get(number.e164) ?? new Set()).add(`${number.entity}/${number.id}/${number.field}`));
    for (const [e164, holders] of byE164) {
      const region = stored.find((n) => n.e164 === e164)?.region as string;
      const { matches } = lookUp(e164, DEFAULT_CRM_SETTINGS.searchIn, region);
      assert.deepEqual(new Set(matches.map((m) => `${m.candidate.entity}/${m.candidate.id}/${m.candidate.field}`)), holders, e164);
    }
  });

  test('a number shared by two contacts offers both in the pane, in search order', () => {
    const { matches } = lookUp('+14155550100', DEFAULT_CRM_SETTINGS.searchIn, 'US');
    const records = matchedRecords(matches);
    assert.deepEqual(
      records.map((r) => [r.entity, r.id, r.name]),
      [
        ['contact', SEED.contactAlexBaker, 'Alex Baker'],
        ['contact', SEED.contactJordanLee, 'Jordan Lee'],
      ],
    );
    const decision = decideScreenPop(libphonenumberReader, {
      direction: 'inbound',
      phase: 'ringing',
      settings: DEFAULT_CRM_SETTINGS,
      matches: records,
      number: '+14155550100',
      defaultRegion: 'US',
    });
    assert.deepEqual(decision, { kind: 'choose', records });
  });

  test('finds "0049 30 1234-5" from +49 30 12345 in a German and in an American organisation', () => {
    for (const region of ['DE', 'US']) {
      const records = matchedRecords(lookUp('+493012345', ['contact'], region).matches);
      assert.deepEqual(
        records.map((r) => r.id),
        [contactId(6)],
        region,
      );
    }
  });

  test('finds numbers typed with labels, several to a field and extensions, read in the record’s own country', () => {
    const typed = [
      { firstname: 'Lena', lastname: 'Typed', address1_country: 'Deutschland', telephone1: 'Büro: 030 98765432 / Mobil: 0171 9876543', mobilephone: 'Tel. 089 98765432 x12' },
      { firstname: 'Wei', lastname: 'Typed', address1_country: '中国', mobilephone: '手机：139 8765 4321', telephone1: '电话 010-9876-5432 转 8' },
      { firstname: 'Sam', lastname: 'Typed', address1_country: 'United States', telephone1: '207-987-6543 (office)' },
    ];
    const ids = typed.map((body) => dataverse.create('contacts', body).id);
    // An American organisation: the German and Chinese numbers are placed by their records' countries.
    const cases: [string, string | undefined][] = [
      ['+49 30 98765432', ids[0]],
      ['+49 171 9876543', ids[0]],
      ['+49 89 98765432', ids[0]],
      ['+86 139 8765 4321', ids[1]],
      ['+86 10 9876 5432', ids[1]],
      ['+1 207 987 6543', ids[2]],
      ['+44 20 7987 6543', undefined],
    ];
    for (const [incoming, id] of cases) {
      const { matches } = lookUp(incoming, ['contact'], 'US');
      assert.deepEqual(
        matchedRecords(matches).map((r) => r.id),
        id === undefined ? [] : [id],
        incoming,
      );
    }
    for (const id of ids) dataverse.delete('contacts', id);
  });

  test('finds nobody for an internal extension, though many stored numbers end in its digits', () => {
    assert.ok(stored.some((n) => n.raw.replace(/\D/g, '').endsWith('0100')));
    assert.deepEqual(lookUp('0100', DEFAULT_CRM_SETTINGS.searchIn, 'US').matches, []);
  });
});
