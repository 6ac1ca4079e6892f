/**
 * Dataverse's service protection limit on the number of requests, for tests and demos that must
 * see a client back off: per user, over a sliding window (Dataverse: 6000 requests in 300 s),
 * the request over the limit is answered 429 with `Retry-After` in whole seconds and the error
 * 0x80072322 "Number of requests exceeded the limit of 6000 over time window of 300 seconds."
 * https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
 *
 * A client that retries before Retry-After has passed is refused again with the time that is
 * left: Microsoft says to wait the duration out fully, and a client that keeps sending gets
 * longer waits. The execution-time and concurrency limits are not modelled.
 */
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';

export interface ThrottleLimits {
  /** Requests a user may make in one window. */
  requests: number;
  /** The sliding window (default 300 000 ms, Dataverse's five minutes). */
  windowMs?: number;
  /** Retry-After to announce (default: until the oldest counted request leaves the window). */
  retryAfterSeconds?: number;
}

export interface Admission {
  /** What `x-ms-ratelimit-burst-remaining-xrm-requests` reports after this request. */
  remaining: number;
}

const DEFAULT_WINDOW_MS = 300_000;

interface ActiveLimits {
  requests: number;
  windowMs: number;
  retryAfterSeconds?: number;
}

interface CallerState {
  /** When each counted request arrived, oldest first. */
  arrivals: number[];
  /** Refuse everything until then (ms since the epoch). */
  blockedUntil: number;
}

export class RequestThrottle {
  private limits: ActiveLimits | undefined;
  private readonly callers = new Map<string, CallerState>();

  /** Turns throttling on with these limits (forgetting earlier counts), or off with undefined. */
  configure(limits: ThrottleLimits | undefined): void {
    this.callers.clear();
    if (limits === undefined) {
      this.limits = undefined;
      return;
    }
    const windowMs = limits.windowMs ?? DEFAULT_WINDOW_MS;
    if (!Number.isInteger(limits.requests) || limits.requests < 1) throw new RangeError('throttle: requests must be a positive integer');
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('throttle: windowMs must be positive');
    if (limits.retryAfterSeconds !== undefined && (!Number.isInteger(limits.retryAfterSeconds) || limits.retryAfterSeconds < 1)) {
      throw new RangeError('throttle: retryAfterSeconds must be a positive integer');
    }
    this.limits = { requests: limits.requests, windowMs, retryAfterSeconds: limits.retryAfterSeconds };
  }

  get enabled(): boolean {
    return this.limits !== undefined;
  }

  /**
   * Counts a request by `caller` at `now` (ms); undefined when throttling is off. Throws the
   * 429 DataverseError, with its Retry-After header, when the caller is over the limit.
   */
  admit(caller: string, now: number): Admission | undefined {
    const limits = this.limits;
    if (!limits) return undefined;
    const state = this.callers.get(caller) ?? { arrivals: [], blockedUntil: 0 };
    this.callers.set(caller, state);
    if (state.blockedUntil > now) throw limitExceeded(limits.requests, limits.windowMs, state.blockedUntil - now);
    // Arrivals are in time order: drop those that left the window.
    const inWindow = state.arrivals.findIndex((at) => at > now - limits.windowMs);
    state.arrivals.splice(0, inWindow < 0 ? state.arrivals.length : inWindow);
    if (state.arrivals.length >= limits.requests) {
      const [oldest = now] = state.arrivals;
      const waitMs = limits.retryAfterSeconds !== undefined ? limits.retryAfterSeconds * 1000 : oldest + limits.windowMs - now;
      state.blockedUntil = now + waitMs;
      throw limitExceeded(limits.requests, limits.windowMs, waitMs);
    }
    state.arrivals.push(now);
    return { remaining: limits.requests - state.arrivals.length };
  }
}

function limitExceeded(requests: number, windowMs: number, waitMs: number): DataverseError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new DataverseError(
    429,
    DataverseErrorCode.RequestLimitExceeded,
    `Number of requests exceeded the limit of ${requests} over time window of ${Math.round(windowMs / 1000)} seconds.`,
    { 'Retry-After': String(seconds) },
  );
}
