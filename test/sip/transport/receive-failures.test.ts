import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createResponse, parseMessage } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import { RECEIVE_FAILED, type DropReport } from '../../../src/sip/transport/transport.ts';
import { TransportLayer, type TransportLayerConfig } from '../../../src/sip/transport/transport-layer.ts';
import type { Flow } from '../../../src/sip/transport/flow.ts';
import { next, rawRequest, record, until } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Collects what the layer logs at error level, so a test sees the failure was reported. */
function errorLog(): { logger: TransportLayerConfig['logger']; errors: string[] } {
  const errors: string[] = [];
  const ignore = (): void => undefined;
  return { errors, logger: { debug: ignore, warn: ignore, error: (_fields, message) => errors.push(message) } };
}

async function startLayer(config: Partial<TransportLayerConfig>): Promise<TransportLayer> {
  const layer = new TransportLayer(config);
  await layer.listen();
  cleanups.push(() => layer.close());
  return layer;
}

/** Answers every request 200, the way a healthy server answers OPTIONS. */
function answerAll(layer: TransportLayer): void {
  layer.on('request', (request, flow) => {
    if (request.method !== 'ACK') layer.sendResponse(createResponse(request, 200), flow).catch(() => undefined);
  });
}

async function tcpExchange(layer: TransportLayer, text: string): Promise<{ socket: Socket; received: () => string; ended: Promise<unknown> }> {
  const socket = connect(layer.localVia('TCP').port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  await next(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => socket.once('close', resolve));
  socket.write(text);
  return { socket, received: () => Buffer.concat(chunks).toString(), ended };
}

async function httpServer(): Promise<{ server: ReturnType<typeof createHttpServer>; url: string }> {
  const server = createHttpServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sip` };
}

async function wsClient(url: string): Promise<{ ws: WebSocket; messages: string[]; closed: Promise<unknown> }> {
  const ws = new WebSocket(url, 'sip');
  cleanups.push(() => ws.close());
  const messages: string[] = [];
  ws.addEventListener('message', (event) => messages.push(String(event.data)));
  const closed = new Promise((resolve) => ws.addEventListener('close', resolve, { once: true }));
  await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
  return { ws, messages, closed };
}

/** The report's reproduction: a bare CR inside the From value and no Content-Length. */
const BARE_CR_IN_FROM =
  'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKcrash\r\n' +
  'From: <sip:a@127.0.0.1>;tag=1\rX\r\nTo: <sip:127.0.0.1>\r\nCall-ID: crash1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n';

const tcpVia = (branch: string): string => `SIP/2.0/TCP 127.0.0.1:5999;branch=${branch};rport`;

describe('a stream that cannot be framed and cannot be answered', () => {
  test('over TCP, a bare CR in From with no Content-Length closes that connection and the next one is served', async () => {
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 } });
    answerAll(layer);
    const broken = await tcpExchange(layer, BARE_CR_IN_FROM);
    await broken.ended;
    assert.equal(broken.received(), '', 'no answer can carry that From');

    const healthy = await tcpExchange(layer, rawRequest({ via: tcpVia('z9hG4bKafter') }));
    await until(() => healthy.received().includes('\r\n\r\n'));
    assert.equal((parseMessage(Buffer.from(healthy.received())) as SipResponse).status, 200);
  });

  test('over WebSocket, a frame with a bare CR in From and Content-Length: abc closes nothing but is not answered', async () => {
    const { server, url } = await httpServer();
    const layer = await startLayer({ ws: { server } });
    answerAll(layer);
    const client = await wsClient(url);
    client.ws.send(BARE_CR_IN_FROM.replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\r\nContent-Length: abc\r\n'));
    client.ws.send(rawRequest({ via: 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKwsafter' }));
    await until(() => client.messages.length === 1);
    assert.match(itemAt(client.messages, 0), /^SIP\/2\.0 200 OK\r\n[\s\S]*branch=z9hG4bKwsafter/);
  });
});

describe('an exception raised while handling received bytes', () => {
  function failingOnce(layer: TransportLayer): void {
    let failed = false;
    layer.on('request', (request, flow) => {
      if (!failed) {
        failed = true;
        throw new Error('a bug above the transport');
      }
      layer.sendResponse(createResponse(request, 200), flow).catch(() => undefined);
    });
  }

  test('over TCP, ends that connection, is logged and reported, and later connections are served', async () => {
    const { logger, errors } = errorLog();
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 }, logger });
    const drops = record<DropReport>(layer, 'dropped');
    failingOnce(layer);
    const first = await tcpExchange(layer, rawRequest({ via: tcpVia('z9hG4bKbug1') }));
    await first.ended;
    assert.equal(first.received(), '');
    assert.deepEqual(
      drops.map((drop) => [drop.transport, drop.reason, drop.detail]),
      [['TCP', RECEIVE_FAILED, 'a bug above the transport']],
    );
    assert.equal(errors.length, 1);

    const second = await tcpExchange(layer, rawRequest({ via: tcpVia('z9hG4bKbug2') }));
    await until(() => second.received().startsWith('SIP/2.0 200 OK'));
  });

  test('over WebSocket, ends that connection and later connections are served', async () => {
    const { server, url } = await httpServer();
    const { logger, errors } = errorLog();
    const layer = await startLayer({ ws: { server }, logger });
    const drops = record<DropReport>(layer, 'dropped');
    failingOnce(layer);
    const first = await wsClient(url);
    first.ws.send(rawRequest({ via: 'SIP/2.0/WS a.invalid;branch=z9hG4bKwsbug1' }));
    await first.closed;
    assert.deepEqual(
      drops.map((drop) => [drop.transport, drop.reason]),
      [['WS', RECEIVE_FAILED]],
    );
    assert.equal(errors.length, 1);

    const second = await wsClient(url);
    second.ws.send(rawRequest({ via: 'SIP/2.0/WS a.invalid;branch=z9hG4bKwsbug2' }));
    await until(() => second.messages.length === 1);
    assert.match(itemAt(second.messages, 0), /^SIP\/2\.0 200 OK/);
  });

  test('over UDP, costs that datagram only', async () => {
    const { logger, errors } = errorLog();
    const layer = await startLayer({ udp: { host: '127.0.0.1', port: 0 }, logger });
    const drops = record<DropReport>(layer, 'dropped');
    failingOnce(layer);
    const socket = createSocket('udp4');
    cleanups.push(() => socket.close());
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const answers: string[] = [];
    socket.on('message', (data) => answers.push(data.toString()));
    const port = layer.localVia('UDP').port;
    const udpVia = (branch: string) => `SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=${branch};rport`;
    socket.send(rawRequest({ via: udpVia('z9hG4bKudpbug1') }), port, '127.0.0.1');
    await until(() => drops.length === 1);
    socket.send(rawRequest({ via: udpVia('z9hG4bKudpbug2') }), port, '127.0.0.1');
    await until(() => answers.length === 1);
    assert.match(itemAt(answers, 0), /^SIP\/2\.0 200 OK[\s\S]*z9hG4bKudpbug2/);
    assert.equal(itemAt(drops, 0).reason, RECEIVE_FAILED);
    assert.equal(errors.length, 1);
  });

  test('in a closed-connection listener, is logged and goes no further', async () => {
    const { logger, errors } = errorLog();
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 }, logger });
    answerAll(layer);
    layer.on('flowClosed', () => {
      throw new Error('the store is gone');
    });
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    const first = await tcpExchange(layer, rawRequest({ via: tcpVia('z9hG4bKclose1') }));
    await arrived;
    first.socket.destroy();
    await until(() => errors.length === 1);

    const second = await tcpExchange(layer, rawRequest({ via: tcpVia('z9hG4bKclose2') }));
    await until(() => second.received().startsWith('SIP/2.0 200 OK'));
  });
});
