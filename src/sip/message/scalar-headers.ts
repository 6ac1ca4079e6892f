/** Headers whose value is one number: Max-Forwards, Expires, Content-Length. */
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { parseBoundedInt, trimWsp } from './syntax.ts';

/** RFC 3261 §20.22: an integer 0..255. */
export function parseMaxForwards(text: string): number {
  const value = parseBoundedInt(trimWsp(text), 255);
  if (value === undefined) {
    throw new SipParseError(SipParseErrorCode.BAD_HEADER, `bad Max-Forwards ${quoteForError(text)}: must be 0..255`);
  }
  return value;
}

/** RFC 3261 §20.19: delta-seconds, 0..2^32-1. */
export function parseExpires(text: string): number {
  const value = parseBoundedInt(trimWsp(text), 0xffffffff);
  if (value === undefined) {
    throw new SipParseError(SipParseErrorCode.BAD_HEADER, `bad Expires ${quoteForError(text)}: must be 0..2^32-1 seconds`);
  }
  return value;
}

/** RFC 3261 §20.14: a non-negative number of octets. */
export function parseContentLength(text: string): number {
  const value = parseBoundedInt(trimWsp(text), Number.MAX_SAFE_INTEGER);
  if (value === undefined) {
    throw new SipParseError(SipParseErrorCode.CONTENT_LENGTH, `bad Content-Length ${quoteForError(text)}: must be a non-negative integer`);
  }
  return value;
}
