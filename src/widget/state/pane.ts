/**
 * The pane's composition root: builds each controller once, hands each the few others it needs,
 * and says what starts and stops with a session. The views get the result (Pane) through their
 * context; nothing here decides anything itself.
 */
import { ApiClient } from '../api/api-client.ts';
import type { PaneConfig } from '../api/api-types.ts';
import { CrmFlow } from '../crm/crm-flow.ts';
import { languageOf } from '../i18n/i18n.ts';
import { CallNotifier } from '../phone/call-notifier.ts';
import { CredentialRenewal } from '../phone/credential-renewal.ts';
import { JsSipEngine } from '../phone/jssip-engine.ts';
import { Microphone } from '../phone/microphone.ts';
import type { PhoneEngine } from '../phone/phone-engine.ts';
import { Ringtone } from '../phone/ringtone.ts';
import { ServerNumberReader } from '../phone/server-number-reader.ts';
import { AlertsController } from './alerts-controller.ts';
import { CallController } from './call-controller.ts';
import { CifController } from './cif-controller.ts';
import { DevicesController } from './devices-controller.ts';
import { HistoryController } from './history-controller.ts';
import { NavigationController } from './navigation-controller.ts';
import type { PaneEnvironment } from './pane-environment.ts';
import { initialState, type PaneState } from './pane-state.ts';
import { RegistrationController } from './registration-controller.ts';
import { ServerEventsController, type ServerEventsControllerOptions } from './server-events-controller.ts';
import { SessionController } from './session-controller.ts';
import { SettingsController } from './settings-controller.ts';
import { SsoSignIn } from './sso-sign-in.ts';
import { Store } from './store.ts';

/** What the views act on: the state, and one controller per job. */
export interface Pane {
  readonly store: Store<PaneState>;
  readonly session: SessionController;
  readonly registration: RegistrationController;
  readonly calls: CallController;
  readonly cif: CifController;
  readonly settings: SettingsController;
  readonly history: HistoryController;
  readonly devices: DevicesController;
  readonly alerts: AlertsController;
  readonly navigation: NavigationController;
  /** Loads CIF, listens to the page's comings and goings, and resumes the session. */
  start(): void;
}

/** What the pane talks to; the browser's own unless a test brings stand-ins. */
export interface PaneServices {
  api: ApiClient;
  engine: PhoneEngine;
  /** The server's event channel; a WebSocket (event-stream.ts) unless a test brings a stand-in. */
  openStream?: ServerEventsControllerOptions['openStream'];
}

export function createPane(config: PaneConfig, env: PaneEnvironment, services: PaneServices = { api: new ApiClient(), engine: new JsSipEngine() }): Pane {
  const { api, engine, openStream } = services;
  const store = new Store<PaneState>(initialState(languageOf('dynamics', undefined, env.languages())));
  const microphone = new Microphone(env.microphone);
  const ringtone = new Ringtone(env.ringtone);
  const notifier = new CallNotifier(env.notifier, (id) => void calls.answerFromNotification(id));

  // Numbers are read by the server: the numbering-plan data is not downloaded (server-number-reader.ts).
  const numbers = new ServerNumberReader(async (list, region) => {
    const answer = await api.phoneNormalize(list, region);
    return answer.ok ? answer.value.numbers : undefined;
  });
  const settings = new SettingsController({ store, api, env, onClickToCallChange: () => void cif.applyClickToAct() });
  const crm = new CrmFlow({
    cif: () => cif.client,
    api,
    settings: () => store.state.settings,
    saveSettings: (next) => settings.save(next),
    agentUserId: () => store.state.environment?.userId || undefined,
    language: () => store.state.language,
    defaultRegion: config.defaultRegion,
    numbers,
  });
  const history = new HistoryController({ store, api, crm, cifAvailable: () => cif.client.available });
  const renewal = new CredentialRenewal({
    fetch: () => api.sipCredentials(),
    apply: (credentials) => engine.renewCredentials(credentials),
    onSessionOver: () => void session.end(),
  });
  const registration = new RegistrationController({
    store,
    engine,
    api,
    renewal,
    env,
    paneId: env.randomId(),
    onHolder: () => void history.catchUp(),
    onSessionOver: () => void session.end(),
  });
  const cif = new CifController({
    store,
    config,
    env,
    calls: { dial: (raw, record) => calls.dial(raw, record), addArticle: (title, link) => calls.addArticle(title, link) },
    onEnvironment: () => settings.reapply(),
    onConnected: () => void history.catchUp(),
  });
  const calls = new CallController({
    store,
    engine,
    microphone,
    ringtone,
    notifier,
    crm,
    storage: env.sessionStorage,
    defaultRegion: config.defaultRegion,
    numbers,
    ensureHolder: () => registration.ensureHolder(),
    dockPanel: () => void cif.dock(),
    refreshHistory: () => void history.load(),
    saveNotes: (serverCallId, notes) => void api.saveNotes(serverCallId, notes),
  });
  const events = new ServerEventsController({
    env,
    api,
    openStream,
    onReady: () => history.channelReady(),
    onCall: (event) => calls.onServerEvent(event),
    onSessionOver: () => void session.end(),
  });
  const sso = new SsoSignIn({ api, browser: env.sso, onPhase: (phase) => store.update({ sso: phase }), onEnd: (end) => void session.ssoEnded(end) });
  const session = new SessionController({
    store,
    api,
    sso,
    lifecycle: {
      async signedIn(view) {
        await settings.load();
        events.start();
        registration.start(view.extension.number);
        void cif.applyClickToAct();
        void history.load();
        void history.catchUp();
      },
      async signedOut() {
        events.stop();
        await registration.stop();
        cif.clickToActOff();
      },
    },
  });
  const devices = new DevicesController({ store, microphone, ringtone, engine });
  const alerts = new AlertsController({ store, notifier, ringtone, storage: env.localStorage });
  const navigation = new NavigationController({ store, history, devices, calls });

  return {
    store,
    session,
    registration,
    calls,
    cif,
    settings,
    history,
    devices,
    alerts,
    navigation,
    start() {
      cif.start();
      // The first click or key in the pane lets it ring from then on (browsers' autoplay rules).
      ringtone.unlockOn(env.gestureTarget);
      env.onPageHide(() => registration.leave());
      env.onPageRestored(() => registration.restore());
      env.onWake(() => registration.wake());
      session.start();
    },
  };
}
