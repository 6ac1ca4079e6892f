/**
 * Errors raised while parsing or answering Digest authentication headers (RFC 7616, RFC 3261 §22).
 * Callers branch on `code` (DigestErrorCode in sip-errors.ts), never on the message text.
 */
import { CodedError } from '../../errors/coded-error.ts';
import type { DigestErrorCode } from '../sip-errors.ts';

export class DigestError extends CodedError<DigestErrorCode> {
  override readonly name = 'DigestError';
}
