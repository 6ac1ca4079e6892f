/** Why a CRM mapping refused its input; `code` is stable for the pane and the server to branch on. */
export const CrmErrorCode = {
  INVALID_REGION: 'INVALID_REGION',
  INVALID_GUID: 'INVALID_GUID',
  UNKNOWN_ENTITY: 'UNKNOWN_ENTITY',
  INVALID_SEARCH_TOP: 'INVALID_SEARCH_TOP',
  INVALID_CALL: 'INVALID_CALL',
  INVALID_SEARCH_RESULT: 'INVALID_SEARCH_RESULT',
} as const;

export type CrmErrorCode = (typeof CrmErrorCode)[keyof typeof CrmErrorCode];

export class CrmError extends Error {
  readonly code: CrmErrorCode;

  constructor(code: CrmErrorCode, message: string) {
    super(message);
    this.name = 'CrmError';
    this.code = code;
  }
}
