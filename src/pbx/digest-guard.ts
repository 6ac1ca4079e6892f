import { DigestAuthenticator, parseDigestCredentials } from '../sip/auth/index.ts';
import type { DigestAlgorithm, DigestCredentials } from '../sip/auth/index.ts';
import { addHeader, createResponse, formatUri, getHeaders } from '../sip/message/index.ts';
import type { SipRequest, SipResponse } from '../sip/message/types.ts';
import type { FailureLockout } from '../security/failure-lockout.ts';
import type { ExtensionAttackWatch } from './extension-attack-watch.ts';

/**
 * `expired`: a right digest with a genuine pane credential that has expired or whose web session
 * ended; refused like a wrong one, but no guess, so it counts toward no ban.
 */
export type GuardRefusalReason = 'challenge' | 'stale' | 'failed' | 'expired' | 'banned';

export type GuardOutcome =
  | { ok: true; user: string; sessionTag?: string }
  | {
      ok: false;
      response: SipResponse;
      reason: GuardRefusalReason;
      /** For `failed` and `expired`: the extension (or trunk account) of this PBX the digest named, when it names one. */
      target?: string;
      /** Send the response only after this long: failed guesses at an extension under attack are slowed down. */
      delayMs?: number;
      /** With `delayMs`: the account guessed at (the digest username; an extension's number), whose delayed answers are bounded. */
      delayAccount?: string;
    };

export interface ProvenIdentity {
  password: string;
  /** The extension number or trunk username the request authenticates as. */
  user: string;
  /** Set for a pane credential: the web session it was issued to, whose end ends its registrations. */
  sessionTag?: string;
  /**
   * A genuine pane credential that no longer admits anyone: past its moment, or its web session
   * ended. A right digest with it is refused, but not counted as a guess: a pane that slept
   * through its renewal is no attacker (behind a proxy, counting it banned every pane).
   */
  expired?: boolean;
}

export interface DigestGuardOptions {
  realm: string;
  /**
   * What a digest username proves: the password to check and who the request then comes from —
   * the username itself for an extension's or a trunk's own secret, the extension for a pane's
   * short-lived credential. Undefined for an unknown username.
   */
  credentialOf: (username: string) => ProvenIdentity | undefined;
  limiter: FailureLockout;
  /** Failures per extension, from any address: tells how long to hold back the answer to a guess. */
  attacks?: ExtensionAttackWatch;
  /** Called when an address gets banned, for the log and /metrics. */
  onBan?: (address: string, until: number) => void;
  /** Challenges offered, most preferred first (config sip.digestAlgorithms). */
  algorithms?: DigestAlgorithm[];
  authenticator?: DigestAuthenticator;
}

/**
 * Digest authentication of requests from extensions: 401 challenges for a registrar, 407 for the
 * proxy (RFC 3261 §22.1, §22.3). A wrong password and an unknown user get the same challenge, so
 * the answer never tells a scanner which extensions exist; repeated failures from one address get
 * it banned by the limiter (unless it is a trusted proxy's own, `neverBan`), and failures against one extension
 * from any addresses slow down the answers to its guesses (extension-attack-watch.ts).
 */
export class DigestGuard {
  readonly #options: DigestGuardOptions;
  readonly #authenticator: DigestAuthenticator;

  constructor(options: DigestGuardOptions) {
    this.#options = options;
    // MD5 first unless told otherwise: JsSIP (the pane's SIP stack) reads only the first
    // challenge and knows only MD5, while clients that prefer SHA-256 find it offered (RFC 8760 §2.4).
    this.#authenticator = options.authenticator ?? new DigestAuthenticator({ realm: options.realm, algorithms: options.algorithms ?? ['MD5', 'SHA-256'] });
  }

  /**
   * `neverBan`: the request comes from a trusted reverse proxy speaking for itself (`Flow.trustedProxy`):
   * its address is every client's behind it, so the per-address ban neither counts nor refuses it
   * (the per-extension watch still counts its failures).
   */
  authenticate(request: SipRequest, sourceAddress: string, as: 'registrar' | 'proxy', neverBan = false): GuardOutcome {
    const { limiter } = this.#options;
    if (!neverBan && limiter.lockedUntil(sourceAddress) !== undefined) {
      return { ok: false, reason: 'banned', response: createResponse(request, 403, { reason: 'Forbidden' }) };
    }
    const credentials = this.#credentialsFor(request, as);
    if (credentials === undefined) return { ok: false, reason: 'challenge', response: this.#challenge(request, as, false) };

    const proven = this.#options.credentialOf(credentials.username);
    const result = this.#authenticator.verify({ method: request.method, uri: formatUri(request.uri), credentials }, () => proven && { password: proven.password });
    if (result.ok && proven?.expired === true) {
      // Refused with the same challenge as a wrong password, but no guess: neither the ban nor
      // the per-extension watch counts it.
      return { ok: false, reason: 'expired', target: proven.user, response: this.#challenge(request, as, false) };
    }
    if (result.ok) {
      if (!neverBan) limiter.recordSuccess(sourceAddress);
      // A verified digest had a credential to check against: `proven` is set.
      const user = proven?.user ?? result.username;
      return proven?.sessionTag === undefined ? { ok: true, user } : { ok: true, user, sessionTag: proven.sessionTag };
    }
    if (result.reason === 'stale-nonce') return { ok: false, reason: 'stale', response: this.#challenge(request, as, true) };
    const bannedUntil = neverBan ? undefined : limiter.recordFailure(sourceAddress);
    if (bannedUntil !== undefined) this.#options.onBan?.(sourceAddress, bannedUntil);
    // An unknown username is watched too (never reported): were only real extensions delayed,
    // the delay would tell a scanner which exist.
    const account = proven?.user ?? credentials.username;
    const delayMs = this.#options.attacks?.failure(account, proven !== undefined) ?? 0;
    const response = this.#challenge(request, as, false);
    return { ok: false, reason: 'failed', response, ...(proven === undefined ? {} : { target: proven.user }), ...(delayMs > 0 ? { delayMs, delayAccount: account } : {}) };
  }

  /** Credentials for our realm; other schemes and realms are ignored (RFC 4475 §3.3.7). */
  #credentialsFor(request: SipRequest, as: 'registrar' | 'proxy'): DigestCredentials | undefined {
    const header = as === 'registrar' ? 'Authorization' : 'Proxy-Authorization';
    for (const value of getHeaders(request, header)) {
      try {
        const credentials = parseDigestCredentials(value);
        if (credentials.realm === this.#options.realm) return credentials;
      } catch {
        // Not Digest credentials this guard can read: the next header may be.
      }
    }
    return undefined;
  }

  #challenge(request: SipRequest, as: 'registrar' | 'proxy', stale: boolean): SipResponse {
    const challenge = this.#authenticator.challenge({ stale, proxy: as === 'proxy' });
    const response = createResponse(request, as === 'proxy' ? 407 : 401);
    for (const value of challenge.values) addHeader(response, challenge.header, value);
    return response;
  }
}
