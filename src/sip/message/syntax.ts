/**
 * Character classes of the RFC 3261 §25.1 grammar as lookup tables, so scanners test a char code
 * with one array read instead of a regular expression.
 */

export const TOKEN = 1;
/** unreserved = alphanum / mark (RFC 3261 §25.1). */
export const UNRESERVED = 2;
/** user-unreserved: & = + $ , ; ? / */
export const USER_EXTRA = 4;
/** password extras: & = + $ , */
export const PASSWORD_EXTRA = 8;
/** param-unreserved: [ ] / : & + $ */
export const PARAM_EXTRA = 16;
/** hnv-unreserved: [ ] / ? : + $ */
export const HNV_EXTRA = 32;
/** Characters of a hostname (alphanum - .), plus `_` seen in the wild. */
export const HOST = 64;
/** uric of RFC 2396 plus [ ] — the opaque part of an absoluteURI we keep as text. */
export const URIC = 128;
/** gen-value chars outside quotes: token / host, so token plus `:` `[` `]` (RFC 3261 §25.1, RFC 5118 §4.5). */
export const GEN_VALUE = 256;

const table = new Uint16Array(128);

/** The classes of an ASCII char code; none for a code outside the table. */
function classesOf(code: number): number {
  return table[code] ?? 0;
}

function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = classesOf(chars.charCodeAt(i)) | flag;
}

const alphanum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
mark(alphanum, TOKEN | UNRESERVED | HOST | URIC | GEN_VALUE);
mark("-.!%*_+`'~", TOKEN);
mark("-_.!~*'()", UNRESERVED | URIC);
mark('&=+$,;?/', USER_EXTRA);
mark('&=+$,', PASSWORD_EXTRA);
mark('[]/:&+$', PARAM_EXTRA);
mark('[]/?:+$', HNV_EXTRA);
mark('-._', HOST);
mark(';/?:@&=+$,%[]#', URIC);
mark("-.!%*_+`'~:[]", GEN_VALUE);

/** True when `code` is an ASCII char in one of the `flags` classes. */
export function isChar(code: number, flags: number): boolean {
  return code < 128 && (classesOf(code) & flags) !== 0;
}

/** True when every char of `text[start, end)` is in one of the `flags` classes (and the range is not empty). */
export function allChars(text: string, flags: number, start = 0, end = text.length): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (classesOf(c) & flags) === 0) return false;
  }
  return true;
}

export function isToken(text: string): boolean {
  return allChars(text, TOKEN);
}

/** SP or HTAB: the whitespace LWS is made of once folding is undone. */
export function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Index of the first non-SP/HTAB char at or after `pos`. */
export function skipWsp(text: string, pos: number): number {
  while (pos < text.length && isWsp(text.charCodeAt(pos))) pos++;
  return pos;
}

export function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Parses `1*DIGIT` as an integer no larger than `max`; undefined when not digits or too large.
 * Leading zeros are fine (RFC 4475 §3.1.1.1) and arbitrarily long inputs never overflow.
 */
export function parseBoundedInt(text: string, max: number): number | undefined {
  if (!isDigits(text)) return undefined;
  let start = 0;
  while (start < text.length - 1 && text.charCodeAt(start) === 0x30) start++;
  if (text.length - start > 16) return undefined;
  const value = Number(text.slice(start));
  return value <= max ? value : undefined;
}

/** RFC 4291-shaped IPv4 dotted quad, each part 0..255. */
export function isIPv4(text: string): boolean {
  let parts = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 0x2e) {
      const len = i - start;
      if (len < 1 || len > 3) return false;
      let v = 0;
      for (let j = start; j < i; j++) {
        const c = text.charCodeAt(j);
        if (c < 0x30 || c > 0x39) return false;
        v = v * 10 + (c - 0x30);
      }
      if (v > 255) return false;
      parts++;
      start = i + 1;
    }
  }
  return parts === 4;
}

function isHex4(text: string): boolean {
  if (text.length < 1 || text.length > 4) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function hexGroups(text: string): number {
  if (text.length === 0) return 0;
  const groups = text.split(':');
  for (const g of groups) if (!isHex4(g)) return -1;
  return groups.length;
}

/**
 * IPv6 address (no brackets). Follows the RFC 3261 §25.1 IPv6address rule and, as RFC 5118 §4.10
 * asks, also tolerates the `x:::1.2.3.4` form that rule's bug allows, next to the correct `x::1.2.3.4`.
 */
export function isIPv6(text: string): boolean {
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return false;
  let hex = text;
  let maxGroups = 8;
  if (text.indexOf('.', lastColon) >= 0) {
    if (!isIPv4(text.slice(lastColon + 1))) return false;
    hex = text.slice(0, lastColon + 1);
    maxGroups = 6;
    if (hex.endsWith(':::')) hex = hex.slice(0, -1);
    else if (!hex.endsWith('::')) hex = hex.slice(0, -1);
  }
  const dbl = hex.indexOf('::');
  if (dbl < 0) return hexGroups(hex) === maxGroups;
  if (hex.indexOf('::', dbl + 1) >= 0) return false;
  const left = hexGroups(hex.slice(0, dbl));
  const right = hexGroups(hex.slice(dbl + 2));
  return left >= 0 && right >= 0 && left + right < maxGroups;
}

/**
 * hostname / IPv4address (RFC 3261 §25.1), in one pass. A name made only of digits and dots must
 * be a valid IPv4 address; a name may not start with `-` or `.` nor hold `..`.
 */
export function isHostnameOrIPv4(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  let alpha = false;
  let prev = 0x2e;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (classesOf(c) & HOST) === 0) return false;
    if (c === 0x2e) {
      if (prev === 0x2e) return false;
    } else if (c < 0x30 || c > 0x39) {
      if (i === 0 && c === 0x2d) return false;
      alpha = true;
    }
    prev = c;
  }
  return alpha || isIPv4(text);
}

/** host = hostname / IPv4address / IPv6reference, IPv6 inside brackets. */
export function isHost(text: string): boolean {
  if (text.charCodeAt(0) === 0x5b) {
    return text.charCodeAt(text.length - 1) === 0x5d && isIPv6(text.slice(1, -1));
  }
  return isHostnameOrIPv4(text);
}

/**
 * Index just past the closing quote of the quoted-string starting at `pos` (which holds `"`),
 * honouring quoted-pair escapes (RFC 3261 §25.1); -1 when the string never closes.
 */
export function quotedStringEnd(text: string, pos: number): number {
  for (let i = pos + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** The content of a quoted-string (quotes included in `quoted`) with quoted-pairs undone. */
export function unquote(quoted: string): string {
  const inner = quoted.slice(1, -1);
  if (inner.indexOf('\\') < 0) return inner;
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner.charCodeAt(i) === 0x5c) {
      parts.push(inner.slice(start, i));
      start = i + 1;
      i++;
    }
  }
  parts.push(inner.slice(start));
  return parts.join('');
}

/**
 * Strips SP and HTAB at both ends: LWS is only those (RFC 3261 §25.1). String.prototype.trim would
 * also eat Unicode spaces and a BOM that belong to a UTF-8 value (RFC 4475 §3.1.1.2).
 */
export function trimWsp(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWsp(text.charCodeAt(start))) start++;
  while (end > start && isWsp(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
