/**
 * Transaction identifiers (RFC 3261 §17.1.3, §17.2.3). Each function turns a message into the
 * map key under which its transaction is stored, so matching is one Map lookup.
 */
import { callIdOf, cseqOf, formatUri, formatVia, fromOf, tagOf, toOf, topVia } from '../message/index.ts';
import type { SipRequest, SipResponse, Via } from '../message/types.ts';
import { MAGIC_COOKIE } from './via.ts';

/** §17.1.3: a client transaction is its branch plus the method of its request. */
export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method}`;
}

/** §17.1.3: the top Via branch and the CSeq method; undefined without a branch (never ours). */
export function responseKey(response: SipResponse): string | undefined {
  const branch = topVia(response).params.get('branch');
  if (!branch) return undefined;
  return clientKey(branch, cseqOf(response).method);
}

/** True when the top Via branch carries the RFC 3261 magic cookie, so it alone identifies. */
export function hasRfc3261Branch(request: SipRequest): boolean {
  return branchOf(topVia(request))?.startsWith(MAGIC_COOKIE) ?? false;
}

/**
 * The server transaction a request belongs to, `method` replacing the request's own: ACK looks
 * for its INVITE, and a CANCEL for the INVITE it cancels (§9.2).
 *
 * §17.2.3 with the magic cookie: branch + sent-by + method. Without it (RFC 2543 peers):
 * Request-URI, To tag, From tag, Call-ID, CSeq and top Via.
 */
export function serverKey(request: SipRequest, method: string = request.method): string {
  const via = topVia(request);
  const branch = branchOf(via);
  if (branch?.startsWith(MAGIC_COOKIE)) return ['3261', branch, sentBy(via), method].join('\n');
  return ['2543', tagOf(toOf(request)) ?? '', ...rfc2543Common(request, via), method].join('\n');
}

/**
 * §17.2.3 for an ACK from an RFC 2543 peer: Request-URI, From tag, Call-ID, CSeq number and top
 * Via as in the INVITE; its To tag must then equal the one of our response, checked by the caller.
 * The INVITE is stored under this key too (it has no To tag of our choosing yet).
 */
export function rfc2543AckKey(request: SipRequest): string {
  return ['2543-ack', ...rfc2543Common(request, topVia(request))].join('\n');
}

function rfc2543Common(request: SipRequest, via: Via): string[] {
  return [formatUri(request.uri), tagOf(fromOf(request)) ?? '', callIdOf(request), String(cseqOf(request).seq), formatVia(via)];
}

function branchOf(via: Via): string | undefined {
  return via.params.get('branch') ?? undefined;
}

/** Host compared case-insensitively (§19.1.4 for hosts); port as written. */
function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}
