import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { WebApiErrorCode } from '../../../src/dynamics/dynamics-errors.ts';
import { createClientCredentialsTokenSource } from '../../../src/dynamics/web-api/token-source.ts';
import { createWebApiClient, loggedPath, type WebApiClient, type WebApiClientOptions } from '../../../src/dynamics/web-api/web-api-client.ts';
import { WebApiError } from '../../../src/dynamics/web-api/web-api-error.ts';
import type { RetryPolicy } from '../../../src/dynamics/web-api/retry-schedule.ts';
import { APP, recordingLogger, startSandboxOrg, type LogLine, type SandboxOrg } from './sandbox-org.ts';

const POLICY: RetryPolicy = { maxThrottledAttempts: 4, maxTransientAttempts: 3, baseBackoffMs: 1000, maxBackoffMs: 8000, maxRetryAfterMs: 60_000 };
const CONTACT = 'c0ffee00-0000-4000-8000-0000000000c1';

let org: SandboxOrg;
let sleeps: number[];
let lines: LogLine[];
const clients: WebApiClient[] = [];

before(async () => {
  org = await startSandboxOrg();
  org.dataverse.create('contacts', { contactid: CONTACT, firstname: 'Casey', lastname: 'Caller', telephone1: '+1 415 555 0177' });
});
after(async () => {
  for (const client of clients) client.close();
  await org.close();
});
beforeEach(() => {
  sleeps = [];
  lines = [];
  org.faults.length = 0;
});

