/**
 * SIP over TCP, and over TLS when given a certificate (RFC 3261 §18, §26.2). Connections are
 * symmetric: requests and responses may arrive on connections either side opened. Messages are
 * cut out of the byte stream by the StreamFramer; a framing error ends the connection, after the
 * layer above had the chance to answer it.
 */
import { EventEmitter } from 'node:events';
import { connect as netConnect, createServer as createNetServer, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { createFlow, formatHostPort, isFlow, normalizeAddress, type Flow, type HostPort, type SendTarget } from './flow.ts';
import type { TransportLogger } from './logger.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, FramingError, StreamFramer } from './stream-framer.ts';
import { errorMessage, FlowClosedError, RECEIVE_FAILED, type FramingErrorAnswer, type Transport, type TransportEvents } from './transport.ts';

export interface TlsCredentials {
  cert: string | Buffer;
  key: string | Buffer;
  /** Trust anchors for connections we open; the system store when absent. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface TcpTransportOptions {
  host: string;
  port: number;
  /** Serve and connect over TLS with this certificate. */
  tls?: TlsCredentials;
  maxMessageSize?: number;
  /** A connection with no traffic either way for this long is closed. Default 5 minutes. */
  idleTimeoutMs?: number;
  /** Default 10 seconds. */
  connectTimeoutMs?: number;
  answerFramingError?: FramingErrorAnswer;
  logger?: TransportLogger;
}

interface Connection {
  socket: Socket;
  flow: Flow;
  framer: StreamFramer;
}

/**
 * Long enough that user agents keeping a flow alive with CRLF pings (RFC 5626 §4.4.1 suggests
 * 95–120 s for connection-oriented transports) never hit it.
 */
const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How long a connection ended after a framing error may linger before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;
const PONG = Buffer.from('\r\n');

export class TcpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol: 'TCP' | 'TLS';
  readonly #options: TcpTransportOptions;
  readonly #server: Server;
  readonly #connections = new Map<string, Connection>();
  /** Open connections by remote address, for reuse (RFC 3261 §18.1.1). */
  readonly #byRemote = new Map<string, Connection>();
  /** Connections being opened, so two sends to one address share a single connection. */
  readonly #opening = new Map<string, Promise<Connection>>();
  #local: HostPort | undefined;
  #closed = false;

  constructor(options: TcpTransportOptions) {
    super();
    if (!isIP(options.host)) throw new Error(`TCP transport: host must be an IP literal, got ${options.host}`);
    this.#options = options;
    this.protocol = options.tls ? 'TLS' : 'TCP';
    this.#server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, (socket) => this.#adopt(socket))
      : createNetServer((socket) => this.#adopt(socket));
    this.#server.on('error', (err) => this.#options.logger?.warn({ err }, `${this.protocol} server error`));
    if (options.tls) {
      this.#server.on('tlsClientError', (err) => this.#options.logger?.debug({ err }, 'TLS handshake failed'));
    }
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        const bound = this.#server.address();
        if (bound === null || typeof bound === 'string') throw new Error('TCP transport: unexpected server address');
        this.#local = { address: normalizeAddress(bound.address), port: bound.port };
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    const closed = new Promise<void>((resolve) => {
      if (!this.#server.listening) resolve();
      else this.#server.close(() => resolve());
    });
    for (const { socket } of this.#connections.values()) socket.destroy();
    return closed;
  }

  localAddress(): HostPort {
    if (!this.#local) throw new Error(`${this.protocol} transport: not listening`);
    return { ...this.#local };
  }

  /** Closes a flow's connection (after pending writes are flushed); no-op if already closed. */
  closeFlow(flowId: string): void {
    this.#connections.get(flowId)?.socket.end();
  }

  /** The flow of an open connection, or undefined once it closed. */
  flow(flowId: string): Flow | undefined {
    return this.#connections.get(flowId)?.flow;
  }

  async send(target: SendTarget, data: Buffer): Promise<Flow> {
    let connection: Connection;
    if (isFlow(target)) {
      const open = this.#connections.get(target.id);
      if (!open) throw new FlowClosedError(target.id);
      connection = open;
    } else {
      connection = this.#byRemote.get(remoteKey(target)) ?? (await this.#open(target));
    }
    const { socket, flow } = connection;
    return new Promise((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(err) : resolve(flow)));
    });
  }

  #open(remote: HostPort): Promise<Connection> {
    if (this.#closed) return Promise.reject(new Error(`${this.protocol} transport: closed`));
    if (!isIP(remote.address)) return Promise.reject(new Error(`${this.protocol} transport: not an IP literal: ${remote.address}`));
    const key = remoteKey(remote);
    const pending = this.#opening.get(key);
    if (pending) return pending;
    const opening = this.#connect(remote).finally(() => this.#opening.delete(key));
    this.#opening.set(key, opening);
    return opening;
  }

  #connect(remote: HostPort): Promise<Connection> {
    // Connections leave from the address we listen on, so the peer sees the address we advertise.
    const localAddress = isUnspecified(this.#options.host) ? undefined : this.#options.host;
    const tls = this.#options.tls;
    return new Promise((resolve, reject) => {
      const tcp = netConnect({ host: remote.address, port: remote.port, localAddress });
      const socket: Socket = tls ? tlsConnect({ socket: tcp, host: remote.address, ca: tls.ca, cert: tls.cert, key: tls.key }) : tcp;
      const fail = (err: Error): void => {
        socket.destroy();
        reject(err);
      };
      socket.setTimeout(this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () => fail(new Error(`${this.protocol} connect to ${formatHostPort(remote)} timed out`)));
      socket.once('error', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', fail);
        if (this.#closed) fail(new Error(`${this.protocol} transport: closed while connecting`));
        else resolve(this.#adopt(socket));
      });
    });
  }

  #adopt(socket: Socket | TLSSocket): Connection {
    const flow = createFlow(
      this.protocol,
      { address: socket.localAddress ?? this.localAddress().address, port: socket.localPort ?? 0 },
      { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
    );
    const framer = new StreamFramer({ maxSize: this.#options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE });
    const connection: Connection = { socket, flow, framer };
    const key = remoteKey(flow.remote);
    this.#connections.set(flow.id, connection);
    this.#byRemote.set(key, connection);

    socket.removeAllListeners('timeout');
    socket.setTimeout(this.#options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () => socket.destroy());
    framer.on('ping', () => socket.write(PONG));
    socket.on('data', (chunk: Buffer) => this.#receive(connection, chunk));
    socket.on('error', (err) => this.#options.logger?.debug({ err, flow: flow.id }, `${this.protocol} connection error`));
    socket.on('close', () => {
      this.#connections.delete(flow.id);
      if (this.#byRemote.get(key) === connection) this.#byRemote.delete(key);
      this.emit('flowClosed', flow.id);
    });
    return connection;
  }

  /**
   * Everything one chunk sets off, up to the transaction user, runs inside this call: whatever
   * it throws ends this connection, never the process.
   */
  #receive(connection: Connection, chunk: Buffer): void {
    const { socket, flow, framer } = connection;
    if (socket.writableEnded) return;
    try {
      for (const data of framer.feed(chunk)) this.emit('message', { data, flow });
    } catch (err) {
      if (err instanceof FramingError) this.#framingFailed(connection, err);
      else this.#receiveFailed(connection, err);
    }
  }

  #framingFailed({ socket, flow }: Connection, err: FramingError): void {
    this.emit('dropped', { transport: this.protocol, reason: 'framing', remote: flow.remote, detail: err.message });
    try {
      const answer = this.#options.answerFramingError?.(err, flow);
      if (answer) socket.write(answer);
    } catch (answerErr) {
      this.#options.logger?.error({ err: answerErr, flow: flow.id }, `could not answer a ${this.protocol} framing error`);
    }
    socket.end();
    socket.setTimeout(CLOSE_GRACE_MS);
  }

  #receiveFailed({ socket, flow }: Connection, err: unknown): void {
    this.#options.logger?.error({ err, flow: flow.id, remote: formatHostPort(flow.remote) }, `${this.protocol} connection closed: handling its data failed`);
    socket.destroy();
    this.emit('dropped', { transport: this.protocol, reason: RECEIVE_FAILED, remote: flow.remote, detail: errorMessage(err) });
  }
}

function remoteKey(remote: HostPort): string {
  return formatHostPort({ address: normalizeAddress(remote.address), port: remote.port });
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
