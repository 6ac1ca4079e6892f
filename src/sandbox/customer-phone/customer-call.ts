/**
 * One call from the customer phone: a JsSIP user agent that does not register (a carrier calls
 * in, it is never called), connects to Callpane's /sip over WebSocket (RFC 7118), and sends an
 * INVITE to the company's DID with the customer's number as the From user: the trunk's
 * credentials answer Callpane's 407 (docs/pbx-trunks.md: a trunk may present any From,
 * which is the caller's number), so the call arrives as an inbound call from outside.
 */
import { UA, WebSocketInterface, debug as jssipDebug } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { CustomerPhoneSetup } from './customer-phone-config.ts';

export type CallStatus = 'connecting' | 'calling' | 'ringing' | 'answered' | 'ended' | 'failed';

export interface CallUpdate {
  status: CallStatus;
  /** Why it ended or failed (JsSIP's cause, e.g. "Busy", "Rejected"). */
  cause?: string;
}

/** Digits of a number as a SIP user part: a leading + kept, every separator dropped. */
export function callerIdUser(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits === '' ? '' : number.trim().startsWith('+') ? `+${digits}` : digits;
}

export class CustomerCall {
  readonly #ua: UA;
  readonly #media: MediaStream;
  readonly #audio: HTMLAudioElement;
  readonly #finish: (update: CallUpdate) => void;
  #session: RTCSession | undefined;
  #over = false;

  /** Starts calling at once; `onUpdate` hears every change until 'ended' or 'failed'. */
  constructor(setup: CustomerPhoneSetup, from: { user: string; name: string }, media: MediaStream, onUpdate: (update: CallUpdate) => void) {
    jssipDebug.disable();
    this.#media = media;
    this.#audio = new Audio();
    this.#audio.autoplay = true;
    const finish = (update: CallUpdate) => {
      if (this.#over) return;
      this.#over = true;
      onUpdate(update);
      this.#release();
    };
    this.#finish = finish;
    this.#ua = new UA({
      sockets: [new WebSocketInterface(setup.wsUrl)],
      uri: `sip:${setup.username}@${setup.domain}`,
      authorization_user: setup.username,
      password: setup.password,
      register: false,
      session_timers: false,
      user_agent: 'Callpane customer phone',
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    onUpdate({ status: 'connecting' });
    this.#ua.once('connected', () => {
      if (this.#over) return;
      const session = this.#ua.call(`sip:${setup.did}@${setup.domain}`, {
        mediaStream: media,
        fromUserName: from.user,
        fromDisplayName: from.name || undefined,
        rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
      });
      this.#session = session;
      onUpdate({ status: 'calling' });
      session.connection.addEventListener('track', (event) => {
        this.#audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      });
      session.on('progress', () => !this.#over && onUpdate({ status: 'ringing' }));
      session.on('confirmed', () => !this.#over && onUpdate({ status: 'answered' }));
      session.on('ended', (event) => finish({ status: 'ended', cause: String(event.cause ?? '') }));
      session.on('failed', (event) => finish({ status: 'failed', cause: String(event.cause ?? '') }));
    });
    this.#ua.on('disconnected', () => {
      if (!this.#session) finish({ status: 'failed', cause: 'Callpane could not be reached over WebSocket' });
    });
    this.#ua.start();
  }

  /** Hangs up, cancels or gives up, whatever the call's state. */
  hangUp(): void {
    const session = this.#session;
    if (session && !session.isEnded()) session.terminate();
    else this.#finish({ status: 'ended', cause: 'Canceled' });
  }

  #release(): void {
    for (const track of this.#media.getTracks()) track.stop();
    this.#audio.srcObject = null;
    this.#ua.stop();
  }
}
