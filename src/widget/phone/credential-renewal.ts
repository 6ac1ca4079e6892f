/**
 * Keeps the registered phone's SIP credentials fresh. The server issues short-lived ones
 * (src/security/pane-credentials.ts, 20 minutes), so the pane fetches new ones RENEW_BEFORE_MS
 * before they expire and gives them to its user agent; a failed fetch is retried, and a refused
 * one (the session is over) ends the pane's session.
 */
import type { ApiResult } from '../api/api-client.ts';
import type { SipCredentials } from '../api/api-types.ts';

/** Long before expiry, so a background tab's throttled timers (once a minute) still fire in time. */
export const RENEW_BEFORE_MS = 5 * 60_000;
export const RETRY_AFTER_MS = 30_000;
/** Never busier than this, whatever the server says about expiry. */
const MIN_DELAY_MS = 10_000;

export interface CredentialRenewalOptions {
  fetch: () => Promise<ApiResult<SipCredentials>>;
  apply: (credentials: SipCredentials) => void;
  onSessionOver: () => void;
  now?: () => number;
}

export class CredentialRenewal {
  readonly #options: CredentialRenewalOptions;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;

  constructor(options: CredentialRenewalOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Renews before `current` expires, and then again before each new one does. */
  start(current: SipCredentials): void {
    this.stop();
    this.#running = true;
    this.#scheduleFor(current);
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #scheduleFor(credentials: SipCredentials): void {
    this.#schedule(Date.parse(credentials.expiresAt) - RENEW_BEFORE_MS - this.#now());
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#renew(), Math.max(MIN_DELAY_MS, delay));
  }

  async #renew(): Promise<void> {
    const result = await this.#options.fetch();
    if (!this.#running) return;
    if (result.ok) {
      this.#options.apply(result.value);
      this.#scheduleFor(result.value);
    } else if (result.error.status === 401) {
      this.stop();
      this.#options.onSessionOver();
    } else {
      this.#schedule(RETRY_AFTER_MS);
    }
  }
}
