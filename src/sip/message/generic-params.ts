/**
 * Header parameters: `*( SEMI generic-param )` with `generic-param = token [ EQUAL gen-value ]` and
 * `gen-value = token / host / quoted-string` (RFC 3261 §25.1), LWS allowed around `;` and `=`.
 */
import type { ParamValue } from './types.ts';
import { GEN_VALUE, TOKEN, isChar, quotedStringEnd, skipWsp } from './syntax.ts';

/**
 * Reads parameters from `pos` into `params` (names lower-cased, values as written, quoted-string
 * values keeping their quotes so that they are written back unchanged). Returns the index of the
 * first char that does not belong to them, or a reason string when the parameters are malformed.
 */
export function readGenericParams(text: string, pos: number, params: Map<string, ParamValue>): number | string {
  for (;;) {
    const semi = skipWsp(text, pos);
    if (semi >= text.length || text.charCodeAt(semi) !== 0x3b) return semi;
    let end = skipWsp(text, semi + 1);
    const nameStart = end;
    while (end < text.length && isChar(text.charCodeAt(end), TOKEN)) end++;
    if (end === nameStart) return 'empty parameter';
    const name = text.slice(nameStart, end).toLowerCase();
    let value: ParamValue = null;
    const eq = skipWsp(text, end);
    if (eq < text.length && text.charCodeAt(eq) === 0x3d) {
      const valueStart = skipWsp(text, eq + 1);
      if (text.charCodeAt(valueStart) === 0x22) {
        end = quotedStringEnd(text, valueStart);
        if (end < 0) return `unterminated quoted value of parameter ${name}`;
      } else {
        end = valueStart;
        while (end < text.length && isChar(text.charCodeAt(end), GEN_VALUE)) end++;
        if (end === valueStart) return `empty value of parameter ${name}`;
      }
      value = text.slice(valueStart, end);
    }
    if (params.has(name)) return `parameter ${name} appears twice`;
    params.set(name, value);
    pos = end;
  }
}

/** Writes parameters back as `;name` / `;name=value`. */
export function formatGenericParams(params: Map<string, ParamValue>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
