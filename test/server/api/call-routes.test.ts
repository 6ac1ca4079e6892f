import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { NewCallRecord } from '../../../src/store/call-record-repository.ts';
import { createApiFixture, type ApiFixture } from './api-fixture.ts';
import { itemAt } from '../../support/item-at.ts';

let api: ApiFixture;
let alice: string;
let bob: string;

beforeEach(async () => {
  api = await createApiFixture();
  alice = await api.login('1001');
  bob = await api.login('1002');
});
afterEach(() => api.close());

function open(id: string, startedAt: number, extensions: string[]): void {
  const record: NewCallRecord = {
    id,
    direction: 'internal',
    from: { number: itemAt(extensions, 0), name: null },
    to: { number: '1099', name: null },
    trunk: null,
    startedAt,
    extensions,
  };
  api.calls.open(record);
}

function get(url: string, token?: string) {
  return api.http.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

test("the list holds the caller's own calls, newest first, in pages joined by nextCursor", async () => {
  for (let i = 0; i < 5; i++) open(`alice-${i}`, 1000 + i, ['1001']);
  open('bob-only', 2000, ['1002']);
  open('shared', 3000, ['1001', '1002']);

  const first = await get('/api/calls?limit=4', alice);
  assert.equal(first.statusCode, 200);
  const page1 = first.json();
  assert.deepEqual(
    page1.calls.map((c: { id: string }) => c.id),
    ['shared', 'alice-4', 'alice-3', 'alice-2'],
  );
  assert.equal(typeof page1.nextCursor, 'string');

  const second = (await get(`/api/calls?limit=4&before=${encodeURIComponent(page1.nextCursor)}`, alice)).json();
  assert.deepEqual(
    second.calls.map((c: { id: string }) => c.id),
    ['alice-1', 'alice-0'],
  );
  assert.equal(second.nextCursor, null);

  const bobs = (await get('/api/calls', bob)).json();
  assert.deepEqual(
    bobs.calls.map((c: { id: string }) => c.id),
    ['shared', 'bob-only'],
  );
});

test('a call record comes back with its fields', async () => {
  open('c1', 1000, ['1001']);
  api.calls.answer('c1', 3000, '1099');
  api.calls.end('c1', { endedAt: 10_000, disposition: 'answered', talkSeconds: 7, reason: 'BYE' });
  const response = await get('/api/calls/c1', alice);
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), {
    id: 'c1',
    direction: 'internal',
    from: { number: '1001', name: null },
    to: { number: '1099', name: null },
    trunk: null,
    startedAt: 1000,
    answeredAt: 3000,
    answeredBy: '1099',
    endedAt: 10_000,
    talkSeconds: 7,
    disposition: 'answered',
    endReason: 'BYE',
    crm: { entity: null, recordId: null, recordName: null, activityId: null, logState: null, notes: null },
    quality: null,
    extensions: ['1001'],
  });
});

test('a call shows the audio quality the media relay measured, per direction', async () => {
  open('c1', 1000, ['1001']);
  const quality = {
    poor: true,
    legs: [
      { party: 'caller' as const, packets: 1500, packetsLost: 0, lossRatio: 0, jitterMs: 2.5, mos: 4.3 },
      { party: 'callee' as const, packets: 1400, packetsLost: 100, lossRatio: 0.0667, jitterMs: 61, mos: null },
    ],
  };
  assert.equal(api.calls.saveQuality('c1', quality), true);
  assert.deepEqual((await get('/api/calls/c1', alice)).json().quality, quality);
  assert.deepEqual((await get('/api/calls', alice)).json().calls[0].quality, quality);
});

