/**
 * The reverse proxies of `http.trustProxy` as a test on addresses, for the parts of Callpane
 * that read X-Forwarded-For themselves rather than through Fastify (SIP over WebSocket reads it
 * on the upgrade request), and for the limits that must never count a proxy as one client.
 * The same list Fastify's proxy-addr gets, matched the same way: addresses and CIDR blocks, an
 * IPv4-mapped IPv6 address as the IPv4 address it carries.
 */
import { cidrContains, parseCidr, parseIpAddress, type Cidr } from '../pbx/routing/cidr.ts';

export type TrustedProxies = (address: string) => boolean;

/** `false` (no proxy) trusts nobody. Entries are validated by the config schema already. */
export function trustedProxies(list: false | readonly string[]): TrustedProxies {
  const blocks: Cidr[] = list === false ? [] : list.flatMap((entry) => parseCidr(entry).cidr ?? []);
  if (blocks.length === 0) return () => false;
  return (address) => {
    const parsed = parseIpAddress(address);
    return parsed !== undefined && blocks.some((block) => cidrContains(block, parsed));
  };
}
