/**
 * /api/session: log in (POST), refresh (POST /api/session/refresh), who am I (GET), log out
 * (DELETE). Every sign-in answers with a short-lived access token (`token`) and the session's
 * refresh token: to the pane (`X-Callpane-Client: pane`) only as its Partitioned HttpOnly
 * cookie (session-cookie.ts), so no script in the pane can read the long-lived secret; to any
 * other client in the JSON, as `refreshToken`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessAnswer, SessionView } from '../../contract/session.ts';
import { ApiError, ApiErrorCode } from '../api/api-errors.ts';
import { parseInput } from '../api/parse-input.ts';
import type { AccessToken } from './access-tokens.ts';
import { requireSession, sessionOfPaneCookie, unauthorized } from './session-auth.ts';
import { bearerToken } from './bearer-auth.ts';
import { clearedSessionCookie, isPaneClient, PANE_CLIENT_HEADER, sessionCookie, sessionCookieTokens } from './session-cookie.ts';
import type { Session, SessionService, SignedIn } from './session-service.ts';

const LoginBody = z.object({
  /** An extension number or an e-mail address. */
  login: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});

/** A refresh token in the body: clients other than the pane, which has it in its cookie. */
const RefreshBody = z.object({ refreshToken: z.string().min(1).max(256).optional() });

/** The typed login as the audit line keeps it: enough to recognise, bounded so nobody can flood the log. */
const AUDIT_LOGIN_CHARS = 64;

export function sessionView(session: Session): SessionView {
  return { expiresAt: session.expiresAt, extension: session.user };
}

function accessView(access: AccessToken, session: Session): AccessAnswer {
  return { token: access.token, tokenExpiresAt: access.expiresAt, ...sessionView(session) };
}

/**
 * The answer to any sign-in (password or identity provider). A token is a credential: no cache
 * may keep it (RFC 6749 §5.1 does the same for OAuth tokens).
 */
export function sendSignedIn(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn, sessions: SessionService): FastifyReply {
  reply.header('cache-control', 'no-store');
  const answer = accessView(signedIn.access, signedIn.session);
  if (isPaneClient(request.headers[PANE_CLIENT_HEADER])) {
    return reply.header('set-cookie', sessionCookie(signedIn.refreshToken, sessions.lifetimeMs / 1000)).send(answer);
  }
  return reply.send({ ...answer, refreshToken: signedIn.refreshToken });
}

/** A session cookie the pane offered (live or not). */
function hasSessionCookie(request: FastifyRequest): boolean {
  return isPaneClient(request.headers[PANE_CLIENT_HEADER]) && sessionCookieTokens(request.headers.cookie).length > 0;
}

export function registerSessionRoutes(app: FastifyInstance, sessions: SessionService): void {
  app.post('/session', async (request, reply) => {
    const { login, password } = parseInput(LoginBody, request.body, 'body');
    const outcome = await sessions.login(login, password, request.ip);
    // The audit line: who tried what from where, never the password or a token.
    const audit = { event: 'login', login: login.slice(0, AUDIT_LOGIN_CHARS), address: request.ip };
    if (!outcome.ok) {
      request.log.warn({ ...audit, outcome: 'failure', reason: outcome.reason }, 'web login refused');
      if (outcome.reason === 'address-limited' || outcome.reason === 'account-locked') {
        // Both locks get the same answer, so it does not tell whether the account exists or is under attack.
        throw new ApiError(ApiErrorCode.TOO_MANY_ATTEMPTS, 'too many failed logins: try again later', {
          'retry-after': String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))),
        });
      }
      throw new ApiError(ApiErrorCode.INVALID_CREDENTIALS, 'wrong login or password');
    }
    request.log.info({ ...audit, outcome: 'success', reason: 'password-accepted', extension: outcome.session.user.number }, 'web login');
    return sendSignedIn(request, reply, outcome, sessions);
  });

  app.post('/session/refresh', async (request, reply) => {
    const { refreshToken } = parseInput(RefreshBody, request.body, 'body');
    const session = refreshToken !== undefined ? sessions.sessionOfRefreshToken(refreshToken) : sessionOfPaneCookie(request, sessions);
    if (session) return reply.header('cache-control', 'no-store').send(accessView(sessions.accessFor(session), session));
    if (refreshToken === undefined && !hasSessionCookie(request)) {
      throw unauthorized('no session to refresh: send {"refreshToken"}, or the session cookie with X-Callpane-Client: pane', false);
    }
    const error = unauthorized('the session has ended or expired: log in again', true);
    // A dead cookie goes, so the pane stops offering it.
    throw new ApiError(error.code, error.message, { ...error.headers, 'set-cookie': clearedSessionCookie() });
  });

  app.get('/session', async (request, reply) => {
    return reply.header('cache-control', 'no-store').send(sessionView(requireSession(request, sessions)));
  });

  // With an access token, or from the pane with its cookie alone: a pane whose access token has
  // expired (or was lost to a server restart) can still end its session.
  app.delete('/session', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const session = (token === undefined ? undefined : sessions.authenticate(token)) ?? sessionOfPaneCookie(request, sessions);
    if (!session) {
      if (token !== undefined) throw unauthorized('the access token is invalid or has expired, and no session cookie names a live session', true);
      throw unauthorized('no session to end: send Authorization: Bearer <access token>, or the session cookie with X-Callpane-Client: pane', false);
    }
    sessions.logout(session);
    request.log.info({ event: 'logout', extension: session.user.number, address: request.ip }, 'web logout');
    return reply.code(204).header('set-cookie', clearedSessionCookie()).send();
  });
}
