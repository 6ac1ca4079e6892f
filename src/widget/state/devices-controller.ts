/**
 * The agent's audio devices: the list the settings page offers, the microphone calls use and the
 * speaker both the far end and the ring play on.
 */
import type { Microphone } from '../phone/microphone.ts';
import type { PhoneEngine } from '../phone/phone-engine.ts';
import type { Ringtone } from '../phone/ringtone.ts';
import type { PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

export interface DevicesControllerOptions {
  store: Store<PaneState>;
  microphone: Pick<Microphone, 'devices' | 'inputDevice'>;
  ringtone: Pick<Ringtone, 'outputDevice'>;
  engine: Pick<PhoneEngine, 'setOutputDevice'>;
}

export class DevicesController {
  readonly #o: DevicesControllerOptions;

  constructor(options: DevicesControllerOptions) {
    this.#o = options;
  }

  async refresh(): Promise<void> {
    this.#o.store.update({ devices: await this.#o.microphone.devices() });
  }

  setInput(deviceId: string): void {
    this.#o.microphone.inputDevice = deviceId;
    this.#o.store.update({ inputDevice: deviceId });
  }

  async setOutput(deviceId: string): Promise<void> {
    this.#o.ringtone.outputDevice = deviceId;
    await this.#o.engine.setOutputDevice(deviceId);
    this.#o.store.update({ outputDevice: deviceId });
  }
}
