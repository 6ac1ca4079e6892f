/**
 * %-escaping of URI components (RFC 3261 §19.1.2, §25.1 `escaped`). Decoding yields UTF-8 text when
 * the escaped octets are valid UTF-8 and falls back to one char per octet otherwise, so nothing is
 * lost; encoding writes non-ASCII as escaped UTF-8, which re-decodes to the same text.
 */
import { isChar } from './syntax.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Checks that every char of `text` is in `allowed` or part of a `%HH` escape and returns the
 * decoded text; undefined when a char is not allowed or an escape is broken.
 */
export function unescapeComponent(text: string, allowed: number): string | undefined {
  let hasEscape = false;
  let nonAscii = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      if (hi >= 8) nonAscii = true;
      hasEscape = true;
      i += 2;
    } else if (!isChar(c, allowed)) {
      return undefined;
    }
  }
  if (!hasEscape) return text;
  if (!nonAscii) {
    let out = '';
    let start = 0;
    for (let i = text.indexOf('%'); i >= 0; i = text.indexOf('%', start)) {
      out += text.slice(start, i) + String.fromCharCode(hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2)));
      start = i + 3;
    }
    return out + text.slice(start);
  }
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      bytes.push(hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2)));
      i += 2;
    } else {
      bytes.push(c);
    }
  }
  const octets = Uint8Array.from(bytes);
  try {
    return utf8.decode(octets);
  } catch {
    return Buffer.from(octets).toString('latin1');
  }
}

const HEX = '0123456789ABCDEF';

/** Escapes every char of `text` that is not in `allowed` (always `%` itself), non-ASCII as UTF-8. */
export function escapeComponent(text: string, allowed: number): string {
  let i = 0;
  while (i < text.length && isChar(text.charCodeAt(i), allowed)) i++;
  if (i === text.length) return text;
  const parts: string[] = [text.slice(0, i)];
  for (const byte of Buffer.from(text.slice(i), 'utf8')) {
    parts.push(byte < 128 && isChar(byte, allowed) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`);
  }
  return parts.join('');
}
