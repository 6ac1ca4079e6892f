/**
 * What every CIF call of the pane returns: a value or a typed error, never a thrown rejection.
 * CIF 1.0 rejects with a JSON string (docs/cif-contract.md §2) whose shape Microsoft does not document;
 * Xrm-backed calls carry Dataverse's `errorCode` (a number, e.g. 2147746359) and often `code`
 * (hex such as "0x80040237") or a nested `error` object. All readings are accepted.
 */

export const CifErrorKind = {
  /** The CRM answered with an error. */
  Rejected: 'rejected',
  /** No answer within the library's ~10 s (or our own guard a little later). */
  Timeout: 'timeout',
  /** The library is not loaded (plain softphone mode). */
  Unavailable: 'unavailable',
  /** The answer was not what docs/cif-contract.md §2 describes. */
  BadResult: 'bad-result',
} as const;

export type CifErrorKind = (typeof CifErrorKind)[keyof typeof CifErrorKind];

export interface CifError {
  kind: CifErrorKind;
  message: string;
  /** Dataverse's hex code ("0x80040237") or the library's own code, when one was given. */
  code?: string;
}

export type CifResult<T> = { ok: true; value: T } | { ok: false; error: CifError };

export function ok<T>(value: T): CifResult<T> {
  return { ok: true, value };
}

export function fail(kind: CifErrorKind, message: string, code?: string): { ok: false; error: CifError } {
  return { ok: false, error: code === undefined ? { kind, message } : { kind, message, code } };
}

/** Dataverse "A record with matching key values already exists" (Web API 412 on create). */
export const DUPLICATE_RECORD_CODE = '0x80040237';

/** A rejection as CIF hands it over (a JSON string, an Error, or anything) read as a CifError. */
export function readRejection(reason: unknown): CifError {
  let body: unknown = reason;
  if (typeof reason === 'string') {
    try {
      body = JSON.parse(reason);
    } catch {
      return { kind: CifErrorKind.Rejected, message: reason };
    }
  }
  if (reason instanceof Error && !('errorCode' in reason) && !('code' in reason)) return { kind: CifErrorKind.Rejected, message: reason.message };
  if (typeof body !== 'object' || body === null) return { kind: CifErrorKind.Rejected, message: String(body) };
  const outer = body as Record<string, unknown>;
  const inner = typeof outer.error === 'object' && outer.error !== null ? (outer.error as Record<string, unknown>) : outer;
  const message = firstString(inner.message, outer.message, inner.raw) ?? 'The CRM refused the request.';
  const code = hexCode(inner.code) ?? hexCode(inner.errorCode) ?? hexCode(outer.errorCode) ?? firstString(inner.code, outer.code);
  if (code === 'Timeout') return { kind: CifErrorKind.Timeout, message, code };
  return code === undefined ? { kind: CifErrorKind.Rejected, message } : { kind: CifErrorKind.Rejected, message, code };
}

/** Whether a createRecord failed because the chosen primary key exists already. */
export function isDuplicateKey(error: CifError): boolean {
  if (error.code?.toLowerCase() === DUPLICATE_RECORD_CODE) return true;
  return /duplicate key|matching key values already exists/i.test(error.message);
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

/** "0x80040237", 2147746359 and -2147220937 (the signed reading) all as "0x80040237". */
function hexCode(value: unknown): string | undefined {
  if (typeof value === 'string' && /^0x[0-9a-f]{8}$/i.test(value)) return value.toLowerCase();
  if (typeof value === 'number' && Number.isInteger(value) && value !== 0 && Math.abs(value) <= 0xffffffff) {
    return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
  }
  return undefined;
}
