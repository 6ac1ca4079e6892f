import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { decode, encode, type NgDictionary } from '../../../src/media/ng/bencode.ts';
import { NgClient, NgError, NgTimeoutError, NgUnavailableError, text } from '../../../src/media/ng/ng-client.ts';
import { startRtpengine, type RunningRtpengine } from '../../support/rtpengine.ts';
import { itemAt } from '../../support/item-at.ts';

interface Received {
  cookie: string;
  body: NgDictionary;
  from: RemoteInfo;
}

/** A scripted engine on a loopback UDP port: the test decides what, and whether, it answers. */
async function fakeEngine(
  onRequest: (request: Received, reply: (dictionary: object) => void, raw: (datagram: Buffer) => void) => void,
): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  const received: Received[] = [];
  socket.on('message', (datagram, from) => {
    const space = datagram.indexOf(0x20);
    const request = { cookie: datagram.toString('latin1', 0, space), body: decode(datagram.subarray(space + 1)) as NgDictionary, from };
    received.push(request);
    const raw = (reply: Buffer): void => void socket.send(reply, from.port, from.address);
    onRequest(request, (dictionary) => raw(Buffer.concat([Buffer.from(`${request.cookie} `), encode(dictionary as never)])), raw);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, received, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

describe('NgClient', () => {
  it('sends a command with a cookie and resolves with the reply that carries that cookie', async () => {
    const engine = await fakeEngine((request, reply) => reply({ result: 'ok', echo: text(request.body.command) }));
    const client = new NgClient({ host: '127.0.0.1', port: engine.port });
    const reply = await client.request('query', { 'call-id': 'abc' });
    assert.equal(text(reply.echo), 'query');
    assert.equal(text(itemAt(engine.received, 0).body['call-id']), 'abc');
    assert.match(itemAt(engine.received, 0).cookie, /^[A-Za-z0-9_-]{16}$/);
    await client.close();
    await engine.close();
  });

  it('matches replies that arrive out of order to their requests by cookie', async () => {
    const held: Array<() => void> = [];
    const engine = await fakeEngine((request, reply) => {
      held.push(() => reply({ result: 'ok', id: request.body['call-id'] }));
      if (held.length === 3) for (const send of held.reverse()) send();
    });
    const client = new NgClient({ host: '127.0.0.1', port: engine.port, timeoutMs: 2000 });
    const replies = await Promise.all(['one', 'two', 'three'].map((id) => client.request('query', { 'call-id': id })));
    assert.deepEqual(
      replies.map((reply) => text(reply.id)),
      ['one', 'two', 'three'],
    );
    assert.equal(new Set(engine.received.map((request) => request.cookie)).size, 3);
    await client.close();
    await engine.close();
  });

  it('retransmits an unanswered request with the same cookie and takes the late reply', async () => {
    const engine = await fakeEngine((request, reply) => {
      if (engine.received.length >= 3) reply({ result: 'ok', sdp: 'v=0' });
      void request;
    });
    const client = new NgClient({ host: '127.0.0.1', port: engine.port, timeoutMs: 50, retries: 2 });
    const reply = await client.request('offer', { sdp: 'v=0' });
    assert.equal(text(reply.sdp), 'v=0');
    assert.equal(engine.received.length, 3);
    assert.equal(new Set(engine.received.map((request) => request.cookie)).size, 1, 'every retransmission carries the first cookie');
    assert.equal(client.pendingCount, 0);
    await client.close();
    await engine.close();
  });

  it('fails with NgTimeoutError after the bounded number of retransmissions', async () => {
    const engine = await fakeEngine(() => undefined);
    const client = new NgClient({ host: '127.0.0.1', port: engine.port, timeoutMs: 40, retries: 2 });
    const started = Date.now();
    await assert.rejects(client.request('offer'), (error: unknown) => {
      assert.ok(error instanceof NgTimeoutError);
      assert.equal(error.attempts, 3);
      assert.match(error.message, /did not answer ng "offer" \(3 attempt\(s\)/);
      return true;
    });
    assert.ok(Date.now() - started < 1000);
    assert.equal(engine.received.length, 3);
    assert.equal(client.pendingCount, 0);
    await client.close();
    await engine.close();
  });

  it('turns result "error" into NgError carrying the error-reason', async () => {
    const engine = await fakeEngine((_request, reply) => reply({ result: 'error', 'error-reason': 'Unknown call-id' }));
    const client = new NgClient({ host: '127.0.0.1', port: engine.port });
    await assert.rejects(client.request('delete', { 'call-id': 'gone' }), (error: unknown) => {
      assert.ok(error instanceof NgError);
      assert.equal(error.reason, 'Unknown call-id');
      assert.equal(error.command, 'delete');
      return true;
    });
    await client.close();
    await engine.close();
  });

  it('turns result "load limit" into NgError with the engine\'s message', async () => {
    const engine = await fakeEngine((_request, reply) => reply({ result: 'load limit', message: 'Parallel session limit reached' }));
    const client = new NgClient({ host: '127.0.0.1', port: engine.port });
    await assert.rejects(
      client.request('offer'),
      (error: unknown) => error instanceof NgError && error.result === 'load limit' && error.reason === 'Parallel session limit reached',
    );
    await client.close();
    await engine.close();
  });

  it('fails a request whose reply is not bencode with NgUnavailableError, and ignores replies with unknown cookies', async () => {
    const engine = await fakeEngine((request, _reply, raw) => {
      // A stray reply for another cookie first, then a malformed one for this request.
      raw(Buffer.from('stranger d6:result2:oke'));
      raw(Buffer.from(`${request.cookie} d6:result`));
    });
    const client = new NgClient({ host: '127.0.0.1', port: engine.port, timeoutMs: 1000 });
    await assert.rejects(
      client.request('ping'),
      (error: unknown) => error instanceof NgUnavailableError && /malformed reply to "ping": bencode: malformed input/.test(error.message),
    );
    await client.close();
    await engine.close();
  });

  it('bounds the requests awaiting a reply', async () => {
    const engine = await fakeEngine(() => undefined);
    const client = new NgClient({ host: '127.0.0.1', port: engine.port, timeoutMs: 5000, maxPending: 2 });
    const first = client.request('ping');
    const second = client.request('ping');
    await assert.rejects(client.request('ping'), (error: unknown) => error instanceof NgUnavailableError && /2 requests already await a reply \(maxPending\)/.test(error.message));
    await client.close();
    await assert.rejects(first, NgUnavailableError);
    await assert.rejects(second, /closed before the reply/);
    await engine.close();
  });

  it('fails at once with NgUnavailableError when nothing listens at the ng address', async () => {
    const engine = await fakeEngine(() => undefined);
    const port = engine.port;
    await engine.close();
    const client = new NgClient({ host: '127.0.0.1', port, timeoutMs: 2000, retries: 2 });
    const started = Date.now();
    await assert.rejects(client.ping(), (error: unknown) => error instanceof NgUnavailableError && /unreachable: nothing listens there/.test(error.message));
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
    await client.close();
  });

  it('refuses requests after close', async () => {
    const client = new NgClient({ host: '127.0.0.1', port: 9 });
    await client.close();
    await assert.rejects(client.ping(), /is closed/);
  });

  describe('against a real rtpengine', () => {
    let engine: RunningRtpengine;
    before(async () => {
      engine = await startRtpengine();
    });
    after(async () => {
      await engine?.stop();
    });

    it('gets pong for ping', async () => {
      const client = new NgClient({ host: engine.host, port: engine.ngPort });
      await client.ping();
      await client.close();
    });

    it("gets NgError with rtpengine's reason for a command it does not know", async () => {
      const client = new NgClient({ host: engine.host, port: engine.ngPort });
      await assert.rejects(client.request('no such command'), (error: unknown) => error instanceof NgError && error.reason.length > 0);
      await client.close();
    });

    it('gets the cached reply when an offer is sent again with the same cookie', async () => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.connect(engine.ngPort, engine.host, resolve));
      const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
      const message = Buffer.concat([Buffer.from('samecookie '), encode({ command: 'offer', 'call-id': 'retransmitted', 'from-tag': 'a', sdp })]);
      const exchange = () =>
        new Promise<NgDictionary>((resolve) => {
          socket.once('message', (datagram) => resolve(decode(datagram.subarray(datagram.indexOf(0x20) + 1)) as NgDictionary));
          socket.send(message);
        });
      const first = await exchange();
      const second = await exchange();
      assert.equal(text(first.result), 'ok');
      assert.equal(text(second.sdp), text(first.sdp), 'the retransmission allocated nothing new');
      socket.close();
      const client = new NgClient({ host: engine.host, port: engine.ngPort });
      await client.request('delete', { 'call-id': 'retransmitted' });
      await client.close();
    });
  });
});
