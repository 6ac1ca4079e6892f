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
 * Each stage either answers (and the pipeline stops) or passes on. Every path ends in `Answered`,
 * a value only answering or handing the request to the relay produces, so the compiler refuses a
 * path that would leave a request unanswered. The route is also what the transaction layer hands
 * its requests, CANCELs, ACKs and failures to (transactionUserOf). It holds no sockets and no
 * timers: it answers through the server transaction it is given, at once or — a failed guess at an
 * extension under attack — through the delayed answers it is given.
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
  SipParseError,
  toOf,
  tagOf,
} from '../sip/message/index.ts';
import type { ServerTransaction, TransactionUser } from '../sip/transaction/index.ts';
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

declare const ANSWERED: unique symbol;
/**
 * Proof that a request was answered, or handed to the relay, which answers it from then on: the
 * only value a path of the route may end with.
 */
export type Answered = { readonly [ANSWERED]: true };
/** What a relay returns once it has taken a request over. */
export const HANDED_OVER = Object.freeze({}) as Answered;

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
  toExtension(request: SipRequest, flow: Flow, responder: R, call: ExtensionCall): Answered;
  toTrunk(request: SipRequest, flow: Flow, responder: R, call: TrunkCall): Answered;
  /** An in-dialog request; undefined, taking nothing over, when it names no dialog of ours. */
  inDialog(request: SipRequest, flow: Flow, responder: R): Answered | undefined;
  /** The caller CANCELed an INVITE the relay took over (RFC 3261 §16.10). */
  cancel(invite: R): void;
  /** The ACK for a 2xx: end to end, outside any transaction (§13.2.2.4, §16.11). */
  ack(ack: SipRequest, flow: Flow): void;
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

  handle(request: SipRequest, flow: Flow, responder: R): Answered {
    // A UAS tags the To of every final response to an out-of-dialog request (§8.2.6.2) with at
    // least 32 random bits (§19.3); randomUUID draws from a cached pool, randomBytes per call does not.
    const toTag = randomUUID().replaceAll('-', '').slice(0, 16);
    const answer: Answering = {
      respond(response) {
        responder.respond(tagged(response, toTag));
        return HANDED_OVER;
      },
    };
    const refusal = this.#sanity(request);
    if (refusal) return answer.respond(refusal);
    if (tagOf(toOf(request)) !== undefined) {
      // In-dialog requests are routed by the Route entries we recorded (§16.4); one that names
      // none of ours belongs to no dialog here (§12.2.2).
      return this.#options.relay?.inDialog(request, flow, responder) ?? answer.respond(createResponse(request, 481));
    }
    // §16.4: a first Route naming this proxy (a phone's outbound proxy, preloaded) is removed; the
    // PBX decides where the request goes from here.
    this.#removeOwnRoute(request);
    if (!this.#isLocal(request)) {
      // Not an open relay: requests for other domains are refused, not forwarded.
      return answer.respond(createResponse(request, 403, { reason: 'Relaying Forbidden' }));
    }
    switch (request.method) {
      case 'OPTIONS':
        // A registrar that keeps our registered contact alive (Asterisk's qualify) pings it there.
        if ((isSipUri(request.uri) && request.uri.user === undefined) || this.#options.identification.namesRegisteredContact(request.uri)) {
          return answer.respond(this.#capabilities(request));
        }
        break;
      case 'REGISTER':
        return this.#register(request, flow, answer);
      case 'CANCEL':
        // A CANCEL that matched no INVITE transaction (§9.2).
        return answer.respond(createResponse(request, 481));
      case 'BYE':
      case 'PRACK':
      case 'UPDATE':
      case 'INFO':
      case 'NOTIFY':
        // Methods that only make sense inside a dialog (§15, RFC 3262, RFC 3311, RFC 6086, RFC 6665).
        return answer.respond(createResponse(request, 481));
    }
    if (!ALLOWED_METHODS.includes(request.method)) return answer.respond(this.#notImplemented(request));
    return this.#relay(request, flow, responder, answer);
  }

  /**
   * This route as the transaction layer's user (RFC 3261 §17): new requests run through the
   * pipeline; a CANCEL is answered here and stops its INVITE, held back or relayed (§9.2, §16.10);
   * the ACK of a 2xx goes on end to end (§13.2.2.4); a request the pipeline threw on is answered
   * by failureResponse. `report` hears what goes wrong, for the log.
   */
  asTransactionUser(
    this: RequestRoute<ServerTransaction<Flow>>,
    report: { failed(err: unknown, request: SipRequest, flow: Flow): void; strayResponse(response: SipResponse, flow: Flow): void },
  ): TransactionUser<Flow> {
    const { relay, delayed } = this.#options;
    return {
      onRequest: (transaction, request) => {
        try {
          this.handle(request, transaction.flow, transaction);
        } catch (err) {
          report.failed(err, request, transaction.flow);
          const response = failureResponse(request, err);
          if (response !== undefined) transaction.respond(response);
        }
      },
      onCancel: (invite, cancel, cancelTransaction) => {
        // The CANCEL is answered 200 whether or not it still stops the INVITE; the relay then
        // cancels its branches and their 487 goes up. An INVITE whose challenge is held back
        // (delayed-answers.ts) has no branch: it is answered 487 here.
        const inviteFinal = invite.finalResponse;
        const heldBack = inviteFinal === undefined && delayed?.cancel(invite) === true;
        // The 487 and the CANCEL's 200 carry the same To tag (§9.2).
        const toTag = inviteFinal ? tagOf(toOf(inviteFinal)) : heldBack ? randomUUID() : undefined;
        cancelTransaction.respond(createResponse(cancel, 200, { toTag }));
        if (heldBack) invite.respond(createResponse(invite.request, 487, { toTag }));
        else if (!inviteFinal) relay?.cancel(invite);
      },
      onAck: (ack, flow) => relay?.ack(ack, flow),
      onStrayResponse: (response, flow) => report.strayResponse(response, flow),
    };
  }

  /** §8.2.2 and §16.3: what must be true of any request before it is looked at further. */
  #sanity(request: SipRequest): SipResponse | undefined {
    if (request.uri.scheme !== 'sip' && request.uri.scheme !== 'sips') {
      // RFC 3966 tel: URIs reach a PBX only from broken peers; we route sip(s) only (§8.2.2.1).
      return createResponse(request, 416);
    }
    const unsupported = [...optionTags(request, 'Require'), ...optionTags(request, 'Proxy-Require')].filter((tag) => !SUPPORTED_OPTION_TAGS.has(tag));
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
    const route = request.headers[first];
    if (route === undefined) return;
    let entries: NameAddr[];
    try {
      entries = parseNameAddrList(route.value);
    } catch {
      return;
    }
    const [top] = entries;
    if (top === undefined || !this.#namesUs(top.uri)) return;
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

  #register(request: SipRequest, flow: Flow, answer: Answering): Answered {
    const outcome = this.#options.guard.authenticate(request, clientAddressOf(flow), 'registrar', flow.trustedProxy === true);
    this.#options.events?.authenticated?.(outcome, request, flow);
    if (!outcome.ok) return this.#refuse(answer, outcome);
    const response = this.#options.registrar.register({ request, flow, authenticatedAs: outcome.user, sessionTag: outcome.sessionTag });
    const to = toOf(request).uri;
    this.#options.events?.registered?.({ aor: isSipUri(to) ? (to.user ?? '') : '', status: response.status, flow });
    return answer.respond(response);
  }

  /** Out-of-dialog requests for a user: identify the caller, decide where the call goes, hand over. */
  #relay(request: SipRequest, flow: Flow, responder: R, answer: Answering): Answered {
    const identified = this.#options.identification.identify(request, flow);
    if (!identified.ok) return this.#refuse(answer, identified, responder);
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
      return answer.respond(response);
    }
    const { relay } = this.#options;
    if (!relay) return answer.respond(createResponse(request, 501, { reason: 'Calls Not Enabled' }));
    const { caller } = identified;
    if (decision.kind === 'extension') {
      if (isCall) this.#options.events?.callRouted?.(request, decision.setup);
      return relay.toExtension(request, flow, responder, { caller, callee: decision.callee, bindings: decision.bindings, presentedFrom: decision.presentedFrom });
    }
    // The router sends only extensions out through trunks; a trunk never reaches another one.
    if (caller.kind !== 'extension') return answer.respond(createResponse(request, 403, { reason: 'Trunk To Trunk Forbidden' }));
    if (isCall) this.#options.events?.callRouted?.(request, decision.setup);
    return relay.toTrunk(request, flow, responder, { caller: caller.number, trunk: decision.trunk, number: decision.number, callerId: decision.callerId });
  }

  /**
   * An authentication refusal, held back for `delayMs` when it says so (counted against
   * `delayAccount`), under its server transaction (`responder`): a CANCEL of an INVITE finds it there.
   */
  #refuse(answer: Answering, { response, delayMs, delayAccount }: { response: SipResponse; delayMs?: number; delayAccount?: string }, responder?: R): Answered {
    if (delayMs === undefined || delayMs <= 0 || delayAccount === undefined || !this.#options.delayed) return answer.respond(response);
    this.#options.delayed.answer(answer, response, delayMs, delayAccount, responder);
    return HANDED_OVER;
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

/**
 * The answer to a request that made a stage throw (a header value only read deep in the route, a
 * bug): 400 naming the value when it was unreadable, 500 otherwise; none to an ACK (§17) or when
 * the headers a response copies are themselves unreadable.
 */
export function failureResponse(request: SipRequest, err: unknown): SipResponse | undefined {
  if (request.method === 'ACK') return undefined;
  try {
    return err instanceof SipParseError ? createResponse(request, 400, { reason: err.message.slice(0, 100) }) : createResponse(request, 500);
  } catch {
    return undefined;
  }
}

/** A responder whose answer is the proof every path of the route ends with. */
interface Answering {
  respond(response: SipResponse): Answered;
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
