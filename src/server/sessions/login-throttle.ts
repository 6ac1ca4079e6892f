/**
 * Counts failed sign-ins per key (a client address, or an account) and locks a key that fails
 * too often within a window, for a fixed time. Unlike a ban that every new attempt prolongs, a
 * lock here ends exactly `lockMs` after it began whatever happens meanwhile: attempts during a
 * lock are refused unchecked and not counted, so nobody can keep an account locked by hammering
 * it (OWASP Authentication Cheat Sheet, "Account Lockout": lockouts should end by themselves).
 * Memory stays bounded: at most `maxTrackedKeys` keys, the least recently failed forgotten first.
 */

export interface LoginThrottlePolicy {
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

export class LoginThrottle {
  readonly #policy: Required<LoginThrottlePolicy>;
  readonly #now: () => number;
  readonly #records = new Map<string, KeyRecord>();

  constructor(policy: LoginThrottlePolicy, now: () => number = Date.now) {
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

  /** A successful sign-in clears the key's failures (an active lock stays). */
  recordSuccess(key: string): void {
    if (this.lockedUntil(key) === undefined) this.#records.delete(key);
  }

  get trackedKeys(): number {
    return this.#records.size;
  }
}
