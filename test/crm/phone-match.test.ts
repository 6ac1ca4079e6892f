import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmError } from '../../src/crm/crm-error.ts';
import { comparePhones, MATCH_RANK, matchPhone, type MatchReason } from '../../src/crm/phone-match.ts';
import { libphonenumberReader } from '../../src/crm/numbers/phone-number.ts';
import { itemAt } from '../support/item-at.ts';

/** [incoming, stored, default region, expected reason] */
type Case = [string, string, string | undefined, MatchReason];

const SAME: Case[] = [
  // US
  ['+14155550100', '(415) 555-0100', 'US', 'same-e164'],
  ['+14155550100', '415-555-0100', 'US', 'same-e164'],
  ['+14155550100', '415.555.0100', 'US', 'same-e164'],
  ['+14155550100', '1-415-555-0100', 'US', 'same-e164'],
  ['+14155550100', '+1 (415) 555-0100', 'DE', 'same-e164'],
  ['+14155550100', '001 415 555 0100', 'DE', 'same-e164'],
  ['+14155550100', '001 415 555 0100', 'US', 'same-e164'],
  ['+14155550100', '+1 415-555-0100 x140', 'US', 'same-e164'],
  ['+14155550100', '(415) 555-0100 ext. 12', 'US', 'same-e164'],
  ['+14155550100', 'tel:+1-415-555-0100;ext=12', undefined, 'same-e164'],
  ['(415) 555-0100', '+1 415 555 0100', 'US', 'same-e164'],
  // GB
  ['+442079460958', '020 7946 0958', 'GB', 'same-e164'],
  ['+442079460958', '+44 (0)20 7946 0958', undefined, 'same-e164'],
  ['+442079460958', '0044 20 7946 0958', 'US', 'same-e164'],
  ['+447911123456', '07911 123456', 'GB', 'same-e164'],
  ['+442079460958', '011 44 20 7946 0958', 'US', 'same-e164'],
  // DE
  ['+493012345', '0049 30 1234-5', 'DE', 'same-e164'],
  ['+493012345', '0049 30 1234-5', undefined, 'same-e164'],
  ['+493012345', '0049 30 1234-5', 'US', 'same-e164'],
  ['+49301234567', '030/1234567', 'DE', 'same-e164'],
  ['+49301234567', '+49 (0)30 123 4567', 'FR', 'same-e164'],
  ['+49301234567', '(030) 12345-67', 'DE', 'same-e164'],
  ['030 1234567', '+49 30 1234567', 'DE', 'same-e164'],
  // FR
  ['+33199001234', '01 99 00 12 34', 'FR', 'same-e164'],
  ['+33199001234', '01.99.00.12.34', 'FR', 'same-e164'],
  ['+33639981234', '+33 (0)6 39 98 12 34', 'FR', 'same-e164'],
  ['+33639981234', '0033 6 39 98 12 34', 'GB', 'same-e164'],
  // CN
  ['+8613800138000', '+86 138 0013 8000', undefined, 'same-e164'],
  ['+8613800138000', '138 0013 8000', 'CN', 'same-e164'],
  ['+8613800138000', '138-0013-8000', 'CN', 'same-e164'],
  ['+861065529988', '010-65529988', 'CN', 'same-e164'],
  ['+861065529988', '(010) 6552 9988', 'CN', 'same-e164'],
  ['+861065529988', '010-65529988转123', 'CN', 'same-e164'],
  ['+861065529988', '0086 10 65529988', 'CN', 'same-e164'],
  // IN
  ['+912223456789', '022 2345 6789', 'IN', 'same-e164'],
  ['+912223456789', '+91-22-2345-6789', undefined, 'same-e164'],
  ['+919876543210', '98765 43210', 'IN', 'same-e164'],
  ['+911123456789', '011-23456789', 'IN', 'same-e164'],
  // BR
  ['+5511987654321', '(11) 98765-4321', 'BR', 'same-e164'],
  ['+5511987654321', '+55 11 98765-4321', undefined, 'same-e164'],
  ['+5511987654321', '0 21 11 98765-4321', 'BR', 'same-e164'],
  ['+551133334444', '011 3333-4444', 'BR', 'same-e164'],
  // JP
  ['+81312345678', '03-1234-5678', 'JP', 'same-e164'],
  ['+81312345678', '０３－１２３４－５６７８', 'JP', 'same-e164'],
  ['+81312345678', '+81 3-1234-5678', undefined, 'same-e164'],
  ['+819012345678', '090-1234-5678', 'JP', 'same-e164'],
  ['+81312345678', '010 81 3 1234 5678', 'JP', 'same-e164'],
  // One side without a country: read in the other side's country.
  ['+14155550100', '(415) 555-0100', undefined, 'same-national-number'],
  ['+49301234567', '030 1234567', undefined, 'same-national-number'],
  ['+49301234567', '030 1234567', 'US', 'same-national-number'],
  ['+8613800138000', '13800138000', undefined, 'same-national-number'],
  ['030 1234567', '+49 30 1234567', undefined, 'same-national-number'],
  // Ofcom's drama range 07700 900xxx is not valid in the numbering data (as a number newer than the
  // data would not be), but it has the shape of a UK number, so region GB places it.
  ['+447700900123', '07700 900123', 'GB', 'same-e164'],
  // Neither side with a country.
  ['(415) 555-0100', '415.555.0100', undefined, 'same-digits'],
  // Short numbers only equal themselves.
  ['1002', '1002', 'DE', 'same-short-number'],
  ['1002', '10 02', undefined, 'same-short-number'],
];

