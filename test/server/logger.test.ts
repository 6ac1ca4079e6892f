import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/server/logger.ts';
import { itemAt } from '../support/item-at.ts';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

test('lines are JSON with level, time and message', () => {
  const { lines, destination } = capture();
  createLogger({ level: 'info', pretty: false, destination }).info({ extension: '1001' }, 'registered');
  const line = JSON.parse(itemAt(lines, 0));
  assert.equal(line.level, 30);
  assert.equal(line.msg, 'registered');
  assert.equal(line.extension, '1001');
  assert.equal(typeof line.time, 'number');
});

test('secrets are masked in fields and in child bindings, at any depth and case', () => {
  const { lines, destination } = capture();
  const logger = createLogger({ level: 'info', pretty: false, destination });
  const headers = { Authorization: 'Digest username="1001", response="abc"', 'Proxy-Authorization': 'Digest x', via: 'SIP/2.0/UDP h' };
  logger.child({ password: 'child-pw', peer: { Authorization: 'child-auth' } }).info({ headers, extension: { sipSecret: 'top', secret: 's', password: 'p' } }, 'x');
  const text = lines.join('');
  for (const secret of ['child-pw', 'child-auth', 'response="abc"', 'Digest x', 'top', '"s"', '"p"']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  const line = JSON.parse(itemAt(lines, 0));
  assert.equal(line.headers.via, 'SIP/2.0/UDP h');
  assert.equal(line.headers.Authorization, '[redacted]');
  assert.equal(line.extension.sipSecret, '[redacted]');
  assert.equal(headers.Authorization, 'Digest username="1001", response="abc"');
});

test('errors keep their message and stack', () => {
  const { lines, destination } = capture();
  createLogger({ level: 'info', pretty: false, destination }).error({ err: new Error('boom') }, 'failed');
  const line = JSON.parse(itemAt(lines, 0));
  assert.equal(line.err.message, 'boom');
  assert.match(line.err.stack, /boom/);
});

test('levels below the configured one are dropped', () => {
  const { lines, destination } = capture();
  const logger = createLogger({ level: 'warn', pretty: false, destination });
  logger.info('quiet');
  logger.warn('loud');
  assert.equal(lines.length, 1);
  assert.match(itemAt(lines, 0), /loud/);
});

test('pretty output is a readable line, still without secrets', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  createLogger({ level: 'info', pretty: true, destination }).info({ password: 'hunter2' }, 'hello there');
  const text = lines.join('');
  assert.match(text, /INFO.*hello there/);
  assert.ok(!text.startsWith('{'));
  assert.ok(!text.includes('hunter2'));
});
