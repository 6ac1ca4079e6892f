/**
 * The agent's call history (the History tab, newest first, a page at a time) and the catch-up of
 * call logs a reload, a closed tab or a pane outside Dynamics left unwritten (log-resume.ts).
 */
import type { ApiClient } from '../api/api-client.ts';
import type { CallRecord } from '../api/api-types.ts';
import type { CrmFlow } from '../crm/crm-flow.ts';
import { resumeUnfinishedLogs } from './log-resume.ts';
import type { PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

export const HISTORY_PAGE = 30;
/** How many recent calls the catch-up looks through. */
export const CATCH_UP_CALLS = 50;

export interface HistoryControllerOptions {
  store: Store<PaneState>;
  api: Pick<ApiClient, 'calls'>;
  crm: Pick<CrmFlow, 'know' | 'journal' | 'lookup' | 'remembered'>;
  /** Whether Dynamics 365 is connected (CIF), without which nothing can be logged. */
  cifAvailable(): boolean;
  now?: () => number;
}

export class HistoryController {
  readonly #o: HistoryControllerOptions;
  /** The catch-up ran (or runs) since the event channel last connected. */
  #caughtUp = false;

  constructor(options: HistoryControllerOptions) {
    this.#o = options;
  }

  /** The newest page again, or (`more`) the page after the ones shown. */
  async load(more = false): Promise<void> {
    const { store, api, crm } = this.#o;
    if (!store.state.session) return;
    const history = store.state.history;
    store.update({ history: { ...history, loading: true, error: undefined } });
    const result = await api.calls({ limit: HISTORY_PAGE, before: more ? (history.next ?? undefined) : undefined });
    const current = store.state.history;
    if (!result.ok) {
      store.update({ history: { ...current, loading: false, error: result.error.message } });
      return;
    }
    const records: CallRecord[] = more ? [...current.records, ...result.value.calls] : result.value.calls;
    // The server reads the numbers first, so history shows them as read ("+1 415 555 0100").
    await crm.know(result.value.calls.flatMap((record) => [record.from.number, record.to.number]));
    store.update({ history: { loading: false, records, next: result.value.nextCursor } });
  }

  /** The event channel (re)connected: calls that ended while it was down may still lack their log. */
  channelReady(): void {
    this.#caughtUp = false;
    void this.catchUp();
  }

  /**
   * Journals the recent calls still without a log, once per connection, and only in the pane
   * that holds the registration with Dynamics 365 connected (so two tabs never both write).
   */
  async catchUp(): Promise<void> {
    const { store, api, crm } = this.#o;
    const state = store.state;
    if (this.#caughtUp || !this.#o.cifAvailable() || state.role !== 'holder' || !state.session || !state.environment) return;
    this.#caughtUp = true;
    const recent = await api.calls({ limit: CATCH_UP_CALLS });
    if (!recent.ok) {
      this.#caughtUp = false;
      return;
    }
    const live = new Set(store.state.calls.map((call) => call.serverCallId));
    const records = recent.value.calls.filter((record) => !live.has(record.id));
    const now = (this.#o.now ?? Date.now)();
    if (await resumeUnfinishedLogs({ records, extension: state.session.extension.number, crm, now })) void this.load();
  }
}
