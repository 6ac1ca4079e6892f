/**
 * Topology hiding on trunk legs: a trunk sees Callpane and nothing behind it — no phone address,
 * no extension number, no header a phone or the PBX adds for its own side. Like Kamailio's topoh
 * module, everything the proxy needs to undo it travels sealed in the messages themselves (flow
 * tokens), so no per-dialog state is kept:
 * - Via: a request to a trunk carries only our Via; the proxy keeps the request it received (the
 *   §16 response context) and gives the responses its Vias back (RFC 3261 §16.7 step 3).
 * - Contact: a phone's Contact becomes `<sip:TOKEN@callpane;transport=…>`, the token sealing the
 *   phone's Contact URI; an in-dialog request that comes back with it as Request-URI gets the
 *   phone's URI again (restoreRequestUri).
 * - Call-ID: a dialog we start toward a trunk gets a sealed Call-ID (phones put their address in
 *   it); the trunk's messages get the real one back.
 * - From/To: in-dialog requests to a trunk we called carry the From and To it was sent (the phone
 *   still has its extension there), kept in the trunk leg's Route token.
 * - Route / Record-Route: a request out of a dialog carries no Route (the PBX decides where calls
 *   go, not a phone's preloaded route); one in a dialog keeps what is left below our entries, the
 *   trunk's own route set. Only our Record-Route entries go to a trunk, and in responses the
 *   trunk's own as well (the rest is the phone's). Both of ours are shown on the trunk's
 *   transport and our port for it, so the entry facing the phone does not tell how the phone
 *   reaches us (TCP, TLS, a browser over WebSocket); the token names the leg, and the phone gets
 *   its entry back as it was in the trunk's responses (RFC 3261 §16.7 step 4 lets a proxy
 *   rewrite its own Record-Route in a response).
 * - Headers: only TRUNK_REQUEST_HEADERS / TRUNK_RESPONSE_HEADERS cross (docs/pbx-trunks.md).
 *   REFER and Replaces never go to a trunk (trunk-transfer.ts).
 * - SDP: the media relay puts its own address in `o=` and `c=`; the origin's user name and the
 *   session name, where phones write their extension and model, become `-` (hideSdp).
 */
import {
  formatNameAddr,
  formatUri,
  getHeader,
  getHeaders,
  isSipUri,
  parseNameAddr,
  parseNameAddrList,
  parseUri,
  removeHeader,
  setHeader,
  tagOf,
  toOf,
} from '../../sip/message/index.ts';
import { headerKey } from '../../sip/message/header-names.ts';
import type { Header, NameAddr, SipMessage, SipRequest, SipResponse } from '../../sip/message/types.ts';
import type { TransportProtocol } from '../../sip/transport/index.ts';
import type { FlowTarget, FlowTokens } from './flow-token.ts';
import { recordRouteEntry, type LocalVia } from './record-route.ts';

/** What RFC 3261 and the extensions Callpane relays (RFC 3262, 3311, 3323, 3515, 3891, 4028, 6086, 6665) need in any message. */
const COMMON = [
  'Via',
  'From',
  'To',
  'Call-ID',
  'CSeq',
  'Contact',
  'Record-Route',
  'Content-Type',
  'Content-Length',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'MIME-Version',
  'Allow',
  'Supported',
  'Require',
  'Accept',
  'Session-Expires',
  'Min-SE',
  'Expires',
  'Privacy',
  'Allow-Events',
  'Recv-Info',
];

/**
 * Headers a request to a trunk may carry. The P-Asserted-Identity is ours (the proxy and the relay
 * drop every phone's); Authorization and Proxy-Authorization only what Callpane adds for the
 * trunk's own challenge (added after this filter). No transfer header (Refer-To, Referred-By,
 * Replaces): transfers through a trunk are refused before anything is sent (trunk-transfer.ts).
 */
export const TRUNK_REQUEST_HEADERS: readonly string[] = [
  ...COMMON,
  'P-Asserted-Identity',
  'Max-Forwards',
  'Route',
  'RAck',
  'Event',
  'Subscription-State',
  'Reason',
  'Info-Package',
];

/** Headers a response to a trunk may carry. */
export const TRUNK_RESPONSE_HEADERS: readonly string[] = [...COMMON, 'RSeq', 'Unsupported', 'Retry-After', 'Reason', 'Accept-Encoding', 'Accept-Language'];

const REQUEST_KEYS = new Set(TRUNK_REQUEST_HEADERS.map(headerKey));
const RESPONSE_KEYS = new Set(TRUNK_RESPONSE_HEADERS.map(headerKey));

