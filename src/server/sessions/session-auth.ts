/**
 * Who is calling an /api route: the session of the access token in `Authorization: Bearer
 * <token>` (access-tokens.ts). A request without a usable one is answered 401 with a
 * `WWW-Authenticate: Bearer` challenge (RFC 6750 §3), naming `invalid_token` when a token was
 * presented but is not (or no longer) valid: the client then refreshes.
 *
 * The pane's cookie holds a refresh token and counts only where a refresh token does
 * (refreshTokenOf): at /api/session/refresh and the logout, and only together with
 * `X-Callpane-Client: pane`, so that no other site can ride it (session-cookie.ts).
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, ApiErrorCode } from '../api/api-errors.ts';
import { bearerToken } from './bearer-auth.ts';
import { isPaneClient, PANE_CLIENT_HEADER, sessionCookieTokens } from './session-cookie.ts';
import type { Session, SessionService } from './session-service.ts';

const REALM = 'callpane';

export function unauthorized(message: string, invalidToken: boolean): ApiError {
  return new ApiError(ApiErrorCode.UNAUTHORIZED, message, {
    'www-authenticate': invalidToken ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`,
  });
}

/** The caller's live session; throws a 401 ApiError otherwise. */
export function requireSession(request: FastifyRequest, sessions: SessionService): Session {
  const token = bearerToken(request.headers.authorization);
  if (token === undefined) throw unauthorized('log in first: send Authorization: Bearer <access token>', false);
  const session = sessions.authenticate(token);
  if (!session) throw unauthorized('the access token is invalid or has expired: refresh it or log in again', true);
  return session;
}

/**
 * The live session the first of the pane's cookies that names one stands for; undefined when the
 * request is not the pane's or no cookie names a live session.
 */
export function sessionOfPaneCookie(request: FastifyRequest, sessions: SessionService): Session | undefined {
  if (!isPaneClient(request.headers[PANE_CLIENT_HEADER])) return undefined;
  for (const refreshToken of sessionCookieTokens(request.headers.cookie)) {
    const session = sessions.sessionOfRefreshToken(refreshToken);
    if (session) return session;
  }
  return undefined;
}
