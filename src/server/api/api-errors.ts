/**
 * Every /api error has one JSON shape, `{ error: { code, message } }`, with a stable `code` the
 * pane branches on and a `message` for people. Fastify's own errors (bad JSON, body too large,
 * unsupported content type) are translated to the same shape by `sendApiError`.
 *
 * The codes and the body are the contract's (src/contract/api-errors.ts); this file gives each
 * code its HTTP status.
 */
import type { FastifyReply } from 'fastify';
import { ApiErrorCode, type ApiErrorBody } from '../../contract/api-errors.ts';
import { CodedError } from '../../errors/coded-error.ts';

export { ApiErrorCode, type ApiErrorBody } from '../../contract/api-errors.ts';

const STATUS: Record<ApiErrorCode, number> = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  TOO_MANY_ATTEMPTS: 429,
  SSO_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SIP_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * Thrown by route handlers; the API's error handler answers with its status and body. The one
 * class of this name: the pane's view of a failed call is ApiCallFailure (widget/api/api-client.ts).
 */
export class ApiError extends CodedError<ApiErrorCode> {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  /** Extra response headers, e.g. WWW-Authenticate or Retry-After. */
  readonly headers: Record<string, string>;

  constructor(code: ApiErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.statusCode = STATUS[code];
    this.headers = headers;
  }
}

export function errorBody(code: ApiErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/** Fastify's codes for request errors it raises before a handler runs. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ApiErrorCode.INVALID_JSON,
  FST_ERR_CTP_EMPTY_JSON_BODY: ApiErrorCode.INVALID_JSON,
  FST_ERR_CTP_BODY_TOO_LARGE: ApiErrorCode.BODY_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ApiErrorCode.INVALID_REQUEST,
};

/** The API's error handler: answers ApiErrors as they are, Fastify's in our shape, anything else as 500. */
export function sendApiError(error: unknown, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) {
    return reply.code(error.statusCode).headers(error.headers).send(errorBody(error.code, error.message));
  }
  const { code, statusCode, message } = (error ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : 'invalid request';
  const known = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
  if (known) return reply.code(STATUS[known]).send(errorBody(known, text));
  // Other client errors Fastify raises (a malformed URL, say) keep their status.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return reply.code(statusCode).send(errorBody(ApiErrorCode.INVALID_REQUEST, text));
  }
  reply.log.error({ err: error }, 'API request failed');
  // The cause stays in the log: a 500's message must not leak internals.
  return reply.code(500).send(errorBody(ApiErrorCode.INTERNAL, 'internal error'));
}
