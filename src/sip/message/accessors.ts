/**
 * Typed reads of the headers every layer needs. Values are parsed on each call from the header
 * text, so an edited header list never serves a stale result. Absent required headers throw
 * SipParseError (SIP_PARSE_MISSING_HEADER); malformed ones throw their parse error.
 */
import type { CSeq, NameAddr, Via } from './types.ts';
import type { HasHeaders } from './header-list.ts';
import { SIP_PARSE_ERRORS, SipParseError } from './parse-error.ts';
import { getHeader, getHeaders } from './header-list.ts';
import { splitTopLevelCommas } from './list-split.ts';
import { parseCSeq } from './cseq.ts';
import { parseNameAddr, parseNameAddrList } from './name-addr.ts';
import { parseVia } from './via.ts';
import { parseExpires, parseMaxForwards } from './scalar-headers.ts';

function required(msg: HasHeaders, name: string): string {
  const value = getHeader(msg, name);
  if (value === undefined) throw new SipParseError(SIP_PARSE_ERRORS.MISSING_HEADER, `the message has no ${name} header`);
  return value;
}

/** The first Via value: where a response to this request goes (RFC 3261 §18.2.2). */
export function topVia(msg: HasHeaders): Via {
  const value = required(msg, 'Via');
  return parseVia(value.indexOf(',') < 0 ? value : splitTopLevelCommas(value)[0]);
}

export function cseqOf(msg: HasHeaders): CSeq {
  return parseCSeq(required(msg, 'CSeq'));
}

export function callIdOf(msg: HasHeaders): string {
  return required(msg, 'Call-ID');
}

export function fromOf(msg: HasHeaders): NameAddr {
  return parseNameAddr(required(msg, 'From'));
}

export function toOf(msg: HasHeaders): NameAddr {
  return parseNameAddr(required(msg, 'To'));
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