const DIFFERENT: [string, string, string | undefined, string][] = [
  ['1002', '+1 415 555 1002', 'US', 'extension-vs-external'],
  ['1002', '(415) 555-1002', 'US', 'extension-vs-external'],
  ['1002', '030 1234 1002', 'DE', 'extension-vs-external'],
  ['0100', '(415) 555-0100', 'US', 'extension-vs-external'],
  ['5550100', '(415) 555-0100', 'US', 'different-number'],
  ['+14155550100', '0100', 'US', 'extension-vs-external'],
  ['+14155550100', '+1 415 555 0101', 'US', 'different-number'],
  ['+14155550100', '(415) 555-0100', 'DE', 'different-number'],
  ['+33301234567', '030 1234567', 'DE', 'different-number'],
  ['+4930123456', '+49 30 1234567', undefined, 'different-number'],
  ['+14155550100', '+44 1415 550100', undefined, 'different-number'],
  ['1002', '1003', 'DE', 'different-number'],
  ['anonymous', '(415) 555-0100', 'US', 'incoming-not-a-number'],
  ['', '(415) 555-0100', 'US', 'incoming-not-a-number'],
  ['+14155550100', '1-800-FLOWERS', 'US', 'stored-not-a-number'],
  ['+14155550100', 'call reception', 'US', 'stored-not-a-number'],
  ['+1234', '+1234', undefined, 'incoming-not-a-number'],
  ['+14155550100', '(415) 555-0100 / 0101', 'US', 'different-number'],
];

describe('comparePhones', () => {
  test('finds the same number written every way people type it in eight countries', () => {
    for (const [incoming, stored, region, reason] of SAME) {
      const result = comparePhones(libphonenumberReader, incoming, stored, { defaultRegion: region });
      assert.equal(result.reason, reason, `${incoming} vs ${stored} (${region ?? 'no region'})`);
      assert.equal(result.match, true);
    }
  });

  test('tells different numbers, short against long and non-numbers apart, saying why', () => {
    for (const [incoming, stored, region, reason] of DIFFERENT) {
      const result = comparePhones(libphonenumberReader, incoming, stored, { defaultRegion: region });
      assert.equal(result.reason, reason, `${incoming} vs ${stored} (${region ?? 'no region'})`);
      assert.equal(result.match, false);
    }
  });

  test('ignores extensions on either side', () => {
    for (const stored of ['+44 20 7946 0958 x140', '+44 20 7946 0958 ext. 12', '+44 20 7946 0958;ext=13', '+44 20 7946 0958 ext 7', '+44 20 7946 0958 #99']) {
      const result = comparePhones(libphonenumberReader, '+44 20 7946 0958 x1', stored, { defaultRegion: 'GB' });
      assert.equal(result.reason, 'same-e164', stored);
    }
  });

  test('is symmetric', () => {
    for (const [incoming, stored, region, reason] of [...SAME, ...DIFFERENT.filter(([, , , r]) => r === 'different-number' || r === 'extension-vs-external')]) {
      assert.equal(comparePhones(libphonenumberReader, stored, incoming, { defaultRegion: region }).reason, reason, `${stored} vs ${incoming}`);
    }
  });

  test('shows both normalised forms', () => {
    const result = comparePhones(libphonenumberReader, '+1 415 555 0100', '(415) 555-0100 x140', { defaultRegion: 'US' });
    assert.deepEqual(result.incoming, {
      kind: 'international',
      e164: '+14155550100',
      callingCode: '1',
      region: 'US',
      countrySource: 'written',
      nationalNumber: '4155550100',
      digits: '14155550100',
    });
    assert.deepEqual(result.stored, {
      kind: 'international',
      e164: '+14155550100',
      callingCode: '1',
      region: 'US',
      countrySource: 'default-region',
      nationalNumber: '4155550100',
      digits: '4155550100',
      extension: '140',
    });
  });

  test('refuses a default region that is not an ISO country code in capitals', () => {
    for (const region of ['us', 'USA', 'XX', '']) {
      assert.throws(
        () => comparePhones(libphonenumberReader, '1', '1', { defaultRegion: region }),
        (error: unknown) => error instanceof CrmError && error.code === 'CRM_INVALID_REGION',
        region,
      );
    }
  });
});

