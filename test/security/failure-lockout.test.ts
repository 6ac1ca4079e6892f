import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLockout } from '../../src/security/failure-lockout.ts';

test('a key is locked at the limit, for a fixed time counted from the failure that locked it', () => {
  let now = 0;
  const throttle = new FailureLockout({ limit: 3, windowMs: 100, banMs: 1000 }, () => now);
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
  const throttle = new FailureLockout({ limit: 2, windowMs: 100, banMs: 1000 }, () => now);
  throttle.recordFailure('k');
  throttle.recordSuccess('k');
  assert.equal(throttle.recordFailure('k'), undefined);
  assert.equal(throttle.recordFailure('k'), 1000);
  throttle.recordSuccess('k');
  assert.equal(throttle.lockedUntil('k'), 1000);
});

test('memory is bounded: the least recently failed keys are forgotten first', () => {
  const throttle = new FailureLockout({ limit: 5, windowMs: 100, banMs: 1000, maxTrackedKeys: 3 }, () => 0);
  for (const key of ['a', 'b', 'c', 'd']) throttle.recordFailure(key);
  assert.equal(throttle.trackedKeys, 3);
});

test('failures older than the window are forgotten', () => {
  let now = 0;
  const lockout = new FailureLockout({ limit: 3, windowMs: 60_000, banMs: 300_000 }, () => now);
  lockout.recordFailure('10.0.0.1');
  lockout.recordFailure('10.0.0.1');
  now = 61_000;
  assert.equal(lockout.recordFailure('10.0.0.1'), undefined);
  assert.equal(lockout.recordFailure('10.0.0.1'), undefined);
  assert.equal(lockout.recordFailure('10.0.0.1'), 361_000, 'the third failure within one window locks');
});

test('one key locked leaves the others alone, and a flood of keys stays bounded', () => {
  const lockout = new FailureLockout({ limit: 1, windowMs: 60_000, banMs: 1_000, maxTrackedKeys: 100 }, () => 0);
  lockout.recordFailure('10.0.0.1');
  assert.equal(lockout.lockedUntil('10.0.0.1'), 1_000);
  assert.equal(lockout.lockedUntil('10.0.0.2'), undefined);
  for (let i = 0; i < 5_000; i++) lockout.recordFailure(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(lockout.trackedKeys, 100);
});
