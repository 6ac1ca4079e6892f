/**
 * Every code the server-side Dataverse path's errors carry (src/dynamics/), in one place (the
 * model is Fastify's lib/errors.js). Callers branch on these and on `retryable`, never on the
 * message text; the values appear in logs, in parked journal entries and in `callpane dynamics`
 * output. Other parts of the layer append their codes here.
 */

/** Why a Web API request or the token behind it failed (WebApiError, web-api/web-api-error.ts). */
export const WebApiErrorCode = {
  /** Dataverse refused the request (a 4xx the caller did not accept): retrying the same request cannot help. */
  REFUSED: 'DYNAMICS_WEB_API_REFUSED',
  /** Still 401 with a freshly issued token: the application user is missing, disabled or in another org. */
  UNAUTHORIZED: 'DYNAMICS_WEB_API_UNAUTHORIZED',
  /** Still 429 after the attempts allowed, or a Retry-After longer than the client waits: try later. */
  THROTTLED: 'DYNAMICS_WEB_API_THROTTLED',
  /** 5xx, timeouts or connection errors on every attempt: try later. */
  UNAVAILABLE: 'DYNAMICS_WEB_API_UNAVAILABLE',
  /** A path outside the org's Web API (a foreign nextLink, `../`): never sent, so no token leaves for another host. */
  PATH_REFUSED: 'DYNAMICS_WEB_API_PATH_REFUSED',
  /** The client was closed (Callpane is stopping): the request was not sent or not finished. */
  CLOSED: 'DYNAMICS_WEB_API_CLOSED',
  /** Entra ID refused the client credentials (wrong secret, unknown app, certificate not registered …). */
  TOKEN_REFUSED: 'DYNAMICS_TOKEN_REFUSED',
  /** Entra ID could not be reached or failed: try later. */
  TOKEN_UNAVAILABLE: 'DYNAMICS_TOKEN_UNAVAILABLE',
} as const;

export type WebApiErrorCode = (typeof WebApiErrorCode)[keyof typeof WebApiErrorCode];

/** Why the phone index could not sync a table (PhoneIndexError, phone-index/phone-index-error.ts). */
export const PhoneIndexErrorCode = {
  /** A page of a sync was not an OData collection of rows: the table is tried again next cycle. */
  BAD_PAGE: 'DYNAMICS_PHONE_INDEX_BAD_PAGE',
} as const;

export type PhoneIndexErrorCode = (typeof PhoneIndexErrorCode)[keyof typeof PhoneIndexErrorCode];
