/**
 * The ACK for a non-2xx final response to an INVITE, built inside the client transaction
 * (RFC 3261 §17.1.1.3). It belongs to the INVITE's transaction, so it reuses its branch and goes
 * to the same target; the ACK for a 2xx is the TU's business (§13.2.2.4).
 */
import { callIdOf, cseqOf, formatVia, getHeader, getHeaders, topVia } from '../message/index.ts';
import type { Header, SipRequest, SipResponse } from '../message/types.ts';

export function createAckForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: Header[] = [
    // "a single Via header field ... equal to the top Via header field of the original request"
    { name: 'Via', value: formatVia(topVia(invite)) },
    { name: 'Max-Forwards', value: getHeader(invite, 'Max-Forwards') ?? '70' },
    // "If the INVITE request whose response is being acknowledged had Route header fields,
    // those header fields MUST appear in the ACK."
    ...getHeaders(invite, 'Route').map((value) => ({ name: 'Route', value })),
    { name: 'From', value: requireHeader(invite, 'From') },
    // "The To header field in the ACK MUST equal the To header field in the response"
    { name: 'To', value: requireHeader(response, 'To') },
    { name: 'Call-ID', value: callIdOf(invite) },
    { name: 'CSeq', value: `${cseqOf(invite).seq} ACK` },
  ];
  return { type: 'request', method: 'ACK', uri: invite.uri, headers, body: Buffer.alloc(0) };
}

function requireHeader(message: SipRequest | SipResponse, name: string): string {
  const value = getHeader(message, name);
  if (value === undefined) throw new Error(`cannot build ACK: no ${name} header`);
  return value;
}
