import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocket as WsClient, type ClientOptions } from 'ws';
import { clientAddressOf, type Flow } from '../../../src/sip/transport/flow.ts';
import { CONNECTION_LIMIT, NO_REQUEST, WebSocketTransport, type WebSocketTransportOptions } from '../../../src/sip/transport/websocket-transport.ts';
import type { FramingError } from '../../../src/sip/transport/stream-framer.ts';
import type { DropReport, InboundMessage } from '../../../src/sip/transport/transport.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { next, rawRequest, record, selfSignedCertificate, until } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: Partial<WebSocketTransportOptions> = {}): Promise<{ transport: WebSocketTransport; url: string; server: Server }> {
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const transport = new WebSocketTransport({ server, ...options });
  await transport.listen();
  cleanups.push(() => transport.close());
  return { transport, server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sip` };
}

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, 'sip');
  cleanups.push(() => ws.close());
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('WebSocket failed to open')), { once: true });
  });
  return ws;
}

/** A `ws` client for the cases a browser WebSocket cannot observe (HTTP status, no pong). */
function wsClient(url: string, protocol?: string, options: ClientOptions = {}): WsClient {
  const client = protocol === undefined ? new WsClient(url, options) : new WsClient(url, protocol, options);
  // A refused handshake ends in an error event once terminated; the tests assert on the response.
  client.on('error', () => {});
  cleanups.push(() => client.terminate());
  return client;
}

/** An open `ws` client and the flow the transport gave it (learnt from a first request). */
async function connected(transport: WebSocketTransport, url: string, options: ClientOptions = {}): Promise<{ client: WsClient; flow: Flow }> {
  const client = wsClient(url, 'sip', options);
  await next(client, 'open');
  const arrived = next<[InboundMessage]>(transport, 'message');
  client.send(rawRequest());
  const [{ flow }] = await arrived;
  return { client, flow };
}

function nextFrame(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.addEventListener('message', (event) => resolve(String(event.data)), { once: true }));
}

describe('WebSocketTransport', () => {
  test('accepts the sip subprotocol and exchanges messages both ways', async () => {
    const { transport, url } = await start();
    const ws = await open(url);
    assert.equal(ws.protocol, 'sip');
    const arrived = next<[InboundMessage]>(transport, 'message');
    const request = rawRequest({ via: 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws' });
    ws.send(request);
    const [{ data, flow }] = await arrived;
    assert.equal(data.toString(), request);
    assert.equal(flow.transport, 'WS');
    assert.equal(flow.reliable, true);
    assert.equal(flow.remote.address, '127.0.0.1');
    const reply = nextFrame(ws);
    await transport.send(flow, Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
    assert.equal(await reply, 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
  });

  test('refuses a handshake without the sip subprotocol with HTTP 400', async () => {
    const { url } = await start();
    const client = wsClient(url);
    const [, response] = await next<[unknown, { statusCode: number }]>(client, 'unexpected-response');
    assert.equal(response.statusCode, 400);
  });

  test("leaves upgrades for other paths to the server's other handlers", async () => {
    const { url, server } = await start();
    server.on('upgrade', (req, socket) => {
      if (req.url === '/other') socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
    const client = wsClient(url.replace('/sip', '/other'), 'sip');
    const [, response] = await next<[unknown, { statusCode: number }]>(client, 'unexpected-response');
    assert.equal(response.statusCode, 404);
  });

  test('announces the flow closed when the client closes the socket', async () => {
    const { transport, url } = await start();
    const ws = await open(url);
    const arrived = next<[InboundMessage]>(transport, 'message');
    ws.send(rawRequest());
    const [{ flow }] = await arrived;
    const closed = next<[string]>(transport, 'flowClosed');
    ws.close();
    assert.deepEqual(await closed, [flow.id]);
    await assert.rejects(transport.send(flow, Buffer.from('x')), { name: 'FlowClosedError' });
  });

  test('answers a frame whose Content-Length contradicts it instead of delivering it', async () => {
    const errors: FramingError[] = [];
    const { transport, url } = await start({
      answerFramingError: (error) => {
        errors.push(error);
        return Buffer.from('SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      },
    });
    const messages = record<InboundMessage>(transport, 'message');
    const ws = await open(url);
    const reply = nextFrame(ws);
    ws.send(rawRequest({ body: 'hello' }).replace('Content-Length: 5', 'Content-Length: 9'));
    assert.equal(await reply, 'SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    assert.equal(errors.length, 1);
    assert.match(itemAt(errors, 0).message, /does not match/);
    ws.send(rawRequest());
    await until(() => messages.length === 1);
  });

  test('delivers a message sent in a binary frame', async () => {
    const { transport, url } = await start();
    const ws = await open(url);
    const arrived = next<[InboundMessage]>(transport, 'message');
    ws.send(new TextEncoder().encode(rawRequest()));
    const [{ data }] = await arrived;
    assert.equal(data.toString(), rawRequest());
  });

  test('answers a CRLF keep-alive ping with a CRLF pong', async () => {
    const { transport, url } = await start();
    const messages = record<InboundMessage>(transport, 'message');
    const ws = await open(url);
    const reply = nextFrame(ws);
    ws.send('\r\n\r\n');
    assert.equal(await reply, '\r\n');
    assert.equal(messages.length, 0);
  });

  test('closes a connection whose frame exceeds the maximum size', async () => {
    const { transport, url } = await start({ maxMessageSize: 1024 });
    const ws = await open(url);
    const closed = next<[string]>(transport, 'flowClosed');
    ws.send(rawRequest({ body: 'x'.repeat(2048) }));
    const [flowId] = await closed;
    assert.match(flowId, /^ws:/);
  });

  test('cuts off a peer that stops answering WebSocket pings', async () => {
    const { transport, url } = await start({ pingIntervalMs: 50 });
    const client = wsClient(url, 'sip', { autoPong: false });
    await next(client, 'open');
    const [flowId] = await next<[string]>(transport, 'flowClosed');
    assert.match(flowId, /^ws:127\.0\.0\.1:\d+>127\.0\.0\.1:\d+#\d+$/);
  });

  test('reports WSS flows when attached to an HTTPS server', async () => {
    const { cert, key } = selfSignedCertificate();
    const server = createHttpsServer({ cert, key });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const transport = new WebSocketTransport({ server });
    await transport.listen();
    cleanups.push(() => transport.close());
    assert.equal(transport.protocol, 'WSS');
    const client = new WsClient(`wss://127.0.0.1:${(server.address() as AddressInfo).port}/sip`, 'sip', { ca: cert });
    cleanups.push(() => client.terminate());
    await next(client, 'open');
    const arrived = next<[InboundMessage]>(transport, 'message');
    client.send(rawRequest({ via: 'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKwss' }));
    const [{ flow }] = await arrived;
    assert.equal(flow.transport, 'WSS');
    assert.match(flow.id, /^wss:/);
  });

  test('closes a connection that sends no SIP request within the first-request deadline', async () => {
    const clock = new FakeClock();
    const { transport, url } = await start({ timers: clock, firstRequestTimeoutMs: 5000 });
    const drops = record<DropReport>(transport, 'dropped');
    const client = wsClient(url, 'sip');
    await next(client, 'open');
    clock.advance(4999);
    const closed = next<[number, Buffer]>(client, 'close');
    clock.advance(1);
    const [code, reason] = await closed;
    assert.equal(code, 1008);
    assert.equal(reason.toString(), 'no SIP request in time');
    assert.deepEqual(
      drops.map((drop) => drop.reason),
      [NO_REQUEST],
    );
  });

  test('keeps a connection open past the deadline once the transport layer confirmed a SIP request on it', async () => {
    const clock = new FakeClock();
    const { transport, url } = await start({ timers: clock, firstRequestTimeoutMs: 5000 });
    const { client, flow } = await connected(transport, url);
    transport.confirmFlow(flow.id);
    clock.advance(10_000);
    const reply = next<[Buffer]>(client, 'message');
    await transport.send(flow, Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
    assert.match(String((await reply)[0]), /^SIP\/2\.0 200 OK/);
    assert.equal(client.readyState, WsClient.OPEN);
  });

  test('refuses the connection past the per-client limit with HTTP 503, and accepts one from another address', async () => {
    const { transport, url } = await start({ maxConnectionsPerClient: 2 });
    const drops = record<DropReport>(transport, 'dropped');
    await connected(transport, url);
    const { client: second } = await connected(transport, url);
    const third = wsClient(url, 'sip');
    const [, response] = await next<[unknown, { statusCode: number }]>(third, 'unexpected-response');
    assert.equal(response.statusCode, 503);
    assert.deepEqual(
      drops.map((drop) => drop.reason),
      [CONNECTION_LIMIT],
    );
    assert.match(itemAt(drops, 0).detail ?? '', /^127\.0\.0\.1 already holds 2 connections/);

    const { flow } = await connected(transport, url, { localAddress: '127.0.0.2' });
    assert.equal(flow.remote.address, '127.0.0.2');

    const closed = next(transport, 'flowClosed');
    second.close();
    await closed;
    const { flow: again } = await connected(transport, url);
    assert.equal(again.remote.address, '127.0.0.1', 'a closed connection frees its place');
  });

  test('takes the client address from X-Forwarded-For when the peer is a trusted proxy', async () => {
    const { transport, url } = await start({ trustedProxies: (address) => address === '127.0.0.1' });
    const { flow } = await connected(transport, url, { headers: { 'X-Forwarded-For': '198.51.100.66, 203.0.113.7' } });
    assert.equal(flow.clientAddress, '203.0.113.7');
    assert.equal(clientAddressOf(flow), '203.0.113.7');
    assert.equal(flow.remote.address, '127.0.0.1', 'responses still go to the proxy');
  });

  test('ignores X-Forwarded-For from a peer that is no trusted proxy', async () => {
    const { transport, url } = await start({ trustedProxies: (address) => address === '10.0.0.1' });
    const { flow } = await connected(transport, url, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    assert.equal(flow.clientAddress, undefined);
    assert.equal(clientAddressOf(flow), '127.0.0.1');
  });

  test('counts the per-client limit by the address a trusted proxy reports', async () => {
    const { transport, url } = await start({ maxConnectionsPerClient: 1, trustedProxies: (address) => address === '127.0.0.1' });
    await connected(transport, url, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    await connected(transport, url, { headers: { 'X-Forwarded-For': '203.0.113.8' } });
    const refused = wsClient(url, 'sip', { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    const [, response] = await next<[unknown, { statusCode: number }]>(refused, 'unexpected-response');
    assert.equal(response.statusCode, 503);
  });

  test('spreads the keep-alive pings over the interval instead of pinging every connection at once', async () => {
    const clock = new FakeClock();
    // 1 s → 10 ticks of 100 ms; 40 connections → 4 pings a tick.
    const { transport, url } = await start({ timers: clock, pingIntervalMs: 1000 });
    const clients = await Promise.all(Array.from({ length: 40 }, () => connected(transport, url)));
    const pings = clients.map(({ client }) => {
      const seen = { pings: 0, markers: 0 };
      client.on('ping', () => seen.pings++);
      client.on('message', () => seen.markers++);
      return seen;
    });
    const perTick: number[] = [];
    for (let tick = 1; tick <= 10; tick++) {
      const before = pings.reduce((sum, seen) => sum + seen.pings, 0);
      clock.advance(100);
      // A frame sent after the tick arrives after that tick's pings: same socket, same order.
      await Promise.all(clients.map(({ flow }) => transport.send(flow, Buffer.from('marker'))));
      await until(() => pings.every((seen) => seen.markers === tick));
      perTick.push(pings.reduce((sum, seen) => sum + seen.pings, 0) - before);
    }
    assert.deepEqual(
      perTick,
      Array.from({ length: 10 }, () => 4),
    );
    assert.ok(
      pings.every((seen) => seen.pings === 1),
      'each connection pinged once per interval',
    );
  });
});
