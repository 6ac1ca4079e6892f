/**
 * /api/session: log in (POST), who am I (GET, also how the pane resumes after a reload), log out
 * (DELETE). A login from the pane (`X-Callpane-Client: pane`) also gets the session as a
 * Partitioned cookie (session-cookie.ts); the JSON answer is the same for every client.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, ApiErrorCode } from '../api/api-errors.ts';
import { parseInput } from '../api/parse-input.ts';
import { requireSession } from './session-auth.ts';
import { clearedSessionCookie, isPaneClient, PANE_CLIENT_HEADER, sessionCookie } from './session-cookie.ts';
import type { Session, SessionService } from './session-service.ts';

const LoginBody = z.object({
  /** An extension number or an e-mail address. */
  login: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});

/** The session as the pane sees it; `expiresAt` in epoch milliseconds. */
/** The typed login as the audit line keeps it: enough to recognise, bounded so nobody can flood the log. */
const AUDIT_LOGIN_CHARS = 64;

export function sessionView(session: Session): { expiresAt: number; extension: Session['user'] } {
  return { expiresAt: session.expiresAt, extension: session.user };
}

export function registerSessionRoutes(app: FastifyInstance, sessions: SessionService): void {
  app.post('/session', async (request, reply) => {
    const { login, password } = parseInput(LoginBody, request.body, 'body');
    const outcome = await sessions.login(login, password, request.ip);
    // The audit line: who tried what from where, never the password or the token.
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
    if (isPaneClient(request.headers[PANE_CLIENT_HEADER])) reply.header('set-cookie', sessionCookie(outcome.token, sessions.lifetimeMs / 1000));
    // A token is a credential: no cache may keep it (RFC 6749 §5.1 does the same for OAuth tokens).
    return reply.header('cache-control', 'no-store').send({ token: outcome.token, ...sessionView(outcome.session) });
  });

  app.get('/session', async (request, reply) => {
    return reply.header('cache-control', 'no-store').send(sessionView(requireSession(request, sessions)));
  });

  app.delete('/session', async (request, reply) => {
    sessions.logout(requireSession(request, sessions));
    return reply.code(204).header('set-cookie', clearedSessionCookie()).send();
  });
}
