/**
 * INVITE server transaction: RFC 3261 §17.2.1 with the Accepted state of RFC 6026 §8.5–8.7.
 *
 *   Proceeding --1xx from TU--> Proceeding
 *   Proceeding --2xx from TU--> Accepted --2xx from TU--> Accepted --Timer L--> Terminated
 *   Proceeding --300-699 from TU--> Completed --ACK--> Confirmed --Timer I--> Terminated
 *   Completed --Timer H or transport error--> Terminated
 *
 * 100 Trying: §17.2.1 asks for one unless the TU answers within 200 ms. We wait those 200 ms
 * (configurable): a TU that rejects or challenges at once then costs one response, not two,
 * and 200 ms is still well before the client's first retransmission at T1 = 500 ms. A
 * retransmitted INVITE before then gets the 100 at once.
 */
import { createResponse } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext } from './transaction.ts';
import type { TransactionFlow, TransactionTransport } from './transaction-transport.ts';
import type { ServerTransactionUser } from './transaction-user.ts';

export type InviteServerState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';
type TimerName = 'trying' | 'G' | 'H' | 'I' | 'L';

const TRANSITIONS: Record<InviteServerState, readonly InviteServerState[]> = {
  Proceeding: ['Proceeding', 'Completed', 'Accepted', 'Terminated'],
  Completed: ['Confirmed', 'Terminated'],
  Confirmed: ['Terminated'],
  Accepted: ['Accepted', 'Terminated'],
  Terminated: [],
};

export const DEFAULT_TRYING_DELAY_MS = 200;

export class InviteServerTransaction<F extends TransactionFlow> extends Transaction<InviteServerState, TimerName> {
  readonly kind = 'inviteServer';
  readonly request: SipRequest;
  /** Where the INVITE arrived: every response goes back there (§18.2.2). */
  readonly flow: F;
  readonly #transport: TransactionTransport<F, unknown>;
  readonly #user: ServerTransactionUser<F>;
  #lastProvisional: SipResponse | undefined;
  #finalResponse: SipResponse | undefined;

  constructor(request: SipRequest, flow: F, transport: TransactionTransport<F, unknown>, user: ServerTransactionUser<F>, context: TransactionContext, tryingDelayMs: number) {
    super('INVITE server transaction', 'Proceeding', TRANSITIONS, context);
    this.request = request;
    this.flow = flow;
    this.#transport = transport;
    this.#user = user;
    this.timers.start('trying', tryingDelayMs, () => this.#sendTrying());
  }

  /** The last final response sent (a 2xx retransmitted by the TU replaces the previous one). */
  get finalResponse(): SipResponse | undefined {
    return this.#finalResponse;
  }

  /**
   * Sends a response from the TU. Throws TransactionStateError for one the state does not allow:
   * anything after a non-2xx final, or anything but a 2xx after a 2xx.
   */
  respond(response: SipResponse): void {
    const status = response.status;
    if (this.state === 'Accepted') {
      // RFC 6026 §8.7: the TU retransmits its 2xx (§13.3.1.4), or a proxy forwards another fork's.
      if (status < 200 || status >= 300) this.machine.reject(`sending a ${status} response after a 2xx`);
      this.#finalResponse = response;
      this.#send(response);
      return;
    }
    if (this.state !== 'Proceeding') this.machine.reject(`sending a ${status} response`);
    this.timers.stop('trying');
    if (status < 200) {
      this.machine.to('Proceeding', `${status} response from TU`);
      this.#lastProvisional = response;
      this.#send(response);
    } else if (status < 300) {
      this.machine.to('Accepted', `${status} response from TU`);
      this.#finalResponse = response;
      this.#send(response);
      // RFC 6026 §8.7: Timer L = 64*T1 absorbs INVITE retransmissions and lets 2xx through.
      this.timers.start('L', 64 * this.config.T1, () => this.terminate('Timer L'));
    } else {
      this.machine.to('Completed', `${status} response from TU`);
      this.#finalResponse = response;
      this.#send(response);
      if (!this.flow.reliable) this.#startTimerG(this.config.T1);
      this.timers.start('H', 64 * this.config.T1, () => {
        this.terminate('Timer H');
        this.#user.onServerTimeout?.(this);
      });
    }
  }

  /** A retransmission of the INVITE (§17.2.1). */
  receiveRequest(): void {
    switch (this.state) {
      case 'Proceeding':
        if (this.#lastProvisional) this.#send(this.#lastProvisional);
        else this.#sendTrying();
        return;
      case 'Completed':
        if (this.#finalResponse) this.#send(this.#finalResponse);
        return;
      default:
        // Confirmed absorbs; RFC 6026 §8.6: Accepted absorbs without telling the TU.
        return;
    }
  }

  /** An ACK matching this transaction (§17.2.3), `flow` being where the ACK arrived. */
  receiveAck(ack: SipRequest, flow: F): void {
    if (this.state === 'Completed') {
      this.machine.to('Confirmed', 'ACK');
      this.timers.stop('G');
      this.timers.stop('H');
      // Timer I: absorb ACK retransmissions for T4 on unreliable transports, zero otherwise.
      if (this.flow.reliable) this.terminate('Timer I (reliable transport)');
      else this.timers.start('I', this.config.T4, () => this.terminate('Timer I'));
    } else if (this.state === 'Accepted') {
      // RFC 6026 §7.1: an ACK reaching an Accepted transaction belongs to the TU.
      this.#user.onAck(ack, flow);
    }
  }

  protected transportFailed(error: unknown): void {
    switch (this.state) {
      case 'Proceeding':
      case 'Completed':
        this.terminate('transport error');
        this.#user.onServerTransportError?.(error, this);
        return;
      case 'Accepted':
        // RFC 6026 §8.7: inform the TU but stay, still absorbing INVITE retransmissions.
        this.#user.onServerTransportError?.(error, this);
        return;
      default:
        return;
    }
  }

  /** Timer G (§17.2.1): doubling from T1, capped at T2, until the ACK or Timer H. */
  #startTimerG(interval: number): void {
    this.timers.start('G', interval, () => {
      if (this.#finalResponse) this.#send(this.#finalResponse);
      this.#startTimerG(Math.min(2 * interval, this.config.T2));
    });
  }

  #sendTrying(): void {
    this.timers.stop('trying');
    // createResponse copies the request's Timestamp into a 100, as RFC 3261 §8.2.6.1 wants.
    const trying = createResponse(this.request, 100);
    this.#lastProvisional = trying;
    this.#send(trying);
  }

  #send(response: SipResponse): void {
    this.deliver(() => this.#transport.sendResponse(response, this.flow));
  }
}
