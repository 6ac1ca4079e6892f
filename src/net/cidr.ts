/**
 * IP addresses and CIDR blocks (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6) as bytes, for telling
 * whether a request's source address belongs to a trunk. A dual-stack socket reports IPv4 peers as
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2); those are compared as the
 * IPv4 address they carry, so a trunk configured as `192.0.2.0/24` matches either spelling.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface Cidr extends IpAddress {
  /** Leading bits that must match: 0-32 for IPv4, 0-128 for IPv6. */
  prefix: number;
}

/** Bits of an IPv6 address before an embedded IPv4 address in `::ffff:a.b.c.d`. */
const MAPPED_PREFIX_BITS = 96;

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** The byte at `index`; the callers' indexes stay within the 4 or 16 bytes of an address. */
function byteAt(bytes: Uint8Array, index: number): number {
  const byte = bytes[index];
  if (byte === undefined) throw new RangeError(`an address of ${bytes.length} bytes has no byte ${index}`);
  return byte;
}

function ipv6Bytes(text: string): Uint8Array {
  let body = text;
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    // An embedded IPv4 address (RFC 4291 §2.2 form 3) is the last two 16-bit groups.
    const v4 = ipv4Bytes(last);
    body = `${body.slice(0, lastColon + 1)}${((byteAt(v4, 0) << 8) | byteAt(v4, 1)).toString(16)}:${((byteAt(v4, 2) << 8) | byteAt(v4, 3)).toString(16)}`;
  }
  const [head, rest] = body.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const left = groups(head);
  const right = groups(rest);
  const words = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}

function isMappedIpv4(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * An IPv4 or IPv6 literal as bytes; IPv4-mapped IPv6 addresses come back as IPv4. A zone
 * (`fe80::1%eth0`) is dropped: a source address's zone says which link, not which peer.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, bytes: ipv4Bytes(text) };
  const address = text.replace(/%.*$/, '');
  if (!isIPv6(address)) return undefined;
  const bytes = ipv6Bytes(address);
  return isMappedIpv4(bytes) ? { family: 4, bytes: bytes.slice(12) } : { family: 6, bytes };
}

function hasHostBits(bytes: Uint8Array, prefix: number): boolean {
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    if (byteAt(bytes, bit >> 3) & (0x80 >> (bit & 7))) return true;
  }
  return false;
}

function networkOf(bytes: Uint8Array, prefix: number): Uint8Array {
  const network = bytes.slice();
  for (let bit = prefix; bit < network.length * 8; bit++) network[bit >> 3] = byteAt(network, bit >> 3) & ~(0x80 >> (bit & 7));
  return network;
}

/** The address in its usual text form (IPv6 compressed per RFC 5952 §4.2). */
export function formatIpAddress({ family, bytes }: IpAddress): string {
  if (family === 4) return bytes.join('.');
  const words = Array.from({ length: 8 }, (_, i) => (byteAt(bytes, i * 2) << 8) | byteAt(bytes, i * 2 + 1));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let end = start;
    while (end < 8 && words[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export type CidrResult = { cidr: Cidr; problem?: undefined } | { cidr?: undefined; problem: string };

/**
 * Parses `address` or `address/prefix`. A block whose address has bits set past the prefix is
 * refused with the block that was probably meant: `192.0.2.1/24` is a typo more often than not.
 */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  if (addressText.includes('%')) return { problem: 'a zone (%…) is not allowed here' };
  const address = parseIpAddress(addressText);
  if (!address) return { problem: 'is not an IPv4 or IPv6 address, with an optional /prefix length' };
  const width = address.bytes.length * 8;
  if (slash < 0) return { cidr: { ...address, prefix: width } };
  const prefixText = text.slice(slash + 1);
  const mapped = address.family === 4 && !isIPv4(addressText);
  const maxPrefix = mapped ? 128 : width;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) return { problem: `the prefix length must be a whole number from 0 to ${maxPrefix}` };
  let prefix = Number(prefixText);
  if (mapped) {
    if (prefix < MAPPED_PREFIX_BITS) return { problem: `an IPv4-mapped block needs a prefix of at least /${MAPPED_PREFIX_BITS}; write the IPv4 block instead` };
    prefix -= MAPPED_PREFIX_BITS;
  }
  if (hasHostBits(address.bytes, prefix)) {
    const network = formatIpAddress({ family: address.family, bytes: networkOf(address.bytes, prefix) });
    return { problem: `has bits set past the /${prefix} prefix (did you mean ${network}/${prefix}?)` };
  }
  return { cidr: { ...address, prefix } };
}

/** Whether `address` lies inside `cidr` (families must agree after IPv4-mapped unwrapping). */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (cidr.family !== address.family) return false;
  const fullBytes = cidr.prefix >> 3;
  for (let i = 0; i < fullBytes; i++) if (cidr.bytes[i] !== address.bytes[i]) return false;
  const restBits = cidr.prefix & 7;
  if (restBits === 0) return true;
  const mask = (0xff << (8 - restBits)) & 0xff;
  return (byteAt(cidr.bytes, fullBytes) & mask) === (byteAt(address.bytes, fullBytes) & mask);
}
