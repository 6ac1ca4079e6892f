/**
 * Whether the agent will notice a call: desktop alerts (offered once, turned on with a click,
 * call-notifier.ts) and whether the ring can be heard yet (ringtone.ts).
 */
import type { CallNotifier } from '../phone/call-notifier.ts';
import type { Ringtone } from '../phone/ringtone.ts';
import type { PaneState } from './pane-state.ts';
import type { SafeStorage } from './safe-storage.ts';
import type { Store } from './store.ts';

/** Set once the agent answered the offer of desktop alerts, so it is made once (where storage is kept). */
export const ALERTS_OFFERED_KEY = 'callpane-alerts-offered';

export interface AlertsControllerOptions {
  store: Store<PaneState>;
  notifier: Pick<CallNotifier, 'permission' | 'request' | 'onPermission'>;
  ringtone: Pick<Ringtone, 'onAudible'>;
  /** localStorage: the answer to the offer outlasts the tab. */
  storage: SafeStorage;
}

export class AlertsController {
  readonly #o: AlertsControllerOptions;

  constructor(options: AlertsControllerOptions) {
    this.#o = options;
    const { store, notifier, ringtone, storage } = options;
    store.update({ alerts: notifier.permission, alertsOffered: storage.get(ALERTS_OFFERED_KEY) === '1' });
    notifier.onPermission((alerts) => store.update({ alerts }));
    ringtone.onAudible((ringerAudible) => store.update({ ringerAudible }));
  }

  /** From the click on "Turn on alerts": the browser asks the agent (where it lets this page ask). */
  async enable(): Promise<void> {
    this.#offered();
    this.#o.store.update({ alerts: await this.#o.notifier.request() });
  }

  /** "Not now". */
  decline(): void {
    this.#offered();
  }

  /** Either answer ends the offer for good. */
  #offered(): void {
    this.#o.storage.set(ALERTS_OFFERED_KEY, '1');
    this.#o.store.update({ alertsOffered: true });
  }
}
