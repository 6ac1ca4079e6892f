/**
 * How a sign-in that ends in the popup reaches the pane that opened it. The popup is a top-level
 * window of our origin; the pane is our origin framed inside Dynamics, whose cookies are
 * partitioned by the top-level site (docs/cif-contract.md §7): nothing the popup stores is visible to the
 * pane, so the session must start in the pane's own request. And window.opener may be gone:
 * an identity provider's Cross-Origin-Opener-Policy severs it for good, even after the popup
 * returns to our origin (https://html.spec.whatwg.org/multipage/browsers.html#cross-origin-opener-policies).
 *
 * So the pane makes a one-time random secret, sends only its SHA-256 (the handoff) with
 * /dyncrm/sso/start, and claims the outcome with the secret itself (POST /api/session/sso).
 * Nothing secret passes through the popup, its URL or the identity provider: whoever sees the
 * handoff cannot claim it, and the session's tokens are made only in the claiming request.
 * The popup's message to window.opener, when it still exists, only tells the pane to claim now.
 */
import { createHash } from 'node:crypto';
import type { SsoErrorCode } from '../../contract/sso.ts';
import { FLOW_LIFETIME_MS, MAX_PENDING_FLOWS } from './sso-flows.ts';

/** base64url of a SHA-256: 43 characters. The pane's secret is 32 random bytes, the same shape. */
export const HANDOFF_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** An outcome nobody claims (the pane was closed) is forgotten after this. */
export const OUTCOME_LIFETIME_MS = 2 * 60_000;

export type HandoffOutcome = { status: 'pending' } | { status: 'succeeded'; extension: string } | { status: 'failed'; code: SsoErrorCode; message: string };

interface Entry {
  outcome: HandoffOutcome;
  expiresAt: number;
}

/** The handoff a secret stands for. */
export function handoffOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export class SsoHandoffs {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A sign-in for this handoff has started in a popup; false (and nothing changed) when the handoff was seen before. */
  begin(handoff: string): boolean {
    this.#sweep();
    if (this.#entries.has(handoff)) return false;
    while (this.#entries.size >= MAX_PENDING_FLOWS) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(handoff, { outcome: { status: 'pending' }, expiresAt: this.#now() + FLOW_LIFETIME_MS });
    return true;
  }

  /** The popup's sign-in ended; kept for the pane to claim. Ignored for a handoff that is not waiting. */
  finish(handoff: string, outcome: Exclude<HandoffOutcome, { status: 'pending' }>): void {
    const entry = this.#entries.get(handoff);
    if (entry?.outcome.status !== 'pending') return;
    this.#entries.set(handoff, { outcome, expiresAt: this.#now() + OUTCOME_LIFETIME_MS });
  }

  /**
   * What the pane holding `secret` may know: `pending` while the popup is still at work, the
   * outcome once (it is removed when claimed), undefined when there is nothing (never started,
   * expired, or already claimed).
   */
  claim(secret: string): HandoffOutcome | undefined {
    const handoff = handoffOf(secret);
    const entry = this.#entries.get(handoff);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(handoff);
      return undefined;
    }
    if (entry.outcome.status !== 'pending') this.#entries.delete(handoff);
    return entry.outcome;
  }

  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [handoff, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(handoff);
  }
}
