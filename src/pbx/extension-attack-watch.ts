/**
 * The per-extension side of SIP digest brute force. The per-address ban (src/security/failure-lockout.ts)
 * stops one address guessing, but guesses spread over many addresses each stay under it while
 * together they hammer one extension. An extension whose failed answers within a window reach a
 * threshold is "under attack" until a whole window passes without one: the start of such an
 * episode is reported once (not per attempt), and while it lasts the answers to its failed
 * guesses are delayed (a tarpit), longer as the failures mount, capped. Nothing is refused
 * because of it and the right password is answered at once, so an attacker can slow guessing
 * down but never lock the agent out.
 *
 * The delay slows a guesser that waits for each answer (as SIP crackers do: the next guess
 * follows the 401); one that fires guesses in parallel without waiting is bounded by the
 * per-address ban alone.
 *
 * Usernames that are no account of this PBX get the same delays, from a table of bounded size,
 * and are never reported: otherwise the delay would tell a scanner which extensions exist
 * (digest-guard.ts answers a wrong password and an unknown user alike). Memory per account is
 * fixed (failures are counted in BUCKETS slices of the window, not one entry per failure).
 */

export interface ExtensionAttackPolicy {
  /** Failures against one account within `windowMs` that start an episode. */
  threshold: number;
  windowMs: number;
  /** The delay of a failed answer when an episode starts; doubled for every further `threshold` failures in the window. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Usernames that are no account, tracked at most (the oldest are forgotten first). */
  maxTrackedUnknown: number;
}

/**
 * 30 failures in 10 minutes: one address fails at most 5 times a minute and is then banned for
 * 5 minutes (security.authFailures defaults), about 10 failures in 10 minutes, so a phone left
 * with an old secret — even two of one agent — never starts an episode; guessing from several
 * addresses, or from behind a trusted proxy (never banned), does. Delays of 1 s doubling up to
 * 16 s: at 16 s a guesser waiting for answers gets about 4 guesses a minute per connection, and
 * the answer still arrives well within a client's transaction timeout (64*T1 = 32 s, RFC 3261
 * §17.1.2.2) while UDP retransmissions of the request are absorbed by the server transaction
 * (§17.2.2).
 */
export const EXTENSION_ATTACK_POLICY: Readonly<ExtensionAttackPolicy> = Object.freeze({
  threshold: 30,
  windowMs: 10 * 60_000,
  firstDelayMs: 1_000,
  maxDelayMs: 16_000,
  maxTrackedUnknown: 10_000,
});

/** Slices of the window: the count is exact to a tenth of the window. */
const BUCKETS = 10;
/** An unknown username is kept by its first characters only: a request may carry a huge one. */
const MAX_UNKNOWN_KEY_LENGTH = 128;

export interface AttackEpisode {
  /** The extension (or trunk account) named by the failed digests. */
  account: string;
  /** Epoch milliseconds. */
  since: number;
  /** Failures in the window when it began, and every one since. */
  failures: number;
}

export interface ExtensionAttackEvents {
  /** An account of this PBX starts an episode: once per episode. */
  onAttackStarted?(episode: AttackEpisode): void;
  /** A whole window has passed without a failure: the episode is over. */
  onAttackEnded?(episode: AttackEpisode, endedAt: number): void;
}

interface AccountRecord {
  counts: number[];
  /** The slice number (time / slice length) each count belongs to. */
  slices: number[];
  lastFailure: number;
  episode: AttackEpisode | undefined;
}

export class ExtensionAttackWatch {
  readonly #policy: Readonly<ExtensionAttackPolicy>;
  readonly #events: ExtensionAttackEvents;
  readonly #now: () => number;
  readonly #sliceMs: number;
  /** Accounts of this PBX: bounded by the directory itself. */
  readonly #known = new Map<string, AccountRecord>();
  /** Everything else, in least-recently-failed order. */
  readonly #unknown = new Map<string, AccountRecord>();

