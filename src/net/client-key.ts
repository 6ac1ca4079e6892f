/**
 * What per-client limits count by: an IPv4 address as it is, an IPv6 address by its /64. A host
 * chooses the low 64 bits of its IPv6 addresses itself and may change them at will (SLAAC
 * privacy addresses, RFC 8981), so a limit per single IPv6 address would let one client take a
 * fresh address for every attempt; a /64 is one subscriber's network (RFC 6177).
 */
import { formatIpAddress, parseIpAddress } from './cidr.ts';

const KEPT_BYTES = 8;

export function clientKey(address: string): string {
  const parsed = parseIpAddress(address);
  if (!parsed) return address;
  if (parsed.family === 4) return formatIpAddress(parsed);
  const network = parsed.bytes.slice();
  network.fill(0, KEPT_BYTES);
  return `${formatIpAddress({ family: 6, bytes: network })}/64`;
}
