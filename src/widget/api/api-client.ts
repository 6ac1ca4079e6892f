/**
 * The pane's HTTP client for /api. Requests carry the session's short-lived access token, kept in
 * memory only, as a Bearer header. The session's refresh token is the Partitioned HttpOnly
 * cookie the server sets on sign-in (CHIPS — the one cookie a cross-site iframe keeps when
 * third-party cookies are blocked, see docs/cif-contract.md §7): no script here can read it, and it buys a
 * new access token at /api/session/refresh — after a reload, shortly before the token expires,
 * and when the server refuses one (it forgets them when it restarts). Every request says
 * `X-Callpane-Client: pane`, without which the server ignores the cookie (a custom header forces
 * a same-origin script, so no other site can ride it).
 * Failures come back as values, never as exceptions.
 */
import type { ApiErrorCode } from '../../contract/api-errors.ts';
import { PANE_CLIENT_HEADER, PANE_CLIENT_VALUE } from '../../contract/pane-client.ts';
import type { CrmEntity } from '../../crm/crm-entities.ts';
import type { RecordPhone } from '../../crm/phone-search.ts';
import type {
  CallPage,
  CallRecord,
  CrmLogReport,
  LoginAnswer,
  PaneSettings,
  PhoneLookupAnswer,
  PhoneNormalizeAnswer,
  PhoneRankAnswer,
  SessionView,
  SipCredentials,
  SsoButton,
} from './api-types.ts';

export const ApiFailure = {
  /** No answer: offline, server down, or the request was refused by the browser. */
  Network: 'NETWORK',
  /** The answer was not the JSON we expected. */
  BadAnswer: 'BAD_ANSWER',
  Timeout: 'TIMEOUT',
} as const;

export type ApiFailure = (typeof ApiFailure)[keyof typeof ApiFailure];

/** One failed call to the web API, as a value (the server throws ApiError; the pane never throws). */
export interface ApiCallFailure {
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** The server's error code (src/contract/api-errors.ts), or one of ApiFailure. */
  code: ApiErrorCode | ApiFailure;
  message: string;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiCallFailure };

const REQUEST_TIMEOUT_MS = 15_000;
/** A token this close to its expiry is refreshed before use: clocks and requests take time. */
const REFRESH_MARGIN_MS = 60_000;

/** The outcome of claiming a sign-in through an identity provider. */
export type SsoClaim = { status: 'pending' } | { status: 'signed-in'; session: SessionView };

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export class ApiClient {
  readonly #fetch: FetchLike;
  readonly #now: () => number;
  #token: string | undefined;
  #tokenExpiresAt = 0;
  #refreshing: Promise<ApiResult<SessionView>> | undefined;

  constructor(fetchImpl: FetchLike = (input, init) => fetch(input, init), now: () => number = Date.now) {
    this.#fetch = fetchImpl;
    this.#now = now;
  }

  /** A live access token, refreshed first when it is (nearly) expired; undefined when signed out. */
  async freshToken(): Promise<string | undefined> {
    if (this.#token !== undefined && this.#tokenExpiresAt - REFRESH_MARGIN_MS <= this.#now()) await this.refresh();
    return this.#token;
  }

  async login(login: string, password: string): Promise<ApiResult<SessionView>> {
    return this.#signedIn(await this.#send<LoginAnswer>('POST', '/api/session', { login, password }));
  }

  async logout(): Promise<ApiResult<void>> {
    // The cookie ends the session even when the access token has expired.
    const result = await this.#send<void>('DELETE', '/api/session');
    this.forget();
    return result;
  }

  /** Forgets the in-memory token (the session was ended elsewhere). */
  forget(): void {
    this.#token = undefined;
    this.#tokenExpiresAt = 0;
  }

  ssoProviders(): Promise<ApiResult<{ providers: SsoButton[] }>> {
    return this.#send('GET', '/api/sso/providers');
  }

  /** Claims the outcome of the popup's sign-in with the secret only this pane knows. */
  async claimSso(secret: string): Promise<ApiResult<SsoClaim>> {
    const result = await this.#send<LoginAnswer | { status: 'pending' }>('POST', '/api/session/sso', { handoff: secret });
    if (!result.ok) return result;
    if ('status' in result.value) return { ok: true, value: { status: 'pending' } };
    const signedIn = this.#signedIn({ ok: true, value: result.value });
    return signedIn.ok ? { ok: true, value: { status: 'signed-in', session: signedIn.value } } : signedIn;
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
  phoneNormalize(numbers: readonly string[], defaultRegion: string | undefined): Promise<ApiResult<PhoneNormalizeAnswer>> {
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

  /** An authenticated request: with a fresh access token, and once more after a refresh when the server refused it. */
  async #request<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    await this.freshToken();
    const result = await this.#send<T>(method, path, body);
    if (result.ok || result.error.status !== 401 || this.#token === undefined) return result;
    // The server forgot the token (a restart) or it expired in flight: one refresh, one retry.
    // A refresh that failed for another reason (network, timeout, 5xx) is answered as that, not
    // as the 401: only the server's "no session" may end the pane's session.
    const refreshed = await this.refresh();
    if (refreshed.ok) return this.#send<T>(method, path, body);
    return refreshed.error.status === 401 ? result : refreshed;
  }

  /** A new access token from the session cookie: after a reload, or when the server refused one. */
  refresh(): Promise<ApiResult<SessionView>> {
    // One refresh at a time: requests that find the token stale together share it.
    this.#refreshing ??= this.#send<LoginAnswer>('POST', '/api/session/refresh')
      .then((result) => {
        if (!result.ok && result.error.status === 401) this.forget();
        return this.#signedIn(result);
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  #signedIn(result: ApiResult<LoginAnswer>): ApiResult<SessionView> {
    if (!result.ok) return result;
    this.#token = result.value.token;
    this.#tokenExpiresAt = result.value.tokenExpiresAt;
    return { ok: true, value: { expiresAt: result.value.expiresAt, extension: result.value.extension } };
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { [PANE_CLIENT_HEADER]: PANE_CLIENT_VALUE, Accept: 'application/json' };
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
      typeof error?.code === 'string' ? (error.code as ApiErrorCode) : ApiFailure.BadAnswer,
      typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
    );
  }
}

function failure(status: number, code: ApiCallFailure['code'], message: string): { ok: false; error: ApiCallFailure } {
  return { ok: false, error: { status, code, message } };
}
