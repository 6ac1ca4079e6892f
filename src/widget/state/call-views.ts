/** Reading, changing and waiting on one call of the pane's state. */
import type { MessageKey } from '../i18n/i18n.ts';
import type { CallView, PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

export function viewOf(store: Store<PaneState>, id: string): CallView | undefined {
  return store.state.calls.find((call) => call.phone.id === id);
}

export function patchView(store: Store<PaneState>, id: string, patch: Partial<CallView>): void {
  store.update((state) => ({ calls: state.calls.map((call) => (call.phone.id === id ? { ...call, ...patch } : call)) }));
}

/** Resolves when `test` holds for the call (or it is gone), or after `ms`. */
export function untilView(store: Store<PaneState>, id: string, test: (view: CallView) => boolean, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const view = viewOf(store, id);
      if (!view || test(view)) finish();
    };
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(finish, ms);
    const unsubscribe = store.subscribe(check);
    check();
  });
}

export function showNotice(store: Store<PaneState>, kind: 'error' | 'info', key: MessageKey, values?: Record<string, string | number>): void {
  store.update({ notice: values ? { kind, key, values } : { kind, key } });
}
