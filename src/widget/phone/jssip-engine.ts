/**
 * The browser phone: JsSIP registering over SIP-over-WebSocket (RFC 7118) with the credentials
 * the server hands out, WebRTC audio. Every JsSIP session (placed, received, created by a
 * transfer) is adopted in one place, `newRTCSession`, and reported as a PhoneCall snapshot.
 * Transfers use REFER (RFC 3515): blind with the target's URI, attended with Replaces
 * (RFC 3891) naming the consultation dialog; as transferee or transfer target the engine
 * accepts what arrives, so pane-to-pane transfers complete.
 */
import { UA, WebSocketInterface, debug as jssipDebug } from 'jssip';
import type { DTMFOptions, RTCSession } from 'jssip/lib/RTCSession.js';
import type { RTCSessionEvent } from 'jssip/lib/UA.js';
import type { SipCredentials } from '../api/api-types.ts';
import type { PhoneCall, PhoneEngine, PhoneEvent, RegistrationState, TransferOutcome } from './phone-engine.ts';
import { RemoteAudio } from './remote-audio.ts';
import { sipDomain, sipTarget, sipUser } from './sip-target.ts';

/** Where the PBX may name its own call id on INVITEs and responses (optional). */
export const CALL_ID_HEADER = 'X-Callpane-Call-Id';
const REGISTER_EXPIRES_S = 300;
const UNREGISTER_WAIT_MS = 2000;
const TRANSFER_WAIT_MS = 30_000;
/** In-band RFC 4733 (ex-2833) events: what trunks and desk phones understand, unlike SIP INFO. */
const DTMF_OPTIONS = { transportType: 'RFC2833', duration: 120, interToneGap: 70 } as unknown as DTMFOptions;

/** JsSIP types REFER's and Replaces' accept as Function; this is what they take. */
type AcceptWithInit = (init: (next: RTCSession) => void, options?: object) => void;

interface Tracked {
  session: RTCSession;
  call: PhoneCall;
  media: MediaStream | undefined;
}

/** What a session created by JsSIP itself (REFER, Replaces) should carry when it is adopted. */
interface Adoption {
  consultFor?: string;
  replaces?: string;
  referredBy?: string;
  media?: MediaStream;
  target?: string;
}

export class JsSipEngine implements PhoneEngine {
  readonly #listeners = new Set<(event: PhoneEvent) => void>();
  readonly #tracked = new Map<string, Tracked>();
  readonly #adoptions = new WeakMap<RTCSession, Adoption>();
  readonly #audio = new RemoteAudio();
  #ua: UA | undefined;
  #domain = '';
  #rtcConfiguration: RTCConfiguration = {};
  #registration: RegistrationState = 'unregistered';
  #nextLocal: Adoption | undefined;

  get registration(): RegistrationState {
    return this.#registration;
  }

