/** The headers without which a message cannot be matched to a transaction or dialog. */
import type { SipMessage } from './types.ts';
import { SIP_PARSE_ERRORS, SipParseError } from './parse-error.ts';
import { getHeader } from './header-list.ts';

/**
 * RFC 3261 §8.1.1 requires To, From, CSeq, Call-ID, Max-Forwards and Via in every request. Max-Forwards
 * is not demanded here: RFC 2543 peers omit it and RFC 4475 §3.4.1 asks to accept them.
 */
export const REQUIRED_HEADERS = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;

/** Throws SipParseError (SIP_PARSE_MISSING_HEADER, status 400 for a request) naming every missing header. */
export function assertRequiredHeaders(msg: SipMessage): void {
  const missing = REQUIRED_HEADERS.filter((name) => getHeader(msg, name) === undefined);
  if (missing.length === 0) return;
  throw new SipParseError(
    SIP_PARSE_ERRORS.MISSING_HEADER,
    `the ${msg.type} lacks required header${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (RFC 3261 §8.1.1)`,
    { status: msg.type === 'request' ? 400 : null },
  );
}
