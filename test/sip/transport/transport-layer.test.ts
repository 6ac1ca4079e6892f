import { afterEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, Socket } from 'node:dgram';
import { createResponse, parseMessage, topVia } from '../../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import { TransportLayer, type MessageCount, type TransportLayerConfig } from '../../../src/sip/transport/transport-layer.ts';
import type { DropReport } from '../../../src/sip/transport/transport.ts';
import type { Flow } from '../../../src/sip/transport/flow.ts';
import { next, rawRequest, record } from './helpers.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  mock.restoreAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startLayer(config: Partial<TransportLayerConfig> = {}): Promise<TransportLayer> {
  const layer = new TransportLayer({ udp: { host: '127.0.0.1', port: 0 }, ...config });
  await layer.listen();
  cleanups.push(() => layer.close());
  return layer;
}

async function peerSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => socket.close());
  return socket;
}

/** Spies on every datagram sent; the returned function lists those the layer sent (not the test's peers). */
function spyOnUdpSends(...peers: Socket[]): () => Array<{ address: string; port: number }> {
  const sends = mock.method(Socket.prototype, 'send');
  return () => sends.mock.calls.filter((call) => !peers.includes(call.this as Socket)).map((call) => ({ port: Number(call.arguments[1]), address: String(call.arguments[2]) }));
}

function sendFrom(peer: Socket, layer: TransportLayer, text: string | Buffer): void {
  peer.send(text, layer.localVia('UDP').port, '127.0.0.1');
}

async function nextDatagram(peer: Socket): Promise<string> {
  const [data] = await next<[Buffer]>(peer, 'message');
  return data.toString();
}

