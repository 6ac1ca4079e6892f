import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { ApiClient } from '../../../src/widget/api/api-client.ts';
import { defaultSettings } from '../../../src/widget/api/api-types.ts';
import type { EventStreamOptions } from '../../../src/widget/api/event-stream.ts';
import { createPane, type Pane } from '../../../src/widget/state/pane.ts';
import { CREDENTIALS, FakeEngine, fakeEnvironment, SESSION, settle } from '../support/pane-fakes.ts';

/** The server's answers by "METHOD path"; anything else is a 404. */
function fakeServer(routes: Record<string, unknown>) {
  const requests: string[] = [];
  const fetch = async (path: string, init: RequestInit) => {
    const key = `${init.method} ${path.replace(/\?.*/, '')}`;
    requests.push(key);
    if (!(key in routes)) return Response.json({ error: { code: 'NOT_FOUND', message: key } }, { status: 404 });
    const body = routes[key];
    return body === undefined ? new Response(null, { status: 204 }) : Response.json(body);
  };
  return { api: new ApiClient(fetch), requests };
}

/** Panes a test left signed in: their credential renewal timer is stopped after it. */
const running: Pane[] = [];
afterEach(async () => {
  for (const pane of running.splice(0)) await pane.registration.stop();
});

const LOGIN = { token: 'access-1', tokenExpiresAt: Date.now() + 600_000, ...SESSION };

function startPane() {
  const server = fakeServer({
    'POST /api/session/refresh': LOGIN,
    'GET /api/sso/providers': { providers: [] },
    'GET /api/settings': { ...defaultSettings(), language: 'zh-CN' },
    'GET /api/sip/credentials': CREDENTIALS,
    'GET /api/calls': { calls: [], nextCursor: null },
    'DELETE /api/session': undefined,
  });
  const engine = new FakeEngine();
  const environment = fakeEnvironment();
  const streams: Array<{ options: EventStreamOptions; log: string[] }> = [];
  const openStream = (options: EventStreamOptions) => {
    const stream = { options, log: [] as string[] };
    streams.push(stream);
    return { start: () => void stream.log.push('start'), stop: () => void stream.log.push('stop') };
  };
  const pane = createPane({ base: 'https://org.crm.dynamics.com', defaultRegion: 'US', version: 'test' }, environment.env, { api: server.api, engine, openStream });
  pane.start();
  running.push(pane);
  return { pane, engine, streams, server, ...environment };
}

describe('the pane, composed', () => {
  test('a session kept in the cookie signs in, applies the settings, opens the event channel and registers the phone', async () => {
    const { pane, engine, streams, document, cif } = startPane();
    await settle();
    const state = pane.store.state;
    assert.equal(state.boot, 'signed-in');
    assert.equal(state.language, 'zh-CN');
    assert.equal(document.language, 'zh-CN');
    assert.deepEqual(
      streams.map((stream) => stream.log),
      [['start']],
    );
    assert.equal(state.role, 'holder');
    assert.deepEqual(engine.actions, ['register 1001']);
    assert.equal(cif.loads[0]?.base, 'https://org.crm.dynamics.com');
  });

  test('signing out closes the event channel, unregisters the phone and ends the session on the server', async () => {
    const { pane, engine, streams, server } = startPane();
    await settle();
    await pane.session.signOut();
    assert.equal(pane.store.state.boot, 'signed-out');
    assert.deepEqual(streams[0]?.log, ['start', 'stop']);
    assert.equal(engine.actions.at(-1), 'unregister');
    assert.ok(server.requests.includes('DELETE /api/session'));
  });

  test('the event channel’s end of session signs the pane out and says why', async () => {
    const { pane, streams } = startPane();
    await settle();
    streams[0]?.options.onSessionOver();
    await settle();
    assert.equal(pane.store.state.boot, 'signed-out');
    assert.deepEqual(pane.store.state.notice, { kind: 'info', key: 'sessionEnded' });
  });

  test('a page that goes away unregisters, so another tab can take the registration over', async () => {
    const { engine, page } = startPane();
    await settle();
    assert.equal(page.hide.length, 1);
    for (const listener of page.hide) listener();
    assert.equal(engine.actions.at(-1), 'unregister');
  });
});
