import type { Binding, BindingStore } from './binding.ts';

/**
 * The location service (RFC 3261 §10.2 "location service"): current bindings per extension,
 * served from memory and written through to the store so that UDP/TCP registrations survive a
 * restart. Bindings whose connection is gone (`flowClosed`) or whose time ran out disappear, and
 * so do those a pane credential made once its web session ends (session-bound-bindings.ts).
 */
export class LocationService {
  readonly #store: BindingStore;
  readonly #now: () => number;
  readonly #byAor = new Map<string, Map<string, Binding>>();
  #sweep: NodeJS.Timeout | undefined;

  constructor(store: BindingStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
    for (const binding of store.listAll(now())) this.#remember(binding);
  }

  /** Starts the periodic removal of expired bindings. */
  startExpirySweep(intervalMs = 10_000): void {
    this.#sweep = setInterval(() => this.removeExpired(), intervalMs);
    this.#sweep.unref();
  }

  stop(): void {
    clearInterval(this.#sweep);
  }

  lookup(aor: string): Binding[] {
    const now = this.#now();
    const bindings = this.#byAor.get(aor);
    if (!bindings) return [];
    return [...bindings.values()].filter((b) => b.expiresAt > now);
  }

  find(aor: string, contactUri: string): Binding | undefined {
    const binding = this.#byAor.get(aor)?.get(contactUri);
    return binding && binding.expiresAt > this.#now() ? binding : undefined;
  }

  save(binding: Binding): void {
    this.#store.upsert(binding);
    this.#remember(binding);
  }

  remove(aor: string, contactUri: string): void {
    this.#store.remove(aor, contactUri);
    const bindings = this.#byAor.get(aor);
    bindings?.delete(contactUri);
    if (bindings?.size === 0) this.#byAor.delete(aor);
  }

  removeAll(aor: string): void {
    this.#store.removeAll(aor);
    this.#byAor.delete(aor);
  }

  /** RFC 7118 §5: a WebSocket binding cannot outlive its connection. */
  flowClosed(flowId: string): number {
    let removed = 0;
    for (const [aor, bindings] of this.#byAor) {
      for (const [uri, binding] of bindings) {
        if (binding.flowId === flowId) {
          bindings.delete(uri);
          removed++;
        }
      }
      if (bindings.size === 0) this.#byAor.delete(aor);
    }
    if (removed > 0) this.#store.removeByFlow(flowId);
    return removed;
  }

  removeExpired(): number {
    const now = this.#now();
    let removed = 0;
    for (const [aor, bindings] of this.#byAor) {
      for (const [uri, binding] of bindings) {
        if (binding.expiresAt <= now) {
          bindings.delete(uri);
          removed++;
        }
      }
      if (bindings.size === 0) this.#byAor.delete(aor);
    }
    this.#store.removeExpired(now);
    return removed;
  }

  /** The distinct (session tag, extension) pairs of bindings made with a pane credential. */
  sessionTags(): Array<{ sessionTag: string; aor: string }> {
    const pairs = new Map<string, { sessionTag: string; aor: string }>();
    for (const [aor, bindings] of this.#byAor) {
      for (const { sessionTag } of bindings.values()) {
        if (sessionTag !== undefined) pairs.set(`${aor} ${sessionTag}`, { sessionTag, aor });
      }
    }
    return [...pairs.values()];
  }

  /** Removes the bindings of `aor` made with a pane credential of the session tagged `sessionTag`, as an unregister would. */
  removeSession(aor: string, sessionTag: string): number {
    const doomed = [...(this.#byAor.get(aor)?.values() ?? [])].filter((binding) => binding.sessionTag === sessionTag);
    for (const binding of doomed) this.remove(aor, binding.contactUri);
    return doomed.length;
  }

  /** Number of live bindings, for the registrations gauge. */
  get size(): number {
    const now = this.#now();
    let count = 0;
    for (const bindings of this.#byAor.values()) {
      for (const binding of bindings.values()) if (binding.expiresAt > now) count++;
    }
    return count;
  }

  #remember(binding: Binding): void {
    let bindings = this.#byAor.get(binding.aor);
    if (!bindings) {
      bindings = new Map();
      this.#byAor.set(binding.aor, bindings);
    }
    bindings.set(binding.contactUri, binding);
  }
}
