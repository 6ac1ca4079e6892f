/**
 * The transaction layer (RFC 3261 §17): matches incoming messages to transactions (§17.1.3,
 * §17.2.3), creates server transactions for new requests, and client transactions for the TU.
 *
 * Via: createClientTransaction takes the request WITHOUT our Via and inserts it itself (sent-by
 * from the transport, a fresh `branch=z9hG4bK…`, `rport`), so every client transaction has a
 * branch that is unique and known to be ours. The only request that must reuse an existing Via
 * is CANCEL (§9.1), which is why it is created through cancel() from the INVITE transaction.
 *
 * Terminated transactions are dropped from the maps at once, so memory follows live traffic.
 */
import { tagOf, toOf } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/types.ts';
import { createCancel } from './cancel.ts';
import { InviteClientTransaction } from './invite-client-transaction.ts';
import { DEFAULT_TRYING_DELAY_MS, InviteServerTransaction } from './invite-server-transaction.ts';
import { clientKey, hasRfc3261Branch, responseKey, rfc2543AckKey, serverKey } from './matching.ts';
import { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import { DEFAULT_TIMER_CONFIG, systemClock } from './timers.ts';
import type { Clock, TimerConfig } from './timers.ts';
import type { Transaction, TransactionContext, TransactionKind } from './transaction.ts';
import type { TransactionFlow, TransactionTransport } from './transaction-transport.ts';
import type { ClientTransaction, ClientTransactionUser, ServerTransaction, TransactionUser } from './transaction-user.ts';
import { formatOurVia, newBranch, withTopVia } from './via.ts';

export interface TransactionLayerOptions<F extends TransactionFlow, T> {
  transport: TransactionTransport<F, T>;
  user: TransactionUser<F>;
  timers?: Partial<TimerConfig>;
  clock?: Clock;
  /** How long an INVITE server transaction waits for the TU before sending 100 Trying itself. */
  tryingDelayMs?: number;
}

export type TransactionCounts = Record<TransactionKind, number>;

export interface TransactionStats extends TransactionCounts {
  /** Transactions created since start, by kind (counters for /metrics). */
  created: TransactionCounts;
}

const NO_CANCEL_USER: ClientTransactionUser<TransactionFlow, unknown> = {
  onResponse() {},
  onTimeout() {},
  onTransportError() {},
};

export class TransactionLayer<F extends TransactionFlow, T> {
  readonly timers: Readonly<TimerConfig>;
  readonly #transport: TransactionTransport<F, T>;
  readonly #user: TransactionUser<F>;
  readonly #clock: Clock;
  readonly #tryingDelayMs: number;
  readonly #clients = new Map<string, ClientTransaction<F, T>>();
  readonly #servers = new Map<string, ServerTransaction<F>>();
  /** INVITE server transactions of RFC 2543 peers by their ACK key (§17.2.3). */
  readonly #rfc2543Invites = new Map<string, InviteServerTransaction<F>>();
  readonly #created: TransactionCounts = { inviteClient: 0, inviteServer: 0, nonInviteClient: 0, nonInviteServer: 0 };

  constructor(options: TransactionLayerOptions<F, T>) {
    this.#transport = options.transport;
    this.#user = options.user;
    this.timers = Object.freeze({
      T1: options.timers?.T1 ?? DEFAULT_TIMER_CONFIG.T1,
      T2: options.timers?.T2 ?? DEFAULT_TIMER_CONFIG.T2,
      T4: options.timers?.T4 ?? DEFAULT_TIMER_CONFIG.T4,
    });
    for (const [name, ms] of Object.entries(this.timers)) {
      if (!(ms > 0)) throw new RangeError(`timer ${name} must be a positive number of milliseconds, not ${ms}`);
    }
    this.#clock = options.clock ?? systemClock;
    this.#tryingDelayMs = options.tryingDelayMs ?? DEFAULT_TRYING_DELAY_MS;
  }

  /** A request from the transport (already validated by the message layer, §18.2.1). */
  handleRequest(request: SipRequest, flow: F): void {
    if (request.method === 'ACK') {
      this.#receiveAck(request, flow);
      return;
    }
    const key = serverKey(request);
    const existing = this.#servers.get(key);
    if (existing) {
      existing.receiveRequest();
      return;
    }
    const transaction = this.#createServerTransaction(request, flow, key);
    if (request.method === 'CANCEL' && transaction instanceof NonInviteServerTransaction) {
      const invite = this.#servers.get(serverKey(request, 'INVITE'));
      if (invite instanceof InviteServerTransaction) {
        this.#user.onCancel(invite, request, transaction);
        return;
      }
    }
    this.#user.onRequest(transaction, request);
  }

  /** A response from the transport (its top Via already checked to be ours, §18.1.2). */
  handleResponse(response: SipResponse, flow: F): void {
    const key = responseKey(response);
    const transaction = key === undefined ? undefined : this.#clients.get(key);
    if (transaction) transaction.receiveResponse(response);
    else this.#user.onStrayResponse(response, flow);
  }

  /**
   * Sends `request` (without our Via: it is added here) in a new client transaction. ACK is
   * never sent in one (§17.1.1.3, §13.2.2.4: use sendStateless) and CANCEL goes through cancel().
   */
  createClientTransaction(request: SipRequest, target: T, user: ClientTransactionUser<F, T>): ClientTransaction<F, T> {
    if (request.method === 'ACK') throw new Error('an ACK for a 2xx is sent statelessly: use sendStateless (RFC 3261 §13.2.2.4)');
    if (request.method === 'CANCEL') throw new Error('a CANCEL reuses the INVITE branch: use cancel(inviteTransaction) (RFC 3261 §9.1)');
    const branch = newBranch();
    const sent = withTopVia(request, formatOurVia(this.#transport.sentBy(target), branch));
    return this.#startClientTransaction(sent, target, branch, user);
  }

  /**
   * Cancels a pending INVITE (RFC 3261 §9.1): the CANCEL is built from the INVITE as sent and
   * goes to the same target in its own client transaction, once a provisional response has
   * arrived. Returns false when the INVITE already has a final response.
   */
  cancel(invite: InviteClientTransaction<F, T>, user: ClientTransactionUser<F, T> = NO_CANCEL_USER): boolean {
    return invite.scheduleCancel(() => {
      this.#startClientTransaction(createCancel(invite.request), invite.target, invite.branch, user);
    });
  }

  /**
   * Adds our Via (a fresh branch unless given) and sends outside any transaction: the ACK for a
   * 2xx (§13.2.2.4) or a statelessly forwarded request (§16.11, which wants a branch computed
   * from the request). Resolves with the request as sent; rejects if the transport fails.
   */
  async sendStateless(request: SipRequest, target: T, branch: string = newBranch()): Promise<SipRequest> {
    const sent = withTopVia(request, formatOurVia(this.#transport.sentBy(target), branch));
    await this.#transport.sendRequest(sent, target);
    return sent;
  }

  /** Live transactions by kind, counted from the maps themselves, and totals created. */
  stats(): TransactionStats {
    const live: TransactionCounts = { inviteClient: 0, inviteServer: 0, nonInviteClient: 0, nonInviteServer: 0 };
    for (const transaction of this.#clients.values()) live[transaction.kind] += 1;
    for (const transaction of this.#servers.values()) live[transaction.kind] += 1;
    return { ...live, created: { ...this.#created } };
  }

  /** Drops every transaction and its timers without telling the TU (server shutdown). */
  shutdown(): void {
    const all: Transaction<string, string>[] = [...this.#clients.values(), ...this.#servers.values()];
    for (const transaction of all) transaction.dispose();
  }

  #receiveAck(ack: SipRequest, flow: F): void {
    if (hasRfc3261Branch(ack)) {
      const invite = this.#servers.get(serverKey(ack, 'INVITE'));
      if (invite instanceof InviteServerTransaction) {
        invite.receiveAck(ack, flow);
        return;
      }
    } else {
      const invite = this.#rfc2543Invites.get(rfc2543AckKey(ack));
      const final = invite?.finalResponse;
      if (invite && final && tagOf(toOf(final)) === tagOf(toOf(ack))) {
        invite.receiveAck(ack, flow);
        return;
      }
    }
    // §17.2.3 / §13.3.1.4: no transaction, so the ACK of a 2xx, which belongs to the TU.
    this.#user.onAck(ack, flow);
  }

  #createServerTransaction(request: SipRequest, flow: F, key: string): ServerTransaction<F> {
    let ackKey: string | undefined;
    const context = this.#context(() => {
      this.#servers.delete(key);
      if (ackKey !== undefined) this.#rfc2543Invites.delete(ackKey);
    });
    let transaction: ServerTransaction<F>;
    if (request.method === 'INVITE') {
      const invite = new InviteServerTransaction<F>(request, flow, this.#transport, this.#user, context, this.#tryingDelayMs);
      if (!hasRfc3261Branch(request)) {
        ackKey = rfc2543AckKey(request);
        this.#rfc2543Invites.set(ackKey, invite);
      }
      transaction = invite;
    } else {
      transaction = new NonInviteServerTransaction<F>(request, flow, this.#transport, this.#user, context);
    }
    this.#servers.set(key, transaction);
    this.#created[transaction.kind] += 1;
    return transaction;
  }

  #startClientTransaction(request: SipRequest, target: T, branch: string, user: ClientTransactionUser<F, T>): ClientTransaction<F, T> {
    const key = clientKey(branch, request.method);
    const context = this.#context(() => this.#clients.delete(key));
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction<F, T>(request, target, branch, this.#transport, user, context)
        : new NonInviteClientTransaction<F, T>(request, target, branch, this.#transport, user, context);
    this.#clients.set(key, transaction);
    this.#created[transaction.kind] += 1;
    return transaction;
  }

  #context(forget: () => void): TransactionContext {
    return {
      clock: this.#clock,
      timers: this.timers,
      onTerminated: forget,
    };
  }
}
