import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { RtpStreams } from '../../bench/rtp-streams.ts';

test('two RTP endpoints sending straight to each other count every packet sent in the window as received', async () => {
  const streams = new RtpStreams();
  try {
    const [a, b] = await Promise.all([streams.open(), streams.open()]);
    a.sendTo({ host: '127.0.0.1', port: b.port });
    b.sendTo({ host: '127.0.0.1', port: a.port });
    streams.start();
    const result = await streams.measure(400);
    assert.equal(result.streams, 2);
    // 50 packets/s per stream: about 20 each in 400 ms, whatever the timer granularity.
    assert.ok(result.sent >= 20 && result.sent <= 48, `sent ${result.sent}`);
    assert.equal(result.received, result.sent);
    assert.equal(result.lossPercent, 0);
  } finally {
    streams.close();
  }
});

test('packets a relay drops count as loss: every fourth one dropped is 25 %', async () => {
  const streams = new RtpStreams();
  const relay = createSocket('udp4');
  try {
    await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve));
    const receiver = await streams.open();
    const sender = await streams.open();
    let seen = 0;
    relay.on('message', (packet) => {
      if (seen++ % 4 !== 3) relay.send(packet, receiver.port, '127.0.0.1');
    });
    sender.sendTo({ host: '127.0.0.1', port: relay.address().port });
    streams.start();
    const result = await streams.measure(800);
    assert.equal(result.streams, 1);
    assert.ok(result.sent >= 32, `sent ${result.sent}`);
    assert.ok(Math.abs(result.lossPercent - 25) <= 5, `loss ${result.lossPercent} %`);
  } finally {
    streams.close();
    relay.close();
  }
});
