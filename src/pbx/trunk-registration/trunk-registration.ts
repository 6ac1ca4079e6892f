/**
 * One trunk's registration, kept alive (RFC 3261 §10.2): REGISTER, answer the registrar's digest
 * challenge with the trunk's outbound credentials (§22.2, MD5 or SHA-256 per RFC 8760), renew
 * before the granted expiry, ask for the registrar's Min-Expires after a 423 (§10.2.8), try again
 * with exponential back-off after a failure (registration-timing.ts), and remove the binding
 * (Expires: 0, §10.2.2) when stopped.
 *
 * It holds no sockets: `send` runs each REGISTER in a client transaction and resolves with the
 * final response (the transaction's own 408 after Timer F, 503 when the transport failed,
 * §8.1.3.1), and the clock is injected, so tests drive time by hand.
 */
import { answerChallenge, parseDigestChallenge, type DigestChallenge, type DigestUserCredentials } from '../../sip/auth/index.ts';
import { contactsOf, expiresOf, formatUri, getHeader, getHeaders, isSipUri, parseUri } from '../../sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../sip/message/types.ts';
import { buildRegister, type RegistrationDialog } from './register-request.ts';
import { backoffDelayMs, refreshDelayMs } from './registration-timing.ts';

/**
 * - `registering`: the first attempt since start is under way;
 * - `registered`: the registrar accepted the last REGISTER (renewals keep this state);
 * - `failed`: the last attempt failed; `nextAttemptAt` says when the next one is;
 * - `unregistered`: stopped (the binding was removed, or never made).
 */
export type RegistrationState = 'registering' | 'registered' | 'failed' | 'unregistered';

export interface RegistrationStatus {
  trunk: string;
  state: RegistrationState;
  /** Why the last attempt failed: the registrar's status line, or what went wrong before one came. */
  reason?: string;
  /** Epoch milliseconds of the last change of state. */
  since: number;
  /** Epoch milliseconds the carrier's binding lapses at, while one is known to exist. */
  expiresAt?: number;
  /** Epoch milliseconds of the next REGISTER (a renewal or a retry). */
  nextAttemptAt?: number;
  /** Consecutive failed attempts. */
  failures: number;
  /** Seconds asked for (the configured value, or the registrar's Min-Expires after a 423). */
  expires: number;
}

export interface RegistrationClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface TrunkRegistrationOptions {
  trunk: string;
  dialog: RegistrationDialog;
  credentials: DigestUserCredentials;
  /** Seconds to ask for (`register.expires`). */
  expires: number;
  /** Sends the request in a client transaction: resolves with its final response. */
  send(request: SipRequest): Promise<SipResponse>;
  clock: RegistrationClock;
  /** [0, 1), for the back-off's jitter. */
  random?: () => number;
  /** Every new status, with the one it replaces (the caller logs changes of state). */
  onStatus?(status: RegistrationStatus, previous: RegistrationStatus): void;
}

/** What one REGISTER exchange (with its challenge and 423 answered) came to. */
type Outcome = { ok: true; response: SipResponse } | { ok: false; reason: string; retryAfter?: number };

/** A registrar asking for more than a day is not honoured: it is most likely misconfigured. */
const MAX_MIN_EXPIRES = 86_400;

export class TrunkRegistration {
  readonly #options: TrunkRegistrationOptions;
  readonly #random: () => number;
  #status: RegistrationStatus;
  #cseq = 0;
  #timer: unknown;
  /** Raised by stop(): an exchange still under way then changes nothing. */
  #generation = 0;

  constructor(options: TrunkRegistrationOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#status = { trunk: options.trunk, state: 'unregistered', since: options.clock.now(), failures: 0, expires: options.expires };
  }

