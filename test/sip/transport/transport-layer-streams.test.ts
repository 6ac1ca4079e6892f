import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createResponse, parseMessage, topVia } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import { TransportLayer, type TransportLayerConfig } from '../../../src/sip/transport/transport-layer.ts';
import type { Flow } from '../../../src/sip/transport/flow.ts';
import { next, rawRequest, record, selfSignedCertificate, until } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startLayer(config: Partial<TransportLayerConfig>): Promise<TransportLayer> {
  const layer = new TransportLayer(config);
  await layer.listen();
  cleanups.push(() => layer.close());
  return layer;
}

async function tcpClient(layer: TransportLayer): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect(layer.localVia('TCP').port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  await next(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { socket, received: () => Buffer.concat(chunks).toString() };
}

const tcpVia = (branch: string): string => `SIP/2.0/TCP 192.0.2.1:5060;branch=${branch};rport`;

describe('TransportLayer over TCP', () => {
  test('delivers two requests pipelined in one write and answers both on the connection', async () => {
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 } });
    const requests: Array<[SipRequest, Flow]> = [];
    layer.on('request', (request, flow) => requests.push([request, flow]));
    const { socket, received } = await tcpClient(layer);
    socket.write(rawRequest({ via: tcpVia('z9hG4bKp1'), callId: 'p1@127.0.0.1' }) + rawRequest({ via: tcpVia('z9hG4bKp2'), callId: 'p2@127.0.0.1' }));
    await until(() => requests.length === 2);
    assert.equal(itemAt(requests, 0)[1].id, itemAt(requests, 1)[1].id);
    assert.equal(topVia(itemAt(requests, 0)[0]).params.get('rport'), String(socket.localPort));
    for (const [request, flow] of requests) await layer.sendResponse(createResponse(request, 200), flow);
    await until(() => (received().match(/SIP\/2\.0 200 OK/g) ?? []).length === 2);
    assert.match(received(), /Call-ID: p1@127\.0\.0\.1[\s\S]*Call-ID: p2@127\.0\.0\.1/);
  });

  test('delivers one request split over three writes', async () => {
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 } });
    const requests = record<SipRequest>(layer, 'request');
    const { socket } = await tcpClient(layer);
    const text = rawRequest({ via: tcpVia('z9hG4bKsplit'), body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' });
    for (const part of [text.slice(0, 40), text.slice(40, 200), text.slice(200)]) {
      socket.write(part);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await until(() => requests.length === 1);
    assert.equal(itemAt(requests, 0).body.toString(), 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n');
  });

  test('answers a framing error with 400 and then closes the connection', async () => {
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 } });
    const closed = record<string>(layer, 'flowClosed');
    const requests = record<SipRequest>(layer, 'request');
    const { socket, received } = await tcpClient(layer);
    const ended = next(socket, 'end');
    socket.write(rawRequest({ via: tcpVia('z9hG4bKbadlen') }).replace('Content-Length: 0', 'Content-Length: -5'));
    await ended;
    const response = parseMessage(Buffer.from(received())) as SipResponse;
    assert.equal(response.status, 400);
    assert.equal(topVia(response).params.get('branch'), 'z9hG4bKbadlen');
    assert.equal(requests.length, 0);
    socket.end();
    await until(() => closed.length === 1);
  });

  test('survives a framing error in a request whose CSeq cannot be read, and answers it 513', async () => {
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 } });
    const sent = record<unknown>(layer, 'messageOut');
    const { socket, received } = await tcpClient(layer);
    const ended = next(socket, 'end');
    socket.write(
      rawRequest({ via: tcpVia('z9hG4bKbadcseq') })
        .replace('CSeq: 1 OPTIONS', 'CSeq: 36893488147419103232 OPTIONS')
        .replace('Content-Length: 0', 'Content-Length: 99999999'),
    );
    await ended;
    assert.match(received(), /^SIP\/2\.0 513 /);
    assert.equal(sent.length, 1, 'the answer is counted');
  });

  test('closes without an answer when the broken stream holds no answerable request', async () => {
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 } });
    const { socket, received } = await tcpClient(layer);
    const ended = next(socket, 'end');
    socket.write('GARBAGE\r\nNo-Length: here\r\n\r\n');
    await ended;
    assert.equal(received(), '');
  });

  test('opens a new connection to the source address and sent-by port when the request connection closed', async () => {
    const layer = await startLayer({ tcp: { host: '127.0.0.1', port: 0 } });
    const listener = createNetServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => listener.close(resolve)));
    const accepted = next<[Socket]>(listener, 'connection');
    const listenerPort = (listener.address() as AddressInfo).port;

    const { socket } = await tcpClient(layer);
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    socket.write(rawRequest({ via: `SIP/2.0/TCP 192.0.2.1:${listenerPort};branch=z9hG4bKreopen` }));
    const [request, flow] = await arrived;
    const closed = next(layer, 'flowClosed');
    socket.destroy();
    await closed;

    await layer.sendResponse(createResponse(request, 200), flow);
    const [incoming] = await accepted;
    cleanups.push(() => incoming.destroy());
    const [data] = await next<[Buffer]>(incoming, 'data');
    assert.match(data.toString(), /^SIP\/2\.0 200 OK\r\n/);
    assert.equal(incoming.remoteAddress, '127.0.0.1');
  });
});

describe('TransportLayer over TLS', () => {
  test('receives a request over TLS and answers it on the same connection', async () => {
    const { cert, key } = selfSignedCertificate();
    const layer = await startLayer({ tls: { host: '127.0.0.1', port: 0, cert, key } });
    const socket = tlsConnect({ host: '127.0.0.1', port: layer.localVia('TLS').port, ca: cert });
    cleanups.push(() => socket.destroy());
    await next(socket, 'secureConnect');
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    socket.write(rawRequest({ via: 'SIP/2.0/TLS 192.0.2.1;branch=z9hG4bKtlsreq' }));
    const [request, flow] = await arrived;
    assert.equal(flow.transport, 'TLS');
    assert.equal(topVia(request).params.get('received'), '127.0.0.1');
    const reply = next<[Buffer]>(socket, 'data');
    await layer.sendResponse(createResponse(request, 200), flow);
    assert.match((await reply)[0].toString(), /^SIP\/2\.0 200 OK\r\n/);
  });
});

describe('TransportLayer over WebSocket', () => {
  test('exchanges messages with a sip-subprotocol client and announces the closed flow', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const layer = await startLayer({ ws: { server } });
    assert.deepEqual(layer.protocols, ['WS']);

    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/sip`, 'sip');
    cleanups.push(() => ws.close());
    await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    ws.send(rawRequest({ method: 'REGISTER', via: 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKwsreg;rport' }));
    const [request, flow] = await arrived;
    assert.equal(flow.transport, 'WS');
    assert.equal(topVia(request).params.get('received'), '127.0.0.1');

    const reply = new Promise<string>((resolve) => ws.addEventListener('message', (e) => resolve(String(e.data)), { once: true }));
    await layer.sendResponse(createResponse(request, 200), flow);
    assert.match(await reply, /^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 1 REGISTER\r\n/);

    const closed = next<[string]>(layer, 'flowClosed');
    ws.close();
    assert.deepEqual(await closed, [flow.id]);
    await assert.rejects(layer.sendResponse(createResponse(request, 200), flow), { name: 'FlowClosedError' });
  });
});
