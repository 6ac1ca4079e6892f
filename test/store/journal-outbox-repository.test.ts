import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activityIdForCall } from '../../src/crm/activity-id.ts';
import { createCallRecordRepository, type CallRecordRepository, type NewCallRecord } from '../../src/store/call-record-repository.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createJournalOutboxRepository, type JournalOutboxRepository } from '../../src/store/journal-outbox-repository.ts';

let dataDir: string;
let db: Database;
let calls: CallRecordRepository;
let outbox: JournalOutboxRepository;
const GRACE_SECONDS = 120;
const WRITTEN_AT = 5_000_000;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-outbox-'));
  db = openDatabase(dataDir);
  calls = createCallRecordRepository(db, { journal: { graceSeconds: GRACE_SECONDS }, now: () => WRITTEN_AT });
  outbox = createJournalOutboxRepository(db);
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function call(id: string, direction: NewCallRecord['direction'] = 'inbound'): NewCallRecord {
  return { id, direction, from: { number: '+14155550100', name: null }, to: { number: '1001', name: null }, trunk: 'carrier', startedAt: 1000, extensions: ['1001'] };
}

const END = { endedAt: 61_000, disposition: 'answered', talkSeconds: 50, reason: null } as const;

function ended(id: string, direction: NewCallRecord['direction'] = 'inbound'): void {
  calls.open(call(id, direction));
  calls.end(id, END);
}

