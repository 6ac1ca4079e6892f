/**
 * The PBX request route: every new request (not a retransmission, not an ACK) runs through one
 * pipeline, read top to bottom like Kamailio's request_route:
 *
 *   sanity → in-dialog (by our Route entries) → a preloaded Route naming us removed → local
 *     domain → OPTIONS keep-alive
 *     → REGISTER: auth → registrar
 *     → other requests: caller identification (trunk by address, or digest) → call router
 *       (extension, outbound route, inbound route) → media (call-media.ts: every SDP offer and
 *       answer anchored through the media relay) → relay (the proxy, which waits for each body)
 *
 * Each stage either answers (and the pipeline stops) or passes on. The route holds no sockets and
 * no timers: it answers through the server transaction it is given, at once or — a failed guess
 * at an extension under attack — through the delayed answers it is given.
 */
import { randomUUID } from 'node:crypto';
import {
  addHeader,
  createResponse,
  formatNameAddr,
  fromOf,
  getHeaders,
  isSipUri,
  maxForwardsOf,
  parseNameAddr,
  parseNameAddrList,
  splitTopLevelCommas,
  toOf,
  tagOf,
} from '../sip/message/index.ts';
import type { NameAddr, SipRequest, SipResponse, Uri } from '../sip/message/types.ts';
import { clientAddressOf, type Flow } from '../sip/transport/flow.ts';
import type { Binding } from './binding.ts';
import type { CallRouter, CallSetup, CallerIdentity } from './call-router.ts';
import type { CallerIdentification } from './caller-identification.ts';
import type { DelayedAnswers } from './delayed-answers.ts';
import type { DigestGuard, GuardOutcome } from './digest-guard.ts';
import type { Registrar } from './registrar.ts';
import type { Trunk } from './routing/trunk.ts';

/** What the route answers through: a server transaction, or anything else with `respond`. */
export interface Responder {
  respond(response: SipResponse): void;
}

/** An authorised call to a registered extension, for the relay to fork. */
export interface ExtensionCall {
  caller: CallerIdentity;
  callee: string;
  bindings: Binding[];
  /** For a trunk's call: the caller's number as the callee should see it (E.164 when known). */
  presentedFrom?: string;
}

/** An authorised call from an extension out through a trunk. */
export interface TrunkCall {
  caller: string;
  trunk: Trunk;
  /** The number to send to the trunk (after strip/prepend). */
  number: string;
  /** The caller id to present; undefined sends the call anonymous, never the extension number. */
  callerId: string | undefined;
}

/**
 * The stage after the route's decisions: the proxy. It answers through the responder it is given
 * (the server transaction): forwarded responses keep the callee's To tag.
 */
export interface Relay<R extends Responder> {
  toExtension(request: SipRequest, flow: Flow, responder: R, call: ExtensionCall): void;
  toTrunk(request: SipRequest, flow: Flow, responder: R, call: TrunkCall): void;
  /** An in-dialog request; false when no dialog of ours is named, so the route refuses it. */
  inDialog(request: SipRequest, flow: Flow, responder: R): boolean;
}

export interface RouteEvents {
  /** A call the route sends on (INVITE only), before the relay sees it. */
  callRouted?(request: SipRequest, setup: CallSetup): void;
  /** A call the route answered itself (404, 480, 503): one that failed, for its owners to see. */
  callRefused?(request: SipRequest, response: SipResponse, setup: CallSetup): void;
  registered?(outcome: { aor: string; status: number; flow: Flow }): void;
  authenticated?(outcome: GuardOutcome, request: SipRequest, flow: Flow): void;
}

export interface RequestRouteOptions<R extends Responder = Responder> {
  /** Host names and addresses that mean "this PBX" in a Request-URI (domain, advertised host…). */
  localHosts: readonly string[];
  /** Whether SIP listens on `port` (any transport): a Route naming a local host names us on those only. */
  isLocalPort?: (port: number) => boolean;
  registrar: Registrar;
  guard: DigestGuard;
  identification: CallerIdentification;
  router: CallRouter;
  relay?: Relay<R>;
  events?: RouteEvents;
  /** Where refusals that carry a delay wait; without it they are answered at once. */
  delayed?: DelayedAnswers;
}

/** Methods this PBX handles or will relay; anything else is unrecognised (RFC 3261 §8.2.1: 501). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'INFO', 'UPDATE', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', 'PRACK'];
const ALLOW = ALLOWED_METHODS.join(', ');
/** Option tags we implement; a Require or Proxy-Require naming any other gets 420 (§8.2.2.3, §16.3). */
const SUPPORTED_OPTION_TAGS = new Set<string>();