describe('TransportLayer over UDP', () => {
  test('stamps received and rport and answers the source port, never the Via host', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const sends = spyOnUdpSends(peer);
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    sendFrom(peer, layer, rawRequest({ via: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKrport;rport' }));
    const [request, flow] = await arrived;
    const via = topVia(request);
    assert.equal(via.params.get('received'), '127.0.0.1');
    assert.equal(via.params.get('rport'), String(peer.address().port));
    assert.deepEqual(flow.remote, { address: '127.0.0.1', port: peer.address().port });

    const reply = nextDatagram(peer);
    await layer.sendResponse(createResponse(request, 200), flow);
    const response = parseMessage(Buffer.from(await reply)) as SipResponse;
    assert.equal(response.status, 200);
    assert.equal(topVia(response).params.get('received'), '127.0.0.1');
    assert.deepEqual(sends(), [{ address: '127.0.0.1', port: peer.address().port }]);
  });

  test('ignores maddr and answers the source address at the sent-by port when rport is absent', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const sentByPeer = await peerSocket();
    const sends = spyOnUdpSends(peer, sentByPeer);
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    const port = sentByPeer.address().port;
    sendFrom(peer, layer, rawRequest({ via: `SIP/2.0/UDP 192.0.2.1:${port};branch=z9hG4bKmaddr;maddr=192.0.2.2` }));
    const [request, flow] = await arrived;
    assert.equal(topVia(request).params.get('received'), '127.0.0.1');
    assert.equal(topVia(request).params.has('rport'), false);
    const reply = nextDatagram(sentByPeer);
    await layer.sendResponse(createResponse(request, 200), flow);
    assert.match(await reply, /^SIP\/2\.0 200 OK\r\n/);
    assert.deepEqual(sends(), [{ address: '127.0.0.1', port }]);
  });

  test('adds no received when the sent-by host is the source address and rport is absent', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    sendFrom(peer, layer, rawRequest({ via: `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bKsame` }));
    const [request] = await arrived;
    assert.equal(topVia(request).params.has('received'), false);
  });

  test('answers an unparseable request with the parser status, To tagged', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const reply = nextDatagram(peer);
    sendFrom(peer, layer, rawRequest({ via: 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKbad;rport' }).replace('Max-Forwards: 70', 'Max-Forwards: many'));
    const response = parseMessage(Buffer.from(await reply)) as SipResponse;
    assert.equal(response.status, 400);
    assert.match(response.headers.find((h) => h.name === 'To')?.value ?? '', /;tag=/);
    assert.equal(topVia(response).params.get('rport'), String(peer.address().port));
  });

  test('answers a request of another SIP version with 505', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const reply = nextDatagram(peer);
    sendFrom(peer, layer, rawRequest({ via: `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bKv7` }).replace(' SIP/2.0\r\n', ' SIP/7.0\r\n'));
    assert.match(await reply, /^SIP\/2\.0 505 /);
  });

  test('drops an unparseable request that lacks the headers a response needs, and a bad response', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const sends = spyOnUdpSends(peer);
    const drops = record<DropReport>(layer, 'dropped');
    const via = `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bKnocall`;
    sendFrom(
      peer,
      layer,
      rawRequest({ via })
        .replace(/Call-ID: .*\r\n/, '')
        .replace('Max-Forwards: 70', 'Max-Forwards: x'),
    );
    sendFrom(peer, layer, 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\nContent-Length: 0\r\n\r\n');
    sendFrom(peer, layer, Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 0xff, 0xfe]));
    const answered = nextDatagram(peer);
    sendFrom(peer, layer, rawRequest({ via: via.replace('z9hG4bKnocall', 'z9hG4bKmissing') }).replace('Max-Forwards: 70', 'Max-Forwards: x'));
    assert.match(await answered, /^SIP\/2\.0 400 /);
    assert.deepEqual(
      drops.map((d) => d.reason),
      ['unparseable', 'unparseable', 'unparseable', 'unparseable'],
    );
    assert.equal(sends().length, 1);
  });

  test('never answers an unparseable ACK', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const sends = spyOnUdpSends(peer);
    const dropped = next<[DropReport]>(layer, 'dropped');
    sendFrom(peer, layer, rawRequest({ method: 'ACK' }).replace('Max-Forwards: 70', 'Max-Forwards: x'));
    await dropped;
    const answered = nextDatagram(peer);
    sendFrom(peer, layer, rawRequest({ via: `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bKafter` }).replace('Max-Forwards: 70', 'Max-Forwards: x'));
    assert.match(await answered, /CSeq: 1 OPTIONS/);
    assert.equal(sends().length, 1);
  });

  test('drops a datagram above the maximum size and still answers afterwards', async () => {
    // A 70 KiB datagram cannot exist on IPv4/IPv6 (EMSGSIZE above 65507/65527 octets), so the
    // limit is lowered below what a datagram can carry.
    const layer = await startLayer({ maxMessageSize: 32 * 1024 });
    const peer = await peerSocket();
    const requests = record<SipRequest>(layer, 'request');
    const dropped = next<[DropReport]>(layer, 'dropped');
    sendFrom(peer, layer, rawRequest({ body: 'x'.repeat(40 * 1024) }));
    const [report] = await dropped;
    assert.equal(report.reason, 'oversized');
    const reply = nextDatagram(peer);
    sendFrom(peer, layer, rawRequest({ via: `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bKsmall` }).replace('Max-Forwards: 70', 'Max-Forwards: x'));
    assert.match(await reply, /^SIP\/2\.0 400 /);
    assert.equal(requests.length, 0);
  });

  test('drops the largest possible datagram of garbage and keeps serving', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const dropped = next<[DropReport]>(layer, 'dropped');
    sendFrom(peer, layer, Buffer.alloc(65507, 'A'));
    assert.equal((await dropped)[0].reason, 'unparseable');
    const arrived = next<[SipRequest]>(layer, 'request');
    sendFrom(peer, layer, rawRequest());
    assert.equal((await arrived)[0].method, 'OPTIONS');
  });

  test('accepts a response whose top Via is ours and drops one whose Via is not', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const responses = record<SipResponse>(layer, 'response');
    const dropped = next<[DropReport]>(layer, 'dropped');
    const ours = layer.localVia('UDP');
    const response = (host: string, port: number, branch: string): string =>
      `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP ${host}:${port};branch=${branch};rport=5060\r\n` +
      'From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\nCall-ID: r@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    sendFrom(peer, layer, response('192.0.2.1', ours.port, 'z9hG4bKforeign'));
    assert.equal((await dropped)[0].reason, 'via-mismatch');
    const arrived = next<[SipResponse]>(layer, 'response');
    sendFrom(peer, layer, response(ours.host, ours.port, 'z9hG4bKours'));
    const [accepted] = await arrived;
    assert.equal(topVia(accepted).params.get('branch'), 'z9hG4bKours');
    assert.equal(responses.length, 1);
  });

  test('sends a request unchanged to an IP literal and refuses a host name', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const request = parseMessage(Buffer.from(rawRequest({ via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKout;rport' }))) as SipRequest;
    const arrived = nextDatagram(peer);
    await layer.sendRequest(request, { transport: 'UDP', host: '127.0.0.1', port: peer.address().port });
    assert.match(await arrived, /Via: SIP\/2\.0\/UDP 127\.0\.0\.1:1;branch=z9hG4bKout;rport\r\n/);
    await assert.rejects(layer.sendRequest(request, { transport: 'UDP', host: 'example.com', port: 5060 }), /not an IP literal/);
  });

  test('counts messages in and out by method and response class', async () => {
    const layer = await startLayer();
    const peer = await peerSocket();
    const inbound = record<MessageCount>(layer, 'messageIn');
    const outbound = record<MessageCount>(layer, 'messageOut');
    const arrived = next<[SipRequest, Flow]>(layer, 'request');
    sendFrom(peer, layer, rawRequest({ method: 'REGISTER', via: `SIP/2.0/UDP 127.0.0.1:${peer.address().port};branch=z9hG4bKcount` }));
    const [request, flow] = await arrived;
    await layer.sendResponse(createResponse(request, 401), flow);
    assert.deepEqual(inbound, [{ kind: 'request', method: 'REGISTER', transport: 'UDP' }]);
    assert.deepEqual(outbound, [{ kind: 'response', statusClass: '4xx', method: 'REGISTER', transport: 'UDP' }]);
  });
});

describe('TransportLayer configuration', () => {
  test('advertises the configured host in sentBy and localVia', async () => {
    const layer = await startLayer({ advertisedHost: 'pbx.example.test' });
    const { port } = layer.localVia('UDP');
    assert.deepEqual(layer.sentBy({ transport: 'UDP', host: '127.0.0.1', port: 5060 }), { transport: 'UDP', host: 'pbx.example.test', port });
    assert.equal(layer.isReliable({ transport: 'UDP', host: '127.0.0.1', port: 5060 }), false);
    assert.equal(layer.isReliable({ transport: 'TCP', host: '127.0.0.1', port: 5060 }), true);
  });

  test('requires an advertised host when listening on the unspecified address', () => {
    assert.throws(() => new TransportLayer({ udp: { host: '0.0.0.0', port: 0 } }), /advertisedHost/);
  });

  test('refuses to send over a transport that is not configured', async () => {
    const layer = await startLayer();
    const request = parseMessage(Buffer.from(rawRequest())) as SipRequest;
    await assert.rejects(layer.sendRequest(request, { transport: 'TCP', host: '127.0.0.1', port: 5060 }), /no TCP transport/);
  });
});
