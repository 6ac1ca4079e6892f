/**
 * What the PBX reports for /metrics: the sink it is given (the server's Prometheus registry
 * implements it), so that `pbx/` never depends on the web server. Label values are the closed
 * sets below; the implementation normalises what a peer can invent (methods, transports).
 */
import type { CallDirection, CallDisposition } from './calls/call-event.ts';
import type { CallQuality } from './calls/call-quality.ts';

export type SipMessageDirection = 'in' | 'out';
export type SipMessageSummary =
  | { kind: 'request'; method: string; transport: string }
  /** `method` is the CSeq method of the response. */
  | { kind: 'response'; method: string; status: number; transport: string };
export type RegisterResult = 'ok' | 'challenged' | 'failed' | 'banned';
/** `address_limit`: an upgrade refused, the address holds its maximum; `no_request`: closed, no SIP request in time. */
export type WebSocketRefusal = 'address_limit' | 'no_request';
/** `unavailable`/`timeout`: no engine answered (503 Media Relay Unavailable); `refused`: it refused the SDP (488). */
export type MediaRelayFailureReason = 'unavailable' | 'timeout' | 'refused' | 'error';
export type TransactionKind = 'invite_client' | 'invite_server' | 'non_invite_client' | 'non_invite_server';

/** Live transactions and totals created since start, by kind; kinds left out count 0. */
export interface TransactionTotals {
  live: Partial<Record<TransactionKind, number>>;
  created: Partial<Record<TransactionKind, number>>;
}

/** One trunk that registers to its carrier: registered now or not. */
export interface TrunkRegistrationGauge {
  trunk: string;
  registered: boolean;
}

export interface PbxMetrics {
  /** One SIP message received (`in`) or sent (`out`). */
  sipMessage(direction: SipMessageDirection, message: SipMessageSummary): void;
  /** The outcome of one REGISTER request. */
  registerResult(result: RegisterResult): void;
  authFailure(): void;
  ban(): void;
  /** A failed digest that named an extension (or trunk account) of this PBX, from any address. */
  extensionAuthFailure(): void;
  /** Where the number of extensions under attack (extension-attack-watch.ts) is read at each scrape. */
  observeExtensionsUnderAttack(count: () => number): void;
  /** Where the number of challenges held back for an extension under attack is read at each scrape. */
  observeDelayedChallenges(count: () => number): void;
  /** A message that could not be parsed, by the transport it came on. */
  parseError(transport: string): void;
  /** Handling received bytes threw: the connection was closed (the datagram dropped, on UDP). */
  receiveFailure(transport: string): void;
  /** A SIP WebSocket refused at the upgrade or closed for silence. */
  webSocketRefused(reason: WebSocketRefusal): void;
  /** Where the active binding count is read at each scrape. */
  observeRegistrations(count: () => number): void;
  /** Where the live transaction counts are read at each scrape; kinds left out count 0. */
  observeTransactions(counts: () => TransactionTotals): void;
  /** Where the number of calls in progress is read at each scrape. */
  observeActiveCalls(count: () => number): void;
  /** A call ended, by direction and disposition. */
  callEnded(direction: CallDirection, disposition: CallDisposition): void;
  /** What the media relay measured of a call's audio, each direction observed once. */
  callQuality(quality: CallQuality): void;
  /** A call's SDP the media relay could not anchor (the caller got 503 or 488), by why. */
  mediaRelayFailure(reason: MediaRelayFailureReason): void;
  /** Where each registering trunk's state is read at each scrape (names come from the configuration). */
  observeTrunkRegistrations(states: () => readonly TrunkRegistrationGauge[]): void;
}
