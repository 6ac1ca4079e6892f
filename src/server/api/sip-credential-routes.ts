/**
 * GET /api/sip/credentials: what the pane's SIP user agent (JsSIP) registers with — the caller's
 * own extension over SIP over WebSocket (RFC 7118) at this server. The password is a short-lived
 * pane credential (src/security/pane-credentials.ts), never the extension's own SIP secret, bound
 * to the session that asked for it: it expires no later than that session, and the registrar
 * refuses it as soon as the session ends earlier (logout, revocation). A pane whose session ends
 * must log in again anyway, and then gets a new one. It goes only to a session of that very
 * extension, is never logged, and no cache may keep it. The ICE servers (STUN, and TURN with a
 * credential as short-lived, src/security/turn-credentials.ts) come with it and are renewed with it.
 */
import { isIPv6 } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { PaneCredentials } from '../../security/pane-credentials.ts';
import type { PaneIceServers } from '../../security/turn-credentials.ts';
import type { ExtensionRepository } from '../../store/extension-repository.ts';
import { requireSession } from '../sessions/session-auth.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { SipCredentials } from '../../contract/sip-credentials.ts';
import { ApiError, ApiErrorCode } from './api-errors.ts';
import type { SiteOrigin } from './site-origin.ts';

export interface SipCredentialSettings {
  /** config.sip.domain: the SIP domain and digest realm. */
  domain: string;
  /** config.sip.wsPath. */
  wsPath: string;
  /** Whether `ws` is among config.sip.transports. */
  webSocket: boolean;
  /** Issues the short-lived credentials (the server secret in the data directory). */
  paneCredentials: PaneCredentials;
  /** config.media.ice: STUN and TURN for the pane's peer connections; none when absent. */
  ice?: PaneIceServers;
}

export type { SipCredentials } from '../../contract/sip-credentials.ts';

export function registerSipCredentialRoutes(app: FastifyInstance, sessions: SessionService, extensions: ExtensionRepository, site: SiteOrigin, sip: SipCredentialSettings): void {
  // RFC 3986 §3.2.2: an IPv6 address goes in brackets in a URI.
  const domain = isIPv6(sip.domain) ? `[${sip.domain}]` : sip.domain;

  app.get('/sip/credentials', async (request, reply) => {
    const session = requireSession(request, sessions);
    if (!sip.webSocket) throw new ApiError(ApiErrorCode.SIP_UNAVAILABLE, 'SIP over WebSocket is off on this server (add ws to sip.transports)');
    const webSocketOrigin = site.webSocketOriginFor(request.headers.host);
    if (webSocketOrigin === undefined) throw new ApiError(ApiErrorCode.INVALID_REQUEST, 'the Host header is missing or malformed');
    const extension = extensions.get(session.user.number);
    if (!extension) throw new ApiError(ApiErrorCode.UNAUTHORIZED, 'the extension no longer exists: log in again');
    const pane = sip.paneCredentials.issue(extension.number, session);
    const credentials: SipCredentials = {
      wsUrl: `${webSocketOrigin}${sip.wsPath}`,
      uri: `sip:${extension.number}@${domain}`,
      authorizationUser: pane.authorizationUser,
      password: pane.password,
      expiresAt: new Date(pane.expiresAt).toISOString(),
      expiresInSeconds: Math.floor(pane.expiresInMs / 1000),
      displayName: extension.displayName,
      registrarServer: `sip:${domain}`,
      iceServers: sip.ice?.for(extension.number, session.expiresAt) ?? [],
      iceTransportPolicy: sip.ice?.transportPolicy ?? 'all',
    };
    return reply.header('cache-control', 'no-store').send(credentials);
  });
}
