/**
 * Readers for what CIF 1.0 hands back: JSON strings (sometimes already objects), records keyed
 * by index or listed in an array, the environment, and the five event payloads (docs/cif-contract.md §2 and §3).
 * Lenient in what they accept, strict in what they return.
 */

export type JsonObject = Record<string, unknown>;

/** A JSON string parsed, or an object passed through; undefined for anything else. */
export function readObject(value: unknown): JsonObject | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as JsonObject) : undefined;
}

/**
 * searchAndOpenRecords' matches: "keyed by index; treat array or index-keyed object alike".
 * A `value` array (the Web API's collection shape) is read too.
 */
export function readRecordList(value: unknown): JsonObject[] | undefined {
  const parsed = readObject(value);
  if (parsed === undefined) return typeof value === 'string' && value.trim() === '' ? [] : undefined;
  const list = Array.isArray(parsed) ? parsed : Array.isArray(parsed.value) ? parsed.value : indexKeyed(parsed);
  return list.filter((item): item is JsonObject => typeof item === 'object' && item !== null);
}

function indexKeyed(object: JsonObject): unknown[] {
  return Object.keys(object)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => object[key]);
}

export interface CifEnvironment {
  clientUrl: string;
  appUrl: string;
  orgId: string;
  orgUniqueName: string;
  /** The Dynamics user's id without braces, lower case. */
  userId: string;
  userLcid: number;
  orgLcid: number;
  username: string;
  customParams: string;
  cifVersion: string;
  raw: JsonObject;
}

export function readEnvironment(value: unknown): CifEnvironment | undefined {
  const raw = readObject(value);
  if (!raw) return undefined;
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : '');
  return {
    clientUrl: text('clientUrl'),
    appUrl: text('appUrl'),
    orgId: bareGuid(text('orgId')),
    orgUniqueName: text('orgUniqueName'),
    userId: bareGuid(text('userId')),
    userLcid: Number(raw.userLcid) || 0,
    orgLcid: Number(raw.orgLcid) || 0,
    username: text('username'),
    customParams: text('customParams'),
    cifVersion: text('cifVersion'),
    raw,
  };
}

/** `{A81…}` → `a81…`: getEnvironment gives ids in braces; OData binds want them bare. */
export function bareGuid(id: string): string {
  return id.replace(/^\{|\}$/g, '').toLowerCase();
}

export interface ClickToActEvent {
  value: string;
  name: string;
  format: string;
  entityLogicalName?: string;
  entityId?: string;
  recordTitle?: string;
}

export function readClickToAct(payload: unknown): ClickToActEvent | undefined {
  const body = readObject(payload);
  if (!body || (typeof body.value !== 'string' && typeof body.value !== 'number')) return undefined;
  const text = (key: string) => (typeof body[key] === 'string' && body[key] !== '' ? (body[key] as string) : undefined);
  const event: ClickToActEvent = { value: String(body.value), name: text('name') ?? '', format: text('format') ?? '' };
  const entity = text('entityLogicalName');
  const id = text('entityId');
  const title = text('recordTitle');
  if (entity !== undefined) event.entityLogicalName = entity;
  if (id !== undefined) event.entityId = bareGuid(id);
  if (title !== undefined) event.recordTitle = title;
  return event;
}

/** `format` case varies ("Phone", "phone"); an absent format is taken as a phone too. */
export function isPhoneFormat(format: string): boolean {
  return format === '' || format.toLowerCase() === 'phone';
}

/** onmodechanged / onsizechanged: `{"value": n}`. */
export function readNumberValue(payload: unknown): number | undefined {
  const value = Number(readObject(payload)?.value);
  return Number.isFinite(value) ? value : undefined;
}

export interface PageNavigateEvent {
  url: string;
  entity?: string;
  id?: string;
  pageType?: string;
}

/** onpagenavigate: `{"value":"<url with etn, pagetype, id>"}`. */
export function readPageNavigate(payload: unknown): PageNavigateEvent | undefined {
  const value = readObject(payload)?.value;
  if (typeof value !== 'string') return undefined;
  const event: PageNavigateEvent = { url: value };
  try {
    const params = new URL(value, 'https://crm.invalid').searchParams;
    const etn = params.get('etn');
    const id = params.get('id');
    const pageType = params.get('pagetype');
    if (etn) event.entity = etn;
    if (id) event.id = bareGuid(id);
    if (pageType) event.pageType = pageType;
  } catch {
    // the URL as given is all there is
  }
  return event;
}

export interface KbArticleEvent {
  title: string;
  link: string;
}

export function readKbArticle(payload: unknown): KbArticleEvent | undefined {
  const body = readObject(payload);
  return body && typeof body.title === 'string' && typeof body.link === 'string' ? { title: body.title, link: body.link } : undefined;
}
