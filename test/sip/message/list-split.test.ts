import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitTopLevelCommas } from '../../../src/sip/message/list-split.ts';

test('splits at top-level commas and trims SP/HT around elements', () => {
  assert.deepEqual(splitTopLevelCommas(' a , b,c\t'), ['a', 'b', 'c']);
  assert.deepEqual(splitTopLevelCommas('single'), ['single']);
});

test('keeps commas inside quoted strings (with escaped quotes) and inside <>', () => {
  assert.deepEqual(splitTopLevelCommas('"a, \\"b, c" <sip:x,y@h>;p="1,2", d'), ['"a, \\"b, c" <sip:x,y@h>;p="1,2"', 'd']);
});

test('reports empty elements as empty strings', () => {
  assert.deepEqual(splitTopLevelCommas('a,,b,'), ['a', '', 'b', '']);
});

test('keeps a BOM or other non-LWS space that belongs to the value', () => {
  assert.deepEqual(splitTopLevelCommas('\ufeffa, \u00a0b'), ['\ufeffa', '\u00a0b']);
});
