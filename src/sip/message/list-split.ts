/**
 * Splits a header value at the commas that separate list elements (RFC 3261 §7.3.1): commas
 * inside a quoted string (with its `\` escapes) or inside `<…>` belong to the element.
 */
import { trimWsp } from './syntax.ts';

/** The trimmed elements; an empty element (`a,,b`, a trailing comma) comes back as ''. */
export function splitTopLevelCommas(value: string): string[] {
  if (value.indexOf(',') < 0) return [trimWsp(value)];
  const parts: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuote = false;
    } else if (inAngle) {
      if (c === 0x3e) inAngle = false;
    } else if (c === 0x22) {
      inQuote = true;
    } else if (c === 0x3c) {
      inAngle = true;
    } else if (c === 0x2c) {
      parts.push(trimWsp(value.slice(start, i)));
      start = i + 1;
    }
  }
  parts.push(trimWsp(value.slice(start)));
  return parts;
}
