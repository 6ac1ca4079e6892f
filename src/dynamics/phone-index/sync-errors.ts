/**
 * TEMPORARY until src/dynamics/dynamics-errors.ts lands: the phone index's reading of the web API
 * client's errors and its own. Moves into that file (one per layer).
 */
import { CodedError } from '../../errors/coded-error.ts';

export const PhoneIndexErrorCode = {
  /** A page of a sync was not an OData collection of rows. */
  BAD_PAGE: 'PHONE_INDEX_BAD_PAGE',
} as const;
export type PhoneIndexErrorCode = (typeof PhoneIndexErrorCode)[keyof typeof PhoneIndexErrorCode];

export class PhoneIndexError extends CodedError<PhoneIndexErrorCode> {
  override readonly name = 'PhoneIndexError';
}

export function phoneIndexPageError(entity: string, why: string): PhoneIndexError {
  return new PhoneIndexError(PhoneIndexErrorCode.BAD_PAGE, `phone index: a page of ${entity} rows could not be read: ${why}`);
}

/** A request Dataverse refused for good (a 4xx the client does not retry), with its status and code; undefined for anything else. */
export function refusedWith(error: unknown): { status: number; dataverseCode: string | undefined } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, retryable, dataverseCode } = error as Error & { status?: unknown; retryable?: unknown; dataverseCode?: unknown };
  if (typeof status !== 'number' || retryable !== false || status < 400 || status > 499) return undefined;
  return { status, dataverseCode: typeof dataverseCode === 'string' ? dataverseCode : undefined };
}