  get status(): RegistrationStatus {
    return { ...this.#status };
  }

  /** Sends the first REGISTER; renewals and retries follow by themselves until stop(). */
  start(): void {
    this.#update({ state: 'registering', reason: undefined, nextAttemptAt: undefined });
    void this.#attempt();
  }

  /**
   * Stops renewing and, while the carrier still holds a binding, removes it (Expires: 0).
   * Resolves once the registrar answered or the transaction gave up; callers bound the wait.
   */
  async stop(): Promise<void> {
    this.#generation += 1;
    this.#clearTimer();
    const { expiresAt } = this.#status;
    const bound = expiresAt !== undefined && expiresAt > this.#options.clock.now();
    if (bound) await this.#exchange(0, this.#generation);
    this.#update({ state: 'unregistered', reason: undefined, expiresAt: undefined, nextAttemptAt: undefined });
  }

  async #attempt(): Promise<void> {
    const generation = this.#generation;
    const outcome = await this.#exchange(this.#status.expires, generation);
    if (generation !== this.#generation) return;
    const now = this.#options.clock.now();
    if (outcome.ok) {
      const granted = grantedSeconds(outcome.response, this.#options.dialog.contact, this.#status.expires);
      const delay = refreshDelayMs(granted);
      this.#update({ state: 'registered', reason: undefined, failures: 0, expiresAt: now + granted * 1000, nextAttemptAt: now + delay });
      this.#schedule(delay);
      return;
    }
    const failures = this.#status.failures + 1;
    const delay = backoffDelayMs(failures, this.#random, outcome.retryAfter);
    const { expiresAt } = this.#status;
    this.#update({
      state: 'failed',
      reason: outcome.reason,
      failures,
      // A binding from an earlier success may still be alive at the carrier: say until when.
      expiresAt: expiresAt !== undefined && expiresAt > now ? expiresAt : undefined,
      nextAttemptAt: now + delay,
    });
    this.#schedule(delay);
  }

  /**
   * One REGISTER asking for `expires` seconds, answering one digest challenge (a second only when
   * the registrar says our nonce was stale, RFC 7616 §3.3) and, when registering, one 423.
   */
  async #exchange(expires: number, generation: number): Promise<Outcome> {
    let asked = expires;
    let authorization: { name: string; value: string } | undefined;
    let answers = 0;
    let tooBrief = false;
    for (;;) {
      const request = buildRegister(this.#options.dialog, ++this.#cseq, asked);
      if (authorization) request.headers.push(authorization);
      let response: SipResponse;
      try {
        response = await this.#options.send(request);
      } catch (err) {
        return { ok: false, reason: `not sent: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (generation !== this.#generation && expires !== 0) return { ok: false, reason: 'stopped' };
      const { status } = response;
      if (status >= 200 && status < 300) return { ok: true, response };
      if (status === 401 || status === 407) {
        const challenges = digestChallenges(response);
        const stale = challenges.some((challenge) => challenge.stale === true);
        if (answers > 0 && !(stale && answers === 1))
          return { ok: false, reason: `${status} ${response.reason} (credentials refused: check outbound.username and outbound.password)` };
        try {
          const value = answerChallenge(challenges, { ...this.#options.credentials, method: 'REGISTER', uri: formatUri(request.uri) });
          authorization = { name: status === 407 ? 'Proxy-Authorization' : 'Authorization', value };
        } catch (err) {
          return { ok: false, reason: `${status} ${response.reason}: ${err instanceof Error ? err.message : String(err)}` };
        }
        answers += 1;
        continue;
      }
      if (status === 423 && expires !== 0 && !tooBrief) {
        const minimum = minExpiresOf(response);
        if (minimum === undefined || minimum <= asked || minimum > MAX_MIN_EXPIRES) {
          return { ok: false, reason: `423 ${response.reason} without a usable Min-Expires (got ${getHeader(response, 'Min-Expires') ?? 'none'})` };
        }
        // §10.2.8: ask again for at least the registrar's minimum, and keep asking for it.
        tooBrief = true;
        asked = minimum;
        this.#update({ expires: minimum });
        authorization = undefined;
        answers = 0;
        continue;
      }
      return { ok: false, reason: `${status} ${response.reason}`, retryAfter: retryAfterOf(response) };
    }
  }

  #schedule(delayMs: number): void {
    this.#clearTimer();
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#attempt();
    }, delayMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #update(change: Partial<RegistrationStatus>): void {
    const previous = this.#status;
    const next: RegistrationStatus = { ...previous, ...change };
    if (next.state !== previous.state) next.since = this.#options.clock.now();
    for (const key of Object.keys(next) as (keyof RegistrationStatus)[]) if (next[key] === undefined) delete next[key];
    this.#status = next;
    this.#options.onStatus?.({ ...next }, previous);
  }
}

function digestChallenges(response: SipResponse): DigestChallenge[] {
  const name = response.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  return getHeaders(response, name).flatMap((value) => {
    try {
      return [parseDigestChallenge(value)];
    } catch {
      // Another scheme, or a broken value: another line may still do.
      return [];
    }
  });
}

/**
 * The expiry the registrar granted our contact: its `expires` parameter in the 200's Contact
 * list, else the Expires header, else what was asked (RFC 3261 §10.2.4 lets it shorten, §10.3
 * step 8 says it lists every binding with its expiry).
 */
function grantedSeconds(response: SipResponse, ourContact: string, asked: number): number {
  const ours = parseUri(ourContact);
  for (const contact of safe(() => contactsOf(response)) ?? []) {
    const { uri } = contact;
    if (!isSipUri(uri) || !isSipUri(ours) || uri.user !== ours.user || uri.host.toLowerCase() !== ours.host.toLowerCase()) continue;
    const value = Number(contact.params.get('expires'));
    if (Number.isInteger(value) && value > 0) return value;
  }
  const header = safe(() => expiresOf(response));
  return header !== undefined && header > 0 ? header : asked;
}

function minExpiresOf(response: SipResponse): number | undefined {
  const value = getHeader(response, 'Min-Expires')?.trim();
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

/** RFC 3261 §20.33: seconds, optionally followed by a comment and parameters. */
function retryAfterOf(response: SipResponse): number | undefined {
  const match = /^\s*(\d{1,10})/.exec(getHeader(response, 'Retry-After') ?? '');
  return match ? Number(match[1]) : undefined;
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
