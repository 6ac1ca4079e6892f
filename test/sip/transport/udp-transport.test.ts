import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { UdpTransport } from '../../../src/sip/transport/udp-transport.ts';
import type { DropReport, InboundMessage } from '../../../src/sip/transport/transport.ts';
import { next, rawRequest } from './helpers.ts';

describe('UdpTransport', () => {
  let transport: UdpTransport;
  let peer: Socket;

  before(async () => {
    transport = new UdpTransport({ host: '127.0.0.1', port: 0, maxMessageSize: 2048 });
    await transport.listen();
    peer = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await transport.close();
    peer.close();
  });

  test('reports a datagram with the address pair as its flow', async () => {
    const received = next<[InboundMessage]>(transport, 'message');
    peer.send(rawRequest(), transport.localAddress().port, '127.0.0.1');
    const [{ data, flow }] = await received;
    assert.equal(data.toString(), rawRequest());
    assert.equal(flow.transport, 'UDP');
    assert.equal(flow.reliable, false);
    assert.deepEqual(flow.remote, { address: '127.0.0.1', port: peer.address().port });
    assert.equal(flow.id, `udp:127.0.0.1:${transport.localAddress().port}>127.0.0.1:${peer.address().port}`);
  });

  test('sends back to the flow it received from', async () => {
    const inbound = next<[InboundMessage]>(transport, 'message');
    peer.send(rawRequest(), transport.localAddress().port, '127.0.0.1');
    const [{ flow }] = await inbound;
    const reply = next<[Buffer]>(peer, 'message');
    await transport.send(flow, Buffer.from('SIP/2.0 200 OK\r\n\r\n'));
    const [data] = await reply;
    assert.equal(data.toString(), 'SIP/2.0 200 OK\r\n\r\n');
  });

  test('drops a datagram above the maximum size and still receives the next one', async () => {
    const dropped = next<[DropReport]>(transport, 'dropped');
    peer.send(Buffer.alloc(4096, 'x'), transport.localAddress().port, '127.0.0.1');
    const [report] = await dropped;
    assert.equal(report.reason, 'oversized');
    const received = next<[InboundMessage]>(transport, 'message');
    peer.send(rawRequest(), transport.localAddress().port, '127.0.0.1');
    const [{ data }] = await received;
    assert.equal(data.toString(), rawRequest());
  });

  test('refuses to send to a host name', async () => {
    await assert.rejects(transport.send({ address: 'example.com', port: 5060 }, Buffer.from('x')), /IP literal/);
  });
});
