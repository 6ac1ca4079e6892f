/**
 * The reverse proxies of `http.trustProxy` as one test on addresses, the only one in Callpane:
 * Fastify gets it for the web API (its `trustProxy` option takes a function) and SIP over
 * WebSocket for its upgrade requests (sip/transport/forwarded-for.ts); both walk X-Forwarded-For
 * with @fastify/proxy-addr, so the same header and list give the same client on both. The SIP
 * service also uses it to tell a trusted proxy's own WebSocket flows, which are never banned.
 * Compiled by proxy-addr itself: addresses and CIDR blocks, an IPv4-mapped IPv6 address matched
 * as the IPv4 address it carries.
 */
import proxyAddr from '@fastify/proxy-addr';
import type { TrustedProxies } from '../sip/transport/forwarded-for.ts';

export type { TrustedProxies };

/**
 * `false` (no proxy) trusts nobody. An entry that is no address or block (the config schema
 * refuses those before) is a RangeError naming the key, never silently dropped.
 */
export function trustedProxies(list: false | readonly string[]): TrustedProxies {
  if (list === false || list.length === 0) return () => false;
  for (const entry of list) {
    try {
      proxyAddr.compile(entry);
    } catch (error) {
      throw new RangeError(`http.trustProxy: ${JSON.stringify(entry)} is no IP address or CIDR block (${(error as Error).message})`);
    }
  }
  const isTrusted = proxyAddr.compile([...list]);
  return (address) => isTrusted(address, 0);
}
