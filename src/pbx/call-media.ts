/**
 * The media step of the request route: every SDP offer and answer the proxy forwards is anchored
 * through the media relay, rewritten for the media profile of the party that receives it (a
 * browser's ICE + DTLS-SRTP, a phone's or carrier's plain RTP, a trunk's configured profile).
 * The proxy asks this step for each branch request, each response it passes up and each 2xx ACK
 * (RFC 3261 §16.6, §16.7, §13.2.2.4), and waits for the answer before the message goes on.
 *
 * Offer/answer follows RFC 3264 over RFC 3261 §13.2.1 and RFC 6337:
 * - an INVITE with SDP is the offer (one relay session per forked branch, told apart by a branch
 *   label); its 18x/2xx with SDP the answer; the losing branches are deleted when a 2xx ends the
 *   fork, and a 2xx a losing branch sends after that never reaches the relay (its answer would
 *   take the caller's media away from the winner): the proxy ends that callee's dialog instead;
 * - an INVITE without SDP (a late offer): the 2xx carries the offer and the ACK the answer, or a
 *   reliable 18x (RFC 3262 §5) the offer and its PRACK the answer; a 2xx after that repeats it;
 * - re-INVITE and UPDATE (RFC 3311) from either side are offers like any other, between the
 *   parties the 2xx of the initial INVITE established;
 * - a failure final to the initial INVITE (486, 487 after CANCEL or Timer C, 408…) and a BYE of the
 *   answered dialog end the call: its relay session is deleted and its state here forgotten. A
 *   BYE of another dialog of the call (a fork's loser) deletes nothing: that branch's media went
 *   when the fork ended, and rtpengine's `delete` naming a From tag it does not know ends the
 *   whole call. A transfer (REFER,
 *   RFC 3515; Replaces, RFC 3891) is a new INVITE with its own Call-ID, anchored as any call, and
 *   the transferred dialog ends with its own BYE.
 *
 * Per call it keeps only the parties' tags and profiles and, between a 2xx offer and its ACK, the
 * offerer's tag. Relay calls of one call run one after the other, so a delete never overtakes the
 * offer it is meant to undo.
 *
 * A call that ends without a BYE through us (a browser tab closed mid-call, a phone that lost
 * power) is timed out by the relay (rtpengine's `--timeout`: no media for a minute); a sweep
 * every few minutes asks the relay about calls that saw no signalling for a while and forgets
 * those it no longer holds, so the state here stays bounded by the calls really up.
 */
import type { MediaCallStats, MediaProfile, MediaRelay } from '../media/media-relay.ts';
import type { MediaRelayErrorCode } from '../media/media-errors.ts';
import { MediaRelayError } from '../media/media-relay.ts';
import { audioCodecs, isSdpBody } from '../media/sdp-codecs.ts';
import { callIdOf, fromOf, getHeader, tagOf, toOf } from '../sip/message/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../sip/message/types.ts';
import type { TransportProtocol } from '../sip/transport/index.ts';

/** A request or response as it goes on: unchanged, with a rewritten body, or refused here. */
export type MediaOutcome =
  | { kind: 'pass' }
  | { kind: 'rewrite'; body: Buffer }
  /** The relay could not anchor it: 503 (unavailable, timed out) or 488 (it refused the SDP). */
  | { kind: 'refuse'; status: 488 | 503; reason: string }
  /** A 2xx from a branch whose fork another branch already won: it goes nowhere (RFC 3326 "completed elsewhere"). */
  | { kind: 'elsewhere' };

/** One exchange the proxy forwards: the request as received, naming the call by its Call-ID and tags. */
export interface MediaExchange {
  request: SipRequest;
  /** Tells the branches of a forked INVITE apart. */
  branch: string;
  /**
   * For a dialog-creating INVITE: the profiles of the caller and of this branch's callee. An
   * in-dialog request has none: its parties are known from the INVITE's 2xx. `trunk`: the caller
   * or this callee is a trunk, whose media never goes end to end (a carrier never learns a
   * browser's addresses).
   */
  profiles?: { caller: MediaProfile; callee: MediaProfile; trunk?: boolean };
}

/** What the proxy asks of the media step. */
export interface MediaStep {
  /** A branch request's body as it goes on. */
  request(exchange: MediaExchange): Promise<MediaOutcome>;
  /** A provisional or 2xx response's body as it goes upstream. */
  response(exchange: MediaExchange, response: SipResponse): Promise<MediaOutcome>;
  /** A final failure from a branch (only looked at: a 488 is explained in the log). */
  rejected(exchange: MediaExchange, response: SipResponse): void;
  /** The ACK for a 2xx (it carries the answer to a late offer). */
  ack(ack: SipRequest): Promise<MediaOutcome>;
  /** A 2xx from `winner` ended the fork: the other branches' sessions go. */
  forkEnded(request: SipRequest, winner: string): void;
  /** The call is over (failure final to its INVITE, or BYE): its relay session goes. */
  ended(request: SipRequest): void;
}

