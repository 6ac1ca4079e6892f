/**
 * Errors the sandbox Dataverse raises, with the HTTP status and the `{"error":{"code","message"}}`
 * body Dataverse answers with. Codes and wording follow Microsoft's documentation where it gives
 * them; where it does not, the sandbox says so in the comment and keeps Dataverse's style.
 *
 * - Client errors: https://learn.microsoft.com/troubleshoot/power-platform/dataverse/dataverse-web-api-and-sdk/web-api-client-errors
 * - Conditional operations: https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api
 * - Error code list: https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes
 * - Service protection: https://learn.microsoft.com/power-apps/developer/data-platform/api-limits
 */

/** The hexadecimal codes Dataverse puts in `error.code`. */
export const DataverseErrorCode = {
  /** ODL query and payload errors (unknown property, syntax error, type mismatch). */
  QueryOrPayload: '0x80060888',
  /** "Resource not found for the segment '…'." (unknown entity set). */
  ResourceNotFound: '0x8006088a',
  /** ObjectDoesNotExist: "<entity> With Id = <id> Does Not Exist". */
  ObjectDoesNotExist: '0x80040217',
  /** DuplicateRecord: "A record with matching key values already exists." */
  DuplicateRecord: '0x80040237',
  /** ConcurrencyVersionMismatch: the If-Match ETag is not the record's current version. */
  ConcurrencyVersionMismatch: '0x80060882',
  /** InvalidStateCodeStatusCode: a statecode/statuscode pair the entity does not allow. */
  InvalidStateCodeStatusCode: '0x80048408',
  /** StringLengthTooLong. */
  StringLengthTooLong: '0x80044331',
  /** InvalidArgument: a value Dataverse's business rules refuse. */
  InvalidArgument: '0x80040203',
  /** ValidationFailed: "A validation error occurred." (a choice value the column does not have). */
  ValidationFailed: '0x80044331',
  /** PrivilegeDenied: the caller's roles lack a privilege ("Principal user … is missing prvX privilege"); 403. */
  PrivilegeDenied: '0x80040220',
  /** The caller has no security role at all ("SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user"); 403. */
  NoRolesAssigned: '0x80042f09',
  /** AccessDenied. */
  AccessDenied: '0x80048405',
  /** Service protection: "Number of requests exceeded the limit of 6000 over time window of 300 seconds." (429). */
  RequestLimitExceeded: '0x80072322',
  /** ChangeTrackingNotEnabledForEntity: "Entity {0} isn't enabled for change tracking." (web service error codes). */
  ChangeTrackingNotEnabled: '0x80072491',
  /** ExpiredVersionStamp: a change tracking token older than the retention, or from before a reset. */
  ExpiredVersionStamp: '0x80044352',
  /** Route-level errors carry an empty code in Dataverse. */
  None: '',
} as const;

export type DataverseErrorCodeValue = (typeof DataverseErrorCode)[keyof typeof DataverseErrorCode];

import { CodedError } from '../../errors/coded-error.ts';

export interface ODataErrorBody {
  error: { code: string; message: string };
}

/** `code` is Dataverse's hexadecimal code, kept exactly as Dataverse answers it. */
export class DataverseError extends CodedError<DataverseErrorCodeValue> {
  override readonly name = 'DataverseError';
  readonly status: number;
  /** Response headers that belong to the error, such as `Retry-After` on a 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: DataverseErrorCodeValue, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }

  toBody(): ODataErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/**
 * Unknown property in $select, $filter, $orderby. Microsoft's troubleshooting page shows code
 * "0x0" in its example; current environments answer 0x80060888, which the sandbox uses.
 */
export function propertyNotFound(logicalName: string, property: string): DataverseError {
  return new DataverseError(400, DataverseErrorCode.QueryOrPayload, `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.${logicalName}'.`);
}

/** Unknown property in a request body (the OData library's wording). */
export function payloadPropertyNotFound(logicalName: string, property: string): DataverseError {
  return new DataverseError(
    400,
    DataverseErrorCode.QueryOrPayload,
    `The property '${property}' does not exist on type 'Microsoft.Dynamics.CRM.${logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
}

/** An `x@odata.bind` whose `x` is not a navigation property of the entity. */
export function undeclaredNavigationProperty(property: string): DataverseError {
  return new DataverseError(
    400,
    DataverseErrorCode.QueryOrPayload,
    `An undeclared property '${property}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
  );
}

export function segmentNotFound(segment: string): DataverseError {
  return new DataverseError(404, DataverseErrorCode.ResourceNotFound, `Resource not found for the segment '${segment}'.`);
}

/** Wording from "Prevent create in upsert" (perform-conditional-operations-using-web-api). */
export function recordNotFound(logicalName: string, id: string): DataverseError {
  return new DataverseError(404, DataverseErrorCode.ObjectDoesNotExist, `${logicalName} With Id = ${id} Does Not Exist`);
}

/** Wording from "Prevent update in upsert"; status 412 as Dataverse answers a duplicate primary key on create. */
export function duplicateRecord(): DataverseError {
  return new DataverseError(412, DataverseErrorCode.DuplicateRecord, 'A record with matching key values already exists.');
}

export function versionMismatch(): DataverseError {
  return new DataverseError(412, DataverseErrorCode.ConcurrencyVersionMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
}

export function querySyntaxError(message: string): DataverseError {
  return new DataverseError(400, DataverseErrorCode.QueryOrPayload, message);
}

export function payloadError(message: string): DataverseError {
  return new DataverseError(400, DataverseErrorCode.QueryOrPayload, message);
}

/**
 * `Prefer: odata.track-changes` or a `$deltatoken` on a table without change tracking. Code and
 * wording from the web service error code list (ChangeTrackingNotEnabledForEntity); the status
 * is not documented, 400 as for other refused requests.
 */
export function changeTrackingNotEnabled(logicalName: string): DataverseError {
  return new DataverseError(400, DataverseErrorCode.ChangeTrackingNotEnabled, `Entity ${logicalName} isn't enabled for change tracking.`);
}

/**
 * A delta token Dataverse no longer answers for: older than Organization.ExpireChangeTrackingInDays
 * (https://learn.microsoft.com/power-apps/developer/data-platform/use-change-tracking-synchronize-data-external-systems)
 * or issued before the change data was reset. Code and wording of ExpiredVersionStamp; the status
 * is not documented, 400 as for other refused requests. A client starts a full sync again.
 */
export function expiredVersionStamp(): DataverseError {
  return new DataverseError(400, DataverseErrorCode.ExpiredVersionStamp, 'Version stamp associated with the client has expired. Please perform a full sync.');
}
