import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequestLimiter } from '../../../src/dynamics/web-api/request-limiter.ts';

describe('the request limiter', () => {
  test('lets at most its limit through, and the next waiter in order when one is released', async () => {
    const limiter = createRequestLimiter(2);
    const order: string[] = [];
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    const c = limiter.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = limiter.acquire().then((release) => {
      order.push('d');
      return release;
    });
    await Promise.resolve();
    assert.deepEqual([limiter.active, limiter.waiting, order.length], [2, 2, 0]);
    a();
    const releaseC = await c;
    assert.deepEqual([limiter.active, limiter.waiting, order], [2, 1, ['c']]);
    b();
    b(); // releasing twice frees one slot only
    const releaseD = await d;
    assert.deepEqual([limiter.active, limiter.waiting, order], [2, 0, ['c', 'd']]);
    releaseC();
    releaseD();
    assert.equal(limiter.active, 0);
  });

  test('a waiter whose signal aborts leaves the queue with the reason, and does not take a slot', async () => {
    const limiter = createRequestLimiter(1);
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('caller gave up'));
    await assert.rejects(waiting, /caller gave up/);
    assert.equal(limiter.waiting, 0);
    held();
    assert.equal(limiter.active, 0);
    await assert.rejects(limiter.acquire(AbortSignal.abort(new Error('already'))), /already/);
  });

  test('refuses a limit that is not a positive integer', () => {
    assert.throws(() => createRequestLimiter(0), RangeError);
    assert.throws(() => createRequestLimiter(1.5), RangeError);
  });
});
