/**
 * Which trunk a request comes from. A trunk names source addresses, digest credentials, or both
 * (then both must hold). Credentials are the most specific identity, so a trunk whose username
 * the request authenticated with wins; otherwise the trunk whose address block matches with the
 * longest prefix wins (as in IP routing: a /32 for one carrier host beats a /24 of its network),
 * and on a tie the one configured first.
 */
import { cidrContains, parseCidr, parseIpAddress, type Cidr, type IpAddress } from '../../net/cidr.ts';
import type { Trunk } from './trunk.ts';

export interface TrunkRequestSource {
  /** The transport-level source address of the request (IPv4, IPv6 or IPv4-mapped IPv6). */
  sourceAddress: string;
  /**
   * The username of a digest response to a challenge from Callpane. Identifying a trunk by it
   * proves nothing by itself: the caller verifies the response against the returned trunk's
   * `match.password` before trusting the request.
   */
  digestUsername?: string;
}

const NO_MATCH = -1;
const blocksByTrunk = new WeakMap<Trunk, Cidr[]>();

/** The trunk's address blocks, parsed once per trunk object (invalid entries never match). */
function blocksOf(trunk: Trunk): Cidr[] {
  let blocks = blocksByTrunk.get(trunk);
  if (!blocks) {
    blocks = (trunk.match.addresses ?? []).flatMap((text) => parseCidr(text).cidr ?? []);
    blocksByTrunk.set(trunk, blocks);
  }
  return blocks;
}

function longestPrefix(blocks: readonly Cidr[], address: IpAddress | undefined): number {
  let longest = NO_MATCH;
  if (!address) return longest;
  for (const block of blocks) if (block.prefix > longest && cidrContains(block, address)) longest = block.prefix;
  return longest;
}

/** The trunk the request belongs to, or undefined when it belongs to none. */
export function identifyTrunk(trunks: readonly Trunk[], source: TrunkRequestSource): Trunk | undefined {
  const address = parseIpAddress(source.sourceAddress);
  let best: Trunk | undefined;
  let bestPrefix = NO_MATCH;
  for (const trunk of trunks) {
    const { username, addresses } = trunk.match;
    const prefix = addresses ? longestPrefix(blocksOf(trunk), address) : NO_MATCH;
    if (username !== undefined) {
      // Usernames are unique across trunks (checked at start-up), so this is the only candidate.
      if (source.digestUsername === username && (!addresses || prefix !== NO_MATCH)) return trunk;
      continue;
    }
    if (prefix > bestPrefix) {
      best = trunk;
      bestPrefix = prefix;
    }
  }
  return best;
}
