/** Request-Line and Status-Line (RFC 3261 §7.1, §7.2), read strictly: one SP between the parts. */
import type { Uri } from './types.ts';
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { isSipUri, parseUri } from './uri.ts';
import { isToken } from './syntax.ts';

export type StartLine = { type: 'request'; method: string; uri: Uri } | { type: 'response'; status: number; reason: string };

function badLine(line: string, why: string): never {
  throw new SipParseError(SipParseErrorCode.BAD_START_LINE, `bad start line ${quoteForError(line)}: ${why}`);
}

/** True when the start line is a Status-Line (`SIP/…`, case-insensitive per RFC 3261 §7.1). */
export function isStatusLine(line: string): boolean {
  return line.length >= 4 && line.slice(0, 4).toUpperCase() === 'SIP/';
}

function checkVersion(line: string, version: string): void {
  if (version === 'SIP/2.0' || version.toUpperCase() === 'SIP/2.0') return;
  if (/^SIP\/[0-9]{1,9}\.[0-9]{1,9}$/i.test(version)) {
    throw new SipParseError(SipParseErrorCode.BAD_VERSION, `unsupported SIP version ${quoteForError(version)} (only SIP/2.0)`);
  }
  badLine(line, `${quoteForError(version)} is not a SIP version`);
}

export function parseStartLine(line: string): StartLine {
  return isStatusLine(line) ? parseStatusLine(line) : parseRequestLine(line);
}

/** Method SP Request-URI SP SIP-Version; no other whitespace (RFC 4475 §3.1.2.8-10). */
function parseRequestLine(line: string): StartLine {
  const first = line.indexOf(' ');
  const last = line.lastIndexOf(' ');
  if (first < 0 || first === last) badLine(line, 'expected Method SP Request-URI SP SIP-Version');
  const method = line.slice(0, first);
  if (!isToken(method)) badLine(line, 'the method must be a token');
  if (last === line.length - 1) badLine(line, 'whitespace after the SIP version');
  checkVersion(line, line.slice(last + 1));
  const uriText = line.slice(first + 1, last);
  if (uriText.charCodeAt(0) === 0x20 || uriText.charCodeAt(uriText.length - 1) === 0x20) {
    badLine(line, 'exactly one SP must separate the parts');
  }
  const uri = parseUri(uriText);
  // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (isSipUri(uri) && uri.headers.size > 0) {
    throw new SipParseError(SipParseErrorCode.BAD_URI, `Request-URI ${quoteForError(uriText)} carries escaped headers`);
  }
  return { type: 'request', method, uri };
}

/** SIP-Version SP Status-Code SP Reason-Phrase; the phrase may be empty (RFC 4475 §3.1.1.13). */
function parseStatusLine(line: string): StartLine {
  const sp = line.indexOf(' ');
  if (sp < 0) badLine(line, 'expected SIP-Version SP Status-Code SP Reason-Phrase');
  checkVersion(line, line.slice(0, sp));
  const codeEnd = line.indexOf(' ', sp + 1);
  const code = line.slice(sp + 1, codeEnd < 0 ? line.length : codeEnd);
  if (code.length !== 3 || !/^[1-6][0-9][0-9]$/.test(code)) badLine(line, 'the status code must be 100..699');
  const reason = codeEnd < 0 ? '' : line.slice(codeEnd + 1);
  return { type: 'response', status: Number(code), reason };
}