export interface RelayFailure {
  code: MediaRelayErrorCode | 'MEDIA_RELAY_ERROR';
  callId: string;
  /** The SIP method or response whose SDP could not be anchored (`INVITE`, `200 INVITE`), or `delete`. */
  message: string;
  /** A delete that failed: nothing was refused (the engine forgets calls it lost, or times them out). */
  cleanup: boolean;
  /** The audio codecs of the SDP the relay did not take (empty for a delete). */
  codecs: string[];
  error: unknown;
}

export interface CodecMismatch {
  callId: string;
  status: number;
  /** The codecs the offer named, as the offerer sent it. */
  offered: string[];
  /** The codecs the refusing side named (its 488 body), empty when it named none. */
  answered: string[];
}

export interface CallMediaOptions {
  relay: MediaRelay;
  /** A relay call failed: the SIP service logs it and counts it in /metrics. */
  onRelayFailure?(failure: RelayFailure): void;
  /** A 488 (no common codec): the SIP service logs both sides' codecs. */
  onCodecMismatch?(mismatch: CodecMismatch): void;
  /** The call record an INVITE began (the call tracker's id), handed back with its statistics. */
  recordIdOf?(invite: SipRequest): string | undefined;
  /**
   * What the relay measured of an answered call, asked just before its session is deleted (a
   * delete forgets it). `callerTag` is the caller's From tag, naming the caller's leg.
   */
  onCallStats?(call: { callId: string; callerTag: string; recordId: string | undefined }, stats: MediaCallStats): void;
  /** A call without signalling for this long is asked after at the relay by the sweep; 10 minutes when omitted. */
  idleMs?: number;
  /** How often the sweep runs; 5 minutes when omitted. */
  sweepIntervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

const IDLE_MS = 10 * 60_000;
const SWEEP_INTERVAL_MS = 5 * 60_000;

/** A leg's media profile from how it is reached: a WebSocket leg is a browser, any other a phone. */
export function profileOfTransport(transport: TransportProtocol): MediaProfile {
  return transport === 'WS' || transport === 'WSS' ? 'webrtc' : 'rtp';
}

/**
 * The media step the service runs, or none: with relay policy `never` (config `media.relay`) or
 * no relay, SDP passes end to end as it always did.
 */
export function callMediaFor(policy: 'always' | 'never', options: CallMediaOptions | undefined): CallMedia | undefined {
  return policy === 'never' || options === undefined ? undefined : new CallMedia(options);
}

interface BranchMedia {
  profile: MediaProfile;
  /** False when the relay was down and both ends are browsers: media goes end to end. */
  relayed: boolean;
  offered: boolean;
  /** Both ends are browsers (no trunk): with the relay down, media may go end to end. */
  browsers: boolean;
  /**
   * A late offer whose offer/answer completed in the early dialog (reliable 18x, PRACK): the SDP
   * the caller got in that 18x, which a 2xx repeating the offer gets again.
   */
  earlySdp?: Buffer;
}

/** A late offer in a reliable provisional, waiting for the PRACK that answers it. */
interface ProvisionalOffer {
  branch: string;
  /** The offer as the caller got it. */
  sdp: Buffer;
}

interface MediaCall {
  callerTag: string;
  recordId: string | undefined;
  callerProfile: MediaProfile;
  /** Whether the INVITE carried the offer (false: a late offer, the 2xx offers). */
  invitedWithSdp: boolean;
  branches: Map<string, BranchMedia>;
  /** The dialog's parties by tag, once a 2xx established it. */
  parties: Map<string, MediaProfile>;
  /** The branch whose 2xx ended the fork. */
  winner?: string;
  /** The tags of the dialog that 2xx established: only its BYE ends the call. */
  dialog?: readonly [string, string];
  /** When a message of this call last came through (the sweep's idea of idle). */
  seenAt: number;
  relayed: boolean;
  /** An offer made in a 2xx: the ACK carries its answer. */
  ackAnswer?: { offererTag: string; branch: string | undefined };
  /** Offers made in reliable provisionals (RFC 3262 §5), by the offering callee's tag: a PRACK answers each. */
  prackAnswers: Map<string, ProvisionalOffer>;
  /** Whether the relay holds anything of this call. */
  touched: boolean;
  /** The relay calls of this call, one after the other. */
  chain: Promise<unknown>;
  /** The outcome of the last in-dialog request, which the next one waits for. */
  lastRequest: Promise<MediaOutcome>;
}

const PASS: MediaOutcome = { kind: 'pass' };
const ELSEWHERE: MediaOutcome = { kind: 'elsewhere' };

export class CallMedia implements MediaStep {
  readonly #options: CallMediaOptions;
  readonly #calls = new Map<string, MediaCall>();
  readonly #now: () => number;
  readonly #sweepTimer: NodeJS.Timeout;
  #sweeping: Promise<void> | undefined;

