import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ringtone, type RingContext } from '../../../src/widget/phone/ringtone.ts';
import { itemAt } from '../../support/item-at.ts';

/**
 * An AudioContext under the browser's autoplay rule: it starts suspended and runs only when
 * resumed during a user gesture (`gesture` is true while the test plays one).
 */
class FakeAudioContext implements RingContext {
  state: AudioContextState = 'suspended';
  currentTime = 100;
  readonly destination = {} as AudioNode;
  readonly scheduled: Array<[number, number]> = [];
  readonly #listeners: Array<() => void> = [];
  static gesture = false;

  resume(): Promise<void> {
    if (FakeAudioContext.gesture && this.state !== 'running') {
      this.state = 'running';
      for (const listener of this.#listeners) listener();
    }
    return Promise.resolve();
  }
  addEventListener(_type: 'statechange', listener: () => void): void {
    this.#listeners.push(listener);
  }
  createGain(): GainNode {
    const scheduled = this.scheduled;
    return {
      gain: { value: 0, setValueAtTime: (value: number, at: number) => scheduled.push([value, at]), cancelScheduledValues: () => scheduled.splice(0) },
      connect: () => {},
      disconnect: () => {},
    } as unknown as GainNode;
  }
  createOscillator(): OscillatorNode {
    return { frequency: { value: 0 }, connect: () => {}, start: () => {}, stop: () => {} } as unknown as OscillatorNode;
  }
}

function setUp() {
  const contexts: FakeAudioContext[] = [];
  const ringtone = new Ringtone({
    createContext: () => {
      const context = new FakeAudioContext();
      contexts.push(context);
      return context;
    },
  });
  const pane = new EventTarget();
  return { ringtone, contexts, pane };
}

function click(target: EventTarget): void {
  FakeAudioContext.gesture = true;
  try {
    target.dispatchEvent(new Event('pointerdown'));
  } finally {
    FakeAudioContext.gesture = false;
  }
}

test('the first click in the pane unlocks the sound, so a call that rings later is heard', () => {
  const { ringtone, contexts, pane } = setUp();
  const heard: boolean[] = [];
  ringtone.onAudible((audible) => heard.push(audible));
  ringtone.unlockOn(pane);
  assert.equal(ringtone.audible, false);
  click(pane);
  assert.equal(contexts.length, 1);
  assert.equal(ringtone.audible, true);
  assert.deepEqual(heard, [true]);
  ringtone.start();
  assert.equal(contexts.length, 1, 'the unlocked context rings: a new one would start suspended again');
});

test('a call that rings before any gesture is silent and says so; the first click makes it heard while it rings', () => {
  const { ringtone, contexts, pane } = setUp();
  ringtone.unlockOn(pane);
  ringtone.start();
  assert.equal(ringtone.audible, false);
  click(pane);
  assert.equal(itemAt(contexts, 0).state, 'running');
  assert.equal(ringtone.audible, true);
});

test('the cadence (2 s on, 4 s off) is scheduled on the audio clock, which background tabs do not throttle, and stop cancels it', () => {
  const { ringtone, contexts, pane } = setUp();
  ringtone.unlockOn(pane);
  click(pane);
  ringtone.start();
  const scheduled = itemAt(contexts, 0).scheduled;
  assert.deepEqual(scheduled.slice(0, 4), [
    [0.12, 100],
    [0, 102],
    [0.12, 106],
    [0, 108],
  ]);
  assert.ok(scheduled.at(-1)![1] >= 100 + 9 * 60, 'rings for ten minutes without a timer');
  ringtone.stop();
  assert.deepEqual(scheduled, []);
});
