/**
 * The SIP transport layer (RFC 3261 §18): the configured transports behind one interface that
 * speaks SIP messages. Inbound it parses, answers unparseable requests, stamps the top Via of
 * requests (§18.2.1, RFC 3581 §4) and discards responses that are not ours (§18.1.2). Outbound it
 * sends bytes where it is told and nowhere else: responses back along the request's flow
 * (§18.2.2), requests to a flow or an IP literal.
 *
 * Via insertion is the transaction layer's job: it asks `sentBy(target)` for the transport and
 * sent-by to write into its own Via (with branch and `rport`), and this layer sends the request
 * unchanged. The shape fits the transaction layer's `TransactionTransport<Flow, RequestTarget>`.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { createResponse, cseqOf, getHeader, parseMessage, REQUIRED_HEADERS, serializeMessage, SipParseError, topVia } from '../message/index.ts';
import type { SipMessage, SipParsePartial, SipRequest, SipResponse } from '../message/index.ts';
import { isReliable, normalizeAddress, type Flow, type TransportProtocol } from './flow.ts';
import type { TransportLogger } from './logger.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, type FramingError } from './stream-framer.ts';
import { TcpTransport } from './tcp-transport.ts';
import { FlowClosedError, type DropReport, type InboundMessage, type Transport } from './transport.ts';
import { UdpTransport } from './udp-transport.ts';
import { defaultPort, isOurSentBy, stampReceived, unreliableResponseTarget, viaHostAddress } from './via-stamping.ts';
import { WebSocketTransport, type WebSocketTransportOptions } from './websocket-transport.ts';

export interface TransportLayerConfig {
  udp?: { host: string; port: number };
  tcp?: { host: string; port: number };
  tls?: { host: string; port: number; cert: string | Buffer; key: string | Buffer; ca?: string | Buffer | Array<string | Buffer> };
  /**
   * SIP over WebSocket on this HTTP(S) server's upgrade requests for `path` (default `/sip`),
   * with its first-request deadline, per-client cap and trusted reverse proxies.
   */
  ws?: { server: HttpServer | HttpsServer; path?: string } & Pick<
    WebSocketTransportOptions,
    'firstRequestTimeoutMs' | 'maxConnectionsPerClient' | 'clientKey' | 'trustedProxies' | 'timers'
  >;
  /** Host for our Via sent-by; required when a transport listens on 0.0.0.0 or ::. */
  advertisedHost?: string;
  /** Largest message accepted on any transport, in octets. Default 65536. */
  maxMessageSize?: number;
  /** TCP/TLS connections idle this long are closed. */
  idleTimeoutMs?: number;
  /** WebSocket ping interval. */
  pingIntervalMs?: number;
  logger?: TransportLogger;
}

/** Where a request goes: an existing flow, or an IP literal and port over a transport. */
export type RequestTarget = { flow: Flow } | { transport: TransportProtocol; host: string; port: number };

