/**
 * What the four transaction kinds share: a guarded state machine, named timers, and sends whose
 * failure (a synchronous throw or a rejected promise) reaches the transaction as a transport
 * error (RFC 3261 §17.1.4, §17.2.4) — always asynchronously, so a TU callback never runs before
 * the call that created the transaction has returned.
 */
import { StateMachine } from './state-machine.ts';
import { TimerSet } from './timers.ts';
import type { Clock, TimerConfig } from './timers.ts';

export type TransactionKind = 'inviteClient' | 'inviteServer' | 'nonInviteClient' | 'nonInviteServer';

/** What the transaction layer hands every transaction it creates. */
export interface TransactionContext {
  clock: Clock;
  timers: Readonly<TimerConfig>;
  /** Called once, when the transaction reaches Terminated: the layer forgets it. */
  onTerminated(): void;
}

export abstract class Transaction<S extends string, TimerName extends string> {
  abstract readonly kind: TransactionKind;
  protected readonly machine: StateMachine<S | 'Terminated'>;
  protected readonly timers: TimerSet<TimerName>;
  protected readonly config: Readonly<TimerConfig>;
  readonly #onTerminated: () => void;

  protected constructor(name: string, initial: S, transitions: Readonly<Record<S | 'Terminated', readonly (S | 'Terminated')[]>>, context: TransactionContext) {
    this.machine = new StateMachine<S | 'Terminated'>(name, initial, transitions);
    this.timers = new TimerSet<TimerName>(context.clock);
    this.config = context.timers;
    this.#onTerminated = context.onTerminated;
  }

  get state(): S | 'Terminated' {
    return this.machine.state;
  }

  get terminated(): boolean {
    return this.machine.state === 'Terminated';
  }

  /**
   * Ends the transaction at once without telling the TU (layer shutdown). Unlike the RFC
   * transitions this is allowed from any state.
   */
  dispose(): void {
    if (this.terminated) return;
    this.machine.abort('Terminated');
    this.#finish();
  }

  /** The transport reported a failure for one of this transaction's sends. */
  protected abstract transportFailed(error: unknown): void;

  protected terminate(event: string): void {
    this.machine.to('Terminated', event);
    this.#finish();
  }

  protected deliver(send: () => void | Promise<void>): void {
    let pending: void | Promise<void>;
    try {
      pending = send();
    } catch (error) {
      queueMicrotask(() => this.#failed(error));
      return;
    }
    if (pending) pending.catch((error: unknown) => this.#failed(error));
  }

  #failed(error: unknown): void {
    if (!this.terminated) this.transportFailed(error);
  }

  #finish(): void {
    this.timers.stopAll();
    this.#onTerminated();
  }
}
