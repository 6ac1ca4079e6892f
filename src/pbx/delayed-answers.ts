/**
 * Answers sent after a delay: the tarpit for failed digests against an extension under attack
 * (extension-attack-watch.ts). Each delayed answer is sent exactly once, by its own timer, through
 * the server transaction it belongs to, which meanwhile absorbs the client's retransmissions
 * (RFC 3261 §17.2.2; an INVITE's has already sent its 100 Trying, §17.2.1). Memory stays bounded:
 * at most `maxPending` answers wait at once, and one past that is sent at once, as it would be
 * without the slowdown — the bound on memory wins over the slowdown.
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
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** A delayed answer that could not be sent (its transaction ended meanwhile): for the log. */
  onError?(error: unknown): void;
}

/**
 * 2,000 answers: each holds a challenge response and a timer (a few KiB with its request's
 * transaction, which lives until answered in any case), so a few MiB at most.
 */
export const MAX_PENDING_DELAYED_ANSWERS = 2_000;

export class DelayedAnswers {
  readonly #maxPending: number;
  readonly #clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new Set<TimerHandle>();

  constructor(options: DelayedAnswersOptions) {
    this.#maxPending = options.maxPending;
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Sends `response` through `responder` after `delayMs`, or now when nothing should wait or there is no room. */
  answer(responder: DelayedResponder, response: SipResponse, delayMs: number): void {
    if (!(delayMs > 0) || this.#pending.size >= this.#maxPending) {
      responder.respond(response);
      return;
    }
    const handle = this.#clock.setTimeout(() => {
      this.#pending.delete(handle);
      try {
        responder.respond(response);
      } catch (error) {
        // Never let it escape a timer: that would end the process.
        this.#onError(error);
      }
    }, delayMs);
    this.#pending.add(handle);
  }

  /** Answers waiting now. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Drops every waiting answer (shutdown: their transactions are dropped too). */
  close(): void {
    for (const handle of this.#pending) this.#clock.clearTimeout(handle);
    this.#pending.clear();
  }
}
