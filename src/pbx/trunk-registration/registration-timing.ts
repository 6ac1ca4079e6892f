/**
 * When a registration to a trunk is renewed, and when a failed one is tried again.
 *
 * - Refresh: a binding lapses at the expiry the registrar granted (RFC 3261 §10.2.1.1, §10.3
 *   step 7), so it is renewed a margin before that, and never later than half-way through, so
 *   that one lost REGISTER (UDP: Timer F, 32 s) and a digest round trip still fit in time.
 * - Floor: a registrar may grant less than asked (§10.2.1), and one granting a few seconds would
 *   otherwise get a REGISTER (and its digest round) every second or faster per trunk, which
 *   carriers' flood protection answers by blocking the address. So renewals are at least
 *   MIN_REFRESH_SECONDS apart, even though the binding then lapses between them. Asking again
 *   with a longer Expires would not help: the REGISTER already asked for register.expires (at
 *   least 60 s), the registrar chose to shorten it, and §10.2.8 gives a registrar (423) but not a
 *   UA a way to insist on an interval; the fix is on the carrier's side.
 * - Back-off: as RFC 5626 §4.5 prescribes for a UA that lost its registrations, the wait doubles
 *   with each consecutive failure up to a cap, and is drawn between half and all of that, so
 *   that many Callpanes behind one carrier outage do not come back in step.
 */

/** Renew this long before the binding expires (when that is later than half-way). */
export const REFRESH_MARGIN_SECONDS = 60;
/** Renewals are never closer together than this, whatever the registrar granted. */
export const MIN_REFRESH_SECONDS = 30;
/** Wait after the first failure before jitter. */
export const BACKOFF_BASE_SECONDS = 10;
/** The longest wait between attempts, however many have failed. */
export const BACKOFF_CAP_SECONDS = 300;
/** A carrier's Retry-After is honoured up to this; a longer one is likely a mistake. */
export const RETRY_AFTER_CAP_SECONDS = 3600;

/** Milliseconds after a successful REGISTER granted `grantedSeconds` to send the next one. */
export function refreshDelayMs(grantedSeconds: number): number {
  const seconds = Math.max(grantedSeconds / 2, grantedSeconds - REFRESH_MARGIN_SECONDS, MIN_REFRESH_SECONDS);
  return Math.round(seconds * 1000);
}

/**
 * Milliseconds to wait after the `failures`-th consecutive failure (1 for the first). `random`
 * returns [0, 1); a carrier's Retry-After (seconds) raises the wait, never lowers it.
 */
export function backoffDelayMs(failures: number, random: () => number, retryAfterSeconds?: number): number {
  const ceiling = Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.max(0, failures - 1));
  const drawn = ceiling * (0.5 + 0.5 * random());
  const floor = retryAfterSeconds === undefined ? 0 : Math.min(retryAfterSeconds, RETRY_AFTER_CAP_SECONDS);
  return Math.round(Math.max(drawn, floor) * 1000);
}
