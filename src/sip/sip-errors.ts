/**
 * Every code the SIP core's errors carry, in one place (the model is Fastify's lib/errors.js).
 * Callers branch on these, never on the message text; the values are SCREAMING_SNAKE with the
 * family's prefix and appear in logs and drop reports.
 */

/** Why a SIP message failed to parse (SipParseError); the values appear in logs and drop reports. */
export const SipParseErrorCode = {
  /** Request-Line or Status-Line does not follow RFC 3261 §7.1 / §7.2 (spacing, method token, status code). */
  BAD_START_LINE: 'SIP_PARSE_BAD_START_LINE',
  /** A SIP-Version other than SIP/2.0 (RFC 3261 §8.2.6 → 505 Version Not Supported). */
  BAD_VERSION: 'SIP_PARSE_BAD_VERSION',
  /** A header line or a header value that breaks its grammar (RFC 3261 §7.3, §20). */
  BAD_HEADER: 'SIP_PARSE_BAD_HEADER',
  /** Content-Length missing its number, negative, conflicting, or larger than the body (RFC 3261 §18.3, §20.14). */
  CONTENT_LENGTH: 'SIP_PARSE_CONTENT_LENGTH',
  /** A URI that breaks RFC 3261 §19.1 / §25.1 or RFC 3966. */
  BAD_URI: 'SIP_PARSE_BAD_URI',
  /** name-addr / addr-spec structure errors (RFC 3261 §20.10): display name, <>, header parameters. */
  BAD_NAME_ADDR: 'SIP_PARSE_BAD_NAME_ADDR',
  /** A Via value that breaks RFC 3261 §20.42. */
  BAD_VIA: 'SIP_PARSE_BAD_VIA',
  /** A CSeq value that breaks RFC 3261 §20.16 (sequence number above 2^32-1 included). */
  BAD_CSEQ: 'SIP_PARSE_BAD_CSEQ',
  /** A header RFC 3261 §8.1.1 requires is absent. */
  MISSING_HEADER: 'SIP_PARSE_MISSING_HEADER',
  /** A header that may appear only once appears again (RFC 3261 §7.3.1). */
  DUPLICATE_HEADER: 'SIP_PARSE_DUPLICATE_HEADER',
  /** The CSeq method differs from the Request-Line method (RFC 3261 §8.1.1.5). */
  METHOD_MISMATCH: 'SIP_PARSE_METHOD_MISMATCH',
  /** The message exceeds the configured maximum size. */
  TOO_LARGE: 'SIP_PARSE_TOO_LARGE',
} as const;

export type SipParseErrorCode = (typeof SipParseErrorCode)[keyof typeof SipParseErrorCode];

/** Why a Digest authentication header could not be parsed or answered (RFC 7616, RFC 3261 §22). */
export const DigestErrorCode = {
  /** The header uses another auth scheme (Basic, Bearer…) or no scheme at all. */
  WRONG_SCHEME: 'DIGEST_WRONG_SCHEME',
  /** The parameter list does not follow the auth-param grammar (RFC 7235 §2.1). */
  MALFORMED: 'DIGEST_MALFORMED',
  /** A parameter appears twice; RFC 7235 §2.1 allows each name only once. */
  DUPLICATE_PARAM: 'DIGEST_DUPLICATE_PARAM',
  /** A parameter the header cannot do without is absent (RFC 7616 §3.3, §3.4). */
  MISSING_PARAM: 'DIGEST_MISSING_PARAM',
  /** A parameter is present but its value is not allowed (e.g. nc not 8 hex digits). */
  INVALID_PARAM: 'DIGEST_INVALID_PARAM',
  /** No challenge offers an algorithm and qop this implementation can answer. */
  NO_USABLE_CHALLENGE: 'DIGEST_NO_USABLE_CHALLENGE',
} as const;

export type DigestErrorCode = (typeof DigestErrorCode)[keyof typeof DigestErrorCode];

/** Why the transport layer could not carry a message (FlowClosedError, FramingError). */
export const SipTransportErrorCode = {
  /** The flow a send named is gone: its connection closed. */
  FLOW_CLOSED: 'SIP_TRANSPORT_FLOW_CLOSED',
  /** A stream's bytes can no longer be cut into messages (RFC 3261 §18.3); the connection is closed. */
  UNFRAMEABLE: 'SIP_TRANSPORT_UNFRAMEABLE',
} as const;

export type SipTransportErrorCode = (typeof SipTransportErrorCode)[keyof typeof SipTransportErrorCode];

/** A transaction state machine was asked for a transition its table does not allow: a bug in the caller. */
export const SipTransactionErrorCode = {
  TRANSITION_NOT_ALLOWED: 'SIP_TRANSACTION_TRANSITION_NOT_ALLOWED',
} as const;

export type SipTransactionErrorCode = (typeof SipTransactionErrorCode)[keyof typeof SipTransactionErrorCode];
