/**
 * Who is calling the sandbox Web API, and the refusals Dataverse gives those it does not let in.
 *
 * A real Dataverse authenticates every request: the Unified Interface by its session cookie,
 * everything else by `Authorization: Bearer` with an Entra ID token for the org. The sandbox has
 * no sign-in, so it stands a browser's same-origin request in for the cookie session (the
 * sandbox's own pages, acting as the user picked in the UI), and wants a token from its token
 * endpoint (token-issuer.ts) from everyone else:
 * - a cross-site browser request is refused 403 (the pane never calls Dataverse directly; it goes
 *   through CIF), with no CORS headers;
 * - a bearer token that is unknown, expired or for another org is refused 401, even from the
 *   sandbox's own pages;
 * - a request with neither token nor the browser's same-origin markers (`Origin` of the sandbox,
 *   or `Sec-Fetch-Site: same-origin` / `none`) is a server-side caller without a token: 401.
 * Dataverse's 401 has an empty body and the challenge that names its Entra authority
 * ("WWW-Authenticate: Bearer authorization_uri=https://login.microsoftonline.com/{tenant}/oauth2/authorize,
 * resource_id=https://{org}/"), which clients such as the Dataverse ServiceClient read to find the
 * tenant. The sandbox names itself as the authority, so a client discovering it ends up at
 * `{sandbox}/{tenant}/oauth2/v2.0/token`. (It serves no /oauth2/authorize: that is for
 * interactive sign-in, which server-side writers do not use.)
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';
import type { TokenGrant, TokenIssuer } from './token-issuer.ts';

export type Caller = { kind: 'user'; userId: string } | { kind: 'application'; userId: string; grant: TokenGrant };

/** The auth-scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +(\S+) *$/i;

export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** 403 for a browser request from another site (allowedOrigins aside). */
export function refuseCrossSite(request: FastifyRequest, allowed: readonly string[]): void {
  const origin = header(request, 'origin');
  const fetchSite = header(request, 'sec-fetch-site');
  const crossOrigin =
    (origin !== undefined && origin !== ownOrigin(request) && !allowed.includes(origin)) || (origin === undefined && (fetchSite === 'cross-site' || fetchSite === 'same-site'));
  if (crossOrigin) throw new DataverseError(403, DataverseErrorCode.AccessDenied, 'Access is denied.');
}

/** The caller, or undefined when the request must be challenged (401). */
export function identifyCaller(request: FastifyRequest, tokens: TokenIssuer, currentUserId: () => string): Caller | undefined {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    const token = BEARER.exec(authorization)?.[1];
    const grant = token === undefined ? undefined : tokens.verify(token, ownOrigin(request));
    return grant ? { kind: 'application', userId: grant.userId, grant } : undefined;
  }
  const fetchSite = header(request, 'sec-fetch-site');
  const browser = header(request, 'origin') !== undefined || fetchSite === 'same-origin' || fetchSite === 'none';
  return browser ? { kind: 'user', userId: currentUserId() } : undefined;
}

/** Dataverse's 401: the Bearer challenge naming the authority and resource, and no body. */
export function challenge(request: FastifyRequest, reply: FastifyReply, tenantId: string): FastifyReply {
  const origin = ownOrigin(request);
  return reply.code(401).header('WWW-Authenticate', `Bearer authorization_uri=${origin}/${tenantId}/oauth2/authorize, resource_id=${origin}/`).send();
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
