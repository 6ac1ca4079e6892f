/**
 * Stateless, self-authenticating nonces (RFC 7616 §3.3 and §5.4 suggest a timestamp and a
 * private key inside the nonce): base64url(timestamp ‖ random ‖ HMAC-SHA256(secret, timestamp ‖
 * random)). Any server holding the secret can tell its own nonces and their age without storing
 * them; only nonce-counts are remembered, to refuse replays (RFC 7616 §3.4, §5.5).
 *
 * Replay memory is bounded: an entry lives until its nonce expires, and at most `maxTracked`
 * entries are kept. When a live entry has to be evicted to make room, every untracked nonce
 * issued no later than it is answered 'stale' from then on, so eviction can cost a client one
 * re-challenge but never lets a nonce-count be replayed.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface NonceManagerOptions {
  /** HMAC key; share it between servers that must accept each other's nonces. Random if omitted. */
  secret?: Buffer;
  /** How long a nonce stays usable, in milliseconds. */
  lifetimeMs?: number;
  /** How many nonces' highest nonce-count are remembered at most. */
  maxTracked?: number;
  now?: () => number;
}

export type NonceValidity = 'ok' | 'stale' | 'invalid';
export type NonceCheck = NonceValidity | 'replay';

const TIMESTAMP_BYTES = 8;
const RANDOM_BYTES = 16;
const MAC_BYTES = 32;
const NONCE_BYTES = TIMESTAMP_BYTES + RANDOM_BYTES + MAC_BYTES;
const NONCE_TEXT = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((NONCE_BYTES * 4) / 3)}}$`);
const MAX_NC = 0xffffffff;

interface SeenNonce {
  issuedAt: number;
  highestNc: number;
}

export class NonceManager {
  readonly lifetimeMs: number;
  readonly maxTracked: number;
  /** A KeyObject: HMAC with a Buffer key re-imports it each time, four times slower. */
  readonly #secret: KeyObject;
  readonly #now: () => number;
  /** Insertion order is first-use order, close to issue order, so expired entries gather at the head. */
  readonly #seen = new Map<string, SeenNonce>();
  /** Untracked nonces issued at or before this instant may have been evicted while live. */
  #evictedUpTo = Number.NEGATIVE_INFINITY;

  constructor(options: NonceManagerOptions = {}) {
    this.#secret = createSecretKey(options.secret ?? randomBytes(32));
    this.lifetimeMs = options.lifetimeMs ?? 300_000;
    this.maxTracked = options.maxTracked ?? 50_000;
    this.#now = options.now ?? Date.now;
    if (!(this.lifetimeMs > 0)) throw new RangeError('lifetimeMs must be positive');
    if (!Number.isInteger(this.maxTracked) || this.maxTracked < 1) throw new RangeError('maxTracked must be a positive integer');
  }

  /** How many nonces' nonce-counts are currently remembered. */
  get size(): number {
    return this.#seen.size;
  }

  issue(): string {
    const payload = Buffer.alloc(TIMESTAMP_BYTES + RANDOM_BYTES);
    payload.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#now()))));
    randomBytes(RANDOM_BYTES).copy(payload, TIMESTAMP_BYTES);
    return Buffer.concat([payload, this.#mac(payload)]).toString('base64url');
  }

  /** Whether the nonce is ours and still fresh, without recording anything. */
  validate(nonce: string): NonceValidity {
    const issuedAt = this.#issuedAt(nonce);
    if (issuedAt === undefined) return 'invalid';
    return this.#isExpired(issuedAt, this.#now()) ? 'stale' : 'ok';
  }

  /**
   * Validates the nonce and records `nc` as its highest nonce-count; a count not strictly
   * greater than the highest already seen for this nonce is a replay (RFC 7616 §3.4). Call it
   * only for requests whose response digest was correct, so that forged requests cannot burn
   * a client's counts.
   */
  check(nonce: string, nc: number): NonceCheck {
    const issuedAt = this.#issuedAt(nonce);
    if (issuedAt === undefined || !Number.isInteger(nc) || nc < 0 || nc > MAX_NC) return 'invalid';
    const now = this.#now();
    if (this.#isExpired(issuedAt, now)) return 'stale';
    this.#pruneExpired(now);
    const seen = this.#seen.get(nonce);
    if (seen !== undefined) {
      if (nc <= seen.highestNc) return 'replay';
      seen.highestNc = nc;
      return 'ok';
    }
    if (issuedAt <= this.#evictedUpTo) return 'stale';
    if (nc === 0) return 'replay';
    if (this.#seen.size >= this.maxTracked) this.#evictOldest(now);
    this.#seen.set(nonce, { issuedAt, highestNc: nc });
    return 'ok';
  }

  #mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(payload).digest();
  }

  /** The issue time of a nonce this manager's secret signed, or undefined. */
  #issuedAt(nonce: string): number | undefined {
    // Buffer's base64url decoder skips characters it does not know; check the text first.
    if (!NONCE_TEXT.test(nonce)) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    // The last character carries spare bits: only the canonical spelling is ours, otherwise one
    // nonce would have several texts and as many separate nonce-count records.
    if (raw.length !== NONCE_BYTES || raw.toString('base64url') !== nonce) return undefined;
    const payload = raw.subarray(0, TIMESTAMP_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(raw.subarray(TIMESTAMP_BYTES + RANDOM_BYTES), this.#mac(payload))) return undefined;
    return Number(raw.readBigUInt64BE(0));
  }

  #isExpired(issuedAt: number, now: number): boolean {
    return now - issuedAt > this.lifetimeMs;
  }

  #pruneExpired(now: number): void {
    for (const [nonce, seen] of this.#seen) {
      if (!this.#isExpired(seen.issuedAt, now)) break;
      this.#seen.delete(nonce);
    }
  }

  #evictOldest(now: number): void {
    const oldest = this.#seen.entries().next().value;
    if (oldest === undefined) return;
    const [nonce, seen] = oldest;
    this.#seen.delete(nonce);
    if (!this.#isExpired(seen.issuedAt, now)) this.#evictedUpTo = Math.max(this.#evictedUpTo, seen.issuedAt);
  }
}
