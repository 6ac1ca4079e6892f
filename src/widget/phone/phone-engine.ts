/**
 * What the pane asks of a phone, whatever carries the calls: JsSIP in the browser today
 * (phone/jssip-engine.ts), a desk phone driven by server call control later.
 * Calls are known by the engine's own ids; the server's call id arrives over /api/events and is
 * matched to them elsewhere (state/call-correlation.ts).
 */
import type { SipCredentials } from '../api/api-types.ts';

export type RegistrationState = 'unregistered' | 'connecting' | 'registered' | 'failed';

export type PhoneCallState =
  /** Inbound, not answered yet. */
  | 'incoming'
  /** Outbound, no answer yet (trying or ringing at the far end). */
  | 'dialing'
  | 'active'
  | 'ended';

export interface PhoneCall {
  id: string;
  direction: 'inbound' | 'outbound';
  /** The far end's number (a SIP URI's user part, or the target dialled). */
  remoteNumber: string;
  remoteName: string;
  state: PhoneCallState;
  /** The far end is ringing (180/183 received). */
  ringing: boolean;
  /** Put on hold from here. */
  held: boolean;
  muted: boolean;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  /** Why it ended, in JsSIP's words (e.g. "Busy", "Canceled", "Rejected", "Terminated"). */
  endCause?: string;
  /** Who ended it. */
  endedBy?: 'local' | 'remote' | 'system';
  /** The server's call id when the PBX states it in an `X-Callpane-Call-Id` header. */
  serverCallId?: string;
  /** For a consultation call (attended transfer): the call waiting on hold. */
  consultFor?: string;
  /** Set on a call that replaced another here (we were the transfer target). */
  replaces?: string;
  /** Set when this call is a transfer we accepted (we were the transferee). */
  referredBy?: string;
}

export type TransferOutcome = { ok: true } | { ok: false; reason: string };

export type PhoneEvent = { type: 'registration'; state: RegistrationState; reason?: string } | { type: 'call'; call: PhoneCall };

export interface PhoneEngine {
  readonly registration: RegistrationState;
  calls(): PhoneCall[];
  register(credentials: SipCredentials): void;
  /**
   * New credentials for the same extension (the old ones expire): used from the next
   * authentication on, and at once to register again when a registration had failed.
   */
  renewCredentials(credentials: SipCredentials): void;
  /** Unregisters and closes the connection (best effort, bounded in time). */
  unregister(): Promise<void>;
  /** Places a call; `media` is the microphone stream. Returns the call's id. */
  call(target: string, media: MediaStream, options?: { consultFor?: string }): string;
  answer(id: string, media: MediaStream): void;
  decline(id: string): void;
  hangup(id: string): void;
  hold(id: string): void;
  resume(id: string): void;
  setMuted(id: string, muted: boolean): void;
  dtmf(id: string, tones: string): void;
  blindTransfer(id: string, target: string): Promise<TransferOutcome>;
  /** Attended transfer, step 1: holds `id` and calls `target`; returns the consultation call's id. */
  consult(id: string, target: string, media: MediaStream): string;
  /** Step 2: connects the held party with the consulted one and leaves both calls. */
  completeTransfer(id: string, consultId: string): Promise<TransferOutcome>;
  /** Or: ends the consultation and takes the held call back. */
  cancelTransfer(id: string, consultId: string): void;
  /** Sends the far end's audio to this output device ('' = default); false when the browser cannot. */
  setOutputDevice(deviceId: string): Promise<boolean>;
  on(listener: (event: PhoneEvent) => void): () => void;
}
