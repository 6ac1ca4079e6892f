import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import type { Fault, FaultRequest } from '../../../src/sandbox/dataverse/fault-hook.ts';
import { createSandboxServer, type SandboxServer } from '../../../src/sandbox/sandbox-server.ts';
import { createLogger } from '../../../src/server/logger.ts';

const API = '/api/data/v9.2';
const PAGE = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };

let dataverse: Dataverse;
let server: SandboxServer;
let origin: string;
let decide: (request: FaultRequest) => Fault | undefined;
let seen: FaultRequest[];

before(async () => {
  dataverse = new Dataverse({ path: ':memory:', seed: false });
  server = createSandboxServer({
    host: '127.0.0.1',
    port: 0,
    dataverse,
    logger: createLogger({ level: 'silent', pretty: false }),
    faults: (request) => {
      seen.push(request);
      return decide(request);
    },
  });
  origin = await server.listen();
});
after(async () => {
  await server.close();
  dataverse.close();
});
beforeEach(() => {
  decide = () => undefined;
  seen = [];
});

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${origin}${API}/${path}`, { method, headers: PAGE, signal: AbortSignal.timeout(10_000), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

const contactCount = () => dataverse.retrieveMultiple('contacts', '?$count=true&$top=1').count ?? 0;

describe('the fault hook of createSandboxServer', () => {
  test('sees each Web API request, path without the query, and lets it through when it answers nothing', async () => {
    const response = await send('GET', 'contacts?$top=1');
    assert.equal(response.status, 200);
    assert.deepEqual(
      seen.map(({ method, path, url }) => ({ method, path, url })),
      [{ method: 'GET', path: 'contacts', url: `${API}/contacts?$top=1` }],
    );
  });

  test('throttle: 429 with Retry-After and the service protection error, the request not carried out', async () => {
    decide = (request) => (request.method === 'POST' ? { kind: 'throttle', retryAfterSeconds: 7 } : undefined);
    const response = await send('POST', 'contacts', { lastname: 'Throttled' });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, '0x80072322');
    assert.equal(contactCount(), 0);
  });

  test('unavailable: 503, the request not carried out', async () => {
    decide = () => ({ kind: 'unavailable' });
    const response = await send('POST', 'contacts', { lastname: 'Lost' });
    assert.equal(response.status, 503);
    assert.equal(contactCount(), 0);
  });

  test('a delay before: nothing is written while the answer is held', async () => {
    decide = () => ({ kind: 'delay', ms: 1500 });
    let answered = false;
    const pending = send('POST', 'contacts', { lastname: 'Late' }).then((response) => {
      answered = true;
      return response;
    });
    await waitFor(() => seen.length === 1);
    assert.equal(contactCount(), 0, 'not carried out yet');
    assert.equal(answered, false);
    assert.equal((await pending).status, 204);
    assert.equal(contactCount(), 1);
  });

  test('a delay after: the write is done while its answer is still held', async () => {
    decide = () => ({ kind: 'delay', ms: 1500, phase: 'after' });
    let answered = false;
    const pending = send('POST', 'contacts', { lastname: 'Done, not told' }).then((response) => {
      answered = true;
      return response;
    });
    await waitFor(() => contactCount() === 1);
    assert.equal(answered, false, 'the client does not know yet');
    assert.equal((await pending).status, 204);
  });
});

/** Polls a condition every 10 ms, up to 5 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((done) => setTimeout(done, 10));
  assert.ok(condition(), 'the condition became true');
}
