/**
 * The JSON API under /api, in its own Fastify context so its error handler, body limit and
 * content types apply to these routes only (the sandbox and /healthz keep theirs).
 * Bodies are JSON only: Fastify's default text/plain parser is removed so that a cross-site
 * form or "simple" fetch (which may send text/plain without a CORS preflight) is refused.
 */
import type { CallRecordRepository } from '../../store/call-record-repository.ts';
import type { HttpApp } from '../http-server.ts';
import { registerSessionRoutes } from '../sessions/session-routes.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { sendApiError } from './api-errors.ts';
import { registerCallRoutes } from './call-routes.ts';

/** Enough for any JSON the pane sends (notes included); a route may ask for less. */
export const API_BODY_LIMIT = 64 * 1024;

export interface ApiDependencies {
  sessions: SessionService;
  calls: CallRecordRepository;
}

export function registerApi(app: HttpApp, dependencies: ApiDependencies): void {
  app.register(async (api) => {
    api.addHook('onRoute', (route) => {
      route.bodyLimit ??= API_BODY_LIMIT;
    });
    api.removeContentTypeParser('text/plain');
    api.setErrorHandler((error, _request, reply) => sendApiError(error, reply));
    registerSessionRoutes(api, dependencies.sessions);
    registerCallRoutes(api, dependencies.sessions, dependencies.calls);
  });
}