function client(overrides: Partial<WebApiClientOptions> = {}, target: SandboxOrg = org): WebApiClient {
  const tokens = createClientCredentialsTokenSource({
    tokenUrl: target.tokenUrl,
    clientId: APP.clientId,
    credential: { kind: 'secret', clientSecret: APP.clientSecret },
    resource: target.origin,
  });
  const created = createWebApiClient({
    orgUrl: target.origin,
    tokens,
    maxConcurrentRequests: 16,
    requestTimeoutMs: 5000,
    logger: recordingLogger(lines),
    retry: POLICY,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  clients.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<WebApiError> {
  const error = await promise.then(
    () => assert.fail('expected the request to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof WebApiError, `expected a WebApiError, got ${String(error)}`);
  return error;
}

describe('the Web API client against the sandbox org', () => {
  test('sends the OData headers, a bearer token and JSON, and returns the parsed answer with its request id', async () => {
    const api = client();
    const created = await api.request({
      method: 'POST',
      path: 'phonecalls',
      body: { subject: 'Call from Dana', directioncode: false },
      headers: { Prefer: 'return=representation' },
    });
    assert.equal(created.status, 201);
    assert.equal((created.body as { subject: string }).subject, 'Call from Dana');
    const sent = org.seen.at(-1);
    assert.equal(sent?.headers['odata-maxversion'], '4.0');
    assert.equal(sent?.headers['odata-version'], '4.0');
    assert.equal(sent?.headers.accept, 'application/json');
    assert.equal(sent?.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(sent?.headers.prefer, 'return=representation');
    assert.match(String(sent?.headers.authorization), /^Bearer [A-Za-z0-9_-]{43}$/);

    const read = await api.request({ method: 'GET', path: `contacts(${CONTACT})?$select=fullname` });
    assert.equal((read.body as { fullname: string }).fullname, 'Casey Caller');
    const whoAmI = await api.request({ method: 'GET', path: 'WhoAmI' });
    assert.match((whoAmI.body as { UserId: string }).UserId, /^[0-9a-f-]{36}$/);
  });

  test('returns a status the caller accepts instead of throwing it; a 204 has no body', async () => {
    const api = client();
    const missing = await api.request({ method: 'GET', path: 'contacts(00000000-0000-4000-8000-00000000dead)', accept: [404] });
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error: { code: string } }).error.code, '0x80040217');
    const created = await api.request({ method: 'POST', path: 'phonecalls', body: { subject: 'Call' } });
    assert.equal(created.status, 204);
    const entityId = created.headers.get('odata-entityid') ?? '';
    const id = /\(([0-9a-f-]{36})\)$/.exec(entityId)?.[1];
    const updated = await api.request({ method: 'PATCH', path: `phonecalls(${id})`, body: { description: 'Wants a quote' }, headers: { 'If-Match': '*' } });
    assert.equal(updated.status, 204);
    assert.equal(updated.body, undefined);
  });

  test("a 400 is refused for good with Dataverse's code and message, after one attempt", async () => {
    const api = client();
    const before = org.seen.length;
    org.faults.push({ status: 400, body: { error: { code: '0x80048d19', message: "Error identified in Payload provided by the user for Entity :'phonecalls'" } } });
    const error = await failure(api.request({ method: 'POST', path: 'phonecalls', body: { subject: 'x' } }));
    assert.equal(error.code, WebApiErrorCode.REFUSED);
    assert.equal(error.retryable, false);
    assert.equal(error.status, 400);
    assert.equal(error.dataverseCode, '0x80048d19');
    assert.equal(error.requestId, `fault-${before + 1}`);
    assert.match(error.message, /^POST phonecalls: 400 Error identified in Payload/);
    assert.equal(org.seen.length - before, 1);
    assert.deepEqual(sleeps, []);
  });

  test('a 429 waits exactly its Retry-After before each new attempt, then succeeds', async () => {
    const api = client();
    const before = org.seen.length;
    org.faults.push({ status: 429, headers: { 'retry-after': '7' } }, { status: 429, headers: { 'retry-after': '2' } });
    const answer = await api.request({ method: 'GET', path: 'WhoAmI' });
    assert.equal(answer.status, 200);
    assert.deepEqual(sleeps, [7000, 2000]);
    assert.equal(org.seen.length - before, 3);
  });

  test('still throttled after the attempts allowed: a retryable THROTTLED error, nothing lost', async () => {
    const api = client();
    const before = org.seen.length;
    for (let i = 0; i < 10; i++) org.faults.push({ status: 429, headers: { 'retry-after': '1' } });
    const error = await failure(api.request({ method: 'GET', path: 'WhoAmI' }));
    assert.equal(error.code, WebApiErrorCode.THROTTLED);
    assert.equal(error.retryable, true);
    assert.equal(error.status, 429);
    assert.equal(org.seen.length - before, POLICY.maxThrottledAttempts);
    assert.deepEqual(sleeps, [1000, 1000, 1000]);
  });

  test('a Retry-After longer than the client waits fails retryable at once, without sleeping', async () => {
    const api = client();
    org.faults.push({ status: 429, headers: { 'retry-after': '3600' } });
    const error = await failure(api.request({ method: 'GET', path: 'WhoAmI' }));
    assert.equal(error.code, WebApiErrorCode.THROTTLED);
    assert.deepEqual(sleeps, []);
  });

  test('5xx answers are retried after a jittered exponential back-off, then given up as UNAVAILABLE (retryable)', async () => {
    const api = client();
    const before = org.seen.length;
    org.faults.push({ status: 500 }, { status: 502 }, { status: 503 }, { status: 503 });
    const error = await failure(api.request({ method: 'GET', path: 'WhoAmI' }));
    assert.equal(error.code, WebApiErrorCode.UNAVAILABLE);
    assert.equal(error.retryable, true);
    assert.equal(error.status, 503);
    assert.equal(error.requestId, `fault-${before + 3}`);
    assert.equal(org.seen.length - before, POLICY.maxTransientAttempts);
    // random() = 0.5: three quarters of each step (1 s, 2 s).
    assert.deepEqual(sleeps, [750, 1500]);
    assert.equal(org.faults.length, 1, 'the fourth fault was never asked for');
  });

  test('a 503 with Retry-After waits that, and a 5xx followed by success returns the success', async () => {
    const api = client();
    org.faults.push({ status: 503, headers: { 'retry-after': '5' } });
    assert.equal((await api.request({ method: 'GET', path: 'WhoAmI' })).status, 200);
    assert.deepEqual(sleeps, [5000]);
  });

  test('an attempt that gets no answer in time is abandoned and retried, then given up as UNAVAILABLE', async () => {
    const api = client({ requestTimeoutMs: 200 });
    const before = org.seen.length;
    org.faults.push({ hang: true }, { hang: true }, { hang: true });
    const error = await failure(api.request({ method: 'GET', path: 'WhoAmI' }));
    assert.equal(error.code, WebApiErrorCode.UNAVAILABLE);
    assert.equal(error.status, 0);
    assert.match(error.message, /no answer within 200 ms/);
    assert.equal(org.seen.length - before, 3);
    assert.equal(sleeps.length, 2);
  });

  test('a slow answer once, then a prompt one: the request succeeds on its second attempt', async () => {
    const api = client({ requestTimeoutMs: 200 });
    const before = org.seen.length;
    org.faults.push({ hang: true });
    assert.equal((await api.request({ method: 'GET', path: 'WhoAmI' })).status, 200);
    assert.equal(org.seen.length - before, 2);
  });

  test('a 401 drops the token and tries once more with a new one', async () => {
    const api = client();
    await api.request({ method: 'GET', path: 'WhoAmI' });
    const tokensBefore = org.tokenRequests.length;
    const before = org.seen.length;
    org.faults.push({ status: 401, body: '' });
    assert.equal((await api.request({ method: 'GET', path: 'WhoAmI' })).status, 200);
    assert.equal(org.tokenRequests.length - tokensBefore, 1);
    assert.equal(org.seen.length - before, 2);
    assert.notEqual(org.seen.at(-1)?.headers.authorization, org.seen.at(-2)?.headers.authorization);
  });

  test('a second 401 with a fresh token is UNAUTHORIZED, not retried further', async () => {
    const api = client();
    const before = org.seen.length;
    org.faults.push({ status: 401, body: '' }, { status: 401, body: '' });
    const error = await failure(api.request({ method: 'GET', path: 'WhoAmI' }));
    assert.equal(error.code, WebApiErrorCode.UNAUTHORIZED);
    assert.equal(error.retryable, false);
    assert.match(error.message, /application user/);
    assert.equal(org.seen.length - before, 2);
  });

  test('follows an absolute nextLink on the org, and refuses any path off its Web API without sending it', async () => {
    const api = client();
    const link = `${org.origin}/api/data/v9.2/contacts?$select=fullname&$top=1`;
    assert.equal((await api.request({ method: 'GET', path: link })).status, 200);
    const before = org.seen.length;
    const tokensBefore = org.tokenRequests.length;
    for (const path of [
      'https://evil.example/api/data/v9.2/contacts',
      `${org.origin}/api/data/v9.1/contacts`,
      '../v9.1/contacts',
      '/api/data/v9.2/contacts',
      `${org.origin}/main.aspx`,
    ]) {
      const error = await failure(api.request({ method: 'GET', path }));
      assert.equal(error.code, WebApiErrorCode.PATH_REFUSED, path);
      assert.equal(error.retryable, false);
    }
    assert.equal(org.seen.length, before);
    assert.equal(org.tokenRequests.length, tokensBefore);
  });

  test('a connection that fails is retried, then UNAVAILABLE', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const tokens = { token: async () => 'unused-token', invalidate: () => {} };
    const api = client({ orgUrl: `http://127.0.0.1:${closedPort}`, tokens });
    const error = await failure(api.request({ method: 'GET', path: 'WhoAmI' }));
    assert.equal(error.code, WebApiErrorCode.UNAVAILABLE);
    assert.match(error.message, /connection failed \(ECONNREFUSED\)/);
    assert.equal(sleeps.length, POLICY.maxTransientAttempts - 1);
  });

  test('logs every attempt with method, path without query values, status, attempt and request id; never the token', async () => {
    const api = client();
    org.faults.push({ status: 429, headers: { 'retry-after': '1' } });
    await api.request({ method: 'GET', path: "contacts?$select=fullname&$filter=telephone1 eq '+1 415 555 0177'" });
    const attempts = lines.filter((line) => line.message.startsWith('dataverse request'));
    assert.deepEqual(
      attempts.map(({ level, fields }) => [level, fields.method, fields.path, fields.status, fields.attempt]),
      [
        ['warn', 'GET', 'contacts?$select&$filter', 429, 1],
        ['info', 'GET', 'contacts?$select&$filter', 200, 2],
      ],
    );
    assert.equal(attempts[0]?.fields.retryInMs, 1000);
    assert.match(String(attempts[0]?.fields.requestId), /^fault-/);
    assert.equal(typeof attempts[1]?.fields.ms, 'number');
    const token = String(org.seen.at(-1)?.headers.authorization).slice('Bearer '.length);
    assert.ok(!JSON.stringify(lines).includes(token));
    assert.ok(!JSON.stringify(lines).includes('555'));
  });

  test("close() ends a request in flight and refuses new ones as CLOSED (retryable); a caller's abort rejects with its reason", async () => {
    const api = client();
    org.faults.push({ hang: true });
    const inFlight = api.request({ method: 'GET', path: 'WhoAmI' });
    while (org.faults.length > 0) await new Promise((resolve) => setImmediate(resolve));
    api.close();
    const closed = await failure(inFlight);
    assert.equal(closed.code, WebApiErrorCode.CLOSED);
    assert.equal(closed.retryable, true);
    assert.equal((await failure(api.request({ method: 'GET', path: 'WhoAmI' }))).code, WebApiErrorCode.CLOSED);

    const open = client();
    org.faults.push({ hang: true });
    const controller = new AbortController();
    const abandoned = open.request({ method: 'GET', path: 'WhoAmI' }, controller.signal);
    while (org.faults.length > 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('worker stopping'));
    await assert.rejects(abandoned, /worker stopping/);
  });
});

describe('the concurrency cap', () => {
  test('never has more requests on the wire than maxConcurrentRequests', async () => {
    const slow = await startSandboxOrg({ answerDelayMs: 30 });
    try {
      const api = client({ maxConcurrentRequests: 3 }, slow);
      const answers = await Promise.all(Array.from({ length: 12 }, () => api.request({ method: 'GET', path: 'WhoAmI' })));
      assert.equal(answers.length, 12);
      assert.equal(slow.seen.length, 12);
      assert.equal(slow.concurrency.max, 3);
    } finally {
      await slow.close();
    }
  });
});

describe('what a log line shows of a path', () => {
  test('keeps the resource and the query option names, drops values and quoted literals', () => {
    const base = 'https://contoso.crm.dynamics.com/api/data/v9.2/';
    assert.equal(loggedPath(`${base}contacts?$select=fullname&$filter=emailaddress1%20eq%20'a@b.example'`, base), 'contacts?$select&$filter');
    assert.equal(loggedPath(`${base}phonecalls(0a9c0000-0000-4000-8000-000000000001)`, base), 'phonecalls(0a9c0000-0000-4000-8000-000000000001)');
    assert.equal(loggedPath(`${base}contacts(emailaddress1='a@b.example')`, base), "contacts(emailaddress1='…')");
    assert.equal(loggedPath(`${base}contacts(emailaddress1=%27a@b.example%27)`, base), "contacts(emailaddress1='…')");
    assert.equal(loggedPath(`${base}contacts?$select=fullname&$deltatoken=919042%2108%2f22%2f2017`, base), 'contacts?$select&$deltatoken');
  });
});
