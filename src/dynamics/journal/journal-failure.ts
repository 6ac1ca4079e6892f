/**
 * What a failed attempt means for its outbox row. The Web API client has already retried what a
 * retry within the request could fix (429 after Retry-After, 5xx and timeouts with back-off) and
 * says whether trying later may help (`retryable`): a row it refused as invalid (400, a missing
 * privilege 403, …) is parked with Dataverse's reason — retried by hand once the cause is fixed —
 * and anything else is tried again later. A call the journal cannot even describe (src/crm
 * refused its data) is parked as well: trying again would build the same body.
 */
import { CrmError } from '../../crm/crm-error.ts';

export interface JournalFailure {
  park: boolean;
  reason: string;
}

/** The fields of the client's WebApiError this reads (src/dynamics/web-api/). */
interface ClientFailure {
  message: string;
  retryable: boolean;
  status?: number;
  dataverseCode?: string;
  requestId?: string;
}

function isClientFailure(error: unknown): error is ClientFailure {
  return error instanceof Error && typeof (error as Partial<ClientFailure>).retryable === 'boolean';
}

export function classifyFailure(error: unknown): JournalFailure {
  if (isClientFailure(error)) {
    // Status 0: no answer at all (timeout, connection refused); the message says which.
    const code = error.dataverseCode ?? (error.status === undefined || error.status === 0 ? undefined : `HTTP ${error.status}`);
    const request = error.requestId === undefined ? '' : ` (request ${error.requestId})`;
    return { park: !error.retryable, reason: `${code === undefined ? '' : `${code} `}${error.message}${request}` };
  }
  if (error instanceof CrmError) return { park: true, reason: `${error.code} ${error.message}` };
  return { park: false, reason: error instanceof Error ? error.message : String(error) };
}
