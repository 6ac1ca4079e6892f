/**
 * Our Via (RFC 3261 §8.1.1.7, §18.1.1): a branch that starts with the magic cookie and is unique
 * in space and time, plus `rport` so the response comes back to the port we sent from
 * (RFC 3581 §3).
 */
import { randomUUID } from 'node:crypto';
import { formatVia } from '../message/index.ts';
import type { SipRequest } from '../message/types.ts';
import type { SentBy } from './transaction-transport.ts';

/** RFC 3261 §8.1.1.7: marks a branch built by RFC 3261 rules, which makes it a transaction id. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** 96 random bits after the cookie: collisions are out of the question, guessing too. */
/** 122 random bits (RFC 3261 §8.1.1.7 wants branches unique in space and time); randomUUID draws from a cached pool. */
export function newBranch(): string {
  return MAGIC_COOKIE + randomUUID().replaceAll('-', '');
}

export function formatOurVia(sentBy: SentBy, branch: string): string {
  return formatVia({
    protocol: 'SIP/2.0',
    transport: sentBy.transport.toUpperCase(),
    host: sentBy.host,
    port: sentBy.port,
    params: new Map([
      ['branch', branch],
      ['rport', null],
    ]),
  });
}

/** A copy of the request with `via` as its new top Via; the original is not touched. */
export function withTopVia(request: SipRequest, via: string): SipRequest {
  return { ...request, headers: [{ name: 'Via', value: via }, ...request.headers] };
}
