/**
 * The client behind reverse proxies, read from the X-Forwarded-For of an HTTP request (a
 * WebSocket upgrade) by the very code Fastify reads it with for the web API (@fastify/proxy-addr),
 * so that SIP over WebSocket and the web API name the same client for the same request: start
 * at the socket's peer and walk the list from the right while the address in hand is a trusted
 * proxy; the first address that is not one is the client. Every proxy appends the address it
 * received the connection from, so entries left of the first untrusted hop are whatever the
 * client chose to send and are never believed. An entry that is no bare IP address (`unknown`,
 * `192.0.2.1:4711`) is not a trusted proxy either: the walk stops there and takes it as it is.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { normalizeAddress } from './flow.ts';

/**
 * Whether an address is one of the trusted reverse proxies (`http.trustProxy`). The SIP layer
 * receives it as a function and knows nothing of the configuration (security/trusted-proxies.ts
 * builds it).
 */
export type TrustedProxies = (address: string) => boolean;

/** The client's address as `normalizeAddress` writes it. */
export function forwardedClient(req: IncomingMessage, isTrusted: TrustedProxies): string {
  return normalizeAddress(proxyAddr(req, isTrusted));
}
