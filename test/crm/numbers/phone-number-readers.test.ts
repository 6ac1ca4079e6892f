import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CRM_SETTINGS } from '../../../src/crm/crm-settings.ts';
import { checkRegion, type PhoneKind, type PhoneNumberReader } from '../../../src/crm/numbers/phone-number-reader.ts';
import { libphonenumberReader } from '../../../src/crm/numbers/phone-number.ts';
import { phoneSearchKey } from '../../../src/crm/phone-search.ts';
import { decideScreenPop } from '../../../src/crm/screen-pop.ts';
import { phoneFacts } from '../../../src/server/api/phone-routes.ts';
import { ServerNumberReader } from '../../../src/widget/phone/server-number-reader.ts';

/** [as written, region read in, kind, E.164, international form, extension]: numbers as calls present them and people type them into a CRM field. */
const TABLE: ReadonlyArray<[string, string | undefined, PhoneKind, string | null, string | null, string | null]> = [
  ['(415) 555-0100 x140', 'US', 'international', '+14155550100', '+1 415 555 0100', '140'],
  ['+49 (0)30 1234-5', undefined, 'international', '+493012345', '+49 30 12345', null],
  ['030 1234567', 'DE', 'international', '+49301234567', '+49 30 1234567', null],
  ['030 1234567', 'US', 'national', null, null, null],
  ['(415) 555-0100', undefined, 'national', null, null, null],
  ['1002', 'US', 'short', null, null, null],
  ['０３－１２３４－５６７８', 'JP', 'international', '+81312345678', '+81 3 1234 5678', null],
  ['anonymous', 'US', 'none', null, null, null],
  ['001 415 555 0100', 'DE', 'international', '+14155550100', '+1 415 555 0100', null],
  ['Mob: 0171 2345678', 'DE', 'international', '+491712345678', '+49 171 2345678', null],
  ['Tel. +49 30 1234567', 'US', 'international', '+49301234567', '+49 30 1234567', null],
  ['+1 415 555 0100 (mobile)', undefined, 'international', '+14155550100', '+1 415 555 0100', null],
  ['cell 415-555-0100 ext. 12', 'US', 'international', '+14155550100', '+1 415 555 0100', '12'],
  ['手机：138 0013 8000', 'CN', 'international', '+8613800138000', '+86 138 0013 8000', null],
  ['电话 010-1234-5678转123', 'CN', 'international', '+861012345678', '+86 10 1234 5678', '123'],
  ['207-123-4567', 'US', 'international', '+12071234567', '+1 207 123 4567', null],
];

/** The reader each side hands to src/crm: the server's own, and the pane's, made of the phone route's answers. */
const READERS: ReadonlyArray<[string, (numbers: readonly string[], region: string | undefined) => Promise<PhoneNumberReader>]> = [
  ['the server’s reader (libphonenumber-js)', async () => libphonenumberReader],
  [
    'the pane’s reader (the server’s answers)',
    (numbers, region) => new ServerNumberReader(async (list, asked) => list.map((number) => phoneFacts(libphonenumberReader, number, asked))).readerFor(numbers, region),
  ],
];

for (const [name, readerFor] of READERS) {
  describe(name, () => {
    test('reads every number of the table as the table says', async () => {
      for (const [raw, region, kind, e164, international, extension] of TABLE) {
        const numbers = await readerFor([raw], region);
        const phone = numbers.read(raw, region);
        assert.deepEqual(
          [phone.kind, phone.e164 ?? null, numbers.international(phone) ?? null, phone.extension ?? null],
          [kind, e164, international, extension],
          `${raw} (${region ?? 'no region'})`,
        );
      }
    });

    test('gives src/crm’s search key and screen pop for every number of the table exactly what the server’s reader gives', async () => {
      const settings = { ...DEFAULT_CRM_SETTINGS, unknownNumber: 'create-contact' as const };
      for (const [raw, region] of TABLE) {
        const numbers = await readerFor([raw], region);
        assert.deepEqual(phoneSearchKey(numbers, raw, region), phoneSearchKey(libphonenumberReader, raw, region), raw);
        const input = { direction: 'inbound' as const, phase: 'ringing' as const, matches: [], remembered: null, number: raw, defaultRegion: region, settings };
        assert.deepEqual(decideScreenPop(numbers, input), decideScreenPop(libphonenumberReader, input), raw);
      }
    });

    test('refuses a region that is not two capitals with a coded error', async () => {
      const numbers = await readerFor([], undefined);
      assert.equal(checkRegion(numbers, 'DE'), 'DE');
      assert.throws(() => checkRegion(numbers, 'de'), { name: 'CrmError', code: 'CRM_INVALID_REGION' });
      assert.throws(() => phoneSearchKey(numbers, '+1 415 555 0100', 'usa'), { code: 'CRM_INVALID_REGION' });
    });
  });
}
