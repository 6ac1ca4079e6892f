/**
 * A plain WebApiClient (src/dynamics/web-api/web-api-client.ts) for tests of code written against
 * the interface: a client-credentials token from the sandbox's token endpoint, Dataverse's headers,
 * and no retry of its own — a 429 or 5xx is thrown at once as retryable, so a test sees what its
 * caller does with it. `log` keeps every request's method, path and status.
 */
import type { WebApiClient, WebApiRequest, WebApiResponse } from '../../src/dynamics/web-api/web-api-client.ts';

export class SandboxWebApiError extends Error {
  override readonly name = 'SandboxWebApiError';
  readonly status: number;
  readonly dataverseCode: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;

  constructor(status: number, dataverseCode: string | undefined, message: string, requestId: string | undefined) {
    super(message);
    this.status = status;
    this.dataverseCode = dataverseCode;
    this.requestId = requestId;
    this.retryable = status === 429 || status >= 500;
  }
}

export interface SandboxClientOptions {
  origin: string;
  clientId: string;
  clientSecret: string;
  tenantId: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export function sandboxWebApiClient(options: SandboxClientOptions): WebApiClient & { log: LoggedRequest[] } {
  let token: string | undefined;
  const log: LoggedRequest[] = [];
  async function bearer(): Promise<string> {
    if (token !== undefined) return token;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret, scope: `${options.origin}/.default` });
    const answer = await fetch(`${options.origin}/${options.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    if (!answer.ok) throw new Error(`token: HTTP ${answer.status} ${await answer.text()}`);
    token = ((await answer.json()) as { access_token: string }).access_token;
    return token;
  }
  return {
    log,
    async request(request: WebApiRequest, signal?: AbortSignal): Promise<WebApiResponse> {
      const answer = await fetch(`${options.origin}/api/data/v9.2/${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${await bearer()}`,
          'OData-MaxVersion': '4.0',
          'OData-Version': '4.0',
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          ...request.headers,
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        ...(signal ? { signal } : {}),
      });
      const text = await answer.text();
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      const requestId = answer.headers.get('x-ms-service-request-id') ?? undefined;
      log.push({ method: request.method, path: request.path, status: answer.status });
      if (answer.ok || request.accept?.includes(answer.status)) return { status: answer.status, headers: answer.headers, body, requestId };
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new SandboxWebApiError(answer.status, error?.code, error?.message ?? `HTTP ${answer.status}`, requestId);
    },
    close() {},
  };
}
