/**
 * A transition table guard shared by the four transaction state machines (RFC 3261 Figures 5–8,
 * RFC 6026 Figures 5–6). A transition the table does not allow is a bug in the caller (usually a
 * TU answering twice), so it throws instead of being silently ignored.
 */
import { CodedError } from '../../errors/coded-error.ts';
import { SipTransactionErrorCode } from '../sip-errors.ts';

export class TransactionStateError extends CodedError<typeof SipTransactionErrorCode.TRANSITION_NOT_ALLOWED> {
  override readonly name = 'TransactionStateError';
  readonly state: string;
  readonly event: string;

  constructor(machine: string, state: string, event: string) {
    super(SipTransactionErrorCode.TRANSITION_NOT_ALLOWED, `${machine}: ${event} is not allowed in state ${state}`);
    this.state = state;
    this.event = event;
  }
}

export class StateMachine<S extends string> {
  readonly #machine: string;
  readonly #transitions: Readonly<Record<S, readonly S[]>>;
  #state: S;

  constructor(machine: string, initial: S, transitions: Readonly<Record<S, readonly S[]>>) {
    this.#machine = machine;
    this.#transitions = transitions;
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  is(...states: S[]): boolean {
    return states.includes(this.#state);
  }

  /** Moves to `next`; staying in the same state is a transition too and must be listed. */
  to(next: S, event: string): void {
    if (!this.#transitions[this.#state].includes(next)) this.reject(event);
    this.#state = next;
  }

  /** Moves to `terminal` whatever the table says: shutting down is allowed from anywhere. */
  abort(terminal: S): void {
    this.#state = terminal;
  }

  /** Throws the error for an event the current state does not accept. */
  reject(event: string): never {
    throw new TransactionStateError(this.#machine, this.#state, event);
  }
}
