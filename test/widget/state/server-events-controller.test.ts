import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiResult } from '../../../src/widget/api/api-client.ts';
import type { CallEvent, SessionView } from '../../../src/widget/api/api-types.ts';
import type { EventStreamOptions } from '../../../src/widget/api/event-stream.ts';
import { ServerEventsController } from '../../../src/widget/state/server-events-controller.ts';
import { failed, fakeEnvironment, ok, SESSION } from '../support/pane-fakes.ts';

function setup(refresh: ApiResult<SessionView> = ok(SESSION)) {
  const { env } = fakeEnvironment();
  const streams: Array<{ options: EventStreamOptions; log: string[] }> = [];
  const done: string[] = [];
  const events = new ServerEventsController({
    env,
    api: { freshToken: async () => 'token-1', refresh: async () => refresh },
    onReady: () => void done.push('ready'),
    onCall: (event) => void done.push(`call ${event.callId}`),
    onSessionOver: () => void done.push('session over'),
    openStream: (options) => {
      const stream = { options, log: [] as string[] };
      streams.push(stream);
      return { start: () => void stream.log.push('start'), stop: () => void stream.log.push('stop') };
    },
  });
  return { events, streams, done };
}

describe('server events controller', () => {
  test('the channel opens on this page’s host, over wss when the page is https, with a fresh token', async () => {
    const { events, streams } = setup();
    events.start();
    assert.equal(streams[0]?.options.url, 'wss://pane.test/api/events');
    assert.deepEqual(streams[0]?.log, ['start']);
    assert.equal(await streams[0]?.options.token(), 'token-1');
  });

  test('its calls, reconnects and end of session reach the pane', () => {
    const { events, streams, done } = setup();
    events.start();
    const options = streams[0]?.options;
    options?.onReady(SESSION.extension);
    options?.onCall({ callId: 'c1' } as CallEvent);
    options?.onSessionOver();
    assert.deepEqual(done, ['ready', 'call c1', 'session over']);
  });

  test('only the server’s refusal of the session ends the channel; a network failure is retried', async () => {
    const refused = setup(failed(401, 'UNAUTHORIZED'));
    refused.events.start();
    assert.equal(await refused.streams[0]?.options.refresh(), false);
    const offline = setup(failed(0, 'NETWORK'));
    offline.events.start();
    assert.equal(await offline.streams[0]?.options.refresh(), true);
    const fine = setup();
    fine.events.start();
    assert.equal(await fine.streams[0]?.options.refresh(), true);
  });

  test('a new sign-in replaces the channel and signing out closes it', () => {
    const { events, streams } = setup();
    events.start();
    events.start();
    events.stop();
    events.stop();
    assert.deepEqual(
      streams.map((stream) => stream.log),
      [
        ['start', 'stop'],
        ['start', 'stop'],
      ],
    );
  });
});
