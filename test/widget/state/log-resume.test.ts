import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallRecord } from '../../../src/widget/api/api-types.ts';
import type { JournalRequest } from '../../../src/widget/crm/crm-flow.ts';
import { resumeUnfinishedLogs, unfinishedLogs } from '../../../src/widget/state/log-resume.ts';
import { itemAt } from '../../support/item-at.ts';

const NOW = 1_800_000_000_000;

function record(partial: Partial<CallRecord> & { id: string }): CallRecord {
  return {
    direction: 'inbound',
    from: { number: '+14155550100', name: null },
    to: { number: '1001', name: null },
    trunk: 't',
    startedAt: NOW - 60_000,
    answeredAt: NOW - 50_000,
    answeredBy: '1001',
    endedAt: NOW - 10_000,
    talkSeconds: 40,
    disposition: 'answered',
    endReason: null,
    crm: { entity: null, recordId: null, recordName: null, activityId: null, logState: null, notes: null },
    quality: null,
    extensions: ['1001'],
    ...partial,
  };
}

describe('resuming unfinished call logs', () => {
  test('ended calls without a log state, or whose log failed, are picked oldest first', () => {
    const picked = unfinishedLogs(
      [
        record({ id: 'new', startedAt: NOW - 1000 }),
        record({ id: 'old', startedAt: NOW - 90_000 }),
        record({ id: 'failed', crm: { entity: null, recordId: null, recordName: null, activityId: 'a', logState: 'failed', notes: null } }),
        record({ id: 'logged', crm: { entity: null, recordId: null, recordName: null, activityId: 'a', logState: 'logged', notes: null } }),
        record({ id: 'skipped', crm: { entity: null, recordId: null, recordName: null, activityId: 'a', logState: 'skipped', notes: null } }),
        record({ id: 'live', endedAt: null }),
      ],
      '1001',
      NOW,
    );
    assert.deepEqual(
      picked.map((r) => r.id),
      ['old', 'failed', 'new'],
    );
  });

  test('internal calls, calls from before the window and calls a colleague answered are left alone', () => {
    const picked = unfinishedLogs(
      [
        record({ id: 'internal', direction: 'internal' }),
        record({ id: 'ancient', endedAt: NOW - 3 * 24 * 3600_000 }),
        record({ id: 'colleague', answeredBy: '1002' }),
        record({ id: 'missed', answeredBy: null, answeredAt: null, disposition: 'missed' }),
      ],
      '1001',
      NOW,
    );
    assert.deepEqual(
      picked.map((r) => r.id),
      ['missed'],
    );
  });

  test('each call is journaled with its own facts, notes and the record reported before', async () => {
    const requests: JournalRequest[] = [];
    const crm = {
      journal: async (request: JournalRequest) => {
        requests.push(request);
        return { state: 'logged' as const, activityId: 'x' };
      },
      lookup: async () => [],
      remembered: async () => undefined,
    };
    const changed = await resumeUnfinishedLogs({
      records: [
        record({
          id: 'c1',
          direction: 'outbound',
          from: { number: '1001', name: null },
          to: { number: '+4930123456', name: null },
          crm: { entity: 'contact', recordId: 'abc', recordName: null, activityId: null, logState: null, notes: 'call back Friday' },
        }),
      ],
      extension: '1001',
      crm,
      now: NOW,
    });
    assert.equal(changed, true);
    assert.equal(requests.length, 1);
    assert.deepEqual(itemAt(requests, 0).call, {
      callId: 'c1',
      direction: 'outbound',
      number: '+4930123456',
      extension: '1001',
      startedAt: NOW - 60_000,
      answeredAt: NOW - 50_000,
      endedAt: NOW - 10_000,
    });
    assert.deepEqual(itemAt(requests, 0).record, { entity: 'contact', id: 'abc', name: '' });
    assert.equal(itemAt(requests, 0).notes, 'call back Friday');
  });

  test('a single lookup match becomes the regarding record, several do not', async () => {
    const seen: unknown[] = [];
    const journal = async (request: JournalRequest) => {
      seen.push(request.record);
      return { state: 'logged' as const, activityId: 'x' };
    };
    const one = { entity: 'contact' as const, id: '1', name: 'A' };
    await resumeUnfinishedLogs({ records: [record({ id: 'a' })], extension: '1001', crm: { journal, lookup: async () => [one], remembered: async () => undefined }, now: NOW });
    await resumeUnfinishedLogs({
      records: [record({ id: 'b' })],
      extension: '1001',
      crm: { journal, lookup: async () => [one, { ...one, id: '2' }], remembered: async () => undefined },
      now: NOW,
    });
    assert.deepEqual(seen, [one, undefined]);
  });

  test('catching up stops when Dynamics 365 is not connected', async () => {
    let calls = 0;
    const crm = {
      journal: async () => {
        calls++;
        return { state: 'waiting' as const };
      },
      lookup: async () => [],
      remembered: async () => undefined,
    };
    const changed = await resumeUnfinishedLogs({ records: [record({ id: 'a' }), record({ id: 'b' })], extension: '1001', crm, now: NOW });
    assert.equal(changed, false);
    assert.equal(calls, 1);
  });
});
