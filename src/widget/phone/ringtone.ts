/**
 * The ring of an incoming call, synthesised with Web Audio (no sound file to ship): the
 * North American 440 + 480 Hz pair, 2 s on, 4 s off (ANSI T1.401).
 *
 * Browsers let a page make sound only once it has had a user gesture (Chrome's autoplay policy:
 * an AudioContext starts "suspended" until then, and a frame of another site — the pane inside
 * Dynamics 365, whose iframe is not allowed `autoplay` — counts only gestures made in the frame
 * itself). So the pane's AudioContext is created and resumed at the agent's first click or key
 * in the pane (unlockOn), and from then on every call rings, in a background tab too. Before any
 * gesture (a pane reloaded and signed in from its cookie) no page can ring; `audible` says so,
 * the incoming call's card asks for a click, and a desktop notification (call-notifier.ts) is
 * what the agent hears.
 *
 * The cadence is scheduled on the audio clock, not with timers: browsers throttle the timers of
 * background tabs, never the audio rendering.
 */

/** What the ringtone needs of an AudioContext (the browser's, or a test's). */
export interface RingContext {
  readonly state: AudioContextState;
  readonly currentTime: number;
  readonly destination: AudioNode;
  resume(): Promise<void>;
  createGain(): GainNode;
  createOscillator(): OscillatorNode;
  addEventListener(type: 'statechange', listener: () => void): void;
}

export interface RingtoneEnvironment {
  /** A new AudioContext; throws where there is none. */
  createContext(): RingContext;
}

const LEVEL = 0.12;
const ON_S = 2;
const PERIOD_S = 6;
/** Ten minutes of cadence scheduled at once: longer than any PBX lets a call ring. */
const CYCLES = 100;
const GESTURES = ['pointerdown', 'keydown'] as const;

export function browserRingtoneEnvironment(): RingtoneEnvironment {
  return { createContext: () => new AudioContext() };
}

export class Ringtone {
  readonly #env: RingtoneEnvironment;
  readonly #listeners = new Set<(audible: boolean) => void>();
  #context: RingContext | undefined;
  #stop: (() => void) | undefined;
  #sinkId = '';

  constructor(env: RingtoneEnvironment = browserRingtoneEnvironment()) {
    this.#env = env;
  }

  set outputDevice(deviceId: string) {
    this.#sinkId = deviceId;
    if (this.#context) this.#applySink(this.#context);
  }

  /** Whether a ring would be heard now: false until the page has had a gesture (or where there is no Web Audio). */
  get audible(): boolean {
    return this.#context?.state === 'running';
  }

  onAudible(listener: (audible: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Unlocks the sound at the first click or key in `target` (the pane's document): the context is
   * made and resumed inside the gesture, which is what browsers require. Listens until it runs.
   */
  unlockOn(target: EventTarget): void {
    const unlock = () => {
      this.#ensureContext();
      if (this.audible) for (const type of GESTURES) target.removeEventListener(type, unlock, true);
    };
    for (const type of GESTURES) target.addEventListener(type, unlock, true);
  }

  start(): void {
    if (this.#stop) return;
    const context = this.#ensureContext();
    if (!context) return;
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    const oscillators = [440, 480].map((frequency) => {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start();
      return oscillator;
    });
    const first = context.currentTime;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      gain.gain.setValueAtTime(LEVEL, first + cycle * PERIOD_S);
      gain.gain.setValueAtTime(0, first + cycle * PERIOD_S + ON_S);
    }
    this.#stop = () => {
      gain.gain.cancelScheduledValues(0);
      gain.gain.value = 0;
      for (const oscillator of oscillators) oscillator.stop();
      gain.disconnect();
    };
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /** The one AudioContext, created on first need and asked to run (granted only after a gesture). */
  #ensureContext(): RingContext | undefined {
    if (!this.#context) {
      try {
        this.#context = this.#env.createContext();
      } catch {
        return undefined;
      }
      const context = this.#context;
      this.#applySink(context);
      context.addEventListener('statechange', () => {
        for (const listener of [...this.#listeners]) listener(this.audible);
      });
    }
    if (this.#context.state !== 'running') void this.#context.resume().catch(() => {});
    return this.#context;
  }

  #applySink(context: RingContext): void {
    const withSink = context as RingContext & { setSinkId?: (id: string) => Promise<void> };
    if (this.#sinkId && typeof withSink.setSinkId === 'function') withSink.setSinkId(this.#sinkId).catch(() => {});
  }
}
