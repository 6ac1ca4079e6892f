/**
 * Sign-ins in progress, kept on the server and keyed by their `state`. Each is bound to the
 * browser that started it: /dyncrm/sso/start sets a random value in a cookie and keeps only its
 * hash here; the redirect back must carry the same cookie, so a `state` (or a whole callback URL)
 * carried to another browser is worthless (RFC 9700 §4.7: CSRF protection of the redirect URI).
 * The popup is a top-level window and the redirect back is a top-level GET navigation, so a
 * `SameSite=Lax` cookie is sent with it. A flow is used once and lives FLOW_LIFETIME_MS.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Ten minutes: time to type a password and pass a second factor at the identity provider. */
export const FLOW_LIFETIME_MS = 10 * 60_000;
/** Abandoned popups must not grow memory without bound; the oldest flow goes first. */
export const MAX_PENDING_FLOWS = 10_000;

export const SSO_BINDING_COOKIE = 'callpane_sso';

export interface PendingFlow {
  providerId: string;
  codeVerifier: string;
  nonce: string;
  /** The redirect URI sent with the authorization request: the token request must repeat it. */
  redirectUri: string;
  /** Where the outcome waits for the pane (sso-handoffs.ts). */
  handoff: string;
}

interface StoredFlow extends PendingFlow {
  bindingHash: Buffer;
  expiresAt: number;
}

function hash(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export class SsoFlows {
  readonly #flows = new Map<string, StoredFlow>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A new browser binding value (the cookie's). */
  static newBinding(): string {
    return randomBytes(32).toString('base64url');
  }

  start(state: string, binding: string, flow: PendingFlow): void {
    this.#sweep();
    while (this.#flows.size >= MAX_PENDING_FLOWS) this.#flows.delete(this.#flows.keys().next().value as string);
    this.#flows.set(state, { ...flow, bindingHash: hash(binding), expiresAt: this.#now() + FLOW_LIFETIME_MS });
  }

  /**
   * The flow `state` names, when it is live and `binding` is the one it started with. It is
   * removed either way once found, so a second answer with the same state finds nothing.
   */
  take(state: string | undefined, binding: string | undefined): PendingFlow | undefined {
    if (state === undefined) return undefined;
    const stored = this.#flows.get(state);
    if (!stored) return undefined;
    this.#flows.delete(state);
    if (stored.expiresAt <= this.#now() || binding === undefined) return undefined;
    if (!timingSafeEqual(stored.bindingHash, hash(binding))) return undefined;
    const { bindingHash: _hash, expiresAt: _expires, ...flow } = stored;
    return flow;
  }

  get size(): number {
    return this.#flows.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [state, flow] of this.#flows) if (flow.expiresAt <= now) this.#flows.delete(state);
  }
}

/**
 * `Set-Cookie` for the binding: only /dyncrm needs it, scripts never. `Secure` like the session
 * cookie (browsers treat http://localhost and 127.0.0.1 as secure, so the local demo works).
 */
export function bindingCookie(value: string): string {
  return `${SSO_BINDING_COOKIE}=${value}; Path=/dyncrm; HttpOnly; Secure; SameSite=Lax; Max-Age=${FLOW_LIFETIME_MS / 1000}`;
}

/** The binding cookie's value in a Cookie header. */
export function bindingFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === SSO_BINDING_COOKIE) {
      const value = pair.slice(separator + 1).trim();
      if (value !== '') return value;
    }
  }
  return undefined;
}
