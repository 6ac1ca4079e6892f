/**
 * The pane's side of sign-in with an identity provider, under /api:
 * - GET /api/sso/providers: the configured providers as the pane shows them (one button each).
 *   Public, like the sign-in form itself: ids and labels only, never client ids or secrets.
 * - POST /api/session/sso {handoff: secret}: claims the outcome of the popup's sign-in
 *   (sso-handoffs.ts). 202 while the popup is still at the identity provider; once it succeeded,
 *   a session starts here, in the pane's own request, so its refresh cookie lands in the pane's
 *   partition; a failure answers the popup's code and message.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SsoButton } from '../../contract/sso.ts';
import type { ExtensionRepository } from '../../store/extension-repository.ts';
import { ApiError, ApiErrorCode } from '../api/api-errors.ts';
import { parseInput } from '../api/parse-input.ts';
import { isPaneClient, PANE_CLIENT_HEADER } from '../sessions/session-cookie.ts';
import { sendSignedIn } from '../sessions/session-routes.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { HANDOFF_SHAPE, type SsoHandoffs } from './sso-handoffs.ts';

export type { SsoButton } from '../../contract/sso.ts';

export interface SsoApiDependencies {
  providers: readonly SsoButton[];
  handoffs: SsoHandoffs;
  sessions: SessionService;
  extensions: ExtensionRepository;
}

const ClaimBody = z.object({
  handoff: z.string().regex(HANDOFF_SHAPE, 'must be the 43-character secret the pane made for this sign-in'),
});

export function registerSsoApiRoutes(app: FastifyInstance, sso: SsoApiDependencies): void {
  const buttons = sso.providers.map(({ id, kind, label }) => ({ id, kind, label }));

  app.get('/sso/providers', async () => ({ providers: buttons }));

  app.post('/session/sso', async (request, reply) => {
    // The session's refresh token travels only as the pane's cookie, so only the pane may claim.
    if (!isPaneClient(request.headers[PANE_CLIENT_HEADER])) {
      throw new ApiError(ApiErrorCode.INVALID_REQUEST, 'only the pane claims sign-ins: send X-Callpane-Client: pane');
    }
    const { handoff } = parseInput(ClaimBody, request.body, 'body');
    const outcome = sso.handoffs.claim(handoff);
    if (outcome === undefined) throw new ApiError(ApiErrorCode.NOT_FOUND, 'no sign-in is waiting for this pane: it expired or was already used; sign in again');
    if (outcome.status === 'pending') return reply.code(202).send({ status: 'pending' });
    if (outcome.status === 'failed') throw new ApiError(ApiErrorCode.SSO_FAILED, outcome.message, { 'x-callpane-sso-error': outcome.code });
    const extension = sso.extensions.get(outcome.extension);
    if (!extension) throw new ApiError(ApiErrorCode.SSO_FAILED, 'the extension was removed during the sign-in', { 'x-callpane-sso-error': 'SSO_NO_EXTENSION' });
    const signedIn = sso.sessions.startFor(extension);
    // The popup's line (sso-routes.ts) said who signed in; this one says where the session went.
    request.log.info({ event: 'session', method: 'sso', extension: extension.number, address: request.ip }, 'sso session claimed by the pane');
    return sendSignedIn(request, reply, signedIn, sso.sessions);
  });
}
