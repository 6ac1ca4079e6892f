import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CrmEntity } from '../../../src/crm/crm-entities.ts';
import { libphonenumberReader as numbers } from '../../../src/crm/numbers/phone-number.ts';
import { matchPhone } from '../../../src/crm/phone-match.ts';
import { indexedRecord } from '../../../src/dynamics/phone-index/indexed-record.ts';
import { findIndexedPhones, type PhoneIndexRows } from '../../../src/dynamics/phone-index/phone-index-lookup.ts';
import type { PhoneIndexRow } from '../../../src/store/phone-index-repository.ts';

const ID = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const OTHER_ID = '7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

/** The rows the index would hold for `records`, found as the repository finds them. */
function rowsOf(records: Array<{ entity: CrmEntity; row: Record<string, unknown> }>, defaultRegion: string | undefined): PhoneIndexRows & { rows: PhoneIndexRow[] } {
  const rows: PhoneIndexRow[] = records.flatMap(({ entity, row }) => {
    const record = indexedRecord(numbers, entity, row, defaultRegion);
    return record.numbers.map((number) => ({
      entity,
      recordId: record.id,
      recordName: record.name ?? null,
      field: number.field,
      kind: number.kind,
      digits: number.digits,
      e164: number.e164 ?? null,
      extension: number.extension ?? null,
    }));
  });
  return {
    rows,
    withDigits: (digits) => rows.filter((row) => row.digits === digits),
    endingWith: (digits, limit) => rows.filter((row) => row.digits.endsWith(digits)).slice(0, limit),
  };
}

/** [incoming, stored field text, the record's address country, default region] */
type Case = [string, string, string | undefined, string | undefined];

const CASES: Case[] = [
  ['+14155550100', '(415) 555-0100', undefined, 'US'],
  ['+14155550100', 'Mob: +1 415-555-0100 x140', undefined, 'DE'],
  ['(415) 555-0100', '001 415 555 0100', undefined, 'US'],
  ['+49301234567', '030 1234567 / 0171 2345678', 'Germany', 'US'],
  ['+491712345678', '030 1234567 / 0171 2345678', 'Germany', 'US'],
  ['+49301234567', '030 1234567', undefined, undefined],
  ['+49301234567', '030 1234567', undefined, 'US'],
  ['+14155550100', '(415) 555-0100', undefined, undefined],
  ['(415) 555-0100', '415.555.0100', undefined, undefined],
  ['14155550100', '+1 415 555 0100', undefined, undefined],
  ['+8613800138000', '手机：138 0013 8000', '中国', 'US'],
  ['+861065529988', '010-65529988转123', 'CN', 'US'],
  ['+81312345678', '０３－１２３４－５６７８', 'Japan', 'US'],
  ['+442071234567', '207-123-4567', 'United States', 'GB'],
  ['+442071234567', '207-123-4567', undefined, 'US'],
  ['+12071234567', '+44 20 7123 4567', undefined, 'US'],
  ['+33301234567', '030 1234567', 'DE', 'DE'],
  ['1002', '1002', undefined, 'US'],
  ['1002', '+1 415 555 1002', undefined, 'US'],
  ['+14155551002', '1002', undefined, 'US'],
  ['+14155550100', '0100', undefined, 'US'],
  ['anonymous', '(415) 555-0100', undefined, 'US'],
  ['+14155550100', 'call reception', undefined, 'US'],
  ['+74951234567', '8 (495) 123-45-67', undefined, undefined],
];

describe('a caller found in the phone index', () => {
  test('finds a record exactly when the pane’s match says the record holds the number, for the same reason', () => {
    const reasons = new Set<string>();
    for (const [incoming, stored, country, region] of CASES) {
      const index = rowsOf(
        [{ entity: 'contact', row: { contactid: ID, fullname: 'Ana', telephone1: stored, ...(country === undefined ? {} : { address1_country: country }) } }],
        region,
      );
      const expected = matchPhone(numbers, incoming, [{ number: stored, ...(country === undefined ? {} : { country }) }], { defaultRegion: region }).map((match) => match.reason);
      const found = findIndexedPhones(numbers, index, incoming, { entities: ['contact'], defaultRegion: region }).map((match) => match.reason);
      // matchPhone answers per field (its best number), the index per number: the best one decides.
      assert.equal(found[0], expected[0], `${incoming} vs ${JSON.stringify(stored)} (${country ?? '-'}, ${region ?? '-'})`);
      reasons.add(found[0] ?? 'none');
    }
    // The table covers every reason to match and not to.
    assert.deepEqual([...reasons].sort(), ['none', 'same-digits', 'same-e164', 'same-national-number', 'same-short-number']);
  });

  test('a US number on a US record is never the UK number that shares its digits', () => {
    const index = rowsOf([{ entity: 'contact', row: { contactid: ID, fullname: 'Sam', telephone1: '207-123-4567', address1_country: 'USA' } }], 'GB');
    assert.deepEqual(findIndexedPhones(numbers, index, '+442071234567', { entities: ['contact'], defaultRegion: 'GB' }), []);
    assert.equal(findIndexedPhones(numbers, index, '+12071234567', { entities: ['contact'], defaultRegion: 'GB' }).length, 1);
  });

  test('each number of a field is found, with its extension and the column it is in', () => {
    const index = rowsOf([{ entity: 'account', row: { accountid: ID, name: 'Contoso', telephone2: 'Tel. +1 415 555 0100 ext. 12; +1 415 555 0101' } }], 'US');
    const first = findIndexedPhones(numbers, index, '+14155550100', { entities: ['account'], defaultRegion: 'US' });
    assert.deepEqual(first, [{ candidate: { entity: 'account', id: ID, name: 'Contoso', field: 'telephone2', number: '+14155550100', extension: '12' }, reason: 'same-e164' }]);
    assert.equal(findIndexedPhones(numbers, index, '+14155550101', { entities: ['account'], defaultRegion: 'US' }).length, 1);
  });

  test('only the tables asked for answer, in the order asked within a rank, surer matches first', () => {
    const index = rowsOf(
      [
        { entity: 'contact', row: { contactid: ID, fullname: 'Ana', mobilephone: '+14155550100' } },
        { entity: 'lead', row: { leadid: OTHER_ID, fullname: 'Bo', telephone1: '(415) 555-0100' } },
        { entity: 'account', row: { accountid: OTHER_ID, name: 'Contoso', telephone1: '+1 415 555 0100' } },
      ],
      'US',
    );
    const found = findIndexedPhones(numbers, index, '+14155550100', { entities: ['lead', 'contact'], defaultRegion: 'US' });
    assert.deepEqual(
      found.map((match) => `${match.candidate.entity} ${match.candidate.name}`),
      ['lead Bo', 'contact Ana'],
    );
  });
});
