import type { Binding, BindingStore } from './binding.ts';

/**
 * The location service (RFC 3261 §10.2 "location service"): current bindings per extension,
 * served from memory and written through to the store so that UDP/TCP registrations survive a
 * restart. Bindings whose connection is gone (`flowClosed`) or whose time ran out disappear, and
 * so do those a pane credential made once its web session ends (session-bound-bindings.ts).
 *
 * Bindings are indexed by flow as well as by extension: when thousands of WebSocket connections
 * drop together (a network blip, a proxy restart), each close costs only its own bindings; a
 * scan of every binding per close made that N² and held the event loop, SIP and HTTP, for seconds.
 */
export class LocationService {
  readonly #store: BindingStore;
  readonly #now: () => number;
  readonly #byAor = new Map<string, Map<string, Binding>>();
  /** The bindings of each WebSocket flow (RFC 7118 §5), kept in step with #byAor. */
  readonly #byFlow = new Map<string, Set<Binding>>();
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
    const binding = this.#byAor.get(aor)?.get(contactUri);
    if (binding) this.#forget(binding);
  }

  removeAll(aor: string): void {
    this.#store.removeAll(aor);
    for (const binding of [...(this.#byAor.get(aor)?.values() ?? [])]) this.#forget(binding);
  }

  /** RFC 7118 §5: a WebSocket binding cannot outlive its connection. Costs only the flow's own bindings. */
  flowClosed(flowId: string): number {
    const bindings = this.#byFlow.get(flowId);
    if (!bindings) return 0;
    const removed = bindings.size;
    for (const binding of [...bindings]) this.#forget(binding);
    this.#store.removeByFlow(flowId);
    return removed;
  }

  removeExpired(): number {
    const now = this.#now();
    const expired: Binding[] = [];
    for (const bindings of this.#byAor.values()) {
      for (const binding of bindings.values()) if (binding.expiresAt <= now) expired.push(binding);
    }
    for (const binding of expired) this.#forget(binding);
    this.#store.removeExpired(now);
    return expired.length;
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

  /** Keeps `binding`, replacing the one of its contact (which may have been on another flow). */
  #remember(binding: Binding): void {
    let bindings = this.#byAor.get(binding.aor);
    if (!bindings) {
      bindings = new Map();
      this.#byAor.set(binding.aor, bindings);
    }
    const replaced = bindings.get(binding.contactUri);
    if (replaced) this.#unindexFlow(replaced);
    bindings.set(binding.contactUri, binding);
    if (binding.flowId !== undefined) {
      let onFlow = this.#byFlow.get(binding.flowId);
      if (!onFlow) {
        onFlow = new Set();
        this.#byFlow.set(binding.flowId, onFlow);
      }
      onFlow.add(binding);
    }
  }

  /** Drops `binding` from memory, from both indexes (the caller writes the store). */
  #forget(binding: Binding): void {
    const bindings = this.#byAor.get(binding.aor);
    if (bindings?.get(binding.contactUri) === binding) {
      bindings.delete(binding.contactUri);
      if (bindings.size === 0) this.#byAor.delete(binding.aor);
    }
    this.#unindexFlow(binding);
  }

  #unindexFlow(binding: Binding): void {
    if (binding.flowId === undefined) return;
    const onFlow = this.#byFlow.get(binding.flowId);
    onFlow?.delete(binding);
    if (onFlow?.size === 0) this.#byFlow.delete(binding.flowId);
  }
}
