/**
 * The pane from start-up to sign-out: loads the CIF library (or settles for a plain softphone),
 * resumes the session from its cookie, signs in, loads the user's settings, agrees with the
 * other tabs which pane registers, registers the phone with the server's SIP credentials, keeps
 * the event channel open, turns click-to-act on, and resumes call logs a reload interrupted.
 */
import { ApiClient, type ApiError } from '../api/api-client.ts';
import type { CallRecord, PaneConfig, PaneSettings, RecordRef, SessionView } from '../api/api-types.ts';
import { EventStream, eventChannelUrl } from '../api/event-stream.ts';
import { CifClient } from '../cif/cif-client.ts';
import { isPhoneFormat, type ClickToActEvent } from '../cif/cif-values.ts';
import { CrmFlow } from '../crm/crm-flow.ts';
import { languageOf } from '../i18n/i18n.ts';
import { JsSipEngine } from '../phone/jssip-engine.ts';
import { CallNotifier } from '../phone/call-notifier.ts';
import { CredentialRenewal } from '../phone/credential-renewal.ts';
import { Microphone } from '../phone/microphone.ts';
import type { PhoneEngine } from '../phone/phone-engine.ts';
import { coordinationChannelName, RegistrationCoordinator, type CoordinationChannel } from '../phone/registration-coordinator.ts';
import { Ringtone } from '../phone/ringtone.ts';
import { CallController } from './call-controller.ts';
import { resumeUnfinishedLogs } from './log-resume.ts';
import { initialState, isBusy, type PaneState, type Tab } from './pane-state.ts';
import type { PaneEnvironment } from './pane-environment.ts';
import { SsoSignIn, type SsoEnd } from './sso-sign-in.ts';
import { Store } from './store.ts';

const HISTORY_PAGE = 30;
const REGISTER_WAIT_MS = 8000;
/** Set once the agent answered the offer of desktop alerts, so it is made once (where storage is kept). */
const ALERTS_OFFERED_KEY = 'callpane-alerts-offered';