export class RequestRoute<R extends Responder = Responder> {
  readonly #options: RequestRouteOptions<R>;
  readonly #localHosts: Set<string>;

  constructor(options: RequestRouteOptions<R>) {
    this.#options = options;
    this.#localHosts = new Set(options.localHosts.map((host) => host.toLowerCase()));
  }

  handle(request: SipRequest, flow: Flow, responder: R): void {
    // A UAS tags the To of every final response to an out-of-dialog request (§8.2.6.2) with at
    // least 32 random bits (§19.3); randomUUID draws from a cached pool, randomBytes per call does not.
    const toTag = randomUUID().replaceAll('-', '').slice(0, 16);
    const answer: Responder = { respond: (response) => responder.respond(tagged(response, toTag)) };
    const refusal = this.#sanity(request);
    if (refusal) {
      answer.respond(refusal);
      return;
    }
    if (tagOf(toOf(request)) !== undefined) {
      // In-dialog requests are routed by the Route entries we recorded (§16.4); one that names
      // none of ours belongs to no dialog here (§12.2.2).
      if (!this.#options.relay?.inDialog(request, flow, responder)) answer.respond(createResponse(request, 481));
      return;
    }
    // §16.4: a first Route naming this proxy (a phone's outbound proxy, preloaded) is removed; the
    // PBX decides where the request goes from here.
    this.#removeOwnRoute(request);
    if (!this.#isLocal(request)) {
      // Not an open relay: requests for other domains are refused, not forwarded.
      answer.respond(createResponse(request, 403, { reason: 'Relaying Forbidden' }));
      return;
    }
    switch (request.method) {
      case 'OPTIONS':
        // A registrar that keeps our registered contact alive (Asterisk's qualify) pings it there.
        if ((isSipUri(request.uri) && request.uri.user === undefined) || this.#options.identification.namesRegisteredContact(request.uri)) {
          answer.respond(this.#capabilities(request));
          return;
        }
        break;
      case 'REGISTER':
        this.#register(request, flow, answer);
        return;
      case 'CANCEL':
        // A CANCEL that matched no INVITE transaction (§9.2).
        answer.respond(createResponse(request, 481));
        return;
      case 'BYE':
      case 'PRACK':
      case 'UPDATE':
      case 'INFO':
      case 'NOTIFY':
        // Methods that only make sense inside a dialog (§15, RFC 3262, RFC 3311, RFC 6086, RFC 6665).
        answer.respond(createResponse(request, 481));
        return;
    }
    if (!ALLOWED_METHODS.includes(request.method)) {
      answer.respond(this.#notImplemented(request));
      return;
    }
    this.#relay(request, flow, responder, answer);
  }

  /** §8.2.2 and §16.3: what must be true of any request before it is looked at further. */
  #sanity(request: SipRequest): SipResponse | undefined {
    if (request.uri.scheme !== 'sip' && request.uri.scheme !== 'sips') {
      // RFC 3966 tel: URIs reach a PBX only from broken peers; we route sip(s) only (§8.2.2.1).
      return createResponse(request, 416);
    }
    const unsupported = [...optionTags(request, 'Require'), ...optionTags(request, 'Proxy-Require')].filter(
      (tag) => !SUPPORTED_OPTION_TAGS.has(tag),
    );
    if (unsupported.length > 0 && request.method !== 'CANCEL') {
      const response = createResponse(request, 420);
      addHeader(response, 'Unsupported', [...new Set(unsupported)].join(', '));
      return response;
    }
    if (maxForwardsOf(request) === 0 && !answeredHere(request)) {
      // §16.3 item 2: an OPTIONS for a user would go on to the relay, so it gets 483 like the rest.
      return createResponse(request, 483);
    }
    return undefined;
  }

  #removeOwnRoute(request: SipRequest): void {
    const first = request.headers.findIndex((header) => header.name === 'Route');
    if (first === -1) return;
    let entries: NameAddr[];
    try {
      entries = parseNameAddrList(request.headers[first].value);
    } catch {
      return;
    }
    if (entries.length === 0 || !this.#namesUs(entries[0].uri)) return;
    if (entries.length === 1) request.headers.splice(first, 1);
    else request.headers[first] = { name: 'Route', value: entries.slice(1).map(formatNameAddr).join(', ') };
  }

  /** A URI that addresses this proxy: one of our hosts, on one of our ports when it names one. */
  #namesUs(uri: Uri): boolean {
    if (!isSipUri(uri) || !this.#localHosts.has(uri.host.toLowerCase())) return false;
    const { isLocalPort } = this.#options;
    return uri.port === undefined || isLocalPort === undefined || isLocalPort(uri.port);
  }

  #isLocal(request: SipRequest): boolean {
    return isSipUri(request.uri) && this.#localHosts.has(request.uri.host.toLowerCase());
  }

  #register(request: SipRequest, flow: Flow, answer: Responder): void {
    const outcome = this.#options.guard.authenticate(request, clientAddressOf(flow), 'registrar', flow.trustedProxy === true);
    this.#options.events?.authenticated?.(outcome, request, flow);
    if (!outcome.ok) {
      this.#refuse(answer, outcome);
      return;
    }
    const response = this.#options.registrar.register({ request, flow, authenticatedAs: outcome.user, sessionTag: outcome.sessionTag });
    const to = toOf(request).uri;
    this.#options.events?.registered?.({ aor: isSipUri(to) ? (to.user ?? '') : '', status: response.status, flow });
    answer.respond(response);
  }