/** One sentence per case: what a person typed into Dynamics, and whether the caller is that record. */
interface TypedCase {
  says: string;
  incoming: string;
  stored: string;
  region?: string;
  country?: string;
  reason: MatchReason | 'different-number' | 'extension-vs-external' | 'stored-not-a-number';
}

const NEVER_FOREIGN: TypedCase[] = [
  {
    says: 'a US 207-123-4567 on a US record is not the UK’s +44 20 7123 4567 calling, in a UK organisation',
    incoming: '+44 20 7123 4567',
    stored: '207-123-4567',
    region: 'GB',
    country: 'United States',
    reason: 'different-number',
  },
  {
    says: 'a US 207-123-4567 on a US record is not the UK’s +44 20 7123 4567 calling, without a default region',
    incoming: '+44 20 7123 4567',
    stored: '207-123-4567',
    country: 'US',
    reason: 'different-number',
  },
  {
    says: 'a US 207-123-4567 read in region US is not the UK’s +44 20 7123 4567, though its range is not allocated',
    incoming: '+44 20 7123 4567',
    stored: '207-123-4567',
    region: 'US',
    reason: 'different-number',
  },
  {
    says: 'a US 207-123-4567 on a US record is the US’s +1 207 123 4567 calling',
    incoming: '+1 207 123 4567',
    stored: '207-123-4567',
    region: 'GB',
    country: 'United States',
    reason: 'same-e164',
  },
  {
    says: 'a UK 020 7123 4567 on a UK record is the UK’s +44 20 7123 4567 calling, in a US organisation',
    incoming: '+44 20 7123 4567',
    stored: '020 7123 4567',
    region: 'US',
    country: 'United Kingdom',
    reason: 'same-e164',
  },
  {
    says: 'a UK 020 7123 4567 on a UK record is not the US’s +1 207 123 4567 calling',
    incoming: '+1 207 123 4567',
    stored: '020 7123 4567',
    region: 'US',
    country: 'UK',
    reason: 'different-number',
  },
  {
    says: 'a Chinese 138 0013 8000 on a Chinese record is not a German +49 1380 0138000',
    incoming: '+49 1380 0138000',
    stored: '138 0013 8000',
    country: '中国',
    reason: 'different-number',
  },
  {
    says: 'a German 030 1234567 on a German record is not the French +33 3 01 23 45 67',
    incoming: '+33 3 01 23 45 67',
    stored: '030 1234567',
    region: 'FR',
    country: 'Deutschland',
    reason: 'different-number',
  },
];

