/**
 * The JSON API under /api, in its own Fastify context so its error handler, not-found handler,
 * body limit and content types apply to these routes only (the pane pages, the sandbox and
 * /healthz keep theirs).
 * Bodies are JSON only: Fastify's default text/plain parser is removed so that a cross-site
 * form or "simple" fetch (which may send text/plain without a CORS preflight) is refused.
 * Answers are personal (sessions, calls, settings, SIP credentials): no cache keeps them.
 */
import type { CallRecordRepository } from '../../store/call-record-repository.ts';
import type { ExtensionRepository } from '../../store/extension-repository.ts';
import type { SettingsRepository } from '../../store/settings-repository.ts';
import type { HttpApp } from '../http-server.ts';
import { registerSessionRoutes } from '../sessions/session-routes.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { registerSsoApiRoutes, type SsoButton } from '../sso/sso-api-routes.ts';
import type { SsoHandoffs } from '../sso/sso-handoffs.ts';
import { ApiErrorCode, errorBody, sendApiError } from './api-errors.ts';
import { registerCallRoutes } from './call-routes.ts';
import { registerPhoneRoutes, type PhoneIndexLookup } from './phone-routes.ts';
import { registerSettingsRoutes } from './settings-routes.ts';
import { registerSipCredentialRoutes, type SipCredentialSettings } from './sip-credential-routes.ts';
import type { SiteOrigin } from './site-origin.ts';

export const API_PREFIX = '/api';
/** Enough for any JSON the pane sends (notes included); a route may ask for less, or more (settings). */
export const API_BODY_LIMIT = 64 * 1024;

export interface ApiDependencies {
  sessions: SessionService;
  calls: CallRecordRepository;
  extensions: ExtensionRepository;
  settings: SettingsRepository;
  site: SiteOrigin;
  sip: SipCredentialSettings;
  sso: { providers: readonly SsoButton[]; handoffs: SsoHandoffs };
  /** The server's phone index, when Callpane syncs one from Dynamics (POST /api/phone/lookup answers from it). */
  phoneIndex?: PhoneIndexLookup;
}

export function registerApi(app: HttpApp, dependencies: ApiDependencies): void {
  app.register(
    async (api) => {
      api.addHook('onRoute', (route) => {
        route.bodyLimit ??= API_BODY_LIMIT;
      });
      api.addHook('onSend', async (_request, reply) => {
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
        reply.header('x-content-type-options', 'nosniff');
      });
      api.removeContentTypeParser('text/plain');
      api.setErrorHandler((error, _request, reply) => sendApiError(error, reply));
      api.setNotFoundHandler((request, reply) =>
        reply.code(404).send(errorBody(ApiErrorCode.NOT_FOUND, `no route ${request.method} ${request.url.replace(/\?.*$/s, '').slice(0, 200)}`)),
      );
      registerSessionRoutes(api, dependencies.sessions);
      registerSsoApiRoutes(api, { ...dependencies.sso, sessions: dependencies.sessions, extensions: dependencies.extensions });
      registerCallRoutes(api, dependencies.sessions, dependencies.calls);
      registerSettingsRoutes(api, dependencies.sessions, dependencies.settings);
      registerPhoneRoutes(api, dependencies.sessions, undefined, dependencies.phoneIndex);
      registerSipCredentialRoutes(api, dependencies.sessions, dependencies.extensions, dependencies.site, dependencies.sip);
    },
    { prefix: API_PREFIX },
  );
}
