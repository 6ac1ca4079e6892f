/**
 * Non-INVITE client transaction: RFC 3261 §17.1.2.
 *
 *   Trying --1xx--> Proceeding --1xx--> Proceeding
 *   Trying|Proceeding --200-699--> Completed --Timer K--> Terminated
 *   Trying|Proceeding --Timer F or transport error--> Terminated
 */
import { createResponse } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext } from './transaction.ts';
import type { TransactionFlow, TransactionTransport } from './transaction-transport.ts';
import type { ClientTransactionUser } from './transaction-user.ts';

export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
type TimerName = 'E' | 'F' | 'K';

const TRANSITIONS: Record<NonInviteClientState, readonly NonInviteClientState[]> = {
  Trying: ['Proceeding', 'Completed', 'Terminated'],
  Proceeding: ['Proceeding', 'Completed', 'Terminated'],
  Completed: ['Terminated'],
  Terminated: [],
};

export class NonInviteClientTransaction<F extends TransactionFlow, T> extends Transaction<NonInviteClientState, TimerName> {
  readonly kind = 'nonInviteClient';
  /** The request as sent, our Via on top. */
  readonly request: SipRequest;
  readonly target: T;
  readonly branch: string;
  readonly #transport: TransactionTransport<F, T>;
  readonly #user: ClientTransactionUser<F, T>;
  readonly #reliable: boolean;

  constructor(request: SipRequest, target: T, branch: string, transport: TransactionTransport<F, T>, user: ClientTransactionUser<F, T>, context: TransactionContext) {
    super(`${request.method} client transaction`, 'Trying', TRANSITIONS, context);
    this.request = request;
    this.target = target;
    this.branch = branch;
    this.#transport = transport;
    this.#user = user;
    this.#reliable = transport.isReliable(target);
    this.#send();
    if (!this.#reliable) this.#startTimerE(this.config.T1);
    this.timers.start('F', 64 * this.config.T1, () => {
      this.terminate('Timer F');
      this.#user.onTimeout(createResponse(this.request, 408), this);
    });
  }

  /** A response whose top Via branch and CSeq method match this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    // §17.1.2.2: in Completed, retransmitted responses are absorbed.
    if (!this.machine.is('Trying', 'Proceeding')) return;
    if (response.status < 200) {
      this.machine.to('Proceeding', `${response.status} response`);
      this.#user.onResponse(response, this);
      return;
    }
    this.machine.to('Completed', `${response.status} response`);
    this.timers.stopAll();
    // Timer K: T4 to absorb retransmitted responses on unreliable transports, zero otherwise.
    if (this.#reliable) this.terminate('Timer K (reliable transport)');
    else this.timers.start('K', this.config.T4, () => this.terminate('Timer K'));
    this.#user.onResponse(response, this);
  }

  protected transportFailed(error: unknown): void {
    if (!this.machine.is('Trying', 'Proceeding')) return;
    this.terminate('transport error');
    this.#user.onTransportError(error, this);
  }

  /**
   * Timer E (§17.1.2.2): doubling from T1 up to T2 while Trying; once a provisional response
   * has arrived the request is only retransmitted every T2.
   */
  #startTimerE(interval: number): void {
    this.timers.start('E', interval, () => {
      this.#send();
      const next = this.state === 'Proceeding' ? this.config.T2 : Math.min(2 * interval, this.config.T2);
      this.#startTimerE(next);
    });
  }

  #send(): void {
    this.deliver(() => this.#transport.sendRequest(this.request, this.target));
  }
}
