/**
 * Dial patterns for inbound DIDs and outbound routes, in the syntax PBX administrators know from
 * Asterisk extension patterns (https://docs.asterisk.org/Configuration/Dialplan/Pattern-Matching/):
 *
 * - without a leading `_`, the value is an exact number: `+493012345600`, `100`, `*98`;
 * - with a leading `_`, each character stands for one position of the number:
 *   a digit, `*` or `#` for itself, `X` for 0-9, `Z` for 1-9, `N` for 2-9,
 *   `[15-7]` for any one of the listed digits and ranges, `+` (first position only) for itself;
 *   the last character may be `.` (one or more further characters) or `!` (zero or more).
 *
 * Unlike Asterisk, `.` and `!` are accepted only at the end (elsewhere they are a mistake nobody
 * means), letters other than X, Z and N are refused instead of being taken literally, and
 * separators such as `-` are refused instead of being ignored: a pattern means exactly what it
 * shows. Patterns are compiled once into one bit mask per position, so matching is a length
 * check and a mask test per character, and one pattern can be checked to cover another.
 */
import { CodedError } from '../../errors/coded-error.ts';
import { DialPatternErrorCode } from '../pbx-errors.ts';

export class DialPatternError extends CodedError<DialPatternErrorCode> {
  override readonly name = 'DialPatternError';
}

/** What may follow the fixed positions. */
export type DialPatternTail = 'none' | 'one-or-more' | 'zero-or-more';

export interface DialPattern {
  /** As written in the configuration. */
  readonly source: string;
  /** One mask per fixed position: bit i set when ALPHABET[i] may stand there. */
  readonly positions: readonly number[];
  readonly tail: DialPatternTail;
}

/** The characters of a clean dial string (see src/crm/numbers/dial-string.ts), in mask bit order. */
const ALPHABET = '0123456789*#+';
const PLUS = 1 << ALPHABET.indexOf('+');
const ANY = (1 << ALPHABET.length) - 1;
/** Past the first position a dial string never holds `+`. */
const ANY_BUT_PLUS = ANY & ~PLUS;

const DIGIT_CLASSES: Readonly<Record<string, number>> = { X: digitRange(0, 9), Z: digitRange(1, 9), N: digitRange(2, 9) };

/** Said in every syntax error so the operator can fix the pattern without the docs. */
const SYNTAX_HINT = 'a pattern is "_" followed by digits, *, #, X (0-9), Z (1-9), N (2-9), [1-5] sets, a leading +, and . (one or more) or ! (zero or more) at the end';

function digitRange(from: number, to: number): number {
  let mask = 0;
  for (let digit = from; digit <= to; digit++) mask |= 1 << digit;
  return mask;
}

function literalMask(char: string): number {
  const index = ALPHABET.indexOf(char);
  return index < 0 ? 0 : 1 << index;
}

function fail(code: DialPatternErrorCode, message: string): never {
  throw new DialPatternError(code, message);
}

function parseExact(source: string): DialPattern {
  const positions: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const char = source.charAt(i);
    const mask = literalMask(char);
    if (mask === 0) {
      fail(
        DialPatternErrorCode.BAD_CHARACTER,
        `${JSON.stringify(char)} at position ${i + 1} is not allowed in a number (digits, * and #, with an optional leading +); to write a pattern, start it with "_"`,
      );
    }
    if (mask === PLUS && i > 0) fail(DialPatternErrorCode.MISPLACED_PLUS, `"+" is allowed only at the start of a number (position ${i + 1})`);
    positions.push(mask);
  }
  if (source === '+') fail(DialPatternErrorCode.EMPTY, '"+" alone is not a number');
  return { source, positions, tail: 'none' };
}

/** Parses `[...]` starting at `open`; returns the mask and the index after `]`. */
function parseSet(source: string, open: number): { mask: number; next: number } {
  let mask = 0;
  let i = open + 1;
  while (i < source.length && source.charAt(i) !== ']') {
    const char = source.charAt(i);
    const single = literalMask(char);
    if (single === 0 || single === PLUS) {
      fail(DialPatternErrorCode.BAD_SET, `${JSON.stringify(char)} at position ${i + 1} is not allowed in a [set] (digits, ranges such as 2-5, * and #)`);
    }
    if (source.charAt(i + 1) === '-' && i + 2 < source.length && source.charAt(i + 2) !== ']') {
      const to = source.charAt(i + 2);
      const low = '0123456789'.indexOf(char);
      const high = '0123456789'.indexOf(to);
      if (low < 0 || high < 0 || low > high) {
        fail(DialPatternErrorCode.BAD_SET, `${JSON.stringify(`${char}-${to}`)} at position ${i + 1} is not a range of digits from low to high`);
      }
      mask |= digitRange(low, high);
      i += 3;
    } else {
      mask |= single;
      i += 1;
    }
  }
  if (i >= source.length) fail(DialPatternErrorCode.UNCLOSED_SET, `the [ at position ${open + 1} is never closed with ]`);
  if (mask === 0) fail(DialPatternErrorCode.BAD_SET, `the [] at position ${open + 1} is empty`);
  return { mask, next: i + 1 };
}

