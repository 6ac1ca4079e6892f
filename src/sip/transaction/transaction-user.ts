/**
 * The transaction user (TU, RFC 3261 §5): the UA core or proxy core above the transaction layer.
 * These are the only ways the layer talks to it.
 */
import type { SipRequest, SipResponse } from '../message/types.ts';
import type { InviteClientTransaction } from './invite-client-transaction.ts';
import type { InviteServerTransaction } from './invite-server-transaction.ts';
import type { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import type { TransactionFlow } from './transaction-transport.ts';

export type ClientTransaction<F extends TransactionFlow, T> = InviteClientTransaction<F, T> | NonInviteClientTransaction<F, T>;
export type ServerTransaction<F extends TransactionFlow> = InviteServerTransaction<F> | NonInviteServerTransaction<F>;

/** Given when a client transaction is created; each transaction reports to its own user. */
export interface ClientTransactionUser<F extends TransactionFlow, T> {
  /** Every response the TU must see: provisionals, the final, and (INVITE) every 2xx. */
  onResponse(response: SipResponse, transaction: ClientTransaction<F, T>): void;
  /**
   * Timer B or F fired (or, after a CANCEL, no final response came within 64*T1, §9.1). The TU
   * treats it as a 408 (RFC 3261 §8.1.3.1), so a synthesized 408 is handed over.
   */
  onTimeout(response: SipResponse, transaction: ClientTransaction<F, T>): void;
  /** The transport could not send (RFC 3261 §17.1.4); treat as 503 (§8.1.3.1). */
  onTransportError(error: unknown, transaction: ClientTransaction<F, T>): void;
}

/** What a server transaction reports to the TU besides the request itself. */
export interface ServerTransactionUser<F extends TransactionFlow> {
  /** An ACK the TU must handle: one for a 2xx, or one matching an Accepted INVITE (RFC 6026 §7.1). */
  onAck(ack: SipRequest, flow: F): void;
  /** Timer H fired: the ACK for our non-2xx final response never came (RFC 3261 §17.2.1). */
  onServerTimeout?(transaction: InviteServerTransaction<F>): void;
  /** A response could not be sent (RFC 3261 §17.2.4). */
  onServerTransportError?(error: unknown, transaction: ServerTransaction<F>): void;
}

export interface TransactionUser<F extends TransactionFlow> extends ServerTransactionUser<F> {
  /** A new request (not a retransmission) with its server transaction, to be answered through it. */
  onRequest(transaction: ServerTransaction<F>, request: SipRequest): void;
  /**
   * A CANCEL matching a live INVITE server transaction (RFC 3261 §9.2). The CANCEL has its own
   * server transaction: the TU answers it (200, with the INVITE's To tag) and, if the INVITE has
   * no final response yet, answers the INVITE with 487. A CANCEL matching nothing arrives via
   * onRequest instead (a UAS answers 481, a proxy forwards it statelessly, §16.10).
   */
  onCancel(invite: InviteServerTransaction<F>, cancel: SipRequest, transaction: NonInviteServerTransaction<F>): void;
  /**
   * A response no client transaction matches (RFC 3261 §17.1.3): typically a 2xx retransmission
   * after the INVITE transaction ended. RFC 6026 §7.2: a proxy must not blindly forward these.
   */
  onStrayResponse(response: SipResponse, flow: F): void;
}
