/**
 * The pane's live event channel: a WebSocket at /api/events on the HTTP server that pushes the
 * logged-in agent's call events as JSON. It claims upgrade requests for its own path only and
 * leaves every other (SIP over WebSocket at /sip) to its owner.
 *
 * Authentication uses an access token of the web-login session (access-tokens.ts), in one of
 * two ways:
 * - `?token=` in the URL: browsers cannot set an Authorization header on a WebSocket
 *   (the WebSocket API has no way to), so the query is how a page can send it at connect time;
 * - or a first message `{"type":"auth","token":"…"}` within AUTH_TIMEOUT_MS, which keeps the token
 *   out of URLs (and so out of proxy logs). The pane does this.
 * Cookies count for nothing here: the session cookie holds a refresh token, and a browser
 * attaches it to handshakes any site starts (cross-site WebSocket hijacking). Once connected, the
 * socket lives as long as its session (not its access token), and closes when the session ends.
 *
 * Server → client messages (`EventChannelMessage`): `{type:'ready', extension, expiresAt}` once
 * authenticated, then `{type:'call', event}` for each CallEvent of the agent's extension.
 * A bad token, an expired or ended session closes the socket with a code from
 * EventChannelCloseCode: a browser sees a failed handshake only as 1006 with no reason, so the
 * upgrade is always accepted and the refusal given as a close code the pane can act on.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { CallBus, Unsubscribe } from '../../pbx/calls/call-bus.ts';
import { claimUpgradePath } from '../http-server.ts';
import type { Session, SessionService } from '../sessions/session-service.ts';
import { upgradeUrl } from '../../net/upgrade-url.ts';
import { EVENT_CHANNEL_PATH, EventChannelCloseCode, type EventChannelMessage } from '../../contract/event-channel.ts';

export { EVENT_CHANNEL_PATH, EventChannelCloseCode, type EventChannelMessage } from '../../contract/event-channel.ts';

export const AUTH_TIMEOUT_MS = 10_000;
const DEFAULT_PING_INTERVAL_MS = 30_000;
/** The auth message is all a client sends; anything bigger is not one. */
const MAX_CLIENT_MESSAGE = 4096;
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** setTimeout's longest delay (2^31 − 1 ms); later expiries are caught by the periodic check. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const SHUTDOWN_GRACE_MS = 1000;

export interface EventChannelLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface EventChannelOptions {
  server: Server;
  bus: CallBus;
  sessions: SessionService;
  logger?: EventChannelLogger;
  authTimeoutMs?: number;
  /** Keep-alive ping and session re-check interval. */
  pingIntervalMs?: number;
  now?: () => number;
}

interface Connection {
  ws: WebSocket;
  alive: boolean;
  session?: Session;
  unsubscribe?: Unsubscribe;
  timer?: NodeJS.Timeout;
}

