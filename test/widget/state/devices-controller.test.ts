import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AudioDevice } from '../../../src/widget/phone/microphone.ts';
import { DevicesController } from '../../../src/widget/state/devices-controller.ts';
import { FakeEngine, signedInStore } from '../support/pane-fakes.ts';

const DEVICES: AudioDevice[] = [
  { deviceId: 'mic-1', label: 'Headset microphone', kind: 'audioinput' },
  { deviceId: 'spk-1', label: 'Headset', kind: 'audiooutput' },
];

function setup() {
  const store = signedInStore();
  const microphone = { inputDevice: '', devices: async () => DEVICES };
  const ringtone = { outputDevice: '' };
  const engine = new FakeEngine();
  const devices = new DevicesController({ store, microphone, ringtone, engine });
  return { devices, store, microphone, ringtone, engine };
}

describe('devices controller', () => {
  test('the settings page lists the devices the browser reports', async () => {
    const { devices, store } = setup();
    await devices.refresh();
    assert.deepEqual(store.state.devices, DEVICES);
  });

  test('a chosen microphone is the one the next call uses', () => {
    const { devices, store, microphone } = setup();
    devices.setInput('mic-1');
    assert.equal(microphone.inputDevice, 'mic-1');
    assert.equal(store.state.inputDevice, 'mic-1');
  });

  test('a chosen speaker plays both the ring and the far end', async () => {
    const { devices, store, ringtone, engine } = setup();
    await devices.setOutput('spk-1');
    assert.equal(ringtone.outputDevice, 'spk-1');
    assert.deepEqual(engine.actions, ['output spk-1']);
    assert.equal(store.state.outputDevice, 'spk-1');
  });
});
