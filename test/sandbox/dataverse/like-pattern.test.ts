import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesLike } from '../../../src/sandbox/dataverse/like-pattern.ts';

test('percent matches any run of characters, including none', () => {
  assert.equal(matchesLike('(415) 555-0100', '%4%1%5%5%5%5%0%1%0%0%'), true);
  assert.equal(matchesLike('415.555.0100', '%4%1%5%5%5%5%0%1%0%0%'), true);
  assert.equal(matchesLike('415.555.0199', '%4%1%5%5%5%5%0%1%0%0%'), false);
  assert.equal(matchesLike('', '%'), true);
});

test('underscore matches exactly one character', () => {
  assert.equal(matchesLike('555-0100', '555_0100'), true);
  assert.equal(matchesLike('5550100', '555_0100'), false);
  assert.equal(matchesLike('王伟', '王_'), true);
});

test('brackets match one character of a set, a range, or not in a set', () => {
  assert.equal(matchesLike('0100', '0[12]00'), true);
  assert.equal(matchesLike('0300', '0[12]00'), false);
  assert.equal(matchesLike('x7', 'x[0-9]'), true);
  assert.equal(matchesLike('xa', 'x[0-9]'), false);
  assert.equal(matchesLike('xa', 'x[^0-9]'), true);
  assert.equal(matchesLike('x5', 'x[^0-9]'), false);
});

test('a wildcard in brackets is a literal character', () => {
  assert.equal(matchesLike('100% sure', '%[%]%'), true);
  assert.equal(matchesLike('100 sure', '%[%]%'), false);
  assert.equal(matchesLike('a_b', 'a[_]b'), true);
  assert.equal(matchesLike('axb', 'a[_]b'), false);
  assert.equal(matchesLike('[x]', '[[]x]'), true);
});

test('comparison ignores case, also outside ASCII', () => {
  assert.equal(matchesLike('Alex Baker', 'alex%'), true);
  assert.equal(matchesLike('JÜRGEN WEISS', '%jürgen%'), true);
  assert.equal(matchesLike('B', '[a-c]'), true);
});

test('regular-expression characters in a pattern are plain text', () => {
  assert.equal(matchesLike('+1 (415) 555.0100', '+1 (415) 555.0100'), true);
  assert.equal(matchesLike('+1 (415) 555x0100', '+1 (415) 555.0100'), false);
  assert.equal(matchesLike('a|b', 'a|b'), true);
  assert.equal(matchesLike('a', 'a|b'), false);
  assert.equal(matchesLike('^$\\', '^$\\'), true);
});

test('an unclosed bracket matches nothing, and null never matches', () => {
  assert.equal(matchesLike('a[b', 'a[b'), false);
  assert.equal(matchesLike(null, '%'), false);
});
