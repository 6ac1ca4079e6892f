/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §25.1): the value of From, To,
 * Contact, Route, Record-Route, Reply-To and friends.
 */
import type { NameAddr, ParamValue, Uri } from './types.ts';
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { formatGenericParams, readGenericParams } from './generic-params.ts';
import { splitTopLevelCommas } from './list-split.ts';
import { formatUri, parseUri } from './uri.ts';
import { TOKEN, isChar, isWsp, quotedStringEnd, skipWsp, trimWsp, unquote } from './syntax.ts';

function fail(text: string, why: string): never {
  throw new SipParseError(SipParseErrorCode.BAD_NAME_ADDR, `bad name-addr ${quoteForError(text)}: ${why}`);
}

/** Parses one name-addr or addr-spec followed by header parameters. Throws SipParseError. */
export function parseNameAddr(text: string): NameAddr {
  let pos = skipWsp(text, 0);
  if (pos >= text.length) fail(text, 'empty');
  let displayName: string | undefined;
  let uri: Uri;
  const first = text.charCodeAt(pos);
  if (first === 0x22) {
    const end = quotedStringEnd(text, pos);
    if (end < 0) fail(text, 'the quoted display name never closes');
    displayName = unquote(text.slice(pos, end));
    pos = skipWsp(text, end);
    if (text.charCodeAt(pos) !== 0x3c) fail(text, 'a quoted display name must be followed by <URI>');
  } else if (first !== 0x3c) {
    let end = pos;
    while (end < text.length && (isChar(text.charCodeAt(end), TOKEN) || isWsp(text.charCodeAt(end)))) end++;
    if (text.charCodeAt(end) === 0x3c) {
      // display-name = *(token LWS) / quoted-string; LWS before '<' is optional (RFC 4475 §3.1.1.6).
      displayName = trimWsp(text.slice(pos, end));
      pos = end;
    }
  }
  if (text.charCodeAt(pos) === 0x3c) {
    const close = text.indexOf('>', pos);
    if (close < 0) fail(text, 'missing >');
    const inner = text.slice(pos + 1, close);
    if (isWsp(inner.charCodeAt(0)) || isWsp(inner.charCodeAt(inner.length - 1))) fail(text, 'whitespace inside <>');
    uri = parseUri(inner);
    pos = close + 1;
  } else {
    const end = addrSpecEnd(text, pos);
    uri = parseUri(text.slice(pos, end));
    pos = end;
  }
  const params = new Map<string, ParamValue>();
  const end = readGenericParams(text, pos, params);
  if (typeof end === 'string') fail(text, end);
  if (end < text.length) fail(text, `unexpected ${quoteForError(text.slice(end))} after the address`);
  const result: NameAddr = { uri, params };
  if (displayName !== undefined) result.displayName = displayName;
  return result;
}

/**
 * End of the URI of an addr-spec: `;` (header parameters follow) or whitespace. A URI holding
 * `,` `?` or `;` must be written inside `<>` (RFC 3261 §20.10), so those chars reject the value.
 */
function addrSpecEnd(text: string, pos: number): number {
  let end = pos;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 0x3b || isWsp(c)) break;
    if (c === 0x2c || c === 0x3f || c === 0x3c) {
      const lt = text.indexOf('<', pos);
      const semi = text.indexOf(';', pos);
      if (lt >= 0 && (semi < 0 || lt < semi)) {
        fail(text, 'an unquoted display name may hold only tokens and spaces (RFC 3261 §25.1): quote it');
      }
      fail(text, 'a URI with , ? or ; must be enclosed in <> (RFC 3261 §20.10)');
    }
    end++;
  }
  if (end === pos) fail(text, 'no URI');
  return end;
}

/** Parses a Contact / Route / Record-Route value that may hold several comma-separated entries. */
export function parseNameAddrList(text: string): NameAddr[] {
  if (isWildcardContact(text)) fail(text, 'the Contact wildcard * is no address; test isWildcardContact first');
  return splitTopLevelCommas(text).map((part) => {
    if (part.length === 0) fail(text, 'empty list element');
    return parseNameAddr(part);
  });
}

/** `Contact: *` (RFC 3261 §10.2.2: remove all bindings). */
export function isWildcardContact(value: string): boolean {
  return trimWsp(value) === '*';
}

/** Writes a name-addr, always with `<>`, quoting the display name unless it is plain tokens. */
export function formatNameAddr(na: NameAddr): string {
  let out = '';
  if (na.displayName !== undefined) out += `${formatDisplayName(na.displayName)} `;
  return `${out}<${formatUri(na.uri)}>${formatGenericParams(na.params)}`;
}

function formatDisplayName(name: string): string {
  // Several words are valid unquoted (RFC 3261 §25.1), but libre-based phones (baresip) keep only
  // the last word of an unquoted display name: only a single token goes out bare.
  if (isTokenWords(name) && !/\s/.test(name)) return name;
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) throw new Error('a display name cannot hold CR or LF');
    // quoted-pair for `"`, `\` and the controls qdtext does not allow (RFC 3261 §25.1).
    if (c === 0x22 || c === 0x5c || (c < 0x20 && c !== 0x09) || c === 0x7f) out += '\\';
    out += name[i];
  }
  return `${out}"`;
}

/** token *(SP token): writable without quotes. */
function isTokenWords(name: string): boolean {
  if (name.length === 0) return false;
  let prevSpace = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x20) {
      if (prevSpace) return false;
      prevSpace = true;
    } else if (isChar(c, TOKEN)) {
      prevSpace = false;
    } else {
      return false;
    }
  }
  return !prevSpace;
}
