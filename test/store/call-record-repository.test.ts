import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createCallRecordRepository, SERVER_RESTART_REASON, type CallRecordRepository, type NewCallRecord } from '../../src/store/call-record-repository.ts';

let dataDir: string;
let db: Database;
let calls: CallRecordRepository;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-calls-'));
  db = openDatabase(dataDir);
  calls = createCallRecordRepository(db);
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function call(id: string, startedAt: number, extensions: string[] = ['1001'], overrides: Partial<NewCallRecord> = {}): NewCallRecord {
  return {
    id,
    direction: 'internal',
    from: { number: '1001', name: 'Alice' },
    to: { number: '1002', name: null },
    trunk: null,
    startedAt,
    extensions,
    ...overrides,
  };
}

describe('call records', () => {
  test('an opened call is in progress with its parties, trunk and owners', () => {
    assert.equal(calls.open(call('c1', 1000, ['1002', '1001'], { direction: 'inbound', trunk: 'carrier', from: { number: '+14155550100', name: null } })), true);
    assert.deepEqual(calls.get('c1'), {
      id: 'c1',
      direction: 'inbound',
      from: { number: '+14155550100', name: null },
      to: { number: '1002', name: null },
      trunk: 'carrier',
      startedAt: 1000,
      answeredAt: null,
      answeredBy: null,
      endedAt: null,
      talkSeconds: null,
      disposition: null,
      endReason: null,
      crm: { entity: null, recordId: null, recordName: null, activityId: null, logState: null, notes: null },
      quality: null,
      extensions: ['1001', '1002'],
    });
  });

  test('opening the same call again keeps the first record and adds new owners only', () => {
    calls.open(call('c1', 1000));
    assert.equal(calls.open(call('c1', 5000, ['1003', '1001', '1003'], { direction: 'outbound' })), false);
    const record = calls.get('c1');
    assert.equal(record?.startedAt, 1000);
    assert.equal(record?.direction, 'internal');
    assert.deepEqual(record?.extensions, ['1001', '1003']);
    assert.equal(calls.getForExtension('c1', '1003')?.id, 'c1');
  });

  test('a transaction commits its writes together or not at all', () => {
    assert.throws(() =>
      calls.transaction(() => {
        calls.open(call('c1', 1000));
        throw new Error('crash');
      }),
    );
    assert.equal(calls.get('c1'), undefined);
    calls.transaction(() => {
      calls.open(call('c2', 1000));
      calls.answer('c2', 2000, '1002');
    });
    assert.equal(calls.get('c2')?.answeredAt, 2000);
  });

  test('the first answer counts and an ended call is not answered afterwards', () => {
    calls.open(call('c1', 1000));
    assert.equal(calls.answer('c1', 2000, '1002'), true);
    assert.equal(calls.answer('c1', 3000, '1003'), false);
    assert.deepEqual([calls.get('c1')?.answeredAt, calls.get('c1')?.answeredBy], [2000, '1002']);

    calls.open(call('c2', 1000));
    calls.end('c2', { endedAt: 4000, disposition: 'missed', talkSeconds: 0, reason: null });
    assert.equal(calls.answer('c2', 5000, '1002'), false);
    assert.equal(calls.get('c2')?.answeredAt, null);
  });

  test('a call ends once: a second end changes nothing', () => {
    calls.open(call('c1', 1000));
    assert.equal(calls.end('c1', { endedAt: 9000, disposition: 'answered', talkSeconds: 7, reason: 'BYE' }), true);
    assert.equal(calls.end('c1', { endedAt: 12000, disposition: 'failed', talkSeconds: 10, reason: 'again' }), false);
    const record = calls.get('c1');
    assert.deepEqual([record?.endedAt, record?.disposition, record?.talkSeconds, record?.endReason], [9000, 'answered', 7, 'BYE']);
  });

  test('answering or ending a call that has no record changes nothing', () => {
    assert.equal(calls.answer('nope', 1, '1001'), false);
    assert.equal(calls.end('nope', { endedAt: 2, disposition: 'failed', talkSeconds: 0, reason: null }), false);
    assert.equal(calls.get('nope'), undefined);
  });

  test('a call is visible to its owners only', () => {
    calls.open(call('c1', 1000, ['1001']));
    assert.equal(calls.getForExtension('c1', '1001')?.id, 'c1');
    assert.equal(calls.getForExtension('c1', '1002'), undefined);
    assert.deepEqual(calls.listForExtension('1002', { limit: 10 }), { records: [], next: null });
  });

  test('closeOpen ends every open call as failed now and leaves ended ones alone', () => {
    calls.open(call('open-answered', 1000));
    calls.answer('open-answered', 2000, '1002');
    calls.open(call('open-ringing', 1500));
    calls.open(call('done', 500));
    calls.end('done', { endedAt: 900, disposition: 'missed', talkSeconds: 0, reason: null });

    assert.equal(calls.closeOpen(50_000), 2);
    for (const id of ['open-answered', 'open-ringing']) {
      const record = calls.get(id);
      assert.deepEqual([record?.endedAt, record?.disposition, record?.talkSeconds, record?.endReason], [50_000, 'failed', 0, SERVER_RESTART_REASON], id);
    }
    assert.equal(calls.get('open-answered')?.answeredAt, 2000);
    assert.deepEqual([calls.get('done')?.endedAt, calls.get('done')?.disposition], [900, 'missed']);
    assert.equal(calls.closeOpen(60_000), 0);
  });

  test('a call keeps the media quality measured at its end, and only an existing call takes one', () => {
    calls.open(call('c1', 1000));
    const quality = { poor: false, legs: [{ party: 'caller' as const, packets: 250, packetsLost: 1, lossRatio: 0.004, jitterMs: 3.1, mos: 4.4 }] };
    assert.equal(calls.saveQuality('c1', quality), true);
    assert.deepEqual(calls.get('c1')?.quality, quality);
    assert.equal(calls.saveQuality('no-such-call', quality), false);
  });

  test('the schema refuses a disposition without an end time', () => {
    calls.open(call('c1', 1000));
    assert.throws(() => db.prepare("UPDATE call_records SET disposition = 'missed' WHERE id = 'c1'").run(), /CHECK constraint failed/);
  });
});

