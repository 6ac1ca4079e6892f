/** A BindingStore in memory, for location service and registrar tests that need no database. */
import type { Binding, BindingStore } from '../../src/pbx/binding.ts';

export class MemoryBindingStore implements BindingStore {
  readonly rows = new Map<string, Binding>();

  upsert(binding: Binding): void {
    this.rows.set(`${binding.aor} ${binding.contactUri}`, { ...binding });
  }

  remove(aor: string, contactUri: string): void {
    this.rows.delete(`${aor} ${contactUri}`);
  }

  removeAll(aor: string): void {
    for (const [key, binding] of this.rows) if (binding.aor === aor) this.rows.delete(key);
  }

  listAll(now: number): Binding[] {
    return [...this.rows.values()].filter((binding) => binding.expiresAt > now);
  }

  removeExpired(now: number): number {
    return this.#removeWhere((binding) => binding.expiresAt <= now);
  }

  removeByFlow(flowId: string): number {
    return this.#removeWhere((binding) => binding.flowId === flowId);
  }

  #removeWhere(matches: (binding: Binding) => boolean): number {
    let removed = 0;
    for (const [key, binding] of this.rows) {
      if (matches(binding)) {
        this.rows.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
