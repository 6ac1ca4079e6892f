/**
 * A manual clock for timer-driven code: nothing fires until the test advances time, and then
 * timers fire in due order (ties in scheduling order), including timers scheduled while advancing.
 * Structurally a `Clock` from src/sip/transaction/timers.ts.
 */
interface Scheduled {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeClock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, Scheduled>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due by then. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (let next = this.#due(until); next; next = this.#due(until)) {
      this.#timers.delete(next.id);
      this.#now = next.at;
      next.callback();
    }
    this.#now = until;
  }

  #due(until: number): Scheduled | undefined {
    let first: Scheduled | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.at <= until && (!first || timer.at < first.at || (timer.at === first.at && timer.id < first.id))) first = timer;
    }
    return first;
  }
}
