import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCountryCode, toE164 } from '../../src/crm/phone-number.ts';

test('country codes are ISO 3166-1 alpha-2 in capitals that the numbering data knows', () => {
  for (const code of ['US', 'DE', 'CN', 'GB']) assert.equal(isCountryCode(code), true, code);
  for (const code of ['us', 'De', 'XX', 'USA', 'U', '', 'EU']) assert.equal(isCountryCode(code), false, code);
});

test('numbers come out in E.164 from every common spelling', () => {
  assert.equal(toE164('+49 30 1234567'), '+49301234567');
  assert.equal(toE164('030 1234567', 'DE'), '+49301234567');
  assert.equal(toE164('+49 (0)30 1234567', 'DE'), '+49301234567');
  assert.equal(toE164('(415) 555-0100', 'US'), '+14155550100');
  assert.equal(toE164('010 1234 5678', 'CN'), '+861012345678');
});

test('a number that cannot be placed or is impossible has no E.164 form', () => {
  assert.equal(toE164('0301234567'), undefined);
  assert.equal(toE164('0301234567', 'nowhere'), undefined);
  assert.equal(toE164('112', 'DE'), undefined);
  assert.equal(toE164('+1234'), undefined);
  assert.equal(toE164('anonymous', 'DE'), undefined);
});

test('a number is not extracted from surrounding text', () => {
  assert.equal(toE164('call +49 30 1234567 today'), undefined);
});
