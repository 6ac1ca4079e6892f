/**
 * parseMessage: bytes of one SIP message (a datagram, or one message framed off a stream) to the
 * message model (RFC 3261 §7), rejecting what RFC 4475 lists as invalid.
 */
import type { Header, SipMessage } from './types.ts';
import { SipParseError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import type { SipParsePartial } from './parse-error.ts';
import { readHeaderSection } from './header-section.ts';
import { checkHeaders } from './header-checks.ts';
import { assertRequiredHeaders } from './required-headers.ts';
import { rememberParsed } from './parsed-cache.ts';
import { isStatusLine, parseStartLine } from './start-line.ts';
import { isToken } from './syntax.ts';

export interface ParseOptions {
  /** Largest message accepted, in octets (default 65536, the largest UDP payload rounded up). */
  maxSize?: number;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 65536;

interface Frame {
  /** Start line and header lines, line ends removed. */
  lines: string[];
  /** Where the body starts: after the empty line, or the end of the data when there is none. */
  bodyStart: number;
  /** A CR not followed by LF inside a line: such a line cannot be written back safely. */
  bareCr: boolean;
}

/**
 * Parses one message. The model always holds exactly one Content-Length header whose value is the
 * body length, so that parse → serialize → parse gives an equal model. Throws SipParseError, with
 * `partial` holding the start line's kind and the headers that could be read.
 */
export function parseMessage(data: Buffer, options: ParseOptions = {}): SipMessage {
  const maxSize = options.maxSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const tooLarge = data.length > maxSize;
  const frame = frameMessage(tooLarge ? data.subarray(0, maxSize) : data, tooLarge);
  const startLine = frame.lines[0] ?? '';
  const isRequest = !isStatusLine(startLine);
  const section = readHeaderSection(frame.lines, 1);
  try {
    if (tooLarge) {
      throw new SipParseError(SipParseErrorCode.TOO_LARGE, `the message is ${data.length} octets, more than the ${maxSize} allowed`);
    }
    if (frame.bareCr) throw new SipParseError(SipParseErrorCode.BAD_HEADER, 'a bare CR inside a line: lines end in CRLF or LF');
    const head = parseStartLine(startLine);
    if (section.error) throw section.error;
    const checked = checkHeaders(section.headers);
    if (head.type === 'request' && checked.cseq !== undefined && checked.cseq.method !== head.method) {
      throw new SipParseError(SipParseErrorCode.METHOD_MISMATCH, `CSeq method ${checked.cseq.method} differs from the request method ${head.method} (RFC 3261 §8.1.1.5)`);
    }
    const body = frameBody(data, frame.bodyStart, checked.contentLength);
    setContentLength(section.headers, body.length);
    const msg: SipMessage =
      head.type === 'request'
        ? { type: 'request', method: head.method, uri: head.uri, headers: section.headers, body }
        : { type: 'response', status: head.status, reason: head.reason, headers: section.headers, body };
    assertRequiredHeaders(msg);
    rememberParsed(msg, checked.parsed);
    return msg;
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    const partial: SipParsePartial = { isRequest, headers: section.headers };
    const method = startLine.slice(0, startLine.indexOf(' '));
    if (isRequest && isToken(method)) partial.method = method;
    // Filled in here rather than by re-wrapping: building an Error (its stack) is the costly part.
    err.status = isRequest ? (err.status ?? 400) : undefined;
    err.partial = partial;
    throw err;
  }
}

/**
 * Splits the data into lines up to the empty line that ends the headers. Lines may end in CRLF or
 * a bare LF; CRLFs before the start line are skipped (RFC 3261 §7.5). A message that ends without
 * the empty line (some RFC 4475 / RFC 5118 archive files do) has no body. In a `truncated` view the
 * last, possibly cut line is dropped.
 */
function frameMessage(data: Buffer, truncated: boolean): Frame {
  let start = 0;
  while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++;
  let end = data.length;
  let bodyStart = data.length;
  let pos = start;
  for (;;) {
    const lf = data.indexOf(0x0a, pos);
    if (lf < 0) {
      if (truncated) end = pos;
      break;
    }
    const next = lf + 1;
    if (data[next] === 0x0a || (data[next] === 0x0d && data[next + 1] === 0x0a)) {
      end = lf;
      bodyStart = data[next] === 0x0a ? next + 1 : next + 2;
      break;
    }
    pos = next;
  }
  const lines = data.toString('utf8', start, end).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let bareCr = false;
  for (let [i, line] of lines.entries()) {
    if (line.charCodeAt(line.length - 1) === 0x0d) line = lines[i] = line.slice(0, -1);
    if (line.indexOf('\r') >= 0) bareCr = true;
  }
  return { lines, bodyStart, bareCr };
}

/**
 * The body is exactly Content-Length octets: fewer is an error, extra octets are discarded
 * (RFC 3261 §18.3, RFC 4475 §3.1.1.8). Without Content-Length the body is the rest of the datagram.
 */
function frameBody(data: Buffer, bodyStart: number, contentLength: number | undefined): Buffer {
  const available = data.length - bodyStart;
  if (contentLength === undefined) return copyBody(data, bodyStart, available);
  if (available < contentLength) {
    throw new SipParseError(SipParseErrorCode.CONTENT_LENGTH, `Content-Length is ${contentLength} but only ${available} octets follow the headers`);
  }
  return copyBody(data, bodyStart, contentLength);
}

/** A copy: the caller may reuse `data` (a stream reassembly buffer) after parsing. */
function copyBody(data: Buffer, start: number, length: number): Buffer {
  const body = Buffer.allocUnsafe(length);
  data.copy(body, 0, start, start + length);
  return body;
}

function setContentLength(headers: Header[], length: number): void {
  const value = String(length);
  const index = headers.findIndex((header) => header.name === 'Content-Length');
  const current = headers[index];
  if (current === undefined) headers.push({ name: 'Content-Length', value });
  else if (current.value !== value) headers[index] = { name: 'Content-Length', value };
}
