/**
 * The Via rules of the transport layer: what a server writes into the top Via of a request it
 * receives (RFC 3261 §18.2.1, RFC 3581 §4), where a response goes (§18.2.2, RFC 3581 §4), and
 * whether a response's top Via names us (§18.1.2).
 */
import { formatVia, splitTopLevelCommas, topVia } from '../message/index.ts';
import type { Header, Via } from '../message/types.ts';
import { normalizeAddress, type HostPort } from './flow.ts';

/** Default port of a sent-by without one (RFC 3261 §18.1.1, §19.1.2). */
export function defaultPort(transport: string): number {
  return transport === 'TLS' || transport === 'WSS' ? 5061 : 5060;
}

/** A Via host as an address to compare: brackets off, lower case, IPv4-mapped IPv6 unwrapped. */
export function viaHostAddress(host: string): string {
  return normalizeAddress(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
}

/**
 * Adds `received` when the sent-by host is not the source address (§18.2.1) and, when the Via
 * asks with `rport`, the source port as rport plus `received` even if equal (RFC 3581 §4). An
 * rport that already carries a value is overwritten too: a client must not send one, and the
 * response must not go to a port the client merely claims. Edits the header list in place.
 */
export function stampReceived(message: { headers: Header[] }, source: HostPort): void {
  const via = topVia(message);
  const hasRport = via.params.has('rport');
  if (hasRport || viaHostAddress(via.host) !== normalizeAddress(source.address)) {
    via.params.set('received', normalizeAddress(source.address));
  }
  if (hasRport) via.params.set('rport', String(source.port));
  replaceTopVia(message.headers, via);
}

/**
 * Where a response to a request that arrived over UDP from `source` goes: always the source
 * address — never the Via host or its `maddr`, so a message cannot make Callpane send elsewhere —
 * and the source port when the request asked for rport, else the sent-by port (§18.2.2).
 */
export function unreliableResponseTarget(via: Via, source: HostPort): HostPort {
  const port = via.params.has('rport') ? source.port : (via.port ?? defaultPort(via.transport));
  return { address: source.address, port };
}

/** §18.1.2: a response whose top Via sent-by is not one we advertise is not ours. */
export function isOurSentBy(via: Via, ours: Array<{ host: string; port: number }>): boolean {
  const host = viaHostAddress(via.host);
  const port = via.port ?? defaultPort(via.transport);
  return ours.some((sentBy) => viaHostAddress(sentBy.host) === host && sentBy.port === port);
}

function replaceTopVia(headers: Header[], via: Via): void {
  const index = headers.findIndex((header) => /^(via|v)$/i.test(header.name));
  const header = headers[index];
  if (header === undefined) throw new Error('no Via header to replace');
  const values = splitTopLevelCommas(header.value);
  values[0] = formatVia(via);
  headers[index] = { name: 'Via', value: values.join(', ') };
}
