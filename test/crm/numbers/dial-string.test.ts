import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanDialString, dialStringIn, isDialString } from '../../../src/crm/numbers/dial-string.ts';

test('visual separators are removed and a leading + is kept', () => {
  assert.equal(cleanDialString('+1 (415) 555-0100'), '+14155550100');
  assert.equal(cleanDialString('030/1234.567'), '0301234567');
  assert.equal(cleanDialString('+49\u00a030\t1234'), '+49301234');
  assert.equal(cleanDialString('*98#'), '*98#');
});

test('what is left must be digits, * and # with at most a leading +', () => {
  for (const raw of ['', ' - ', 'anonymous', '1001a', '49+30', '++49', '+', 'sip:1001']) {
    assert.equal(cleanDialString(raw), undefined, raw);
  }
});

test('a clean dial string is recognised as one', () => {
  assert.equal(isDialString('+4930'), true);
  assert.equal(isDialString('+49 30'), false);
});

test('text a person typed gives its digits, star and hash, with a plus only at the start', () => {
  assert.equal(dialStringIn(' +1 (415) 555-0100 '), '+14155550100');
  assert.equal(dialStringIn('0049 30/1234-5'), '00493012345');
  assert.equal(dialStringIn('*72#'), '*72#');
  assert.equal(dialStringIn('12+34'), '1234');
});