  /** Out-of-dialog requests for a user: identify the caller, decide where the call goes, hand over. */
  #relay(request: SipRequest, flow: Flow, responder: R, answer: Responder): void {
    const identified = this.#options.identification.identify(request, flow);
    if (!identified.ok) {
      this.#refuse(answer, identified, responder);
      return;
    }
    const from = fromOf(request);
    const called = identified.calledNumber ?? (isSipUri(request.uri) ? request.uri.user : undefined);
    const decision = this.#options.router.route(identified.caller, called, {
      user: isSipUri(from.uri) ? from.uri.user : undefined,
      displayName: from.displayName,
    });
    const isCall = request.method === 'INVITE';
    if (decision.kind === 'refuse') {
      const response = createResponse(request, decision.status, { reason: decision.reason });
      if (isCall && decision.setup) this.#options.events?.callRefused?.(request, response, decision.setup);
      answer.respond(response);
      return;
    }
    const { relay } = this.#options;
    if (!relay) {
      answer.respond(createResponse(request, 501, { reason: 'Calls Not Enabled' }));
      return;
    }
    if (isCall) this.#options.events?.callRouted?.(request, decision.setup);
    if (decision.kind === 'extension') {
      relay.toExtension(request, flow, responder, { caller: identified.caller, callee: decision.callee, bindings: decision.bindings, presentedFrom: decision.presentedFrom });
    } else if (identified.caller.kind === 'extension') {
      relay.toTrunk(request, flow, responder, { caller: identified.caller.number, trunk: decision.trunk, number: decision.number, callerId: decision.callerId });
    }
  }

  /**
   * An authentication refusal, held back for `delayMs` when it says so (counted against
   * `delayAccount`), under its server transaction (`responder`): a CANCEL of an INVITE finds it there.
   */
  #refuse(answer: Responder, { response, delayMs, delayAccount }: { response: SipResponse; delayMs?: number; delayAccount?: string }, responder?: R): void {
    if (delayMs !== undefined && delayMs > 0 && delayAccount !== undefined && this.#options.delayed) this.#options.delayed.answer(answer, response, delayMs, delayAccount, responder);
    else answer.respond(response);
  }

  /** RFC 3261 §11.2: what this server supports. */
  #capabilities(request: SipRequest): SipResponse {
    const response = createResponse(request, 200);
    addHeader(response, 'Allow', ALLOW);
    addHeader(response, 'Accept', 'application/sdp');
    return response;
  }

  #notImplemented(request: SipRequest): SipResponse {
    const response = createResponse(request, 501);
    addHeader(response, 'Allow', ALLOW);
    return response;
  }
}

/** REGISTER and OPTIONS to the server itself are answered by this PBX, never forwarded. */
function answeredHere(request: SipRequest): boolean {
  if (request.method === 'REGISTER') return true;
  return request.method === 'OPTIONS' && isSipUri(request.uri) && request.uri.user === undefined;
}

function optionTags(request: SipRequest, header: 'Require' | 'Proxy-Require'): string[] {
  return getHeaders(request, header)
    .flatMap((value) => splitTopLevelCommas(value))
    .map((tag) => tag.trim().toLowerCase())
    .filter((tag) => tag.length > 0);
}

function tagged(response: SipResponse, toTag: string): SipResponse {
  if (response.status === 100) return response;
  const to = response.headers.find((header) => header.name === 'To');
  if (to && !parseNameAddr(to.value).params.has('tag')) to.value = `${to.value};tag=${toTag}`;
  return response;
}
