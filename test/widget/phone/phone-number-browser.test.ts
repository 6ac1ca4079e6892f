import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import * as real from '../../../src/crm/phone-number.ts';
import { phoneFacts } from '../../../src/server/api/phone-routes.ts';
import { paneReplacements } from '../../../src/server/pane/pane-bundle.ts';
import { phoneBook } from '../../../src/widget/phone/phone-book.ts';
import * as browser from '../../../src/widget/phone/phone-number-browser.ts';

const NUMBERS = ['(415) 555-0100 x140', '+49 (0)30 1234-5', '030 1234567', '1002', '０３－１２３４－５６７８', 'anonymous', '001 415 555 0100'];
/** Numbers as people type them into a CRM field, which the pane dials (click-to-act) and displays. */
const TYPED = ['Mob: 0171 2345678', 'Tel. +49 30 1234567', '+1 415 555 0100 (mobile)', 'cell 415-555-0100 ext. 12', '手机：138 0013 8000', '电话 010-1234-5678转123', '207-123-4567'];

beforeEach(() => phoneBook.clear());

describe('the pane’s phone-number module', () => {
  for (const region of ['US', 'JP', undefined]) {
    test(`reads every number the server has read exactly as the server does (region ${region ?? 'none'})`, () => {
      phoneBook.learn(NUMBERS.map((number) => phoneFacts(number, region)), region);
      for (const number of NUMBERS) {
        assert.deepEqual(browser.normalizePhone(number, region), real.normalizePhone(number, region), number);
        assert.equal(browser.formatInternational(browser.normalizePhone(number, region)), real.formatInternational(real.normalizePhone(number, region)), number);
        assert.equal(browser.toE164(number, region), real.normalizePhone(number, region).e164, number);
      }
    });
  }

  test('reads numbers typed with labels, annotations and extensions exactly as the server does', () => {
    for (const region of ['DE', 'US', 'CN']) {
      phoneBook.learn(TYPED.map((number) => phoneFacts(number, region)), region);
      for (const number of TYPED) assert.deepEqual(browser.normalizePhone(number, region), real.normalizePhone(number, region), `${number} (${region})`);
    }
    assert.deepEqual([browser.normalizePhone('Mob: 0171 2345678', 'DE').e164, browser.normalizePhone('电话 010-1234-5678转123', 'CN').extension], ['+491712345678', '123']);
    assert.equal(browser.normalizePhone('207-123-4567', 'US').e164, '+12071234567', 'a US-shaped number stays American');
  });

  test('a number the server has not read is no number, so nothing is popped or written from a guess', () => {
    assert.deepEqual(browser.normalizePhone('+1 415 555 0100', 'US'), { kind: 'none', digits: '14155550100' });
    phoneBook.learn([phoneFacts('+1 415 555 0100', 'US')], 'US');
    assert.equal(browser.normalizePhone('+1 415 555 0100', 'DE').kind, 'none');
  });

  test('a region that is not two capitals is refused as src/crm refuses it', () => {
    assert.throws(() => browser.checkRegion('us'), { name: 'CrmError', code: 'CRM_INVALID_REGION' });
    assert.equal(browser.checkRegion('DE'), 'DE');
    assert.equal(browser.isCountryCode('de'), false);
  });
});

describe('the pane’s bundle', () => {
  test('carries neither the numbering-plan data nor the debug package, and the pane’s phone-number module instead', async () => {
    const entry = fileURLToPath(new URL('../../../src/widget/main.ts', import.meta.url));
    const result = await esbuild.build({ entryPoints: [entry], bundle: true, write: false, metafile: true, format: 'esm', platform: 'browser', logLevel: 'silent', plugins: [paneReplacements()] });
    const inputs = Object.keys(result.metafile.inputs);
    assert.deepEqual(inputs.filter((input) => /libphonenumber-js|node_modules\/debug\/|src\/crm\/phone-number\.ts/.test(input)), []);
    assert.ok(inputs.some((input) => input.endsWith('src/widget/phone/phone-number-browser.ts')));
    assert.ok(inputs.some((input) => input.includes('node_modules/jssip/')));
  });
});
