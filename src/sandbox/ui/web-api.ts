/**
 * The page's access to its own organization: the Dataverse Web API for what the pages show and
 * save (as the Unified Interface does), and /_sandbox/records for CIF's record calls, which run
 * in the Xrm dialect on the server.
 */
import { CodedError } from '../../errors/coded-error.ts';
import type { RecordCall } from '../record-calls.ts';

const API = '/api/data/v9.2';

export type ApiRecord = Record<string, unknown>;

/**
 * A Dataverse error answer as this page receives it: `{"error":{"code","message"}}` with its HTTP
 * status; `code` is Dataverse's hexadecimal code, or empty where Dataverse gives none.
 */
export class DataverseRequestError extends CodedError<string> {
  override readonly name = 'DataverseRequestError';
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, {
    ...init,
    headers: {
      Accept: 'application/json',
      'OData-Version': '4.0',
      'OData-MaxVersion': '4.0',
      Prefer: 'odata.include-annotations="*"',
      ...(init.body ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      ...init.headers,
    },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new DataverseRequestError(response.status, body?.error?.code ?? '', body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return response;
}

export async function retrieveMultiple(set: string, query: string): Promise<{ records: ApiRecord[]; count?: number }> {
  const body = (await (await request(`${API}/${set}${query}`)).json()) as { value: ApiRecord[]; '@odata.count'?: number };
  return { records: body.value, count: body['@odata.count'] };
}

export async function retrieve(set: string, id: string, query = ''): Promise<ApiRecord> {
  return (await (await request(`${API}/${set}(${id})${query}`)).json()) as ApiRecord;
}

/** POST; returns the new record's id (from OData-EntityId). */
export async function create(set: string, body: ApiRecord): Promise<string> {
  const response = await request(`${API}/${set}`, { method: 'POST', body: JSON.stringify(body) });
  const entityId = response.headers.get('OData-EntityId') ?? '';
  const id = /\(([0-9a-f-]{36})\)$/i.exec(entityId)?.[1];
  if (!id) throw new DataverseRequestError(500, '', 'The server did not say which record it created.');
  return id;
}

/** PATCH with If-Match: * (update only, never an upsert). */
export async function update(set: string, id: string, body: ApiRecord): Promise<void> {
  await request(`${API}/${set}(${id})`, { method: 'PATCH', body: JSON.stringify(body), headers: { 'If-Match': '*' } });
}

/** A CIF record call, run by the server on the same Dataverse in the Xrm dialect. */
export async function recordCall(call: RecordCall): Promise<unknown> {
  const response = await request('/_sandbox/records', { method: 'POST', body: JSON.stringify(call) });
  return ((await response.json()) as { result: unknown }).result;
}

export async function switchUser(userId: string): Promise<void> {
  await request('/_sandbox/user', { method: 'POST', body: JSON.stringify({ userId }) });
}
