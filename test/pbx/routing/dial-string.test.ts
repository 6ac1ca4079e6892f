import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanDialString, isDialString } from '../../../src/pbx/routing/dial-string.ts';

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
