/**
 * INVITE client transaction: RFC 3261 §17.1.1 with the Accepted state of RFC 6026 §8.4.
 *
 *   Calling --1xx--> Proceeding --1xx--> Proceeding
 *   Calling|Proceeding --2xx--> Accepted --Timer M--> Terminated
 *   Calling|Proceeding --300-699, ACK sent--> Completed --Timer D--> Terminated
 *   Calling --Timer B or transport error--> Terminated
 */
import { createResponse } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';
import { createAckForFailure } from './ack.ts';
import { TIMER_D_UNRELIABLE } from './timers.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext } from './transaction.ts';
import type { TransactionFlow, TransactionTransport } from './transaction-transport.ts';
import type { ClientTransactionUser } from './transaction-user.ts';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';
/** RFC timers A, B, D, M, and the §9.1 wait for a final response after CANCEL. */
type TimerName = 'A' | 'B' | 'D' | 'M' | 'cancel';

const TRANSITIONS: Record<InviteClientState, readonly InviteClientState[]> = {
  Calling: ['Proceeding', 'Completed', 'Accepted', 'Terminated'],
  // Terminated from Proceeding: the §9.1 give-up after a CANCEL went unanswered.
  Proceeding: ['Proceeding', 'Completed', 'Accepted', 'Terminated'],
  Completed: ['Terminated'],
  Accepted: ['Terminated'],
  Terminated: [],
};

export class InviteClientTransaction<F extends TransactionFlow, T> extends Transaction<InviteClientState, TimerName> {
  readonly kind = 'inviteClient';
  /** The INVITE as sent, our Via on top. */
  readonly request: SipRequest;
  readonly target: T;
  readonly branch: string;
  readonly #transport: TransactionTransport<F, T>;
  readonly #user: ClientTransactionUser<F, T>;
  readonly #reliable: boolean;
  #ack: SipRequest | undefined;
  #cancelRequested = false;
  #pendingCancel: (() => void) | undefined;

  constructor(request: SipRequest, target: T, branch: string, transport: TransactionTransport<F, T>, user: ClientTransactionUser<F, T>, context: TransactionContext) {
    super('INVITE client transaction', 'Calling', TRANSITIONS, context);
    this.request = request;
    this.target = target;
    this.branch = branch;
    this.#transport = transport;
    this.#user = user;
    this.#reliable = transport.isReliable(target);
    this.#sendRequest();
    // RFC 3261 §17.1.1.2: Timer A only where the transport does not retransmit for us.
    if (!this.#reliable) this.#startTimerA(this.config.T1);
    this.timers.start('B', 64 * this.config.T1, () => this.#timeout('Timer B'));
  }

  /** A response whose top Via branch and CSeq method match this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'Calling':
      case 'Proceeding':
        if (status < 200) this.#provisional(response);
        else if (status < 300) this.#accepted(response);
        else this.#completed(response);
        return;
      case 'Completed':
        // §17.1.1.2: a retransmitted failure is answered with the same ACK and not passed up.
        if (status >= 300) this.#sendAck();
        return;
      case 'Accepted':
        // RFC 6026 §8.4: every 2xx (retransmission or another fork) goes to the TU, which ACKs.
        if (status >= 200 && status < 300) this.#user.onResponse(response, this);
        return;
      case 'Terminated':
        return;
    }
  }

  /**
   * Runs `sendCancel` once a CANCEL may be sent (RFC 3261 §9.1): at once in Proceeding, on the
   * first provisional response while Calling, never once a final response has arrived. After it
   * is sent, the transaction gives up if no final response comes within 64*T1 (§9.1). Returns
   * false when there is nothing left to cancel.
   */
  scheduleCancel(sendCancel: () => void): boolean {
    if (!this.machine.is('Calling', 'Proceeding')) return false;
    if (this.#cancelRequested) return true;
    this.#cancelRequested = true;
    if (this.state === 'Proceeding') this.#cancelNow(sendCancel);
    else this.#pendingCancel = sendCancel;
    return true;
  }

  protected transportFailed(error: unknown): void {
    // RFC 3261 Figure 5: a transport error matters while the INVITE or the ACK is being sent.
    if (!this.machine.is('Calling', 'Completed')) return;
    this.terminate('transport error');
    this.#user.onTransportError(error, this);
  }

  #provisional(response: SipResponse): void {
    this.machine.to('Proceeding', `${response.status} response`);
    // §17.1.1.2: no more retransmissions, and Timer B only guards the Calling state.
    this.timers.stop('A');
    this.timers.stop('B');
    const pending = this.#pendingCancel;
    this.#pendingCancel = undefined;
    if (pending) this.#cancelNow(pending);
    this.#user.onResponse(response, this);
  }

  #accepted(response: SipResponse): void {
    this.machine.to('Accepted', `${response.status} response`);
    this.timers.stopAll();
    this.#pendingCancel = undefined;
    // RFC 6026 §8.4: Timer M = 64*T1 to absorb 2xx retransmissions and 2xx from other forks.
    this.timers.start('M', 64 * this.config.T1, () => this.terminate('Timer M'));
    this.#user.onResponse(response, this);
  }

  #completed(response: SipResponse): void {
    this.machine.to('Completed', `${response.status} response`);
    this.timers.stopAll();
    this.#pendingCancel = undefined;
    this.#ack = createAckForFailure(this.request, response);
    this.#sendAck();
    // §17.1.1.2: Timer D at least 32 s on unreliable transports (to answer retransmitted
    // failures with an ACK), zero on reliable ones.
    if (this.#reliable) this.terminate('Timer D (reliable transport)');
    else this.timers.start('D', TIMER_D_UNRELIABLE, () => this.terminate('Timer D'));
    this.#user.onResponse(response, this);
  }

  #timeout(timer: string): void {
    this.terminate(timer);
    this.#user.onTimeout(createResponse(this.request, 408), this);
  }

  #cancelNow(sendCancel: () => void): void {
    sendCancel();
    this.timers.start('cancel', 64 * this.config.T1, () => this.#timeout('no final response 64*T1 after CANCEL'));
  }

  #startTimerA(interval: number): void {
    this.timers.start('A', interval, () => {
      this.#sendRequest();
      this.#startTimerA(interval * 2);
    });
  }

  #sendRequest(): void {
    this.deliver(() => this.#transport.sendRequest(this.request, this.target));
  }

  #sendAck(): void {
    const ack = this.#ack;
    if (ack) this.deliver(() => this.#transport.sendRequest(ack, this.target));
  }
}
