/**
 * Keeps the registered phone's SIP credentials fresh. The server issues short-lived ones
 * (src/security/pane-credentials.ts, 20 minutes), so the pane fetches new ones RENEW_BEFORE_MS
 * before they expire and gives them to its user agent. Times count from when an answer arrived
 * and the lifetime the server states (`expiresInSeconds`), so a wrong clock on the agent's
 * machine does not matter. A failed fetch is retried; a refused one (the session is over) ends
 * the pane's session.
 *
 * Timers are not enough on their own: a sleeping laptop or a long outage can let the credential
 * expire before its timer runs, and the user agent's next REGISTER is then refused. So the pane
 * also asks for a check when it wakes or comes back online (checkNow), and for new credentials
 * at once when a registration is refused for its credentials (recover).
 */
import type { ApiResult } from '../api/api-client.ts';
import type { SipCredentials } from '../api/api-types.ts';

/** Long before expiry, so a background tab's throttled timers (once a minute) still fire in time. */
export const RENEW_BEFORE_MS = 5 * 60_000;
export const RETRY_AFTER_MS = 30_000;
/** recover() fetches at most this often: each refused REGISTER counts against the address's SIP limit. */
export const RECOVER_INTERVAL_MS = 30_000;
/** Never busier than this, whatever the server says about expiry. */
const MIN_DELAY_MS = 10_000;

export interface CredentialRenewalOptions {
  fetch: () => Promise<ApiResult<SipCredentials>>;
  apply: (credentials: SipCredentials) => void;
  onSessionOver: () => void;
  now?: () => number;
}

interface Held {
  /** When the credential stops working, by this machine's clock. */
  expiresAt: number;
}

export class CredentialRenewal {
  readonly #options: CredentialRenewalOptions;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #held: Held | undefined;
  /** Bumped by start() and stop(): an answer to an older fetch is dropped. */
  #generation = 0;
  #fetching = false;
  #recoveredAt = -Infinity;

  constructor(options: CredentialRenewalOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** `current` was just received: renew before it expires, and again before each new one does. */
  start(current: SipCredentials): void {
    this.stop();
    this.#hold(current, undefined);
  }

  stop(): void {
    this.#generation++;
    this.#held = undefined;
    this.#fetching = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** After sleep or a lost connection: renews now when the credential is due (or past due). */
  checkNow(): void {
    const held = this.#held;
    if (held && held.expiresAt - RENEW_BEFORE_MS <= this.#now()) void this.#renew();
  }

  /** A registration was refused for its credentials: new ones at once (at most every RECOVER_INTERVAL_MS). */
  recover(): void {
    if (!this.#held || this.#now() - this.#recoveredAt < RECOVER_INTERVAL_MS) return;
    this.#recoveredAt = this.#now();
    void this.#renew();
  }

  #hold(credentials: SipCredentials, previous: Held | undefined): void {
    const held = { expiresAt: this.#now() + credentials.expiresInSeconds * 1000 };
    this.#held = held;
    // At the session's end a new credential lasts no longer than the last: fetching again before it
    // expires would gain nothing, so the next fetch is at its expiry (answered 401: signed out).
    const gainsTime = previous === undefined || held.expiresAt > previous.expiresAt;
    this.#schedule(held.expiresAt - (gainsTime ? RENEW_BEFORE_MS : 0) - this.#now());
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#renew(), Math.max(MIN_DELAY_MS, delay));
  }

  async #renew(): Promise<void> {
    if (this.#fetching) return;
    this.#fetching = true;
    const generation = this.#generation;
    const result = await this.#options.fetch();
    if (generation !== this.#generation) return;
    this.#fetching = false;
    if (result.ok) {
      const previous = this.#held;
      this.#options.apply(result.value);
      this.#hold(result.value, previous);
    } else if (result.error.status === 401) {
      this.stop();
      this.#options.onSessionOver();
    } else {
      this.#schedule(RETRY_AFTER_MS);
    }
  }
}
