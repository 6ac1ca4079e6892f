/**
 * The client behind reverse proxies, read from the X-Forwarded-For of an HTTP request (a
 * WebSocket upgrade) the way Fastify's proxy-addr reads it for the web API: start at the socket's
 * peer and walk the list from the right while the address in hand is a trusted proxy; the first
 * address that is not one is the client. Every proxy appends the address it received the
 * connection from, so entries left of the first untrusted hop are whatever the client chose to
 * send and are never believed.
 */
import { isIP } from 'node:net';
import { normalizeAddress } from './flow.ts';

/** Whether an address (as `normalizeAddress` writes it) is one of the trusted reverse proxies. */
export type TrustedProxy = (address: string) => boolean;

/**
 * The client's address. `header` is the X-Forwarded-For value (Node joins repeated headers with
 * commas). An entry that is no IP address ends the walk at the proxy that wrote it: that proxy
 * is then the client as far as we can tell, and nobody's claim is taken for an address.
 */
export function forwardedClient(peer: string, header: string | string[] | undefined, isTrusted: TrustedProxy): string {
  let client = normalizeAddress(peer);
  if (header === undefined || !isTrusted(client)) return client;
  const hops = (Array.isArray(header) ? header.join(',') : header).split(',').map((entry) => entry.trim()).reverse();
  for (const hop of hops) {
    const address = hostOf(hop);
    if (address === undefined) return client;
    client = address;
    if (!isTrusted(client)) return client;
  }
  return client;
}

/**
 * An entry's IP address; some proxies (Azure Application Gateway) append the port as well:
 * `192.0.2.1:4711`, `[2001:db8::1]:4711`.
 */
function hostOf(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry);
  const text = bracketed?.[1] ?? withPort?.[1] ?? entry;
  return isIP(text) === 0 ? undefined : normalizeAddress(text);
}
