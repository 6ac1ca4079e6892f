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
export function sessionView(session: Session): { expiresAt: number; extension: Session['user'] } {
  return { expiresAt: session.expiresAt, extension: session.user };
}

export function registerSessionRoutes(app: FastifyInstance, sessions: SessionService): void {
  app.post('/session', async (request, reply) => {
    const { login, password } = parseInput(LoginBody, request.body, 'body');
    const outcome = await sessions.login(login, password, request.ip);
    if (!outcome.ok) {
      if (outcome.reason === 'rate-limited') {
        throw new ApiError(ApiErrorCode.TOO_MANY_ATTEMPTS, 'too many failed logins from this address: try again later');
      }
      request.log.info({ address: request.ip }, 'web login refused');
      throw new ApiError(ApiErrorCode.INVALID_CREDENTIALS, 'wrong login or password');
    }
    request.log.info({ extension: outcome.session.user.number }, 'web login');
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
