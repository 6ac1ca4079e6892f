/**
 * The ring of an incoming call, synthesised with Web Audio (no sound file to ship): the
 * North American 440 + 480 Hz pair, 2 s on, 4 s off (ANSI T1.401). Browsers may refuse sound
 * before the page has seen a user gesture; then the call card and the docking panel still show.
 */

export class Ringtone {
  #context: AudioContext | undefined;
  #stop: (() => void) | undefined;
  #sinkId = '';

  set outputDevice(deviceId: string) {
    this.#sinkId = deviceId;
  }

  start(): void {
    if (this.#stop) return;
    let context: AudioContext;
    try {
      context = this.#context ??= new AudioContext();
    } catch {
      return;
    }
    const withSink = context as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (this.#sinkId && typeof withSink.setSinkId === 'function') withSink.setSinkId(this.#sinkId).catch(() => {});
    void context.resume().catch(() => {});
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
    const ring = () => {
      const now = context.currentTime;
      gain.gain.setValueAtTime(0.12, now);
      gain.gain.setValueAtTime(0, now + 2);
    };
    ring();
    const timer = setInterval(ring, 6000);
    this.#stop = () => {
      clearInterval(timer);
      gain.gain.cancelScheduledValues(context.currentTime);
      gain.gain.value = 0;
      for (const oscillator of oscillators) oscillator.stop();
      gain.disconnect();
    };
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }
}
