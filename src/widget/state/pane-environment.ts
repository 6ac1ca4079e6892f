/**
 * What the pane's controllers need of the browser, in one place: built once by the entry point
 * (browserPaneEnvironment) and handed to them, so that no controller touches `window`,
 * `document`, `navigator` or `location` itself and each can be tested with a stand-in.
 */
import { loadCifLibrary, type CifLoaderOptions } from '../cif/cif-loader.ts';
import { browserNotifierEnvironment, type NotifierEnvironment } from '../phone/call-notifier.ts';
import { browserMicrophoneEnvironment, type MicrophoneEnvironment } from '../phone/microphone.ts';
import type { CoordinationChannel } from '../phone/registration-coordinator.ts';
import { browserRingtoneEnvironment, type RingtoneEnvironment } from '../phone/ringtone.ts';
import { safeLocalStorage, safeSessionStorage, type SafeStorage } from './safe-storage.ts';
import { browserSso, type SsoBrowser } from './sso-sign-in.ts';

export interface PaneEnvironment {
  /** The browser's preferred languages (navigator.languages), best first. */
  languages(): readonly string[];
  /** Marks the document with the language the pane speaks (screen readers, hyphenation). */
  setDocumentLanguage(language: string): void;
  /** This page's address: the event channel is on the same host. */
  location: Pick<Location, 'protocol' | 'host'>;
  /** sessionStorage that never throws (what survives a reload of this tab). */
  sessionStorage: SafeStorage;
  /** localStorage that never throws (what outlasts the tab). */
  localStorage: SafeStorage;
  /** A BroadcastChannel to the pane's other tabs; undefined where the browser has none or refuses it. */
  openChannel(name: string): CoordinationChannel | undefined;
  /** Starts loading the CIF library from the Dynamics 365 origin (cif-loader.ts). */
  loadCif(options: Pick<CifLoaderOptions, 'base' | 'onReady' | 'onUnavailable'>): void;
  /** Where the agent's first click or key happens (the ringtone waits for it). */
  gestureTarget: EventTarget;
  /** The page goes away (pagehide) or comes back from the back/forward cache (pageshow, persisted). */
  onPageHide(listener: () => void): void;
  onPageRestored(listener: () => void): void;
  /** The network came back, or the page became visible again: timers may have been late. */
  onWake(listener: () => void): void;
  /** A fresh random id (this pane among the tabs). */
  randomId(): string;
  notifier: NotifierEnvironment;
  microphone: MicrophoneEnvironment;
  ringtone: RingtoneEnvironment;
  sso: SsoBrowser;
}

/** The real browser. Called once, by the entry point. */
export function browserPaneEnvironment(): PaneEnvironment {
  return {
    languages: () => navigator.languages ?? [],
    setDocumentLanguage: (language) => {
      document.documentElement.lang = language;
    },
    location,
    sessionStorage: safeSessionStorage(),
    localStorage: safeLocalStorage(),
    openChannel(name) {
      try {
        return new BroadcastChannel(name) as CoordinationChannel;
      } catch {
        return undefined;
      }
    },
    loadCif: (options) => loadCifLibrary({ ...options, document, window }),
    gestureTarget: document,
    onPageHide: (listener) => addEventListener('pagehide', listener),
    onPageRestored: (listener) =>
      addEventListener('pageshow', (event) => {
        if (event.persisted) listener();
      }),
    onWake(listener) {
      addEventListener('online', listener);
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') listener();
      });
    },
    randomId: () => crypto.randomUUID(),
    notifier: browserNotifierEnvironment(),
    microphone: browserMicrophoneEnvironment(),
    ringtone: browserRingtoneEnvironment(),
    sso: browserSso(),
  };
}
