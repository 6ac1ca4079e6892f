/**
 * Building a CANCEL (RFC 3261 §9.1). It must be recognisable by every hop as belonging to the
 * INVITE it cancels, so it copies the INVITE's Request-URI, Call-ID, To, From (tags included),
 * CSeq number and top Via (hence its branch), and follows the same route.
 */
import { callIdOf, cseqOf, formatVia, getHeader, getHeaders, topVia } from '../message/index.ts';
import type { Header, SipRequest } from '../message/types.ts';

export function createCancel(invite: SipRequest): SipRequest {
  if (invite.method !== 'INVITE') throw new Error(`cannot CANCEL a ${invite.method}: only INVITE (RFC 3261 §9.1)`);
  const headers: Header[] = [
    // "a single Via header field value matching the top Via value in the request being cancelled"
    { name: 'Via', value: formatVia(topVia(invite)) },
    { name: 'Max-Forwards', value: getHeader(invite, 'Max-Forwards') ?? '70' },
    // "If the request being cancelled contains a Route header field, the CANCEL request MUST
    // include that Route header field's values."
    ...getHeaders(invite, 'Route').map((value) => ({ name: 'Route', value })),
    { name: 'From', value: requireHeader(invite, 'From') },
    { name: 'To', value: requireHeader(invite, 'To') },
    { name: 'Call-ID', value: callIdOf(invite) },
    { name: 'CSeq', value: `${cseqOf(invite).seq} CANCEL` },
  ];
  return { type: 'request', method: 'CANCEL', uri: invite.uri, headers, body: Buffer.alloc(0) };
}

function requireHeader(invite: SipRequest, name: string): string {
  const value = getHeader(invite, name);
  if (value === undefined) throw new Error(`cannot build CANCEL: the INVITE has no ${name} header`);
  return value;
}
