/**
 * The stateful proxy core (RFC 3261 §16): forwards a request to one or more targets in parallel
 * (forking), chooses the response the caller gets (§16.7), cancels what is left (§16.10), keeps
 * Timer C (§16.8), and routes in-dialog requests and 2xx ACKs by the flow tokens of its
 * Record-Route entries (§16.4, §16.12). It decides nothing about who may call whom: the request
 * route does, and hands over requests already authorised with their targets.
 *
 * Toward a trunk everything internal is hidden (topology-hiding.ts), and no phone's or trunk's
 * identity headers pass in-dialog or in responses (asserted-identity.ts).
 *
 * With a media step (../call-media.ts) every SDP body is anchored through the media relay: a
 * branch request is sent once its rewritten offer is back, and the responses to one request go
 * upstream one after the other, each once its body is rewritten — none overtakes another. A
 * CANCEL or Timer C that comes while an offer is still with the relay ends that branch at once.
 * Without one, SDP passes end to end and everything is forwarded synchronously.
 */
import { addHeader, createResponse, formatNameAddr, fromOf, getHeader, isSipUri, maxForwardsOf, setHeader, toOf } from '../../sip/message/index.ts';
import type { NameAddr, SipMessage, SipRequest, SipResponse, Uri } from '../../sip/message/types.ts';
import type { MediaProfile } from '../../media/media-relay.ts';
import { profileOfTransport, type MediaExchange, type MediaOutcome, type MediaStep } from '../call-media.ts';
import type { ClientTransaction, ServerTransaction, TransactionLayer } from '../../sip/transaction/index.ts';
import { InviteClientTransaction } from '../../sip/transaction/index.ts';
import type { Flow, RequestTarget } from '../../sip/transport/index.ts';
import type { FlowTarget, FlowTokens } from './flow-token.ts';
import { addRecordRoutes, consumeOwnRoutes, flowTargetOf, type LocalVia } from './record-route.ts';
import { answerNextHopChallenge, withCSeqShift, type OutboundCredentials } from './challenge-answer.ts';
import { betterFinal } from './response-choice.ts';
import { dropIdentity } from './asserted-identity.ts';
import { hideRequest, hideResponse, hideSdp, revealRequest, revealResponse, type TopologyHiding } from './topology-hiding.ts';
import { trunkTransferRefusal } from './trunk-transfer.ts';
import { COMPLETED_ELSEWHERE, endOfAbandonedDialog, type AbandonReason } from './abandoned-answer.ts';

export interface ProxyTransport {
  localVia: LocalVia;
  /** An open connection's flow by id; undefined once it closed. */
  flow(flowId: string): Flow | undefined;
}

/** One branch of a fork: the Request-URI it gets and the leg it is sent on. */
export interface ForwardTarget {
  uri: Uri;
  leg: FlowTarget;
  /** Answer this hop's 401/407 with these (a trunk that authenticates us); passed up otherwise. */
  credentials?: OutboundCredentials;
  /** The target is a trunk: the branch is topology-hidden. */
  trunk?: boolean;
  /** The callee's media profile when not its transport's (a trunk's configured `media`). */
  media?: MediaProfile;
}

export interface ForwardOptions {
  /** Header values set on every response passed up (the call id, the callee's asserted identity). */
  responseHeaders?: Readonly<Record<string, string>>;
  /** The request came from a trunk: the responses it gets are topology-hidden. */
  fromTrunk?: boolean;
  /** The caller's media profile when not its transport's (a trunk's configured `media`). */
  callerMedia?: MediaProfile;
}

/** What the call tracker learns from the proxy. Plain notifications: they change nothing. */
export interface ProxyObserver {
  /** A request the proxy forwards (initial or in-dialog), as received from `from`. */
  forwarding?(request: SipRequest, from: FlowTarget): void;
  /** A response the proxy passes upstream for `request` (provisional or final, chosen or generated). */
  responding?(request: SipRequest, response: SipResponse): void;
}