  constructor(options: CallMediaOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sweepTimer = setInterval(() => void this.sweep(), options.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
  }

  /** Calls whose media state is kept (for tests and /metrics: zero once every call ended). */
  get activeCalls(): number {
    return this.#calls.size;
  }

  async request(exchange: MediaExchange): Promise<MediaOutcome> {
    const { request, branch, profiles } = exchange;
    const callId = callIdOf(request);
    const sdp = hasSdp(request);
    if (profiles !== undefined && request.method === 'INVITE' && tagOf(toOf(request)) === undefined) {
      const callerTag = tagOf(fromOf(request)) ?? '';
      let call = this.#calls.get(callId);
      if (call === undefined) {
        call = {
          callerTag,
          recordId: this.#options.recordIdOf?.(request),
          callerProfile: profiles.caller,
          invitedWithSdp: sdp,
          branches: new Map(),
          parties: new Map(),
          prackAnswers: new Map(),
          seenAt: this.#now(),
          relayed: true,
          touched: false,
          chain: Promise.resolve(),
          lastRequest: Promise.resolve(PASS),
        };
        this.#calls.set(callId, call);
      }
      call.seenAt = this.#now();
      const browsers = profiles.caller === 'webrtc' && profiles.callee === 'webrtc' && profiles.trunk !== true;
      const media: BranchMedia = { profile: profiles.callee, relayed: true, offered: sdp, browsers };
      call.branches.set(branch, media);
      if (!sdp) return PASS;
      return this.#relay(call, callId, request.method, media, request.body, (relay) =>
        relay.offer({ callId, fromTag: callerTag, viaBranch: branch, sdp: request.body, from: profiles.caller, to: profiles.callee }),
      );
    }
    const call = this.#calls.get(callId);
    if (call === undefined) return PASS;
    call.seenAt = this.#now();
    // RFC 3311 / RFC 3261 §14: a re-offer inside the dialog, from whichever party sends it.
    const fromTag = tagOf(fromOf(request)) ?? '';
    const toTag = tagOf(toOf(request)) ?? '';
    const from = call.parties.get(fromTag);
    const to = call.parties.get(toTag);
    let outcome: Promise<MediaOutcome>;
    if (call.relayed && sdp && from !== undefined && to !== undefined) {
      const early = request.method === 'PRACK' ? call.prackAnswers.get(toTag) : undefined;
      if (early !== undefined) call.prackAnswers.delete(toTag);
      outcome =
        early !== undefined
          ? this.#prackAnswer(call, callId, request, early, from, to)
          : this.#relay(call, callId, request.method, undefined, request.body, (relay) => relay.offer({ callId, fromTag, toTag, sdp: request.body, from, to }));
    } else {
      // Not before the requests before it: a BYE never overtakes the re-INVITE still with the relay.
      outcome = call.lastRequest.then(() => PASS);
    }
    call.lastRequest = outcome;
    return outcome;
  }

