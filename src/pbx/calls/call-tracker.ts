/**
 * Turns what the proxy forwards and answers into CallEvents: one call per dialog-creating INVITE
 * (keyed by its SIP Call-ID and the caller's From tag), with a UUID that every event of the call
 * carries. The proxy's messages are only read here, never changed.
 */
import { randomUUID } from 'node:crypto';
import { callIdOf, formatUri, fromOf, getHeader, isSipUri, isTelUri, parseNameAddr, tagOf, toOf } from '../../sip/message/index.ts';
import type { SipRequest, SipResponse, Uri } from '../../sip/message/types.ts';
import type { CallSetup } from '../call-router.ts';
import type { CallDirection, CallDisposition, CallEvent, CallParty } from './call-event.ts';
import { offeredDirection } from './media-direction.ts';

export interface CallTrackerOptions {
  publish(event: CallEvent): void;
  now?: () => number;
  newId?: () => string;
}

interface TrackedCall {
  id: string;
  /** Its key in the map of calls (Call-ID and caller tag). */
  key: string;
  direction: CallDirection;
  from: CallParty;
  to: CallParty;
  extensions: string[];
  callerTag: string | undefined;
  startedAt: number;
  ringing: boolean;
  answeredAt: number | undefined;
  held: boolean;
}

export class CallTracker {
  readonly #options: CallTrackerOptions;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #calls = new Map<string, TrackedCall>();

  constructor(options: CallTrackerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? randomUUID;
  }

  /** Calls in progress (for /metrics and tests). */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Calls in progress on a trunk (for its maxCalls). */
  activeCallsOn(trunk: string): number {
    let count = 0;
    for (const call of this.#calls.values()) if (call.from.trunk === trunk || call.to.trunk === trunk) count++;
    return count;
  }

  /** The call id (UUID) of a call begun with this INVITE, if any. */
  callIdOf(request: SipRequest): string | undefined {
    return this.#calls.get(initialKey(request))?.id;
  }

  /** A call the route decided to connect: its INVITE is about to be forwarded. */
  begin(request: SipRequest, setup: CallSetup): void {
    this.#begin(request, setup);
  }

  #begin(request: SipRequest, setup: CallSetup): TrackedCall {
    const key = initialKey(request);
    const call: TrackedCall = {
      id: this.#newId(),
      key,
      direction: setup.direction,
      from: { ...setup.from },
      to: { ...setup.to },
      extensions: [...setup.extensions],
      callerTag: tagOf(fromOf(request)),
      startedAt: this.#now(),
      ringing: false,
      answeredAt: undefined,
      held: false,
    };
    this.#calls.set(key, call);
    return call;
  }

  /** An in-dialog request the proxy forwards, as it arrived. */
  forwarding(request: SipRequest): void {
    if (tagOf(toOf(request)) === undefined) return;
    const callId = callIdOf(request);
    // The caller's requests carry its tag in From, the callee's in To.
    const call = this.#calls.get(`${callId}|${tagOf(fromOf(request)) ?? ''}`) ?? this.#calls.get(`${callId}|${tagOf(toOf(request)) ?? ''}`);
    if (!call) return;
    const by = this.#partyOf(call, request);
    switch (request.method) {
      case 'INVITE':
        this.#mediaChange(call, request, by);
        return;
      case 'REFER':
        this.#transfer(call, request, by);
        return;
      case 'BYE':
        this.#end(call, call.answeredAt === undefined ? 'canceled' : 'answered', `hung up by ${by}`);
    }
  }

  /** A response the proxy passes to the caller. */
  responding(request: SipRequest, response: SipResponse): void {
    if (request.method !== 'INVITE' || tagOf(toOf(request)) !== undefined) return;
    const call = this.#calls.get(initialKey(request));
    if (!call) return;
    const { status } = response;
    if (status === 180 || status === 183) {
      if (call.ringing) return;
      call.ringing = true;
      this.#publish(call, { type: 'ringing' });
    } else if (status >= 200 && status < 300) {
      if (call.answeredAt !== undefined) return;
      call.answeredAt = this.#now();
      this.#publish(call, { type: 'answered', answeredBy: call.to.extension ?? call.to.number });
    } else if (status >= 300) {
      this.#end(call, dispositionOf(status, call.ringing), `${status} ${response.reason}`);
    }
  }

  /**
   * A call the route answered itself (404, 480, 503): failed — or missed, for an inbound call
   * to an agent who was not there to take it.
   */
  refused(request: SipRequest, status: number, reason: string, setup: CallSetup): void {
    const call = this.#begin(request, setup);
    const disposition = setup.direction === 'inbound' && status === 480 ? 'missed' : 'failed';
    this.#end(call, disposition, `${status} ${reason}`);
  }

  #mediaChange(call: TrackedCall, request: SipRequest, by: string): void {
    const direction = offeredDirection(request.body.toString('utf8'));
    if (direction === 'held' && !call.held) {
      call.held = true;
      this.#publish(call, { type: 'held', by });
    } else if (direction === 'active' && call.held) {
      call.held = false;
      this.#publish(call, { type: 'resumed', by });
    }
  }

  /** RFC 3515 REFER; a Refer-To carrying Replaces (RFC 3891) completes an attended transfer. */
  #transfer(call: TrackedCall, request: SipRequest, by: string): void {
    const referTo = getHeader(request, 'Refer-To');
    if (referTo === undefined) return;
    let target: string;
    let attended: boolean;
    try {
      const uri = parseNameAddr(referTo).uri;
      target = userOf(uri);
      attended = isSipUri(uri) && [...uri.headers.keys()].some((name) => name.toLowerCase() === 'replaces');
    } catch {
      return;
    }
    this.#publish(call, { type: 'transferred', kind: attended ? 'attended' : 'blind', by, target });
  }

  #end(call: TrackedCall, disposition: CallDisposition, reason: string): void {
    this.#calls.delete(call.key);
    this.#publish(call, { type: 'ended', disposition, reason, startedAt: call.startedAt, answeredAt: call.answeredAt });
  }

  /** Which side sent an in-dialog request: the caller's requests carry its From tag. */
  #partyOf(call: TrackedCall, request: SipRequest): string {
    const fromCaller = tagOf(fromOf(request)) === call.callerTag;
    const party = fromCaller ? call.from : call.to;
    return party.extension ?? party.number;
  }

  #publish(call: TrackedCall, event: DistributiveOmit<CallEvent, 'callId' | 'direction' | 'from' | 'to' | 'extensions' | 'at'>): void {
    this.#options.publish({
      ...event,
      callId: call.id,
      direction: call.direction,
      from: { ...call.from },
      to: { ...call.to },
      extensions: [...call.extensions],
      at: this.#now(),
    } as CallEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A call is known by its Call-ID and the caller's tag (forked branches share both). */
function initialKey(request: SipRequest): string {
  return `${callIdOf(request)}|${tagOf(fromOf(request)) ?? ''}`;
}

function dispositionOf(status: number, rang: boolean): CallDisposition {
  if (status === 486 || status === 600 || status === 603) return 'busy';
  // A caller who gave up while it rang left the callee a missed call.
  if (status === 487) return rang ? 'missed' : 'canceled';
  return 'failed';
}

function userOf(uri: Uri): string {
  if (isSipUri(uri)) return uri.user ?? uri.host;
  if (isTelUri(uri)) return uri.number;
  return formatUri(uri);
}
