/**
 * The Dataverse Web API client every server-side Dynamics path goes through (the journal, the
 * phone index, `callpane dynamics`): one org, one application user, one place for the rules of
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors
 * and of service protection (https://learn.microsoft.com/power-apps/developer/data-platform/api-limits).
 *
 * Each request gets a token (./token-source.ts: cached, renewed before expiry; a 401 drops it and
 * the request is sent once more with a new one), the OData 4.0 headers, a slot among at most
 * maxConcurrentRequests (./request-limiter.ts), and retries as ./retry-schedule.ts decides: 429
 * after exactly Retry-After, 5xx, timeouts and connection errors after a jittered back-off. What
 * still fails is thrown as a WebApiError saying whether it is worth trying later (`retryable`) or
 * refused for good (400 and other 4xx the caller did not list in `accept`, with Dataverse's error
 * code and message), so a caller keeps or parks its work and never loses it. Every method is
 * retried: an attempt that timed out may still have been carried out, so a caller that creates
 * records writes them create-only under an id of its own (`PATCH` with `If-None-Match: *`, as
 * the journal and `dynamics setup` do), never with a bare POST that a retry could repeat.
 *
 * Every attempt is logged: method, the path with query values taken out (they hold phone numbers
 * and e-mail addresses), status, milliseconds, Dataverse's request id and the attempt number.
 * Never the token, never a body.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { StructuredLogger } from '../../logging/structured-logger.ts';
import { WebApiErrorCode } from '../dynamics-errors.ts';
import { createRequestLimiter } from './request-limiter.ts';
import { DEFAULT_RETRY_POLICY, nextDelay, parseRetryAfter, type AttemptFailure, type RetryPolicy } from './retry-schedule.ts';
import type { TokenSource } from './token-source.ts';
import { WebApiError } from './web-api-error.ts';

export interface WebApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to {org}/api/data/v9.2/ (`phonecalls(…)`, `contacts?$select=…`), or an absolute
   *  @odata.nextLink / @odata.deltaLink on the same org (anything else is refused). */
  path: string;
  /** JSON-encoded by the client. */
  body?: unknown;
  /** Prefer, If-None-Match, If-Match … */
  headers?: Record<string, string>;
  /** Statuses the caller handles itself: returned, not thrown (e.g. [404, 412]). */
  accept?: readonly number[];
}

export interface WebApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for 204 and empty answers. */
  body: unknown;
  /** x-ms-service-request-id / REQ_ID */
  requestId: string | undefined;
}

export interface WebApiClient {
  request(request: WebApiRequest, signal?: AbortSignal): Promise<WebApiResponse>;
  /** Ends requests in flight and refuses new ones (WebApiError CLOSED). */
  close(): void;
}

export const WEB_API_PATH = '/api/data/v9.2/';

export interface WebApiClientOptions {
  /** The org origin, e.g. https://contoso.crm.dynamics.com. */
  orgUrl: string;
  tokens: TokenSource;
  maxConcurrentRequests: number;
  /** One attempt's limit, answer body included. */
  requestTimeoutMs: number;
  logger: StructuredLogger;
  retry?: RetryPolicy;
  /** Waits between attempts (default: a timer); rejects when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The jitter's source (default Math.random). */
  random?: () => number;
  /** Milliseconds since the epoch, for a Retry-After given as a date (default Date.now). */
  now?: () => number;
  fetch?: typeof fetch;
}

/** https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#http-headers */
const ODATA_HEADERS = { 'OData-MaxVersion': '4.0', 'OData-Version': '4.0', Accept: 'application/json' } as const;
const JSON_BODY = 'application/json; charset=utf-8';

type Attempt = { kind: 'answer'; response: Response; body: unknown } | { kind: 'no-answer'; reason: 'timeout' | 'connection'; cause: unknown };

