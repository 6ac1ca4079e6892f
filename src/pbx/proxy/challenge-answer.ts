/**
 * Answering a next hop's digest challenge on a forwarded request, as Kamailio's uac_auth does for
 * trunks that authenticate the PBX: the request is sent again (by the caller of this, with the
 * next CSeq) with credentials for the realm the 401/407 named (RFC 3261 §22.2, §8.1.3.5). The
 * caller never sees the challenge.
 */
import { answerChallenge, parseDigestChallenge, type DigestChallenge } from '../../sip/auth/index.ts';
import { addHeader, cseqOf, formatUri, getHeaders } from '../../sip/message/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../sip/message/types.ts';

export interface OutboundCredentials {
  username: string;
  password: string;
}

/** The request with credentials added, or undefined when the challenge cannot be answered. */
export function answerNextHopChallenge(request: SipRequest, challenge: SipResponse, credentials: OutboundCredentials): SipRequest | undefined {
  const proxy = challenge.status === 407;
  const challenges: DigestChallenge[] = [];
  for (const value of getHeaders(challenge, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate')) {
    try {
      challenges.push(parseDigestChallenge(value));
    } catch {
      // Other schemes or broken values: the next one may do.
    }
  }
  if (challenges.length === 0) return undefined;
  let answer: string;
  try {
    answer = answerChallenge(challenges, { ...credentials, method: request.method, uri: formatUri(request.uri) });
  } catch {
    return undefined;
  }
  const retry: SipRequest = { ...request, headers: request.headers.map((header) => ({ ...header })) };
  addHeader(retry, proxy ? 'Proxy-Authorization' : 'Authorization', answer);
  return retry;
}

/**
 * The message with its CSeq number moved by `delta`: requests towards a leg whose numbers run
 * ahead (after a resend with credentials) go up, and that leg's responses come back down.
 */
export function withCSeqShift<M extends SipMessage>(message: M, delta: number): M {
  if (delta === 0) return message;
  const { seq, method } = cseqOf(message);
  return { ...message, headers: message.headers.map((header) => (header.name === 'CSeq' ? { name: 'CSeq', value: `${seq + delta} ${method}` } : { ...header })) };
}
