/**
 * Answers sent after a delay: the tarpit for failed digests against an extension under attack
 * (extension-attack-watch.ts). Each delayed answer is sent exactly once, by its own timer, through
 * the server transaction it belongs to, which meanwhile absorbs the client's retransmissions
 * (RFC 3261 §17.2.2; an INVITE's has already sent its 100 Trying, §17.2.1). A CANCEL of an INVITE
 * whose answer waits here takes it back (`cancel`): the INVITE is then answered 487 at once
 * (§9.2), not by the challenge seconds later. Memory stays bounded: at most `maxPending` answers
 * wait at once, at most `maxPendingPerAccount` of them for one account (so that one extension
 * under attack cannot take all the room and leave the guesses at every other one undelayed),
 * and one past either is sent at once, as it would be without the slowdown — the bound on
 * memory wins over the slowdown.
 */
import type { SipResponse } from '../sip/message/types.ts';
import { systemClock, type Clock, type TimerHandle } from '../sip/transaction/index.ts';

/** What an answer goes through: the route's responder (a server transaction). */
export interface DelayedResponder {
  respond(response: SipResponse): void;
}

export interface DelayedAnswersOptions {
  /** Answers waiting at once, at most. */
  maxPending: number;
  /** Answers waiting at once for one account (the digest username guessed at), at most. */
  maxPendingPerAccount: number;
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** A delayed answer that could not be sent (its transaction ended meanwhile): for the log. */
  onError?(error: unknown): void;
}

/**
 * 2,000 answers: each holds a challenge response and a timer (a few KiB with its request's
 * transaction, which lives until answered in any case), so a few MiB at most.
 */
export const MAX_PENDING_DELAYED_ANSWERS = 2_000;

/**
 * 200 per account, a tenth of the whole: an attack on one extension leaves 1,800 places to the
 * others, and starving them all takes attacks on ten extensions at once, each with 200 guesses
 * in flight. A guesser that waits for each answer (what the delay slows) holds one place per
 * connection, so 200 are already as many attacking hosts at once; past them, guesses at that
 * extension are answered at once and meet the per-address ban instead.
 */
export const MAX_PENDING_DELAYED_ANSWERS_PER_ACCOUNT = 200;

interface Pending {
  handle: TimerHandle;
  account: string;
}

export class DelayedAnswers {
  readonly #maxPending: number;
  readonly #maxPerAccount: number;
  readonly #clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  readonly #onError: (error: unknown) => void;
  /** By server transaction: a CANCEL finds its INVITE's here. */
  readonly #pending = new Map<object, Pending>();
  readonly #perAccount = new Map<string, number>();

  constructor(options: DelayedAnswersOptions) {
    this.#maxPending = options.maxPending;
    this.#maxPerAccount = options.maxPendingPerAccount;
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => undefined);
  }

  /**
   * Sends `response` through `responder` after `delayMs`, or now when nothing should wait or there
   * is no room (overall or for `account`, the digest username guessed at). `transaction` is what
   * `cancel` finds it by: the server transaction, when `responder` only wraps it.
   */
  answer(responder: DelayedResponder, response: SipResponse, delayMs: number, account: string, transaction: object = responder): void {
    const held = this.#perAccount.get(account) ?? 0;
    if (!(delayMs > 0) || this.#pending.size >= this.#maxPending || held >= this.#maxPerAccount || this.#pending.has(transaction)) {
      responder.respond(response);
      return;
    }
    const handle = this.#clock.setTimeout(() => {
      this.#forget(transaction);
      try {
        responder.respond(response);
      } catch (error) {
        // Never let it escape a timer: that would end the process.
        this.#onError(error);
      }
    }, delayMs);
    this.#pending.set(transaction, { handle, account });
    this.#perAccount.set(account, held + 1);
  }

  /**
   * Drops the answer waiting for `transaction`, if one does: its request was cancelled and the
   * caller answers it otherwise (487 to a cancelled INVITE). Whether one was waiting.
   */
  cancel(transaction: object): boolean {
    const entry = this.#forget(transaction);
    if (entry === undefined) return false;
    this.#clock.clearTimeout(entry.handle);
    return true;
  }

  /** Answers waiting now for `account`. */
  pendingFor(account: string): number {
    return this.#perAccount.get(account) ?? 0;
  }

  /** Answers waiting now. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Drops every waiting answer (shutdown: their transactions are dropped too). */
  close(): void {
    for (const { handle } of this.#pending.values()) this.#clock.clearTimeout(handle);
    this.#pending.clear();
    this.#perAccount.clear();
  }

  #forget(transaction: object): Pending | undefined {
    const entry = this.#pending.get(transaction);
    if (entry === undefined) return undefined;
    this.#pending.delete(transaction);
    const held = (this.#perAccount.get(entry.account) ?? 1) - 1;
    if (held > 0) this.#perAccount.set(entry.account, held);
    else this.#perAccount.delete(entry.account);
    return entry;
  }
}