export interface ProxyOptions {
  transactions: TransactionLayer<Flow, RequestTarget>;
  transport: ProxyTransport;
  tokens: FlowTokens;
  observer?: ProxyObserver;
  /** Timer C: more than 3 minutes (§16.8). */
  timerCMs?: number;
  /** Anchors SDP through the media relay; without it SDP passes end to end. */
  media?: MediaStep;
  /** A fault after a media step's answer (a message that could not be sent): logged, never thrown. */
  onError?(error: unknown): void;
}

interface Branch {
  transaction: ClientTransaction<Flow, RequestTarget> | undefined;
  final: boolean;
  provisional: boolean;
  /** The request as forwarded on this leg (before our Via), for a resend with credentials. */
  request: SipRequest;
  leg: FlowTarget;
  credentials: OutboundCredentials | undefined;
  /** Builds the request for a leg (its Record-Route names the leg, CSeq offset included). */
  rebuild: ((leg: FlowTarget) => SipRequest) | undefined;
  /** Names the branch's media session (one per branch of a fork). */
  label: string;
  /** The callee's media profile (initial requests only). */
  profile: MediaProfile | undefined;
  /** Its offer is with the media relay: nothing was sent yet. */
  pending: boolean;
  /** The body the media relay gave the request, kept for a resend with credentials. */
  body: Buffer | undefined;
  /** The media step's outcome for this branch's 2xx, reused for its retransmissions (§13.3.1.4). */
  answered: { body: Buffer; outcome: Promise<MediaOutcome> } | undefined;
  /** Its 2xx could not be passed on and the callee was sent a BYE (abandoned-answer.ts). */
  abandoned?: boolean;
}

interface BranchPlan {
  request: SipRequest;
  leg: FlowTarget;
  credentials?: OutboundCredentials;
  rebuild?: (leg: FlowTarget) => SipRequest;
  profile?: MediaProfile;
}

/** A forwarded request and what its branches answered so far (the §16 "response context"). */
interface ResponseContext {
  server: ServerTransaction<Flow>;
  request: SipRequest;
  /** The leg the request came on; a trunk one gets hidden responses. */
  caller: FlowTarget;
  /** Header values set on every response passed up (e.g. the call id for the caller's pane). */
  responseHeaders: Readonly<Record<string, string>>;
  branches: Branch[];
  best: SipResponse | undefined;
  finalSent: boolean;
  timerC: NodeJS.Timeout | undefined;
  /** The request as received with what a trunk was not shown revealed: it names the call to the media step. */
  named: SipRequest;
  /** The caller's media profile, for a dialog-creating INVITE. */
  callerProfile: MediaProfile | undefined;
  /** The responses going upstream one after the other, each once its body is rewritten. */
  upstream: Promise<void>;
  /** A final response went upstream (a later non-2xx final is dropped). */
  answered: boolean;
  /** The failure final the caller got (a 2xx after it can go nowhere: its dialog is ended here). */
  failed: AbandonReason | undefined;
}

const DEFAULT_TIMER_C_MS = 181_000;
const PASS: MediaOutcome = { kind: 'pass' };
/** Methods whose requests create dialogs through us and must keep us on their route. */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

export class Proxy {
  readonly #options: ProxyOptions;
  readonly #contexts = new Map<ServerTransaction<Flow>, ResponseContext>();
  readonly #hiding: TopologyHiding;
  /** Failures this proxy answered for the media relay: a 503 of ours is not turned into 500. */
  readonly #own = new WeakSet<SipResponse>();

  constructor(options: ProxyOptions) {
    this.#options = options;
    this.#hiding = { tokens: options.tokens, localVia: (protocol) => options.transport.localVia(protocol) };
  }

