/**
 * The phone's SIP registration, one per agent per browser: the pane's tabs agree which one holds
 * it (registration-coordinator.ts); the holder registers with the server's short-lived SIP
 * credentials and renews them (credential-renewal.ts), a follower stays unregistered until the
 * agent takes over or the holder goes away.
 */
import type { ApiClient } from '../api/api-client.ts';
import type { CredentialRenewal } from '../phone/credential-renewal.ts';
import type { PhoneEngine } from '../phone/phone-engine.ts';
import { coordinationChannelName, RegistrationCoordinator, type CoordinationChannel, type CoordinatorClock } from '../phone/registration-coordinator.ts';
import type { PaneEnvironment } from './pane-environment.ts';
import { isBusy, type PaneState } from './pane-state.ts';
import type { Store } from './store.ts';

/** How long a call waits for the phone to register after this tab took the registration over. */
export const REGISTER_WAIT_MS = 8000;
/** JsSIP's cause when the registrar refused the credentials (an expired pane credential). */
const AUTHENTICATION_ERROR = 'Authentication Error';

export interface RegistrationControllerOptions {
  store: Store<PaneState>;
  engine: PhoneEngine;
  api: Pick<ApiClient, 'sipCredentials'>;
  renewal: Pick<CredentialRenewal, 'start' | 'stop' | 'recover' | 'checkNow'>;
  env: Pick<PaneEnvironment, 'openChannel'>;
  /** This pane among the tabs. */
  paneId: string;
  clock?: CoordinatorClock;
  /** This pane became the holder: what only the holder does (the log catch-up) may run. */
  onHolder(): void;
  /** The server no longer knows the session. */
  onSessionOver(): void;
}

export class RegistrationController {
  readonly #o: RegistrationControllerOptions;
  #coordinator: RegistrationCoordinator | undefined;
  #channel: CoordinationChannel | undefined;

  constructor(options: RegistrationControllerOptions) {
    this.#o = options;
    options.engine.on((event) => {
      if (event.type !== 'registration') return;
      options.store.update({ registration: event.state, registrationReason: event.reason });
      if (event.state === 'failed' && event.reason === AUTHENTICATION_ERROR) options.renewal.recover();
    });
  }

  /** Signed in as `extension`: joins that extension's tabs. */
  start(extension: string): void {
    this.#coordinator?.stop();
    this.#channel?.close();
    const channel = this.#o.env.openChannel(coordinationChannelName(extension));
    this.#channel = channel;
    this.#coordinator = new RegistrationCoordinator({
      channel,
      id: this.#o.paneId,
      clock: this.#o.clock,
      isBusy: () => isBusy(this.#o.store.state),
      onRoleChange: (role) => {
        this.#o.store.update({ role });
        if (role === 'holder') {
          void this.#register();
          this.#o.onHolder();
        } else {
          this.#o.renewal.stop();
          void this.#o.engine.unregister();
        }
      },
    });
    this.#coordinator.start();
  }

  /** Signed out: leaves the tabs and unregisters. */
  async stop(): Promise<void> {
    this.#coordinator?.stop();
    this.#coordinator = undefined;
    this.#channel?.close();
    this.#channel = undefined;
    this.#o.renewal.stop();
    await this.#o.engine.unregister();
  }

  /** The page goes away (pagehide): a holder hands over to another tab at once. */
  leave(): void {
    this.#coordinator?.stop();
    this.#o.renewal.stop();
    void this.#o.engine.unregister();
  }

  /** The page came back from the back/forward cache: it joins the tabs again. */
  restore(): void {
    if (this.#o.store.state.session) this.#coordinator?.start();
  }

  /** After sleep or an outage the renewal timer may be late: the credential may be due already. */
  wake(): void {
    this.#o.renewal.checkNow();
  }

  /** "Use this tab". */
  async takeOver(): Promise<void> {
    const outcome = await this.#coordinator?.takeOver();
    if (outcome === 'busy') this.#o.store.update({ notice: { kind: 'info', key: 'otherTabBusy' } });
  }

  /** Before placing a call: this pane must hold the registration (taken over if another tab does) and be registered. */
  async ensureHolder(): Promise<boolean> {
    const { store, engine } = this.#o;
    const coordinator = this.#coordinator;
    if (!coordinator) return false;
    if (coordinator.role !== 'holder') {
      const outcome = await coordinator.takeOver();
      if (outcome === 'busy') {
        store.update({ notice: { kind: 'info', key: 'otherTabBusy' } });
        return false;
      }
    }
    if (engine.registration === 'registered') return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, REGISTER_WAIT_MS);
      const off = engine.on((event) => event.type === 'registration' && event.state === 'registered' && done());
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    return (engine.registration as string) === 'registered';
  }

  async #register(): Promise<void> {
    const { store, api, engine, renewal } = this.#o;
    const credentials = await api.sipCredentials();
    if (!credentials.ok) {
      if (credentials.error.status === 401) return this.#o.onSessionOver();
      store.update({ registration: 'failed', registrationReason: credentials.error.message });
      return;
    }
    if (this.#coordinator?.role !== 'holder') return;
    engine.register(credentials.value);
    renewal.start(credentials.value);
  }
}
