/**
 * Every code the media layer's errors carry, in one place (the model is Fastify's lib/errors.js).
 * Callers branch on these, never on the message text. The MEDIA_RELAY_ codes are part of the
 * MediaRelay contract (media-relay.ts): the PBX reports them in its relay-failure metrics and logs.
 */

/** Why a MediaRelay call failed (MediaRelayError). */
export const MediaRelayErrorCode = {
  /** No engine is running or reachable: media cannot be anchored now. */
  UNAVAILABLE: 'MEDIA_RELAY_UNAVAILABLE',
  /** The engine refused the SDP (unparseable, or nothing it can relay). */
  REFUSED: 'MEDIA_RELAY_REFUSED',
  /** The engine did not answer in time. */
  TIMEOUT: 'MEDIA_RELAY_TIMEOUT',
} as const;

export type MediaRelayErrorCode = (typeof MediaRelayErrorCode)[keyof typeof MediaRelayErrorCode];

/** Why an rtpengine ng control request failed (ng-client.ts, bencode.ts). */
export const NgErrorCode = {
  /** rtpengine answered `result: error` or `load limit` (NgError). */
  REFUSED: 'NG_REFUSED',
  /** No reply after the first send and every retransmission (NgTimeoutError). */
  TIMEOUT: 'NG_TIMEOUT',
  /** The request could not be carried: client closed, nothing listening, too many pending, bad reply (NgUnavailableError). */
  UNAVAILABLE: 'NG_UNAVAILABLE',
  /** A value bencode cannot carry, or bytes that are not one bencoded value (BencodeError). */
  BENCODE_INVALID: 'NG_BENCODE_INVALID',
} as const;

export type NgErrorCode = (typeof NgErrorCode)[keyof typeof NgErrorCode];