  /**
   * Forks an out-of-dialog request to every target (§16.6) and answers the caller through
   * `server`. Record-routes dialog-creating requests so the dialog keeps passing through here.
   */
  forward(server: ServerTransaction<Flow>, request: SipRequest, from: Flow, targets: readonly ForwardTarget[], options: ForwardOptions = {}): void {
    const caller: FlowTarget = options.fromTrunk ? { ...flowTargetOf(from), trunk: {} } : flowTargetOf(from);
    const branches = targets.map((target): BranchPlan => {
      const rebuild = (leg: FlowTarget): SipRequest => {
        const branch = withCSeqShift(prepareBranch(request, target.uri), leg.cseqOffset ?? 0);
        if (DIALOG_CREATING.has(request.method)) addRecordRoutes(branch, { caller, callee: leg }, this.#options.tokens, this.#hiding.localVia);
        return leg.trunk ? hideRequest(branch, leg, this.#hiding) : branch;
      };
      // A trunk we call keeps the From and To it was sent in its Route token, for the in-dialog
      // requests that follow (the phone still names itself there).
      const leg: FlowTarget = target.trunk ? { ...target.leg, trunk: { called: { from: withoutTag(fromOf(request)), to: withoutTag(toOf(request)) } } } : target.leg;
      return { request: rebuild(leg), leg, credentials: target.credentials, rebuild, profile: target.media ?? profileOfTransport(target.leg.transport) };
    });
    this.#options.observer?.forwarding?.(request, caller);
    const callerProfile = request.method === 'INVITE' ? (options.callerMedia ?? profileOfTransport(from.transport)) : undefined;
    this.#start(server, request, request, caller, branches, options.responseHeaders, callerProfile);
  }

  /**
   * An in-dialog request (§16.4): routed by our Route entries. Returns false, changing nothing,
   * when no Route names us, so the caller can refuse it.
   */
  forwardInDialog(server: ServerTransaction<Flow>, request: SipRequest, from: Flow): boolean {
    const routed = this.#routeInDialog(request, from);
    if (routed === undefined) return false;
    // A transfer toward a trunk is answered here: nothing of it reaches the carrier (trunk-transfer.ts).
    const refusal = routed.target.trunk ? trunkTransferRefusal(request) : undefined;
    if (refusal !== undefined) {
      this.refuse(server, request, refusal);
      return true;
    }
    this.#options.observer?.forwarding?.(routed.revealed, routed.caller);
    this.#start(server, request, routed.revealed, routed.caller, [{ request: routed.branch, leg: routed.target }]);
    // The call is over for the media relay as soon as either side hangs up (§15.1.1).
    if (request.method === 'BYE') this.#options.media?.ended(routed.revealed);
    return true;
  }

  /** The ACK for a 2xx, end to end and outside any transaction (§13.2.2.4, §16.11). */
  forwardAck(ack: SipRequest, from: Flow): boolean {
    const routed = this.#routeInDialog(ack, from);
    if (routed === undefined) return false;
    const target = this.#requestTarget(routed.target);
    if (target === undefined) return false;
    this.#options.observer?.forwarding?.(routed.revealed, routed.caller);
    const send = (ack: SipRequest) => this.#options.transactions.sendStateless(routed.target.trunk ? hideSdp(ack) : ack, target).catch(() => undefined);
    const { media } = this.#options;
    if (media === undefined) send(routed.branch);
    // An ACK that answers a late offer is rewritten; one the relay could not take still goes (the
    // callee's 2xx would otherwise be retransmitted in vain), its failure reported by the media step.
    else
      media
        .ack(routed.revealed)
        .then(
          (outcome) => send(outcome.kind === 'rewrite' ? withBody(routed.branch, outcome.body) : routed.branch),
          () => send(routed.branch),
        )
        .catch((error: unknown) => this.#options.onError?.(error));
    return true;
  }

  /**
   * An in-dialog request as it goes on: to the leg our Route entries name, with what the trunk
   * was not shown restored (a request from a trunk) or hidden (a request to one), and no identity
   * header of the sender. Undefined when no Route names us.
   */
  #routeInDialog(request: SipRequest, from: Flow): { branch: SipRequest; target: FlowTarget; caller: FlowTarget; revealed: SipRequest } | undefined {
    const revealed = revealRequest(request, this.#options.tokens);
    const branch = prepareBranch(revealed, revealed.uri);
    const decision = consumeOwnRoutes(branch, this.#options.tokens);
    if (decision.kind !== 'ours') return undefined;
    dropIdentity(branch);
    // Only a trunk holds our hidden Call-IDs and Contacts; the Route entry facing it says so too.
    const fromTrunk = revealed !== request || decision.source?.trunk !== undefined;
    const caller: FlowTarget = fromTrunk ? { ...flowTargetOf(from), trunk: {} } : flowTargetOf(from);
    const shifted = withCSeqShift(branch, decision.target.cseqOffset ?? 0);
    const forwarded = decision.target.trunk ? hideRequest(shifted, decision.target, this.#hiding) : shifted;
    return { branch: forwarded, target: decision.target, caller, revealed };
  }

  /**
   * Answers a request the relay could not forward after all (no reachable target), so that the
   * observer sees the end of the call like any other final response.
   */
  refuse(server: ServerTransaction<Flow>, request: SipRequest, response: SipResponse): void {
    this.#options.observer?.responding?.(request, response);
    server.respond(response);
  }

  /** The caller CANCELed (§16.10): cancel every branch still pending. */
  cancel(server: ServerTransaction<Flow>): void {
    const context = this.#contexts.get(server);
    if (!context || context.finalSent) return;
    this.#cancelPending(context);
  }

  /** Stops Timer C everywhere (shutdown). */
  close(): void {
    for (const context of this.#contexts.values()) clearTimeout(context.timerC);
    this.#contexts.clear();
  }

  get pendingCount(): number {
    return this.#contexts.size;
  }

  #start(
    server: ServerTransaction<Flow>,
    request: SipRequest,
    named: SipRequest,
    caller: FlowTarget,
    plans: readonly BranchPlan[],
    responseHeaders: Readonly<Record<string, string>> = {},
    callerProfile?: MediaProfile,
  ): void {
    const context: ResponseContext = {
      server,
      request,
      caller,
      responseHeaders,
      branches: [],
      best: undefined,
      finalSent: false,
      timerC: undefined,
      named,
      callerProfile,
      upstream: Promise.resolve(),
      answered: false,
      failed: undefined,
    };
    this.#contexts.set(server, context);
    if (request.method === 'INVITE') this.#restartTimerC(context);
    plans.forEach((plan, index) => {
      const branch: Branch = {
        transaction: undefined,
        final: false,
        provisional: false,
        request: plan.request,
        leg: plan.leg,
        credentials: plan.credentials,
        rebuild: plan.rebuild,
        label: String(index + 1),
        profile: plan.profile,
        pending: false,
        body: undefined,
        answered: undefined,
      };
      context.branches.push(branch);
      if (this.#options.media) this.#offer(context, branch, this.#options.media);
      else this.#send(context, branch);
    });
    this.#finishIfDone(context);
  }

  /** The branch request goes once the media step has its body; a refusal is that branch's final. */
  #offer(context: ResponseContext, branch: Branch, media: MediaStep): void {
    branch.pending = true;
    media
      .request(this.#exchange(context, branch))
      // The media step reports relay failures as refusals; anything else is a fault of ours.
      .catch((): MediaOutcome => ({ kind: 'refuse', status: 503, reason: 'Media Relay Unavailable' }))
      .then((outcome) => {
        branch.pending = false;
        // CANCEL or Timer C ended the branch while its offer was with the relay, or we shut down.
        if (branch.final || this.#contexts.get(context.server) !== context) return;
        if (outcome.kind === 'refuse') {
          this.#branchFinal(context, branch, this.#ownFailure(context.request, outcome));
          return;
        }
        if (outcome.kind === 'rewrite') {
          branch.body = outcome.body;
          branch.request = withBody(branch.request, outcome.body);
        }
        this.#send(context, branch);
      })
      .catch((error: unknown) => this.#options.onError?.(error));
  }

  #exchange(context: ResponseContext, branch: Branch): MediaExchange {
    const trunk = context.caller.trunk !== undefined || branch.leg.trunk !== undefined;
    const profiles = context.callerProfile !== undefined && branch.profile !== undefined ? { caller: context.callerProfile, callee: branch.profile, trunk } : undefined;
    return { request: context.named, branch: branch.label, profiles };
  }

  #ownFailure(request: SipRequest, outcome: { status: number; reason: string }): SipResponse {
    const response = createResponse(request, outcome.status, { reason: outcome.reason });
    this.#own.add(response);
    return response;
  }

  #send(context: ResponseContext, branch: Branch): void {
    const target = this.#requestTarget(branch.leg);
    if (target === undefined) {
      // A WebSocket leg whose connection is gone cannot be reached any other way (RFC 7118 §5).
      this.#branchFinal(context, branch, createResponse(context.request, 480, { reason: 'Flow Closed' }));
      return;
    }
    const offset = branch.leg.cseqOffset ?? 0;
    // The body is final only now (the media relay may have rewritten it after the headers were hidden).
    const request = branch.leg.trunk ? hideSdp(branch.request) : branch.request;
    branch.transaction = this.#options.transactions.createClientTransaction(request, target, {
      onResponse: (response) => this.#branchResponse(context, branch, this.#received(context, branch, withCSeqShift(stripOurVia(response), -offset))),
      onTimeout: () => this.#branchFinal(context, branch, createResponse(context.request, 408)),
      // §16.7 step 2: a transport error counts as a 503 from that branch.
      onTransportError: () => this.#branchFinal(context, branch, createResponse(context.request, 503)),
    });
  }

  /** A trunk challenged us: send once more with its credentials, on a leg whose CSeq runs one ahead. */
  #answerChallenge(context: ResponseContext, branch: Branch, challenge: SipResponse): boolean {
    if (!branch.credentials || !branch.rebuild || context.finalSent) return false;
    const leg = { ...branch.leg, cseqOffset: (branch.leg.cseqOffset ?? 0) + 1 };
    const rebuilt = branch.rebuild(leg);
    const retry = answerNextHopChallenge(branch.body === undefined ? rebuilt : withBody(rebuilt, branch.body), challenge, branch.credentials);
    if (!retry) return false;
    branch.credentials = undefined;
    branch.request = retry;
    branch.leg = leg;
    this.#send(context, branch);
    return true;
  }

  #branchResponse(context: ResponseContext, branch: Branch, response: SipResponse): void {
    const { status } = response;
    if ((status === 401 || status === 407) && this.#answerChallenge(context, branch, response)) return;
    if (status < 200) {
      branch.provisional = true;
      // §16.7 step 5: 100 Trying is hop by hop; other provisionals go up until a final did.
      if (status === 100 || context.finalSent) return;
      if (context.request.method === 'INVITE') this.#restartTimerC(context);
      this.#respond(context, response, branch);
      return;
    }
    if (status < 300) {
      branch.final = true;
      // Every 2xx to an INVITE goes up (§16.7 step 5), the first ends the fork.
      const first = !context.finalSent;
      context.finalSent = true;
      this.#respond(context, response, branch);
      if (first) {
        if (context.callerProfile !== undefined) this.#options.media?.forkEnded(context.named, branch.label);
        this.#cancelPending(context);
      }
      this.#finishIfDone(context);
      return;
    }
    this.#options.media?.rejected(this.#exchange(context, branch), response);
    if (status >= 600) this.#cancelPending(context);
    this.#branchFinal(context, branch, response);
  }

  #branchFinal(context: ResponseContext, branch: Branch, response: SipResponse): void {
    if (branch.final) return;
    branch.final = true;
    if (context.best === undefined || betterFinal(response.status, context.best.status)) context.best = response;
    this.#finishIfDone(context);
  }

  #finishIfDone(context: ResponseContext): void {
    if (!context.branches.every((branch) => branch.final)) return;
    this.#contexts.delete(context.server);
    clearTimeout(context.timerC);
    if (context.finalSent) return;
    context.finalSent = true;
    const best = context.best ?? createResponse(context.request, 408);
    // §16.7 step 6: a 503 chosen as best becomes 500, so the caller does not give up on us; one
    // we answered because the media relay is unavailable says so.
    this.#respond(context, best.status === 503 && !this.#own.has(best) ? createResponse(context.request, 500) : best);
  }

