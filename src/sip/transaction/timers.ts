/**
 * Transaction timers (RFC 3261 §17 and Table 4 of Appendix A). Every duration derives from T1, T2
 * and T4; the clock is injected so tests can run whole retransmission schedules instantly.
 */

export interface TimerConfig {
  /** RTT estimate, the first retransmission interval (RFC 3261 §17.1.1.1). */
  T1: number;
  /** Maximum retransmission interval for non-INVITE requests and INVITE responses. */
  T2: number;
  /** Maximum time a message can remain in the network. */
  T4: number;
}

export const DEFAULT_TIMER_CONFIG: Readonly<TimerConfig> = Object.freeze({ T1: 500, T2: 4000, T4: 5000 });

/** Timer D: "at least 32 seconds" on unreliable transports (RFC 3261 §17.1.1.2), not T1-based. */
export const TIMER_D_UNRELIABLE = 32_000;

export type TimerHandle = unknown;

export interface Clock {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  now(): number;
}

/**
 * The real clock. Timers are unref'd: a pending Timer D or K must not keep a process alive that
 * has nothing else to do (sockets keep a running server alive anyway).
 */
export const systemClock: Clock = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};

/** Named one-shot timers of one transaction; starting a running name restarts it. */
export class TimerSet<Name extends string> {
  readonly #clock: Clock;
  readonly #running = new Map<Name, TimerHandle>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  start(name: Name, ms: number, callback: () => void): void {
    this.stop(name);
    const handle = this.#clock.setTimeout(() => {
      this.#running.delete(name);
      callback();
    }, ms);
    this.#running.set(name, handle);
  }

  stop(name: Name): void {
    const handle = this.#running.get(name);
    if (handle === undefined) return;
    this.#clock.clearTimeout(handle);
    this.#running.delete(name);
  }

  stopAll(): void {
    for (const handle of this.#running.values()) this.#clock.clearTimeout(handle);
    this.#running.clear();
  }
}
