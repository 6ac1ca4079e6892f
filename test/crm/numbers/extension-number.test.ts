import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isExtensionNumber, isShortNumber } from '../../../src/crm/numbers/extension-number.ts';
import { normalizePhone } from '../../../src/crm/numbers/phone-number.ts';

describe('extension numbers and short numbers', () => {
  test('an extension number is 2 to 10 digits and nothing else', () => {
    assert.deepEqual(['10', '1002', '1234567890'].map(isExtensionNumber), [true, true, true]);
    assert.deepEqual(['1', '12345678901', '10a', '+1002', ''].map(isExtensionNumber), [false, false, false, false, false]);
  });

  test('a short number is one to six digits, and number reading never gives it a country', () => {
    assert.deepEqual(['1', '112', '123456'].map(isShortNumber), [true, true, true]);
    assert.deepEqual(['', '1234567'].map(isShortNumber), [false, false]);
    assert.equal(normalizePhone('123456', 'US').kind, 'short');
    assert.equal(normalizePhone('1234567', 'US').kind, 'national');
  });

  test('every short extension number reads as a short number, so matching never places it in a country', () => {
    for (const number of ['10', '1002', '999999']) assert.equal(normalizePhone(number, 'DE').kind, 'short', number);
  });
});
