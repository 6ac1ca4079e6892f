import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, DEFAULT_RETRY_POLICY, nextDelay, parseRetryAfter, type RetryPolicy } from '../../../src/dynamics/web-api/retry-schedule.ts';

const POLICY: RetryPolicy = { maxThrottledAttempts: 3, maxTransientAttempts: 4, baseBackoffMs: 1000, maxBackoffMs: 6000, maxRetryAfterMs: 60_000 };
const NOW = Date.UTC(2026, 11, 7, 8, 0, 0);

describe('the retry schedule', () => {
  test('a 429 waits exactly its Retry-After, whatever the jitter, until the throttled attempts run out', () => {
    for (const random of [() => 0, () => 0.99]) {
      assert.equal(nextDelay({ kind: 'throttled', retryAfterMs: 7000 }, { throttled: 1, transient: 0 }, POLICY, random), 7000);
      assert.equal(nextDelay({ kind: 'throttled', retryAfterMs: 0 }, { throttled: 2, transient: 3 }, POLICY, random), 0);
    }
    assert.equal(
      nextDelay({ kind: 'throttled', retryAfterMs: 7000 }, { throttled: 3, transient: 0 }, POLICY, () => 0),
      undefined,
    );
  });

  test('a Retry-After longer than the client sleeps through gives up at once, retryable later', () => {
    assert.equal(
      nextDelay({ kind: 'throttled', retryAfterMs: 60_001 }, { throttled: 1, transient: 0 }, POLICY, () => 0),
      undefined,
    );
    assert.equal(
      nextDelay({ kind: 'transient', retryAfterMs: 60_001 }, { throttled: 0, transient: 1 }, POLICY, () => 0),
      undefined,
    );
  });

  test('transient failures back off exponentially, half of each step jittered, capped', () => {
    const low = [1, 2, 3, 4, 5].map((n) => backoff(n, POLICY, () => 0));
    const high = [1, 2, 3, 4, 5].map((n) => backoff(n, POLICY, () => 1));
    assert.deepEqual(low, [500, 1000, 2000, 3000, 3000]);
    assert.deepEqual(high, [1000, 2000, 4000, 6000, 6000]);
    assert.equal(
      backoff(2, POLICY, () => 0.5),
      1500,
    );
  });

  test('transient failures are retried until maxTransientAttempts, then given up; a 503 Retry-After is taken as it is', () => {
    const delays = [1, 2, 3, 4].map((transient) => nextDelay({ kind: 'transient', retryAfterMs: undefined }, { throttled: 0, transient }, POLICY, () => 0));
    assert.deepEqual(delays, [500, 1000, 2000, undefined]);
    assert.equal(
      nextDelay({ kind: 'transient', retryAfterMs: 2500 }, { throttled: 0, transient: 1 }, POLICY, () => 0.9),
      2500,
    );
  });

  test('a 429 without a usable Retry-After backs off by its own count', () => {
    assert.equal(
      nextDelay({ kind: 'throttled', retryAfterMs: undefined }, { throttled: 2, transient: 2 }, POLICY, () => 0),
      1000,
    );
  });

  test('the default policy retries a few transient failures and sleeps through up to five minutes of throttling', () => {
    assert.equal(DEFAULT_RETRY_POLICY.maxTransientAttempts, 4);
    assert.equal(
      nextDelay({ kind: 'throttled', retryAfterMs: 300_000 }, { throttled: 1, transient: 0 }, DEFAULT_RETRY_POLICY, () => 0),
      300_000,
    );
  });
});

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  test('reads delay-seconds and an HTTP-date, a date in the past as no wait', () => {
    assert.equal(parseRetryAfter('4', NOW), 4000);
    assert.equal(parseRetryAfter(' 120 ', NOW), 120_000);
    assert.equal(parseRetryAfter('0.25', NOW), 250);
    assert.equal(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW), 30_000);
    assert.equal(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW), 0);
  });

  test('is undefined when absent or unreadable', () => {
    for (const value of [null, undefined, '', 'soon', '-5', '00:00:04']) assert.equal(parseRetryAfter(value, NOW), undefined, String(value));
  });
});
