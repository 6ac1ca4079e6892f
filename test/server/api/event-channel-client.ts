/** A WebSocket client for the event channel tests: queued messages and the close, each awaited with a deadline. */
import WebSocket from 'ws';
import { withDeadline } from '../../support/deadline.ts';

export interface ChannelClient {
  ws: WebSocket;
  /** The next JSON message. */
  next(ms?: number): Promise<Record<string, unknown>>;
  /** Messages received and not yet taken by next(). */
  pending(): Array<Record<string, unknown>>;
  closed(ms?: number): Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
}

/** `headers` go on the handshake (Cookie, Origin), as a browser would send them. */
export async function connectChannel(url: string, headers: Record<string, string> = {}): Promise<ChannelClient> {
  const ws = new WebSocket(url, { headers });
  const queue: Array<Record<string, unknown>> = [];
  const waiters: Array<(message: Record<string, unknown>) => void> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }),
    2000,
    () => new Error(`no WebSocket connection to ${url}`),
  );
  return {
    ws,
    next(ms = 2000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return withDeadline(new Promise((resolve) => waiters.push(resolve)), ms, () => new Error('no message from the event channel'));
    },
    pending: () => queue.splice(0),
    closed: (ms = 2000) => withDeadline(closed, ms, () => new Error('the event channel did not close')),
    send(message) {
      ws.send(JSON.stringify(message));
    },
  };
}
