import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import type { CallEvent } from '../../../src/pbx/calls/call-event.ts';
import { EVENT_CHANNEL_PATH, EventChannelCloseCode } from '../../../src/server/api/event-channel.ts';
import { delay, withDeadline } from '../../support/deadline.ts';
import { createApiFixture, type ApiFixture } from './api-fixture.ts';
import { connectChannel } from './event-channel-client.ts';
import { claimUpgradePath } from '../../../src/server/http-server.ts';

function ringing(callId: string, extensions: string[]): CallEvent {
  return {
    type: 'ringing',
    callId,
    direction: 'internal',
    from: { number: '1002', displayName: 'Bob', extension: '1002' },
    to: { number: '1001', displayName: 'Alice', extension: '1001' },
    extensions,
    at: 1_700_000_000_000,
  };
}

describe('event channel', () => {
  let api: ApiFixture;
  let base: string;
  let alice: string;
  let bob: string;

  beforeEach(async () => {
    api = await createApiFixture();
    alice = await api.login('1001');
    bob = await api.login('1002');
    base = `${await api.listen({ authTimeoutMs: 300 })}${EVENT_CHANNEL_PATH}`;
  });
  afterEach(() => api.close());

  test('with the token in the query, an agent gets ready and then only their own call events', async () => {
    const client = await connectChannel(`${base}?token=${alice}`);
    const ready = await client.next();
    assert.deepEqual(ready.extension, { number: '1001', displayName: 'Alice', email: 'alice@example.com' });
    assert.equal(ready.type, 'ready');
    assert.equal(typeof ready.expiresAt, 'number');

    api.bus.publish(ringing('for-bob', ['1002']));
    api.bus.publish(ringing('for-alice', ['1001']));
    api.bus.publish(ringing('for-both', ['1002', '1001']));
    assert.deepEqual(await client.next(), { type: 'call', event: ringing('for-alice', ['1001']) });
    assert.deepEqual(await client.next(), { type: 'call', event: ringing('for-both', ['1002', '1001']) });
    await delay(50);
    assert.deepEqual(client.pending(), []);
    client.ws.close();
  });

  test('an auth message as the first message works like the query token', async () => {
    const client = await connectChannel(base);
    client.send({ type: 'auth', token: bob });
    assert.equal((await client.next()).type, 'ready');
    api.bus.publish(ringing('for-alice', ['1001']));
    api.bus.publish(ringing('for-bob', ['1002']));
    const message = await client.next();
    assert.equal((message.event as CallEvent).callId, 'for-bob');
    client.ws.close();
  });

  test('a bad token in the query or in the auth message closes with UNAUTHORIZED', async () => {
    for (const token of ['nonsense', 'A'.repeat(43), '']) {
      const viaQuery = await connectChannel(`${base}?token=${encodeURIComponent(token)}`);
      assert.deepEqual(await viaQuery.closed(), { code: EventChannelCloseCode.UNAUTHORIZED, reason: 'invalid or expired token' });
      const viaMessage = await connectChannel(base);
      viaMessage.send({ type: 'auth', token });
      assert.equal((await viaMessage.closed()).code, EventChannelCloseCode.UNAUTHORIZED);
    }
    assert.equal(api.bus.listenerCount, 0);
  });

  test('a first message that is not an auth message closes with BAD_MESSAGE', async () => {
    for (const message of ['hello', JSON.stringify({ type: 'subscribe', extension: '1002' }), JSON.stringify({ type: 'auth', token: 42 })]) {
      const client = await connectChannel(base);
      client.ws.send(message);
      assert.equal((await client.closed()).code, EventChannelCloseCode.BAD_MESSAGE, message);
    }
  });

  test('no authentication in time closes with AUTH_TIMEOUT', async () => {
    const client = await connectChannel(base);
    assert.equal((await client.closed()).code, EventChannelCloseCode.AUTH_TIMEOUT);
  });

  test("logging out closes the agent's sockets and no more events arrive", async () => {
    const client = await connectChannel(`${base}?token=${alice}`);
    await client.next();
    const other = await connectChannel(`${base}?token=${bob}`);
    await other.next();
    const logout = await api.http.app.inject({ method: 'DELETE', url: '/api/session', headers: { authorization: `Bearer ${alice}` } });
    assert.equal(logout.statusCode, 204);
    assert.deepEqual(await client.closed(), { code: EventChannelCloseCode.UNAUTHORIZED, reason: 'session ended' });
    api.bus.publish(ringing('after', ['1001', '1002']));
    assert.equal(((await other.next()).event as CallEvent).callId, 'after', 'the other agent stays connected');
    other.ws.close();
  });

  test('closing the channel closes its sockets with 1001', async () => {
    const client = await connectChannel(`${base}?token=${alice}`);
    await client.next();
    const channel = api.channel;
    assert.ok(channel);
    await channel.close();
    assert.equal((await client.closed()).code, EventChannelCloseCode.GOING_AWAY);
    assert.equal(channel.connectionCount, 0);
    api.channel = undefined;
  });

  test('upgrades for other paths are left to their owner', async () => {
    const other = new WebSocketServer({ noServer: true });
    claimUpgradePath(api.http.server, '/sip');
    api.http.server.on('upgrade', (req, socket, head) => {
      if (req.url === '/sip') other.handleUpgrade(req, socket, head, (ws) => ws.send('owned by /sip'));
    });
    const ws = new WebSocket(`${base.replace(EVENT_CHANNEL_PATH, '/sip')}`);
    const first = await withDeadline(new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data)))), 2000, () => new Error('no message on /sip'));
    assert.equal(first, 'owned by /sip');
    assert.equal(api.channel?.connectionCount, 0);
    ws.terminate();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });
});

describe('event channel session checks', () => {
  let api: ApiFixture;
  afterEach(() => api.close());

  test('a session that expires while connected closes with SESSION_EXPIRED', async () => {
    api = await createApiFixture({ sessions: { lifetimeMs: 300 } });
    const token = await api.login('1001');
    const base = `${await api.listen()}${EVENT_CHANNEL_PATH}`;
    const client = await connectChannel(`${base}?token=${token}`);
    assert.equal((await client.next()).type, 'ready');
    assert.deepEqual(await client.closed(), { code: EventChannelCloseCode.SESSION_EXPIRED, reason: 'session expired' });
  });

  test("a session removed behind the channel's back is noticed at the next check", async () => {
    api = await createApiFixture();
    const token = await api.login('1001');
    const base = `${await api.listen({ pingIntervalMs: 100 })}${EVENT_CHANNEL_PATH}`;
    const client = await connectChannel(`${base}?token=${token}`);
    await client.next();
    api.db.prepare('DELETE FROM sessions').run();
    assert.deepEqual(await client.closed(), { code: EventChannelCloseCode.UNAUTHORIZED, reason: 'session ended' });
  });
});
