import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FramingError, StreamFramer, readContentLength } from '../../../src/sip/transport/stream-framer.ts';

const START = ['OPTIONS sip:127.0.0.1 SIP/2.0', 'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKframer', 'Call-ID: framer@127.0.0.1'].map((line) => `${line}\r\n`).join('');

function request(body = '', extraHeaders = `Content-Length: ${Buffer.byteLength(body)}\r\n`): string {
  return `${START}${extraHeaders}\r\n${body}`;
}

function feedAll(framer: StreamFramer, ...chunks: string[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) for (const message of framer.feed(Buffer.from(chunk))) out.push(message.toString());
  return out;
}

function framingError(framer: StreamFramer, chunk: string): FramingError {
  try {
    feedAll(framer, chunk);
  } catch (err) {
    assert.ok(err instanceof FramingError, `expected a FramingError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a FramingError');
}

describe('StreamFramer', () => {
  test('yields a message only once its body is complete', () => {
    const framer = new StreamFramer();
    const message = request('hello body');
    assert.deepEqual(feedAll(framer, message.slice(0, 20)), []);
    assert.deepEqual(feedAll(framer, message.slice(20, message.length - 3)), []);
    assert.deepEqual(feedAll(framer, message.slice(message.length - 3)), [message]);
    assert.equal(framer.pending, 0);
  });

  test('splits two pipelined messages that arrive in one chunk', () => {
    const framer = new StreamFramer();
    const first = request('one');
    const second = request('second body');
    assert.deepEqual(feedAll(framer, first + second), [first, second]);
  });

  test('keeps the start of a third message buffered after two complete ones', () => {
    const framer = new StreamFramer();
    const message = request('x');
    assert.deepEqual(feedAll(framer, message + message + message.slice(0, 10)), [message, message]);
    assert.equal(framer.pending, 10);
    assert.deepEqual(feedAll(framer, message.slice(10)), [message]);
  });

  test('frames a message fed one byte at a time', () => {
    const framer = new StreamFramer();
    const message = request('byte by byte');
    const out = feedAll(framer, ...message.split(''));
    assert.deepEqual(out, [message]);
  });

  test('reports a double-CRLF ping and frames the message that follows it', () => {
    const framer = new StreamFramer();
    let pings = 0;
    framer.on('ping', () => pings++);
    const message = request();
    assert.deepEqual(feedAll(framer, `\r\n\r\n${message}`), [message]);
    assert.equal(pings, 1);
  });

  test('reports a ping split across chunks once', () => {
    const framer = new StreamFramer();
    let pings = 0;
    framer.on('ping', () => pings++);
    assert.deepEqual(feedAll(framer, '\r\n', '\r', '\n'), []);
    assert.equal(pings, 1);
    assert.equal(framer.pending, 0);
  });

  test('ignores a single CRLF (a pong) before a message without reporting a ping', () => {
    const framer = new StreamFramer();
    let pings = 0;
    framer.on('ping', () => pings++);
    const message = request();
    assert.deepEqual(feedAll(framer, '\r\n', message), [message]);
    assert.equal(pings, 0);
  });

  test('accepts the compact form l and a message without body', () => {
    const framer = new StreamFramer();
    const message = request('', 'l: 0\r\n');
    assert.deepEqual(feedAll(framer, message), [message]);
  });

  test('fails with 400 when Content-Length is missing', () => {
    const err = framingError(new StreamFramer(), request('', ''));
    assert.equal(err.status, 400);
    assert.match(err.message, /required/);
    assert.match(err.data.toString(), /^OPTIONS sip:127\.0\.0\.1 SIP\/2\.0\r\n/);
  });

  test('fails with 400 when Content-Length is negative', () => {
    assert.equal(framingError(new StreamFramer(), request('', 'Content-Length: -1\r\n')).status, 400);
  });

  test('fails with 400 when Content-Length is not a number', () => {
    assert.equal(framingError(new StreamFramer(), request('', 'Content-Length: ten\r\n')).status, 400);
  });

  test('fails with 400 when two Content-Length headers disagree', () => {
    const err = framingError(new StreamFramer(), request('abc', 'Content-Length: 3\r\nl: 4\r\n'));
    assert.equal(err.status, 400);
    assert.match(err.message, /conflicting/);
  });

  test('fails with 513 when the header section does not end within the maximum size', () => {
    const framer = new StreamFramer({ maxSize: 1024 });
    const padding = `X-Padding: ${'a'.repeat(2000)}\r\n`;
    const err = framingError(framer, `OPTIONS sip:127.0.0.1 SIP/2.0\r\n${padding}`);
    assert.equal(err.status, 513);
    assert.equal(err.data.length, 1024);
  });

  test('fails with 513 when Content-Length announces a body beyond the maximum size', () => {
    const err = framingError(new StreamFramer({ maxSize: 1024 }), request('', 'Content-Length: 5000\r\n'));
    assert.equal(err.status, 513);
  });

  test('yields the messages before a framing error and then refuses further input', () => {
    const framer = new StreamFramer();
    const good = request('ok');
    const out: string[] = [];
    assert.throws(() => {
      for (const message of framer.feed(Buffer.from(good + request('', '')))) out.push(message.toString());
    }, FramingError);
    assert.deepEqual(out, [good]);
    assert.throws(() => framer.feed(Buffer.from(good)), /after framing error/);
  });
});

describe('readContentLength', () => {
  test('reads a folded Content-Length value', () => {
    assert.equal(readContentLength(Buffer.from('INVITE sip:a@b SIP/2.0\r\nContent-Length:\r\n  42\r\n\r\n')), 42);
  });

  test('is undefined when the header is absent', () => {
    assert.equal(readContentLength(Buffer.from('SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n')), undefined);
  });

  test('accepts repeated identical values', () => {
    assert.equal(readContentLength(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 7\r\ncontent-length: 7\r\n\r\n')), 7);
  });
});
