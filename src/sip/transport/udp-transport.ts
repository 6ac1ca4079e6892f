/**
 * SIP over UDP (RFC 3261 §18): one socket, one datagram per message. A flow is only the address
 * pair, so sending never fails for a closed flow; it simply goes to the flow's remote address.
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP, isIPv6 } from 'node:net';
import { createFlow, formatHostPort, isFlow, normalizeAddress, type Flow, type HostPort, type SendTarget } from './flow.ts';
import type { TransportLogger } from './logger.ts';
import { DEFAULT_MAX_MESSAGE_SIZE } from './stream-framer.ts';
import { errorMessage, RECEIVE_FAILED, type Transport, type TransportEvents } from './transport.ts';

export interface UdpTransportOptions {
  host: string;
  port: number;
  /** Larger datagrams are dropped unread. */
  maxMessageSize?: number;
  /** Socket receive buffer asked of the kernel (capped there by net.core.rmem_max). */
  receiveBufferBytes?: number;
  logger?: TransportLogger;
}

/**
 * The kernel's default (~208 KiB, a few hundred requests) overflows in a burst of REGISTERs while
 * the event loop is busy, and a dropped request costs the client a retransmission interval.
 */
const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol = 'UDP' as const;
  readonly #options: UdpTransportOptions;
  readonly #maxMessageSize: number;
  #socket: Socket | undefined;
  #local: HostPort | undefined;

  constructor(options: UdpTransportOptions) {
    super();
    if (!isIP(options.host)) throw new Error(`UDP transport: host must be an IP literal, got ${options.host}`);
    this.#options = options;
    this.#maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  listen(): Promise<void> {
    if (this.#socket) throw new Error('UDP transport: already listening');
    const socket = createSocket({
      type: isIPv6(this.#options.host) ? 'udp6' : 'udp4',
      recvBufferSize: this.#options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES,
    });
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#options.port, this.#options.host, () => {
        socket.off('error', reject);
        const bound = socket.address();
        this.#local = { address: normalizeAddress(bound.address), port: bound.port };
        socket.on('error', (err) => this.#options.logger?.warn({ err }, 'UDP socket error'));
        socket.on('message', (data, rinfo) => this.#receive(data, { address: rinfo.address, port: rinfo.port }));
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return Promise.resolve();
    this.#socket = undefined;
    return new Promise((resolve) => socket.close(() => resolve()));
  }

  localAddress(): HostPort {
    if (!this.#local) throw new Error('UDP transport: not listening');
    return { ...this.#local };
  }

  send(target: SendTarget, data: Buffer): Promise<Flow> {
    const socket = this.#socket;
    if (!socket) return Promise.reject(new Error('UDP transport: not listening'));
    const remote = isFlow(target) ? target.remote : target;
    if (!isIP(remote.address)) return Promise.reject(new Error(`UDP transport: not an IP literal: ${remote.address}`));
    const flow = isFlow(target) ? target : createFlow('UDP', this.localAddress(), remote);
    return new Promise((resolve, reject) => {
      socket.send(data, remote.port, remote.address, (err) => (err ? reject(err) : resolve(flow)));
    });
  }

  /**
   * Everything one datagram sets off, up to the transaction user, runs inside this call: whatever
   * it throws costs that datagram only.
   */
  #receive(data: Buffer, remote: HostPort): void {
    if (data.length > this.#maxMessageSize) {
      this.emit('dropped', { transport: 'UDP', reason: 'oversized', remote, detail: `${data.length} bytes` });
      return;
    }
    try {
      this.emit('message', { data, flow: createFlow('UDP', this.localAddress(), remote) });
    } catch (err) {
      this.#options.logger?.error({ err, remote: formatHostPort(remote) }, 'UDP datagram dropped: handling it failed');
      this.emit('dropped', { transport: 'UDP', reason: RECEIVE_FAILED, remote, detail: errorMessage(err) });
    }
  }
}
