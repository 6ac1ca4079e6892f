import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regionOfCountry } from '../../src/crm/country-region.ts';

/** [what a record's address country says, the region it names] */
const NAMES: [string, string | undefined][] = [
  ['Germany', 'DE'],
  ['Deutschland', 'DE'],
  ['DE', 'DE'],
  ['de', 'DE'],
  ['China', 'CN'],
  ['中国', 'CN'],
  ['CN', 'CN'],
  ['United States', 'US'],
  ['USA', 'US'],
  ['U.S.A.', 'US'],
  ['US', 'US'],
  ['United Kingdom', 'GB'],
  ['UK', 'GB'],
  ['GB', 'GB'],
  ['  united   kingdom ', 'GB'],
  ['France', 'FR'],
  ['Frankreich', 'FR'],
  ['日本', 'JP'],
  ['Brasil', 'BR'],
  ['Vereinigte Staaten', 'US'],
  ['ＤＥ', 'DE'],
  ['Atlantis', undefined],
  ['', undefined],
  ['XX', undefined],
];

test('a record’s address country names its region whether written as a name in several languages or as a code', () => {
  for (const [country, region] of NAMES) assert.equal(regionOfCountry(country), region, JSON.stringify(country));
});

test('a record without a country has no region', () => {
  assert.equal(regionOfCountry(undefined), undefined);
});
