/**
 * The private wire format between the sandbox's CIF 1.0 library (in the channel's frame) and
 * the sandbox host page (window.top). Microsoft does not document its own format, and the pane
 * only ever sees `Microsoft.CIFramework`, so this one is ours; what it carries follows
 * docs/cif-contract.md §2 and §3. Every message is a plain object marked with `cif`, so other
 * postMessage traffic on either window is left alone.
 */

export const CIF_MARK = 'callpane-sandbox-cif-1.0';

/** The CIF 1.0 calls the library forwards to the host. */
export const CIF_METHODS = [
  'setClickToAct',
  'getClickToAct',
  'searchAndOpenRecords',
  'openForm',
  'createRecord',
  'retrieveRecord',
  'updateRecord',
  'deleteRecord',
  'getEntityMetadata',
  'getEnvironment',
  'getMode',
  'setMode',
  'getWidth',
  'setWidth',
  'renderSearchPage',
] as const;
export type CifMethod = (typeof CIF_METHODS)[number];

/**
 * How many arguments each call takes. The library forwards exactly these, as the documented
 * signatures name them; success and error callbacks are not part of CIF 1.0's promise API.
 */
export const CIF_ARITY: Readonly<Record<CifMethod, number>> = {
  setClickToAct: 1,
  getClickToAct: 0,
  searchAndOpenRecords: 3,
  openForm: 2,
  createRecord: 2,
  retrieveRecord: 3,
  updateRecord: 3,
  deleteRecord: 2,
  getEntityMetadata: 2,
  getEnvironment: 0,
  getMode: 0,
  setMode: 1,
  getWidth: 0,
  setWidth: 1,
  renderSearchPage: 2,
};

/**
 * Calls that exist only in CIF 2.0 (sessions, tabs, notifications, presence…). The real
 * msdyn_ciLibrary.js is one script for both versions, so the names exist; for a 1.0 provider
 * they fail. https://learn.microsoft.com/dynamics365/channel-integration-framework/v2/develop/reference/microsoft-ciframework
 */
export const CIF_2_ONLY_METHODS = [
  'canCreateSession',
  'createSession',
  'getSession',
  'getAllSessions',
  'getFocusedSession',
  'requestFocusSession',
  'setSessionTitle',
  'createTab',
  'getTab',
  'getFocusedTab',
  'getTabsByTagOrName',
  'focusTab',
  'refreshTab',
  'setTabTitle',
  'notifyEvent',
  'notifyKpiBreach',
  'notifyNewActivity',
  'insertNotes',
  'updateContext',
  'retrieveMultipleAndOpenRecords',
  'getPosition',
  'setPosition',
  'getVisibility',
  'setVisibility',
  'setPresence',
  'getPresence',
] as const;

/** The five CIF 1.0 events (docs/cif-contract.md §3). */
export const CIF_EVENTS = ['onclicktoact', 'onmodechanged', 'onsizechanged', 'onpagenavigate', 'onsendkbarticle'] as const;
export type CifEvent = (typeof CIF_EVENTS)[number];

/** Library → host: the library is loaded and waits for the host before firing CIFInitDone. */
export interface InitMessage {
  cif: typeof CIF_MARK;
  type: 'init';
}

/** Library → host: one API call. */
export interface RequestMessage {
  cif: typeof CIF_MARK;
  type: 'request';
  id: string;
  method: string;
  args: unknown[];
}

/** Host → library. */
export interface InitResultMessage {
  cif: typeof CIF_MARK;
  type: 'initResult';
}

/** The outcome of one call; `error` is a JSON string, as CIF rejects. */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/** Host → library: the answer to one request. */
export type ResponseMessage = { cif: typeof CIF_MARK; type: 'response'; id: string } & CallOutcome;

/** Host → library: an event for the handlers registered with addHandler; `payload` is a JSON string. */
export interface EventMessage {
  cif: typeof CIF_MARK;
  type: 'event';
  name: CifEvent;
  payload: string;
}

export type LibraryMessage = InitMessage | RequestMessage;
export type HostMessage = InitResultMessage | ResponseMessage | EventMessage;

export function isMarked(data: unknown): data is { cif: typeof CIF_MARK; type: unknown } {
  return typeof data === 'object' && data !== null && (data as { cif?: unknown }).cif === CIF_MARK;
}

export function isCifMethod(name: string): name is CifMethod {
  return (CIF_METHODS as readonly string[]).includes(name);
}

export function isCifEvent(name: unknown): name is CifEvent {
  return typeof name === 'string' && (CIF_EVENTS as readonly string[]).includes(name);
}

/** The origin of an absolute http(s) URL, or undefined. */
export function originOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
