/**
 * The microphone: asked for when the agent first places or answers a call (not at sign-in, so
 * the browser's prompt appears when it makes sense), kept while calls last and released after,
 * so the browser's recording indicator is honest. Failures are classified so the pane can say
 * what to do — including the case where the Dynamics page's iframe does not delegate the
 * microphone (`allow="microphone"`, docs/cif-contract.md §6), which no click in the pane can fix.
 */

export type MicrophoneProblem =
  /** The browser or the person said no (site setting, prompt dismissed). */
  | 'denied'
  /** The embedding page's iframe does not allow the microphone (permissions policy). */
  | 'not-delegated'
  | 'no-device'
  /** Another application holds it, or the hardware failed. */
  | 'in-use'
  /** No mediaDevices at all: not a secure context (HTTPS) or a browser without WebRTC. */
  | 'unsupported'
  | 'failed';

export type MicrophoneResult = { ok: true; stream: MediaStream } | { ok: false; problem: MicrophoneProblem; detail: string };

export interface MicrophoneEnvironment {
  mediaDevices: Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices'> | undefined;
  /** `document.permissionsPolicy ?? document.featurePolicy` where the browser has one. */
  policy: { allowsFeature(feature: string): boolean } | undefined;
  permissions: Pick<Permissions, 'query'> | undefined;
}

export function browserMicrophoneEnvironment(): MicrophoneEnvironment {
  const doc = document as Document & { permissionsPolicy?: MicrophoneEnvironment['policy']; featurePolicy?: MicrophoneEnvironment['policy'] };
  return {
    mediaDevices: navigator.mediaDevices,
    policy: doc.permissionsPolicy ?? doc.featurePolicy,
    permissions: navigator.permissions,
  };
}

/** Names the problem behind a getUserMedia rejection. */
export function classifyMicrophoneError(error: unknown, policyAllows: boolean | undefined): MicrophoneProblem {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      // A permissions-policy refusal and a person's refusal share one error name; the policy tells them apart.
      return policyAllows === false ? 'not-delegated' : 'denied';
    case 'SecurityError':
      return policyAllows === false ? 'not-delegated' : 'unsupported';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'no-device';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'failed';
  }
}

export interface AudioDevice {
  deviceId: string;
  label: string;
  kind: 'audioinput' | 'audiooutput';
}

export class Microphone {
  readonly #env: MicrophoneEnvironment;
  #stream: MediaStream | undefined;
  #inputId: string | undefined;

  constructor(env: MicrophoneEnvironment) {
    this.#env = env;
  }

  /** Whether the embedding page lets this frame use a microphone at all (undefined: cannot tell). */
  get delegated(): boolean | undefined {
    return this.#env.policy?.allowsFeature('microphone');
  }

  async permission(): Promise<PermissionState | undefined> {
    try {
      return (await this.#env.permissions?.query({ name: 'microphone' as PermissionName }))?.state;
    } catch {
      return undefined;
    }
  }

  /** The chosen input, '' for the system default. */
  set inputDevice(deviceId: string) {
    if ((deviceId || undefined) === this.#inputId) return;
    this.#inputId = deviceId || undefined;
    this.release();
  }

  /** The live stream, asking for it when there is none. */
  async acquire(): Promise<MicrophoneResult> {
    if (this.#stream?.getAudioTracks().some((track) => track.readyState === 'live')) return { ok: true, stream: this.#stream };
    const devices = this.#env.mediaDevices;
    if (!devices?.getUserMedia) return { ok: false, problem: 'unsupported', detail: 'navigator.mediaDevices is not available' };
    if (this.delegated === false) return { ok: false, problem: 'not-delegated', detail: 'permissions policy forbids microphone' };
    try {
      const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
      if (this.#inputId) audio.deviceId = { exact: this.#inputId };
      this.#stream = await devices.getUserMedia({ audio, video: false });
      return { ok: true, stream: this.#stream };
    } catch (error) {
      const problem = classifyMicrophoneError(error, this.delegated);
      return { ok: false, problem, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }

  /** Stops the tracks: no call needs them any more. */
  release(): void {
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = undefined;
  }

  /** Inputs and outputs; labels are empty until the microphone has been allowed once. */
  async devices(): Promise<AudioDevice[]> {
    try {
      const all = (await this.#env.mediaDevices?.enumerateDevices()) ?? [];
      return all
        .filter((device) => device.kind === 'audioinput' || device.kind === 'audiooutput')
        .map((device) => ({ deviceId: device.deviceId, label: device.label, kind: device.kind as AudioDevice['kind'] }));
    } catch {
      return [];
    }
  }
}

/** Whether audio elements can be sent to a chosen output (Chrome/Edge; not every browser). */
export function canChooseOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}
