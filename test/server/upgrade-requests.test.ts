import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestCallpane, type TestCallpane } from '../support/callpane.ts';
import { itemAt } from '../support/item-at.ts';

/** Sends one raw upgrade request and returns the status line Callpane answered (or '' if it only closed). */
async function rawUpgrade(port: number, target: string, protocol = 'sip'): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  await new Promise((resolve) => {
    socket.once('close', resolve);
    setTimeout(resolve, 2000).unref();
  });
  socket.destroy();
  return itemAt(Buffer.concat(chunks).toString().split('\r\n'), 0);
}

describe('HTTP upgrade requests Callpane cannot read', () => {
  let callpane: TestCallpane;
  let port: number;
  before(async () => {
    callpane = await startTestCallpane();
    port = Number(new URL(callpane.httpUrl).port);
  });
  after(() => callpane.remove());

  test('an unreadable target (GET http://[) is answered 400 and the server keeps serving SIP and HTTP', async () => {
    for (const target of ['http://[', 'http://[/sip', '//[', 'http://a:b:c/sip']) {
      assert.equal(await rawUpgrade(port, target), 'HTTP/1.1 400 Bad Request', target);
      assert.equal(await rawUpgrade(port, target, 'callpane-events'), 'HTTP/1.1 400 Bad Request', target);
    }
    assert.equal((await fetch(`${callpane.httpUrl}/healthz`)).status, 200);
    assert.equal(await rawUpgrade(port, '/sip'), 'HTTP/1.1 101 Switching Protocols');
  });

  test('an upgrade for a path nobody serves is answered 404', async () => {
    assert.equal(await rawUpgrade(port, '/nothing-here'), 'HTTP/1.1 404 Not Found');
  });
});
