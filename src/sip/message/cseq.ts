/** CSeq (RFC 3261 §20.16): sequence number and method. */
import type { CSeq } from './types.ts';
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { isToken, isWsp, parseBoundedInt, trimWsp } from './syntax.ts';

const MAX_SEQ = 0xffffffff; // RFC 3261 §8.1.1.5: less than 2**31 when chosen, up to 2**32-1 when received

/** Parses `1*DIGIT LWS Method`; leading zeros are fine (RFC 4475 §3.1.1.1). Throws SipParseError. */
export function parseCSeq(text: string): CSeq {
  const value = trimWsp(text);
  let split = 0;
  while (split < value.length && !isWsp(value.charCodeAt(split))) split++;
  let methodStart = split;
  while (methodStart < value.length && isWsp(value.charCodeAt(methodStart))) methodStart++;
  const seq = parseBoundedInt(value.slice(0, split), MAX_SEQ);
  const method = value.slice(methodStart);
  if (seq === undefined) {
    throw new SipParseError(SipParseErrorCode.BAD_CSEQ, `bad CSeq ${quoteForError(text)}: the number must be 0..2^32-1`);
  }
  if (split === methodStart || method.length === 0 || !isToken(method)) {
    throw new SipParseError(SipParseErrorCode.BAD_CSEQ, `bad CSeq ${quoteForError(text)}: the method must be a token`);
  }
  return { seq, method };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
