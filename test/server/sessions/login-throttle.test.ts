import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from '../../../src/server/sessions/login-throttle.ts';

test('a key is locked at the limit, for a fixed time counted from the failure that locked it', () => {
  let now = 0;
  const throttle = new LoginThrottle({ limit: 3, windowMs: 100, banMs: 1000 }, () => now);
  assert.equal(throttle.recordFailure('k'), undefined);
  assert.equal(throttle.recordFailure('k'), undefined);
  assert.equal(throttle.recordFailure('k'), 1000);
  now = 500;
  assert.equal(throttle.recordFailure('k'), undefined, 'a failure during the lock neither counts nor prolongs it');
  assert.equal(throttle.lockedUntil('k'), 1000);
  now = 1000;
  assert.equal(throttle.lockedUntil('k'), undefined);
  assert.equal(throttle.recordFailure('k'), undefined, 'the count starts afresh after a lock');
});

test('a success clears the failures but not a running lock', () => {
  const now = 0;
  const throttle = new LoginThrottle({ limit: 2, windowMs: 100, banMs: 1000 }, () => now);
  throttle.recordFailure('k');
  throttle.recordSuccess('k');
  assert.equal(throttle.recordFailure('k'), undefined);
  assert.equal(throttle.recordFailure('k'), 1000);
  throttle.recordSuccess('k');
  assert.equal(throttle.lockedUntil('k'), 1000);
});

test('memory is bounded: the least recently failed keys are forgotten first', () => {
  const throttle = new LoginThrottle({ limit: 5, windowMs: 100, banMs: 1000, maxTrackedKeys: 3 }, () => 0);
  for (const key of ['a', 'b', 'c', 'd']) throttle.recordFailure(key);
  assert.equal(throttle.trackedKeys, 3);
});
