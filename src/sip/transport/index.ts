/** The SIP transport layer (RFC 3261 §18, RFC 3581, RFC 7118): flows, transports, framing. */
export { createFlow, formatHostPort, isFlow, isReliable, normalizeAddress } from './flow.ts';
export type { Flow, HostPort, SendTarget, TransportProtocol } from './flow.ts';
export type { TransportLogger } from './logger.ts';
export { DEFAULT_MAX_MESSAGE_SIZE, FramingError, StreamFramer, headerSectionEnd, readContentLength } from './stream-framer.ts';
export type { StreamFramerEvents } from './stream-framer.ts';
export { FlowClosedError } from './transport.ts';
export type { DropReport, FramingErrorAnswer, InboundMessage, Transport, TransportEvents } from './transport.ts';
export { UdpTransport } from './udp-transport.ts';
export type { UdpTransportOptions } from './udp-transport.ts';
export { TcpTransport } from './tcp-transport.ts';
export type { TcpTransportOptions, TlsCredentials } from './tcp-transport.ts';
export { WebSocketTransport } from './websocket-transport.ts';
export type { WebSocketTransportOptions } from './websocket-transport.ts';
export { defaultPort, isOurSentBy, stampReceived, unreliableResponseTarget } from './via-stamping.ts';
export { TransportLayer } from './transport-layer.ts';
export type { MessageCount, RequestTarget, TransportLayerConfig, TransportLayerEvents } from './transport-layer.ts';