const TYPED: TypedCase[] = [
  // The record's own country places a number written without one.
  {
    says: 'a German record’s 030 1234567 is read in Germany in a US organisation',
    incoming: '+49 30 1234567',
    stored: '030 1234567',
    region: 'US',
    country: 'Germany',
    reason: 'same-e164',
  },
  {
    says: 'a Chinese record’s 010-6552 9988 is read in China in a German organisation',
    incoming: '+86 10 6552 9988',
    stored: '010-6552 9988',
    region: 'DE',
    country: 'China',
    reason: 'same-e164',
  },
  { says: 'a record country written as an ISO code places the number', incoming: '+44 20 7946 0958', stored: '020 7946 0958', region: 'US', country: 'GB', reason: 'same-e164' },
  {
    says: 'a record country the table does not know leaves the default region in charge',
    incoming: '+1 415 555 0100',
    stored: '(415) 555-0100',
    region: 'US',
    country: 'Atlantis',
    reason: 'same-e164',
  },
  {
    says: 'a number the record’s country cannot hold is read in the default region, as dialled from there',
    incoming: '+91 80 4882 6641',
    stored: '011 91 80 4882 6641',
    region: 'US',
    country: 'India',
    reason: 'same-e164',
  },
  {
    says: 'a number written with its country keeps it on a record of another country',
    incoming: '+1 415 555 0100',
    stored: '+1 (415) 555-0100',
    region: 'DE',
    country: 'Germany',
    reason: 'same-e164',
  },
  // Labels and annotations around the number.
  { says: 'a "Mob:" label before a German mobile number is dropped', incoming: '+49 171 2345678', stored: 'Mob: 0171 2345678', country: 'Germany', reason: 'same-e164' },
  { says: 'a "Tel." label before an international number is dropped', incoming: '+49 30 1234567', stored: 'Tel. +49 30 1234567', reason: 'same-e164' },
  { says: 'a "(mobile)" annotation after the number is dropped', incoming: '+1 415 555 0100', stored: '+1 415 555 0100 (mobile)', reason: 'same-e164' },
  { says: 'a "cell" label before a US number is dropped', incoming: '+1 415 555 0100', stored: 'cell 415-555-0100', region: 'US', reason: 'same-e164' },
  { says: 'a Chinese 手机 label with a full-width colon is dropped', incoming: '+86 138 0013 8000', stored: '手机：138 0013 8000', country: 'CN', reason: 'same-e164' },
  { says: 'a Chinese 电话 label before a Beijing number is dropped', incoming: '+86 10 1234 5678', stored: '电话 010-1234-5678', region: 'CN', reason: 'same-e164' },
  { says: 'a Chinese 座机 label written right against the number is dropped', incoming: '+86 10 1234 5678', stored: '座机010-1234-5678', region: 'CN', reason: 'same-e164' },
  { says: 'a label and an annotation together are dropped', incoming: '+49 30 1234567', stored: 'Tel.: (030) 123 4567 (Zentrale)', region: 'DE', reason: 'same-e164' },
  // Several numbers in one field.
  { says: 'the second of two numbers separated by "/" is a candidate', incoming: '+49 171 2345678', stored: '030 1234567 / 0171 2345678', region: 'DE', reason: 'same-e164' },
  { says: 'the first of two numbers separated by ";" is a candidate', incoming: '+1 415 555 0100', stored: '+1 415 555 0100; +1 415 555 0199', reason: 'same-e164' },
  { says: 'each of numbers separated by "," is a candidate', incoming: '+1 415 555 0199', stored: '(415) 555-0100, (415) 555-0199', region: 'US', reason: 'same-e164' },
  { says: 'each of numbers separated by " or " is a candidate', incoming: '+44 7911 123456', stored: '020 7946 0958 or 07911 123456', region: 'GB', reason: 'same-e164' },
  { says: 'each of numbers separated by 或 is a candidate', incoming: '+86 10 6552 9988', stored: '138 0013 8000 或 010-6552 9988', region: 'CN', reason: 'same-e164' },
  { says: 'labelled numbers in one field are each a candidate', incoming: '+49 171 2345678', stored: 'Büro: 030 1234567, Mobil: 0171 2345678', region: 'DE', reason: 'same-e164' },
  { says: 'a "/" between area code and subscriber number does not split the number', incoming: '+49 30 1234567', stored: '030/1234567', region: 'DE', reason: 'same-e164' },
  { says: 'none of several numbers being the caller’s is no match', incoming: '+49 89 1234567', stored: '030 1234567 / 0171 2345678', region: 'DE', reason: 'different-number' },
  // Extensions: an incoming call carries none, so the number matches without it.
  { says: 'an extension written "x123" is set aside', incoming: '+1 415 555 0100', stored: '415-555-0100 x123', region: 'US', reason: 'same-e164' },
  { says: 'an extension written "ext. 123" after a comma is set aside', incoming: '+1 415 555 0100', stored: '(415) 555-0100, ext. 123', region: 'US', reason: 'same-e164' },
  { says: 'an extension written "ext 123" is set aside', incoming: '+44 20 7946 0958', stored: 'Tel: 020 7946 0958 ext 123', region: 'GB', reason: 'same-e164' },
  { says: 'an extension written "#123" is set aside', incoming: '+49 30 1234567', stored: '030 1234567 #123', region: 'DE', reason: 'same-e164' },
  { says: 'an extension written "转123" is set aside', incoming: '+86 10 6552 9988', stored: '电话：010-6552 9988转123', region: 'CN', reason: 'same-e164' },
  { says: 'an extension written "分机123" is set aside', incoming: '+86 10 6552 9988', stored: '010-6552 9988 分机123', country: 'China', reason: 'same-e164' },
  { says: 'a field of only a label has no number', incoming: '+86 10 6552 9988', stored: '座机', region: 'CN', reason: 'stored-not-a-number' },
];

