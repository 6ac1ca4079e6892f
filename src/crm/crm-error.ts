/**
 * Why a CRM mapping refused its input; `code` is stable for the pane and the server to branch on.
 * The codes stay inside the process: neither the web API nor the pane's messages carry them.
 */
import { CodedError } from '../errors/coded-error.ts';

export const CrmErrorCode = {
  INVALID_REGION: 'CRM_INVALID_REGION',
  INVALID_GUID: 'CRM_INVALID_GUID',
  UNKNOWN_ENTITY: 'CRM_UNKNOWN_ENTITY',
  INVALID_SEARCH_TOP: 'CRM_INVALID_SEARCH_TOP',
  INVALID_CALL: 'CRM_INVALID_CALL',
  INVALID_SEARCH_RESULT: 'CRM_INVALID_SEARCH_RESULT',
} as const;

export type CrmErrorCode = (typeof CrmErrorCode)[keyof typeof CrmErrorCode];

export class CrmError extends CodedError<CrmErrorCode> {
  override readonly name = 'CrmError';
}
