/**
 * Short-lived access tokens (issue 6 §2): what every /api request and the event channel present.
 * A session's long-lived secret (its refresh token) only mints these, at /api/session/refresh,
 * so a leaked access token is worth minutes — its own ACCESS_TOKEN_LIFETIME_MS, and a SIP
 * credential it could fetch, which lasts 20 (src/security/pane-credentials.ts); an event channel
 * it opened lives until the session ends — and the long-lived secret crosses the network once per
 * refresh instead of with every request (RFC 6749 §1.5; RFC 9700 §2.2.2 for the split).
 *
 * They are kept in memory only, by their SHA-256: nothing to clean up on disk, and a restart
 * simply refuses them (401 invalid_token), after which clients refresh. Each is checked against
 * its session on use as well (session-service.ts), so a session ended by another process
 * (`callpane sessions revoke`) ends its access tokens at once too.
 */
import { hashSessionToken, newSessionToken } from './session-token.ts';

/** 15 minutes: short enough to limit a leak, long enough that a pane refreshes a few times an hour. */
export const ACCESS_TOKEN_LIFETIME_MS = 15 * 60_000;
/**
 * Live tokens one session may hold; the oldest is dropped for a new one. Each tab's pane holds one
 * at a time, so this is many tabs, and a client refreshing in a loop cannot grow the map.
 */
export const MAX_TOKENS_PER_SESSION = 20;
/** Dead tokens are swept at most this often, on issue. */
const SWEEP_INTERVAL_MS = 60_000;

export interface AccessToken {
  token: string;
  /** Epoch milliseconds: never after the session's own end. */
  expiresAt: number;
}

interface Entry {
  sessionId: string;
  expiresAt: number;
}

export class AccessTokens {
  readonly #entries = new Map<string, Entry>();
  /** The keys of each session's tokens, oldest first. */
  readonly #bySession = new Map<string, string[]>();
  readonly #now: () => number;
  readonly #lifetimeMs: number;
  #sweptAt = 0;

  constructor(now: () => number, lifetimeMs = ACCESS_TOKEN_LIFETIME_MS) {
    this.#now = now;
    this.#lifetimeMs = lifetimeMs;
  }

  issue(sessionId: string, sessionEnd: number): AccessToken {
    const now = this.#now();
    this.#sweep(now);
    const token = newSessionToken();
    const expiresAt = Math.min(now + this.#lifetimeMs, sessionEnd);
    const key = hashSessionToken(token);
    const keys = (this.#bySession.get(sessionId) ?? []).filter((held) => this.#entries.has(held));
    while (keys.length >= MAX_TOKENS_PER_SESSION) this.#entries.delete(keys.shift() as string);
    keys.push(key);
    this.#bySession.set(sessionId, keys);
    this.#entries.set(key, { sessionId, expiresAt });
    return { token, expiresAt };
  }

  /** The session id a live token belongs to; undefined when unknown, revoked or expired. */
  sessionOf(token: string): string | undefined {
    const key = hashSessionToken(token);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.sessionId;
  }

  /** Ends every token of a session. */
  revokeSession(sessionId: string): void {
    for (const key of this.#bySession.get(sessionId) ?? []) this.#entries.delete(key);
    this.#bySession.delete(sessionId);
  }

  get size(): number {
    return this.#entries.size;
  }

  #sweep(now: number): void {
    if (now - this.#sweptAt < SWEEP_INTERVAL_MS) return;
    this.#sweptAt = now;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    for (const [sessionId, keys] of this.#bySession) {
      const live = keys.filter((key) => this.#entries.has(key));
      if (live.length === 0) this.#bySession.delete(sessionId);
      else this.#bySession.set(sessionId, live);
    }
  }
}