describe('matching numbers as people type them into a CRM', () => {
  for (const table of [NEVER_FOREIGN, TYPED]) {
    for (const { says, incoming, stored, region, country, reason } of table) {
      test(says, () => {
        assert.equal(comparePhones(libphonenumberReader, incoming, stored, { defaultRegion: region, storedCountry: country }).reason, reason);
        const matches = matchPhone(libphonenumberReader, incoming, [{ id: 'record', number: stored, ...(country === undefined ? {} : { country }) }], { defaultRegion: region });
        assert.deepEqual(
          matches.map((m) => m.reason),
          reason in MATCH_RANK ? [reason] : [],
        );
      });
    }
  }

  test('the extension is kept apart in the stored number that matched', () => {
    const result = comparePhones(libphonenumberReader, '+86 10 6552 9988', '电话：010-6552 9988转123', { defaultRegion: 'CN' });
    assert.deepEqual([result.stored.e164, result.stored.extension], ['+861065529988', '123']);
  });

  test('a field of several numbers shows each, and the one that matched', () => {
    const result = comparePhones(libphonenumberReader, '+49 171 2345678', 'Büro: 030 1234567 / Mobil: 0171 2345678 x5', { storedCountry: 'Deutschland' });
    assert.deepEqual(
      result.storedNumbers?.map((phone) => [phone.e164, phone.extension]),
      [
        ['+49301234567', undefined],
        ['+491712345678', '5'],
      ],
    );
    assert.equal(result.stored.e164, '+491712345678');
    assert.equal(result.storedRegion, 'DE');
  });
});

describe('matchPhone', () => {
  const candidates = [
    { id: 'a', number: '+1 415 555 1002' },
    { id: 'b', number: '(415) 555-0100' },
    { id: 'c', number: '1002' },
    { id: 'd', number: '+14155550100' },
    { id: 'e', number: 'anonymous' },
    { id: 'f', number: '415.555.0100 x140' },
  ];

  test('ranks exact E.164 matches before numbers matched without a country, keeping search order otherwise', () => {
    const matches = matchPhone(
      libphonenumberReader,
      '4155550100',
      [
        { id: 'x', number: '(415) 555-0100' },
        { id: 'y', number: '+1 415 555 0100' },
        { id: 'z', number: '415 555 0100' },
      ],
      { defaultRegion: 'US' },
    );
    assert.deepEqual(
      matches.map((m) => [m.candidate.id, m.reason]),
      [
        ['x', 'same-e164'],
        ['y', 'same-e164'],
        ['z', 'same-e164'],
      ],
    );
    const mixed = matchPhone(libphonenumberReader, '+14155550100', [
      { id: 'national', number: '(415) 555-0100' },
      { id: 'exact', number: '+1 415 555 0100' },
      { id: 'digits', number: '415.555.0100' },
    ]);
    assert.deepEqual(
      mixed.map((m) => [m.candidate.id, m.reason]),
      [
        ['exact', 'same-e164'],
        ['national', 'same-national-number'],
        ['digits', 'same-national-number'],
      ],
    );
  });

  test('returns the candidates holding the caller’s number, with whatever identifies them', () => {
    const matches = matchPhone(libphonenumberReader, '+14155550100', candidates, { defaultRegion: 'US' });
    assert.deepEqual(
      matches.map((m) => m.candidate.id),
      ['b', 'd', 'f'],
    );
    assert.equal(itemAt(matches, 0).candidate, candidates[1]);
  });

  test('never matches an internal extension against the tail of an external number', () => {
    const matches = matchPhone(libphonenumberReader, '1002', candidates, { defaultRegion: 'US' });
    assert.deepEqual(
      matches.map((m) => [m.candidate.id, m.reason]),
      [['c', 'same-short-number']],
    );
  });

  test('finds nothing for a caller that is not a number', () => {
    assert.deepEqual(matchPhone(libphonenumberReader, 'anonymous', candidates, { defaultRegion: 'US' }), []);
    assert.deepEqual(matchPhone(libphonenumberReader, '+14155550100', [], { defaultRegion: 'US' }), []);
  });
});
