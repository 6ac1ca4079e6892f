import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activityIdForCall } from '../../../src/crm/activity-id.ts';
import type { CrmRecordRef } from '../../../src/crm/crm-entities.ts';
import { defaultUserSettings } from '../../../src/contract/user-settings.ts';
import { JournalWorker, type JournalWorkerOptions } from '../../../src/dynamics/journal/journal-worker.ts';
import type { JournalMetrics, JournalOutboxGauges, JournalOutcome } from '../../../src/dynamics/journal/journal-metrics.ts';
import { Dataverse, SEED, SANDBOX_TENANT_ID } from '../../../src/sandbox/dataverse/index.ts';
import { createSandboxServer, type SandboxServer } from '../../../src/sandbox/sandbox-server.ts';
import { readUserSettings } from '../../../src/server/api/user-settings.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { createCallRecordRepository, type CallRecordRepository } from '../../../src/store/call-record-repository.ts';
import { openDatabase, type Database } from '../../../src/store/database.ts';
import { createExtensionRepository } from '../../../src/store/extension-repository.ts';
import { createJournalOutboxRepository, type JournalOutboxRepository } from '../../../src/store/journal-outbox-repository.ts';
import { createSettingsRepository, type SettingsRepository } from '../../../src/store/settings-repository.ts';
import { connectWebApi } from '../../../src/dynamics/web-api/web-api-connection.ts';
import { DEFAULT_RETRY_POLICY } from '../../../src/dynamics/web-api/retry-schedule.ts';
import type { WebApiClient } from '../../../src/dynamics/web-api/web-api-client.ts';

const CLIENT = { clientId: '0a9c0000-0000-4000-8000-00000000a001', clientSecret: 'journal-secret' };
const CONTACT = 'c0ffee00-0000-4000-8000-000000000001';
const OTHER_CONTACT = 'c0ffee00-0000-4000-8000-000000000002';
const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const API = '/api/data/v9.2/';
const logger = createLogger({ level: 'silent', pretty: false });

let dataverse: Dataverse;
let sandbox: SandboxServer;
let dataDir: string;
let db: Database;
let calls: CallRecordRepository;
let outbox: JournalOutboxRepository;
let settings: SettingsRepository;
/** The Web API requests the sandbox answered: method, path after /api/data/v9.2/ (query included), status. */
let requests: Array<{ method: string; path: string; status: number }>;
let client: WebApiClient;
let outcomes: JournalOutcome[];
let gauges: () => JournalOutboxGauges;
/** Answers the sandbox gives instead of its own, by method: one per request, in order. */
let faults: Array<{ method: string; status: number; code: string; ifMatch?: boolean }>;

const metrics: JournalMetrics = {
  journalAttempt: (outcome) => outcomes.push(outcome),
  observeJournalOutbox: (read) => (gauges = read),
};

