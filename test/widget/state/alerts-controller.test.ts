import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlertPermission } from '../../../src/widget/phone/call-notifier.ts';
import { ALERTS_OFFERED_KEY, AlertsController } from '../../../src/widget/state/alerts-controller.ts';
import { memoryStorage, signedInStore } from '../support/pane-fakes.ts';

function setup(options: { permission?: AlertPermission; afterRequest?: AlertPermission; offered?: boolean } = {}) {
  const store = signedInStore();
  const storage = memoryStorage(options.offered ? { [ALERTS_OFFERED_KEY]: '1' } : {});
  let permissionListener: ((permission: AlertPermission) => void) | undefined;
  let audibleListener: ((audible: boolean) => void) | undefined;
  let requests = 0;
  const notifier = {
    permission: options.permission ?? 'default',
    request: async () => {
      requests++;
      return options.afterRequest ?? 'granted';
    },
    onPermission: (listener: (permission: AlertPermission) => void) => {
      permissionListener = listener;
      return () => {};
    },
  };
  const ringtone = {
    onAudible: (listener: (audible: boolean) => void) => {
      audibleListener = listener;
      return () => {};
    },
  };
  const alerts = new AlertsController({ store, notifier, ringtone, storage });
  return { alerts, store, storage, requests: () => requests, permissionChanged: (p: AlertPermission) => permissionListener?.(p), audible: (a: boolean) => audibleListener?.(a) };
}

describe('alerts controller', () => {
  test('the pane shows what the browser allows and whether the offer was already answered', () => {
    assert.deepEqual(pick(setup({ permission: 'denied' }).store.state), { alerts: 'denied', alertsOffered: false });
    assert.deepEqual(pick(setup({ permission: 'granted', offered: true }).store.state), { alerts: 'granted', alertsOffered: true });
  });

  test('turning alerts on asks the browser and ends the offer for good', async () => {
    const { alerts, store, storage, requests } = setup({ afterRequest: 'granted' });
    await alerts.enable();
    assert.equal(requests(), 1);
    assert.deepEqual(pick(store.state), { alerts: 'granted', alertsOffered: true });
    assert.equal(storage.values.get(ALERTS_OFFERED_KEY), '1');
  });

  test('"Not now" ends the offer without asking the browser', () => {
    const { alerts, store, storage, requests } = setup();
    alerts.decline();
    assert.equal(requests(), 0);
    assert.equal(store.state.alertsOffered, true);
    assert.equal(storage.values.get(ALERTS_OFFERED_KEY), '1');
  });

  test('a permission changed elsewhere and the ringer becoming audible are shown', () => {
    const { store, permissionChanged, audible } = setup();
    permissionChanged('granted');
    audible(true);
    assert.equal(store.state.alerts, 'granted');
    assert.equal(store.state.ringerAudible, true);
  });
});

function pick(state: { alerts: AlertPermission; alertsOffered: boolean }) {
  return { alerts: state.alerts, alertsOffered: state.alertsOffered };
}
