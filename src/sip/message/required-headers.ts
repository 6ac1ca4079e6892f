/** The headers without which a message cannot be matched to a transaction or dialog. */
import type { SipMessage } from './types.ts';
import { SipParseError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { getHeader } from './header-list.ts';

/**
 * RFC 3261 §8.1.1 requires To, From, CSeq, Call-ID, Max-Forwards and Via in every request. Max-Forwards
 * is not demanded here: RFC 2543 peers omit it and RFC 4475 §3.4.1 asks to accept them.
 */
export const REQUIRED_HEADERS = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;

/** Throws SipParseError (SIP_PARSE_MISSING_HEADER, status 400 for a request) naming every missing header. */
export function assertRequiredHeaders(msg: SipMessage): void {
  if (hasAllCanonical(msg)) return;
  const missing = REQUIRED_HEADERS.filter((name) => getHeader(msg, name) === undefined);
  if (missing.length === 0) return;
  throw new SipParseError(SipParseErrorCode.MISSING_HEADER, `the ${msg.type} lacks required header${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (RFC 3261 §8.1.1)`, {
    status: msg.type === 'request' ? 400 : null,
  });
}

const ALL = (1 << REQUIRED_HEADERS.length) - 1;

/** One pass over canonical names, the spelling parseMessage produces; other spellings take the slow path. */
function hasAllCanonical(msg: SipMessage): boolean {
  let found = 0;
  for (const { name } of msg.headers) {
    switch (name) {
      case 'Via':
        found |= 1;
        break;
      case 'From':
        found |= 2;
        break;
      case 'To':
        found |= 4;
        break;
      case 'Call-ID':
        found |= 8;
        break;
      case 'CSeq':
        found |= 16;
        break;
      default:
    }
  }
  return found === ALL;
}
