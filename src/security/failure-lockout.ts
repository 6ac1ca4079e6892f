/**
 * Counts failures per key (a client address, an account) and locks a key that fails too often
 * within a window, for a fixed time: the SIP registrar's per-address ban (the fail2ban pattern
 * every exposed PBX needs: SIP scanners try thousands of passwords), the web sign-in's address
 * and account lockouts, and the SSO start limit all use it.
 *
 * Unlike a ban that every new attempt prolongs, a lock ends exactly `banMs` after it began
 * whatever happens meanwhile: failures during a lock are not counted, so nobody can keep an
 * account locked by hammering it (OWASP Authentication Cheat Sheet, "Account Lockout": lockouts
 * should end by themselves). Memory stays bounded: at most `maxTrackedKeys` keys, the least
 * recently failed forgotten first.
 *
 * The per-extension tarpit (src/pbx/extension-attack-watch.ts) counts differently on purpose: it
 * delays, never refuses, so it keeps fixed-size buckets instead of a lock.
 */

export interface LockoutPolicy {
  /** Failures within `windowMs` that lock the key. */
  limit: number;
  windowMs: number;
  /** How long a lock lasts. */
  banMs: number;
  maxTrackedKeys?: number;
}

interface KeyRecord {
  failures: number[];
  lockedUntil: number;
}

export class FailureLockout {
  readonly #policy: Required<LockoutPolicy>;
  readonly #now: () => number;
  readonly #records = new Map<string, KeyRecord>();

  constructor(policy: LockoutPolicy, now: () => number = Date.now) {
    this.#policy = { maxTrackedKeys: 100_000, ...policy };
    this.#now = now;
  }

  /** Epoch milliseconds at which the lock of `key` ends, or undefined when it is not locked. */
  lockedUntil(key: string): number | undefined {
    const until = this.#records.get(key)?.lockedUntil ?? 0;
    return until > this.#now() ? until : undefined;
  }

  /** Counts a failure; returns when the lock it started ends, or undefined when it started none. */
  recordFailure(key: string): number | undefined {
    const now = this.#now();
    const record = this.#records.get(key) ?? { failures: [], lockedUntil: 0 };
    this.#records.delete(key);
    this.#records.set(key, record);
    while (this.#records.size > this.#policy.maxTrackedKeys) this.#records.delete(this.#records.keys().next().value as string);
    if (record.lockedUntil > now) return undefined;
    record.failures = record.failures.filter((at) => at > now - this.#policy.windowMs);
    record.failures.push(now);
    if (record.failures.length < this.#policy.limit) return undefined;
    record.failures = [];
    record.lockedUntil = now + this.#policy.banMs;
    return record.lockedUntil;
  }

  /** A success clears the key's failures (an active lock stays). */
  recordSuccess(key: string): void {
    if (this.lockedUntil(key) === undefined) this.#records.delete(key);
  }

  get trackedKeys(): number {
    return this.#records.size;
  }
}
