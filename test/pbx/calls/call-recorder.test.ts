import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallBus } from '../../../src/pbx/calls/call-bus.ts';
import type { CallDisposition, CallEvent } from '../../../src/pbx/calls/call-event.ts';
import { CallRecorder, talkSeconds } from '../../../src/pbx/calls/call-recorder.ts';
import { createCallRecordRepository, type CallRecordRepository } from '../../../src/store/call-record-repository.ts';
import { openDatabase, type Database } from '../../../src/store/database.ts';

const ID = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const T0 = 1_700_000_000_000;

let dataDir: string;
let db: Database;
let records: CallRecordRepository;
let bus: CallBus;
let recorder: CallRecorder;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-recorder-'));
  db = openDatabase(dataDir);
  records = createCallRecordRepository(db);
  // A bus that fails the test instead of logging, so a recorder error cannot pass unseen.
  bus = new CallBus({ error: (fields) => assert.fail(fields.err as Error) });
  recorder = new CallRecorder(records, (err) => assert.fail(err as Error));
  recorder.start(bus);
});
afterEach(() => {
  recorder.stop();
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const base = {
  callId: ID,
  direction: 'inbound' as const,
  from: { number: '+14155550100', displayName: 'Pat Caller', trunk: 'carrier' },
  to: { number: '1002', displayName: 'Bob', extension: '1002' },
  extensions: ['1002'],
};

const ringing = (at = T0): CallEvent => ({ ...base, type: 'ringing', at });
const answered = (at: number): CallEvent => ({ ...base, type: 'answered', answeredBy: '1002', at });
const ended = (at: number, disposition: CallDisposition, extra: { answeredAt?: number; reason?: string; startedAt?: number } = {}): CallEvent => ({
  ...base,
  type: 'ended',
  disposition,
  startedAt: extra.startedAt ?? T0,
  ...(extra.answeredAt !== undefined ? { answeredAt: extra.answeredAt } : {}),
  ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
  at,
});

function summary() {
  recorder.flush();
  const r = records.get(ID);
  assert.ok(r, 'a record exists');
  return {
    startedAt: r.startedAt,
    answeredAt: r.answeredAt,
    answeredBy: r.answeredBy,
    endedAt: r.endedAt,
    talkSeconds: r.talkSeconds,
    disposition: r.disposition,
    endReason: r.endReason,
  };
}

test('ringing opens a record with the parties, the trunk and the owner', () => {
  bus.publish(ringing());
  recorder.flush();
  const record = records.get(ID);
  assert.deepEqual(
    { direction: record?.direction, from: record?.from, to: record?.to, trunk: record?.trunk, extensions: record?.extensions, endedAt: record?.endedAt },
    { direction: 'inbound', from: { number: '+14155550100', name: 'Pat Caller' }, to: { number: '1002', name: 'Bob' }, trunk: 'carrier', extensions: ['1002'], endedAt: null },
  );
});

test('an answered call: answer time, end time and whole talk seconds', () => {
  bus.publish(ringing());
  bus.publish(answered(T0 + 4_000));
  bus.publish({ ...base, type: 'held', by: '1002', at: T0 + 10_000 });
  bus.publish({ ...base, type: 'resumed', by: '1002', at: T0 + 20_000 });
  bus.publish(ended(T0 + 65_999, 'answered', { answeredAt: T0 + 4_000, reason: 'BYE' }));
  assert.deepEqual(summary(), {
    startedAt: T0,
    answeredAt: T0 + 4_000,
    answeredBy: '1002',
    endedAt: T0 + 65_999,
    talkSeconds: 61,
    disposition: 'answered',
    endReason: 'BYE',
  });
});

for (const disposition of ['missed', 'busy', 'canceled', 'failed'] as const) {
  test(`a ${disposition} call ends unanswered with 0 talk seconds`, () => {
    bus.publish(ringing());
    bus.publish(ended(T0 + 12_000, disposition));
    assert.deepEqual(summary(), {
      startedAt: T0,
      answeredAt: null,
      answeredBy: null,
      endedAt: T0 + 12_000,
      talkSeconds: 0,
      disposition,
      endReason: null,
    });
  });
}

test('an ended without a prior ringing still leaves a complete record', () => {
  bus.publish(ended(T0 + 30_500, 'answered', { startedAt: T0, answeredAt: T0 + 500, reason: 'BYE' }));
  assert.deepEqual(summary(), {
    startedAt: T0,
    answeredAt: T0 + 500,
    answeredBy: null,
    endedAt: T0 + 30_500,
    talkSeconds: 30,
    disposition: 'answered',
    endReason: 'BYE',
  });
  assert.deepEqual(records.get(ID)?.extensions, ['1002']);
  assert.equal(records.get(ID)?.from.number, '+14155550100');
});

test('repeated events change nothing: the first ringing, answer and end stand', () => {
  bus.publish(ringing(T0));
  bus.publish(ringing(T0 + 1_000));
  bus.publish(answered(T0 + 2_000));
  bus.publish(answered(T0 + 3_000));
  bus.publish(ended(T0 + 12_000, 'answered'));
  bus.publish(ended(T0 + 50_000, 'failed', { reason: 'late duplicate' }));
  bus.publish(answered(T0 + 60_000));
  assert.deepEqual(summary(), {
    startedAt: T0,
    answeredAt: T0 + 2_000,
    answeredBy: '1002',
    endedAt: T0 + 12_000,
    talkSeconds: 10,
    disposition: 'answered',
    endReason: null,
  });
});

test('an answered call whose ended event names no answer time still counts talk time from the answered event', () => {
  bus.publish(ringing());
  bus.publish(answered(T0 + 1_000));
  bus.publish(ended(T0 + 8_200, 'answered'));
  assert.equal(summary().talkSeconds, 7);
});

test('an extension named by a later event (a transfer target) becomes an owner', () => {
  bus.publish(ringing());
  bus.publish(answered(T0 + 1_000));
  bus.publish({ ...base, extensions: ['1002', '1003'], type: 'transferred', kind: 'blind', by: '1002', target: '1003', at: T0 + 5_000 });
  recorder.flush();
  assert.deepEqual(records.get(ID)?.extensions, ['1002', '1003']);
  assert.equal(records.getForExtension(ID, '1003')?.id, ID);
});

test('the events of one event-loop turn are written together at its end', async () => {
  bus.publish(ringing());
  bus.publish(answered(T0 + 1_000));
  assert.equal(records.get(ID), undefined, 'not yet written');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(records.get(ID)?.answeredAt, T0 + 1_000);
});

test('stopping writes what is queued', () => {
  bus.publish(ringing());
  recorder.stop();
  assert.ok(records.get(ID));
});

test('an event the store refuses costs only itself, and is reported', () => {
  const failures: string[] = [];
  const picky: CallRecordRepository = {
    ...records,
    open(record) {
      if (record.id === 'bad') throw new Error('disk says no');
      return records.open(record);
    },
  };
  const own = new CallRecorder(picky, (err, event) => failures.push(`${event.callId}: ${(err as Error).message}`));
  own.record(ringing());
  own.record({ ...ringing(), callId: 'bad' });
  own.record(answered(T0 + 1_000));
  own.flush();
  assert.deepEqual(failures, ['bad: disk says no']);
  assert.equal(records.get(ID)?.answeredAt, T0 + 1_000);
  assert.equal(records.get('bad'), undefined);
});

test('after stop the recorder no longer records', () => {
  recorder.stop();
  bus.publish(ringing());
  assert.equal(records.get(ID), undefined);
});

test('talk seconds are whole seconds, never negative', () => {
  assert.equal(talkSeconds(null, 5_000), 0);
  assert.equal(talkSeconds(1_000, 1_999), 0);
  assert.equal(talkSeconds(1_000, 2_000), 1);
  assert.equal(talkSeconds(5_000, 1_000), 0);
});
