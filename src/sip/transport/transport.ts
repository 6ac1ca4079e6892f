/**
 * What every transport (UDP, TCP/TLS, WebSocket) offers the transport layer: raw bytes in with
 * the flow they came on, raw bytes out to a flow or an address. Parsing and the RFC 3261 §18
 * rules about Via live one level up, in the transport layer.
 */
import type { EventEmitter } from 'node:events';
import { CodedError } from '../../errors/coded-error.ts';
import { SipTransportErrorCode } from '../sip-errors.ts';
import type { Flow, HostPort, SendTarget, TransportProtocol } from './flow.ts';
import type { FramingError } from './stream-framer.ts';

export interface InboundMessage {
  data: Buffer;
  flow: Flow;
}

export interface DropReport {
  transport: TransportProtocol;
  /**
   * Short machine-readable cause: `oversized`, `framing`, `garbage`, `via-mismatch`, … and
   * `receive-failed` when handling the bytes raised an exception (RECEIVE_FAILED).
   */
  reason: string;
  remote?: HostPort;
  detail?: string;
}

/**
 * The drop reason of bytes whose handling threw, anywhere above the transport: the exception is
 * logged, counted, and ends that one connection, never the process.
 */
export const RECEIVE_FAILED = 'receive-failed';

export interface TransportEvents {
  message: [InboundMessage];
  /** A connection-oriented flow ended (either side closed it, idle timeout, keep-alive failure). */
  flowClosed: [flowId: string];
  dropped: [DropReport];
}

export interface Transport extends EventEmitter<TransportEvents> {
  readonly protocol: TransportProtocol;
  listen(): Promise<void>;
  close(): Promise<void>;
  /** The bound address and port; throws before listen(). */
  localAddress(): HostPort;
  /**
   * Sends one message. A flow target must still be open; an address target reuses an open
   * connection to that address before opening one (RFC 3261 §18.1.1). Resolves with the flow used.
   */
  send(target: SendTarget, data: Buffer): Promise<Flow>;
  /** The flow of an open connection by id (connection-oriented transports only). */
  flow?(flowId: string): Flow | undefined;
  /**
   * Told by the transport layer that a SIP request on this flow parsed: the peer speaks SIP.
   * WebSocket closes a connection that stays without one (its first-request deadline).
   */
  confirmFlow?(flowId: string): void;
}

/**
 * Asked synchronously when a stream can no longer be framed (or a WebSocket frame contradicts its
 * own Content-Length): returns the bytes of a response to send before the connection is closed,
 * or undefined to send nothing.
 */
export type FramingErrorAnswer = (error: FramingError, flow: Flow) => Buffer | undefined;

/** The flow a send named is gone: its connection closed. */
export class FlowClosedError extends CodedError<typeof SipTransportErrorCode.FLOW_CLOSED> {
  override readonly name = 'FlowClosedError';
  readonly flowId: string;

  constructor(flowId: string) {
    super(SipTransportErrorCode.FLOW_CLOSED, `flow ${flowId} is closed`);
    this.flowId = flowId;
  }
}

/** An exception's message for a drop report; anything thrown may be a non-Error. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
