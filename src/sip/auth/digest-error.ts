/**
 * Errors raised while parsing or answering Digest authentication headers (RFC 7616, RFC 3261 §22).
 * Callers branch on `code`, never on the message text.
 */
export const DigestErrorCode = {
  /** The header uses another auth scheme (Basic, Bearer…) or no scheme at all. */
  NotDigest: 'not-digest',
  /** The parameter list does not follow the auth-param grammar (RFC 7235 §2.1). */
  Malformed: 'malformed',
  /** A parameter appears twice; RFC 7235 §2.1 allows each name only once. */
  DuplicateParam: 'duplicate-param',
  /** A parameter the header cannot do without is absent (RFC 7616 §3.3, §3.4). */
  MissingParam: 'missing-param',
  /** A parameter is present but its value is not allowed (e.g. nc not 8 hex digits). */
  InvalidParam: 'invalid-param',
  /** No challenge offers an algorithm and qop this implementation can answer. */
  NoUsableChallenge: 'no-usable-challenge',
} as const;

export type DigestErrorCode = (typeof DigestErrorCode)[keyof typeof DigestErrorCode];

export class DigestError extends Error {
  readonly code: DigestErrorCode;

  constructor(code: DigestErrorCode, message: string) {
    super(message);
    this.name = 'DigestError';
    this.code = code;
  }
}
