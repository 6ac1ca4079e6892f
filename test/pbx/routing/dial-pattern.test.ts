import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DialPatternErrorCode } from '../../../src/pbx/pbx-errors.ts';
import {
  DialPatternError,
  coversDialPattern,
  dialPatternProblem,
  matchesDialPattern,
  mayStartWithPlus,
  parseDialPattern,
  shortestMatch,
} from '../../../src/pbx/routing/dial-pattern.ts';

function matches(source: string, dialString: string): boolean {
  return matchesDialPattern(parseDialPattern(source), dialString);
}

function covers(earlier: string, later: string): boolean {
  return coversDialPattern(parseDialPattern(earlier), parseDialPattern(later));
}

describe('exact numbers', () => {
  test('match only the same characters, all of them', () => {
    assert.equal(matches('+493012345600', '+493012345600'), true);
    assert.equal(matches('+493012345600', '493012345600'), false);
    assert.equal(matches('+493012345600', '+4930123456001'), false);
    assert.equal(matches('+493012345600', '+49301234560'), false);
    assert.equal(matches('*98', '*98'), true);
    assert.equal(matches('100#', '100#'), true);
    assert.equal(matches('100', '101'), false);
  });
});

describe('patterns', () => {
  test('X is any digit, Z any digit but 0, N any digit from 2', () => {
    for (const digit of '0123456789') {
      assert.equal(matches('_1X', `1${digit}`), true, `X ${digit}`);
      assert.equal(matches('_1Z', `1${digit}`), digit !== '0', `Z ${digit}`);
      assert.equal(matches('_1N', `1${digit}`), digit >= '2', `N ${digit}`);
    }
    assert.equal(matches('_1X', '1*'), false);
    assert.equal(matches('_1X', '1#'), false);
  });

  test('X, Z and N may be written in lower case, as Asterisk allows', () => {
    assert.equal(matches('_nxxxxxx', '2345678'), true);
    assert.equal(matches('_z', '0'), false);
  });

  test('a set lists digits and ranges', () => {
    const pattern = parseDialPattern('_[15-7*]');
    assert.deepEqual(
      [...'0123456789*#'].filter((char) => matchesDialPattern(pattern, char)),
      ['1', '5', '6', '7', '*'],
    );
    assert.equal(matches('_[0-0]', '0'), true);
  });

  test('a fixed pattern matches numbers of exactly its length', () => {
    assert.equal(matches('_NXXNXXXXXX', '4155550100'), true);
    assert.equal(matches('_NXXNXXXXXX', '415555010'), false);
    assert.equal(matches('_NXXNXXXXXX', '41555501000'), false);
    assert.equal(matches('_NXXNXXXXXX', '1155550100'), false);
  });

  test('a final . needs one or more further characters, a final ! zero or more', () => {
    assert.equal(matches('_0.', '0'), false);
    assert.equal(matches('_0.', '03'), true);
    assert.equal(matches('_0.', '0301234567#'), true);
    assert.equal(matches('_0!', '0'), true);
    assert.equal(matches('_0!', '0301234567'), true);
    assert.equal(matches('_0!', '1'), false);
  });

  test('a leading + is matched literally, and only a pattern that allows it matches it', () => {
    assert.equal(matches('_+1NXXNXXXXXX', '+14155550100'), true);
    assert.equal(matches('_+1NXXNXXXXXX', '14155550100'), false);
    assert.equal(matches('_X.', '+14155550100'), false);
    assert.equal(matches('_.', '+14155550100'), true);
    assert.equal(matches('_!', '+1'), true);
  });

  test('the shortest match counts fixed positions and the one character a final . needs', () => {
    assert.equal(shortestMatch(parseDialPattern('_0XX')), 3);
    assert.equal(shortestMatch(parseDialPattern('_0XX.')), 4);
    assert.equal(shortestMatch(parseDialPattern('_0XX!')), 3);
    assert.equal(shortestMatch(parseDialPattern('911')), 3);
  });

  test('a number may start with + only where the pattern allows + or anything first', () => {
    assert.equal(mayStartWithPlus(parseDialPattern('_+49.')), true);
    assert.equal(mayStartWithPlus(parseDialPattern('_.')), true);
    assert.equal(mayStartWithPlus(parseDialPattern('_!')), true);
    assert.equal(mayStartWithPlus(parseDialPattern('+4930')), true);
    assert.equal(mayStartWithPlus(parseDialPattern('_0.')), false);
    assert.equal(mayStartWithPlus(parseDialPattern('_X.')), false);
  });
});

