/**
 * A periodic visit of many items (the WebSocket transport's keep-alive pings) spread over its
 * interval. Each item gets one of `slots` slots, the least loaded when it is added; every tick
 * (interval / slots) visits one slot, so each item is visited once per interval and a tick
 * touches about 1/slots of the items. One loop over every connection at once was a burst of
 * ~160 ms of socket writes at 10,000 WebSocket agents every 30 s, stalling SIP and HTTP alike.
 */

/** setTimeout/clearTimeout: the real ones (unref'd) or a test's fake clock. */
export interface WheelTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface KeepAliveWheelOptions<T> {
  intervalMs: number;
  visit: (item: T) => void;
  timers?: WheelTimers;
}

/** Ticks no shorter than this: more slots would only add timer wake-ups, not smoothness. */
const MIN_TICK_MS = 100;
/** 30 s → 300 ticks of 100 ms: at 10,000 connections ~34 pings, well under a millisecond, per tick. */
const MAX_SLOTS = 300;

/** The real timers, unref'd: a keep-alive or deadline never holds a process that is done. */
export const systemTimers: WheelTimers = {
  setTimeout(callback, ms) {
    return setTimeout(callback, ms).unref();
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export class KeepAliveWheel<T> {
  readonly tickMs: number;
  readonly #slots: [Set<T>, ...Array<Set<T>>];
  readonly #slotOf = new Map<T, Set<T>>();
  readonly #visit: (item: T) => void;
  readonly #timers: WheelTimers;
  #next = 0;
  #timer: unknown;

  constructor(options: KeepAliveWheelOptions<T>) {
    const slots = Math.min(MAX_SLOTS, Math.max(1, Math.floor(options.intervalMs / MIN_TICK_MS)));
    this.#slots = [new Set<T>(), ...Array.from({ length: slots - 1 }, () => new Set<T>())];
    this.tickMs = options.intervalMs / slots;
    this.#visit = options.visit;
    this.#timers = options.timers ?? systemTimers;
  }

  get slotCount(): number {
    return this.#slots.length;
  }

  start(): void {
    if (this.#timer === undefined) this.#schedule();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  add(item: T): void {
    if (this.#slotOf.has(item)) return;
    let slot = this.#slots[0];
    for (const candidate of this.#slots) if (candidate.size < slot.size) slot = candidate;
    slot.add(item);
    this.#slotOf.set(item, slot);
  }

  delete(item: T): void {
    this.#slotOf.get(item)?.delete(item);
    this.#slotOf.delete(item);
  }

  #schedule(): void {
    this.#timer = this.#timers.setTimeout(() => this.#tick(), this.tickMs);
  }

  #tick(): void {
    // biome-ignore lint/style/noNonNullAssertion: #next stays below the slot count, it only ever advances modulo it
    const slot = this.#slots[this.#next]!;
    this.#next = (this.#next + 1) % this.#slots.length;
    // Re-armed first, so the wheel keeps turning whatever one visit does.
    this.#schedule();
    for (const item of slot) this.#visit(item);
  }
}
