/**
 * The transport layer and SIP over WebSocket together: only a request the layer could parse
 * lifts a connection's first-request deadline.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket as WsClient } from 'ws';
import type { SipRequest } from '../../../src/sip/message/index.ts';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.ts';
import type { DropReport } from '../../../src/sip/transport/transport.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { next, rawRequest, record, until } from './helpers.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const DEADLINE_MS = 5000;

async function start(clock: FakeClock): Promise<{ layer: TransportLayer; url: string }> {
  const server: Server = createHttpServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const layer = new TransportLayer({ ws: { server, firstRequestTimeoutMs: DEADLINE_MS, timers: clock } });
  await layer.listen();
  cleanups.push(() => layer.close());
  return { layer, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sip` };
}

async function open(url: string): Promise<{ client: WsClient; closeCode: () => number | undefined }> {
  const client = new WsClient(url, 'sip');
  client.on('error', () => {});
  cleanups.push(() => client.terminate());
  let code: number | undefined;
  client.on('close', (closeCode: number) => {
    code = closeCode;
  });
  await next(client, 'open');
  return { client, closeCode: () => code };
}

describe('TransportLayer over WebSocket', () => {
  test('closes connections without a parseable SIP request at the deadline and keeps one that sent OPTIONS', async () => {
    const clock = new FakeClock();
    const { layer, url } = await start(clock);
    const requests = record<SipRequest>(layer, 'request');
    const drops = record<DropReport>(layer, 'dropped');
    const speaking = await open(url);
    const garbling = await open(url);
    const silent = await open(url);
    speaking.client.send(rawRequest({ via: 'SIP/2.0/WS a1.invalid;branch=z9hG4bKok' }));
    garbling.client.send('HELLO THERE\r\n\r\n');
    await until(() => requests.length === 1 && drops.some((drop) => drop.reason === 'unparseable'));

    clock.advance(DEADLINE_MS);
    await until(() => garbling.closeCode() !== undefined && silent.closeCode() !== undefined);
    assert.equal(garbling.closeCode(), 1008);
    assert.equal(silent.closeCode(), 1008);

    speaking.client.send(rawRequest({ via: 'SIP/2.0/WS a1.invalid;branch=z9hG4bKagain', callId: 'again@127.0.0.1' }));
    await until(() => requests.length === 2);
    assert.equal(speaking.closeCode(), undefined, 'the connection that spoke SIP is open');
  });
});
