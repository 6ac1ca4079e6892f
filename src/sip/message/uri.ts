/**
 * URIs: sip/sips (RFC 3261 §19.1, IPv6 references per RFC 5118), tel (RFC 3966), and any other
 * absoluteURI kept as text (RFC 3261 §25.1).
 */
import type { OtherUri, ParamValue, SipUri, TelUri, Uri } from './types.ts';
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { escapeComponent, unescapeComponent } from './escape.ts';
import { HNV_EXTRA, PARAM_EXTRA, PASSWORD_EXTRA, UNRESERVED, URIC, USER_EXTRA, allChars, isHostnameOrIPv4, isIPv6, parseBoundedInt } from './syntax.ts';

const USER_CHARS = UNRESERVED | USER_EXTRA;
const PASSWORD_CHARS = UNRESERVED | PASSWORD_EXTRA;
const PARAM_CHARS = UNRESERVED | PARAM_EXTRA;
const HEADER_CHARS = UNRESERVED | HNV_EXTRA;

/**
 * Every component check rejects SP, HTAB, controls and non-ASCII, so the URI is not scanned for
 * them up front; when a check fails, the message names them if they are the cause.
 */
function fail(text: string, why: string): never {
  const cause = /[ \t]/.test(text) ? 'whitespace inside the URI' : /[^\x21-\x7e]/.test(text) ? 'a control or non-ASCII char' : why;
  throw new SipParseError(SipParseErrorCode.BAD_URI, `bad URI ${quoteForError(text)}: ${cause}`);
}

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}

export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === 'tel';
}

/** Parses a URI as written in a Request-URI or inside `<…>`. Throws SipParseError (SIP_PARSE_BAD_URI). */
export function parseUri(text: string): Uri {
  if (text.length === 0) fail(text, 'empty');
  const first = text.charCodeAt(0);
  if (first === 0x3c) fail(text, 'a URI here is written without <> (RFC 3261 §25.1 Request-URI)');
  const colon = text.indexOf(':');
  if (colon < 1 || !isScheme(text, colon)) fail(text, 'no scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, scheme, colon + 1);
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  const opaque = text.slice(colon + 1);
  if (!allChars(opaque, URIC)) fail(text, 'characters an absoluteURI cannot hold');
  const other: OtherUri = { scheme: text.slice(0, colon), opaque };
  return other;
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
function isScheme(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const alpha = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (alpha) continue;
    if (i === 0) return false;
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return false;
  }
  return true;
}

function parseSipUri(text: string, scheme: 'sip' | 'sips', start: number): SipUri {
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };
  let pos = start;
  // No char after the userinfo may be '@' (RFC 3261 §25.1), so the first '@' ends the userinfo,
  // even when the user part holds ';' or '?' (RFC 4475 §3.1.1.2, §3.1.1.9).
  const at = text.indexOf('@', pos);
  if (at >= 0) {
    const userEnd = text.indexOf(':', pos);
    const hasPassword = userEnd >= 0 && userEnd < at;
    const userText = text.slice(pos, hasPassword ? userEnd : at);
    const user = userText.length === 0 ? undefined : unescapeComponent(userText, USER_CHARS);
    if (user === undefined) fail(text, 'bad user part');
    uri.user = user;
    if (hasPassword) {
      const passwordText = text.slice(userEnd + 1, at);
      const password = passwordText.length === 0 ? '' : unescapeComponent(passwordText, PASSWORD_CHARS);
      if (password === undefined) fail(text, 'bad password');
      uri.password = password;
    }
    pos = at + 1;
  }
  pos = parseHostPort(text, pos, uri);
  while (pos < text.length && text.charCodeAt(pos) === 0x3b) {
    let end = pos + 1;
    while (end < text.length && text.charCodeAt(end) !== 0x3b && text.charCodeAt(end) !== 0x3f) end++;
    addParam(text, text.slice(pos + 1, end), uri.params, true);
    pos = end;
  }
  if (pos < text.length) {
    if (text.charCodeAt(pos) !== 0x3f) fail(text, 'unexpected char after the host');
    parseUriHeaders(text, pos + 1, uri.headers);
  }
  return uri;
}