  #cancelPending(context: ResponseContext): void {
    for (const branch of context.branches) {
      if (branch.final) continue;
      // Its offer is still with the media relay: the request never goes.
      if (branch.pending) this.#branchFinal(context, branch, createResponse(context.request, 487));
      if (!(branch.transaction instanceof InviteClientTransaction)) continue;
      this.#options.transactions.cancel(branch.transaction);
      // A branch that never answered cannot be CANCELed yet (§9.1) and is given up on now; its
      // INVITE transaction still sends the CANCEL should a provisional response come late.
      if (!branch.provisional) this.#branchFinal(context, branch, createResponse(context.request, 487));
    }
  }

  #restartTimerC(context: ResponseContext): void {
    clearTimeout(context.timerC);
    context.timerC = setTimeout(() => this.#cancelPending(context), this.#options.timerCMs ?? DEFAULT_TIMER_C_MS);
    context.timerC.unref();
  }

  /** A branch's response as the proxy handles it: a trunk's gets back what the trunk was not shown. */
  #received(context: ResponseContext, branch: Branch, response: SipResponse): SipResponse {
    return branch.leg.trunk ? revealResponse(response, context.request, this.#hiding) : response;
  }

  /**
   * A response goes upstream: at once without a media step; with one, after the responses before
   * it, once its SDP (from `branch`) is rewritten.
   */
  #respond(context: ResponseContext, response: SipResponse, branch?: Branch): void {
    const { media } = this.#options;
    if (media === undefined) {
      if (!this.#tooLate(context, response, branch)) this.#sendUp(context, response);
      return;
    }
    context.upstream = context.upstream
      .then(async () => {
        if (this.#tooLate(context, response, branch)) return;
        const outcome = branch === undefined || response.status >= 300 ? PASS : await this.#mediaOutcome(context, branch, response, media);
        if (branch !== undefined && response.status >= 200) {
          if (outcome.kind === 'refuse') this.#endAbandoned(context, branch, response, { cause: outcome.status, text: outcome.reason });
          if (outcome.kind === 'elsewhere') this.#endAbandoned(context, branch, response, COMPLETED_ELSEWHERE);
        }
        const sent = this.#mediaResult(context, response, outcome);
        if (sent !== undefined) this.#sendUp(context, sent);
      })
      .catch((error: unknown) => this.#options.onError?.(error));
  }

  /**
   * A 2xx after the caller got a failure final — it crossed the CANCEL (or Timer C's) sent to a
   * branch that had not answered yet, which we had to give up on at once (§9.1) — can go
   * nowhere: the caller's transaction is over. Its callee's dialog is ended here, and nothing of
   * it reaches the media relay.
   */
  #tooLate(context: ResponseContext, response: SipResponse, branch: Branch | undefined): boolean {
    if (branch === undefined || context.failed === undefined || response.status < 200 || response.status >= 300) return false;
    this.#endAbandoned(context, branch, response, context.failed);
    return true;
  }

  #mediaOutcome(context: ResponseContext, branch: Branch, response: SipResponse, media: MediaStep): Promise<MediaOutcome> {
    if (response.status < 200) return media.response(this.#exchange(context, branch), response);
    // A retransmitted 2xx is the same answer: rewritten (or refused) as the first one was.
    if (branch.answered?.body.equals(response.body)) return branch.answered.outcome;
    const outcome = media.response(this.#exchange(context, branch), response);
    branch.answered = { body: response.body, outcome };
    return outcome;
  }

  /**
   * The response as the media step leaves it. One whose SDP the relay could not take: a
   * provisional goes without it (ringing, no early media); the first 2xx becomes the relay's
   * failure; a later 2xx is dropped (its dialog is ended by #endAbandoned). A 2xx from a branch
   * that lost the fork is dropped too.
   */
  #mediaResult(context: ResponseContext, response: SipResponse, outcome: MediaOutcome): SipResponse | undefined {
    if (outcome.kind === 'pass') return response;
    if (outcome.kind === 'elsewhere') return undefined;
    if (outcome.kind === 'rewrite') return withBody(response, outcome.body);
    if (response.status < 200) return withBody(response, Buffer.alloc(0));
    return context.answered ? undefined : this.#ownFailure(context.request, outcome);
  }

  /**
   * The callee answered but its 2xx cannot go on. To an INVITE it is ACKed (each retransmission
   * too); and when that INVITE was to start the call, the dialog exists at the callee only and is
   * ended with one BYE saying `reason`, so the callee is free at once (abandoned-answer.ts). A
   * re-INVITE or UPDATE refused upstream leaves the dialog up on both sides (RFC 3261 §14.1): no BYE then.
   */
  #endAbandoned(context: ResponseContext, branch: Branch, answer: SipResponse, reason: AbandonReason): void {
    if (context.request.method !== 'INVITE') return;
    const target = this.#requestTarget(branch.leg);
    if (target === undefined) return;
    const isOurs = (entry: NameAddr) => isSipUri(entry.uri) && entry.uri.user !== undefined && this.#options.tokens.decode(entry.uri.user) !== undefined;
    const { ack, bye } = endOfAbandonedDialog(branch.request, answer, isOurs, reason);
    this.#options.transactions.sendStateless(ack, target).catch(() => undefined);
    if (branch.abandoned || context.callerProfile === undefined) return;
    branch.abandoned = true;
    this.#options.transactions.createClientTransaction(bye, target, { onResponse() {}, onTimeout() {}, onTransportError() {} });
  }

  #sendUp(context: ResponseContext, response: SipResponse): void {
    if (response.status >= 200) {
      // Only 2xx to an INVITE may follow a final (§16.7 step 5).
      if (context.answered && response.status >= 300) return;
      context.answered = true;
      if (response.status >= 300) context.failed = { cause: response.status, text: response.reason };
    }
    let sent: SipResponse = { ...response, headers: response.headers.map((header) => ({ ...header })) };
    // The other side's identity is ours to assert (responseHeaders), never theirs.
    dropIdentity(sent);
    for (const [name, value] of Object.entries(context.responseHeaders)) setHeader(sent, name, value);
    if (context.caller.trunk) {
      // The phone answered the dialog as it knows it; the trunk gets its own Call-ID back.
      setHeader(sent, 'Call-ID', getHeader(context.request, 'Call-ID') ?? '');
      sent = hideResponse(sent, context.request, context.caller.transport, this.#hiding);
    }
    this.#options.observer?.responding?.(context.request, sent);
    context.server.respond(sent);
    // A dialog-creating INVITE that failed ends its call for the media relay.
    if (sent.status >= 300 && context.callerProfile !== undefined) this.#options.media?.ended(context.named);
  }

  #requestTarget(leg: FlowTarget): RequestTarget | undefined {
    if (leg.flowId !== undefined) {
      const flow = this.#options.transport.flow(leg.flowId);
      if (flow) return { flow };
      if (leg.transport === 'WS' || leg.transport === 'WSS') return undefined;
    }
    return { transport: leg.transport, host: leg.address, port: leg.port };
  }
}