/** One SIP message in or out, for metrics by method and response class. */
export type MessageCount =
  | { kind: 'request'; method: string; transport: TransportProtocol }
  | { kind: 'response'; statusClass: '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | '6xx'; method: string; transport: TransportProtocol };

export interface TransportLayerEvents {
  request: [request: SipRequest, flow: Flow];
  response: [response: SipResponse, flow: Flow];
  /** A connection closed; WebSocket bindings on it are unreachable from now on. */
  flowClosed: [flowId: string];
  /** A message (or datagram) was discarded; `reason` as in DropReport. */
  dropped: [DropReport];
  messageIn: [MessageCount];
  messageOut: [MessageCount];
}

export class TransportLayer extends EventEmitter<TransportLayerEvents> {
  readonly #config: TransportLayerConfig;
  readonly #maxMessageSize: number;
  readonly #transports = new Map<TransportProtocol, Transport>();

  constructor(config: TransportLayerConfig) {
    super();
    this.#config = config;
    this.#maxMessageSize = config.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    const common = { maxMessageSize: this.#maxMessageSize, logger: config.logger };
    const answerFramingError = (error: FramingError, flow: Flow): Buffer | undefined => this.#answerFramingError(error, flow);
    for (const host of [config.udp?.host, config.tcp?.host, config.tls?.host]) {
      if (host !== undefined && isUnspecified(host) && config.advertisedHost === undefined) {
        throw new Error(`transport layer: advertisedHost is required when listening on ${host}`);
      }
    }
    if (config.udp) this.#add(new UdpTransport({ ...config.udp, ...common }));
    if (config.tcp) {
      this.#add(new TcpTransport({ ...config.tcp, ...common, idleTimeoutMs: config.idleTimeoutMs, answerFramingError }));
    }
    if (config.tls) {
      const { host, port, cert, key, ca } = config.tls;
      this.#add(new TcpTransport({ host, port, tls: { cert, key, ca }, ...common, idleTimeoutMs: config.idleTimeoutMs, answerFramingError }));
    }
    if (config.ws) {
      this.#add(new WebSocketTransport({ ...config.ws, ...common, pingIntervalMs: config.pingIntervalMs, answerFramingError }));
    }
    // A request that parsed (and is about to be handled) proves its flow speaks SIP; registered
    // first, so the transport knows before any handler of the request runs.
    this.on('request', (_request, flow) => this.#transports.get(flow.transport)?.confirmFlow?.(flow.id));
  }

  /** The transports configured, by protocol (WS or WSS depending on the HTTP server). */
  get protocols(): TransportProtocol[] {
    return [...this.#transports.keys()];
  }

  async listen(): Promise<void> {
    try {
      for (const transport of this.#transports.values()) await transport.listen();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#transports.values()].map((transport) => transport.close()));
  }

  /**
   * The host and port to advertise in a Via sent-by (and Contact) for a transport: the
   * advertised host, else the address it listens on; the port it is bound to.
   */
  localVia(protocol: TransportProtocol): { host: string; port: number } {
    const local = this.#transport(protocol).localAddress();
    const host = this.#config.advertisedHost ?? local.address;
    return { host: isIP(host) === 6 ? `[${host}]` : host, port: local.port };
  }

  /** An open connection's flow by id, on whichever transport holds it; undefined once closed. */
  flow(flowId: string): Flow | undefined {
    for (const transport of this.#transports.values()) {
      const flow = transport.flow?.(flowId);
      if (flow) return flow;
    }
    return undefined;
  }

  /** What the transaction layer writes into its Via for a target (RFC 3261 §18.1.1). */
  sentBy(target: RequestTarget): { transport: TransportProtocol; host: string; port: number } {
    const protocol = 'flow' in target ? target.flow.transport : target.transport;
    return { transport: protocol, ...this.localVia(protocol) };
  }

  isReliable(target: RequestTarget): boolean {
    return 'flow' in target ? target.flow.reliable : isReliable(target.transport);
  }

  /**
   * Sends a request unchanged to a flow or to an IP literal (no DNS here). TCP/TLS reuse an open
   * connection to the address; WebSocket can only reach a user agent already connected.
   */
  async sendRequest(request: SipRequest, target: RequestTarget): Promise<void> {
    const data = serializeMessage(request);
    let flow: Flow;
    if ('flow' in target) {
      flow = await this.#transport(target.flow.transport).send(target.flow, data);
    } else {
      const address = viaHostAddress(target.host);
      if (!isIP(address)) throw new Error(`transport layer: ${target.host} is not an IP literal`);
      flow = await this.#transport(target.transport).send({ address, port: target.port }, data);
    }
    this.emit('messageOut', count(request, flow.transport));
  }

  /**
   * Sends a response for a request that arrived on `requestFlow` (RFC 3261 §18.2.2, RFC 3581 §4):
   * on a reliable flow over the same connection — if that TCP/TLS connection is gone, over a new
   * one to the source address and the sent-by port; over UDP to the source address and the rport
   * or sent-by port. Never to the Via host or `maddr`.
   */
  async sendResponse(response: SipResponse, requestFlow: Flow): Promise<void> {
    const transport = this.#transport(requestFlow.transport);
    const data = serializeMessage(response);
    const via = topVia(response);
    let flow: Flow;
    if (!requestFlow.reliable) {
      flow = await transport.send(unreliableResponseTarget(via, requestFlow.remote), data);
    } else {
      try {
        flow = await transport.send(requestFlow, data);
      } catch (err) {
        if (!(err instanceof FlowClosedError) || !(transport instanceof TcpTransport)) throw err;
        const port = via.port ?? defaultPort(via.transport);
        flow = await transport.send({ address: requestFlow.remote.address, port }, data);
      }
    }
    this.emit('messageOut', count(response, flow.transport));
  }

  #add(transport: Transport): void {
    this.#transports.set(transport.protocol, transport);
    transport.on('message', (inbound) => this.#receive(inbound));
    transport.on('flowClosed', (flowId) => this.#flowClosed(flowId));
    transport.on('dropped', (report) => this.#drop(report));
  }

  /** A socket's close event is no place to throw from: what listeners fail at is logged. */
  #flowClosed(flowId: string): void {
    try {
      this.emit('flowClosed', flowId);
    } catch (err) {
      this.#config.logger?.error({ err, flow: flowId }, 'handling a closed SIP connection failed');
    }
  }

  #transport(protocol: TransportProtocol): Transport {
    const transport = this.#transports.get(protocol);
    if (!transport) throw new Error(`transport layer: no ${protocol} transport configured`);
    return transport;
  }

  #receive({ data, flow }: InboundMessage): void {
    // CRLF keep-alives some user agents send over UDP too (RFC 5626 §4.4.1 style) are no messages.
    if (data.length <= 4 && /^[\r\n]*$/.test(data.toString('latin1'))) return;
    let message: SipMessage;
    try {
      message = parseMessage(data, { maxSize: this.#maxMessageSize });
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      this.#drop({ transport: flow.transport, reason: 'unparseable', remote: flow.remote, detail: err.message });
      const answer = this.#errorResponse(err.partial, err.status, flow);
      if (answer) this.sendResponse(answer.response, flow).catch((sendErr) => this.#sendFailed(sendErr, flow));
      return;
    }
    if (message.type === 'request') {
      try {
        stampReceived(message, flow.remote);
      } catch (err) {
        this.#drop({ transport: flow.transport, reason: 'bad-via', remote: flow.remote, detail: (err as Error).message });
        return;
      }
      this.emit('messageIn', count(message, flow.transport));
      this.emit('request', message, flow);
      return;
    }
    if (!this.#isOurs(message)) {
      this.#drop({ transport: flow.transport, reason: 'via-mismatch', remote: flow.remote });
      return;
    }
    this.emit('messageIn', count(message, flow.transport));
    this.emit('response', message, flow);
  }

  /**
   * The response to a request that failed to parse, built from the headers that could be read
   * (RFC 3261 §8.2.6.2 needs Via, From, To, Call-ID and CSeq), with its bytes; undefined for a
   * response, an ACK (never answered, §17) or when those headers are not all readable or could
   * not be written back.
   */
  #errorResponse(partial: SipParsePartial | undefined, status: number | undefined, flow: Flow): { response: SipResponse; bytes: Buffer } | undefined {
    if (!partial?.isRequest || status === undefined || partial.method === 'ACK') return undefined;
    // Only the headers a response copies: the rest may be what failed to parse.
    const request: SipRequest = {
      type: 'request',
      method: partial.method ?? 'UNKNOWN',
      uri: { scheme: 'sip', opaque: '' },
      headers: partial.headers.map((header) => ({ ...header })),
      body: Buffer.alloc(0),
    };
    if (REQUIRED_HEADERS.some((name) => getHeader(request, name) === undefined)) return undefined;
    try {
      stampReceived(request, flow.remote);
      const response = createResponse(request, status, { toTag: randomBytes(8).toString('hex') });
      // A copied value that cannot go on the wire (a bare CR inside From, say) leaves no answer
      // to give: the response would be as malformed as the request.
      return { response, bytes: serializeMessage(response) };
    } catch {
      return undefined;
    }
  }

  /** A stream that cannot be framed: answer with what its header section allows, then it closes. */
  #answerFramingError(error: FramingError, flow: Flow): Buffer | undefined {
    let partial: SipParsePartial | undefined;
    try {
      const message = parseMessage(error.data, { maxSize: this.#maxMessageSize });
      partial = message.type === 'request' ? { isRequest: true, method: message.method, headers: message.headers } : { isRequest: false, headers: message.headers };
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      partial = err.partial;
    }
    const answer = this.#errorResponse(partial, error.status, flow);
    if (!answer) return undefined;
    this.emit('messageOut', count(answer.response, flow.transport));
    return answer.bytes;
  }

  #isOurs(response: SipResponse): boolean {
    try {
      const ours = [...this.#transports.keys()].map((protocol) => this.localVia(protocol));
      return isOurSentBy(topVia(response), ours);
    } catch {
      return false;
    }
  }

  #drop(report: DropReport): void {
    this.#config.logger?.debug({ ...report }, 'SIP message dropped');
    this.emit('dropped', report);
  }

  #sendFailed(err: unknown, flow: Flow): void {
    this.#config.logger?.debug({ err, flow: flow.id }, 'could not send an error response');
  }
}

function count(message: SipMessage, transport: TransportProtocol): MessageCount {
  if (message.type === 'request') return { kind: 'request', method: message.method, transport };
  const statusClass = `${Math.floor(message.status / 100)}xx` as '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | '6xx';
  return { kind: 'response', statusClass, method: cseqMethod(message), transport };
}

/** The 400 to a request whose CSeq failed to parse copies that CSeq: it is counted all the same. */
function cseqMethod(response: SipResponse): string {
  try {
    return cseqOf(response).method;
  } catch {
    return 'UNKNOWN';
  }
}

function isUnspecified(host: string): boolean {
  return normalizeAddress(host) === '0.0.0.0' || normalizeAddress(host) === '::';
}