export interface TopologyHiding {
  tokens: FlowTokens;
  localVia: LocalVia;
}

/**
 * A request as it goes to the trunk on `leg`: no Via (the transaction layer adds ours), only the
 * allowed headers, our Contact, our Record-Route entries only, a Route only in a dialog (our
 * entries already consumed: what is left is the trunk's route set), and for a dialog we started
 * there, its hidden Call-ID and the From/To the trunk knows (tags kept).
 */
export function hideRequest(request: SipRequest, leg: FlowTarget, hiding: TopologyHiding): SipRequest {
  const hidden: SipRequest = { ...request, headers: allowed(request.headers, REQUEST_KEYS).filter((header) => header.name !== 'Via') };
  // Out of a dialog (no To tag, RFC 3261 §12) the PBX chose the trunk: a Route a phone set is not
  // the carrier's business, and would name what is behind Callpane.
  if (tagOf(toOf(request)) === undefined) removeHeader(hidden, 'Route');
  editRecordRoutes(hidden, (entry) => shownToTrunk(entry, leg.transport, hiding));
  hideContact(hidden, leg.transport, hiding);
  const called = leg.trunk?.called;
  if (called !== undefined) {
    setHeader(hidden, 'Call-ID', hiding.tokens.hideCallId(getHeader(request, 'Call-ID') ?? ''));
    setHeader(hidden, 'From', withTagOf(called.from, getHeader(request, 'From')));
    setHeader(hidden, 'To', withTagOf(called.to, getHeader(request, 'To')));
  }
  return hidden;
}

/**
 * An SDP body as a trunk gets it: the `o=` user name and the `s=` session name, which phones fill
 * with their extension number and model, become `-` (RFC 8866 §5.2 and §5.3 allow exactly that).
 * The same rewrite of every body keeps the origin of one session constant, as §5.2 requires.
 */
export function hideSdp<M extends SipMessage>(message: M): M {
  if (message.body.length === 0 || !/^application\/sdp\b/i.test(getHeader(message, 'Content-Type') ?? '')) return message;
  const text = message.body.toString('utf8');
  const hidden = text.replace(/^o=\S+ /m, 'o=- ').replace(/^s=[^\r\n]*/m, 's=-');
  if (hidden === text) return message;
  const body = Buffer.from(hidden, 'utf8');
  const copy: M = { ...message, body, headers: message.headers.map((header) => ({ ...header })) };
  if (getHeader(copy, 'Content-Length') !== undefined) setHeader(copy, 'Content-Length', String(body.length));
  return copy;
}

/**
 * A response as it goes to a trunk that sent `request` over `transport`: allowed headers, our
 * Contact, and of the Record-Route only our entries and the trunk's own (those its request
 * carried); any a phone added is dropped.
 */
export function hideResponse(response: SipResponse, request: SipRequest, transport: TransportProtocol, hiding: TopologyHiding): SipResponse {
  const hidden: SipResponse = { ...response, headers: allowed(response.headers, RESPONSE_KEYS) };
  const trunks = new Set(recordRoutes(request).map(formatNameAddr));
  editRecordRoutes(hidden, (entry) => shownToTrunk(entry, transport, hiding) ?? (trunks.has(formatNameAddr(entry)) ? formatNameAddr(entry) : undefined));
  hideContact(hidden, transport, hiding);
  return hideSdp(hidden);
}

/**
 * A request from a trunk as the phone gets it: the Call-ID we hid revealed, and a Request-URI that
 * is our Contact token turned back into the phone's Contact URI (RFC 3261 §16.5: a Request-URI
 * in our own domain is ours to retarget). Anything else is left alone.
 */
export function revealRequest(request: SipRequest, tokens: FlowTokens): SipRequest {
  const callId = tokens.revealCallId(getHeader(request, 'Call-ID') ?? '');
  const contact = isSipUri(request.uri) && request.uri.user !== undefined ? tokens.decodeContact(request.uri.user) : undefined;
  if (callId === undefined && contact === undefined) return request;
  const revealed: SipRequest = { ...request, headers: request.headers.map((header) => ({ ...header })) };
  if (callId !== undefined) setHeader(revealed, 'Call-ID', callId);
  if (contact !== undefined) revealed.uri = parseUri(contact);
  return revealed;
}

