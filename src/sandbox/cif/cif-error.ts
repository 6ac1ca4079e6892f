/**
 * CIF rejections. CIF 1.0 rejects with a JSON string (docs/cif-contract.md §2); the sandbox's carries
 * `message` always, `code` (one of CifErrorCode, or Dataverse's hex code) and, for errors that
 * came from Dataverse, `errorCode` as the number Xrm.WebApi reports
 * (https://learn.microsoft.com/power-apps/developer/model-driven-apps/clientapi/reference/xrm-webapi/createrecord).
 * Only `message` should be relied on: Microsoft documents no shape for CIF errors. The code
 * values imitate what a CIF host answers, so they keep their spelling rather than Callpane's style.
 */
import { CodedError } from '../../errors/coded-error.ts';

export const CifErrorCode = {
  /** An argument of the wrong type, a structured argument that is not a JSON string, bad JSON. */
  InvalidArgument: 'InvalidArgument',
  /** A CIF 2.0-only call (sessions, tabs, notifications, presence, setMode(2)). */
  NotSupported: 'NotSupportedInCif1',
  /** A call made before CIFInitDone. */
  NotInitialized: 'NotInitialized',
  /** No answer from the host within the library's timeout. */
  Timeout: 'Timeout',
  /** The host could not carry out the call (navigation, network). */
  Failed: 'Failed',
} as const;

export type CifErrorCodeValue = (typeof CifErrorCode)[keyof typeof CifErrorCode];

export interface CifErrorBody {
  message: string;
  code: string;
  errorCode?: number;
}

export function cifError(code: CifErrorCodeValue, message: string): string {
  return JSON.stringify({ message, code } satisfies CifErrorBody);
}

/** A Dataverse `{"error":{"code":"0x80040217","message"}}` as the CIF rejection string. */
export function dataverseCifError(error: { code: string; message: string }): string {
  const body: CifErrorBody = { message: error.message, code: error.code || CifErrorCode.Failed };
  if (/^0x[0-9a-f]{8}$/i.test(error.code)) body.errorCode = Number.parseInt(error.code.slice(2), 16);
  return JSON.stringify(body);
}

/** Thrown by the host's handlers: the call is rejected with `json` as CIF's error string, whose code this carries. */
export class CifRejection extends CodedError<string> {
  override readonly name = 'CifRejection';
  readonly json: string;

  constructor(json: string) {
    const body = JSON.parse(json) as CifErrorBody;
    super(body.code, body.message);
    this.json = json;
  }

  static of(code: CifErrorCodeValue, message: string): CifRejection {
    return new CifRejection(cifError(code, message));
  }
}
