/**
 * MediaRelay over one or more rtpengines, driven by ng `offer`, `answer`, `query` and `delete`
 * (rtpengine: https://github.com/sipwise/rtpengine/blob/master/docs/ng_control_protocol.md).
 *
 * SDP is rewritten for the profile of the party that RECEIVES it (flags below); codecs are never
 * named, so they pass through unchanged (no transcoding) and RFC 4733 telephone-event passes
 * with them. Both the origin and the session connection name the relay (`replace`). A forked
 * INVITE's branches are told apart by `via-branch`: each gets its own media session.
 *
 * Several engines: a call sticks to the engine that took its first offer (its media state lives
 * there); new calls go round-robin over the engines, skipping for a while one that timed out or
 * was unreachable, and a new call's first offer moves on to the next engine when one fails that
 * way. A call this relay does not know (e.g. after a restart) is looked for on every engine.
 */
import type { NgDictionary, NgInputDictionary } from './ng/bencode.ts';
import { type NgClient, NgError, NgTimeoutError, NgUnavailableError, text, type NgLogger } from './ng/ng-client.ts';
import { callStatsFromQuery } from './rtpengine-stats.ts';
import { MediaRelayError, type MediaAnswer, type MediaCallStats, type MediaOffer, type MediaProfile, type MediaRelay } from './media-relay.ts';
import { MediaRelayErrorCode } from './media-errors.ts';

/** The subset of NgClient the relay uses, so tests and the managed supervisor can hand in their own. */
export type NgEngine = Pick<NgClient, 'endpoint' | 'request'>;

export interface RtpengineRelayOptions {
  engines: readonly NgEngine[];
  /** How long an engine that timed out or was unreachable gets no new calls; 10 s when omitted. */
  skipMs?: number;
  /** Calls remembered with their engine; the oldest is forgotten past this. 100 000 when omitted. */
  maxCalls?: number;
  logger?: NgLogger;
  now?: () => number;
}

/**
 * ng flags by the profile of the party that receives the rewritten SDP.
 * - Never `DTLS: passive` toward a browser that offered `a=setup:actpass`: rtpengine already
 *   took the active role, and forcing passive leaves DTLS stuck in "connecting".
 * - No SDES toward browsers: WebRTC uses DTLS-SRTP only (RFC 8827 §6.5), so `a=crypto` lines
 *   would only be noise; toward `srtp` rtpengine offers SDES (RFC 4568) by itself once DTLS is off.
 */
const FLAGS_TO: Record<MediaProfile, NgInputDictionary> = {
  rtp: { 'transport-protocol': 'RTP/AVP', ICE: 'remove', DTLS: 'off', SDES: ['off'], 'rtcp-mux': ['demux'] },
  webrtc: { 'transport-protocol': 'UDP/TLS/RTP/SAVPF', ICE: 'force', SDES: ['off'], 'rtcp-mux': ['offer', 'require'] },
  srtp: { 'transport-protocol': 'RTP/SAVP', ICE: 'remove', DTLS: 'off', 'rtcp-mux': ['demux'] },
};

const REPLACE = ['origin', 'session-connection'];
const UNKNOWN_CALL = /unknown call-id|call-id not found/i;

export class RtpengineRelay implements MediaRelay {
  readonly #engines: readonly NgEngine[];
  readonly #skipMs: number;
  readonly #maxCalls: number;
  readonly #logger: NgLogger | undefined;
  readonly #now: () => number;
  /** Call-ID → index of the engine holding the call. */
  readonly #callEngine = new Map<string, number>();
  /** Call-ID → the first offer of that call, while it is being placed on an engine. */
  readonly #placing = new Map<string, Promise<NgDictionary>>();
  /** Engine index → time until which it gets no new calls. */
  readonly #skippedUntil = new Map<number, number>();
  #next = 0;

