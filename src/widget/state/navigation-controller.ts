/**
 * What the agent moves between: the tabs (each loads what it shows), the number being typed,
 * and the notice bar.
 */
import type { PaneState, Tab } from './pane-state.ts';
import type { Store } from './store.ts';

export interface NavigationControllerOptions {
  store: Store<PaneState>;
  history: { load(): Promise<void> };
  devices: { refresh(): Promise<void> };
  calls: { dial(raw: string): Promise<void> };
}

export class NavigationController {
  readonly #o: NavigationControllerOptions;

  constructor(options: NavigationControllerOptions) {
    this.#o = options;
  }

  select(tab: Tab): void {
    this.#o.store.update({ tab });
    if (tab === 'history') void this.#o.history.load();
    if (tab === 'settings') void this.#o.devices.refresh();
  }

  setDial(dial: string): void {
    this.#o.store.update({ dial });
  }

  /** The dial pad's call button: the number typed, or a notice that there is none. */
  async dialTyped(): Promise<void> {
    const { store, calls } = this.#o;
    if (store.state.dial.trim() === '') {
      store.update({ notice: { kind: 'error', key: 'nothingToDial' } });
      return;
    }
    await calls.dial(store.state.dial);
  }

  dismissNotice(): void {
    this.#o.store.update({ notice: undefined });
  }
}
