import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phoneFieldTexts, readPhoneField } from '../../src/crm/phone-field.ts';
import { libphonenumberReader } from '../../src/crm/numbers/phone-number.ts';

/** [a sentence, the field as typed, the numbers it holds] */
const FIELDS: [string, string, string[]][] = [
  ['one number is one number', '+1 415 555 0100', ['+1 415 555 0100']],
  ['"/" between two numbers splits them', '030 1234567 / 0171 2345678', ['030 1234567', '0171 2345678']],
  ['"/" between area code and subscriber number does not', '030/1234567', ['030/1234567']],
  ['"/" before a few digits does not', '(415) 555-0100 / 0101', ['(415) 555-0100 / 0101']],
  ['";" splits', '+1 415 555 0100; +1 415 555 0199', ['+1 415 555 0100', '+1 415 555 0199']],
  ['";ext=" of RFC 3966 does not', 'tel:+1-415-555-0100;ext=12', ['tel:+1-415-555-0100;ext=12']],
  ['"," splits', '(415) 555-0100, (415) 555-0199', ['(415) 555-0100', '(415) 555-0199']],
  ['"," before an extension does not', '(415) 555-0100, ext. 123', ['(415) 555-0100, ext. 123']],
  ['" or " splits, in any case', '020 7946 0958 OR 07911 123456', ['020 7946 0958', '07911 123456']],
  ['"或" splits', '138 0013 8000或010-6552 9988', ['138 0013 8000', '010-6552 9988']],
  ['a line break splits', '030 1234567\n0171 2345678', ['030 1234567', '0171 2345678']],
  ['labels stay with their numbers', 'Büro: 030 1234567, Mobil: 0171 2345678', ['Büro: 030 1234567', 'Mobil: 0171 2345678']],
  ['empty pieces are dropped', '030 1234567;; ', ['030 1234567']],
];

for (const [says, field, texts] of FIELDS) {
  test(`a phone field: ${says}`, () => assert.deepEqual(phoneFieldTexts(field), texts));
}

test('each number of a field is read in the region given, with its extension apart', () => {
  assert.deepEqual(
    readPhoneField(libphonenumberReader, 'Büro: 030 1234567 x12 / Mobil: 0171 2345678', 'DE').map((phone) => [phone.e164, phone.extension]),
    [
      ['+49301234567', '12'],
      ['+491712345678', undefined],
    ],
  );
});

test('a field with no number reads as one that is not a number', () => {
  assert.deepEqual(readPhoneField(libphonenumberReader, '', 'DE'), [{ kind: 'none', digits: '' }]);
  assert.deepEqual(
    readPhoneField(libphonenumberReader, '座机', 'CN').map((phone) => phone.kind),
    ['none'],
  );
});