  constructor(policy: Readonly<ExtensionAttackPolicy> = EXTENSION_ATTACK_POLICY, events: ExtensionAttackEvents = {}, now: () => number = Date.now) {
    if (!(policy.threshold >= 1 && policy.windowMs >= BUCKETS && policy.firstDelayMs >= 0 && policy.maxDelayMs >= policy.firstDelayMs && policy.maxTrackedUnknown >= 1)) {
      throw new RangeError('extension attack policy: threshold >= 1, windowMs >= 10, 0 <= firstDelayMs <= maxDelayMs, maxTrackedUnknown >= 1');
    }
    this.#policy = policy;
    this.#events = events;
    this.#now = now;
    this.#sliceMs = policy.windowMs / BUCKETS;
  }

  /**
   * One failed digest naming `account` (`known`: an account of this PBX). Answers how long to
   * wait before sending the challenge back: 0 unless the account is under attack.
   */
  failure(account: string, known: boolean): number {
    const now = this.#now();
    const table = known ? this.#known : this.#unknown;
    const key = known ? account : account.slice(0, MAX_UNKNOWN_KEY_LENGTH);
    let record = table.get(key);
    if (record !== undefined && this.#isQuiet(record, now)) {
      this.#end(record, known, now);
      record = undefined;
    }
    if (record === undefined) {
      record = { counts: new Array<number>(BUCKETS).fill(0), slices: new Array<number>(BUCKETS).fill(-1), lastFailure: now, episode: undefined };
    }
    if (!known) {
      // Most recently failed last, so that eviction forgets the longest-quiet name.
      table.delete(key);
      if (table.size >= this.#policy.maxTrackedUnknown) table.delete(table.keys().next().value as string);
    }
    table.set(key, record);

    const slice = Math.floor(now / this.#sliceMs);
    const index = slice % BUCKETS;
    // A bucket last written in an older slice starts again from zero.
    record.counts[index] = (record.slices[index] === slice ? (record.counts[index] ?? 0) : 0) + 1;
    record.slices[index] = slice;
    record.lastFailure = now;
    const failures = this.#failuresInWindow(record, slice);
    if (record.episode === undefined) {
      if (failures < this.#policy.threshold) return 0;
      record.episode = { account: key, since: now, failures };
      if (known) this.#events.onAttackStarted?.({ ...record.episode });
    } else {
      record.episode.failures++;
    }
    return this.#delayFor(failures);
  }

  /** Ends the episodes of accounts quiet for a whole window and forgets their records (call it now and then). */
  sweep(): void {
    const now = this.#now();
    for (const [known, table] of [
      [true, this.#known],
      [false, this.#unknown],
    ] as const) {
      for (const [key, record] of table) {
        if (!this.#isQuiet(record, now)) continue;
        table.delete(key);
        this.#end(record, known, now);
      }
    }
  }

  /** Accounts of this PBX in an episode now. */
  get underAttack(): number {
    const now = this.#now();
    let count = 0;
    for (const record of this.#known.values()) if (record.episode !== undefined && !this.#isQuiet(record, now)) count++;
    return count;
  }

  /** Accounts and unknown usernames tracked (memory stays bounded). */
  get tracked(): number {
    return this.#known.size + this.#unknown.size;
  }

  #isQuiet(record: AccountRecord, now: number): boolean {
    return now - record.lastFailure >= this.#policy.windowMs;
  }

  #end(record: AccountRecord, known: boolean, now: number): void {
    if (record.episode !== undefined && known) this.#events.onAttackEnded?.({ ...record.episode }, now);
  }

  #failuresInWindow(record: AccountRecord, slice: number): number {
    let sum = 0;
    for (const [i, written] of record.slices.entries()) if (written > slice - BUCKETS) sum += record.counts[i] ?? 0;
    return sum;
  }

  /** firstDelayMs while under attack, doubled for every further `threshold` failures in the window, at most maxDelayMs. */
  #delayFor(failures: number): number {
    const { threshold, firstDelayMs, maxDelayMs } = this.#policy;
    const doublings = Math.max(0, Math.floor((failures - threshold) / threshold));
    return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(doublings, 30));
  }
}
