import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NavigationController } from '../../../src/widget/state/navigation-controller.ts';
import { signedInStore } from '../support/pane-fakes.ts';

function setup() {
  const store = signedInStore();
  const done: string[] = [];
  const navigation = new NavigationController({
    store,
    history: { load: async () => void done.push('history') },
    devices: { refresh: async () => void done.push('devices') },
    calls: { dial: async (raw) => void done.push(`dial ${raw}`) },
  });
  return { navigation, store, done };
}

describe('navigation controller', () => {
  test('opening History loads the newest calls and opening Settings lists the devices', () => {
    const { navigation, store, done } = setup();
    navigation.select('history');
    assert.equal(store.state.tab, 'history');
    navigation.select('settings');
    navigation.select('phone');
    assert.equal(store.state.tab, 'phone');
    assert.deepEqual(done, ['history', 'devices']);
  });

  test('the call button dials the number typed', async () => {
    const { navigation, store, done } = setup();
    navigation.setDial('+1 415 555 0100');
    assert.equal(store.state.dial, '+1 415 555 0100');
    await navigation.dialTyped();
    assert.deepEqual(done, ['dial +1 415 555 0100']);
  });

  test('the call button with nothing typed says so and dials nothing', async () => {
    const { navigation, store, done } = setup();
    navigation.setDial('  ');
    await navigation.dialTyped();
    assert.deepEqual(done, []);
    assert.deepEqual(store.state.notice, { kind: 'error', key: 'nothingToDial' });
    navigation.dismissNotice();
    assert.equal(store.state.notice, undefined);
  });
});
