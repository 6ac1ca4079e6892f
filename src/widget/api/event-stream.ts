/**
 * The live event channel, WebSocket /api/events: the server's facts about the agent's calls
 * (its call id, direction, parties, disposition). The server accepts the session cookie on the
 * handshake (same origin only); when a sign-in token is in memory it is also sent as the first
 * message, which the server ignores once the cookie has authenticated the socket.
 * Reconnects with backoff; the close codes 4401/4402 mean the session is over, so no retry.
 */
import type { CallEvent, EventChannelMessage, SessionExtension } from './api-types.ts';

export const EVENT_CHANNEL_PATH = '/api/events';
/** The server's close codes (src/server/api/event-channel.ts, RFC 6455 §7.4.2 private range). */
const UNAUTHORIZED = 4401;
const SESSION_EXPIRED = 4402;
const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

export interface EventStreamOptions {
  /** `ws(s)://host/api/events` for this page. */
  url: string;
  token: () => string | undefined;
  onReady: (extension: SessionExtension) => void;
  onCall: (event: CallEvent) => void;
  /** The session ended or expired: sign in again. */
  onSessionOver: () => void;
  onConnectionChange?: (connected: boolean) => void;
  createSocket?: (url: string) => WebSocket;
}

export function eventChannelUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${EVENT_CHANNEL_PATH}`;
}

export class EventStream {
  readonly #options: EventStreamOptions;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;

  constructor(options: EventStreamOptions) {
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, 'signed out');
  }

  #connect(): void {
    const create = this.#options.createSocket ?? ((url: string) => new WebSocket(url));
    let socket: WebSocket;
    try {
      socket = create(this.#options.url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      const token = this.#options.token();
      if (token !== undefined) socket.send(JSON.stringify({ type: 'auth', token }));
    });
    socket.addEventListener('message', (event) => {
      const message = parseMessage(event.data);
      if (!message) return;
      if (message.type === 'ready') {
        this.#attempt = 0;
        this.#options.onConnectionChange?.(true);
        this.#options.onReady(message.extension);
      } else {
        this.#options.onCall(message.event);
      }
    });
    socket.addEventListener('close', (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#options.onConnectionChange?.(false);
      if (this.#stopped) return;
      if (event.code === UNAUTHORIZED || event.code === SESSION_EXPIRED) {
        this.#stopped = true;
        this.#options.onSessionOver();
        return;
      }
      this.#scheduleRetry();
    });
  }

  #scheduleRetry(): void {
    const delay = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)];
    this.#attempt++;
    this.#retry = setTimeout(() => {
      if (!this.#stopped) this.#connect();
    }, delay);
  }
}

function parseMessage(data: unknown): EventChannelMessage | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const message = JSON.parse(data) as Partial<EventChannelMessage> | null;
    if (message?.type === 'ready' && typeof message.extension === 'object') return message as EventChannelMessage;
    if (message?.type === 'call' && typeof message.event === 'object' && typeof message.event?.callId === 'string') return message as EventChannelMessage;
  } catch {
    // not JSON: ignored
  }
  return undefined;
}