function parsePattern(source: string): DialPattern {
  const positions: number[] = [];
  let tail: DialPatternTail = 'none';
  let i = 1;
  while (i < source.length) {
    const char = source.charAt(i);
    const digitClass = DIGIT_CLASSES[char.toUpperCase()];
    if (char === '.' || char === '!') {
      if (i !== source.length - 1) {
        fail(DialPatternErrorCode.WILDCARD_NOT_LAST, `${JSON.stringify(char)} at position ${i + 1} must be the last character (${SYNTAX_HINT})`);
      }
      tail = char === '.' ? 'one-or-more' : 'zero-or-more';
      i += 1;
    } else if (char === '[') {
      const set = parseSet(source, i);
      positions.push(set.mask);
      i = set.next;
    } else if (digitClass !== undefined) {
      positions.push(digitClass);
      i += 1;
    } else {
      const mask = literalMask(char);
      if (mask === 0) fail(DialPatternErrorCode.BAD_CHARACTER, `${JSON.stringify(char)} at position ${i + 1} is not allowed (${SYNTAX_HINT})`);
      if (mask === PLUS && positions.length > 0) fail(DialPatternErrorCode.MISPLACED_PLUS, `"+" at position ${i + 1} is allowed only first, right after "_"`);
      positions.push(mask);
      i += 1;
    }
  }
  if (positions.length === 0 && tail === 'none') fail(DialPatternErrorCode.EMPTY, `"_" alone matches nothing (${SYNTAX_HINT})`);
  if (source === '_+') fail(DialPatternErrorCode.EMPTY, '"_+" matches only a "+" alone, which is not a number');
  return { source, positions, tail };
}

/** Compiles an exact number or a `_` pattern; throws DialPatternError saying what is wrong and where. */
export function parseDialPattern(source: string): DialPattern {
  if (source === '') fail(DialPatternErrorCode.EMPTY, 'an empty number or pattern matches nothing');
  return source.startsWith('_') ? parsePattern(source) : parseExact(source);
}

/** The parse error's message, or undefined when `source` is a valid number or pattern. */
export function dialPatternProblem(source: string): string | undefined {
  try {
    parseDialPattern(source);
    return undefined;
  } catch (error) {
    if (error instanceof DialPatternError) return error.message;
    throw error;
  }
}

/** The mask at position `index`, counting the tail as any character there. */
export function maskAt(pattern: DialPattern, index: number): number {
  const mask = pattern.positions[index];
  if (mask !== undefined) return mask;
  if (pattern.tail === 'none') return 0;
  return index === 0 ? ANY : ANY_BUT_PLUS;
}

/** The length of the shortest dial string the pattern matches. */
export function shortestMatch(pattern: DialPattern): number {
  return pattern.positions.length + (pattern.tail === 'one-or-more' ? 1 : 0);
}

function longestMatch(pattern: DialPattern): number {
  return pattern.tail === 'none' ? pattern.positions.length : Number.POSITIVE_INFINITY;
}

/** Whether `dialString` (clean: see cleanDialString) matches the pattern as a whole. */
export function matchesDialPattern(pattern: DialPattern, dialString: string): boolean {
  const length = dialString.length;
  if (length < shortestMatch(pattern) || length > longestMatch(pattern)) return false;
  const { positions } = pattern;
  for (const [i, mask] of positions.entries()) {
    if ((mask & literalMask(dialString.charAt(i))) === 0) return false;
  }
  return true;
}

/**
 * Whether every dial string `later` matches is matched by `earlier` too: then, with first match
 * wins, `later` can never be chosen. Exact because each position of a pattern is independent:
 * the length ranges must nest and each position's set must be a subset.
 */
export function coversDialPattern(earlier: DialPattern, later: DialPattern): boolean {
  if (shortestMatch(earlier) > shortestMatch(later) || longestMatch(earlier) < longestMatch(later)) return false;
  const span = Math.max(earlier.positions.length, later.positions.length);
  for (let i = 0; i < span; i++) {
    const needed = maskAt(later, i);
    if ((needed & maskAt(earlier, i)) !== needed) return false;
  }
  return true;
}

/** Whether a matched dial string may start with `+`. */
export function mayStartWithPlus(pattern: DialPattern): boolean {
  return (maskAt(pattern, 0) & PLUS) !== 0;
}
