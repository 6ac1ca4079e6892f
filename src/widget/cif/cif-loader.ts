/**
 * Loads Dynamics 365's CIF library into the pane (docs/cif-contract.md §1): a script tag for
 * `{base}/webresources/Widget/msdyn_ciLibrary.js` with `data-crmurl="{base}"` and
 * `data-cifid="CIFMainLibrary"`, then the `CIFInitDone` event on window, before which no call may
 * be made. If that does not come within a few seconds the pane carries on as a plain softphone;
 * a CIFInitDone that arrives later still connects it.
 */
import { frameworkOf, type CifFramework } from './cif-framework.ts';

export const CIF_LIBRARY_PATH = '/webresources/Widget/msdyn_ciLibrary.js';
export const CIF_INIT_DONE = 'CIFInitDone';
export const CIF_LOAD_TIMEOUT_MS = 5000;

export type CifLoadFailure = 'timeout' | 'script-error' | 'no-framework';

export interface CifLoaderOptions {
  /** The Dynamics 365 origin (the Channel URL's `base`). */
  base: string;
  document: Pick<Document, 'createElement' | 'head'>;
  window: Pick<Window, 'addEventListener' | 'removeEventListener'> & object;
  timeoutMs?: number;
  /** The library is ready: CIF calls may start. Called at most once. */
  onReady(framework: CifFramework): void;
  /** No library within the timeout (or it failed to load). Called at most once, never after onReady. */
  onUnavailable(reason: CifLoadFailure): void;
}

export function cifLibraryUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}${CIF_LIBRARY_PATH}`;
}

/** Adds the script tag and waits for CIFInitDone. */
export function loadCifLibrary(options: CifLoaderOptions): void {
  const { window: win } = options;
  let ready = false;
  let reported = false;
  const unavailable = (reason: CifLoadFailure) => {
    if (ready || reported) return;
    reported = true;
    options.onUnavailable(reason);
  };
  const onInit = () => {
    if (ready) return;
    const framework = frameworkOf(win);
    if (!framework) {
      unavailable('no-framework');
      return;
    }
    ready = true;
    clearTimeout(timer);
    win.removeEventListener(CIF_INIT_DONE, onInit);
    options.onReady(framework);
  };
  // Listen before the script can run, so an early CIFInitDone is not missed.
  win.addEventListener(CIF_INIT_DONE, onInit);
  const timer = setTimeout(() => unavailable('timeout'), options.timeoutMs ?? CIF_LOAD_TIMEOUT_MS);
  const script = options.document.createElement('script');
  script.src = cifLibraryUrl(options.base);
  script.setAttribute('data-crmurl', options.base);
  script.setAttribute('data-cifid', 'CIFMainLibrary');
  script.addEventListener('error', () => unavailable('script-error'));
  options.document.head.append(script);
}
