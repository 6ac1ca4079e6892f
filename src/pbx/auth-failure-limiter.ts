/**
 * Counts failed authentications per source address and bans an address that fails too often
 * within a window (the fail2ban pattern every exposed PBX needs: SIP scanners try thousands of
 * passwords). Memory stays bounded: at most `maxTrackedAddresses` addresses are tracked and the
 * oldest are forgotten first. The addresses of trusted reverse proxies are never banned: every
 * client behind one shares its address, and one client's failures would lock all of them out
 * (per-extension guessing is watched by extension-attack-watch.ts instead).
 */
import { cidrContains, parseCidr, parseIpAddress, type Cidr } from './routing/cidr.ts';

export interface AuthFailurePolicy {
  /** Failures within `windowMs` that trigger a ban. */
  limit: number;
  windowMs: number;
  banMs: number;
  maxTrackedAddresses?: number;
  /** Addresses and CIDR blocks never banned nor tracked: the trusted reverse proxies (config http.trustProxy). */
  neverBan?: readonly string[];
}

interface AddressRecord {
  failures: number[];
  bannedUntil: number;
}

/** `exempt`: the address is never banned (a trusted proxy), so its failures are not counted here. */
export type FailureOutcome = { banned: false; failures: number } | { banned: false; exempt: true } | { banned: true; until: number };

export class AuthFailureLimiter {
  readonly #policy: Required<Omit<AuthFailurePolicy, 'neverBan'>>;
  readonly #neverBan: readonly Cidr[];
  readonly #now: () => number;
  readonly #records = new Map<string, AddressRecord>();

  constructor(policy: AuthFailurePolicy, now: () => number = Date.now) {
    const { neverBan = [], ...counting } = policy;
    this.#policy = { maxTrackedAddresses: 100_000, ...counting };
    this.#neverBan = neverBan.map((block) => {
      const parsed = parseCidr(block);
      if (parsed.cidr === undefined) throw new RangeError(`http.trustProxy: "${block}" ${parsed.problem}`);
      return parsed.cidr;
    });
    this.#now = now;
  }

  isBanned(address: string): boolean {
    const record = this.#records.get(address);
    return record !== undefined && record.bannedUntil > this.#now();
  }

  recordFailure(address: string): FailureOutcome {
    if (this.#isExempt(address)) return { banned: false, exempt: true };
    const now = this.#now();
    const record = this.#records.get(address) ?? { failures: [], bannedUntil: 0 };
    this.#records.delete(address);
    this.#records.set(address, record);
    record.failures = record.failures.filter((t) => t > now - this.#policy.windowMs);
    record.failures.push(now);
    this.#evictOldest();
    if (record.failures.length >= this.#policy.limit) {
      record.failures = [];
      record.bannedUntil = now + this.#policy.banMs;
      return { banned: true, until: record.bannedUntil };
    }
    return { banned: false, failures: record.failures.length };
  }

  /** A successful authentication clears the address's failure history (not an active ban). */
  recordSuccess(address: string): void {
    const record = this.#records.get(address);
    if (record && record.bannedUntil <= this.#now()) this.#records.delete(address);
  }

  get trackedAddresses(): number {
    return this.#records.size;
  }

  /** Whether `address` belongs to a trusted proxy (IPv4-mapped IPv6 spellings included). */
  #isExempt(address: string): boolean {
    if (this.#neverBan.length === 0) return false;
    const parsed = parseIpAddress(address);
    return parsed !== undefined && this.#neverBan.some((block) => cidrContains(block, parsed));
  }

  #evictOldest(): void {
    while (this.#records.size > this.#policy.maxTrackedAddresses) {
      const oldest = this.#records.keys().next().value as string;
      this.#records.delete(oldest);
    }
  }
}