  calls(): PhoneCall[] {
    return [...this.#tracked.values()].map(({ call }) => ({ ...call }));
  }

  on(listener: (event: PhoneEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  register(credentials: SipCredentials): void {
    if (this.#ua) this.#ua.stop();
    jssipDebug.disable();
    this.#domain = sipDomain(credentials.uri) ?? '';
    this.#rtcConfiguration = rtcConfigurationOf(credentials);
    const ua = new UA({
      sockets: [new WebSocketInterface(credentials.wsUrl)],
      uri: credentials.uri,
      authorization_user: credentials.authorizationUser,
      password: credentials.password,
      display_name: credentials.displayName,
      registrar_server: credentials.registrarServer,
      register: true,
      register_expires: REGISTER_EXPIRES_S,
      session_timers: false,
      user_agent: 'Callpane pane',
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    this.#ua = ua;
    const mine = (apply: () => void) => () => {
      if (this.#ua === ua) apply();
    };
    ua.on(
      'connecting',
      mine(() => this.#setRegistration('connecting')),
    );
    ua.on(
      'disconnected',
      mine(() => this.#setRegistration('connecting', 'connection lost')),
    );
    ua.on(
      'registered',
      mine(() => this.#setRegistration('registered')),
    );
    ua.on(
      'unregistered',
      mine(() => this.#setRegistration('unregistered')),
    );
    ua.on('registrationFailed', (event) => {
      if (this.#ua === ua) this.#setRegistration('failed', String(event.cause ?? 'registration failed'));
    });
    ua.on('newRTCSession', (event: RTCSessionEvent) => {
      if (this.#ua === ua) this.#adopt(event);
    });
    this.#setRegistration('connecting');
    ua.start();
  }

  renewCredentials(credentials: SipCredentials): void {
    const ua = this.#ua;
    if (!ua) return;
    // JsSIP builds each digest answer from its configuration, so the next REGISTER refresh or
    // INVITE challenge uses these; the registration and calls in progress are not disturbed.
    ua.set('authorization_user', credentials.authorizationUser);
    ua.set('password', credentials.password);
    // The TURN credential came with the SIP one and expires with it: calls from now on use the new one.
    this.#rtcConfiguration = rtcConfigurationOf(credentials);
    // A registration refused meanwhile (its credential had expired) is not retried by JsSIP
    // itself until the connection drops: try again now, with these.
    if (this.registration === 'failed' && ua.isConnected()) ua.register();
  }

  async unregister(): Promise<void> {
    const ua = this.#ua;
    if (!ua) return;
    this.#ua = undefined;
    for (const { session } of this.#tracked.values()) if (!session.isEnded()) terminate(session);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, UNREGISTER_WAIT_MS);
      ua.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      // stop() un-REGISTERs (Expires: 0) before closing the socket: no ghost binding is left.
      ua.stop();
    });
    this.#setRegistration('unregistered');
  }

  call(target: string, media: MediaStream, options: { consultFor?: string } = {}): string {
    const ua = this.#ua;
    if (!ua) throw new Error('the phone is not registered');
    const uri = sipTarget(target, this.#domain);
    if (!uri) throw new Error(`nothing to dial in "${target}"`);
    this.#nextLocal = { consultFor: options.consultFor, media, target };
    try {
      const session = ua.call(uri, { mediaStream: media, pcConfig: this.#rtcConfiguration, rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false } });
      return session.id;
    } finally {
      this.#nextLocal = undefined;
    }
  }

  answer(id: string, media: MediaStream): void {
    const tracked = this.#get(id);
    if (tracked.call.state !== 'incoming') return;
    tracked.media = media;
    tracked.session.answer({ mediaStream: media, pcConfig: this.#rtcConfiguration });
  }

  decline(id: string): void {
    const { session } = this.#get(id);
    if (!session.isEnded()) session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
  }

  hangup(id: string): void {
    const { session } = this.#get(id);
    if (!session.isEnded()) terminate(session);
  }

  hold(id: string): void {
    this.#get(id).session.hold();
  }

  resume(id: string): void {
    this.#get(id).session.unhold();
  }

  setMuted(id: string, muted: boolean): void {
    const { session } = this.#get(id);
    if (muted) session.mute({ audio: true });
    else session.unmute({ audio: true });
  }

  dtmf(id: string, tones: string): void {
    const clean = tones.replace(/[^0-9A-D*#]/gi, '');
    if (clean) this.#get(id).session.sendDTMF(clean, DTMF_OPTIONS);
  }

  blindTransfer(id: string, target: string): Promise<TransferOutcome> {
    const { session } = this.#get(id);
    const uri = sipTarget(target, this.#domain);
    if (!uri) return Promise.resolve({ ok: false, reason: 'no-target' });
    return this.#refer(session, uri, undefined);
  }

  consult(id: string, target: string, media: MediaStream): string {
    const tracked = this.#get(id);
    if (!tracked.call.held) tracked.session.hold();
    return this.call(target, media, { consultFor: id });
  }

  async completeTransfer(id: string, consultId: string): Promise<TransferOutcome> {
    const original = this.#get(id);
    const consultation = this.#get(consultId);
    const outcome = await this.#refer(original.session, consultation.session.remote_identity.uri.toString(), consultation.session);
    // The transfer target ends the replaced dialog itself; make sure nothing is left here.
    if (outcome.ok) setTimeout(() => !consultation.session.isEnded() && terminate(consultation.session), 5000);
    return outcome;
  }

  cancelTransfer(id: string, consultId: string): void {
    const consultation = this.#tracked.get(consultId);
    if (consultation && !consultation.session.isEnded()) terminate(consultation.session);
    const original = this.#tracked.get(id);
    if (original && !original.session.isEnded() && original.call.held) original.session.unhold();
  }

  setOutputDevice(deviceId: string): Promise<boolean> {
    return this.#audio.setSink(deviceId);
  }

  #refer(session: RTCSession, target: string, replaces: RTCSession | undefined): Promise<TransferOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (outcome: TransferOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // RFC 5589 §6: the transferor ends its dialog once the transfer succeeded.
        if (outcome.ok && !session.isEnded()) terminate(session);
        resolve(outcome);
      };
      const timer = setTimeout(() => done({ ok: false, reason: 'timeout' }), TRANSFER_WAIT_MS);
      try {
        session.refer(target, {
          replaces,
          eventHandlers: {
            requestFailed: (event: { cause?: string }) => done({ ok: false, reason: String(event?.cause ?? 'refused') }),
            accepted: () => done({ ok: true }),
            failed: (event: { status_line?: { status_code?: number; reason_phrase?: string } }) =>
              done({ ok: false, reason: event?.status_line ? `${event.status_line.status_code} ${event.status_line.reason_phrase ?? ''}`.trim() : 'failed' }),
          },
        });
      } catch (error) {
        done({ ok: false, reason: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  #adopt(event: RTCSessionEvent): void {
    const { session } = event;
    const incoming = event.originator === 'remote';
    const adoption = (incoming ? undefined : this.#nextLocal) ?? this.#adoptions.get(session) ?? {};
    const remote = session.remote_identity;
    const call: PhoneCall = {
      id: session.id,
      direction: incoming ? 'inbound' : 'outbound',
      remoteNumber: remote?.uri?.user ?? sipUser(adoption.target ?? ''),
      remoteName: remote?.display_name ?? '',
      state: incoming ? 'incoming' : 'dialing',
      ringing: false,
      held: false,
      muted: false,
      startedAt: Date.now(),
    };
    if (!incoming && adoption.target && !/^sips?:/i.test(adoption.target)) call.remoteNumber = adoption.target;
    const serverId = incoming ? headerOf(event.request) : undefined;
    if (serverId) call.serverCallId = serverId;
    if (adoption.consultFor) call.consultFor = adoption.consultFor;
    if (adoption.replaces) call.replaces = adoption.replaces;
    if (adoption.referredBy) call.referredBy = adoption.referredBy;
    const tracked: Tracked = { session, call, media: adoption.media };
    this.#tracked.set(call.id, tracked);

    const update = (change: Partial<PhoneCall>) => {
      Object.assign(call, change);
      this.#emit({ type: 'call', call: { ...call } });
    };
    const learnServerId = (message: unknown) => {
      const id = headerOf(message);
      if (id && !call.serverCallId) call.serverCallId = id;
    };
    session.on('peerconnection', ({ peerconnection }) => this.#audio.attach(call.id, peerconnection));
    if (!incoming && session.connection) this.#audio.attach(call.id, session.connection);
    session.on('progress', (progress: { response?: unknown }) => {
      learnServerId(progress?.response);
      if (!incoming) update({ ringing: true });
    });
    session.on('accepted', (accepted: { response?: unknown }) => {
      learnServerId(accepted?.response);
      update({ state: 'active', ringing: false, answeredAt: Date.now() });
    });
    const finish = (end: { originator?: string; cause?: string }) => {
      if (call.state === 'ended') return;
      this.#audio.detach(call.id);
      this.#tracked.delete(call.id);
      update({ state: 'ended', ringing: false, endedAt: Date.now(), endCause: end?.cause ?? 'Terminated', endedBy: originatorOf(end?.originator) });
    };
    session.on('ended', finish);
    session.on('failed', finish);
    session.on('hold', ({ originator }) => originator === 'local' && update({ held: true }));
    session.on('unhold', ({ originator }) => originator === 'local' && update({ held: false }));
    session.on('muted', () => update({ muted: true }));
    session.on('unmuted', () => update({ muted: false }));
    // We are the transferee: the far end asked us (REFER) to call someone else.
    session.on('refer', (refer) => {
      (refer.accept as AcceptWithInit)((next) => this.#adoptions.set(next, { referredBy: call.id, media: tracked.media }), {
        mediaStream: tracked.media,
        pcConfig: this.#rtcConfiguration,
      });
    });
    // We are the transfer target: an INVITE with Replaces takes this call's place.
    session.on('replaces', (replaces) => {
      (replaces.accept as AcceptWithInit)((next) => this.#adoptions.set(next, { replaces: call.id, media: tracked.media }));
    });

    this.#emit({ type: 'call', call: { ...call } });
    if (incoming && adoption.replaces && adoption.media) this.answer(call.id, adoption.media);
  }

  #get(id: string): Tracked {
    const tracked = this.#tracked.get(id);
    if (!tracked) throw new Error(`no call ${id}`);
    return tracked;
  }

  #setRegistration(state: RegistrationState, reason?: string): void {
    if (state === this.#registration && reason === undefined) return;
    this.#registration = state;
    this.#emit(reason === undefined ? { type: 'registration', state } : { type: 'registration', state, reason });
  }

  #emit(event: PhoneEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

/** What each call's RTCPeerConnection is created with: the server's STUN/TURN servers and policy. */
function rtcConfigurationOf(credentials: SipCredentials): RTCConfiguration {
  return { iceServers: credentials.iceServers ?? [], iceTransportPolicy: credentials.iceTransportPolicy ?? 'all' };
}

function terminate(session: RTCSession): void {
  try {
    session.terminate();
  } catch {
    // already ending
  }
}

function originatorOf(originator: string | undefined): PhoneCall['endedBy'] {
  return originator === 'local' || originator === 'remote' ? originator : 'system';
}

function headerOf(message: unknown): string | undefined {
  const withHeaders = message as { getHeader?: (name: string) => string | undefined } | null | undefined;
  const value = typeof withHeaders?.getHeader === 'function' ? withHeaders.getHeader(CALL_ID_HEADER) : undefined;
  return typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value.trim()) ? value.trim().toLowerCase() : undefined;
}
