/**
 * When to send a failed Web API request again, as plain arithmetic (no clock, no I/O): the
 * client asks after each attempt and sleeps what this answers.
 *
 * - 429 (service protection): wait exactly what `Retry-After` says — Dataverse extends the
 *   penalty for a client that comes back earlier — up to `maxThrottledAttempts` sends; a wait
 *   longer than `maxRetryAfterMs` is not slept through in-process: the request fails retryable
 *   and the caller's own schedule (the journal's outbox) takes it up later.
 *   https://learn.microsoft.com/power-apps/developer/data-platform/api-limits#how-to-re-try
 * - 5xx, timeouts and connection errors: exponential back-off with "equal jitter" (half the
 *   step fixed, half random), so that many requests failing together do not come back together;
 *   a 503 with Retry-After waits that instead (RFC 9110 §10.2.3). Up to `maxTransientAttempts`.
 */

export interface RetryPolicy {
  /** Sends in all for a request answered 429 each time. */
  maxThrottledAttempts: number;
  /** Sends in all for a request that fails transiently each time. */
  maxTransientAttempts: number;
  /** The first back-off step; each next one doubles, up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** The longest Retry-After the client sleeps through itself. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxThrottledAttempts: 8,
  maxTransientAttempts: 4,
  baseBackoffMs: 1000,
  maxBackoffMs: 30_000,
  // Dataverse's execution-time window is 5 minutes: a penalty can approach it.
  maxRetryAfterMs: 5 * 60_000,
};

/** What an attempt ended in, as far as retrying goes. */
export type AttemptFailure = { kind: 'throttled'; retryAfterMs: number | undefined } | { kind: 'transient'; retryAfterMs: number | undefined };

/** Failed attempts so far of one request, by kind (the one just failed included). */
export interface AttemptCounts {
  throttled: number;
  transient: number;
}

/** Milliseconds to wait before the next send, or undefined: give up (the failure is retryable later). */
export function nextDelay(failure: AttemptFailure, counts: AttemptCounts, policy: RetryPolicy, random: () => number): number | undefined {
  if (failure.kind === 'throttled') {
    if (counts.throttled >= policy.maxThrottledAttempts) return undefined;
    // A 429 without a usable Retry-After: back off as for a transient failure.
    const wait = failure.retryAfterMs ?? backoff(counts.throttled, policy, random);
    return wait > policy.maxRetryAfterMs ? undefined : wait;
  }
  if (counts.transient >= policy.maxTransientAttempts) return undefined;
  const wait = failure.retryAfterMs ?? backoff(counts.transient, policy, random);
  return wait > policy.maxRetryAfterMs ? undefined : wait;
}

/** The `failures`-th back-off (1 = after the first failure): base·2^(n-1), capped, half of it jittered. */
export function backoff(failures: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * RFC 9110 §10.2.3: `Retry-After: delay-seconds / HTTP-date`, in milliseconds from `now`;
 * undefined when absent or unreadable. A date in the past is no wait.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Not RFC 9110, but what some proxies send: fractional seconds.
  if (/^\d+\.\d+$/.test(text)) return Math.round(Number(text) * 1000);
  // HTTP-date (IMF-fixdate and the obsolete forms) always ends in GMT; Date.parse alone would take "-5" as a year.
  const date = /GMT$/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
