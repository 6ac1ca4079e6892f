/**
 * The pane's HTTP client for /api. Every request says `X-Callpane-Client: pane`, which the server
 * requires of cookie-authenticated requests (a custom header forces a same-origin script, so no
 * other site can ride the cookie). The session travels two ways at once: the Partitioned cookie
 * the server sets on sign-in (CHIPS — the one cookie a cross-site iframe keeps when third-party
 * cookies are blocked, see testing.md), which survives a reload, and the token from the sign-in
 * answer kept in memory as a Bearer header for browsers that refuse even partitioned cookies.
 * Failures come back as values, never as exceptions.
 */
import type { CrmEntity } from '../../crm/crm-entities.ts';
import type { RecordPhone } from '../../crm/phone-search.ts';
import type { CallPage, CallRecord, CrmLogReport, LoginAnswer, PaneSettings, PhoneFacts, PhoneLookupAnswer, PhoneRankAnswer, SessionView, SipCredentials } from './api-types.ts';

export const ApiFailure = {
  /** No answer: offline, server down, or the request was refused by the browser. */
  Network: 'NETWORK',
  /** The answer was not the JSON we expected. */
  BadAnswer: 'BAD_ANSWER',
  Timeout: 'TIMEOUT',
} as const;

export interface ApiError {
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** The server's error code (api-errors.ts), or one of ApiFailure. */
  code: string;
  message: string;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const PANE_CLIENT_HEADER = 'X-Callpane-Client';
const REQUEST_TIMEOUT_MS = 15_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export class ApiClient {
  readonly #fetch: FetchLike;
  #token: string | undefined;

  constructor(fetchImpl: FetchLike = (input, init) => fetch(input, init)) {
    this.#fetch = fetchImpl;
  }

  /** The in-memory token, for the event channel's first-message authentication. */
  get token(): string | undefined {
    return this.#token;
  }

  async login(login: string, password: string): Promise<ApiResult<SessionView>> {
    const result = await this.#request<LoginAnswer>('POST', '/api/session', { login, password });
    if (!result.ok) return result;
    this.#token = result.value.token;
    return { ok: true, value: { expiresAt: result.value.expiresAt, extension: result.value.extension } };
  }

  resume(): Promise<ApiResult<SessionView>> {
    return this.#request('GET', '/api/session');
  }

  async logout(): Promise<ApiResult<void>> {
    const result = await this.#request<void>('DELETE', '/api/session');
    this.#token = undefined;
    return result;
  }

  /** Forgets the in-memory token (the session was ended elsewhere). */
  forget(): void {
    this.#token = undefined;
  }

  sipCredentials(): Promise<ApiResult<SipCredentials>> {
    return this.#request('GET', '/api/sip/credentials');
  }

  settings(): Promise<ApiResult<PaneSettings>> {
    return this.#request('GET', '/api/settings');
  }

  saveSettings(settings: PaneSettings): Promise<ApiResult<PaneSettings>> {
    return this.#request('PUT', '/api/settings', settings);
  }

  calls(options: { limit?: number; before?: string } = {}): Promise<ApiResult<CallPage>> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.before !== undefined) query.set('before', options.before);
    const suffix = query.size > 0 ? `?${query}` : '';
    return this.#request('GET', `/api/calls${suffix}`);
  }

  call(id: string): Promise<ApiResult<CallRecord>> {
    return this.#request('GET', `/api/calls/${encodeURIComponent(id)}`);
  }

  /** Keeps the agent's notes on the server, so whichever pane logs the call later has them. */
  saveNotes(callId: string, notes: string): Promise<ApiResult<CallRecord>> {
    return this.#request('PUT', `/api/calls/${encodeURIComponent(callId)}/notes`, { notes });
  }

  reportCrm(callId: string, report: CrmLogReport): Promise<ApiResult<CallRecord>> {
    return this.#request('PUT', `/api/calls/${encodeURIComponent(callId)}/crm`, report);
  }

  /** How the server reads each number (the pane has no numbering-plan data of its own). */
  phoneNormalize(numbers: readonly string[], defaultRegion: string | undefined): Promise<ApiResult<{ numbers: PhoneFacts[] }>> {
    return this.#request('POST', '/api/phone/normalize', { numbers, defaultRegion });
  }

  /** The CIF search query per table for a caller's number, and how the number reads. */
  phoneLookup(number: string, entities: readonly CrmEntity[], defaultRegion: string | undefined): Promise<ApiResult<PhoneLookupAnswer>> {
    return this.#request('POST', '/api/phone/lookup', { number, entities, defaultRegion });
  }

  /** The searched records that really hold the number, best first. */
  phoneRank(number: string, candidates: readonly RecordPhone[], defaultRegion: string | undefined): Promise<ApiResult<PhoneRankAnswer>> {
    return this.#request('POST', '/api/phone/rank', { number, candidates, defaultRegion });
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { [PANE_CLIENT_HEADER]: 'pane', Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.#token !== undefined) headers.Authorization = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await this.#fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return failure(0, timedOut ? ApiFailure.Timeout : ApiFailure.Network, error instanceof Error ? error.message : String(error));
    }
    if (response.status === 204) return { ok: true, value: undefined as T };
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      return failure(response.status, ApiFailure.BadAnswer, `HTTP ${response.status} without a JSON body`);
    }
    if (response.ok) return { ok: true, value: parsed as T };
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return failure(
      response.status,
      typeof error?.code === 'string' ? error.code : ApiFailure.BadAnswer,
      typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
    );
  }
}

function failure(status: number, code: string, message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { status, code, message } };
}
