/**
 * The sandbox's `Microsoft.CIFramework` (CIF 1.0), the object msdyn_ciLibrary.js puts on the
 * channel's window (docs/cif-contract.md §2). Every call is a postMessage round trip to window.top,
 * addressed to the CRM origin; only answers from window.top with that origin are read. Calls
 * made before CIFInitDone are rejected, every call gives up after about 10 s, rejections are
 * JSON strings, and the CIF 2.0-only calls exist but fail (the real library serves both
 * versions). DOM-light: the window is passed in, so tests can drive it with a stand-in.
 */
import { CifErrorCode, cifError } from './cif-error.ts';
import {
  CIF_2_ONLY_METHODS,
  CIF_ARITY,
  CIF_EVENTS,
  CIF_MARK,
  CIF_METHODS,
  isCifEvent,
  isMarked,
  type CifEvent,
  type CifMethod,
  type InitMessage,
  type RequestMessage,
} from './cif-protocol.ts';

/** The ready signal (docs/cif-contract.md §1). */
export const CIF_INIT_DONE = 'CIFInitDone';
/** "Every API returns a Promise and gives up after about 10 s without an answer." */
export const CIF_TIMEOUT_MS = 10_000;

export type CifHandler = (payload: string) => unknown;

export type CIFramework = { [method in CifMethod]: (...args: unknown[]) => Promise<unknown> } & {
  addHandler(eventName: string, handler: CifHandler): Promise<void>;
  removeHandler(eventName: string, handler: CifHandler): Promise<void>;
  [cif2Only: string]: (...args: never[]) => Promise<unknown>;
};

/** The parts of `window` the library uses. */
export interface LibraryWindow {
  readonly top: { postMessage(message: unknown, targetOrigin: string): void } | null;
  addEventListener(type: 'message', listener: (event: { origin: string; source: unknown; data: unknown }) => void): void;
  dispatchEvent(event: Event): boolean;
}

export interface CifFrameworkOptions {
  window: LibraryWindow;
  /** The CRM's origin, from the script tag's data-crmurl (or document.referrer). */
  crmOrigin: string;
  timeoutMs?: number;
  /** Console for handler failures (default: globalThis.console). */
  console?: Pick<Console, 'error'>;
}

export interface CifFrameworkInstance {
  api: CIFramework;
  /** Starts listening and asks the host to initialise; CIFInitDone follows its answer. */
  start(): void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (reason: string) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createCifFramework(options: CifFrameworkOptions): CifFrameworkInstance {
  const { window: win, crmOrigin } = options;
  const timeoutMs = options.timeoutMs ?? CIF_TIMEOUT_MS;
  const log = options.console ?? console;
  const pending = new Map<string, Pending>();
  const handlers = new Map<CifEvent, CifHandler[]>(CIF_EVENTS.map((name) => [name, []]));
  const idPrefix = Math.random().toString(36).slice(2, 10);
  let nextId = 0;
  let initialized = false;

  function send(message: InitMessage | RequestMessage): void {
    if (!win.top) throw new Error('the channel is not inside a CRM page');
    // The CRM origin as the target: if the top page is anything else, the browser drops the message.
    win.top.postMessage(message, crmOrigin);
  }

  function call(method: CifMethod, args: unknown[]): Promise<unknown> {
    if (!initialized) return Promise.reject(cifError(CifErrorCode.NotInitialized, `${method} was called before ${CIF_INIT_DONE}.`));
    return new Promise((resolve, reject) => {
      const id = `${idPrefix}-${++nextId}`;
      try {
        send({ cif: CIF_MARK, type: 'request', id, method, args: args.slice(0, CIF_ARITY[method]) });
      } catch (error) {
        // DataCloneError: a function or other uncloneable value among the arguments.
        reject(cifError(CifErrorCode.InvalidArgument, `${method}: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(cifError(CifErrorCode.Timeout, `${method} got no answer from the CRM within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
    });
  }

  function deliver(name: CifEvent, payload: string): void {
    for (const handler of [...(handlers.get(name) ?? [])]) {
      try {
        const result = handler(payload);
        if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) => log.error(`CIF ${name} handler failed`, error));
        }
      } catch (error) {
        log.error(`CIF ${name} handler failed`, error);
      }
    }
  }

  function onMessage(event: { origin: string; source: unknown; data: unknown }): void {
    if (event.source !== win.top || event.origin !== crmOrigin) return;
    const data = event.data;
    if (!isMarked(data)) return;
    if (data.type === 'initResult') {
      if (initialized) return;
      initialized = true;
      // Asynchronously, after the library is fully in place (docs/cif-contract.md §1).
      setTimeout(() => win.dispatchEvent(new Event(CIF_INIT_DONE)), 0);
      return;
    }
    if (data.type === 'response') {
      const response = data as { id?: unknown; ok?: unknown; result?: unknown; error?: unknown };
      const waiting = typeof response.id === 'string' ? pending.get(response.id) : undefined;
      if (!waiting) return;
      pending.delete(response.id as string);
      clearTimeout(waiting.timer);
      if (response.ok === true) waiting.resolve(response.result);
      else waiting.reject(typeof response.error === 'string' ? response.error : cifError(CifErrorCode.Failed, 'The CRM rejected the call.'));
      return;
    }
    if (data.type === 'event') {
      const { name, payload } = data as { name?: unknown; payload?: unknown };
      if (isCifEvent(name) && typeof payload === 'string') deliver(name, payload);
    }
  }

  function handlerCall(method: 'addHandler' | 'removeHandler', eventName: unknown, handler: unknown): Promise<void> {
    if (!initialized) return Promise.reject(cifError(CifErrorCode.NotInitialized, `${method} was called before ${CIF_INIT_DONE}.`));
    if (!isCifEvent(eventName)) return Promise.reject(cifError(CifErrorCode.InvalidArgument, `${method}: the event must be one of ${CIF_EVENTS.join(', ')}.`));
    if (typeof handler !== 'function') return Promise.reject(cifError(CifErrorCode.InvalidArgument, `${method}: the handler must be a function.`));
    const list = handlers.get(eventName) as CifHandler[];
    const index = list.indexOf(handler as CifHandler);
    if (method === 'addHandler' && index < 0) list.push(handler as CifHandler);
    if (method === 'removeHandler' && index >= 0) list.splice(index, 1);
    return Promise.resolve();
  }

  const api = {} as Record<string, (...args: never[]) => Promise<unknown>>;
  for (const method of CIF_METHODS) api[method] = (...args: unknown[]) => call(method, args);
  for (const method of CIF_2_ONLY_METHODS) {
    api[method] = () => Promise.reject(cifError(CifErrorCode.NotSupported, `${method} is part of Channel Integration Framework 2.0; this channel provider uses version 1.0.`));
  }
  api.addHandler = (eventName: unknown, handler: unknown) => handlerCall('addHandler', eventName, handler);
  api.removeHandler = (eventName: unknown, handler: unknown) => handlerCall('removeHandler', eventName, handler);

  return {
    api: api as unknown as CIFramework,
    start() {
      win.addEventListener('message', onMessage);
      send({ cif: CIF_MARK, type: 'init' });
    },
  };
}

/**
 * The CRM origin for a library loaded by `<script src=… data-crmurl=… data-cifid="CIFMainLibrary">`:
 * data-crmurl first, else the page's referrer (docs/cif-contract.md §1).
 */
export function resolveCrmOrigin(crmUrl: string | null | undefined, referrer: string | null | undefined): string | undefined {
  for (const candidate of [crmUrl, referrer]) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // not a URL: try the next source
    }
  }
  return undefined;
}
