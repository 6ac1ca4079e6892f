/**
 * Counts failed authentications per source address and bans an address that fails too often
 * within a window (the fail2ban pattern every exposed PBX needs: SIP scanners try thousands of
 * passwords). Memory stays bounded: at most `maxTrackedAddresses` addresses are tracked and the
 * oldest are forgotten first. Whom it never bans (a trusted reverse proxy's own WebSocket flows,
 * whose address is every client's behind it) the digest guard does not report here at all.
 */

export interface AuthFailurePolicy {
  /** Failures within `windowMs` that trigger a ban. */
  limit: number;
  windowMs: number;
  banMs: number;
  maxTrackedAddresses?: number;
}

interface AddressRecord {
  failures: number[];
  bannedUntil: number;
}

export type FailureOutcome = { banned: false; failures: number } | { banned: true; until: number };

export class AuthFailureLimiter {
  readonly #policy: Required<AuthFailurePolicy>;
  readonly #now: () => number;
  readonly #records = new Map<string, AddressRecord>();

  constructor(policy: AuthFailurePolicy, now: () => number = Date.now) {
    this.#policy = { maxTrackedAddresses: 100_000, ...policy };
    this.#now = now;
  }

  isBanned(address: string): boolean {
    const record = this.#records.get(address);
    return record !== undefined && record.bannedUntil > this.#now();
  }

  recordFailure(address: string): FailureOutcome {
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

  #evictOldest(): void {
    while (this.#records.size > this.#policy.maxTrackedAddresses) {
      const oldest = this.#records.keys().next().value as string;
      this.#records.delete(oldest);
    }
  }
}
