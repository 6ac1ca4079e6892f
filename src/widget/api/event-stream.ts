/**
 * The live event channel, WebSocket /api/events: the server's facts about the agent's calls
 * (its call id, direction, parties, disposition). Authenticated by a fresh access token sent as
 * the first message (never in the URL, so never in a proxy's log). Reconnects with backoff.
 * A refused token (4401) may only be one the server forgot when it restarted: the stream asks for
 * a refresh and tries once more; a second refusal, or an expired session (4402), ends it.
 */
import { EVENT_CHANNEL_PATH, EventChannelCloseCode } from '../../contract/event-channel.ts';
import type { CallEvent, EventChannelMessage, SessionExtension } from './api-types.ts';

const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

export interface EventStreamOptions {
  /** `ws(s)://host/api/events` for this page. */
  url: string;
  /** A live access token (refreshed when needed); undefined when signed out. */
  token: () => Promise<string | undefined>;
  /** A new access token from the session; false when the session is over. */
  refresh: () => Promise<boolean>;
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
  /** A refresh was tried after a refusal, and no connection has been accepted since. */
  #refreshedAfterRefusal = false;

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
      void this.#options.token().then((token) => {
        if (token !== undefined && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'auth', token }));
      });
    });
    socket.addEventListener('message', (event) => {
      const message = parseMessage(event.data);
      if (!message) return;
      if (message.type === 'ready') {
        this.#attempt = 0;
        this.#refreshedAfterRefusal = false;
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
      if (event.code === EventChannelCloseCode.UNAUTHORIZED && !this.#refreshedAfterRefusal) {
        this.#refreshedAfterRefusal = true;
        void this.#options.refresh().then((refreshed) => {
          if (this.#stopped) return;
          if (refreshed) this.#connect();
          else this.#sessionOver();
        });
        return;
      }
      if (event.code === EventChannelCloseCode.UNAUTHORIZED || event.code === EventChannelCloseCode.SESSION_EXPIRED) {
        this.#sessionOver();
        return;
      }
      this.#scheduleRetry();
    });
  }

  #sessionOver(): void {
    this.#stopped = true;
    this.#options.onSessionOver();
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