describe('one pattern covering another', () => {
  const cases: Array<[string, string, boolean]> = [
    ['_X.', '_0X.', true],
    ['_X.', '_0XX', true],
    ['_X.', '0301234', true],
    ['_X.', '_X', false],
    ['_X!', '_X', true],
    ['_0X.', '_X.', false],
    ['_[0-5]X', '_[1-3]X', true],
    ['_[1-3]X', '_[0-5]X', false],
    ['_NXX', '_ZXX', false],
    ['_ZXX', '_NXX', true],
    ['_X.', '_+X.', false],
    ['_.', '_+X.', true],
    ['_.', '_X!', true],
    ['_!', '_.', true],
    ['_.', '_!', false],
    ['_X.', '_X*', true],
    ['_XX', '_X*', false],
    ['_XX', '_XXX', false],
    ['100', '100', true],
    ['100', '_1XX', false],
    ['_1XX', '100', true],
  ];
  for (const [earlier, later, expected] of cases) {
    test(`${earlier} ${expected ? 'covers' : 'does not cover'} ${later}`, () => {
      assert.equal(covers(earlier, later), expected);
    });
  }
});

describe('invalid patterns', () => {
  const cases: Array<[string, DialPatternErrorCode, RegExp]> = [
    ['', DialPatternErrorCode.EMPTY, /empty/],
    ['_', DialPatternErrorCode.EMPTY, /"_" alone matches nothing/],
    ['+', DialPatternErrorCode.EMPTY, /"\+" alone is not a number/],
    ['_+', DialPatternErrorCode.EMPTY, /only a "\+" alone/],
    ['030-1234', DialPatternErrorCode.BAD_CHARACTER, /"-" at position 4 is not allowed in a number.*start it with "_"/],
    ['1X', DialPatternErrorCode.BAD_CHARACTER, /"X" at position 2 is not allowed in a number/],
    ['49+30', DialPatternErrorCode.MISPLACED_PLUS, /only at the start of a number \(position 3\)/],
    ['_1A', DialPatternErrorCode.BAD_CHARACTER, /"A" at position 3 is not allowed \(a pattern is "_" followed by/],
    ['_0X X', DialPatternErrorCode.BAD_CHARACTER, /" " at position 4/],
    ['_1+', DialPatternErrorCode.MISPLACED_PLUS, /"\+" at position 3 is allowed only first/],
    ['_0.X', DialPatternErrorCode.WILDCARD_NOT_LAST, /"\." at position 3 must be the last character/],
    ['_0!.', DialPatternErrorCode.WILDCARD_NOT_LAST, /"!" at position 3 must be the last character/],
    ['_[12', DialPatternErrorCode.UNCLOSED_SET, /the \[ at position 2 is never closed/],
    ['_[]', DialPatternErrorCode.BAD_SET, /the \[\] at position 2 is empty/],
    ['_[5-1]', DialPatternErrorCode.BAD_SET, /"5-1" at position 3 is not a range of digits from low to high/],
    ['_[1-*]', DialPatternErrorCode.BAD_SET, /"1-\*" at position 3 is not a range/],
    ['_[X]', DialPatternErrorCode.BAD_SET, /"X" at position 3 is not allowed in a \[set\]/],
    ['_[1-]', DialPatternErrorCode.BAD_SET, /"-" at position 4 is not allowed in a \[set\]/],
    ['_[+1]', DialPatternErrorCode.BAD_SET, /"\+" at position 3 is not allowed in a \[set\]/],
  ];
  for (const [source, code, message] of cases) {
    test(`${JSON.stringify(source)} is refused with ${code}, saying what and where`, () => {
      assert.throws(
        () => parseDialPattern(source),
        (error: unknown) => {
          assert.ok(error instanceof DialPatternError);
          assert.equal(error.code, code);
          assert.match(error.message, message);
          return true;
        },
      );
      assert.match(dialPatternProblem(source) ?? '', message);
    });
  }

  test('valid numbers and patterns have no problem', () => {
    for (const source of ['+493012345600', '911', '*98', '_X.', '_+1NXXNXXXXXX', '_[2-9]XX!', '_.', '_!', '_#']) {
      assert.equal(dialPatternProblem(source), undefined, source);
    }
  });
});
