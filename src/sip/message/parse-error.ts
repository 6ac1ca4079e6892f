import { CodedError } from '../../errors/coded-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import type { Header } from './types.ts';

/** What could be read of a message that failed to parse, enough for a server to build its error response. */
export interface SipParsePartial {
  isRequest: boolean;
  method?: string;
  headers: Header[];
}

export interface SipParseErrorOptions {
  /** Response a server should send; defaults from the code (505 for a bad version, 513 for too large, else 400). */
  status?: number | null;
  partial?: SipParsePartial;
  cause?: unknown;
}

export class SipParseError extends CodedError<SipParseErrorCode> {
  override readonly name = 'SipParseError';
  /** The response a server should answer a request it rejects with; undefined when the message is a response. */
  status: number | undefined;
  partial?: SipParsePartial;

  constructor(code: SipParseErrorCode, message: string, options: SipParseErrorOptions = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status === null ? undefined : (options.status ?? defaultStatus(code));
    if (options.partial !== undefined) this.partial = options.partial;
  }
}

function defaultStatus(code: SipParseErrorCode): number {
  if (code === SipParseErrorCode.BAD_VERSION) return 505; // RFC 3261 §21.5.11
  if (code === SipParseErrorCode.TOO_LARGE) return 513; // RFC 3261 §21.5.14
  return 400;
}

/** Shortens a value for an error message so that a huge header cannot flood a log line. */
export function quoteForError(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(shown);
}
