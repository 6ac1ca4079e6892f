import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiResult } from '../../../src/widget/api/api-client.ts';
import type { CallPage } from '../../../src/widget/api/api-types.ts';
import type { CifEnvironment } from '../../../src/widget/cif/cif-values.ts';
import type { JournalRequest } from '../../../src/widget/crm/crm-flow.ts';
import type { PaneState } from '../../../src/widget/state/pane-state.ts';
import { CATCH_UP_CALLS, HISTORY_PAGE, HistoryController } from '../../../src/widget/state/history-controller.ts';
import { callRecord, failed, ok, paneStore, settle, signedInStore } from '../support/pane-fakes.ts';

function setup(pages: Array<ApiResult<CallPage>>, state: Partial<PaneState> = {}, options: { cif?: boolean; session?: boolean } = {}) {
  const store = options.session === false ? paneStore(state) : signedInStore(state);
  const requests: Array<{ limit?: number; before?: string }> = [];
  const known: string[][] = [];
  const journaled: JournalRequest[] = [];
  const api = {
    calls: async (request: { limit?: number; before?: string }) => {
      requests.push(request);
      return pages.shift() ?? ok({ calls: [], nextCursor: null });
    },
  };
  const crm = {
    know: async (numbers: readonly string[]) => void known.push([...numbers]),
    journal: async (request: JournalRequest) => {
      journaled.push(request);
      return { state: 'logged' as const, activityId: 'a1' };
    },
    lookup: async () => [],
    remembered: async () => undefined,
  };
  const history = new HistoryController({ store, api, crm, cifAvailable: () => options.cif ?? true });
  return { history, store, requests, known, journaled };
}

const HOLDER_IN_DYNAMICS: Partial<PaneState> = { role: 'holder', environment: { userId: 'u1' } as CifEnvironment };

describe('history controller', () => {
  test('the newest page is shown, its numbers read first so they show as read', async () => {
    const first = callRecord({ id: 'c1' });
    const { history, store, requests, known } = setup([ok({ calls: [first], nextCursor: 'cursor-1' })]);
    await history.load();
    assert.deepEqual(requests, [{ limit: HISTORY_PAGE, before: undefined }]);
    assert.deepEqual(known, [['+14155550100', '1001']]);
    assert.deepEqual(store.state.history, { loading: false, records: [first], next: 'cursor-1' });
  });

  test('"Load more" asks for the calls before the last shown and appends them', async () => {
    const [a, b] = [callRecord({ id: 'a' }), callRecord({ id: 'b' })];
    const { history, store, requests } = setup([ok({ calls: [a], nextCursor: 'after-a' }), ok({ calls: [b], nextCursor: null })]);
    await history.load();
    await history.load(true);
    assert.equal(requests[1]?.before, 'after-a');
    assert.deepEqual(
      store.state.history.records.map((record) => record.id),
      ['a', 'b'],
    );
    assert.equal(store.state.history.next, null);
  });

  test('a page the server cannot give keeps what is shown and says why', async () => {
    const shown = callRecord({ id: 'shown' });
    const { history, store } = setup([failed(500, 'INTERNAL', 'try later')], { history: { loading: false, records: [shown], next: null } });
    await history.load();
    assert.deepEqual(store.state.history, { loading: false, records: [shown], next: null, error: 'try later' });
  });

  test('signed out, nothing is asked', async () => {
    const { history, requests } = setup([], {}, { session: false });
    await history.load();
    assert.deepEqual(requests, []);
  });

  test('the holder with Dynamics connected journals the recent calls still without a log, once', async () => {
    const { history, requests, journaled } = setup([ok({ calls: [callRecord({ id: 'unlogged' })], nextCursor: null })], HOLDER_IN_DYNAMICS);
    await history.catchUp();
    await history.catchUp();
    await settle();
    assert.deepEqual(
      journaled.map((request) => request.call.callId),
      ['unlogged'],
    );
    assert.equal(requests[0]?.limit, CATCH_UP_CALLS);
    // The history is then reloaded to show the new log states.
    assert.equal(requests.length, 2);
    assert.equal(requests[1]?.limit, HISTORY_PAGE);
  });

  test('a follower tab, or a pane without Dynamics, catches nothing up', async () => {
    const follower = setup([], { ...HOLDER_IN_DYNAMICS, role: 'follower' });
    await follower.history.catchUp();
    const standalone = setup([], HOLDER_IN_DYNAMICS, { cif: false });
    await standalone.history.catchUp();
    assert.deepEqual([...follower.requests, ...standalone.requests], []);
  });

  test('a call still in progress in this pane is left to its own wrap-up', async () => {
    const live = callRecord({ id: 'live' });
    const { history, journaled } = setup([ok({ calls: [live], nextCursor: null })], {
      ...HOLDER_IN_DYNAMICS,
      calls: [{ serverCallId: 'live' } as PaneState['calls'][number]],
    });
    await history.catchUp();
    assert.deepEqual(journaled, []);
  });

  test('each reconnect of the event channel catches up again; a failed look is retried next time', async () => {
    const { history, requests } = setup([failed(0, 'NETWORK'), ok({ calls: [], nextCursor: null })], HOLDER_IN_DYNAMICS);
    await history.catchUp();
    await history.catchUp();
    history.channelReady();
    await settle();
    assert.equal(requests.length, 3);
  });
});
