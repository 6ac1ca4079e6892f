/**
 * Bearer tokens on API requests (RFC 6750 §2.1): `Authorization: Bearer <token>`. A request
 * without a usable token is answered 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750
 * §3), naming `invalid_token` when a token was presented but is not (or no longer) valid.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, ApiErrorCode } from '../api/api-errors.ts';
import type { Session, SessionService } from './session-service.ts';

const REALM = 'callpane';
/** The auth-scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +(\S+) *$/i;

export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

/** The caller's live session; throws a 401 ApiError otherwise. */
export function requireSession(request: FastifyRequest, sessions: SessionService): Session {
  const token = bearerToken(request.headers.authorization);
  if (token === undefined) {
    throw new ApiError(ApiErrorCode.UNAUTHORIZED, 'log in first: send Authorization: Bearer <token>', {
      'www-authenticate': `Bearer realm="${REALM}"`,
    });
  }
  const session = sessions.authenticate(token);
  if (!session) {
    throw new ApiError(ApiErrorCode.UNAUTHORIZED, 'the session token is invalid or has expired: log in again', {
      'www-authenticate': `Bearer realm="${REALM}", error="invalid_token"`,
    });
  }
  return session;
}
