/**
 * How long a journal entry waits after an attempt that failed for a reason that may pass
 * (Dataverse throttling past the client's own retries, a 5xx, a timeout, no network): exponential
 * in the attempts so far, capped, with "full jitter" over its upper half so that entries failed
 * together by one outage do not return together. Throttling itself (429 with Retry-After) is the
 * client's to wait out (https://learn.microsoft.com/power-apps/developer/data-platform/api-limits).
 */
export interface RetryDelayOptions {
  /** After the first failed attempt (default 5 s). */
  baseMs?: number;
  /** Never longer (default 10 minutes). */
  maxMs?: number;
}

export const DEFAULT_RETRY_DELAY = { baseMs: 5_000, maxMs: 600_000 } as const;

/** Milliseconds to wait after `attempts` failed attempts (1 or more); `random` in [0, 1). */
export function retryDelayMs(attempts: number, random: number, options: RetryDelayOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_RETRY_DELAY.baseMs;
  const max = options.maxMs ?? DEFAULT_RETRY_DELAY.maxMs;
  const ceiling = Math.min(max, base * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
