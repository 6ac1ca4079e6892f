/**
 * The phone index's own errors, and how its sync reads the Web API client's: a request Dataverse
 * refused for good is a 4xx the client does not retry (WebApiError, ../web-api/web-api-error.ts,
 * with `status`, `retryable` and Dataverse's `dataverseCode`). Read by those fields, so any client
 * of the WebApiClient interface that throws them is understood alike.
 */
import { CodedError } from '../../errors/coded-error.ts';
import { PhoneIndexErrorCode } from '../dynamics-errors.ts';

export class PhoneIndexError extends CodedError<PhoneIndexErrorCode> {
  override readonly name = 'PhoneIndexError';
}

export function phoneIndexPageError(entity: string, why: string): PhoneIndexError {
  return new PhoneIndexError(PhoneIndexErrorCode.BAD_PAGE, `phone index: a page of ${entity} rows could not be read: ${why}`);
}

/** A request Dataverse refused for good, with its status and code; undefined for anything else (worth trying later). */
export function refusedWith(error: unknown): { status: number; dataverseCode: string | undefined } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, retryable, dataverseCode } = error as Error & { status?: unknown; retryable?: unknown; dataverseCode?: unknown };
  if (typeof status !== 'number' || retryable !== false || status < 400 || status > 499) return undefined;
  return { status, dataverseCode: typeof dataverseCode === 'string' ? dataverseCode : undefined };
}
