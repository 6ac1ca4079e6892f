/**
 * The server's live events for the signed-in agent (event-stream.ts): opened with the session,
 * closed with it; its calls go to the call controller, its reconnects to the log catch-up.
 */
import type { ApiClient } from '../api/api-client.ts';
import type { CallEvent } from '../api/api-types.ts';
import { EventStream, eventChannelUrl, type EventStreamOptions } from '../api/event-stream.ts';
import type { PaneEnvironment } from './pane-environment.ts';

export interface ServerEventsControllerOptions {
  env: Pick<PaneEnvironment, 'location'>;
  api: Pick<ApiClient, 'freshToken' | 'refresh'>;
  /** (Re)connected: calls that ended while the channel was down may still lack their log. */
  onReady(): void;
  onCall(event: CallEvent): void;
  onSessionOver(): void;
  /** The stream itself (a stand-in in tests). */
  openStream?: (options: EventStreamOptions) => Pick<EventStream, 'start' | 'stop'>;
}

export class ServerEventsController {
  readonly #o: ServerEventsControllerOptions;
  #stream: Pick<EventStream, 'start' | 'stop'> | undefined;

  constructor(options: ServerEventsControllerOptions) {
    this.#o = options;
  }

  start(): void {
    const { env, api } = this.#o;
    this.#stream?.stop();
    const open = this.#o.openStream ?? ((options) => new EventStream(options));
    this.#stream = open({
      url: eventChannelUrl(env.location),
      token: () => api.freshToken(),
      // Only the server's "no" ends the session; a network failure is retried like any other.
      refresh: async () => {
        const refreshed = await api.refresh();
        return refreshed.ok || refreshed.error.status !== 401;
      },
      onReady: () => this.#o.onReady(),
      onCall: (event) => this.#o.onCall(event),
      onSessionOver: () => this.#o.onSessionOver(),
    });
    this.#stream.start();
  }

  stop(): void {
    this.#stream?.stop();
    this.#stream = undefined;
  }
}
