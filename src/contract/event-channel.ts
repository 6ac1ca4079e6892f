/**
 * The live event channel's contract: WebSocket /api/events. The client authenticates with a first
 * message `{type:'auth', token}`; the server then sends `EventChannelMessage`s, and refuses or
 * ends the connection with a close code from EventChannelCloseCode (a browser sees a failed
 * handshake only as 1006 with no reason, so refusals are close codes the pane can act on).
 */
import type { CallEvent } from './call-event.ts';
import type { SessionUser } from './session.ts';

export const EVENT_CHANNEL_PATH = '/api/events';

/** Private-use close codes (RFC 6455 §7.4.2: 4000–4999), plus 1001 at shutdown. */
export const EventChannelCloseCode = {
  /** A message before authentication that is not `{type:'auth', token}`. */
  BAD_MESSAGE: 4400,
  /** No valid token: unknown, malformed, or the session was ended (logout). Log in again. */
  UNAUTHORIZED: 4401,
  /** The session reached its expiry while connected. Log in again. */
  SESSION_EXPIRED: 4402,
  /** No authentication within the server's auth timeout. */
  AUTH_TIMEOUT: 4408,
  /** The client reads too slowly: events piled up on the server. Reconnect. */
  TOO_SLOW: 4429,
  GOING_AWAY: 1001,
} as const;

export type EventChannelMessage = { type: 'ready'; extension: SessionUser; expiresAt: number } | { type: 'call'; event: CallEvent };
