/**
 * A flow (RFC 5626 §3.1 term): the connection, or for UDP the address pair, a message arrived on
 * or left through. Responses to a request go back on its flow (RFC 3261 §18.2.2), and a registrar
 * keeps the flow of a WebSocket binding because that connection is the only way to reach the
 * user agent (RFC 7118 §5).
 */
import { isIPv4, isIPv6 } from 'node:net';

export type TransportProtocol = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

export interface HostPort {
  /** An IP literal: IPv4 dotted quad or IPv6 without brackets. */
  address: string;
  port: number;
}

export interface Flow {
  /**
   * Unique and stable for the life of a connection: `tcp:127.0.0.1:5060>127.0.0.1:40000#17`.
   * A UDP flow is just the address pair: `udp:127.0.0.1:5060>127.0.0.1:40000`.
   */
  id: string;
  transport: TransportProtocol;
  local: HostPort;
  remote: HostPort;
  /** TCP, TLS, WS and WSS are reliable: no retransmissions, responses on the same connection. */
  reliable: boolean;
  /**
   * The user agent's own address when a trusted reverse proxy relayed the connection (its
   * X-Forwarded-For on a WebSocket upgrade); absent when the peer is the user agent itself.
   * `remote` stays the socket's peer: responses, Via `received` (RFC 3581 §4) and bindings go by
   * it, while per-client accounting (auth-failure limits, connection caps, logs) goes by
   * `clientAddressOf(flow)`.
   */
  clientAddress?: string;
  /**
   * Set when the peer is a trusted reverse proxy that forwarded no client: the proxy speaks for
   * itself (a WebSocket it opened on its own). Such a flow is never banned: the proxy's address is
   * every client's behind it. Never set on UDP, TCP or TLS, whatever the peer's address.
   */
  trustedProxy?: true;
}

/** Where to send when no flow is known: an IP literal and a port (no DNS in the transport). */
export type SendTarget = Flow | HostPort;

export function isFlow(target: SendTarget): target is Flow {
  return 'id' in target && 'remote' in target;
}

export function isReliable(transport: TransportProtocol): boolean {
  return transport !== 'UDP';
}

/** `127.0.0.1:5060` or `[::1]:5060`. */
export function formatHostPort({ address, port }: HostPort): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * A socket on a dual-stack listener reports IPv4 peers as `::ffff:192.0.2.1`; SIP compares them
 * with Via hosts and sends to them, so they are turned back into plain IPv4.
 */
export function normalizeAddress(address: string): string {
  const [, ipv4] = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? [];
  if (ipv4 !== undefined && isIPv4(ipv4)) return ipv4;
  return address.toLowerCase();
}

/** Whom per-client limits and logs count: the proxied client's address, else the peer's. */
export function clientAddressOf(flow: Flow): string {
  return flow.clientAddress ?? flow.remote.address;
}

/** For logs: `192.0.2.7:5060`, or `203.0.113.7 via 192.0.2.7:5060` behind a reverse proxy. */
export function formatSource(flow: Flow): string {
  const peer = formatHostPort(flow.remote);
  return flow.clientAddress === undefined ? peer : `${flow.clientAddress} via ${peer}`;
}

let connectionCounter = 0;

/**
 * Builds a flow. Connection-oriented flows get a process-wide sequence number so that a new
 * connection between the same two ports is a different flow from the one that closed.
 */
export function createFlow(transport: TransportProtocol, local: HostPort, remote: HostPort): Flow {
  const localAddr = { address: normalizeAddress(local.address), port: local.port };
  const remoteAddr = { address: normalizeAddress(remote.address), port: remote.port };
  const pair = `${transport.toLowerCase()}:${formatHostPort(localAddr)}>${formatHostPort(remoteAddr)}`;
  const reliable = isReliable(transport);
  return {
    id: reliable ? `${pair}#${++connectionCounter}` : pair,
    transport,
    local: localAddr,
    remote: remoteAddr,
    reliable,
  };
}
