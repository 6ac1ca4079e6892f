import type { Header } from './types.ts';

/** Stable error codes; callers switch on these, never on the message text. */
export const SIP_PARSE_ERRORS = {
  /** Request-Line or Status-Line does not follow RFC 3261 §7.1 / §7.2 (spacing, method token, status code). */
  BAD_START_LINE: 'SIP_PARSE_BAD_START_LINE',
  /** A SIP-Version other than SIP/2.0 (RFC 3261 §8.2.6 → 505 Version Not Supported). */
  BAD_VERSION: 'SIP_PARSE_BAD_VERSION',
  /** A header line or a header value that breaks its grammar (RFC 3261 §7.3, §20). */
  BAD_HEADER: 'SIP_PARSE_BAD_HEADER',
  /** Content-Length missing its number, negative, conflicting, or larger than the body (RFC 3261 §18.3, §20.14). */
  CONTENT_LENGTH: 'SIP_PARSE_CONTENT_LENGTH',
  /** A URI that breaks RFC 3261 §19.1 / §25.1 or RFC 3966. */
  BAD_URI: 'SIP_PARSE_BAD_URI',
  /** name-addr / addr-spec structure errors (RFC 3261 §20.10): display name, <>, header parameters. */
  BAD_NAME_ADDR: 'SIP_PARSE_BAD_NAME_ADDR',
  /** A Via value that breaks RFC 3261 §20.42. */
  BAD_VIA: 'SIP_PARSE_BAD_VIA',
  /** A CSeq value that breaks RFC 3261 §20.16 (sequence number above 2^32-1 included). */
  BAD_CSEQ: 'SIP_PARSE_BAD_CSEQ',
  /** A header RFC 3261 §8.1.1 requires is absent. */
  MISSING_HEADER: 'SIP_PARSE_MISSING_HEADER',
  /** A header that may appear only once appears again (RFC 3261 §7.3.1). */
  DUPLICATE_HEADER: 'SIP_PARSE_DUPLICATE_HEADER',
  /** The CSeq method differs from the Request-Line method (RFC 3261 §8.1.1.5). */
  METHOD_MISMATCH: 'SIP_PARSE_METHOD_MISMATCH',
  /** The message exceeds the configured maximum size. */
  TOO_LARGE: 'SIP_PARSE_TOO_LARGE',
} as const;

export type SipParseErrorCode = (typeof SIP_PARSE_ERRORS)[keyof typeof SIP_PARSE_ERRORS];

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

export class SipParseError extends Error {
  readonly code: SipParseErrorCode;
  /** The response a server should answer a request it rejects with; undefined when the message is a response. */
  status: number | undefined;
  partial?: SipParsePartial;

  constructor(code: SipParseErrorCode, message: string, options: SipParseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SipParseError';
    this.code = code;
    this.status = options.status === null ? undefined : (options.status ?? defaultStatus(code));
    if (options.partial !== undefined) this.partial = options.partial;
  }
}

function defaultStatus(code: SipParseErrorCode): number {
  if (code === SIP_PARSE_ERRORS.BAD_VERSION) return 505; // RFC 3261 §21.5.11
  if (code === SIP_PARSE_ERRORS.TOO_LARGE) return 513; // RFC 3261 §21.5.14
  return 400;
}

/** Shortens a value for an error message so that a huge header cannot flood a log line. */
export function quoteForError(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(shown);
}