/** A copy to forward (§16.6 steps 1–3): new Request-URI, Max-Forwards one less. */
function prepareBranch(request: SipRequest, uri: Uri): SipRequest {
  const branch: SipRequest = { ...request, uri, headers: request.headers.map((header) => ({ ...header })) };
  const maxForwards = maxForwardsOf(request);
  if (maxForwards === undefined) addHeader(branch, 'Max-Forwards', '70');
  else setHeader(branch, 'Max-Forwards', String(maxForwards - 1));
  return branch;
}

function withoutTag(nameAddr: NameAddr): string {
  const params = new Map(nameAddr.params);
  params.delete('tag');
  return formatNameAddr({ ...nameAddr, params });
}

/** A copy with another SDP body (Content-Length follows the body when serialised). */
function withBody<M extends SipMessage>(message: M, body: Buffer): M {
  const headers = message.headers.map((header) => ({ ...header }));
  return { ...message, body, headers: body.length === 0 ? headers.filter((header) => header.name !== 'Content-Type') : headers };
}

/** §16.7 step 3: the top Via of a response to a forwarded request is ours. */
function stripOurVia(response: SipResponse): SipResponse {
  const index = response.headers.findIndex((header) => header.name === 'Via');
  if (index === -1) return response;
  return { ...response, headers: [...response.headers.slice(0, index), ...response.headers.slice(index + 1)] };
}