describe('call history paging', () => {
  test('newest start first, the id breaking ties, each record exactly once across pages', () => {
    const expected: string[] = [];
    // Three calls share each start time, so ties fall on page boundaries.
    for (let i = 0; i < 12; i++) {
      const id = `call-${String(i).padStart(2, '0')}`;
      calls.open(call(id, 1000 + Math.floor(i / 3) * 10));
    }
    for (let t = 3; t >= 0; t--) for (let k = 2; k >= 0; k--) expected.push(`call-${String(t * 3 + k).padStart(2, '0')}`);

    const seen: string[] = [];
    let page = calls.listForExtension('1001', { limit: 5 });
    const sizes = [page.records.length];
    seen.push(...page.records.map((r) => r.id));
    while (page.next) {
      page = calls.listForExtension('1001', { limit: 5, before: page.next });
      sizes.push(page.records.length);
      seen.push(...page.records.map((r) => r.id));
    }
    assert.deepEqual(seen, expected);
    assert.deepEqual(sizes, [5, 5, 2]);
  });

  test('a full last page says there is nothing more', () => {
    calls.open(call('a', 1));
    calls.open(call('b', 2));
    const page = calls.listForExtension('1001', { limit: 2 });
    assert.deepEqual(
      page.records.map((r) => r.id),
      ['b', 'a'],
    );
    assert.equal(page.next, null);
  });

  test('calls that end between two pages are neither repeated nor skipped', () => {
    for (let i = 0; i < 6; i++) calls.open(call(`c${i}`, 1000 + i));
    const first = calls.listForExtension('1001', { limit: 3 });
    assert.deepEqual(
      first.records.map((r) => r.id),
      ['c5', 'c4', 'c3'],
    );
    calls.end('c1', { endedAt: 99_999, disposition: 'answered', talkSeconds: 3, reason: null });
    calls.end('c4', { endedAt: 99_999, disposition: 'answered', talkSeconds: 3, reason: null });
    assert.ok(first.next);
    const second = calls.listForExtension('1001', { limit: 3, before: first.next });
    assert.deepEqual(
      second.records.map((r) => r.id),
      ['c2', 'c1', 'c0'],
    );
  });

  test("a page holds only the caller's calls, with all owners listed", () => {
    calls.open(call('mine', 1, ['1001']));
    calls.open(call('theirs', 2, ['1002']));
    calls.open(call('shared', 3, ['1001', '1002']));
    const page = calls.listForExtension('1001', { limit: 10 });
    assert.deepEqual(
      page.records.map((r) => [r.id, r.extensions]),
      [
        ['shared', ['1001', '1002']],
        ['mine', ['1001']],
      ],
    );
  });

  test('a limit below one is refused', () => {
    assert.throws(() => calls.listForExtension('1001', { limit: 0 }), RangeError);
  });
});

describe("the pane's CRM report", () => {
  const activityId = '5f0c3c8e-2d7a-4b1e-9a63-0d2f4c1b7e90';
  const matched = { entity: 'contact', recordId: '80ac35a0-1d2f-4e5a-8b6c-7d8e9f0a1b2c', name: 'Alex Baker' };

  test('a report sets the activity, the log state, the matched record and the notes', () => {
    calls.open(call('c1', 1000, ['1001', '1002']));
    const updated = calls.reportCrm('c1', '1002', { activityId, logState: 'logged', matched, notes: 'wants a quote' });
    assert.deepEqual(updated?.crm, { entity: 'contact', recordId: matched.recordId, recordName: 'Alex Baker', activityId, logState: 'logged', notes: 'wants a quote' });
    assert.deepEqual(calls.get('c1')?.crm, updated?.crm);
  });

  test('a report without a match or notes keeps the stored ones', () => {
    calls.open(call('c1', 1000));
    calls.reportCrm('c1', '1001', { activityId, logState: 'failed', matched, notes: 'first' });
    const updated = calls.reportCrm('c1', '1001', { activityId, logState: 'logged' });
    assert.deepEqual(updated?.crm, { entity: 'contact', recordId: matched.recordId, recordName: 'Alex Baker', activityId, logState: 'logged', notes: 'first' });
    assert.equal(calls.reportCrm('c1', '1001', { activityId, logState: 'logged', notes: '' })?.crm.notes, '');
  });

  test("a call that is not the reporter's, or does not exist, is left alone", () => {
    calls.open(call('c1', 1000, ['1001']));
    assert.equal(calls.reportCrm('c1', '1002', { activityId, logState: 'logged', matched }), undefined);
    assert.equal(calls.reportCrm('nope', '1001', { activityId, logState: 'logged' }), undefined);
    assert.deepEqual(calls.get('c1')?.crm, { entity: null, recordId: null, recordName: null, activityId: null, logState: null, notes: null });
  });
});
