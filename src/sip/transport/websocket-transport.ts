/**
 * SIP over WebSocket (RFC 7118) on an existing HTTP(S) server: the transport claims the upgrade
 * requests for its path that ask for the `sip` subprotocol. Each frame carries exactly one SIP
 * message (RFC 7118 §5), so no Content-Length framing is needed, but a Content-Length that
 * contradicts the frame is an error. The server can never open a WebSocket to a user agent, so
 * a flow that closed is gone for good: the registrar drops bindings on it.
 *
 * An open WebSocket costs memory for as long as it lasts, so a connection must speak SIP soon
 * (a request the transport layer could parse, `confirmFlow`) or it is closed, and one client
 * may hold only so many. Behind a trusted reverse proxy the client is the address the proxy
 * reports in X-Forwarded-For (./forwarded-for.ts), not the proxy.
 */
import { isUtf8 } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { createFlow, formatHostPort, formatSource, isFlow, normalizeAddress, type Flow, type HostPort, type SendTarget } from './flow.ts';
import { forwardedClient, type TrustedProxies } from './forwarded-for.ts';
import { KeepAliveWheel, systemTimers, type WheelTimers } from './keep-alive-wheel.ts';
import type { TransportLogger } from './logger.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, FramingError, headerSectionEnd, readContentLength } from './stream-framer.ts';
import { errorMessage, FlowClosedError, RECEIVE_FAILED, type FramingErrorAnswer, type Transport, type TransportEvents } from './transport.ts';
import { upgradeUrl } from '../../net/upgrade-url.ts';

export interface WebSocketTransportOptions {
  server: HttpServer | HttpsServer;
  /** Default `/sip`. */
  path?: string;
  /** Frames larger than this close the connection (ws `maxPayload`). */
  maxMessageSize?: number;
  /**
   * WebSocket ping interval; a peer that missed the previous pong is cut off. Default 30 s.
   * The pings are spread over the interval (./keep-alive-wheel.ts).
   */
  pingIntervalMs?: number;
  /**
   * A connection that has not sent a SIP request the transport layer could parse
   * (`confirmFlow`) this long after the handshake is closed. Default 10 s.
   */
  firstRequestTimeoutMs?: number;
  /** Open connections one client may hold; its next upgrade is refused with 503. Default 2000. */
  maxConnectionsPerClient?: number;
  /**
   * What the per-client cap counts by, from the client's address (e.g. an IPv6 address by its
   * /64). Default: the address itself.
   */
  clientKey?: (address: string) => string;
  /** Peers whose X-Forwarded-For names the client (`http.trustProxy`). Default: none. */
  trustedProxies?: TrustedProxies;
  /** For the first-request deadline and the keep-alive; tests pass a fake clock. */
  timers?: WheelTimers;
  answerFramingError?: FramingErrorAnswer;
  logger?: TransportLogger;
}

interface Connection {
  ws: WebSocket;
  flow: Flow;
  alive: boolean;
  /** Pending until the first parseable SIP request arrives (`confirmFlow`). */
  firstRequestTimer: unknown;
}

/** RFC 7118 §4: the registered subprotocol name. */
const SUBPROTOCOL = 'sip';
const DEFAULT_PING_INTERVAL_MS = 30_000;
/**
 * JsSIP (the pane) and every SIP-over-WebSocket phone send REGISTER as soon as the socket opens,
 * one round trip after the handshake; 10 s leaves room for a browser busy loading Dynamics 365
 * and a slow mobile link, and still frees a silent socket quickly.
 */
export const DEFAULT_FIRST_REQUEST_TIMEOUT_MS = 10_000;
/**
 * A call centre behind one NAT shows every agent from one address, and after a network blip
 * each pane reconnects while its old socket lingers until the keep-alive notices (up to two
 * ping intervals): 2000 covers 1000 agents behind one address even then. It bounds what one
 * address can pin to a fifth of the 10,000 WebSocket agents this server was measured with
 * (~30 KiB each). Larger sites behind one address raise sip.wsMaxConnectionsPerAddress.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 2000;
/** Drop reasons: an upgrade refused for the per-client cap; a connection closed for silence. */
export const CONNECTION_LIMIT = 'connection-limit';
export const NO_REQUEST = 'no-request';
/** RFC 6455 §7.4.1: 1008, the endpoint received a message (here: none) that violates its policy. */
const POLICY_VIOLATION = 1008;
/** SIP.js and others send CRLF keep-alives over WebSocket too (RFC 5626 §4.4.1 style). */
const PING = '\r\n\r\n';
const PONG = '\r\n';

