/**
 * Sign-in with an identity provider, from the pane's side. Identity pages refuse to be framed,
 * so the flow runs in a popup (docs/cif-contract.md §6); the session must still start in the pane's own
 * request, because the pane's cookies live in Dynamics' partition, not the popup's. So:
 *
 * 1. on the click, open an empty popup at once (a popup opened later, after an await, may count
 *    as unrequested and be blocked); a blocked one is reported so the view can offer a retry;
 * 2. make a one-time secret, and send the popup to /dyncrm/sso/start with only its SHA-256;
 * 3. claim the outcome with the secret (POST /api/session/sso) until it is known — at once when
 *    the popup's result page posts to us, and every POLL_INTERVAL_MS anyway, because an identity
 *    provider's Cross-Origin-Opener-Policy may have cut the popup off from this window for good.
 *
 * See src/server/sso/sso-handoffs.ts for the server's half.
 */
import type { ApiClient } from '../api/api-client.ts';
import type { SessionView } from '../api/api-types.ts';

export const SSO_START_PATH = '/dyncrm/sso/start';
export const POLL_INTERVAL_MS = 1500;
/** As long as the server keeps a sign-in in progress (FLOW_LIFETIME_MS). */
export const GIVE_UP_AFTER_MS = 10 * 60_000;
/** Each popup gets its own unguessable name: other frames of the Dynamics page could otherwise aim a link at it by name. */
const POPUP_NAME_PREFIX = 'callpane-sso-';
const POPUP_FEATURES = 'popup,width=520,height=680';

export type SsoPhase = { phase: 'idle' } | { phase: 'waiting'; providerId: string } | { phase: 'blocked'; providerId: string };

export type SsoEnd =
  | { kind: 'signed-in'; session: SessionView }
  | { kind: 'failed'; message: string }
  /** Nobody finished the sign-in in time, or its outcome was already claimed. */
  | { kind: 'expired' };

/** What the browser gives us, injectable for tests. */
export interface SsoBrowser {
  origin: string;
  open(url: string, name: string, features: string): Window | null;
  randomSecret(): string;
  sha256(text: string): Promise<string>;
  onMessage(listener: (event: MessageEvent) => void): () => void;
}

export interface SsoSignInOptions {
  api: Pick<ApiClient, 'claimSso'>;
  browser: SsoBrowser;
  onPhase: (phase: SsoPhase) => void;
  onEnd: (end: SsoEnd) => void;
  now?: () => number;
}

/** A running sign-in: ended by its outcome, by cancel(), or by a new start(). */
interface Attempt {
  secret: string;
  popup: Window;
  startedAt: number;
  /** The server has seen the popup's start: a "not found" after this means expired or used. */
  seenPending: boolean;
  timer?: ReturnType<typeof setTimeout>;
  claiming: boolean;
  stopListening: () => void;
}

export class SsoSignIn {
  readonly #options: SsoSignInOptions;
  readonly #now: () => number;
  #attempt: Attempt | undefined;

  constructor(options: SsoSignInOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Call from the click itself, synchronously, so the browser lets the popup open. */
  start(providerId: string): void {
    this.#stop();
    const popup = this.#options.browser.open('', `${POPUP_NAME_PREFIX}${this.#options.browser.randomSecret()}`, POPUP_FEATURES);
    if (!popup) {
      this.#options.onPhase({ phase: 'blocked', providerId });
      return;
    }
    const secret = this.#options.browser.randomSecret();
    const attempt: Attempt = { secret, popup, startedAt: this.#now(), seenPending: false, claiming: false, stopListening: () => {} };
    this.#attempt = attempt;
    attempt.stopListening = this.#options.browser.onMessage((event) => {
      // Only our own popup's result page; CIF's messages from Dynamics come from another origin.
      if (event.origin !== this.#options.browser.origin || event.source !== popup || this.#attempt !== attempt) return;
      const result = event.data as { type?: unknown; ok?: unknown; message?: unknown } | null;
      if (result?.type !== 'callpane-sso') return;
      // A failure the popup shows may have no outcome to claim (a sign-in it cannot match).
      if (result.ok === false && typeof result.message === 'string') this.#end({ kind: 'failed', message: result.message });
      else void this.#claim(attempt);
    });
    this.#options.onPhase({ phase: 'waiting', providerId });
    void this.#options.browser.sha256(secret).then((handoff) => {
      if (this.#attempt !== attempt) return;
      const query = new URLSearchParams({ provider: providerId, handoff });
      popup.location.replace(`${this.#options.browser.origin}${SSO_START_PATH}?${query}`);
      this.#schedule(attempt);
    });
  }

  cancel(): void {
    const attempt = this.#attempt;
    this.#stop();
    try {
      attempt?.popup.close();
    } catch {
      // A popup cut off by its opener policy cannot be closed from here; the agent closes it.
    }
    this.#options.onPhase({ phase: 'idle' });
  }

  #schedule(attempt: Attempt): void {
    clearTimeout(attempt.timer);
    attempt.timer = setTimeout(() => void this.#claim(attempt), POLL_INTERVAL_MS);
  }

  async #claim(attempt: Attempt): Promise<void> {
    if (attempt.claiming) return;
    attempt.claiming = true;
    const result = await this.#options.api.claimSso(attempt.secret);
    attempt.claiming = false;
    if (this.#attempt !== attempt) return;
    if (result.ok && result.value.status === 'signed-in') return this.#end({ kind: 'signed-in', session: result.value.session });
    if (!result.ok && result.error.status === 403) return this.#end({ kind: 'failed', message: result.error.message });
    if (result.ok) attempt.seenPending = true;
    // Not found before the popup reached the server is only too early; after, it is over.
    else if (result.error.status === 404 && attempt.seenPending) return this.#end({ kind: 'expired' });
    if (this.#now() - attempt.startedAt >= GIVE_UP_AFTER_MS) return this.#end({ kind: 'expired' });
    this.#schedule(attempt);
  }

  #end(end: SsoEnd): void {
    this.#stop();
    this.#options.onPhase({ phase: 'idle' });
    this.#options.onEnd(end);
  }

  #stop(): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    if (!attempt) return;
    clearTimeout(attempt.timer);
    attempt.stopListening();
  }
}

/** The real browser: window.open, crypto.getRandomValues and SubtleCrypto. */
export function browserSso(): SsoBrowser {
  return {
    origin: location.origin,
    open: (url, name, features) => window.open(url, name, features),
    randomSecret() {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      return base64url(bytes);
    },
    async sha256(text) {
      return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
    },
    onMessage(listener) {
      addEventListener('message', listener);
      return () => removeEventListener('message', listener);
    },
  };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