describe('the journal outbox beside the call records', () => {
  test('an inbound or outbound call that ends gets one pending row, due a grace period after its end', () => {
    ended('in');
    ended('out', 'outbound');
    calls.end('in', { ...END, endedAt: 99_000 });
    assert.deepEqual(outbox.get('in'), {
      callId: 'in',
      activityId: activityIdForCall('in'),
      dueAt: 61_000 + GRACE_SECONDS * 1000,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: 61_000 + GRACE_SECONDS * 1000,
      claimedUntil: null,
      lastError: null,
      outcome: null,
      createdAt: WRITTEN_AT,
      updatedAt: WRITTEN_AT,
    });
    assert.equal(outbox.get('out')?.state, 'pending');
    assert.deepEqual(outbox.counts(), { pending: 2, parked: 0, done: 0, oldestPendingDueAt: 181_000 });
  });

  test('an internal call, a call still in progress and a repository without the journal write no row', () => {
    ended('internal', 'internal');
    calls.open(call('ringing'));
    const plain = createCallRecordRepository(db);
    plain.open(call('unjournaled'));
    plain.end('unjournaled', END);
    assert.deepEqual(outbox.counts(), { pending: 0, parked: 0, done: 0, oldestPendingDueAt: null });
  });

  test('a call cannot end without its row: when the row cannot be written, the end is rolled back', () => {
    calls.open(call('c1'));
    db.exec("CREATE TEMP TRIGGER refuse_outbox BEFORE INSERT ON journal_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    assert.throws(() => calls.end('c1', END), /disk full/);
    assert.equal(calls.get('c1')?.endedAt, null, 'the call is still open');
    db.exec('DROP TRIGGER refuse_outbox');
    assert.equal(calls.end('c1', END), true);
    assert.equal(outbox.get('c1')?.state, 'pending');
  });

  test('calls left open by a crash are closed at start-up with their rows, internal ones without', () => {
    calls.open(call('cut-in'));
    calls.open(call('cut-internal', 'internal'));
    assert.equal(calls.closeOpen(70_000), 2);
    assert.equal(outbox.get('cut-in')?.dueAt, 70_000 + GRACE_SECONDS * 1000);
    assert.equal(outbox.get('cut-internal'), undefined);
  });
});

describe('claiming', () => {
  const due = 61_000 + GRACE_SECONDS * 1000;

  test('a row is handed out once until its lease ends, and counts an attempt per claim', () => {
    ended('c1');
    assert.deepEqual(outbox.claimDue(due - 1, 10, 1000), [], 'not due yet');
    const [first] = outbox.claimDue(due, 10, 1000);
    assert.equal(first?.attempts, 1);
    assert.deepEqual(outbox.claimDue(due + 999, 10, 1000), [], 'leased');
    const [again] = outbox.claimDue(due + 1000, 10, 1000);
    assert.equal(again?.attempts, 2, 'the lease ran out: due again');
  });

  test('claims left by a killed process are released at the next start, due at once', () => {
    ended('c1');
    outbox.claimDue(due, 10, 3_600_000);
    assert.equal(outbox.releaseClaims(due + 5), 1);
    assert.deepEqual(
      outbox.claimDue(due + 5, 10, 1000).map((row) => [row.callId, row.attempts]),
      [['c1', 2]],
    );
  });

  test('due rows are handed out oldest first, at most the limit', () => {
    for (const [id, endedAt] of [
      ['late', 90_000],
      ['early', 10_000],
      ['middle', 50_000],
    ] as const) {
      calls.open(call(id));
      calls.end(id, { ...END, endedAt });
    }
    assert.deepEqual(
      outbox.claimDue(1_000_000, 2, 1000).map((row) => row.callId),
      ['early', 'middle'],
    );
  });

  test('done marks the call record logged, unless a pane reported it already', () => {
    ended('c1');
    ended('c2');
    calls.reportCrm('c2', '1001', { activityId: 'pane-activity', logState: 'skipped' });
    outbox.claimDue(due, 10, 1000);
    assert.equal(outbox.complete('c1', 'created', due + 1), true);
    assert.equal(outbox.complete('c2', 'skipped', due + 1), true);
    assert.equal(outbox.complete('c1', 'created', due + 2), false, 'done once');
    assert.deepEqual([calls.get('c1')?.crm.logState, calls.get('c1')?.crm.activityId], ['logged', activityIdForCall('c1')]);
    assert.deepEqual([calls.get('c2')?.crm.logState, calls.get('c2')?.crm.activityId], ['skipped', 'pane-activity']);
    assert.equal(outbox.get('c1')?.outcome, 'created');
    assert.equal(outbox.get('c1')?.claimedUntil, null);
  });

  test('a rescheduled row is due again at its next attempt, with the error kept', () => {
    ended('c1');
    outbox.claimDue(due, 10, 1000);
    outbox.reschedule('c1', due + 30_000, 'HTTP 503', due + 1);
    assert.deepEqual(outbox.claimDue(due + 29_999, 10, 1000), []);
    const [row] = outbox.claimDue(due + 30_000, 10, 1000);
    assert.deepEqual([row?.lastError, row?.attempts], ['HTTP 503', 2]);
  });
});

describe('parked rows', () => {
  const due = 61_000 + GRACE_SECONDS * 1000;

  test('a parked row keeps its reason, is never claimed, and retry makes it pending again', () => {
    ended('c1');
    ended('c2');
    ended('c3');
    outbox.claimDue(due, 10, 1000);
    outbox.park('c1', '0x80060888 unknown property', due + 1);
    outbox.park('c2', '0x80044331 too long', due + 2);
    outbox.park('c3', '0x80040203 no subject', due + 3);
    assert.deepEqual(outbox.claimDue(due + 10_000, 10, 1000), []);
    assert.deepEqual(
      outbox.listParked(10).map((row) => [row.callId, row.lastError]),
      [
        ['c3', '0x80040203 no subject'],
        ['c2', '0x80044331 too long'],
        ['c1', '0x80060888 unknown property'],
      ],
    );
    assert.equal(outbox.retry(due + 20_000, ['c2', 'unknown']), 1);
    assert.deepEqual(outbox.counts(), { pending: 1, parked: 2, done: 0, oldestPendingDueAt: due });
    assert.equal(outbox.retry(due + 20_000), 2);
    assert.deepEqual(
      outbox
        .claimDue(due + 20_000, 10, 1000)
        .map((row) => row.callId)
        .sort(),
      ['c1', 'c2', 'c3'],
    );
  });

  test('a reason longer than the column keeps is cut', () => {
    ended('c1');
    outbox.park('c1', 'x'.repeat(5000), due);
    assert.equal(outbox.get('c1')?.lastError?.length, 1000);
  });
});
