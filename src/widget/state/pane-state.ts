/**
 * Everything the pane's views show, in one immutable object held by a Store. Texts are kept as
 * message keys (with values), so a change of language re-renders them all.
 */
import type { CallRecord, PaneSettings, RecordRef, SessionView, SsoButton } from '../api/api-types.ts';
import { defaultSettings } from '../api/api-types.ts';
import type { CifEnvironment } from '../cif/cif-values.ts';
import type { Language, MessageKey } from '../i18n/i18n.ts';
import type { AlertPermission } from '../phone/call-notifier.ts';
import type { AudioDevice, MicrophoneProblem } from '../phone/microphone.ts';
import type { PhoneCall, RegistrationState } from '../phone/phone-engine.ts';
import type { CoordinatorRole } from '../phone/registration-coordinator.ts';
import type { SsoPhase } from './sso-sign-in.ts';

export interface Notice {
  kind: 'error' | 'info';
  key: MessageKey;
  values?: Record<string, string | number>;
}

export type LogStatus =
  | { state: 'none' }
  /** Waiting for the server's facts or for Dynamics 365 to be connected. */
  | { state: 'waiting' }
  | { state: 'logging' }
  | { state: 'logged'; activityId: string }
  | { state: 'failed'; message: string }
  | { state: 'skipped' };

export interface Lookup {
  state: 'idle' | 'searching' | 'done' | 'failed';
  records: RecordRef[];
}

export interface TransferState {
  stage: 'entering' | 'consulting';
  target: string;
  consultId?: string;
}

/** A call as the pane shows it: the phone's snapshot plus what the server and the CRM added. */
export interface CallView {
  phone: PhoneCall;
  serverCallId?: string;
  /** The external party's number as the server presents it (E.164 when known). */
  serverNumber?: string;
  serverStartedAt?: number;
  serverAnsweredAt?: number;
  serverEndedAt?: number;
  /** The server's direction (internal calls are never journaled). */
  serverDirection?: 'inbound' | 'outbound' | 'internal';
  lookup: Lookup;
  /** The record the call is about (opened, chosen or from click-to-act). */
  record?: RecordRef;
  /** Show the chooser of several matches. */
  choosing: boolean;
  notes: string;
  /** The notes the logged activity holds, to tell whether they changed since. */
  loggedNotes?: string;
  log: LogStatus;
  transfer?: TransferState;
  /** Hidden by the agent after wrap-up. */
  dismissed: boolean;
}

export type Tab = 'phone' | 'history' | 'settings';

export interface HistoryState {
  loading: boolean;
  records: CallRecord[];
  next: string | null;
  error?: string;
}

export interface PaneState {
  boot: 'starting' | 'signed-out' | 'signed-in';
  session?: SessionView;
  signingIn: boolean;
  /** Identity providers offered as sign-in buttons, and the popup sign-in in progress. */
  ssoProviders: SsoButton[];
  sso: SsoPhase;
  cif: 'loading' | 'connected' | 'unavailable';
  environment?: CifEnvironment;
  panelMode?: 0 | 1;
  language: Language;
  settings: PaneSettings;
  registration: RegistrationState;
  registrationReason?: string;
  role: CoordinatorRole;
  calls: CallView[];
  notice?: Notice;
  microphoneProblem?: MicrophoneProblem;
  devices: AudioDevice[];
  /** Desktop notifications of ringing calls: what the browser allows this pane. */
  alerts: AlertPermission;
  /** The agent answered the offer to turn alerts on ("Not now" too): it is not shown again. */
  alertsOffered: boolean;
  /** Whether a ring would be heard now (the browser lets a page make sound only after a gesture). */
  ringerAudible: boolean;
  inputDevice: string;
  outputDevice: string;
  tab: Tab;
  dial: string;
  history: HistoryState;
}

export function initialState(language: Language): PaneState {
  return {
    boot: 'starting',
    signingIn: false,
    ssoProviders: [],
    sso: { phase: 'idle' },
    cif: 'loading',
    language,
    settings: defaultSettings(),
    registration: 'unregistered',
    role: 'undecided',
    calls: [],
    devices: [],
    alerts: 'unsupported',
    alertsOffered: false,
    ringerAudible: false,
    inputDevice: '',
    outputDevice: '',
    tab: 'phone',
    dial: '',
    history: { loading: false, records: [], next: null },
  };
}

/** Calls not yet ended. */
export function liveCalls(state: PaneState): CallView[] {
  return state.calls.filter((call) => call.phone.state !== 'ended');
}

export function isBusy(state: PaneState): boolean {
  return liveCalls(state).length > 0;
}
