import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthFailureLimiter } from '../../src/pbx/auth-failure-limiter.ts';

function limiterAt(start = 1_000_000) {
  const clock = { now: start };
  const limiter = new AuthFailureLimiter({ limit: 3, windowMs: 60_000, banMs: 300_000 }, () => clock.now);
  return { limiter, clock };
}

test('bans an address after the limit of failures within the window', () => {
  const { limiter } = limiterAt();
  assert.deepEqual(limiter.recordFailure('10.0.0.1'), { banned: false, failures: 1 });
  assert.deepEqual(limiter.recordFailure('10.0.0.1'), { banned: false, failures: 2 });
  const third = limiter.recordFailure('10.0.0.1');
  assert.equal(third.banned, true);
  assert.equal(limiter.isBanned('10.0.0.1'), true);
  assert.equal(limiter.isBanned('10.0.0.2'), false);
});

test('forgets failures older than the window', () => {
  const { limiter, clock } = limiterAt();
  limiter.recordFailure('10.0.0.1');
  limiter.recordFailure('10.0.0.1');
  clock.now += 61_000;
  assert.deepEqual(limiter.recordFailure('10.0.0.1'), { banned: false, failures: 1 });
  assert.equal(limiter.isBanned('10.0.0.1'), false);
});

test('lifts a ban when its time is over', () => {
  const { limiter, clock } = limiterAt();
  for (let i = 0; i < 3; i++) limiter.recordFailure('10.0.0.1');
  clock.now += 299_000;
  assert.equal(limiter.isBanned('10.0.0.1'), true);
  clock.now += 2_000;
  assert.equal(limiter.isBanned('10.0.0.1'), false);
});

test('a success clears earlier failures but not an active ban', () => {
  const { limiter } = limiterAt();
  limiter.recordFailure('10.0.0.1');
  limiter.recordFailure('10.0.0.1');
  limiter.recordSuccess('10.0.0.1');
  assert.deepEqual(limiter.recordFailure('10.0.0.1'), { banned: false, failures: 1 });
  limiter.recordFailure('10.0.0.1');
  limiter.recordFailure('10.0.0.1');
  limiter.recordSuccess('10.0.0.1');
  assert.equal(limiter.isBanned('10.0.0.1'), true);
});

test('tracks a bounded number of addresses under a flood', () => {
  const limiter = new AuthFailureLimiter({ limit: 3, windowMs: 60_000, banMs: 1_000, maxTrackedAddresses: 100 });
  for (let i = 0; i < 5_000; i++) limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(limiter.trackedAddresses, 100);
});
