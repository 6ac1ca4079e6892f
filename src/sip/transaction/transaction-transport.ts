/**
 * What the transaction layer needs from a transport (RFC 3261 §18), as a structural type so the
 * transport adapts to it rather than the other way round. Transactions never touch sockets.
 *
 * - A flow is where a request arrived; responses go back on it (§18.2.2). The layer only reads
 *   `reliable`; the transport's own `Flow` fits as is.
 * - A target is where a client transaction sends; opaque here (a flow, an address…), the
 *   transport answers whether it is reliable and what sent-by our Via must advertise for it.
 */
import type { SipRequest, SipResponse } from '../message/types.ts';

export interface TransactionFlow {
  /** TCP, TLS, WS, WSS: the transport retransmits, so the transaction does not (§17.1.1.2). */
  readonly reliable: boolean;
}

/** Our sent-by for a Via (RFC 3261 §18.1.1): the transport name and the advertised address. */
export interface SentBy {
  /** UDP, TCP, TLS, WS, WSS. */
  transport: string;
  host: string;
  port?: number;
}

/**
 * A send either returns (queued) or reports failure by throwing or rejecting: either way the
 * transaction informs its TU (§17.1.4, §17.2.4).
 */
export interface TransactionTransport<F extends TransactionFlow, T> {
  sendRequest(request: SipRequest, target: T): void | Promise<void>;
  sendResponse(response: SipResponse, flow: F): void | Promise<void>;
  isReliable(target: T): boolean;
  sentBy(target: T): SentBy;
}
