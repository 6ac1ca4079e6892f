/**
 * Plays a call's far-end audio: one hidden <audio> element per call, fed by the peer
 * connection's received tracks, sent to the chosen output device where the browser can
 * (HTMLMediaElement.setSinkId).
 */

export class RemoteAudio {
  readonly #elements = new Map<string, HTMLAudioElement>();
  #sinkId = '';

  /** Attaches the received tracks of `connection` for call `id`. */
  attach(id: string, connection: RTCPeerConnection): void {
    const element = this.#element(id);
    const play = () => {
      const tracks = connection
        .getReceivers()
        .map((receiver) => receiver.track)
        .filter((track) => track.kind === 'audio');
      element.srcObject = new MediaStream(tracks);
      element.play().catch(() => {
        // Autoplay refused before any user gesture: the next gesture (answer, a key) starts it.
      });
    };
    connection.addEventListener('track', play);
    if (connection.getReceivers().length > 0) play();
  }

  detach(id: string): void {
    const element = this.#elements.get(id);
    if (!element) return;
    element.srcObject = null;
    element.remove();
    this.#elements.delete(id);
  }

  async setSink(deviceId: string): Promise<boolean> {
    this.#sinkId = deviceId;
    const results = await Promise.all([...this.#elements.values()].map((element) => applySink(element, deviceId)));
    return results.every(Boolean);
  }

  #element(id: string): HTMLAudioElement {
    let element = this.#elements.get(id);
    if (!element) {
      element = document.createElement('audio');
      element.autoplay = true;
      element.hidden = true;
      document.body.append(element);
      this.#elements.set(id, element);
      if (this.#sinkId) void applySink(element, this.#sinkId);
    }
    return element;
  }
}

async function applySink(element: HTMLAudioElement, deviceId: string): Promise<boolean> {
  const withSink = element as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  if (typeof withSink.setSinkId !== 'function') return false;
  try {
    await withSink.setSinkId(deviceId);
    return true;
  } catch {
    return false;
  }
}
