/**
 * The /api error contract: every error answers `{ error: { code, message } }` with a stable
 * `code` the pane branches on and a `message` for people. The codes are a wire contract, so their
 * values never change; they carry no API_ prefix, unlike the codes that stay inside the process
 * (the status and the path already say the answer comes from the API). The server maps each to
 * its HTTP status (src/server/api/api-errors.ts); the pane compares against these constants.
 */
export const ApiErrorCode = {
  INVALID_REQUEST: 'INVALID_REQUEST',
  INVALID_JSON: 'INVALID_JSON',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** No token, or one that is malformed, unknown, ended or expired. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Wrong login or password (the same answer for both). */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  TOO_MANY_ATTEMPTS: 'TOO_MANY_ATTEMPTS',
  /** A sign-in through an identity provider failed; the header X-Callpane-SSO-Error names the SSO code. */
  SSO_FAILED: 'SSO_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  /** The request contradicts what is stored, e.g. another activity for a call already logged. */
  CONFLICT: 'CONFLICT',
  /** SIP over WebSocket is not enabled on this server (sip.transports), so the pane cannot register. */
  SIP_UNAVAILABLE: 'SIP_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** The body of every /api error answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}
