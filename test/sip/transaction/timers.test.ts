import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../src/sip/transaction/index.ts';
import { TimerSet } from '../../../src/sip/transaction/timers.ts';
import { FakeClock } from '../../support/fake-clock.ts';

test('a timer started again under the same name replaces the running one', () => {
  const clock = new FakeClock();
  const timers = new TimerSet<'A'>(clock);
  const fired: number[] = [];
  timers.start('A', 100, () => fired.push(clock.now()));
  clock.advance(50);
  timers.start('A', 100, () => fired.push(clock.now()));
  clock.advance(500);
  assert.deepEqual(fired, [150]);
});

test('stopAll cancels every running timer', () => {
  const clock = new FakeClock();
  const timers = new TimerSet<'A' | 'B'>(clock);
  let fired = 0;
  timers.start('A', 10, () => fired++);
  timers.start('B', 20, () => fired++);
  timers.stopAll();
  clock.advance(100);
  assert.equal(fired, 0);
  assert.equal(clock.pending, 0);
});

test('the system clock fires and cancels real timers', async () => {
  let fired = 0;
  systemClock.setTimeout(() => fired++, 5);
  systemClock.clearTimeout(systemClock.setTimeout(() => fired++, 5));
  // a ref'd timer keeps the loop alive: the system clock's own timers are unref'd
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(fired, 1);
  assert.ok(Math.abs(systemClock.now() - Date.now()) < 1000);
});