/** The leg a Record-Route entry of ours names (its user part is one of our flow tokens), else undefined. */
function ownLeg(entry: NameAddr, tokens: FlowTokens): { token: string; leg: FlowTarget } | undefined {
  if (!isSipUri(entry.uri) || entry.uri.user === undefined) return undefined;
  const leg = tokens.decode(entry.uri.user);
  return leg === undefined ? undefined : { token: entry.uri.user, leg };
}

/** An entry of ours as a trunk reached over `transport` is shown it; undefined for anyone else's. */
function shownToTrunk(entry: NameAddr, transport: TransportProtocol, hiding: TopologyHiding): string | undefined {
  const own = ownLeg(entry, hiding.tokens);
  return own === undefined ? undefined : recordRouteEntry(own.token, transport, hiding.localVia);
}

/** Every Record-Route entry of `message`; an unreadable header counts as none (it is nobody's). */
function recordRoutes(message: SipMessage): NameAddr[] {
  return getHeaders(message, 'Record-Route').flatMap((value) => {
    try {
      return parseNameAddrList(value);
    } catch {
      return [];
    }
  });
}

/** Each Record-Route entry becomes what `edit` makes of it (undefined: dropped), in order, where the first one stood. */
function editRecordRoutes(message: SipMessage, edit: (entry: NameAddr) => string | undefined): void {
  const index = message.headers.findIndex((header) => header.name === 'Record-Route');
  if (index === -1) return;
  const values = recordRoutes(message).flatMap((entry) => edit(entry) ?? []);
  removeHeader(message, 'Record-Route');
  message.headers.splice(Math.min(index, message.headers.length), 0, ...values.map((value) => ({ name: 'Record-Route', value })));
}

function allowed(headers: readonly Header[], keys: ReadonlySet<string>): Header[] {
  return headers.filter((header) => keys.has(headerKey(header.name))).map((header) => ({ ...header }));
}

/** Replaces every Contact by ours, the phone's URI sealed in its user part; an unreadable one is dropped. */
function hideContact(message: SipMessage, transport: TransportProtocol, hiding: TopologyHiding): void {
  const values = message.headers.filter((header) => header.name === 'Contact').map((header) => header.value);
  if (values.length === 0) return;
  let contacts: NameAddr[];
  try {
    contacts = values.flatMap((value) => parseNameAddrList(value));
  } catch {
    contacts = [];
  }
  const { host, port } = hiding.localVia(transport);
  const ours = contacts
    .filter((contact) => isSipUri(contact.uri))
    .map((contact) => `<sip:${hiding.tokens.encodeContact(formatUri(contact.uri))}@${host}:${port};transport=${transport.toLowerCase()}>`);
  message.headers = message.headers.filter((header) => header.name !== 'Contact');
  if (ours.length > 0) setHeader(message, 'Contact', ours.join(', '));
}

/** `nameAddr` (no tag) with the tag of `tagged`, when it has one. */
function withTagOf(nameAddr: string, tagged: string | undefined): string {
  if (tagged === undefined) return nameAddr;
  const tag = parseNameAddr(tagged).params.get('tag');
  if (tag === undefined || tag === null) return nameAddr;
  const value = parseNameAddr(nameAddr);
  value.params.set('tag', tag);
  return formatNameAddr(value);
}

/**
 * A trunk's response as the sender of `request` gets it: the Vias, Call-ID, From and To of the
 * request it answers (RFC 3261 §8.2.6.2, §16.7 step 3), the trunk's To tag kept, and our
 * Record-Route entries on the transport of the leg each names (the trunk was shown its own).
 */
export function revealResponse(response: SipResponse, request: SipRequest, hiding: TopologyHiding): SipResponse {
  const vias = request.headers.filter((header) => header.name === 'Via').map((header) => ({ ...header }));
  const revealed: SipResponse = { ...response, headers: [...vias, ...response.headers.filter((header) => header.name !== 'Via').map((header) => ({ ...header }))] };
  for (const name of ['Call-ID', 'From']) {
    const value = getHeader(request, name);
    if (value !== undefined) setHeader(revealed, name, value);
  }
  const to = getHeader(request, 'To');
  if (to !== undefined) setHeader(revealed, 'To', parseNameAddr(to).params.has('tag') ? to : withTagOf(to, getHeader(response, 'To')));
  editRecordRoutes(revealed, (entry) => {
    const own = ownLeg(entry, hiding.tokens);
    return own === undefined ? formatNameAddr(entry) : recordRouteEntry(own.token, own.leg.transport, hiding.localVia);
  });
  return revealed;
}
