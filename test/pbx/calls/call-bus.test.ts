import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallBus } from '../../../src/pbx/calls/call-bus.ts';
import type { CallEvent } from '../../../src/pbx/calls/call-event.ts';
import { itemAt } from '../../support/item-at.ts';

function ringing(callId: string, extensions: string[]): CallEvent {
  return {
    type: 'ringing',
    callId,
    direction: 'internal',
    from: { number: '1001', extension: '1001' },
    to: { number: '1002', extension: '1002' },
    extensions,
    at: 1000,
  };
}

function recordingLogger() {
  const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
  return { lines, error: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) };
}

test('every subscriber gets each event synchronously, in subscription order', () => {
  const bus = new CallBus();
  const heard: string[] = [];
  bus.subscribe((e) => heard.push(`a:${e.callId}`));
  bus.subscribe((e) => heard.push(`b:${e.callId}`));
  bus.publish(ringing('c1', ['1002']));
  assert.deepEqual(heard, ['a:c1', 'b:c1']);
});

test('an extension subscriber hears only the events that name its extension', () => {
  const bus = new CallBus();
  const heard: string[] = [];
  bus.subscribeExtension('1002', (e) => heard.push(e.callId));
  bus.publish(ringing('for-1002', ['1002']));
  bus.publish(ringing('for-1003', ['1003']));
  bus.publish(ringing('for-both', ['1001', '1002']));
  bus.publish(ringing('named-twice', ['1002', '1002']));
  assert.deepEqual(heard, ['for-1002', 'for-both', 'named-twice']);
});

test('a throwing listener is logged and the others still hear the event', () => {
  const logger = recordingLogger();
  const bus = new CallBus(logger);
  const heard: string[] = [];
  bus.subscribe(() => {
    throw new Error('broken consumer');
  });
  bus.subscribeExtension('1002', () => {
    throw new Error('broken pane');
  });
  bus.subscribe((e) => heard.push(e.callId));
  bus.subscribeExtension('1002', (e) => heard.push(`ext:${e.callId}`));
  assert.doesNotThrow(() => bus.publish(ringing('c1', ['1002'])));
  assert.deepEqual(heard, ['c1', 'ext:c1']);
  assert.equal(logger.lines.length, 2);
  assert.deepEqual(itemAt(logger.lines, 0).fields.callId, 'c1');
  assert.match((itemAt(logger.lines, 0).fields.err as Error).message, /broken consumer/);
});

test('unsubscribing stops delivery, once, and leaves other subscriptions of the same function', () => {
  const bus = new CallBus();
  let count = 0;
  const listener = () => void count++;
  const first = bus.subscribe(listener);
  bus.subscribe(listener);
  const ext = bus.subscribeExtension('1002', listener);
  bus.publish(ringing('c1', ['1002']));
  assert.equal(count, 3);
  first();
  first();
  ext();
  bus.publish(ringing('c2', ['1002']));
  assert.equal(count, 4);
  assert.equal(bus.listenerCount, 1);
});

test('a listener may unsubscribe another while an event is delivered', () => {
  const bus = new CallBus();
  const heard: string[] = [];
  let second = () => {};
  bus.subscribe((e) => {
    heard.push(`first:${e.callId}`);
    second();
  });
  second = bus.subscribe((e) => heard.push(`second:${e.callId}`));
  bus.publish(ringing('c1', []));
  bus.publish(ringing('c2', []));
  assert.deepEqual(heard, ['first:c1', 'second:c1', 'first:c2']);
});
