/**
 * Typed reads of the headers every layer needs. Each call returns a value the caller owns: the one
 * parseMessage parsed while validating the first time (parsed-cache.ts), parsed afresh from the
 * header text after that, so an edited header list never serves a stale result. Absent required
 * headers throw SipParseError (SIP_PARSE_MISSING_HEADER); malformed ones throw their parse error.
 */
import type { CSeq, Header, NameAddr, Via } from './types.ts';
import type { HasHeaders } from './header-list.ts';
import { SipParseError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { firstHeader, getHeader, getHeaders } from './header-list.ts';
import { takeParsed } from './parsed-cache.ts';
import { splitTopLevelCommas } from './list-split.ts';
import { parseCSeq } from './cseq.ts';
import { parseNameAddr, parseNameAddrList } from './name-addr.ts';
import { parseVia } from './via.ts';
import { parseExpires, parseMaxForwards } from './scalar-headers.ts';

function required(msg: HasHeaders, name: string): Header {
  const header = firstHeader(msg, name);
  if (header === undefined) throw new SipParseError(SipParseErrorCode.MISSING_HEADER, `the message has no ${name} header`);
  return header;
}

/** The first Via value: where a response to this request goes (RFC 3261 §18.2.2). */
export function topVia(msg: HasHeaders): Via {
  const header = required(msg, 'Via');
  const value = header.value;
  return takeParsed(msg, 'Via', header) ?? parseVia(value.indexOf(',') < 0 ? value : (splitTopLevelCommas(value)[0] ?? ''));
}

export function cseqOf(msg: HasHeaders): CSeq {
  const header = required(msg, 'CSeq');
  return takeParsed(msg, 'CSeq', header) ?? parseCSeq(header.value);
}

export function callIdOf(msg: HasHeaders): string {
  return required(msg, 'Call-ID').value;
}

export function fromOf(msg: HasHeaders): NameAddr {
  const header = required(msg, 'From');
  return takeParsed(msg, 'From', header) ?? parseNameAddr(header.value);
}

export function toOf(msg: HasHeaders): NameAddr {
  const header = required(msg, 'To');
  return takeParsed(msg, 'To', header) ?? parseNameAddr(header.value);
}

/** Every Contact entry, comma-separated values flattened; [] without Contact. A `*` value throws. */
export function contactsOf(msg: HasHeaders): NameAddr[] {
  return getHeaders(msg, 'Contact').flatMap(parseNameAddrList);
}

/** The `tag` header parameter (RFC 3261 §19.3). */
export function tagOf(na: NameAddr): string | undefined {
  return na.params.get('tag') ?? undefined;
}

export function maxForwardsOf(msg: HasHeaders): number | undefined {
  const value = getHeader(msg, 'Max-Forwards');
  return value === undefined ? undefined : parseMaxForwards(value);
}

/** The Expires header in seconds (Contact `expires` parameters are read from contactsOf). */
export function expiresOf(msg: HasHeaders): number | undefined {
  const value = getHeader(msg, 'Expires');
  return value === undefined ? undefined : parseExpires(value);
}
