import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmError } from '../../src/crm/crm-error.ts';
import { comparePhones, matchPhone, type MatchReason } from '../../src/crm/phone-match.ts';

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
  // data would not be): read in the caller's country it still matches.
  ['+447700900123', '07700 900123', 'GB', 'same-national-number'],
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
      const result = comparePhones(incoming, stored, { defaultRegion: region });
      assert.equal(result.reason, reason, `${incoming} vs ${stored} (${region ?? 'no region'})`);
      assert.equal(result.match, true);
    }
  });

  test('tells different numbers, short against long and non-numbers apart, saying why', () => {
    for (const [incoming, stored, region, reason] of DIFFERENT) {
      const result = comparePhones(incoming, stored, { defaultRegion: region });
      assert.equal(result.reason, reason, `${incoming} vs ${stored} (${region ?? 'no region'})`);
      assert.equal(result.match, false);
    }
  });

  test('ignores extensions on either side', () => {
    for (const stored of ['+44 20 7946 0958 x140', '+44 20 7946 0958 ext. 12', '+44 20 7946 0958;ext=13', '+44 20 7946 0958 ext 7', '+44 20 7946 0958 #99']) {
      const result = comparePhones('+44 20 7946 0958 x1', stored, { defaultRegion: 'GB' });
      assert.equal(result.reason, 'same-e164', stored);
    }
  });

  test('is symmetric', () => {
    for (const [incoming, stored, region, reason] of [...SAME, ...DIFFERENT.filter(([, , , r]) => r === 'different-number' || r === 'extension-vs-external')]) {
      assert.equal(comparePhones(stored, incoming, { defaultRegion: region }).reason, reason, `${stored} vs ${incoming}`);
    }
  });

  test('shows both normalised forms', () => {
    const result = comparePhones('+1 415 555 0100', '(415) 555-0100 x140', { defaultRegion: 'US' });
    assert.deepEqual(result.incoming, { kind: 'international', e164: '+14155550100', callingCode: '1', region: 'US', countrySource: 'written', nationalNumber: '4155550100', digits: '14155550100' });
    assert.deepEqual(result.stored, { kind: 'international', e164: '+14155550100', callingCode: '1', region: 'US', countrySource: 'default-region', nationalNumber: '4155550100', digits: '4155550100', extension: '140' });
  });

  test('refuses a default region that is not an ISO country code in capitals', () => {
    for (const region of ['us', 'USA', 'XX', '']) {
      assert.throws(() => comparePhones('1', '1', { defaultRegion: region }), (error: unknown) => error instanceof CrmError && error.code === 'INVALID_REGION', region);
    }
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
    const matches = matchPhone('4155550100', [{ id: 'x', number: '(415) 555-0100' }, { id: 'y', number: '+1 415 555 0100' }, { id: 'z', number: '415 555 0100' }], { defaultRegion: 'US' });
    assert.deepEqual(matches.map((m) => [m.candidate.id, m.reason]), [
      ['x', 'same-e164'],
      ['y', 'same-e164'],
      ['z', 'same-e164'],
    ]);
    const mixed = matchPhone('+14155550100', [{ id: 'national', number: '(415) 555-0100' }, { id: 'exact', number: '+1 415 555 0100' }, { id: 'digits', number: '415.555.0100' }]);
    assert.deepEqual(mixed.map((m) => [m.candidate.id, m.reason]), [
      ['exact', 'same-e164'],
      ['national', 'same-national-number'],
      ['digits', 'same-national-number'],
    ]);
  });

  test('returns the candidates holding the caller’s number, with whatever identifies them', () => {
    const matches = matchPhone('+14155550100', candidates, { defaultRegion: 'US' });
    assert.deepEqual(matches.map((m) => m.candidate.id), ['b', 'd', 'f']);
    assert.equal(matches[0].candidate, candidates[1]);
  });

  test('never matches an internal extension against the tail of an external number', () => {
    const matches = matchPhone('1002', candidates, { defaultRegion: 'US' });
    assert.deepEqual(matches.map((m) => [m.candidate.id, m.reason]), [['c', 'same-short-number']]);
  });

  test('finds nothing for a caller that is not a number', () => {
    assert.deepEqual(matchPhone('anonymous', candidates, { defaultRegion: 'US' }), []);
    assert.deepEqual(matchPhone('+14155550100', [], { defaultRegion: 'US' }), []);
  });
});
