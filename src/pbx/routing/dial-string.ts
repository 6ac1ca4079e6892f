/**
 * The one spelling of a number that routing compares: digits, `*` and `#`, with at most a leading
 * `+`. People and carriers add visual separators (RFC 3966 §5.1.1 allows `-`, `.`, `(` and `)` in
 * a telephone-subscriber; people also type spaces and `/`), which mean nothing for routing.
 */

/** Visual separators of RFC 3966 plus white space (no-break space included) and `/`. */
const VISUAL_SEPARATORS = /[\s\u00a0\-.()/]/g;
const DIAL_STRING = /^\+?[0-9*#]+$/;

/**
 * `raw` without visual separators, or undefined when what is left is not a dial string (empty,
 * letters such as `anonymous`, a `+` past the start).
 */
export function cleanDialString(raw: string): string | undefined {
  const cleaned = raw.replace(VISUAL_SEPARATORS, '');
  return DIAL_STRING.test(cleaned) ? cleaned : undefined;
}

/** Whether `value` is already a clean dial string (config values are written clean). */
export function isDialString(value: string): boolean {
  return DIAL_STRING.test(value);
}
