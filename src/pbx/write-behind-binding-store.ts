/**
 * Binding writes gathered over one event-loop turn and committed in one transaction. SQLite
 * pays most of a write at commit, so a burst of REGISTERs costs one commit instead of one each.
 * The location service keeps answering from memory meanwhile; what a crash could lose is at most
 * one turn of refreshes, which the user agents repeat at their next registration interval.
 */
import type { Binding, BindingStore } from './binding.ts';

export class WriteBehindBindingStore implements BindingStore {
  readonly #store: BindingStore;
  readonly #transaction: (work: () => void) => void;
  readonly #onError: (error: unknown) => void;
  #pending: Array<() => void> = [];
  #scheduled: NodeJS.Immediate | undefined;

  /** `transaction` runs its argument in one database transaction. */
  constructor(store: BindingStore, transaction: (work: () => void) => void, onError: (error: unknown) => void) {
    this.#store = store;
    this.#transaction = transaction;
    this.#onError = onError;
  }

  upsert(binding: Binding): void {
    this.#queue(() => this.#store.upsert(binding));
  }

  remove(aor: string, contactUri: string): void {
    this.#queue(() => this.#store.remove(aor, contactUri));
  }

  removeAll(aor: string): void {
    this.#queue(() => this.#store.removeAll(aor));
  }

  removeExpired(now: number): number {
    this.#queue(() => this.#store.removeExpired(now));
    return 0;
  }

  removeByFlow(flowId: string): number {
    this.#queue(() => this.#store.removeByFlow(flowId));
    return 0;
  }

  listAll(now: number): Binding[] {
    this.flush();
    return this.#store.listAll(now);
  }

  /** Commits what is queued now (also at shutdown). */
  flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const work = this.#pending;
    if (work.length === 0) return;
    this.#pending = [];
    try {
      this.#transaction(() => {
        for (const write of work) write();
      });
    } catch (error) {
      this.#onError(error);
    }
  }

  #queue(write: () => void): void {
    this.#pending.push(write);
    this.#scheduled ??= setImmediate(() => this.flush());
  }
}
