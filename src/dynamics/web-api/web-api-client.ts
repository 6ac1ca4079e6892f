/**
 * The Dataverse Web API client as the rest of src/dynamics/ sees it (the journal, the phone index,
 * setup): one request at a time, the client taking care of tokens, headers, retries and limits.
 */
export interface WebApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to {org}/api/data/v9.2/ (`phonecalls(…)`, `contacts?$select=…`), or an absolute
   *  @odata.nextLink / @odata.deltaLink on the same org (anything else is refused). */
  path: string;
  body?: unknown;                       // JSON-encoded by the client
  headers?: Record<string, string>;     // Prefer, If-None-Match, If-Match …
  /** Statuses the caller handles itself: returned, not thrown (e.g. [404, 412]). */
  accept?: readonly number[];
}
export interface WebApiResponse {
  status: number;
  headers: Headers;
  body: unknown;                        // parsed JSON, or undefined for 204
  requestId: string | undefined;        // x-ms-service-request-id / REQ_ID
}
export interface WebApiClient {
  request(request: WebApiRequest, signal?: AbortSignal): Promise<WebApiResponse>;
  close(): void;
}
