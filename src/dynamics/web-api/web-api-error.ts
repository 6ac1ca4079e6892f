/**
 * A Web API request that did not end in an answer the caller accepted. `retryable` tells the
 * caller what to do with its work: keep it for later (throttled, unavailable, token endpoint
 * down) or park it with the reason (Dataverse's `error.code` and `error.message`, e.g.
 * 0x80040237 "A record with matching key values already exists"), since the same request would
 * be refused again.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#parse-errors-from-the-response
 */
import { CodedError } from '../../errors/coded-error.ts';
import type { WebApiErrorCode } from '../dynamics-errors.ts';

export interface WebApiErrorDetails {
  /** The last HTTP status; 0 when no answer came (timeout, connection error, closed). */
  status: number;
  /** Dataverse's `error.code` (0x80040237) or Entra's `error` (invalid_client), when the answer had one. */
  dataverseCode?: string;
  /** Dataverse's x-ms-service-request-id of the last attempt, for Microsoft support. */
  requestId?: string;
  retryable: boolean;
  cause?: unknown;
}

export class WebApiError extends CodedError<WebApiErrorCode> {
  override readonly name = 'WebApiError';
  readonly status: number;
  readonly dataverseCode: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;

  constructor(code: WebApiErrorCode, message: string, details: WebApiErrorDetails) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.dataverseCode = details.dataverseCode;
    this.requestId = details.requestId;
    this.retryable = details.retryable;
  }
}