  /** A PRACK whose SDP answers the offer of a reliable provisional (RFC 3262 §5): an answer to the relay. */
  async #prackAnswer(call: MediaCall, callId: string, prack: SipRequest, offer: ProvisionalOffer, from: MediaProfile, to: MediaProfile): Promise<MediaOutcome> {
    const offererTag = tagOf(toOf(prack)) ?? '';
    const answererTag = tagOf(fromOf(prack)) ?? '';
    const outcome = await this.#relay(call, callId, 'PRACK', undefined, prack.body, (relay) =>
      relay.answer({ callId, fromTag: offererTag, toTag: answererTag, viaBranch: offer.branch, sdp: prack.body, from, to }),
    );
    const media = call.branches.get(offer.branch);
    if (outcome.kind === 'rewrite' && media !== undefined) media.earlySdp = offer.sdp;
    return outcome;
  }

  async response(exchange: MediaExchange, response: SipResponse): Promise<MediaOutcome> {
    const { request, branch } = exchange;
    const callId = callIdOf(request);
    const call = this.#calls.get(callId);
    if (call === undefined || response.status >= 300) return PASS;
    call.seenAt = this.#now();
    const initial = exchange.profiles !== undefined && tagOf(toOf(request)) === undefined;
    const responderTag = tagOf(toOf(response)) ?? '';
    const requesterTag = tagOf(fromOf(request)) ?? '';
    const what = `${response.status} ${request.method}`;
    if (initial) {
      const media = call.branches.get(branch);
      if (media === undefined) return PASS;
      // Its session went when another branch won: an answer now would take the caller's media.
      if (call.winner !== undefined && branch !== call.winner) return response.status >= 200 ? ELSEWHERE : PASS;
      // An 18x with a To tag starts an early dialog (§13.3.1.1): an UPDATE in it (RFC 3311 §5.1)
      // is anchored between the same parties as the 2xx's dialog.
      if (responderTag !== '' && media.relayed) call.parties.set(requesterTag, call.callerProfile).set(responderTag, media.profile);
      if (response.status >= 200) {
        call.relayed = media.relayed;
        call.dialog = [requesterTag, responderTag];
      }
      if (!hasSdp(response) || !media.relayed) return PASS;
      if (call.invitedWithSdp) {
        return this.#relay(call, callId, what, undefined, response.body, (relay) =>
          relay.answer({ callId, fromTag: requesterTag, toTag: responderTag, viaBranch: branch, sdp: response.body, from: media.profile, to: call.callerProfile }),
        );
      }
      // A late offer (RFC 3261 §13.2.1): the callee offers in its response, the caller answers in
      // the ACK — or in the PRACK of a reliable provisional (RFC 3262 §5), after which the 2xx
      // may only repeat that offer (RFC 6337 §3.1.1): the caller gets the same SDP again.
      if (response.status >= 200 && media.earlySdp !== undefined) return { kind: 'rewrite', body: media.earlySdp };
      if (response.status >= 200) call.ackAnswer = { offererTag: responderTag, branch };
      const outcome = await this.#relay(call, callId, what, media, response.body, (relay) =>
        relay.offer({ callId, fromTag: responderTag, toTag: requesterTag, viaBranch: branch, sdp: response.body, from: media.profile, to: call.callerProfile }),
      );
      if (response.status < 200 && outcome.kind === 'rewrite' && getHeader(response, 'RSeq') !== undefined) call.prackAnswers.set(responderTag, { branch, sdp: outcome.body });
      return outcome;
    }
    if (!call.relayed || !hasSdp(response) || response.status < 200) return PASS;
    const requester = call.parties.get(requesterTag);
    const responder = call.parties.get(responderTag);
    if (requester === undefined || responder === undefined) return PASS;
    if (hasSdp(request)) {
      return this.#relay(call, callId, what, undefined, response.body, (relay) =>
        relay.answer({ callId, fromTag: requesterTag, toTag: responderTag, sdp: response.body, from: responder, to: requester }),
      );
    }
    if (request.method !== 'INVITE') return PASS;
    // A re-INVITE without SDP: the 2xx offers, the ACK answers (RFC 3261 §14.2).
    call.ackAnswer = { offererTag: responderTag, branch: undefined };
    return this.#relay(call, callId, what, undefined, response.body, (relay) =>
      relay.offer({ callId, fromTag: responderTag, toTag: requesterTag, sdp: response.body, from: responder, to: requester }),
    );
  }

  rejected(exchange: MediaExchange, response: SipResponse): void {
    if (response.status !== 488 && response.status !== 606) return;
    const { request } = exchange;
    if (!hasSdp(request)) return;
    this.#options.onCodecMismatch?.({
      callId: callIdOf(request),
      status: response.status,
      offered: audioCodecs(request.body),
      answered: hasSdp(response) ? audioCodecs(response.body) : [],
    });
  }

  async ack(ack: SipRequest): Promise<MediaOutcome> {
    const callId = callIdOf(ack);
    const call = this.#calls.get(callId);
    const pending = call?.ackAnswer;
    if (call !== undefined) call.seenAt = this.#now();
    if (call === undefined || pending === undefined || !hasSdp(ack)) return PASS;
    call.ackAnswer = undefined;
    const answererTag = tagOf(fromOf(ack)) ?? '';
    const answerer = call.parties.get(answererTag);
    const offerer = call.parties.get(pending.offererTag);
    if (answerer === undefined || offerer === undefined) return PASS;
    return this.#relay(call, callId, 'ACK', undefined, ack.body, (relay) =>
      relay.answer({ callId, fromTag: pending.offererTag, toTag: answererTag, viaBranch: pending.branch, sdp: ack.body, from: answerer, to: offerer }),
    );
  }

  forkEnded(request: SipRequest, winner: string): void {
    const callId = callIdOf(request);
    const call = this.#calls.get(callId);
    if (call === undefined) return;
    call.winner = winner;
    for (const [branch, media] of call.branches) {
      if (branch === winner || !media.offered || !media.relayed) continue;
      this.#then(call, callId, 'fork end', (relay) => relay.delete({ callId, fromTag: call.callerTag, viaBranch: branch }));
    }
  }

  ended(request: SipRequest): void {
    const callId = callIdOf(request);
    const call = this.#calls.get(callId);
    if (call === undefined) return;
    if (request.method === 'BYE' && call.dialog !== undefined && !sameDialog(call.dialog, request)) return;
    this.#calls.delete(callId);
    if (!call.touched) return;
    const { onCallStats } = this.#options;
    if (onCallStats !== undefined && call.parties.size > 0 && call.relayed) {
      this.#then(call, callId, 'query', async (relay) => {
        const stats = await relay.query(callId);
        if (stats !== undefined) onCallStats({ callId, callerTag: call.callerTag, recordId: call.recordId }, stats);
      });
    }
    this.#then(call, callId, 'delete', (relay) => relay.delete({ callId }));
  }

  /**
   * Forgets the calls that saw no signalling for `idleMs` and that the relay no longer holds: it
   * timed them out, as nobody sent the BYE (rtpengine's own timeout is the one judge of "no
   * media for too long", so nothing is deleted here). A call the relay cannot be asked about
   * (it is down) is kept for the next sweep; one that never reached the relay is just forgotten.
   */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweepOnce().finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<void> {
    const idleSince = this.#now() - (this.#options.idleMs ?? IDLE_MS);
    for (const [callId, call] of [...this.#calls]) {
      if (call.seenAt > idleSince) continue;
      if (call.touched) {
        const held = await this.#options.relay.query(callId).then(
          (stats) => stats !== undefined,
          () => true,
        );
        if (held) continue;
      }
      // Unless the call came back to life while the relay was asked.
      if (this.#calls.get(callId) === call && call.seenAt <= idleSince) this.#calls.delete(callId);
    }
  }

  /** Shutdown: every call still up is deleted from the relay (an external engine outlives us). */
  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    const calls = [...this.#calls];
    this.#calls.clear();
    for (const [callId, call] of calls) if (call.touched) this.#then(call, callId, 'delete', (relay) => relay.delete({ callId }));
    await Promise.all(calls.map(([, call]) => call.chain));
  }

  /**
   * One offer or answer through the relay, after the call's earlier relay calls. When the relay
   * is unreachable and both ends are browsers (`media` names the branch; never a trunk's), media
   * goes end to end.
   */
  async #relay(call: MediaCall, callId: string, what: string, media: BranchMedia | undefined, sdp: Buffer, work: (relay: MediaRelay) => Promise<Buffer>): Promise<MediaOutcome> {
    call.touched = true;
    const done = call.chain.then(() => work(this.#options.relay));
    call.chain = done.catch(() => undefined);
    try {
      return { kind: 'rewrite', body: await done };
    } catch (error) {
      const code = error instanceof MediaRelayError ? error.code : 'MEDIA_RELAY_ERROR';
      this.#options.onRelayFailure?.({ code, callId, message: what, cleanup: false, codecs: audioCodecs(sdp), error });
      if (code === 'MEDIA_RELAY_REFUSED') return { kind: 'refuse', status: 488, reason: 'Media Not Acceptable Here' };
      if (media?.browsers === true) {
        media.relayed = false;
        return PASS;
      }
      return { kind: 'refuse', status: 503, reason: 'Media Relay Unavailable' };
    }
  }

  /** A relay call whose outcome changes no message (deletes): failures are only reported. */
  #then(call: MediaCall, callId: string, what: string, work: (relay: MediaRelay) => Promise<void>): void {
    call.chain = call.chain
      .then(() => work(this.#options.relay))
      .catch((error: unknown) =>
        this.#options.onRelayFailure?.({ code: error instanceof MediaRelayError ? error.code : 'MEDIA_RELAY_ERROR', callId, message: what, cleanup: true, codecs: [], error }),
      );
  }
}

/** Whether a BYE's tags, in either direction, are those of `dialog`. */
function sameDialog(dialog: readonly [string, string], bye: SipRequest): boolean {
  const tags = [tagOf(fromOf(bye)) ?? '', tagOf(toOf(bye)) ?? ''];
  return tags.includes(dialog[0]) && tags.includes(dialog[1]);
}

function hasSdp(message: SipMessage): boolean {
  return isSdpBody(getHeader(message, 'Content-Type'), message.body);
}
