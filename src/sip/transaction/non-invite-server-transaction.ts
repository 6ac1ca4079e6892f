/**
 * Non-INVITE server transaction: RFC 3261 §17.2.2.
 *
 *   Trying --1xx from TU--> Proceeding --1xx from TU--> Proceeding
 *   Trying|Proceeding --200-699 from TU--> Completed --Timer J--> Terminated
 *   Proceeding|Completed --transport error--> Terminated
 */
import type { SipRequest, SipResponse } from '../message/types.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext } from './transaction.ts';
import type { TransactionFlow, TransactionTransport } from './transaction-transport.ts';
import type { ServerTransactionUser } from './transaction-user.ts';

export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
type TimerName = 'J';

const TRANSITIONS: Record<NonInviteServerState, readonly NonInviteServerState[]> = {
  Trying: ['Proceeding', 'Completed'],
  Proceeding: ['Proceeding', 'Completed', 'Terminated'],
  Completed: ['Terminated'],
  Terminated: [],
};

export class NonInviteServerTransaction<F extends TransactionFlow> extends Transaction<NonInviteServerState, TimerName> {
  readonly kind = 'nonInviteServer';
  readonly request: SipRequest;
  /** Where the request arrived: every response goes back there (§18.2.2). */
  readonly flow: F;
  readonly #transport: TransactionTransport<F, unknown>;
  readonly #user: ServerTransactionUser<F>;
  #lastResponse: SipResponse | undefined;

  constructor(request: SipRequest, flow: F, transport: TransactionTransport<F, unknown>, user: ServerTransactionUser<F>, context: TransactionContext) {
    super(`${request.method} server transaction`, 'Trying', TRANSITIONS, context);
    this.request = request;
    this.flow = flow;
    this.#transport = transport;
    this.#user = user;
  }

  /** The final response sent, once there is one. */
  get finalResponse(): SipResponse | undefined {
    return this.state === 'Completed' ? this.#lastResponse : undefined;
  }

  /**
   * Sends a response from the TU. Throws TransactionStateError after the final response:
   * §17.2.2 says to discard such responses, but one can only come from a TU bug, which
   * should surface.
   */
  respond(response: SipResponse): void {
    const status = response.status;
    if (!this.machine.is('Trying', 'Proceeding')) this.machine.reject(`sending a ${status} response`);
    this.machine.to(status < 200 ? 'Proceeding' : 'Completed', `${status} response from TU`);
    this.#lastResponse = response;
    this.#send(response);
    if (status < 200) return;
    // Timer J: 64*T1 to answer retransmitted requests on unreliable transports, zero otherwise.
    if (this.flow.reliable) this.terminate('Timer J (reliable transport)');
    else this.timers.start('J', 64 * this.config.T1, () => this.terminate('Timer J'));
  }

  /** A retransmission of the request: absorbed while Trying, else answered with the last response. */
  receiveRequest(): void {
    if (this.#lastResponse && this.machine.is('Proceeding', 'Completed')) this.#send(this.#lastResponse);
  }

  protected transportFailed(error: unknown): void {
    if (!this.machine.is('Proceeding', 'Completed')) return;
    this.terminate('transport error');
    this.#user.onServerTransportError?.(error, this);
  }

  #send(response: SipResponse): void {
    this.deliver(() => this.#transport.sendResponse(response, this.flow));
  }
}
