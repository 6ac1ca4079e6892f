/**
 * SIP over WebSocket (RFC 7118) on an existing HTTP(S) server: the transport claims the upgrade
 * requests for its path that ask for the `sip` subprotocol. Each frame carries exactly one SIP
 * message (RFC 7118 §5), so no Content-Length framing is needed, but a Content-Length that
 * contradicts the frame is an error. The server can never open a WebSocket to a user agent, so
 * a flow that closed is gone for good: the registrar drops bindings on it.
 */
import { isUtf8 } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { createFlow, formatHostPort, isFlow, normalizeAddress, type Flow, type HostPort, type SendTarget } from './flow.ts';
import type { TransportLogger } from './logger.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, FramingError, headerSectionEnd, readContentLength } from './stream-framer.ts';
import { FlowClosedError, type FramingErrorAnswer, type Transport, type TransportEvents } from './transport.ts';

export interface WebSocketTransportOptions {
  server: HttpServer | HttpsServer;
  /** Default `/sip`. */
  path?: string;
  /** Frames larger than this close the connection (ws `maxPayload`). */
  maxMessageSize?: number;
  /** WebSocket ping interval; a peer that missed the previous pong is cut off. Default 30 s. */
  pingIntervalMs?: number;
  answerFramingError?: FramingErrorAnswer;
  logger?: TransportLogger;
}

interface Connection {
  ws: WebSocket;
  flow: Flow;
  alive: boolean;
}

/** RFC 7118 §4: the registered subprotocol name. */
const SUBPROTOCOL = 'sip';
const DEFAULT_PING_INTERVAL_MS = 30_000;
/** SIP.js and others send CRLF keep-alives over WebSocket too (RFC 5626 §4.4.1 style). */
const PING = '\r\n\r\n';
const PONG = '\r\n';

export class WebSocketTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol: 'WS' | 'WSS';
  readonly path: string;
  readonly #options: WebSocketTransportOptions;
  readonly #wss: WebSocketServer;
  readonly #connections = new Map<string, Connection>();
  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.#upgrade(req, socket, head);
  #pinger: NodeJS.Timeout | undefined;

  constructor(options: WebSocketTransportOptions) {
    super();
    this.#options = options;
    this.path = options.path ?? '/sip';
    this.protocol = options.server instanceof HttpsServer ? 'WSS' : 'WS';
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  async listen(): Promise<void> {
    if (this.#pinger) throw new Error('WebSocket transport: already listening');
    this.#options.server.on('upgrade', this.#onUpgrade);
    this.#pinger = setInterval(() => this.#keepAlive(), this.#options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
    this.#pinger.unref();
  }

  close(): Promise<void> {
    this.#options.server.off('upgrade', this.#onUpgrade);
    clearInterval(this.#pinger);
    this.#pinger = undefined;
    for (const { ws } of this.#connections.values()) ws.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  /** The HTTP server's address: the port user agents connect to. */
  localAddress(): HostPort {
    const bound = this.#options.server.address();
    if (bound === null || typeof bound === 'string') throw new Error('WebSocket transport: the HTTP server is not listening');
    return { address: normalizeAddress(bound.address), port: bound.port };
  }

  /** Closes a flow's WebSocket; no-op if already closed. */
  closeFlow(flowId: string): void {
    this.#connections.get(flowId)?.ws.close(1000);
  }

  /** The flow of an open connection, or undefined once it closed. */
  flow(flowId: string): Flow | undefined {
    return this.#connections.get(flowId)?.flow;
  }

  /** Only over an open connection: an address target must name a connected user agent. */
  async send(target: SendTarget, data: Buffer): Promise<Flow> {
    const connection = isFlow(target) ? this.#connections.get(target.id) : this.#findByRemote(target);
    if (!connection) {
      if (isFlow(target)) throw new FlowClosedError(target.id);
      throw new Error(`${this.protocol} transport: no connection from ${formatHostPort(target)}`);
    }
    const { ws, flow } = connection;
    // RFC 7118 §5: text frames for UTF-8 messages, binary frames otherwise.
    return new Promise((resolve, reject) => {
      ws.send(data, { binary: !isUtf8(data) }, (err) => (err ? reject(err) : resolve(flow)));
    });
  }

  #findByRemote(remote: HostPort): Connection | undefined {
    const address = normalizeAddress(remote.address);
    for (const connection of this.#connections.values()) {
      if (connection.flow.remote.address === address && connection.flow.remote.port === remote.port) return connection;
    }
    return undefined;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (new URL(req.url ?? '/', 'http://upgrade.invalid').pathname !== this.path) return;
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) {
      // RFC 7118 §4: a SIP WebSocket server refuses a handshake without the `sip` subprotocol.
      const body = 'WebSocket subprotocol "sip" required\n';
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      this.emit('dropped', { transport: this.protocol, reason: 'subprotocol', detail: offered.join(',') });
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#adopt(ws, req));
  }

  #adopt(ws: WebSocket, req: IncomingMessage): void {
    const flow = createFlow(
      this.protocol,
      { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 },
      { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
    );
    const connection: Connection = { ws, flow, alive: true };
    this.#connections.set(flow.id, connection);
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data, isBinary) => this.#receive(connection, toBuffer(data), isBinary));
    ws.on('error', (err) => this.#options.logger?.debug({ err, flow: flow.id }, `${this.protocol} connection error`));
    ws.on('close', () => {
      this.#connections.delete(flow.id);
      this.emit('flowClosed', flow.id);
    });
  }

  #receive(connection: Connection, data: Buffer, isBinary: boolean): void {
    const { ws, flow } = connection;
    connection.alive = true;
    if (!isBinary && data.length <= PING.length && /^[\r\n]+$/.test(data.toString('latin1'))) {
      if (data.toString('latin1') === PING) ws.send(PONG);
      return;
    }
    const contentLengthError = checkContentLength(data);
    if (contentLengthError) {
      this.emit('dropped', { transport: this.protocol, reason: 'framing', remote: flow.remote, detail: contentLengthError });
      const answer = this.#options.answerFramingError?.(new FramingError(400, contentLengthError, data), flow);
      if (answer) ws.send(answer, { binary: !isUtf8(answer) });
      return;
    }
    this.emit('message', { data, flow });
  }

  #keepAlive(): void {
    for (const connection of this.#connections.values()) {
      if (!connection.alive) {
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }
}

/** A Content-Length, when present, must equal the frame's body length; returns the error. */
function checkContentLength(data: Buffer): string | undefined {
  const headerEnd = headerSectionEnd(data);
  if (headerEnd < 0) return undefined;
  try {
    const declared = readContentLength(data.subarray(0, headerEnd));
    const actual = data.length - headerEnd;
    if (declared !== undefined && declared !== actual) {
      return `Content-Length ${declared} does not match the ${actual}-byte body of the frame`;
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
