/**
 * The pane's event stream against scripted sockets: it authenticates with a fresh access token,
 * and a refusal first buys a refresh and one more try (the server may have restarted and
 * forgotten its access tokens) before the session counts as over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStream } from '../../../src/widget/api/event-stream.ts';
import { itemAt } from '../../support/item-at.ts';

class ScriptedSocket extends EventTarget {
  readonly OPEN = 1;
  readyState = 0;
  readonly sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  closeWith(code: number): void {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code }));
  }
  ready(): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify({ type: 'ready', extension: { number: '1001' }, expiresAt: 1 }) }));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function stream(refreshAnswers: boolean[]) {
  const sockets: ScriptedSocket[] = [];
  const events = { over: 0, refreshes: 0, ready: 0 };
  let token = 'first';
  const channel = new EventStream({
    url: 'ws://pbx.test/api/events',
    token: async () => token,
    refresh: async () => {
      events.refreshes++;
      token = 'second';
      return refreshAnswers.shift() ?? false;
    },
    onReady: () => events.ready++,
    onCall: () => {},
    onSessionOver: () => events.over++,
    createSocket: () => {
      const socket = new ScriptedSocket();
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  });
  return { stream: channel, sockets, events };
}

test('the first message is the access token', async () => {
  const { stream: channel, sockets } = stream([]);
  channel.start();
  itemAt(sockets, 0).open();
  await settle();
  assert.deepEqual(itemAt(sockets, 0).sent, [JSON.stringify({ type: 'auth', token: 'first' })]);
  channel.stop();
});

test('a refused token is refreshed and tried once more, and the stream carries on', async () => {
  const { stream: channel, sockets, events } = stream([true]);
  channel.start();
  itemAt(sockets, 0).open();
  itemAt(sockets, 0).closeWith(4401);
  await settle();
  assert.equal(sockets.length, 2);
  itemAt(sockets, 1).open();
  await settle();
  assert.deepEqual(itemAt(sockets, 1).sent, [JSON.stringify({ type: 'auth', token: 'second' })]);
  itemAt(sockets, 1).ready();
  assert.deepEqual(events, { over: 0, refreshes: 1, ready: 1 });
  channel.stop();
});

test('the session is over when the refresh is refused, or the new token is refused too', async () => {
  const refused = stream([false]);
  refused.stream.start();
  itemAt(refused.sockets, 0).closeWith(4401);
  await settle();
  assert.deepEqual(refused.events, { over: 1, refreshes: 1, ready: 0 });
  assert.equal(refused.sockets.length, 1);

  const twice = stream([true, true]);
  twice.stream.start();
  itemAt(twice.sockets, 0).closeWith(4401);
  await settle();
  itemAt(twice.sockets, 1).closeWith(4401);
  await settle();
  assert.deepEqual(twice.events, { over: 1, refreshes: 1, ready: 0 });
});

test('an expired session ends the stream without a refresh', async () => {
  const { stream: channel, sockets, events } = stream([true]);
  channel.start();
  itemAt(sockets, 0).closeWith(4402);
  await settle();
  assert.deepEqual(events, { over: 1, refreshes: 0, ready: 0 });
});
