/**
 * The PBX request route: every new request (not a retransmission, not an ACK) runs through one
 * pipeline, read top to bottom like Kamailio's request_route:
 *
 *   sanity → in-dialog → local domain → OPTIONS keep-alive → auth → registrar → location → relay
 *
 * Each stage either answers (and the pipeline stops) or passes on. The route holds no sockets and
 * no timers: it answers through the server transaction it is given.
 */
import { randomUUID } from 'node:crypto';
import {
  addHeader,
  createResponse,
  fromOf,
  getHeaders,
  isSipUri,
  maxForwardsOf,
  parseNameAddr,
  splitTopLevelCommas,
  toOf,
  tagOf,
} from '../sip/message/index.ts';
import type { SipRequest, SipResponse } from '../sip/message/types.ts';
import type { Flow } from '../sip/transport/flow.ts';
import type { Binding } from './binding.ts';
import type { DigestGuard, GuardOutcome } from './digest-guard.ts';
import type { LocationService } from './location-service.ts';
import type { ExtensionDirectory, Registrar } from './registrar.ts';

/** What the route answers through: a server transaction, or anything else with `respond`. */
export interface Responder {
  respond(response: SipResponse): void;
}

/** An authorised call to a registered extension, for the relay to fork. */
export interface ExtensionCall {
  /** The authenticated calling extension. */
  caller: string;
  callee: string;
  bindings: Binding[];
}

/**
 * The stage after the route's decisions: the proxy. It answers through the responder it is given
 * (the server transaction): forwarded responses keep the callee's To tag.
 */
export interface Relay<R extends Responder> {
  toExtension(request: SipRequest, flow: Flow, responder: R, call: ExtensionCall): void;
  /** An in-dialog request; false when no dialog of ours is named, so the route refuses it. */
  inDialog(request: SipRequest, flow: Flow, responder: R): boolean;
}

export interface RouteEvents {
  /** An authenticated caller's INVITE the route answered itself (404, 480): a call that failed. */
  callRefused?(request: SipRequest, response: SipResponse): void;
  registered?(outcome: { aor: string; status: number; flow: Flow }): void;
  authenticated?(outcome: GuardOutcome, request: SipRequest, flow: Flow): void;
}

export interface RequestRouteOptions<R extends Responder = Responder> {
  /** Host names and addresses that mean "this PBX" in a Request-URI (domain, advertised host…). */
  localHosts: readonly string[];
  registrar: Registrar;
  guard: DigestGuard;
  location: LocationService;
  extensions: ExtensionDirectory;
  relay?: Relay<R>;
  events?: RouteEvents;
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
    if (!this.#isLocal(request)) {
      // Not an open relay: requests for other domains are refused, not forwarded.
      answer.respond(createResponse(request, 403, { reason: 'Relaying Forbidden' }));
      return;
    }
    switch (request.method) {
      case 'OPTIONS':
        if (request.uri.scheme !== 'tel' && isSipUri(request.uri) && request.uri.user === undefined) {
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

  #isLocal(request: SipRequest): boolean {
    return isSipUri(request.uri) && this.#localHosts.has(request.uri.host.toLowerCase());
  }

  #register(request: SipRequest, flow: Flow, answer: Responder): void {
    const outcome = this.#options.guard.authenticate(request, flow.remote.address, 'registrar');
    this.#options.events?.authenticated?.(outcome, request, flow);
    if (!outcome.ok) {
      answer.respond(outcome.response);
      return;
    }
    const response = this.#options.registrar.register({ request, flow, authenticatedAs: outcome.user });
    const to = toOf(request).uri;
    this.#options.events?.registered?.({ aor: isSipUri(to) ? (to.user ?? '') : '', status: response.status, flow });
    answer.respond(response);
  }

  /** Out-of-dialog requests for a user: authenticate the caller, find the callee, hand over. */
  #relay(request: SipRequest, flow: Flow, responder: R, answer: Responder): void {
    const outcome = this.#options.guard.authenticate(request, flow.remote.address, 'proxy');
    this.#options.events?.authenticated?.(outcome, request, flow);
    if (!outcome.ok) {
      answer.respond(outcome.response);
      return;
    }
    const from = fromOf(request).uri;
    if (!isSipUri(from) || from.user !== outcome.user) {
      // The caller is who authenticated: a From naming anyone else is a spoofing attempt.
      answer.respond(createResponse(request, 403, { reason: 'From Is Not Your Extension' }));
      return;
    }
    const callee = isSipUri(request.uri) ? request.uri.user : undefined;
    if (callee === undefined || !this.#options.extensions.exists(callee)) {
      this.#refuseCall(request, answer, createResponse(request, 404));
      return;
    }
    const bindings = this.#options.location.lookup(callee);
    if (bindings.length === 0) {
      this.#refuseCall(request, answer, createResponse(request, 480));
      return;
    }
    if (!this.#options.relay) {
      answer.respond(createResponse(request, 501, { reason: 'Calls Not Enabled' }));
      return;
    }
    this.#options.relay.toExtension(request, flow, responder, { caller: outcome.user, callee, bindings });
  }

  #refuseCall(request: SipRequest, answer: Responder, response: SipResponse): void {
    if (request.method === 'INVITE') this.#options.events?.callRefused?.(request, response);
    answer.respond(response);
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
