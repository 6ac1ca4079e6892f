/**
 * Record-Route and Route handling (RFC 3261 §16.6 step 4, §16.4, §16.12) with flow tokens.
 *
 * The proxy records two routes per forwarded dialog-creating request ("double Record-Route", as
 * Kamailio does when the legs differ in transport): the top one faces the callee and names the
 * callee's flow, the one below faces the caller and names the caller's flow. Each side's route set
 * then lists the entry facing it first; an in-dialog request carries both, and the flow named by
 * the last of our entries is where it goes.
 */
import { addHeader, formatNameAddr, getHeaders, isSipUri, parseNameAddrList, removeHeader } from '../../sip/message/index.ts';
import type { NameAddr, SipRequest } from '../../sip/message/types.ts';
import type { Flow, TransportProtocol } from '../../sip/transport/index.ts';
import type { FlowTarget, FlowTokens } from './flow-token.ts';

export type LocalVia = (protocol: TransportProtocol) => { host: string; port: number };

/** The leg a request arrived on, as a flow target. */
export function flowTargetOf(flow: Flow): FlowTarget {
  return { transport: flow.transport, address: flow.remote.address, port: flow.remote.port, flowId: flow.reliable ? flow.id : undefined };
}

function recordRouteUri(tokens: FlowTokens, localVia: LocalVia, target: FlowTarget): string {
  return recordRouteEntry(tokens.encode(target), target.transport, localVia);
}

/**
 * One of our Record-Route entries: the token, at our address for `transport`. The token alone
 * names the leg; the rest says how the side the entry faces reaches us.
 */
export function recordRouteEntry(token: string, transport: TransportProtocol, localVia: LocalVia): string {
  const { host, port } = localVia(transport);
  return `<sip:${token}@${host}:${port};transport=${transport.toLowerCase()};lr>`;
}

export function addRecordRoutes(request: SipRequest, legs: { caller: FlowTarget; callee: FlowTarget }, tokens: FlowTokens, localVia: LocalVia): void {
  addHeader(request, 'Record-Route', recordRouteUri(tokens, localVia, legs.caller), 'first');
  addHeader(request, 'Record-Route', recordRouteUri(tokens, localVia, legs.callee), 'first');
}

export type RouteDecision =
  /**
   * Our entries were removed; the request goes to `target`, the hop we recorded for that leg.
   * Route entries below ours (a carrier's proxy) stay for that hop to consume (§16.12). `source`
   * is the leg named by the first of our entries, the one facing the sender (when both came).
   */
  | { kind: 'ours'; target: FlowTarget; source: FlowTarget | undefined }
  /** No Route names us: the request was not routed through a dialog we record-routed. */
  | { kind: 'none' };

/** Removes the Route entries that are ours (valid flow tokens) from the top of the request. */
export function consumeOwnRoutes(request: SipRequest, tokens: FlowTokens): RouteDecision {
  const routes: NameAddr[] = getHeaders(request, 'Route').flatMap((value) => parseNameAddrList(value));
  const ours: FlowTarget[] = [];
  for (const route of routes) {
    const decoded = isSipUri(route.uri) && route.uri.user !== undefined ? tokens.decode(route.uri.user) : undefined;
    if (decoded === undefined) break;
    ours.push(decoded);
  }
  const [first] = ours;
  const last = ours.at(-1);
  if (first === undefined || last === undefined) return { kind: 'none' };
  removeHeader(request, 'Route');
  for (const route of routes.slice(ours.length)) addHeader(request, 'Route', formatNameAddr(route));
  return { kind: 'ours', target: last, source: ours.length > 1 ? first : undefined };
}
