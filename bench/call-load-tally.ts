/**
 * What one run of the call load generator counted, and the result it reports: rates, latency
 * percentiles, responses by status, failures with the first few described.
 */
import type { CalleeStats } from './call-load-callee.ts';
import { latencySummary } from './sip-text.ts';

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface CallLoadResult {
  started: number;
  /** Calls whose INVITE got its 200. */
  setups: number;
  /** Calls whose BYE got its 200. */
  completed: number;
  /** Calls that failed: other final statuses, timeouts, a 200 without Record-Route, skipped starts. */
  errors: number;
  timeouts: number;
  /** Open loop: scheduled calls not started because every pair was still busy (also errors). */
  skipped: number;
  /** 401/407 answered with credentials. */
  challenges: number;
  /** First INVITE to the end of the last call. */
  elapsedMs: number;
  setupsPerSecond: number;
  /** Completed calls (INVITE … BYE 200) per second. */
  callsPerSecond: number;
  /** First INVITE sent (or scheduled, open loop) → 200 received, the 407 round trip included. */
  setup: LatencySummary;
  /** The same origin → the BYE's 200 received. */
  fullCall: LatencySummary;
  /** Responses the caller got, by "METHOD status". */
  statuses: Record<string, number>;
  /** Finals the caller got again, and INVITEs/BYEs the callee got again: the server fell behind. */
  retransmissionsSeen: number;
  callee: CalleeStats;
  /** Open loop: the latest a call left after its scheduled instant. */
  maxStartLagMs: number;
  firstErrors: string[];
}

const MAX_ERRORS_KEPT = 5;

export class CallTally {
  started = 0;
  setups = 0;
  completed = 0;
  timeouts = 0;
  skipped = 0;
  challenges = 0;
  retransmissionsSeen = 0;
  maxStartLagMs = 0;
  readonly startTime: number;
  lastEnd: number;
  readonly #setupLatencies: number[] = [];
  readonly #callLatencies: number[] = [];
  readonly #statuses: Record<string, number> = {};
  readonly #firstErrors: string[] = [];
  #errors = 0;

  constructor(startTime: number) {
    this.startTime = startTime;
    this.lastEnd = startTime;
  }

  response(method: string, status: number): void {
    const key = `${method} ${status}`;
    this.#statuses[key] = (this.#statuses[key] ?? 0) + 1;
  }

  setUp(latencyMs: number): void {
    this.setups++;
    this.#setupLatencies.push(latencyMs);
  }

  callCompleted(latencyMs: number): void {
    this.completed++;
    this.#callLatencies.push(latencyMs);
  }

  fail(description: string): void {
    this.#errors++;
    if (this.#firstErrors.length < MAX_ERRORS_KEPT) this.#firstErrors.push(description);
  }

  result(callee: CalleeStats): CallLoadResult {
    const elapsedMs = Math.max(this.lastEnd - this.startTime, 1e-3);
    return {
      started: this.started,
      setups: this.setups,
      completed: this.completed,
      errors: this.#errors,
      timeouts: this.timeouts,
      skipped: this.skipped,
      challenges: this.challenges,
      elapsedMs,
      setupsPerSecond: (this.setups * 1000) / elapsedMs,
      callsPerSecond: (this.completed * 1000) / elapsedMs,
      setup: latencySummary(this.#setupLatencies),
      fullCall: latencySummary(this.#callLatencies),
      statuses: { ...this.#statuses },
      retransmissionsSeen: this.retransmissionsSeen + callee.retransmittedRequests,
      callee,
      maxStartLagMs: this.maxStartLagMs,
      firstErrors: [...this.#firstErrors],
    };
  }
}