export class PaneController {
  readonly store: Store<PaneState>;
  readonly calls: CallController;
  readonly api = new ApiClient();
  readonly microphone: Microphone;
  readonly #config: PaneConfig;
  readonly #env: PaneEnvironment;
  readonly #engine: PhoneEngine = new JsSipEngine();
  readonly #ringtone: Ringtone;
  readonly #notifier: CallNotifier;
  readonly #paneId: string;
  #cif = new CifClient(undefined);
  #events: EventStream | undefined;
  #coordinator: RegistrationCoordinator | undefined;
  #channel: CoordinationChannel | undefined;
  #resumed = false;
  readonly crm: CrmFlow;
  readonly #sso: SsoSignIn;
  readonly #renewal = new CredentialRenewal({
    fetch: () => this.api.sipCredentials(),
    apply: (credentials) => this.#engine.renewCredentials(credentials),
    onSessionOver: () => void this.#signedOut('sessionEnded'),
  });

  constructor(config: PaneConfig, env: PaneEnvironment) {
    this.#config = config;
    this.#env = env;
    this.microphone = new Microphone(env.microphone);
    this.#ringtone = new Ringtone(env.ringtone);
    this.#notifier = new CallNotifier(env.notifier, (id) => void this.calls.answerFromNotification(id));
    this.#paneId = env.randomId();
    this.store = new Store(initialState(languageOf('dynamics', undefined, env.languages())));
    this.crm = new CrmFlow({
      cif: () => this.#cif,
      api: this.api,
      settings: () => this.store.state.settings,
      saveSettings: (settings) => this.saveSettings(settings),
      agentUserId: () => this.store.state.environment?.userId || undefined,
      language: () => this.store.state.language,
      defaultRegion: config.defaultRegion,
    });
    this.calls = new CallController({
      store: this.store,
      engine: this.#engine,
      microphone: this.microphone,
      ringtone: this.#ringtone,
      notifier: this.#notifier,
      crm: this.crm,
      storage: env.sessionStorage,
      defaultRegion: config.defaultRegion,
      ensureHolder: () => this.#ensureHolder(),
      dockPanel: () => void this.#dock(),
      refreshHistory: () => void this.loadHistory(),
      saveNotes: (serverCallId, notes) => void this.api.saveNotes(serverCallId, notes),
    });
    this.#engine.on((event) => {
      if (event.type !== 'registration') return;
      this.store.update({ registration: event.state, registrationReason: event.reason });
      // JsSIP's cause when the registrar refused the credentials (an expired pane credential).
      if (event.state === 'failed' && event.reason === 'Authentication Error') this.#renewal.recover();
    });
    this.store.update({ alerts: this.#notifier.permission, alertsOffered: env.localStorage.get(ALERTS_OFFERED_KEY) === '1' });
    this.#notifier.onPermission((alerts) => this.store.update({ alerts }));
    this.#ringtone.onAudible((ringerAudible) => this.store.update({ ringerAudible }));
    this.#sso = new SsoSignIn({
      api: this.api,
      browser: env.sso,
      onPhase: (sso) => this.store.update({ sso }),
      onEnd: (end) => void this.#ssoEnded(end),
    });
  }

  start(): void {
    this.#env.loadCif({
      base: this.#config.base,
      onReady: (framework) => void this.#cifReady(new CifClient(framework)),
      onUnavailable: () => this.store.update({ cif: 'unavailable' }),
    });
    // The first click or key in the pane lets it ring from then on (browsers' autoplay rules).
    this.#ringtone.unlockOn(this.#env.gestureTarget);
    this.#env.onPageHide(() => this.#leave());
    this.#env.onPageRestored(() => {
      if (this.store.state.session) this.#coordinator?.start();
    });
    // After sleep or an outage the renewal timer may be late: the credential may be due already.
    this.#env.onWake(() => this.#renewal.checkNow());
    void this.#resumeSession();
    void this.#loadSsoProviders();
  }

  /** Call from the button's click handler itself: the popup opens synchronously. */
  signInWith(providerId: string): void {
    this.store.update({ notice: undefined });
    this.#sso.start(providerId);
  }

  cancelSso(): void {
    this.#sso.cancel();
  }

  async signIn(login: string, password: string): Promise<void> {
    this.store.update({ signingIn: true, notice: undefined });
    const result = await this.api.login(login.trim(), password);
    this.store.update({ signingIn: false });
    if (!result.ok) {
      this.store.update({ notice: signInNotice(result.error) });
      return;
    }
    await this.#signedIn(result.value);
  }

  async signOut(): Promise<void> {
    await this.api.logout();
    await this.#signedOut();
  }

  select(tab: Tab): void {
    this.store.update({ tab });
    if (tab === 'history') void this.loadHistory();
    if (tab === 'settings') void this.refreshDevices();
  }

  /** From the click on "Turn on alerts": the browser asks the agent (where it lets this page ask). */
  async enableAlerts(): Promise<void> {
    this.#alertsOffered();
    this.store.update({ alerts: await this.#notifier.request() });
  }

  /** "Not now". */
  declineAlerts(): void {
    this.#alertsOffered();
  }

  /** Either answer ends the offer for good. */
  #alertsOffered(): void {
    this.#env.localStorage.set(ALERTS_OFFERED_KEY, '1');
    this.store.update({ alertsOffered: true });
  }

  dismissNotice(): void {
    this.store.update({ notice: undefined });
  }

  async takeOver(): Promise<void> {
    const outcome = await this.#coordinator?.takeOver();
    if (outcome === 'busy') this.store.update({ notice: { kind: 'info', key: 'otherTabBusy' } });
  }

  /** Saves the whole settings object; applied at once (language, click-to-act). */
  async saveSettings(settings: PaneSettings): Promise<boolean> {
    const previous = this.store.state.settings;
    this.#applySettings(settings);
    const result = await this.api.saveSettings(settings);
    if (!result.ok) {
      this.#applySettings(previous);
      this.store.update({ notice: { kind: 'error', key: 'saveFailed', values: { message: result.error.message } } });
      return false;
    }
    this.#applySettings(result.value);
    return true;
  }

  async loadHistory(more = false): Promise<void> {
    if (!this.store.state.session) return;
    const history = this.store.state.history;
    this.store.update({ history: { ...history, loading: true, error: undefined } });
    const result = await this.api.calls({ limit: HISTORY_PAGE, before: more ? (history.next ?? undefined) : undefined });
    const current = this.store.state.history;
    if (!result.ok) {
      this.store.update({ history: { ...current, loading: false, error: result.error.message } });
      return;
    }
    const records: CallRecord[] = more ? [...current.records, ...result.value.calls] : result.value.calls;
    // The server reads the numbers first, so history shows them as read ("+1 415 555 0100").
    await this.crm.know(result.value.calls.flatMap((record) => [record.from.number, record.to.number]));
    this.store.update({ history: { loading: false, records, next: result.value.nextCursor } });
  }

  async refreshDevices(): Promise<void> {
    this.store.update({ devices: await this.microphone.devices() });
  }

  setInputDevice(deviceId: string): void {
    this.microphone.inputDevice = deviceId;
    this.store.update({ inputDevice: deviceId });
  }

  async setOutputDevice(deviceId: string): Promise<void> {
    this.#ringtone.outputDevice = deviceId;
    await this.#engine.setOutputDevice(deviceId);
    this.store.update({ outputDevice: deviceId });
  }

  async #resumeSession(): Promise<void> {
    const result = await this.api.refresh();
    if (result.ok) await this.#signedIn(result.value);
    else this.store.update({ boot: 'signed-out' });
  }

  async #loadSsoProviders(): Promise<void> {
    const result = await this.api.ssoProviders();
    if (result.ok) this.store.update({ ssoProviders: result.value.providers });
  }

  async #ssoEnded(end: SsoEnd): Promise<void> {
    if (end.kind === 'signed-in') return this.#signedIn(end.session);
    this.store.update({ notice: end.kind === 'failed' ? { kind: 'error', key: 'ssoFailed', values: { message: end.message } } : { kind: 'info', key: 'ssoExpired' } });
  }

  async #signedIn(session: SessionView): Promise<void> {
    this.store.update({ boot: 'signed-in', session, notice: undefined });
    const settings = await this.api.settings();
    if (settings.ok) this.#applySettings(settings.value);
    this.#events?.stop();
    this.#events = new EventStream({
      url: eventChannelUrl(this.#env.location),
      token: () => this.api.freshToken(),
      // Only the server's "no" ends the session; a network failure is retried like any other.
      refresh: async () => {
        const refreshed = await this.api.refresh();
        return refreshed.ok || refreshed.error.status !== 401;
      },
      // After a reconnect, calls that ended while the channel was down may still lack their log.
      onReady: () => {
        this.#resumed = false;
        void this.#resumeLogs();
      },
      onCall: (event) => this.calls.onServerEvent(event),
      onSessionOver: () => void this.#signedOut('sessionEnded'),
    });
    this.#events.start();
    this.#coordinate(session.extension.number);
    void this.#applyClickToAct();
    void this.loadHistory();
    void this.#resumeLogs();
  }

  async #signedOut(reason?: 'sessionEnded'): Promise<void> {
    this.#events?.stop();
    this.#events = undefined;
    this.#coordinator?.stop();
    this.#coordinator = undefined;
    this.#channel?.close();
    this.#channel = undefined;
    this.#renewal.stop();
    await this.#engine.unregister();
    this.api.forget();
    if (this.#cif.available) void this.#cif.setClickToAct(false);
    this.store.update({ boot: 'signed-out', session: undefined, calls: [], role: 'undecided', history: { loading: false, records: [], next: null }, notice: reason ? { kind: 'info', key: reason } : undefined });
  }

  #coordinate(extension: string): void {
    this.#coordinator?.stop();
    this.#channel?.close();
    const channel = this.#env.openChannel(coordinationChannelName(extension));
    this.#channel = channel;
    this.#coordinator = new RegistrationCoordinator({
      channel,
      id: this.#paneId,
      isBusy: () => isBusy(this.store.state),
      onRoleChange: (role) => {
        this.store.update({ role });
        if (role === 'holder') void this.#register();
        else {
          this.#renewal.stop();
          void this.#engine.unregister();
        }
        if (role === 'holder') void this.#resumeLogs();
      },
    });
    this.#coordinator.start();
  }

  async #register(): Promise<void> {
    const credentials = await this.api.sipCredentials();
    if (!credentials.ok) {
      if (credentials.error.status === 401) return this.#signedOut('sessionEnded');
      this.store.update({ registration: 'failed', registrationReason: credentials.error.message });
      return;
    }
    if (this.#coordinator?.role !== 'holder') return;
    this.#engine.register(credentials.value);
    this.#renewal.start(credentials.value);
  }

  /** Before placing a call: this pane must hold the registration (take it over if another tab does). */
  async #ensureHolder(): Promise<boolean> {
    const coordinator = this.#coordinator;
    if (!coordinator) return false;
    if (coordinator.role !== 'holder') {
      const outcome = await coordinator.takeOver();
      if (outcome === 'busy') {
        this.store.update({ notice: { kind: 'info', key: 'otherTabBusy' } });
        return false;
      }
    }
    if (this.#engine.registration === 'registered') return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, REGISTER_WAIT_MS);
      const off = this.#engine.on((event) => event.type === 'registration' && event.state === 'registered' && done());
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    return (this.#engine.registration as string) === 'registered';
  }

  async #cifReady(cif: CifClient): Promise<void> {
    this.#cif = cif;
    this.store.update({ cif: 'connected' });
    const [environment, mode] = await Promise.all([cif.getEnvironment(), cif.getMode()]);
    if (environment.ok) this.store.update({ environment: environment.value });
    if (mode.ok) this.store.update({ panelMode: mode.value });
    this.#applySettings(this.store.state.settings);
    await cif.listen({
      onClickToAct: (event) => void this.#clickToAct(event),
      onModeChanged: (panelMode) => this.store.update({ panelMode }),
      onSendKbArticle: (article) => this.calls.addArticle(article.title, article.link),
    });
    void this.#applyClickToAct();
    void this.#resumeLogs();
  }

  async #clickToAct(event: ClickToActEvent): Promise<void> {
    if (!isPhoneFormat(event.format) || !this.store.state.session || !this.store.state.settings.clickToCall) return;
    const entity = event.entityLogicalName;
    const record: RecordRef | undefined =
      (entity === 'contact' || entity === 'account' || entity === 'lead') && event.entityId ? { entity, id: event.entityId, name: event.recordTitle ?? '' } : undefined;
    await this.calls.dial(event.value, record);
  }

  async #applyClickToAct(): Promise<void> {
    if (!this.#cif.available || !this.store.state.session) return;
    await this.#cif.setClickToAct(this.store.state.settings.clickToCall);
  }

  async #dock(): Promise<void> {
    if (!this.#cif.available) return;
    const mode = await this.#cif.getMode();
    if (mode.ok && mode.value === 0) {
      const docked = await this.#cif.setMode(1);
      if (docked.ok) this.store.update({ panelMode: 1 });
    }
  }

  #applySettings(settings: PaneSettings): void {
    const before = this.store.state.settings;
    const language = languageOf(settings.language, this.store.state.environment?.userLcid, this.#env.languages());
    this.store.update({ settings, language });
    this.#env.setDocumentLanguage(language);
    if (before.clickToCall !== settings.clickToCall) void this.#applyClickToAct();
  }

  async #resumeLogs(): Promise<void> {
    const state = this.store.state;
    if (this.#resumed || !this.#cif.available || state.role !== 'holder' || !state.session || !state.environment) return;
    this.#resumed = true;
    const recent = await this.api.calls({ limit: 50 });
    if (!recent.ok) {
      this.#resumed = false;
      return;
    }
    const live = new Set(this.store.state.calls.map((call) => call.serverCallId));
    const records = recent.value.calls.filter((record) => !live.has(record.id));
    if (await resumeUnfinishedLogs({ records, extension: state.session.extension.number, crm: this.crm, now: Date.now() })) void this.loadHistory();
  }

  #leave(): void {
    this.#coordinator?.stop();
    this.#renewal.stop();
    void this.#engine.unregister();
  }
}

function signInNotice(error: ApiError): PaneState['notice'] {
  if (error.code === 'INVALID_CREDENTIALS') return { kind: 'error', key: 'errInvalidCredentials' };
  if (error.code === 'TOO_MANY_ATTEMPTS') return { kind: 'error', key: 'errTooManyAttempts' };
  if (error.status === 0) return { kind: 'error', key: 'errNetwork' };
  return { kind: 'error', key: 'errGeneric', values: { message: error.message } };
}
