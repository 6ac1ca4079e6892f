/**
 * What the PBX asks of a media relay: to anchor a call's media, translating between the media
 * profiles of its legs (a browser's ICE + DTLS-SRTP, a phone's or carrier's plain RTP). The PBX
 * hands over SDP bodies and SIP dialog identifiers and gets back SDP that names the relay; it
 * never learns which engine answers. rtpengine (rtpengine-relay.ts) is the implementation.
 *
 * The identifiers follow rtpengine's ng protocol, which follows SIP: a call is its Call-ID, a
 * side of it the tag of the party that sent the SDP (`fromTag`), the other side `toTag`, and a
 * forked INVITE's branches are told apart by `viaBranch` (one media session per branch).
 */
import { CodedError } from '../errors/coded-error.ts';
import type { MediaRelayErrorCode } from './media-errors.ts';

/**
 * How a leg carries media:
 * - `webrtc`: UDP/TLS/RTP/SAVPF with ICE and DTLS-SRTP, rtcp-mux (browsers, the pane)
 * - `rtp`: RTP/AVP, no ICE, no encryption (desk phones, softphones, most carriers)
 * - `srtp`: RTP/SAVP with SDES keys (RFC 4568), no ICE (carriers that ask for it)
 */
export type MediaProfile = 'webrtc' | 'rtp' | 'srtp';

export const MEDIA_PROFILES: readonly MediaProfile[] = ['webrtc', 'rtp', 'srtp'];

export interface MediaOffer {
  callId: string;
  /** The tag of the party whose SDP this is (the From tag of an initial INVITE). */
  fromTag: string;
  /** Set on re-offers inside a dialog (re-INVITE, UPDATE), where the other tag is known. */
  toTag?: string;
  /** Tells the branches of a forked INVITE apart: each gets its own media session. */
  viaBranch?: string;
  sdp: Buffer;
  /** The profile of the party that sent `sdp`. */
  from: MediaProfile;
  /** The profile of the party that will receive the rewritten SDP. */
  to: MediaProfile;
}

export interface MediaAnswer {
  callId: string;
  /** The tag of the party that made the offer this answers. */
  fromTag: string;
  /** The tag of the party whose answer this is. */
  toTag: string;
  viaBranch?: string;
  sdp: Buffer;
  from: MediaProfile;
  to: MediaProfile;
}

/** What the relay measured of one direction of one stream, as far as it could be known. */
export interface MediaLegStats {
  /** The party (SIP tag) whose media this is, as the relay received it. */
  tag: string;
  packets: number;
  bytes: number;
  /** Packets lost, as counted by the relay or reported in RTCP. */
  packetsLost?: number;
  /** Interarrival jitter in milliseconds (RFC 3550 §6.4.1), when known. */
  jitterMs?: number;
  /** Mean opinion score 1.0–5.0, when the relay could compute one (it needs RTCP). */
  mos?: number;
}

export interface MediaCallStats {
  legs: MediaLegStats[];
}

export interface MediaRelay {
  /** Rewrites an offer for its recipient; rejects with MediaRelayError. */
  offer(offer: MediaOffer): Promise<Buffer>;
  /** Rewrites an answer for the party that made the offer; rejects with MediaRelayError. */
  answer(answer: MediaAnswer): Promise<Buffer>;
  /** What the relay measured so far for a call (before `delete`, which may forget it). */
  query(callId: string): Promise<MediaCallStats | undefined>;
  /**
   * Ends media for a call, or only for one branch of it (`viaBranch`) or one side (`fromTag`).
   * Deleting what is already gone resolves.
   */
  delete(target: { callId: string; fromTag?: string; toTag?: string; viaBranch?: string }): Promise<void>;
}

/** Why a MediaRelay call failed; the codes are listed in media-errors.ts. */
export class MediaRelayError extends CodedError<MediaRelayErrorCode> {
  override readonly name = 'MediaRelayError';
}
