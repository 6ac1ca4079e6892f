import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmError } from '../../src/crm/crm-error.ts';
import { checkRegion } from '../../src/crm/numbers/phone-number-reader.ts';
import { e164InCountry, formatInternational, isCountryCode, libphonenumberReader, normalizePhone, toE164 } from '../../src/crm/numbers/phone-number.ts';

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

test('normalizePhone keeps the country a number is written with, or takes the default region’s for a valid national number', () => {
  assert.deepEqual(normalizePhone('0049 30 1234-5'), {
    kind: 'international',
    e164: '+493012345',
    callingCode: '49',
    region: 'DE',
    countrySource: 'written',
    nationalNumber: '3012345',
    digits: '00493012345',
  });
  assert.equal(normalizePhone('011 49 30 1234567', 'US').countrySource, 'written');
  assert.equal(normalizePhone('011 49 30 1234567', 'US').e164, '+49301234567');
  assert.deepEqual(normalizePhone('030 1234567', 'DE'), {
    kind: 'international',
    e164: '+49301234567',
    callingCode: '49',
    region: 'DE',
    countrySource: 'default-region',
    nationalNumber: '301234567',
    digits: '0301234567',
  });
  assert.equal(normalizePhone('0 21 11 98765-4321', 'BR').e164, '+5511987654321', 'a Brazilian carrier code is dropped');
});

test('normalizePhone leaves a number without a country national when no default region places it', () => {
  assert.deepEqual(normalizePhone('(415) 555-0100'), { kind: 'national', digits: '4155550100' });
  assert.deepEqual(normalizePhone('030 1234567', 'US'), { kind: 'national', digits: '0301234567' }, 'not a valid US number');
});

test('normalizePhone takes one to six digits without a country as a short number, never placing it in a country', () => {
  assert.deepEqual(normalizePhone('1002', 'DE'), { kind: 'short', digits: '1002' });
  assert.deepEqual(normalizePhone('112', 'DE'), { kind: 'short', digits: '112' });
  assert.deepEqual(normalizePhone('123 456', 'US'), { kind: 'short', digits: '123456' });
  assert.equal(normalizePhone('1234567', 'DE').kind, 'international');
  assert.equal(normalizePhone('+49 30123', 'US').kind, 'international', 'a written country makes even a short number external');
});

test('normalizePhone folds full-width and other-script digits to ASCII', () => {
  assert.equal(normalizePhone('０３－１２３４－５６７８', 'JP').e164, '+81312345678');
  assert.equal(normalizePhone('＋８１　３－１２３４－５６７８').e164, '+81312345678');
  assert.equal(normalizePhone('٠٣٠ ١٢٣٤٥٦٧', 'DE').e164, '+49301234567');
  assert.equal(normalizePhone('०२२ २३४५ ६७८९', 'IN').e164, '+912223456789');
});

test('normalizePhone splits off extensions however they are written', () => {
  const cases: [string, string][] = [
    ['+1 415 555 0100 x140', '140'],
    ['+1 415 555 0100x140', '140'],
    ['+1 415 555 0100 X 140', '140'],
    ['+1 415 555 0100 ext. 12', '12'],
    ['+1 415 555 0100 ext 12', '12'],
    ['+1 415 555 0100 extension 12', '12'],
    ['+1-415-555-0100;ext=12', '12'],
    ['+1 415 555 0100 #12', '12'],
    ['+86 10 6552 9988转123', '123'],
    ['+86 10 6552 9988 分机 123', '123'],
  ];
  for (const [raw, extension] of cases) {
    const phone = normalizePhone(raw);
    assert.equal(phone.extension, extension, raw);
    assert.equal(phone.kind, 'international', raw);
  }
});

/** [a sentence, the field as typed, its region, E.164, extension] */
const LABELLED: [string, string, string | undefined, string, string | undefined][] = [
  ['a "Mob:" label before the number is dropped', 'Mob: 0171 2345678', 'DE', '+491712345678', undefined],
  ['a "Tel." label before an international number is dropped', 'Tel. +49 30 1234567', undefined, '+49301234567', undefined],
  ['a "(mobile)" annotation after the number is dropped', '+1 415 555 0100 (mobile)', undefined, '+14155550100', undefined],
  ['a "cell" label is dropped', 'cell 415-555-0100', 'US', '+14155550100', undefined],
  ['a word after the number is dropped', '415-555-0100 cell', 'US', '+14155550100', undefined],
  ['a Chinese label with a full-width colon is dropped', '手机：138 0013 8000', 'CN', '+8613800138000', undefined],
  ['a Chinese label right against the number is dropped', '座机010-1234-5678', 'CN', '+861012345678', undefined],
  ['a Chinese label and a 分机 extension are both taken apart', '电话 010-1234-5678 分机123', 'CN', '+861012345678', '123'],
  ['a label, an extension and an annotation in full-width brackets are all taken apart', 'Tel.: 030 1234567 x12（Zentrale）', 'DE', '+49301234567', '12'],
];

for (const [says, raw, region, e164, extension] of LABELLED) {
  test(`normalizePhone: ${says}`, () => {
    const phone = normalizePhone(raw, region);
    assert.deepEqual([phone.e164, phone.extension], [e164, extension]);
  });
}

test('normalizePhone places a number shaped like its region’s numbers there even when its range is not allocated', () => {
  assert.equal(normalizePhone('207-123-4567', 'US').e164, '+12071234567');
  assert.equal(normalizePhone('207-123-4567', 'US').countrySource, 'default-region');
  assert.equal(normalizePhone('030 1234567', 'US').kind, 'national', 'no US number starts with 0');
});

test('normalizePhone reads a tel: URI', () => {
  assert.equal(normalizePhone('tel:+1-415-555-0100').e164, '+14155550100');
});

test('normalizePhone calls text that is not a number none', () => {
  for (const raw of ['', '   ', 'anonymous', '1-800-FLOWERS', 'call +1 415 555 0100 now!', '+1234', '+', 'x140', '415 555 0100 + 1', '*31#']) {
    assert.equal(normalizePhone(raw, 'US').kind, 'none', JSON.stringify(raw));
  }
});

test('e164InCountry reads national digits in a country given by its calling code', () => {
  assert.equal(e164InCountry('0301234567', '49'), '+49301234567');
  assert.equal(e164InCountry('4155550100', '1'), '+14155550100');
  assert.equal(e164InCountry('04155550100', '1'), undefined);
});

test('formatInternational writes a placed number for people', () => {
  assert.equal(formatInternational(normalizePhone('(415) 555-0100', 'US')), '+1 415 555 0100');
  assert.equal(formatInternational(normalizePhone('138 0013 8000', 'CN')), '+86 138 0013 8000');
  assert.equal(formatInternational(normalizePhone('(415) 555-0100')), undefined);
});

test('checkRegion passes a known region and refuses anything else with a coded error', () => {
  assert.equal(checkRegion(libphonenumberReader, 'DE'), 'DE');
  assert.equal(checkRegion(libphonenumberReader, undefined), undefined);
  assert.throws(
    () => checkRegion(libphonenumberReader, 'de'),
    (error: unknown) => error instanceof CrmError && error.code === 'CRM_INVALID_REGION' && /"de"/.test(error.message),
  );
});
