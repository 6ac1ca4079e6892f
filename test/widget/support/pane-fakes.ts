/**
 * Stand-ins for what the pane's controllers are given: the browser (PaneEnvironment), the
 * server's API answers and the phone engine. No browser, no network: each test says what the
 * world answers and reads what the controller did.
 */
import type { ApiCallFailure, ApiResult } from '../../../src/widget/api/api-client.ts';
import type { CallRecord, SessionView, SipCredentials } from '../../../src/widget/api/api-types.ts';
import type { CifLoaderOptions } from '../../../src/widget/cif/cif-loader.ts';
import type { PhoneEngine, PhoneEvent, RegistrationState } from '../../../src/widget/phone/phone-engine.ts';
import type { CoordinationChannel } from '../../../src/widget/phone/registration-coordinator.ts';
import type { PaneEnvironment } from '../../../src/widget/state/pane-environment.ts';
import { initialState, type PaneState } from '../../../src/widget/state/pane-state.ts';
import type { SafeStorage } from '../../../src/widget/state/safe-storage.ts';
import { Store } from '../../../src/widget/state/store.ts';

export const SESSION: SessionView = { expiresAt: 0, extension: { number: '1001', displayName: 'Alice', email: null } } as SessionView;

export const CREDENTIALS: SipCredentials = {
  wsUrl: 'ws://127.0.0.1:5066',
  uri: 'sip:1001@127.0.0.1',
  authorizationUser: '1001',
  password: 'short-lived',
  expiresAt: new Date(0).toISOString(),
  expiresInSeconds: 600,
  displayName: 'Alice',
  registrarServer: 'sip:127.0.0.1',
  iceServers: [],
};

export function ok<T>(value: T): ApiResult<T> {
  return { ok: true, value };
}

export function failed<T = never>(status: number, code: ApiCallFailure['code'], message: string = code): ApiResult<T> {
  const error: ApiCallFailure = { status, code, message };
  return { ok: false, error };
}

export function paneStore(patch: Partial<PaneState> = {}): Store<PaneState> {
  return new Store<PaneState>({ ...initialState('en'), ...patch });
}

export function signedInStore(patch: Partial<PaneState> = {}): Store<PaneState> {
  return paneStore({ boot: 'signed-in', session: SESSION, ...patch });
}

/** Settles everything already queued (promises resolved by fakes). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function memoryStorage(initial: Record<string, string> = {}): SafeStorage & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: (key) => values.get(key),
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
}

/** A phone that records what it is told and lets the test play the registrar. */
export class FakeEngine implements PhoneEngine {
  registration: RegistrationState = 'unregistered';
  readonly actions: string[] = [];
  readonly #listeners = new Set<(event: PhoneEvent) => void>();

  on(listener: (event: PhoneEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The registrar's answer, as JsSIP reports it. */
  registered(state: RegistrationState, reason?: string): void {
    this.registration = state;
    for (const listener of [...this.#listeners]) listener({ type: 'registration', state, reason });
  }

  listenerCount(): number {
    return this.#listeners.size;
  }

  calls() {
    return [];
  }
  register(credentials: SipCredentials): void {
    this.actions.push(`register ${credentials.authorizationUser}`);
  }
  renewCredentials(credentials: SipCredentials): void {
    this.actions.push(`renew ${credentials.authorizationUser}`);
  }
  async unregister(): Promise<void> {
    this.actions.push('unregister');
  }
  async setOutputDevice(deviceId: string): Promise<boolean> {
    this.actions.push(`output ${deviceId}`);
    return true;
  }
  call(): string {
    throw new Error('not used by these tests');
  }
  answer(): void {}
  decline(): void {}
  hangup(): void {}
  hold(): void {}
  resume(): void {}
  setMuted(): void {}
  dtmf(): void {}
  async blindTransfer() {
    return { ok: true as const };
  }
  consult(): string {
    throw new Error('not used by these tests');
  }
  async completeTransfer() {
    return { ok: true as const };
  }
  cancelTransfer(): void {}
}

/** The browser as the controllers see it; `cif`, `page` and `document` record what they did with it. */
export function fakeEnvironment(options: { languages?: string[]; channel?: CoordinationChannel } = {}) {
  const page = { hide: [] as Array<() => void>, restore: [] as Array<() => void>, wake: [] as Array<() => void> };
  const cif: { loads: Array<Pick<CifLoaderOptions, 'base' | 'onReady' | 'onUnavailable'>> } = { loads: [] };
  const document = { language: '' };
  const channels: string[] = [];
  const env: PaneEnvironment = {
    languages: () => options.languages ?? ['en-US'],
    setDocumentLanguage: (language) => {
      document.language = language;
    },
    location: { protocol: 'https:', host: 'pane.test' },
    sessionStorage: memoryStorage(),
    localStorage: memoryStorage(),
    openChannel: (name) => {
      channels.push(name);
      return options.channel;
    },
    loadCif: (load) => void cif.loads.push(load),
    gestureTarget: new EventTarget(),
    onPageHide: (listener) => void page.hide.push(listener),
    onPageRestored: (listener) => void page.restore.push(listener),
    onWake: (listener) => void page.wake.push(listener),
    randomId: () => 'pane-1',
    notifier: { Notification: undefined, hidden: () => false, onVisibilityChange: () => {}, focus: () => {} },
    microphone: { mediaDevices: undefined, permissions: undefined, policy: undefined },
    ringtone: {
      createContext: () => {
        throw new Error('no audio in tests');
      },
    },
    sso: {
      origin: 'https://pane.test',
      open: () => null,
      randomSecret: () => 'secret',
      sha256: async (text) => `sha256(${text})`,
      onMessage: () => () => {},
    },
  };
  return { env, page, cif, document, channels };
}

export function callRecord(partial: Partial<CallRecord> & { id: string }): CallRecord {
  return {
    direction: 'inbound',
    from: { number: '+14155550100', name: null },
    to: { number: '1001', name: null },
    trunk: 't',
    startedAt: Date.now() - 60_000,
    answeredAt: Date.now() - 50_000,
    answeredBy: '1001',
    endedAt: Date.now() - 10_000,
    talkSeconds: 40,
    disposition: 'answered',
    endReason: null,
    crm: { entity: null, recordId: null, recordName: null, activityId: null, logState: null, notes: null },
    quality: null,
    extensions: ['1001'],
    ...partial,
  };
}