export class EventChannel {
  readonly #options: EventChannelOptions;
  readonly #now: () => number;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE });
  readonly #connections = new Set<Connection>();
  /** Nothing thrown while one upgrade is handled may reach the process: that socket is closed. */
  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      this.#upgrade(req, socket, head);
    } catch (err) {
      this.#options.logger?.error({ err }, 'event channel upgrade failed');
      socket.destroy();
    }
  };
  #pinger: NodeJS.Timeout | undefined;
  #stopListening: (() => void) | undefined;

  constructor(options: EventChannelOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#pinger) throw new Error('event channel: already started');
    this.#options.server.on('upgrade', this.#onUpgrade);
    claimUpgradePath(this.#options.server, EVENT_CHANNEL_PATH);
    this.#stopListening = this.#options.sessions.onSessionEnded((sessionId) => {
      for (const connection of this.#connections) {
        if (connection.session?.id === sessionId) connection.ws.close(EventChannelCloseCode.UNAUTHORIZED, 'session ended');
      }
    });
    this.#pinger = setInterval(() => this.#check(), this.#options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
    this.#pinger.unref();
  }

  /** Open sockets, authenticated or not. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  async close(): Promise<void> {
    this.#options.server.off('upgrade', this.#onUpgrade);
    clearInterval(this.#pinger);
    this.#stopListening?.();
    const closed = [...this.#connections].map(
      ({ ws }) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(EventChannelCloseCode.GOING_AWAY, 'server shutting down');
        }),
    );
    // A peer that never answers the closing handshake must not hold up the HTTP server's close.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (grace = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
    clearTimeout(grace);
    for (const { ws } of this.#connections) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = upgradeUrl(req);
    if (url?.pathname !== EVENT_CHANNEL_PATH) return;
    const token = url.searchParams.get('token');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#adopt(ws, token));
  }

  #adopt(ws: WebSocket, token: string | null): void {
    const connection: Connection = { ws, alive: true };
    this.#connections.add(connection);
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('error', (err) => this.#options.logger?.debug({ err }, 'event channel connection error'));
    ws.on('close', () => {
      this.#connections.delete(connection);
      connection.unsubscribe?.();
      clearTimeout(connection.timer);
    });
    if (token !== null) {
      this.#authenticate(connection, this.#options.sessions.authenticate(token));
      return;
    }
    connection.timer = setTimeout(() => ws.close(EventChannelCloseCode.AUTH_TIMEOUT, 'no auth message in time'), this.#options.authTimeoutMs ?? AUTH_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => {
      if (connection.session) return;
      const token = isBinary ? undefined : authToken(data);
      if (token === undefined) ws.close(EventChannelCloseCode.BAD_MESSAGE, 'expected {"type":"auth","token":"…"}');
      else this.#authenticate(connection, this.#options.sessions.authenticate(token));
    });
  }

  #authenticate(connection: Connection, session: Session | undefined): void {
    const { ws } = connection;
    clearTimeout(connection.timer);
    // Already closing (an auth message right after a timeout): nothing to set up.
    if (ws.readyState !== ws.OPEN) return;
    if (!session) {
      ws.close(EventChannelCloseCode.UNAUTHORIZED, 'invalid or expired token');
      return;
    }
    connection.session = session;
    connection.unsubscribe = this.#options.bus.subscribeExtension(session.user.number, (event) => this.#send(connection, { type: 'call', event }));
    const untilExpiry = Math.max(0, session.expiresAt - this.#now());
    if (untilExpiry <= MAX_TIMER_MS) {
      connection.timer = setTimeout(() => ws.close(EventChannelCloseCode.SESSION_EXPIRED, 'session expired'), untilExpiry);
    }
    this.#options.logger?.info({ extension: session.user.number }, 'event channel connected');
    this.#send(connection, { type: 'ready', extension: session.user, expiresAt: session.expiresAt });
  }

  #send(connection: Connection, message: EventChannelMessage): void {
    const { ws } = connection;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(EventChannelCloseCode.TOO_SLOW, 'events not read fast enough');
      return;
    }
    ws.send(JSON.stringify(message));
  }

  /** Drops peers that missed the last ping and sockets whose session was ended elsewhere. */
  #check(): void {
    for (const connection of this.#connections) {
      const { ws, session } = connection;
      if (!connection.alive) {
        ws.terminate();
        continue;
      }
      if (session && !this.#options.sessions.isActive(session.id)) {
        const expired = session.expiresAt <= this.#now();
        ws.close(expired ? EventChannelCloseCode.SESSION_EXPIRED : EventChannelCloseCode.UNAUTHORIZED, expired ? 'session expired' : 'session ended');
        continue;
      }
      connection.alive = false;
      ws.ping();
    }
  }
}

/** The token of an `{type:'auth', token}` message; undefined for anything else. */
function authToken(data: RawData): string | undefined {
  try {
    const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
    const message: unknown = JSON.parse(text);
    if (typeof message !== 'object' || message === null) return undefined;
    const { type, token } = message as { type?: unknown; token?: unknown };
    return type === 'auth' && typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}
