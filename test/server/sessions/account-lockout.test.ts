import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../api/api-fixture.ts';
import { ACCOUNT_LOCKOUT_POLICY, TRUSTED_ADDRESS_MS } from '../../../src/server/sessions/session-service.ts';

const MINUTE = 60_000;
let api: ApiFixture;
let address = 0;

/** Each attempt from a new address, as a botnet would: the per-address limit never trips. */
function attempt(login: string, password: string, from = `198.51.100.${++address}`) {
  return api.http.app.inject({ method: 'POST', url: '/api/session', payload: { login, password }, remoteAddress: from });
}

async function fail(login: string, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await attempt(login, `guess-${i}`)).statusCode);
  return statuses;
}

beforeEach(async () => {
  address = 0;
  api = await createApiFixture();
});
afterEach(() => api.close());

test('the default lockout is 5 failures within 15 minutes for 15 minutes', () => {
  assert.deepEqual(ACCOUNT_LOCKOUT_POLICY, { limit: 5, windowMs: 15 * MINUTE, banMs: 15 * MINUTE });
});

test('5 failures from 5 addresses lock the account: the right password is refused until the lock ends, then works', async () => {
  assert.deepEqual(await fail('1001', 5), [401, 401, 401, 401, 429]);
  const during = await attempt('1001', PASSWORDS['1001']);
  assert.equal(during.statusCode, 429);
  assert.deepEqual(during.json(), { error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many failed logins: try again later' } });
  assert.equal(during.headers['retry-after'], '900');
  api.advance(10 * MINUTE);
  assert.equal((await attempt('1001', PASSWORDS['1001'])).headers['retry-after'], '300', 'Retry-After counts down');
  assert.equal((await attempt('alice@example.com', PASSWORDS['1001'])).statusCode, 429, 'the e-mail login is the same account');
  assert.equal((await attempt('1002', PASSWORDS['1002'])).statusCode, 200, 'other accounts are not affected');
  api.advance(5 * MINUTE);
  assert.equal((await attempt('1001', PASSWORDS['1001'])).statusCode, 200, 'the lock ends by itself');
});

test('attempts during a lock do not prolong it, so an attacker holds an account shut for one lock at a time', async () => {
  await fail('1001', 5);
  for (let minute = 0; minute < 15; minute++) {
    assert.equal((await attempt('1001', 'still-guessing')).statusCode, 429);
    api.advance(MINUTE);
  }
  assert.equal((await attempt('1001', PASSWORDS['1001'])).statusCode, 200);
});

test('failures spread beyond the window do not lock, and a success clears the count', async () => {
  assert.deepEqual(await fail('1001', 4), [401, 401, 401, 401]);
  api.advance(16 * MINUTE);
  assert.deepEqual(await fail('1001', 4), [401, 401, 401, 401], 'the first four fell out of the window');
  assert.equal((await attempt('1001', PASSWORDS['1001'])).statusCode, 200);
  assert.deepEqual(await fail('1001', 4), [401, 401, 401, 401], 'the success started the count again');
});

test('unknown logins lock the same way, so a lock does not reveal which accounts exist', async () => {
  assert.deepEqual(await fail('1999', 5), [401, 401, 401, 401, 429]);
  assert.deepEqual(await fail('nobody@example.com', 5), [401, 401, 401, 401, 429]);
  const known = await attempt('1001', 'x');
  const unknown = await attempt('1999', 'x');
  assert.equal(known.statusCode, 401);
  assert.equal(unknown.statusCode, 429);
  await fail('1001', 4);
  const lockedKnown = await attempt('1001', 'x');
  assert.deepEqual([lockedKnown.statusCode, lockedKnown.json()], [unknown.statusCode, unknown.json()]);
});

test('an address lock and an account lock get the very same answer', async () => {
  const perAddress = await createApiFixture({ sessions: { loginFailurePolicy: { limit: 2, windowMs: MINUTE, banMs: 15 * MINUTE } } });
  try {
    for (const password of ['a', 'b'])
      await perAddress.http.app.inject({ method: 'POST', url: '/api/session', payload: { login: '1002', password }, remoteAddress: '203.0.113.9' });
    const byAddress = await perAddress.http.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: '1001', password: PASSWORDS['1001'] },
      remoteAddress: '203.0.113.9',
    });
    await fail('1001', 5);
    const byAccount = await attempt('1001', PASSWORDS['1001']);
    assert.equal(byAddress.statusCode, 429);
    assert.deepEqual(byAddress.json(), byAccount.json());
    // Both locks last 15 minutes; the seconds of scrypt between them may tip one over a second.
    assert.ok(Math.abs(Number(byAddress.headers['retry-after']) - Number(byAccount.headers['retry-after'])) <= 1);
  } finally {
    await perAddress.close();
  }
});

test('a lock set off from elsewhere does not keep the agent out at an address they signed in from before', async () => {
  const office = '203.0.113.7';
  assert.equal((await attempt('1001', PASSWORDS['1001'], office)).statusCode, 200);
  assert.deepEqual(await fail('1001', 5), [401, 401, 401, 401, 429]);
  assert.equal((await attempt('1001', PASSWORDS['1001'])).statusCode, 429, 'a new address is locked out');
  assert.equal((await attempt('1001', PASSWORDS['1001'], office)).statusCode, 200, "the agent's own address is not");
  assert.equal((await attempt('1001', 'wrong', office)).statusCode, 401, 'a wrong password there is still wrong');
  api.advance(TRUSTED_ADDRESS_MS);
  await fail('1001', 5);
  assert.equal((await attempt('1001', PASSWORDS['1001'], office)).statusCode, 429, 'the trust ends after its time');
});

test('IPv6 addresses of one /64 share one per-address limit: a fresh address per guess does not escape it', async () => {
  const limited = await createApiFixture({ sessions: { loginFailurePolicy: { limit: 3, windowMs: MINUTE, banMs: MINUTE } } });
  try {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const response = await limited.http.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { login: `guess${i}@example.com`, password: 'x' },
        remoteAddress: `2001:db8:1:2::${i}`,
      });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 429, 429]);
    const elsewhere = await limited.http.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: '1001', password: PASSWORDS['1001'] },
      remoteAddress: '2001:db8:1:3::1',
    });
    assert.equal(elsewhere.statusCode, 200, 'the next /64 is another client');
  } finally {
    await limited.close();
  }
});

test("an account trusts at most its ten latest addresses, and no other account's sign-ins push them out", async () => {
  const office = '203.0.113.7';
  assert.equal((await attempt('1001', PASSWORDS['1001'], office)).statusCode, 200);
  for (let i = 0; i < 20; i++) assert.equal((await attempt('1002', PASSWORDS['1002'], `192.0.2.${i + 1}`)).statusCode, 200);
  await fail('1001', 5);
  assert.equal((await attempt('1001', PASSWORDS['1001'], office)).statusCode, 200, 'still trusted');
  api.advance(15 * MINUTE);
  for (let i = 0; i < 10; i++) assert.equal((await attempt('1001', PASSWORDS['1001'], `192.0.2.${100 + i}`)).statusCode, 200);
  await fail('1001', 5);
  assert.equal((await attempt('1001', PASSWORDS['1001'], office)).statusCode, 429, 'ten newer addresses of its own pushed it out');
});