beforeEach(async () => {
  dataverse = new Dataverse({ path: ':memory:' });
  dataverse.create('contacts', { contactid: CONTACT, firstname: 'Casey', lastname: 'Caller', telephone1: '+1 415 555 0177' });
  dataverse.create('contacts', { contactid: OTHER_CONTACT, firstname: 'Other', lastname: 'Person' });
  sandbox = createSandboxServer({
    host: '127.0.0.1',
    port: 0,
    dataverse,
    logger,
    provider: (own) => ({ label: 'Callpane', landingUrl: `http://localhost:9/dyncrm?base=${own}`, clickToAct: true, trustedDomain: 'login.example.test' }),
    dataverseRoutes: { oauth: { clients: [CLIENT] } },
  });
  faults = [];
  sandbox.app.addHook('onRequest', async (request, reply) => {
    const index = faults.findIndex(
      (fault) =>
        fault.method === request.method && request.url.startsWith('/api/') && (fault.ifMatch === undefined || fault.ifMatch === (request.headers['if-match'] !== undefined)),
    );
    if (index < 0) return;
    const [fault] = faults.splice(index, 1);
    if (fault)
      await reply
        .code(fault.status)
        .header('content-type', 'application/json')
        .send({ error: { code: fault.code, message: `injected ${fault.status}` } });
  });
  requests = [];
  sandbox.app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith(API)) requests.push({ method: request.method, path: decodeURIComponent(request.url.slice(API.length)), status: reply.statusCode });
  });
  const origin = await sandbox.listen();
  // One attempt per request: what the client would retry itself reaches the worker at once.
  client = await connectWebApi(
    {
      url: origin,
      tenantId: SANDBOX_TENANT_ID,
      tokenUrl: `${origin}/${SANDBOX_TENANT_ID}/oauth2/v2.0/token`,
      clientId: CLIENT.clientId,
      credential: { kind: 'secret', clientSecret: CLIENT.clientSecret },
    },
    { maxConcurrentRequests: 4, requestTimeoutSeconds: 5 },
    logger,
    { retry: { ...DEFAULT_RETRY_POLICY, maxThrottledAttempts: 1, maxTransientAttempts: 1 } },
  );
  whoAmI = async () => ((await client.request({ method: 'GET', path: 'WhoAmI' })).body as { UserId: string }).UserId;
  outcomes = [];
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-journal-'));
  db = openDatabase(dataDir);
  calls = createCallRecordRepository(db, { journal: { graceSeconds: 0 } });
  outbox = createJournalOutboxRepository(db);
  settings = createSettingsRepository(db);
  const extensions = createExtensionRepository(db);
  extensions.add({ number: '1001', displayName: 'Alex Agent', email: 'alex.agent@sandbox.example', passwordHash: 'x', sipSecret: 's'.repeat(24) });
  extensions.add({ number: '1002', displayName: 'Dana Desk', email: null, passwordHash: 'x', sipSecret: 's'.repeat(24) });
  extensions.add({ number: '1003', displayName: '李娜', email: 'li.na@sandbox.example', passwordHash: 'x', sipSecret: 's'.repeat(24) });
  worker = (options = {}) =>
    new JournalWorker({
      client,
      outbox,
      calls,
      extensions,
      settingsOf: (extension) => readUserSettings(settings.get(extension)?.value),
      metrics,
      logger,
      now: () => T0 + 3_600_000,
      random: () => 0,
      ...options,
    });
});
afterEach(async () => {
  client.close();
  await sandbox.close();
  dataverse.close();
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let worker: (options?: Partial<JournalWorkerOptions>) => JournalWorker;
/** The application user the sandbox made for CLIENT. */
let whoAmI: () => Promise<string>;

/** An inbound call from +1 415 555 0177 to `extension`, answered and ended (its outbox row due now). */
function endedCall(id: string, extension: string, options: { answered?: boolean; direction?: 'inbound' | 'outbound' } = {}): void {
  const { answered = true, direction = 'inbound' } = options;
  const outside = { number: '+14155550177', name: null };
  const inside = { number: extension, name: null };
  calls.open({
    id,
    direction,
    from: direction === 'inbound' ? outside : inside,
    to: direction === 'inbound' ? inside : outside,
    trunk: 'carrier',
    startedAt: T0,
    extensions: [extension],
  });
  if (answered) calls.answer(id, T0 + 5_000, extension);
  calls.end(id, { endedAt: T0 + 65_000, disposition: answered ? 'answered' : 'missed', talkSeconds: answered ? 60 : 0, reason: null });
}

function phonecall(callId: string): Record<string, unknown> {
  return dataverse.retrieve('phonecalls', activityIdForCall(callId), {
    $select: 'subject,description,statecode,statuscode,phonenumber,directioncode,actualdurationminutes,_regardingobjectid_value,_ownerid_value',
  }).record;
}

function phonecallCount(callId: string): number {
  return dataverse.retrieveMultiple('phonecalls', { $filter: `activityid eq ${activityIdForCall(callId)}`, $select: 'activityid' }).records.length;
}

describe('a call no pane journaled', () => {
  test('is created and completed, owned by the agent, regarding the record the pane reported', async () => {
    endedCall('c1', '1001');
    calls.reportCrm('c1', '1001', {
      activityId: activityIdForCall('c1'),
      logState: 'failed',
      matched: { entity: 'contact', recordId: CONTACT, name: 'Casey Caller' },
      notes: 'Wants a callback.',
    });
    assert.equal(await worker().runDue(), 1);
    const written = phonecall('c1');
    assert.equal(written.subject, 'Inbound call Casey Caller');
    assert.equal(written.description, 'Wants a callback.');
    assert.deepEqual([written.statecode, written.statuscode], [1, 4]);
    assert.equal(written._regardingobjectid_value, CONTACT);
    assert.equal(written._ownerid_value, SEED.agentEnglish);
    assert.deepEqual(outcomes, ['created']);
    assert.equal(outbox.get('c1')?.state, 'done');
    assert.deepEqual([calls.get('c1')?.crm.logState, calls.get('c1')?.crm.activityId], ['logged', activityIdForCall('c1')]);
  });

  test('of an agent with no Dynamics user is owned by the application user, the agent named in the description', async () => {
    endedCall('c2', '1002');
    await worker().runDue();
    const written = phonecall('c2');
    assert.equal(written._ownerid_value, await whoAmI());
    assert.equal(written.description, 'Agent: Dana Desk (extension 1002), who has no Dynamics user.');
    assert.equal(written._regardingobjectid_value, null, 'nothing reported, no index: regarding none');
  });

  test('is regarding the one record the phone index finds, and none of several', async () => {
    const found = new Map<string, CrmRecordRef[]>([['+14155550177', [{ entity: 'contact', id: CONTACT }]]]);
    endedCall('one', '1002');
    await worker({ findRecords: (number) => found.get(number) ?? [] }).runDue();
    assert.equal(phonecall('one')._regardingobjectid_value, CONTACT);
    found.set('+14155550177', [
      { entity: 'contact', id: CONTACT },
      { entity: 'contact', id: OTHER_CONTACT },
    ]);
    endedCall('several', '1002');
    await worker({ findRecords: (number) => found.get(number) ?? [] }).runDue();
    assert.equal(phonecall('several')._regardingobjectid_value, null);
  });

  test("takes subject and language from the agent's settings", async () => {
    settings.put('1001', { ...defaultUserSettings(), subjectTemplate: '{direction}: {number} ({extension})' }, T0);
    settings.put('1003', { ...defaultUserSettings(), language: 'zh-CN' }, T0);
    endedCall('templated', '1001', { direction: 'outbound' });
    endedCall('chinese', '1003');
    await worker().runDue();
    assert.equal(phonecall('templated').subject, 'Outbound: +1 415 555 0177 (1001)');
    assert.deepEqual([phonecall('templated').statuscode, phonecall('templated').directioncode], [2, true]);
    assert.match(String(phonecall('chinese').subject), /^呼入/);
  });

  test('in the default language when the settings say "Dynamics\' language" and the role may not read the user\'s', async () => {
    endedCall('li', '1003');
    await worker().runDue();
    assert.match(String(phonecall('li').subject), /^Inbound call/);
    assert.ok(requests.some((request) => request.path.startsWith('usersettingscollection(') && request.status === 403));
  });

  test("that the agent's log settings leave out is not written", async () => {
    settings.put('1001', { ...defaultUserSettings(), log: { answeredInbound: true, missedInbound: false, answeredOutbound: true, unansweredOutbound: true } }, T0);
    endedCall('missed', '1001', { answered: false });
    await worker().runDue();
    assert.equal(phonecallCount('missed'), 0);
    assert.deepEqual(outcomes, ['skipped']);
    assert.equal(outbox.get('missed')?.state, 'done');
  });
});

// The agent has a Dynamics user, as agents with a pane do: the server's create-only upsert names
// the agent as owner and finds the pane's activity, which answers 412 before any privilege to
// write or assign it is asked for (docs/dataverse.md §6).
describe('a call a pane journaled', () => {
  test('created but not completed: completed, its notes and regarding untouched', async () => {
    endedCall('pane-open', '1001');
    dataverse.create('phonecalls', {
      activityid: activityIdForCall('pane-open'),
      subject: 'Written by the pane',
      description: "The pane's notes",
      'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${OTHER_CONTACT})`,
    });
    // The server's call record says otherwise (notes saved later, another match): the pane's activity wins.
    calls.saveNotes('pane-open', '1001', 'Notes the server holds');
    calls.reportCrm('pane-open', '1001', {
      activityId: activityIdForCall('pane-open'),
      logState: 'failed',
      matched: { entity: 'contact', recordId: CONTACT, name: 'Casey Caller' },
    });
    await worker().runDue();
    const written = phonecall('pane-open');
    assert.deepEqual([written.statecode, written.statuscode], [1, 4]);
    assert.deepEqual([written.subject, written.description, written._regardingobjectid_value], ['Written by the pane', "The pane's notes", OTHER_CONTACT]);
    assert.deepEqual(outcomes, ['completed']);
    assert.equal(phonecallCount('pane-open'), 1);
    assert.deepEqual(
      requests.filter((request) => request.path.startsWith('phonecalls')).map((request) => `${request.method} ${request.status}`),
      ['PATCH 412', 'GET 200', 'PATCH 204'],
    );
  });

  test('created and completed but never reported: read, nothing written', async () => {
    endedCall('pane-done', '1001');
    dataverse.create('phonecalls', { activityid: activityIdForCall('pane-done'), subject: 'Written by the pane' });
    dataverse.update('phonecalls', activityIdForCall('pane-done'), { statecode: 1, statuscode: 4 });
    await worker().runDue();
    assert.deepEqual(outcomes, ['already_complete']);
    assert.deepEqual(
      requests.filter((request) => request.path.startsWith('phonecalls')).map((request) => `${request.method} ${request.status}`),
      ['PATCH 412', 'GET 200'],
    );
  });

  test('reported as logged: done without a request to Dynamics', async () => {
    endedCall('reported', '1001');
    calls.reportCrm('reported', '1001', { activityId: activityIdForCall('reported'), logState: 'logged' });
    await worker().runDue();
    assert.deepEqual(requests, []);
    assert.deepEqual(outcomes, ['skipped']);
  });
});

describe('failures', () => {
  test('a request Dataverse refuses as invalid (400) is parked with its reason, and retried by hand', async () => {
    endedCall('bad', '1002');
    faults.push({ method: 'PATCH', status: 400, code: '0x80060888' });
    await worker().runDue();
    assert.deepEqual(outcomes, ['parked']);
    assert.equal(outbox.get('bad')?.state, 'parked');
    assert.match(outbox.get('bad')?.lastError ?? '', /^0x80060888 PATCH phonecalls\([0-9a-f-]{36}\): 400 injected 400/);
    assert.equal(await worker().runDue(), 0, 'a parked row is not tried again by itself');
    assert.equal(outbox.retry(T0, ['bad']), 1);
    await worker().runDue();
    assert.equal(phonecall('bad').statecode, 1);
  });

  test("a failure that may pass (503, 429 after the client's own retries) is tried again after a back-off", async () => {
    endedCall('flaky', '1002');
    faults.push({ method: 'PATCH', status: 503, code: '0x80040216' });
    const now = T0 + 3_600_000;
    await worker().runDue();
    const row = outbox.get('flaky');
    assert.deepEqual([row?.state, row?.nextAttemptAt], ['pending', now + 2_500]);
    assert.match(row?.lastError ?? '', /503/);
    assert.equal(await worker({ now: () => now + 2_499 }).runDue(), 0, 'not before its back-off');
    faults.push({ method: 'PATCH', status: 429, code: '0x80072322' });
    await worker({ now: () => now + 2_500 }).runDue();
    assert.equal(outbox.get('flaky')?.nextAttemptAt, now + 2_500 + 5_000, 'the back-off doubles');
    await worker({ now: () => now + 7_500 }).runDue();
    assert.deepEqual(outcomes, ['retried', 'retried', 'created']);
    assert.equal(phonecallCount('flaky'), 1);
  });

  test('a failed completion leaves the created activity to the next attempt, which completes it once', async () => {
    endedCall('half', '1001');
    faults.push({ method: 'PATCH', status: 503, code: '0x80040216', ifMatch: true }); // the create goes through; the completion fails
    await worker().runDue();
    assert.equal(phonecall('half').statecode, 0);
    await worker({ now: () => T0 + 3_600_000 + 2_500 }).runDue();
    assert.deepEqual(outcomes, ['retried', 'completed']);
    assert.equal(phonecall('half').statecode, 1);
  });
});

describe('the worker', () => {
  test('releases what a killed process had claimed and journals it', async () => {
    endedCall('c1', '1002');
    endedCall('c2', '1002');
    outbox.claimDue(T0 + 3_600_000, 10, 600_000); // a process that died holding both
    const running = worker({ pollMs: 20 });
    running.start();
    const deadline = Date.now() + 10_000;
    while (outbox.counts().done < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await running.stop();
    assert.deepEqual([outbox.counts().done, phonecallCount('c1'), phonecallCount('c2')], [2, 1, 1]);
    assert.deepEqual(outbox.get('c1')?.attempts, 2);
  });

  test('keeps running when the outbox cannot be read for a moment', async () => {
    let failures = 1;
    const flaky: JournalOutboxRepository = {
      ...outbox,
      nextAttemptAt() {
        if (failures-- > 0) throw new Error('database is locked');
        return outbox.nextAttemptAt();
      },
    };
    const running = worker({ outbox: flaky, pollMs: 20 });
    running.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    endedCall('later', '1002');
    const deadline = Date.now() + 10_000;
    while (outbox.get('later')?.state !== 'done' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await running.stop();
    assert.ok(failures < 0, 'asked again after it failed');
    assert.equal(outbox.get('later')?.state, 'done');
  });

  test('reports the outbox depth and the age of the oldest due row', async () => {
    endedCall('waiting', '1002');
    endedCall('refused', '1002');
    faults.push({ method: 'PATCH', status: 400, code: '0x80060888' });
    const journal = worker({ concurrency: 1 });
    await journal.runDue();
    assert.deepEqual(gauges(), { pending: 1, parked: 1, oldestPendingAgeSeconds: 3_600 - 65 });
  });
});