export class WebSocketTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol: 'WS' | 'WSS';
  readonly path: string;
  readonly #options: WebSocketTransportOptions;
  readonly #wss: WebSocketServer;
  readonly #connections = new Map<string, Connection>();
  /** Nothing thrown while one upgrade is handled may reach the process: that socket is closed. */
  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      this.#upgrade(req, socket, head);
    } catch (err) {
      this.#options.logger?.error({ err }, `${this.protocol} upgrade failed`);
      socket.destroy();
      this.emit('dropped', { transport: this.protocol, reason: RECEIVE_FAILED, detail: errorMessage(err) });
    }
  };
  readonly #keepAlive: KeepAliveWheel<Connection>;
  readonly #timers: WheelTimers;
  /** Open sockets (handshakes included) per client key, for the per-client cap. */
  readonly #perClient = new Map<string, number>();
  #listening = false;

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
    this.#timers = options.timers ?? systemTimers;
    this.#keepAlive = new KeepAliveWheel<Connection>({
      intervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      visit: (connection) => this.#ping(connection),
      timers: this.#timers,
    });
  }

  async listen(): Promise<void> {
    if (this.#listening) throw new Error('WebSocket transport: already listening');
    this.#listening = true;
    this.#options.server.on('upgrade', this.#onUpgrade);
    this.#keepAlive.start();
  }

  close(): Promise<void> {
    this.#options.server.off('upgrade', this.#onUpgrade);
    this.#keepAlive.stop();
    this.#listening = false;
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

  /**
   * The transport layer parsed a SIP request on this flow: the peer speaks SIP, and the
   * first-request deadline no longer applies to it.
   */
  confirmFlow(flowId: string): void {
    const connection = this.#connections.get(flowId);
    if (connection?.firstRequestTimer === undefined) return;
    this.#timers.clearTimeout(connection.firstRequestTimer);
    connection.firstRequestTimer = undefined;
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
    if (upgradeUrl(req)?.pathname !== this.path) return;
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) {
      // RFC 7118 §4: a SIP WebSocket server refuses a handshake without the `sip` subprotocol.
      refuse(socket, '400 Bad Request', 'WebSocket subprotocol "sip" required\n');
      this.emit('dropped', { transport: this.protocol, reason: 'subprotocol', detail: offered.join(',') });
      return;
    }
    const peer = { address: normalizeAddress(req.socket.remoteAddress ?? ''), port: req.socket.remotePort ?? 0 };
    const isTrusted = this.#options.trustedProxies ?? (() => false);
    const client = forwardedClient(req, isTrusted);
    const proxyItself = client === peer.address && isTrusted(peer.address);
    const key = this.#options.clientKey?.(client) ?? client;
    const held = this.#perClient.get(key) ?? 0;
    const limit = this.#options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
    if (held >= limit) {
      // Like nginx's limit_conn: 503, the client may try again once one of its sockets closed.
      refuse(socket, '503 Service Unavailable', 'Too many SIP WebSocket connections from this address\n');
      const via = client === peer.address ? '' : ` via ${formatHostPort(peer)}`;
      this.emit('dropped', { transport: this.protocol, reason: CONNECTION_LIMIT, remote: peer, detail: `${client}${via} already holds ${held} connections (the limit)` });
      return;
    }
    // Counted from the upgrade until the TCP socket closes, so handshakes in flight count too.
    this.#perClient.set(key, held + 1);
    socket.once('close', () => this.#release(key));
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#adopt(ws, req, client, proxyItself));
  }

  #release(key: string): void {
    const held = (this.#perClient.get(key) ?? 1) - 1;
    if (held > 0) this.#perClient.set(key, held);
    else this.#perClient.delete(key);
  }

  #adopt(ws: WebSocket, req: IncomingMessage, client: string, proxyItself: boolean): void {
    const flow = createFlow(
      this.protocol,
      { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 },
      { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
    );
    if (client !== flow.remote.address) flow.clientAddress = client;
    if (proxyItself) flow.trustedProxy = true;
    const connection: Connection = { ws, flow, alive: true, firstRequestTimer: undefined };
    const timeoutMs = this.#options.firstRequestTimeoutMs ?? DEFAULT_FIRST_REQUEST_TIMEOUT_MS;
    connection.firstRequestTimer = this.#timers.setTimeout(() => this.#silent(connection, timeoutMs), timeoutMs);
    this.#connections.set(flow.id, connection);
    this.#keepAlive.add(connection);
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data, isBinary) => this.#receive(connection, toBuffer(data), isBinary));
    ws.on('error', (err) => this.#options.logger?.debug({ err, flow: flow.id }, `${this.protocol} connection error`));
    ws.on('close', () => {
      if (connection.firstRequestTimer !== undefined) this.#timers.clearTimeout(connection.firstRequestTimer);
      this.#keepAlive.delete(connection);
      this.#connections.delete(flow.id);
      this.emit('flowClosed', flow.id);
    });
  }

  /** No SIP request in time: whatever holds the socket open, it is not a user agent we serve. */
  #silent(connection: Connection, timeoutMs: number): void {
    connection.firstRequestTimer = undefined;
    const { ws, flow } = connection;
    this.emit('dropped', { transport: this.protocol, reason: NO_REQUEST, remote: flow.remote, detail: `no SIP request within ${timeoutMs} ms from ${formatSource(flow)}` });
    ws.close(POLICY_VIOLATION, 'no SIP request in time');
  }

  /**
   * Everything one frame sets off, up to the transaction user, runs inside this call: whatever
   * it throws ends this connection, never the process.
   */
  #receive(connection: Connection, data: Buffer, isBinary: boolean): void {
    try {
      this.#frame(connection, data, isBinary);
    } catch (err) {
      const { ws, flow } = connection;
      this.#options.logger?.error({ err, flow: flow.id, remote: formatHostPort(flow.remote) }, `${this.protocol} connection closed: handling its data failed`);
      ws.terminate();
      this.emit('dropped', { transport: this.protocol, reason: RECEIVE_FAILED, remote: flow.remote, detail: errorMessage(err) });
    }
  }

  #frame(connection: Connection, data: Buffer, isBinary: boolean): void {
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

  /** One connection's turn of the keep-alive: cut off if the last ping went unanswered. */
  #ping(connection: Connection): void {
    if (!connection.alive) {
      connection.ws.terminate();
      return;
    }
    connection.alive = false;
    connection.ws.ping();
  }
}

/** An HTTP answer to an upgrade request that is not accepted; the socket ends after it. */
function refuse(socket: Duplex, status: string, body: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
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