  constructor(options: RtpengineRelayOptions) {
    if (options.engines.length === 0) throw new RangeError('RtpengineRelay needs at least one ng engine');
    this.#engines = options.engines;
    this.#skipMs = options.skipMs ?? 10_000;
    this.#maxCalls = options.maxCalls ?? 100_000;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  async offer(offer: MediaOffer): Promise<Buffer> {
    // The label shows in rtpengine's logs and `query`: which kind of endpoint this side is.
    const params = sdpExchange(offer, { label: offer.from });
    // Awaited only when there is one: the first offer must claim the call before it yields.
    if (this.#placing.has(offer.callId)) await this.#placed(offer.callId);
    const known = this.#callEngine.get(offer.callId);
    if (known !== undefined) return sdpOf(await this.#on(known, 'offer', params));
    const placing = this.#placeNewCall(offer.callId, params);
    this.#placing.set(offer.callId, placing);
    try {
      return sdpOf(await placing);
    } finally {
      if (this.#placing.get(offer.callId) === placing) this.#placing.delete(offer.callId);
    }
  }

  /**
   * The first offer of a call, on the first engine that takes it. An engine that timed out may
   * still have made the session: its `offer-timeout` (or `timeout`) ends it, as no answer follows.
   */
  async #placeNewCall(callId: string, params: NgInputDictionary): Promise<NgDictionary> {
    let lastError: MediaRelayError | undefined;
    for (const index of this.#newCallOrder()) {
      try {
        const reply = await this.#on(index, 'offer', params);
        this.#remember(callId, index);
        return reply;
      } catch (error) {
        if (!(error instanceof MediaRelayError) || error.code === MediaRelayErrorCode.REFUSED) throw error;
        lastError = error;
      }
    }
    throw lastError ?? new MediaRelayError(MediaRelayErrorCode.UNAVAILABLE, 'no rtpengine to take the call');
  }

  /**
   * Waits while a first offer of the call is on its way, so that the offers of a fork's
   * branches made at once, and a delete right behind an offer (CANCEL), reach the same engine.
   */
  async #placed(callId: string): Promise<void> {
    await this.#placing.get(callId)?.catch(() => undefined);
  }

  async answer(answer: MediaAnswer): Promise<Buffer> {
    return sdpOf(await this.#onCallEngine(answer.callId, 'answer', sdpExchange(answer)));
  }

  async query(callId: string): Promise<MediaCallStats | undefined> {
    try {
      return callStatsFromQuery(await this.#onCallEngine(callId, 'query', { 'call-id': callId }));
    } catch (error) {
      if (error instanceof MediaRelayError && error.code === MediaRelayErrorCode.REFUSED && UNKNOWN_CALL.test(error.message)) return undefined;
      throw error;
    }
  }

  async delete(target: { callId: string; fromTag?: string; toTag?: string; viaBranch?: string }): Promise<void> {
    const params: NgInputDictionary = {
      'call-id': target.callId,
      'from-tag': target.fromTag,
      'to-tag': target.toTag,
      'via-branch': target.viaBranch,
      // rtpengine ignores a delete's to-tag unless told to honour it.
      flags: target.toTag === undefined ? undefined : ['to-tag'],
    };
    const wholeCall = target.fromTag === undefined && target.toTag === undefined && target.viaBranch === undefined;
    await this.#placed(target.callId);
    const known = this.#callEngine.get(target.callId);
    const indexes = known === undefined ? this.#engines.map((_engine, index) => index) : [known];
    // Without `fatal`, rtpengine answers a delete of what is gone with a warning, not an error.
    const results = await Promise.allSettled(indexes.map((index) => this.#on(index, 'delete', params)));
    if (wholeCall) this.#callEngine.delete(target.callId);
    if (results.some((result) => result.status === 'fulfilled')) return;
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    const error = failure?.reason as MediaRelayError;
    if (error.code === MediaRelayErrorCode.REFUSED && UNKNOWN_CALL.test(error.message)) return;
    throw error;
  }

  /** Engines in the order a new call tries them: round-robin, skipped ones last. */
  #newCallOrder(): number[] {
    const count = this.#engines.length;
    const start = this.#next;
    this.#next = (this.#next + 1) % count;
    const order = Array.from({ length: count }, (_unused, offset) => (start + offset) % count);
    const now = this.#now();
    const ready = order.filter((index) => (this.#skippedUntil.get(index) ?? 0) <= now);
    const skipped = order.filter((index) => (this.#skippedUntil.get(index) ?? 0) > now);
    return [...ready, ...skipped];
  }

  /** Sends to the call's engine, or (unknown call) to each engine until one knows the call. */
  async #onCallEngine(callId: string, command: string, params: NgInputDictionary): Promise<NgDictionary> {
    await this.#placed(callId);
    const known = this.#callEngine.get(callId);
    if (known !== undefined) return this.#on(known, command, params);
    let lastError: unknown;
    for (let index = 0; index < this.#engines.length; index++) {
      try {
        const reply = await this.#on(index, command, params);
        this.#remember(callId, index);
        return reply;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async #on(index: number, command: string, params: NgInputDictionary): Promise<NgDictionary> {
    const engine = this.#engines[index];
    if (engine === undefined) throw new Error(`no rtpengine at index ${index} of ${this.#engines.length}`);
    try {
      const reply = await engine.request(command, params);
      this.#skippedUntil.delete(index);
      const warning = text(reply.warning);
      if (warning !== '') this.#logger?.debug({ endpoint: engine.endpoint, command, warning }, 'rtpengine warning');
      return reply;
    } catch (error) {
      const relayError = toRelayError(engine.endpoint, command, error);
      if (relayError.code !== MediaRelayErrorCode.REFUSED) {
        this.#skippedUntil.set(index, this.#now() + this.#skipMs);
        this.#logger?.warn({ endpoint: engine.endpoint, command, code: relayError.code }, 'rtpengine skipped for new calls');
      }
      throw relayError;
    }
  }

  #remember(callId: string, index: number): void {
    this.#callEngine.delete(callId);
    this.#callEngine.set(callId, index);
    if (this.#callEngine.size > this.#maxCalls) {
      const oldest = this.#callEngine.keys().next().value;
      if (oldest !== undefined) this.#callEngine.delete(oldest);
    }
  }
}

/** An offer's or answer's ng parameters: the dialog's identifiers, the SDP, and the flags for the side it goes to. */
function sdpExchange(exchange: MediaOffer | MediaAnswer, extra: NgInputDictionary = {}): NgInputDictionary {
  return {
    'call-id': exchange.callId,
    'from-tag': exchange.fromTag,
    'to-tag': exchange.toTag,
    'via-branch': exchange.viaBranch,
    ...extra,
    sdp: exchange.sdp,
    replace: REPLACE,
    ...FLAGS_TO[exchange.to],
  };
}

function sdpOf(reply: NgDictionary): Buffer {
  const sdp = reply.sdp;
  if (!Buffer.isBuffer(sdp) || sdp.length === 0) throw new MediaRelayError(MediaRelayErrorCode.REFUSED, 'rtpengine replied without an SDP body');
  return Buffer.from(sdp);
}

function toRelayError(endpoint: string, command: string, error: unknown): MediaRelayError {
  if (error instanceof MediaRelayError) return error;
  const code: MediaRelayErrorCode =
    error instanceof NgTimeoutError
      ? MediaRelayErrorCode.TIMEOUT
      : error instanceof NgUnavailableError || (error instanceof NgError && error.result === 'load limit')
        ? MediaRelayErrorCode.UNAVAILABLE
        : MediaRelayErrorCode.REFUSED;
  const why = error instanceof NgError ? error.reason : error instanceof Error ? error.message : String(error);
  return new MediaRelayError(code, `rtpengine ${endpoint} ${command}: ${why}`);
}
