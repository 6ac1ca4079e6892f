/**
 * Who is calling an /api route: the session named by `Authorization: Bearer <token>`, or else by
 * the pane's session cookie — the latter only together with `X-Callpane-Client: pane`, so that
 * no other site can ride the cookie (session-cookie.ts). A request without a usable session is
 * answered 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3), naming
 * `invalid_token` when a token was presented but is not (or no longer) valid.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, ApiErrorCode } from '../api/api-errors.ts';
import { bearerToken } from './bearer-auth.ts';
import { isPaneClient, PANE_CLIENT_HEADER, sessionCookieTokens } from './session-cookie.ts';
import type { Session, SessionService } from './session-service.ts';

const REALM = 'callpane';

function unauthorized(message: string, invalidToken: boolean): ApiError {
  return new ApiError(ApiErrorCode.UNAUTHORIZED, message, {
    'www-authenticate': invalidToken ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`,
  });
}

/** The first live session among cookie values; undefined when none is. */
export function sessionOfCookies(tokens: readonly string[], sessions: SessionService): Session | undefined {
  for (const token of tokens) {
    const session = sessions.authenticate(token);
    if (session) return session;
  }
  return undefined;
}

/** The caller's live session; throws a 401 ApiError otherwise. */
export function requireSession(request: FastifyRequest, sessions: SessionService): Session {
  const token = bearerToken(request.headers.authorization);
  if (token !== undefined) {
    const session = sessions.authenticate(token);
    if (!session) throw unauthorized('the session token is invalid or has expired: log in again', true);
    return session;
  }
  const cookies = sessionCookieTokens(request.headers.cookie);
  if (cookies.length === 0) throw unauthorized('log in first: send Authorization: Bearer <token>', false);
  if (!isPaneClient(request.headers[PANE_CLIENT_HEADER])) {
    throw unauthorized('the session cookie counts only with the header X-Callpane-Client: pane', false);
  }
  const session = sessionOfCookies(cookies, sessions);
  if (!session) throw unauthorized('the session has ended or expired: log in again', true);
  return session;
}
