import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presentedNumber } from '../../../src/pbx/routing/presented-number.ts';

test('a number with its own + becomes E.164 whatever the trunk country', () => {
  assert.equal(presentedNumber('+14155550100'), '+14155550100');
  assert.equal(presentedNumber('+1 (415) 555-0100', 'DE'), '+14155550100');
});

test("a national number becomes E.164 in the trunk's country", () => {
  assert.equal(presentedNumber('030 1234567', 'DE'), '+49301234567');
  assert.equal(presentedNumber('4155550100', 'US'), '+14155550100');
  assert.equal(presentedNumber('14155550100', 'US'), '+14155550100');
});

test("an international-prefix number becomes E.164 in the trunk's country", () => {
  assert.equal(presentedNumber('0049301234567', 'DE'), '+49301234567');
  assert.equal(presentedNumber('011 49 30 1234567', 'US'), '+49301234567');
});

test('a national number without a trunk country is kept as presented, without separators', () => {
  assert.equal(presentedNumber('030 1234567'), '0301234567');
  assert.equal(presentedNumber('030 1234567', undefined), '0301234567');
});

test('a number impossible in the country is kept as presented, + included', () => {
  assert.equal(presentedNumber('112', 'DE'), '112');
  assert.equal(presentedNumber('+1234'), '+1234');
  assert.equal(presentedNumber('*31#030', 'DE'), '*31#030');
});

test('what is no number at all is kept exactly as presented', () => {
  assert.equal(presentedNumber('anonymous', 'DE'), 'anonymous');
  assert.equal(presentedNumber('Restricted'), 'Restricted');
});