function parseHostPort(text: string, pos: number, uri: SipUri): number {
  let end = pos;
  if (text.charCodeAt(pos) === 0x5b) {
    const close = text.indexOf(']', pos);
    if (close < 0 || !isIPv6(text.slice(pos + 1, close))) fail(text, 'bad IPv6 reference');
    end = close + 1;
  } else {
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 0x3a || c === 0x3b || c === 0x3f) break;
      end++;
    }
    uri.host = text.slice(pos, end);
    if (!isHostnameOrIPv4(uri.host)) {
      // RFC 5118 §4.2: an IPv6 address must be bracketed in a SIP URI.
      if (end === pos || text.indexOf(':', end + 1) < 0 || text.charCodeAt(end) !== 0x3a) fail(text, 'bad host');
      fail(text, 'an IPv6 address must be enclosed in [] (RFC 5118 §4.2)');
    }
  }
  if (text.charCodeAt(pos) === 0x5b) uri.host = text.slice(pos, end);
  if (text.charCodeAt(end) !== 0x3a) return end;
  let portEnd = end + 1;
  while (portEnd < text.length && text.charCodeAt(portEnd) !== 0x3b && text.charCodeAt(portEnd) !== 0x3f) portEnd++;
  const portText = text.slice(end + 1, portEnd);
  const port = parseBoundedInt(portText, 65535);
  if (port === undefined) {
    fail(text, portText.indexOf(':') >= 0 ? 'an IPv6 address must be enclosed in [] (RFC 5118 §4.2)' : 'bad port');
  }
  uri.port = port;
  return portEnd;
}

/**
 * One `name[=value]` parameter. sip/sips keep names and values %-decoded; tel keeps them as
 * written (RFC 3966 gives escapes no meaning of their own there) after checking their syntax.
 */
function addParam(text: string, param: string, params: Map<string, ParamValue>, decode: boolean): void {
  const eq = param.indexOf('=');
  const rawName = eq < 0 ? param : param.slice(0, eq);
  const decodedName = rawName.length === 0 ? undefined : unescapeComponent(rawName, PARAM_CHARS);
  if (decodedName === undefined) fail(text, 'empty or bad parameter name');
  const name = decode ? decodedName : rawName;
  let value: ParamValue = null;
  if (eq >= 0) {
    const rawValue = param.slice(eq + 1);
    const decoded = rawValue.length === 0 ? '' : unescapeComponent(rawValue, PARAM_CHARS);
    if (decoded === undefined) fail(text, `bad value of parameter ${name}`);
    value = decode ? decoded : rawValue;
  }
  const key = name.toLowerCase();
  // A parameter twice would be ambiguous, and the model keeps one value per name.
  if (params.has(key)) fail(text, `parameter ${key} appears twice`);
  params.set(key, value);
}

function parseUriHeaders(text: string, pos: number, headers: Map<string, string>): void {
  if (pos >= text.length) fail(text, 'empty header part after ?');
  for (const part of text.slice(pos).split('&')) {
    const eq = part.indexOf('=');
    if (eq < 1) fail(text, 'a URI header needs name=value');
    const name = part.slice(0, eq);
    if (unescapeComponent(name, HEADER_CHARS) === undefined) fail(text, 'bad URI header name');
    const rawValue = part.slice(eq + 1);
    const value = rawValue.length === 0 ? '' : unescapeComponent(rawValue, HEADER_CHARS);
    if (value === undefined) fail(text, `bad value of URI header ${name}`);
    if (headers.has(name)) fail(text, `URI header ${name} appears twice`);
    headers.set(name, value);
  }
}

function parseTelUri(text: string, start: number): TelUri {
  const semi = text.indexOf(';', start);
  const number = text.slice(start, semi < 0 ? text.length : semi);
  if (!isTelNumber(number)) fail(text, 'bad telephone number (RFC 3966)');
  const uri: TelUri = { scheme: 'tel', number, params: new Map() };
  let pos = semi;
  while (pos >= 0 && pos < text.length) {
    const next = text.indexOf(';', pos + 1);
    addParam(text, text.slice(pos + 1, next < 0 ? text.length : next), uri.params, false);
    pos = next;
  }
  return uri;
}

/** global-number / local-number chars of RFC 3966 §3: digits, hex digits, * #, visual separators. */
function isTelNumber(number: string): boolean {
  if (number.length === 0) return false;
  let digits = 0;
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    const lower = c | 0x20;
    if ((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x66) || c === 0x2a || c === 0x23) digits++;
    else if (!(c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29 || (c === 0x2b && i === 0))) return false;
  }
  return digits > 0;
}

/** Writes a URI, escaping what the RFC 3261 §25.1 grammar does not allow unescaped. */
export function formatUri(uri: Uri): string {
  if (isSipUri(uri)) {
    let out = `${uri.scheme}:`;
    if (uri.user !== undefined) {
      out += escapeComponent(uri.user, USER_CHARS);
      if (uri.password !== undefined) out += `:${escapeComponent(uri.password, PASSWORD_CHARS)}`;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
    for (const [name, value] of uri.params) {
      out += `;${escapeComponent(name, PARAM_CHARS)}`;
      if (value !== null) out += `=${escapeComponent(value, PARAM_CHARS)}`;
    }
    let sep = '?';
    for (const [name, value] of uri.headers) {
      out += `${sep}${name}=${escapeComponent(value, HEADER_CHARS)}`;
      sep = '&';
    }
    return out;
  }
  if (isTelUri(uri)) {
    let out = `tel:${uri.number}`;
    for (const [name, value] of uri.params) out += value === null ? `;${name}` : `;${name}=${value}`;
    return out;
  }
  return `${uri.scheme}:${uri.opaque}`;
}
