/**
 * What a failed attempt means for its outbox row. The Web API client has already retried what a
 * retry within the request could fix (429 after Retry-After, 5xx and timeouts with back-off) and
 * says whether trying later may help (`retryable`). A request Dataverse refused (400 invalid, 403
 * a privilege the application user's role lacks, …) is parked with Dataverse's reason, to be
 * retried by hand once the cause is fixed. A refused token or sign-in is not about this call —
 * every entry would fail alike until the administrator fixes the credential — so the row is kept
 * and tried again later, like anything else that may pass. A call the journal cannot even
 * describe (src/crm refused its data) is parked: trying again would build the same body.
 */
import { CrmError } from '../../crm/crm-error.ts';
import { WebApiErrorCode } from '../dynamics-errors.ts';
import { WebApiError } from '../web-api/web-api-error.ts';

export interface JournalFailure {
  park: boolean;
  reason: string;
}

const CONNECTION_REFUSALS = new Set<string>([WebApiErrorCode.TOKEN_REFUSED, WebApiErrorCode.UNAUTHORIZED]);

export function classifyFailure(error: unknown): JournalFailure {
  if (error instanceof WebApiError) {
    const request = error.requestId === undefined ? '' : ` (request ${error.requestId})`;
    const reason = `${error.dataverseCode === undefined ? '' : `${error.dataverseCode} `}${error.message}${request}`;
    return { park: !error.retryable && !CONNECTION_REFUSALS.has(error.code), reason };
  }
  if (error instanceof CrmError) return { park: true, reason: `${error.code} ${error.message}` };
  return { park: false, reason: error instanceof Error ? error.message : String(error) };
}