test("another extension's call answers exactly like a call that does not exist", async () => {
  open('bobs-call', 1000, ['1002']);
  const theirs = await get('/api/calls/bobs-call', alice);
  const missing = await get('/api/calls/no-such-call', alice);
  assert.equal(theirs.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  assert.equal(theirs.json().error.code, 'NOT_FOUND');
  assert.equal(theirs.body.replace('bobs-call', 'X'), missing.body.replace('no-such-call', 'X'));
  assert.equal((await get('/api/calls/bobs-call', bob)).statusCode, 200);
});

test('without a valid token the calls are not shown', async () => {
  open('c1', 1000, ['1001']);
  for (const url of ['/api/calls', '/api/calls/c1']) {
    const none = await get(url);
    assert.equal(none.statusCode, 401, url);
    assert.equal(none.json().error.code, 'UNAUTHORIZED');
    assert.equal((await get(url, 'A'.repeat(43))).statusCode, 401, url);
  }
});

test('a bad limit or cursor is a 400 naming the parameter', async () => {
  for (const [query, field] of [
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=abc', 'limit'],
    ['before=not-a-cursor', 'before'],
  ]) {
    const response = await get(`/api/calls?${query}`, alice);
    assert.equal(response.statusCode, 400, query);
    assert.equal(response.json().error.code, 'INVALID_REQUEST');
    assert.match(response.json().error.message, new RegExp(`^query\\.${field}: `), query);
  }
  const forged = Buffer.from(JSON.stringify(['x', 1])).toString('base64url');
  assert.equal((await get(`/api/calls?before=${forged}`, alice)).statusCode, 400);
});

const ACTIVITY = '5f0c3c8e-2d7a-4b1e-9a63-0d2f4c1b7e90';
const CONTACT = '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c';

function report(id: string, body: unknown, token?: string) {
  return api.http.app.inject({
    method: 'PUT',
    url: `/api/calls/${id}/crm`,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify(body),
  });
}

test('the pane reports the activity it logged for its own call, and the record shows it', async () => {
  open('c1', 1000, ['1001']);
  const response = await report(
    'c1',
    { activityId: ACTIVITY, logState: 'logged', matched: { entity: 'contact', id: CONTACT, name: 'Alex Baker' }, notes: 'Call back Friday' },
    alice,
  );
  assert.equal(response.statusCode, 200);
  const crm = { entity: 'contact', recordId: CONTACT, recordName: 'Alex Baker', activityId: ACTIVITY, logState: 'logged', notes: 'Call back Friday' };
  assert.deepEqual(response.json().crm, crm);
  assert.equal(response.json().id, 'c1');
  assert.deepEqual((await get('/api/calls/c1', alice)).json().crm, crm);
});

test('a later report updates the notes and keeps the match it does not repeat', async () => {
  open('c1', 1000, ['1001']);
  await report('c1', { activityId: ACTIVITY, logState: 'failed', matched: { entity: 'lead', id: CONTACT, name: 'Li Na' } }, alice);
  const response = await report('c1', { activityId: ACTIVITY, logState: 'logged', notes: 'edited after the call' }, alice);
  assert.deepEqual(response.json().crm, { entity: 'lead', recordId: CONTACT, recordName: 'Li Na', activityId: ACTIVITY, logState: 'logged', notes: 'edited after the call' });
});

test('ids come as CIF writes them (braces, capitals) and are kept bare and lower-case', async () => {
  open('c1', 1000, ['1001']);
  const response = await report(
    'c1',
    { activityId: `{${ACTIVITY.toUpperCase()}}`, logState: 'logged', matched: { entity: 'account', id: `{${CONTACT.toUpperCase()}}`, name: 'Contoso' } },
    alice,
  );
  assert.equal(response.json().crm.activityId, ACTIVITY);
  assert.equal(response.json().crm.recordId, CONTACT);
});

test("reporting on another extension's call, or one that does not exist, is a 404 that changes nothing", async () => {
  open('bobs-call', 1000, ['1002']);
  const body = { activityId: ACTIVITY, logState: 'logged', notes: 'not mine' };
  const theirs = await report('bobs-call', body, alice);
  const missing = await report('no-such-call', body, alice);
  assert.equal(theirs.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  assert.equal(theirs.body.replace('bobs-call', 'X'), missing.body.replace('no-such-call', 'X'));
  assert.equal(api.calls.get('bobs-call')?.crm.notes, null);
  assert.equal((await report('bobs-call', body)).statusCode, 401);
});

test('a second, different activity for a call already logged is refused: a call is journaled once', async () => {
  open('c1', 1000, ['1001', '1002']);
  assert.equal((await report('c1', { activityId: ACTIVITY, logState: 'logged' }, alice)).statusCode, 200);
  const other = await report('c1', { activityId: CONTACT, logState: 'logged' }, bob);
  assert.equal(other.statusCode, 409);
  assert.equal(other.json().error.code, 'CONFLICT');
  assert.equal(api.calls.get('c1')?.crm.activityId, ACTIVITY);
  assert.equal((await report('c1', { activityId: ACTIVITY, logState: 'logged', notes: 'same activity' }, bob)).statusCode, 200);
});

test('a malformed report is a 400 naming the field', async () => {
  open('c1', 1000, ['1001']);
  const cases: Array<[unknown, RegExp]> = [
    [{ logState: 'logged' }, /^body\.activityId: /],
    [{ activityId: 'not-a-guid', logState: 'logged' }, /^body\.activityId: must be a Dataverse id/],
    [{ activityId: ACTIVITY, logState: 'done' }, /^body\.logState: /],
    [{ activityId: ACTIVITY, logState: 'logged', matched: { entity: 'incident', id: CONTACT, name: 'x' } }, /^body\.matched\.entity: /],
    [{ activityId: ACTIVITY, logState: 'logged', matched: { entity: 'contact', id: CONTACT } }, /^body\.matched\.name: /],
    [{ activityId: ACTIVITY, logState: 'logged', notes: 'x'.repeat(2001) }, /^body\.notes: /],
    [{ activityId: ACTIVITY, logState: 'logged', extra: 1 }, /^body: .*extra/],
  ];
  for (const [body, message] of cases) {
    const response = await report('c1', body, alice);
    assert.equal(response.statusCode, 400, JSON.stringify(body));
    assert.match(response.json().error.message, message);
  }
  assert.equal((await report('c1', { activityId: ACTIVITY, logState: 'skipped', notes: '注'.repeat(2000) }, alice)).statusCode, 200);
});

test("unknown /api routes answer 404 in the API's error shape", async () => {
  const response = await get('/api/nothing-here?token=secret', alice);
  assert.equal(response.statusCode, 404);
  assert.deepEqual(response.json(), { error: { code: 'NOT_FOUND', message: 'no route GET /api/nothing-here' } });
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
});

function saveNotes(id: string, body: unknown, token?: string) {
  return api.http.app.inject({
    method: 'PUT',
    url: `/api/calls/${id}/notes`,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify(body),
  });
}

test("notes are kept on the agent's own call before any activity is written, for the pane that logs it later", async () => {
  open('c1', 1000, ['1001']);
  const saved = await saveNotes('c1', { notes: 'Wants the new price list' }, alice);
  assert.equal(saved.statusCode, 200);
  assert.deepEqual([saved.json().crm.notes, saved.json().crm.logState, saved.json().crm.activityId], ['Wants the new price list', null, null]);
  assert.equal((await get('/api/calls/c1', alice)).json().crm.notes, 'Wants the new price list');
});

test("notes cannot be put on another extension's call, nor be longer than a phonecall description", async () => {
  open('bobs-call', 1000, ['1002']);
  assert.equal((await saveNotes('bobs-call', { notes: 'not mine' }, alice)).statusCode, 404);
  assert.equal(api.calls.get('bobs-call')?.crm.notes, null);
  open('c1', 1000, ['1001']);
  const long = await saveNotes('c1', { notes: 'x'.repeat(2001) }, alice);
  assert.equal(long.statusCode, 400);
  assert.match(long.json().error.message, /^body\.notes: /);
  assert.equal((await saveNotes('c1', { notes: 'x' })).statusCode, 401);
});

test("a column the store gains does not reach the API: records are answered in the contract's shape", async () => {
  open('c1', 1000, ['1001']);
  // What a new database column would do to the row the repository returns.
  const stored = api.calls.getForExtension.bind(api.calls);
  api.calls.getForExtension = (id, extension) => {
    const row = stored(id, extension);
    return row && Object.assign(row, { sipCallId: 'abc@pbx', crm: { ...row.crm, retries: 3 } });
  };
  const record = (await get('/api/calls/c1', alice)).json();
  assert.equal(record.id, 'c1');
  assert.equal('sipCallId' in record, false);
  assert.equal('retries' in record.crm, false);
});