export function createWebApiClient(options: WebApiClientOptions): WebApiClient {
  const org = new URL(options.orgUrl).origin;
  const base = `${org}${WEB_API_PATH}`;
  const limiter = createRequestLimiter(options.maxConcurrentRequests);
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? fetch;
  const logger = options.logger;
  const closing = new AbortController();

  const resolveUrl = (path: string): URL => {
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(path.replace(/^\/+/, '/'), base);
    if (path.startsWith('/') || url.origin !== org || !url.pathname.startsWith(WEB_API_PATH)) {
      throw new WebApiError(WebApiErrorCode.PATH_REFUSED, `${loggedPath(path, base)} is not on the org's Web API (${base}): not sent`, { status: 0, retryable: false });
    }
    return url;
  };

  /** The abort's reason as the caller should see it: CLOSED when the client closed, else the caller's own. */
  const aborted = (signal: AbortSignal): unknown =>
    closing.signal.aborted ? new WebApiError(WebApiErrorCode.CLOSED, 'the Web API client was closed before the request finished', { status: 0, retryable: true }) : signal.reason;

  const send = async (url: URL, request: WebApiRequest, token: string, signal: AbortSignal): Promise<Attempt> => {
    const headers: Record<string, string> = { ...ODATA_HEADERS, ...request.headers, Authorization: `Bearer ${token}` };
    if (request.body !== undefined) headers['Content-Type'] = JSON_BODY;
    const timeout = AbortSignal.timeout(options.requestTimeoutMs);
    try {
      const response = await fetchImpl(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // Dataverse does not redirect API calls; following one would carry the token elsewhere.
        redirect: 'manual',
        signal: AbortSignal.any([signal, timeout]),
      });
      return { kind: 'answer', response, body: await readBody(response) };
    } catch (error) {
      if (signal.aborted) throw aborted(signal);
      return { kind: 'no-answer', reason: timeout.aborted ? 'timeout' : 'connection', cause: error };
    }
  };

  return {
    async request(request, callerSignal) {
      const signal = callerSignal ? AbortSignal.any([closing.signal, callerSignal]) : closing.signal;
      if (signal.aborted) throw aborted(signal);
      const url = resolveUrl(request.path);
      const path = loggedPath(url.href, base);
      const counts = { throttled: 0, transient: 0 };
      let renewedAfter401 = false;
      for (let attempt = 1; ; attempt++) {
        let token: string;
        try {
          token = await options.tokens.token(signal);
        } catch (error) {
          if (signal.aborted) throw aborted(signal);
          logger.warn({ method: request.method, path, attempt, code: (error as WebApiError).code }, 'dataverse token not obtained');
          throw error;
        }
        let release: () => void;
        try {
          release = await limiter.acquire(signal);
        } catch {
          throw aborted(signal);
        }
        const started = performance.now();
        let outcome: Attempt;
        try {
          outcome = await send(url, request, token, signal);
        } finally {
          release();
        }
        const ms = Math.round(performance.now() - started);
        const fields = { method: request.method, path, attempt, ms };

        let failure: AttemptFailure;
        let last: { status: number; requestId: string | undefined; dataverseCode?: string; message: string };
        if (outcome.kind === 'answer') {
          const { response, body } = outcome;
          const status = response.status;
          const requestId = requestIdOf(response.headers);
          if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
            logger.info({ ...fields, status, requestId }, 'dataverse request');
            return { status, headers: response.headers, body, requestId };
          }
          const error = dataverseError(body);
          if (status === 401 && !renewedAfter401) {
            // The token may have been revoked or the app user just created: one more try with a fresh token.
            logger.warn({ ...fields, status, requestId }, 'dataverse request unauthorized: renewing the token once');
            options.tokens.invalidate(token);
            renewedAfter401 = true;
            continue;
          }
          if (status === 401) {
            logger.warn({ ...fields, status, requestId }, 'dataverse request unauthorized with a new token');
            throw new WebApiError(
              WebApiErrorCode.UNAUTHORIZED,
              `${request.method} ${path}: 401 with a newly issued token: is there an enabled application user for this app in the org? (callpane dynamics check)`,
              { status, requestId, retryable: false },
            );
          }
          last = { status, requestId, dataverseCode: error.code, message: error.message ?? `HTTP ${status}` };
          if (status === 429) failure = { kind: 'throttled', retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()) };
          else if (status >= 500 || status === 408)
            failure = { kind: 'transient', retryAfterMs: status === 503 ? parseRetryAfter(response.headers.get('retry-after'), now()) : undefined };
          else {
            logger.warn({ ...fields, status, requestId, dataverseCode: error.code }, 'dataverse request refused');
            throw new WebApiError(WebApiErrorCode.REFUSED, `${request.method} ${path}: ${status} ${last.message}`, {
              status,
              requestId,
              dataverseCode: error.code,
              retryable: false,
            });
          }
          counts[failure.kind]++;
        } else {
          last = {
            status: 0,
            requestId: undefined,
            message: outcome.reason === 'timeout' ? `no answer within ${options.requestTimeoutMs} ms` : `connection failed (${causeText(outcome.cause)})`,
          };
          failure = { kind: 'transient', retryAfterMs: undefined };
          counts.transient++;
        }

        const delay = nextDelay(failure, counts, policy, random);
        logger.warn(
          { ...fields, status: last.status, requestId: last.requestId, dataverseCode: last.dataverseCode, retryInMs: delay },
          delay === undefined ? 'dataverse request failed' : 'dataverse request failed: retrying',
        );
        if (delay === undefined) {
          const throttled = failure.kind === 'throttled';
          throw new WebApiError(
            throttled ? WebApiErrorCode.THROTTLED : WebApiErrorCode.UNAVAILABLE,
            `${request.method} ${path}: ${throttled ? 'throttled by service protection' : 'Dataverse unavailable'} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${last.message}`,
            { status: last.status, requestId: last.requestId, dataverseCode: last.dataverseCode, retryable: true },
          );
        }
        try {
          await sleep(delay, signal);
        } catch {
          throw aborted(signal);
        }
      }
    },
    close() {
      closing.abort();
    },
  };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Dataverse's `{"error":{"code":"0x80040237","message":"…"}}`. */
function dataverseError(body: unknown): { code: string | undefined; message: string | undefined } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    code: typeof error?.code === 'string' && error.code !== '' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
  };
}

function requestIdOf(headers: Headers): string | undefined {
  return headers.get('x-ms-service-request-id') ?? headers.get('req_id') ?? undefined;
}

function causeText(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof inner === 'string' ? inner : cause instanceof Error ? cause.message : String(cause);
}

/**
 * What a log line shows of a request's URL: the path below the Web API root with the values of
 * its query options and quoted literals taken out (`contacts?$select&$filter`), since those
 * carry phone numbers, e-mail addresses and paging tokens.
 */
export function loggedPath(path: string, base: string): string {
  const relative = path.startsWith(base) ? path.slice(base.length) : path;
  const [resource = '', query] = relative.split('?', 2);
  const shownResource = resource.replace(/'(?:[^']|'')*'/g, "'…'").replace(/%27(?:(?!%27).)*%27/gi, "'…'");
  if (query === undefined) return shownResource;
  const names = query.split('&').map((part) => decodeURIComponent(part.split('=', 1)[0] ?? ''));
  return `${shownResource}?${names.join('&')}`;
}
