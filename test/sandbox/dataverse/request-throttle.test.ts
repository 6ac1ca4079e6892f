import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastify, type FastifyInstance } from 'fastify';
import type { DataverseError } from '../../../src/sandbox/dataverse/dataverse-error.ts';
import type { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { RequestThrottle } from '../../../src/sandbox/dataverse/request-throttle.ts';
import { registerDataverseRoutes } from '../../../src/sandbox/dataverse/routes.ts';
import { SEED } from '../../../src/sandbox/dataverse/seed-data.ts';
import { expectDataverseError, FIXED_NOW, fixtureDataverse } from './dataverse-fixture.ts';

const T0 = FIXED_NOW.getTime();

function refused(work: () => unknown): DataverseError {
  return expectDataverseError(work, 429, '0x80072322');
}

describe('the request throttle', () => {
  test('is off until configured', () => {
    const throttle = new RequestThrottle();
    assert.equal(throttle.enabled, false);
    for (let i = 0; i < 100; i += 1) assert.equal(throttle.admit('a', T0), undefined);
  });

  test('counts each caller’s requests in the window and refuses the one over the limit with Retry-After', () => {
    const throttle = new RequestThrottle();
    throttle.configure({ requests: 3, windowMs: 60_000 });
    assert.deepEqual(
      [0, 1, 2].map((i) => throttle.admit('a', T0 + i * 10_000)?.remaining),
      [2, 1, 0],
    );
    const error = refused(() => throttle.admit('a', T0 + 30_000));
    assert.equal(error.message, 'Number of requests exceeded the limit of 3 over time window of 60 seconds.');
    // The oldest request leaves the window 60 s after T0, 30 s from now.
    assert.deepEqual(error.headers, { 'Retry-After': '30' });
    assert.equal(throttle.admit('b', T0 + 30_000)?.remaining, 2, 'another user has a budget of their own');
  });

  test('refuses a caller who retries early with the time still left, and admits it once the wait is over', () => {
    const throttle = new RequestThrottle();
    throttle.configure({ requests: 1, windowMs: 10_000, retryAfterSeconds: 20 });
    throttle.admit('a', T0);
    assert.equal(refused(() => throttle.admit('a', T0 + 1000)).headers['Retry-After'], '20');
    assert.equal(refused(() => throttle.admit('a', T0 + 15_500)).headers['Retry-After'], '6');
    assert.equal(throttle.admit('a', T0 + 21_000)?.remaining, 0);
  });

  test('a request that arrives as the window slides past the oldest one is admitted', () => {
    const throttle = new RequestThrottle();
    throttle.configure({ requests: 2, windowMs: 1000 });
    throttle.admit('a', T0);
    throttle.admit('a', T0 + 500);
    assert.equal(throttle.admit('a', T0 + 1000)?.remaining, 0);
  });

  test('reconfiguring forgets the counts, and undefined turns it off', () => {
    const throttle = new RequestThrottle();
    throttle.configure({ requests: 1 });
    throttle.admit('a', T0);
    throttle.configure({ requests: 1 });
    assert.equal(throttle.admit('a', T0)?.remaining, 0);
    throttle.configure(undefined);
    assert.equal(throttle.admit('a', T0), undefined);
  });

  test('refuses limits that make no sense', () => {
    const throttle = new RequestThrottle();
    assert.throws(() => throttle.configure({ requests: 0 }), RangeError);
    assert.throws(() => throttle.configure({ requests: 1.5 }), RangeError);
    assert.throws(() => throttle.configure({ requests: 1, windowMs: 0 }), RangeError);
    assert.throws(() => throttle.configure({ requests: 1, retryAfterSeconds: 0 }), RangeError);
  });
});

describe('service protection over HTTP', () => {
  let now: Date;
  let dataverse: Dataverse;
  let app: FastifyInstance;
  let currentUser: string;

  beforeEach(async () => {
    now = FIXED_NOW;
    currentUser = SEED.agentEnglish;
    dataverse = fixtureDataverse(() => now);
    app = fastify();
    registerDataverseRoutes(app, dataverse, { currentUserId: () => currentUser });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    dataverse.close();
  });

  const get = (url = '/api/data/v9.2/contacts?$top=1') => app.inject({ method: 'GET', url, headers: { 'sec-fetch-site': 'same-origin' } });

  test('without throttling every request is served and no rate-limit header is sent', async () => {
    for (let i = 0; i < 20; i += 1) {
      const response = await get();
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-ms-ratelimit-burst-remaining-xrm-requests'], undefined);
    }
  });

  test('switched on from a test, the request over the limit is 429 with Retry-After and Dataverse’s error body', async () => {
    dataverse.throttle({ requests: 2, windowMs: 300_000, retryAfterSeconds: 7 });
    assert.equal((await get()).headers['x-ms-ratelimit-burst-remaining-xrm-requests'], '1');
    assert.equal((await get()).headers['x-ms-ratelimit-burst-remaining-xrm-requests'], '0');
    const response = await get();
    assert.equal(response.statusCode, 429);
    assert.equal(response.headers['retry-after'], '7');
    assert.equal(response.headers['content-type'], 'application/json; odata.metadata=minimal');
    assert.deepEqual(response.json(), { error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 2 over time window of 300 seconds.' } });
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/data/v9.2/contacts', headers: { 'sec-fetch-site': 'same-origin' }, payload: { lastname: 'Throttled' } })).statusCode,
      429,
    );
    assert.equal(dataverse.retrieveMultiple('contacts', "?$filter=lastname eq 'Throttled'").records.length, 0, 'a refused write changes nothing');
  });

  test('counts per user, and lets a user back in once Retry-After has passed', async () => {
    dataverse.throttle({ requests: 1, windowMs: 60_000, retryAfterSeconds: 5 });
    assert.equal((await get()).statusCode, 200);
    assert.equal((await get()).statusCode, 429);
    currentUser = SEED.agentChinese;
    assert.equal((await get()).statusCode, 200, 'another user is not throttled');
    currentUser = SEED.agentEnglish;
    now = new Date(FIXED_NOW.getTime() + 61_000);
    assert.equal((await get()).statusCode, 200);
  });

  test('record calls made without HTTP count against the same budget through admitRequest', async () => {
    dataverse.throttle({ requests: 1, windowMs: 60_000 });
    assert.deepEqual(dataverse.admitRequest(SEED.agentEnglish), { remaining: 0 });
    assert.equal((await get()).statusCode, 429);
    dataverse.throttle(undefined);
    assert.equal((await get()).statusCode, 200);
  });
});
