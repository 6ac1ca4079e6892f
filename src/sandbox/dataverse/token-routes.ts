/**
 * The token endpoint over HTTP: `POST /{tenant}/oauth2/v2.0/token`, the shape of Entra ID's
 * (https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token), and `POST /oauth2/v2.0/token`
 * for clients configured with the sandbox origin alone. The body is
 * `application/x-www-form-urlencoded` (RFC 6749 §4.4.2); any other body reads as empty, so it
 * fails for its missing grant_type as Entra's does. Responses are never cached (RFC 6749 §5.1).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { duplicatedParameter, EntraError } from './entra-error.ts';
import { ownOrigin } from './api-access.ts';
import type { TokenIssuer } from './token-issuer.ts';

export const TOKEN_PATH = '/oauth2/v2.0/token';
const FORM = 'application/x-www-form-urlencoded';

/** The token routes as a plugin: registered on its own, its form parser stays in its context. */
export function tokenRoutes(issuer: TokenIssuer): FastifyPluginAsync {
  return async (oauth) => {
    oauth.removeAllContentTypeParsers();
    oauth.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => done(null, body));
    oauth.addContentTypeParser('*', (_request, payload, done) => {
      payload.resume();
      payload.on('end', () => done(null, ''));
      payload.on('error', done);
    });
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      try {
        const tenant = (request.params as { tenant?: string }).tenant;
        const params = readForm(typeof request.body === 'string' ? request.body : '');
        return reply.code(200).send(issuer.issue(params, tenant, ownOrigin(request)));
      } catch (error) {
        if (error instanceof EntraError) return reply.code(error.status).send(error.toBody(new Date()));
        throw error;
      }
    };
    oauth.post(TOKEN_PATH, handler);
    oauth.post(`/:tenant${TOKEN_PATH}`, handler);
  };
}

/** Form fields; a repeated one is refused (RFC 6749 §3.2: parameters MUST NOT repeat). */
function readForm(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(params, name)) throw duplicatedParameter(name);
    params[name] = value;
  }
  return params;
}
