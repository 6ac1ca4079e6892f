import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { TcpTransport, type TcpTransportOptions } from '../../../src/sip/transport/tcp-transport.ts';
import type { FramingError } from '../../../src/sip/transport/stream-framer.ts';
import type { InboundMessage } from '../../../src/sip/transport/transport.ts';
import { next, rawRequest, record, selfSignedCertificate, until } from './helpers.ts';
import { itemAt } from '../../support/item-at.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startTransport(options: Partial<TcpTransportOptions> = {}): Promise<TcpTransport> {
  const transport = new TcpTransport({ host: '127.0.0.1', port: 0, ...options });
  await transport.listen();
  cleanups.push(() => transport.close());
  return transport;
}

async function connectTo(transport: TcpTransport): Promise<Socket> {
  const socket = connect(transport.localAddress().port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  await next(socket, 'connect');
  return socket;
}

describe('TcpTransport', () => {
  test('frames two messages pipelined in one write', async () => {
    const transport = await startTransport();
    const messages = record<InboundMessage>(transport, 'message');
    const socket = await connectTo(transport);
    const first = rawRequest({ callId: 'first@127.0.0.1', via: 'SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK1' });
    const second = rawRequest({ callId: 'second@127.0.0.1', body: 'v=0\r\n', via: 'SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK2' });
    socket.write(first + second);
    await until(() => messages.length === 2);
    assert.deepEqual(
      messages.map((m) => m.data.toString()),
      [first, second],
    );
    assert.equal(itemAt(messages, 0).flow.id, itemAt(messages, 1).flow.id);
    assert.equal(itemAt(messages, 0).flow.transport, 'TCP');
    assert.equal(itemAt(messages, 0).flow.reliable, true);
    assert.deepEqual(itemAt(messages, 0).flow.remote, { address: '127.0.0.1', port: socket.localPort });
  });

  test('frames one message split over three writes', async () => {
    const transport = await startTransport();
    const messages = record<InboundMessage>(transport, 'message');
    const socket = await connectTo(transport);
    const message = rawRequest({ body: 'split body' });
    const cuts = [25, 120];
    socket.write(message.slice(0, cuts[0]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(message.slice(cuts[0], cuts[1]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(messages.length, 0);
    socket.write(message.slice(cuts[1]));
    await until(() => messages.length === 1);
    assert.equal(itemAt(messages, 0).data.toString(), message);
  });

  test('answers a double-CRLF ping with a single CRLF pong', async () => {
    const transport = await startTransport();
    const socket = await connectTo(transport);
    const pong = next<[Buffer]>(socket, 'data');
    socket.write('\r\n\r\n');
    const [data] = await pong;
    assert.equal(data.toString(), '\r\n');
  });

  test('sends the framing error answer, then closes the connection and announces it', async () => {
    const seen: FramingError[] = [];
    const transport = await startTransport({
      answerFramingError: (error) => {
        seen.push(error);
        return Buffer.from('SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      },
    });
    const closed = record<string>(transport, 'flowClosed');
    const socket = await connectTo(transport);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = next(socket, 'end');
    socket.write(rawRequest().replace(/Content-Length: 0\r\n/, 'Content-Length: nope\r\n'));
    await ended;
    assert.equal(Buffer.concat(received).toString(), 'SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    assert.equal(seen.length, 1);
    assert.equal(itemAt(seen, 0).status, 400);
    socket.end();
    await until(() => closed.length === 1);
  });

  test('reuses the open connection to an address instead of opening a second one', async () => {
    const server = await startTransport();
    const client = await startTransport();
    const inbound = record<InboundMessage>(server, 'message');
    const target = server.localAddress();
    const firstFlow = await client.send(target, Buffer.from(rawRequest({ callId: 'a@127.0.0.1' })));
    const secondFlow = await client.send(target, Buffer.from(rawRequest({ callId: 'b@127.0.0.1' })));
    assert.equal(firstFlow.id, secondFlow.id);
    await until(() => inbound.length === 2);
    assert.equal(itemAt(inbound, 0).flow.id, itemAt(inbound, 1).flow.id);
  });

  test('opens a single connection for concurrent sends to one address', async () => {
    const server = await startTransport();
    const client = await startTransport();
    const inbound = record<InboundMessage>(server, 'message');
    const flows = await Promise.all([
      client.send(server.localAddress(), Buffer.from(rawRequest({ callId: 'c1@127.0.0.1' }))),
      client.send(server.localAddress(), Buffer.from(rawRequest({ callId: 'c2@127.0.0.1' }))),
    ]);
    assert.equal(flows[0].id, flows[1].id);
    await until(() => inbound.length === 2);
    assert.equal(new Set(inbound.map((m) => m.flow.id)).size, 1);
  });

  test('delivers a message sent back on the flow a request arrived on', async () => {
    const server = await startTransport();
    const client = await startTransport();
    const clientInbound = record<InboundMessage>(client, 'message');
    const arrived = next<[InboundMessage]>(server, 'message');
    const outboundFlow = await client.send(server.localAddress(), Buffer.from(rawRequest()));
    const [{ flow }] = await arrived;
    const response = 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n';
    await server.send(flow, Buffer.from(response));
    await until(() => clientInbound.length === 1);
    assert.equal(itemAt(clientInbound, 0).data.toString(), response);
    assert.equal(itemAt(clientInbound, 0).flow.id, outboundFlow.id);
  });

  test('rejects a send on a flow whose connection closed', async () => {
    const server = await startTransport();
    const closed = next<[string]>(server, 'flowClosed');
    const arrived = next<[InboundMessage]>(server, 'message');
    const socket = await connectTo(server);
    socket.write(rawRequest());
    const [{ flow }] = await arrived;
    socket.destroy();
    assert.deepEqual(await closed, [flow.id]);
    await assert.rejects(server.send(flow, Buffer.from('x')), { name: 'FlowClosedError' });
  });

  test('closes an idle connection after the idle timeout', async () => {
    const transport = await startTransport({ idleTimeoutMs: 100 });
    const closed = next<[string]>(transport, 'flowClosed');
    const socket = await connectTo(transport);
    const ended = next(socket, 'close');
    const [flowId] = await closed;
    assert.match(flowId, /^tcp:127\.0\.0\.1:\d+>127\.0\.0\.1:\d+#\d+$/);
    await ended;
  });

  test('rejects a send to a host name instead of resolving it', async () => {
    const client = await startTransport();
    await assert.rejects(client.send({ address: 'localhost', port: 5060 }, Buffer.from('x')), /IP literal/);
  });

  test('exchanges messages over TLS with a self-signed certificate', async () => {
    const { cert, key } = selfSignedCertificate();
    const server = await startTransport({ tls: { cert, key, ca: cert } });
    const client = await startTransport({ tls: { cert, key, ca: cert } });
    assert.equal(server.protocol, 'TLS');
    const arrived = next<[InboundMessage]>(server, 'message');
    const request = rawRequest({ via: 'SIP/2.0/TLS 127.0.0.1:5099;branch=z9hG4bKtls' });
    const clientFlow = await client.send(server.localAddress(), Buffer.from(request));
    const [{ data, flow }] = await arrived;
    assert.equal(data.toString(), request);
    assert.equal(flow.transport, 'TLS');
    const answered = next<[InboundMessage]>(client, 'message');
    await server.send(flow, Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const [reply] = await answered;
    assert.equal(reply.flow.id, clientFlow.id);
  });

  test('refuses to open TLS to a server whose certificate it does not trust', async () => {
    const trusted = selfSignedCertificate();
    const other = selfSignedCertificate();
    const server = await startTransport({ tls: other });
    const client = await startTransport({ tls: { ...trusted, ca: trusted.cert } });
    await assert.rejects(client.send(server.localAddress(), Buffer.from(rawRequest())), /self-signed|certificate/i);
  });
});
