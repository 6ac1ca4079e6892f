/**
 * A dial string: the one spelling of a number that goes on the wire and that routing compares —
 * digits, `*` and `#`, with at most a leading `+`. People and carriers add visual separators
 * (RFC 3966 §5.1.1 allows `-`, `.`, `(` and `)` in a telephone-subscriber; people also type
 * spaces and `/`), which mean nothing for routing. The PBX takes only what cleans to a dial
 * string (`cleanDialString`); the pane dials the dial string in what an agent typed or clicked
 * (`dialStringIn`).
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

/**
 * The dial string in text a person typed, pasted or clicked: every digit, `*` and `#` kept, a
 * `+` only at the start, anything else dropped ('' when nothing is left).
 */
export function dialStringIn(raw: string): string {
  const kept = raw.trim().replace(/[^\d*#+]/g, '');
  return kept.startsWith('+') ? `+${kept.slice(1).replace(/\+/g, '')}` : kept.replace(/\+/g, '');
}

/** Whether `value` is already a clean dial string (config values are written clean). */
export function isDialString(value: string): boolean {
  return DIAL_STRING.test(value);
}
