/** Building a response to a request (RFC 3261 §8.2.6). */
import type { Header, SipRequest, SipResponse } from './types.ts';
import { canonicalHeaderName } from './header-names.ts';
import { parseNameAddr } from './name-addr.ts';
import { reasonPhrase } from './reason-phrases.ts';

export interface CreateResponseOptions {
  /** Defaults to the usual phrase for the status (reason-phrases.ts). */
  reason?: string;
  /** Added to To when the status is above 100 and the request's To has no tag (RFC 3261 §8.2.6.2). */
  toTag?: string;
  /** Extra headers, appended after the copied ones. */
  headers?: Header[];
  body?: Buffer;
}

/** Headers copied from the request (RFC 3261 §8.2.6.2); Timestamp only into a 100 (§8.2.6.1). */
const COPIED = new Set(['Via', 'From', 'To', 'Call-ID', 'CSeq']);

/**
 * A response with every Via in order, From, To, Call-ID and CSeq copied from the request, To
 * tagged when asked. Header values are copied as text, so unusual but valid spellings survive.
 */
export function createResponse(request: SipRequest, status: number, options: CreateResponseOptions = {}): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`status ${status} is not 100..699`);
  const headers: Header[] = [];
  for (const header of request.headers) {
    const name = canonicalHeaderName(header.name);
    if (COPIED.has(name) || (status === 100 && name === 'Timestamp')) {
      let value = header.value;
      if (name === 'To' && options.toTag !== undefined && status > 100 && !parseNameAddr(value).params.has('tag')) {
        value = `${value};tag=${options.toTag}`;
      }
      headers.push({ name, value });
    }
  }
  if (options.headers) for (const header of options.headers) headers.push({ name: header.name, value: header.value });
  return {
    type: 'response',
    status,
    reason: options.reason ?? reasonPhrase(status),
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}
