import type { RegistrationBinding } from '../store/registration-repository.ts';

/**
 * A registered contact of an extension (RFC 3261 §10: the AOR → contact binding), as the
 * registrar keeps it: the stored row (src/store/registration-repository.ts), whose Path the
 * registrar neither records nor uses.
 */
export type Binding = Omit<RegistrationBinding, 'path'>;

/** Persistence of bindings; the SQLite repository implements it. */
export interface BindingStore {
  upsert(binding: Binding): void;
  remove(aor: string, contactUri: string): void;
  removeAll(aor: string): void;
  listAll(now: number): Binding[];
  removeExpired(now: number): number;
  removeByFlow(flowId: string): number;
}
