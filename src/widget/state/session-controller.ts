/**
 * The agent's session: resumed from its cookie at start-up, opened with a password or through an
 * identity provider's popup (sso-sign-in.ts), closed by the agent or by the server. What starts
 * and stops with a session (settings, event channel, registration, click-to-act) is the
 * lifecycle's business, wired by the pane's composition (pane.ts).
 */
import { ApiErrorCode } from '../../contract/api-errors.ts';
import type { ApiCallFailure, ApiClient } from '../api/api-client.ts';
import type { SessionView } from '../api/api-types.ts';
import type { PaneState } from './pane-state.ts';
import type { SsoEnd, SsoSignIn } from './sso-sign-in.ts';
import type { Store } from './store.ts';

export interface SessionLifecycle {
  /** Everything that starts with a session; the store already shows it signed in. */
  signedIn(session: SessionView): Promise<void>;
  /** Everything that stops with it, before the access token is forgotten. */
  signedOut(): Promise<void>;
}

export interface SessionControllerOptions {
  store: Store<PaneState>;
  api: Pick<ApiClient, 'login' | 'logout' | 'refresh' | 'ssoProviders' | 'forget'>;
  sso: Pick<SsoSignIn, 'start' | 'cancel'>;
  lifecycle: SessionLifecycle;
}

export class SessionController {
  readonly #o: SessionControllerOptions;

  constructor(options: SessionControllerOptions) {
    this.#o = options;
  }

  /** At start-up: the session the cookie still holds, and the identity providers to offer. */
  start(): void {
    void this.#resume();
    void this.#loadSsoProviders();
  }

  async signIn(login: string, password: string): Promise<void> {
    const { store, api } = this.#o;
    store.update({ signingIn: true, notice: undefined });
    const result = await api.login(login.trim(), password);
    store.update({ signingIn: false });
    if (!result.ok) {
      store.update({ notice: signInNotice(result.error) });
      return;
    }
    await this.#signedIn(result.value);
  }

  /** Call from the button's click handler itself: the popup opens synchronously. */
  signInWith(providerId: string): void {
    this.#o.store.update({ notice: undefined });
    this.#o.sso.start(providerId);
  }

  cancelSso(): void {
    this.#o.sso.cancel();
  }

  /** How an identity provider's sign-in ended (SsoSignIn's onEnd). */
  async ssoEnded(end: SsoEnd): Promise<void> {
    if (end.kind === 'signed-in') return this.#signedIn(end.session);
    this.#o.store.update({ notice: end.kind === 'failed' ? { kind: 'error', key: 'ssoFailed', values: { message: end.message } } : { kind: 'info', key: 'ssoExpired' } });
  }

  async signOut(): Promise<void> {
    await this.#o.api.logout();
    await this.#signedOut(undefined);
  }

  /** The server ended the session (refused refresh, expired): the agent signs in again. */
  async end(): Promise<void> {
    await this.#signedOut('sessionEnded');
  }

  async #resume(): Promise<void> {
    const result = await this.#o.api.refresh();
    if (result.ok) await this.#signedIn(result.value);
    else this.#o.store.update({ boot: 'signed-out' });
  }

  async #loadSsoProviders(): Promise<void> {
    const result = await this.#o.api.ssoProviders();
    if (result.ok) this.#o.store.update({ ssoProviders: result.value.providers });
  }

  async #signedIn(session: SessionView): Promise<void> {
    this.#o.store.update({ boot: 'signed-in', session, notice: undefined });
    await this.#o.lifecycle.signedIn(session);
  }

  async #signedOut(reason: 'sessionEnded' | undefined): Promise<void> {
    await this.#o.lifecycle.signedOut();
    this.#o.api.forget();
    this.#o.store.update({
      boot: 'signed-out',
      session: undefined,
      calls: [],
      role: 'undecided',
      history: { loading: false, records: [], next: null },
      notice: reason ? { kind: 'info', key: reason } : undefined,
    });
  }
}

function signInNotice(error: ApiCallFailure): PaneState['notice'] {
  if (error.code === ApiErrorCode.INVALID_CREDENTIALS) return { kind: 'error', key: 'errInvalidCredentials' };
  if (error.code === ApiErrorCode.TOO_MANY_ATTEMPTS) return { kind: 'error', key: 'errTooManyAttempts' };
  if (error.status === 0) return { kind: 'error', key: 'errNetwork' };
  return { kind: 'error', key: 'errGeneric', values: { message: error.message } };
}
