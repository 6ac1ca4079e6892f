/**
 * Checks the parsed header list of a message against RFC 3261 §7.3 and §20 the way RFC 4475 needs:
 * structured headers must parse, single-valued headers appear once, Content-Length is one
 * non-negative number. Each structured value is parsed once, here.
 */
import type { CSeq, Header } from './types.ts';
import type { ParsedRecord } from './parsed-cache.ts';
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { parseCSeq } from './cseq.ts';
import { isWildcardContact, parseNameAddr } from './name-addr.ts';
import { parseVia } from './via.ts';
import { parseContentLength, parseExpires, parseMaxForwards } from './scalar-headers.ts';

/** Headers that may appear at most once (RFC 3261 §7.3.1: not comma-separated lists), one bit each. */
const SINGLETON_BITS = new Map(['To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires'].map((name, i) => [name, 1 << i]));

export interface CheckedHeaders {
  contentLength?: number;
  cseq?: CSeq;
  /** The first Via, From, To and CSeq as parsed here, for the accessors (parsed-cache.ts). */
  parsed: ParsedRecord;
}

export function checkHeaders(headers: Header[]): CheckedHeaders {
  const checked: CheckedHeaders = { parsed: {} };
  let seen = 0;
  for (const header of headers) {
    const { name, value } = header;
    const bit = SINGLETON_BITS.get(name);
    if (bit !== undefined) {
      if ((seen & bit) !== 0) {
        if (name === 'Content-Length' && checked.contentLength !== undefined && valueDiffers(value, checked.contentLength)) {
          throw new SipParseError(SipParseErrorCode.CONTENT_LENGTH, 'two Content-Length headers disagree: the framing is undefined');
        }
        throw new SipParseError(SipParseErrorCode.DUPLICATE_HEADER, `${name} appears more than once`);
      }
      seen |= bit;
    }
    try {
      checkValue(header, checked);
    } catch (err) {
      if (err instanceof SipParseError) err.message = `${name}: ${err.message}`;
      throw err;
    }
  }
  return checked;
}

function valueDiffers(value: string, first: number): boolean {
  try {
    return parseContentLength(value) !== first;
  } catch {
    return true;
  }
}

function checkValue(header: Header, checked: CheckedHeaders): void {
  const { name, value } = header;
  const parsed = checked.parsed;
  switch (name) {
    case 'Via': {
      const via = parseVia(value);
      parsed.Via ??= { header, value, parsed: via };
      return;
    }
    case 'To':
      parsed.To = { header, value, parsed: parseNameAddr(value) };
      return;
    case 'From':
      parsed.From = { header, value, parsed: parseNameAddr(value) };
      return;
    case 'Route':
    case 'Record-Route':
      parseNameAddr(value);
      return;
    case 'Contact':
      if (!isWildcardContact(value)) parseNameAddr(value);
      return;
    case 'CSeq':
      checked.cseq = parseCSeq(value);
      parsed.CSeq = { header, value, parsed: checked.cseq };
      return;
    case 'Call-ID':
      // callid = word [ "@" word ]: at least one char, no whitespace (RFC 3261 §25.1).
      if (value.length === 0 || /\s/.test(value)) throw bad('Call-ID must be one word, optionally word@word', value);
      return;
    case 'Max-Forwards':
      parseMaxForwards(value);
      return;
    case 'Expires':
      parseExpires(value);
      return;
    case 'Content-Length':
      checked.contentLength = parseContentLength(value);
      return;
    case 'Date':
      // SIP-date is an RFC 1123 date that is always in GMT (RFC 3261 §20.17, RFC 4475 §3.1.2.12).
      if (!value.endsWith(' GMT')) throw bad('Date must be an RFC 1123 date in GMT', value);
      return;
    default:
  }
}

function bad(why: string, value: string): SipParseError {
  return new SipParseError(SipParseErrorCode.BAD_HEADER, `${why}, got ${quoteForError(value)}`);
}
