/**
 * Digest header values: WWW-Authenticate / Proxy-Authenticate challenges and Authorization /
 * Proxy-Authorization credentials (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1; RFC 7616 §3.3,
 * §3.4; auth-param grammar of RFC 7235 §2.1).
 *
 * Input is one header value, already unfolded by the message parser: RFC 3261 §7.3.1 forbids
 * combining these four headers into one comma-separated line, so a value holds one challenge or
 * one set of credentials. Parameter names are case-insensitive; values may be a token or a
 * quoted-string whatever RFC 7616 says a sender should use, because real clients differ (JsSIP
 * sends `algorithm=MD5` bare, some phones quote `qop`). Unknown parameters are ignored
 * (RFC 7616 §3.3: unrecognised directives MUST be ignored).
 */
import { DigestError } from './digest-error.ts';
import { DigestErrorCode } from '../sip-errors.ts';

/** The credentials of an Authorization or Proxy-Authorization header (RFC 7616 §3.4). */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  /** digest-uri: in SIP the Request-URI of the request (RFC 3261 §22.4). */
  uri: string;
  response: string;
  /** As sent; absent means MD5 (RFC 7616 §3.4). */
  algorithm?: string;
  cnonce?: string;
  opaque?: string;
  qop?: string;
  /** nonce-count as sent, always 8 hex digits when present. */
  nc?: string;
}

/** A WWW-Authenticate or Proxy-Authenticate challenge (RFC 7616 §3.3). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** As sent; absent means MD5. */
  algorithm?: string;
  /** qop-options, lower-cased (`["auth"]`, `["auth", "auth-int"]`). */
  qop?: string[];
  opaque?: string;
  stale?: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const NC = /^[0-9A-Fa-f]{8}$/;
// Any control character but HTAB: none may appear in a header value, quoted or not.
// biome-ignore lint/suspicious/noControlCharactersInRegex: a quoted string may not hold these controls (RFC 3261 §25.1 qdtext)
const FORBIDDEN_IN_QUOTED = /[\x00-\x08\x0A-\x1F\x7F]/;

export function parseDigestCredentials(headerValue: string): DigestCredentials {
  const params = parseDigestParams(headerValue);
  const credentials: DigestCredentials = {
    username: required(params, 'username'),
    realm: required(params, 'realm'),
    nonce: required(params, 'nonce'),
    uri: required(params, 'uri'),
    response: required(params, 'response'),
  };
  copyOptional(params, credentials, ['algorithm', 'cnonce', 'opaque', 'qop', 'nc']);
  // RFC 7616 §3.4: cnonce and nc MUST be sent when qop is, and only then.
  if (credentials.qop !== undefined) {
    if (credentials.cnonce === undefined) missing('cnonce');
    if (credentials.nc === undefined) missing('nc');
  }
  if (credentials.nc !== undefined && !NC.test(credentials.nc)) {
    throw new DigestError(DigestErrorCode.INVALID_PARAM, `Digest nc must be 8 hex digits, got "${credentials.nc}"`);
  }
  return credentials;
}

export function parseDigestChallenge(headerValue: string): DigestChallenge {
  const params = parseDigestParams(headerValue);
  const challenge: DigestChallenge = { realm: required(params, 'realm'), nonce: required(params, 'nonce') };
  copyOptional(params, challenge, ['algorithm', 'opaque']);
  const qop = params.get('qop');
  if (qop !== undefined) {
    challenge.qop = qop
      .split(',')
      .map((option) => option.trim().toLowerCase())
      .filter((option) => option !== '');
  }
  const stale = params.get('stale');
  // RFC 7616 §3.3: anything but a case-insensitive "true" counts as false.
  if (stale !== undefined) challenge.stale = stale.toLowerCase() === 'true';
  return challenge;
}

export function formatDigestChallenge(challenge: DigestChallenge): string {
  const parts = [`realm=${quote(challenge.realm)}`];
  if (challenge.qop !== undefined && challenge.qop.length > 0) {
    for (const option of challenge.qop) token('qop', option);
    parts.push(`qop=${quote(challenge.qop.join(', '))}`);
  }
  if (challenge.algorithm !== undefined) parts.push(`algorithm=${token('algorithm', challenge.algorithm)}`);
  parts.push(`nonce=${quote(challenge.nonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (challenge.stale === true) parts.push('stale=true');
  return `Digest ${parts.join(', ')}`;
}

export function formatDigestCredentials(credentials: DigestCredentials): string {
  const parts = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(credentials.realm)}`,
    `nonce=${quote(credentials.nonce)}`,
    `uri=${quote(credentials.uri)}`,
    `response=${quote(credentials.response)}`,
  ];
  if (credentials.algorithm !== undefined) parts.push(`algorithm=${token('algorithm', credentials.algorithm)}`);
  if (credentials.cnonce !== undefined) parts.push(`cnonce=${quote(credentials.cnonce)}`);
  if (credentials.opaque !== undefined) parts.push(`opaque=${quote(credentials.opaque)}`);
  if (credentials.qop !== undefined) parts.push(`qop=${token('qop', credentials.qop)}`);
  if (credentials.nc !== undefined) {
    if (!NC.test(credentials.nc)) throw new DigestError(DigestErrorCode.INVALID_PARAM, 'Digest nc must be 8 hex digits');
    parts.push(`nc=${credentials.nc}`);
  }
  return `Digest ${parts.join(', ')}`;
}

/**
 * credentials / challenge = auth-scheme 1*SP #auth-param, auth-param = token BWS "=" BWS
 * (token / quoted-string) (RFC 7235 §2.1). Returns the parameters by lower-cased name, values
 * unquoted and unescaped. Empty list elements are skipped (RFC 7230 §7).
 */
function parseDigestParams(headerValue: string): Map<string, string> {
  const input = headerValue;
  let pos = skipSpace(input, 0);
  const scheme = readToken(input, pos);
  if (scheme.toLowerCase() !== 'digest') {
    throw new DigestError(DigestErrorCode.WRONG_SCHEME, `expected the Digest scheme, got "${scheme}"`);
  }
  pos += scheme.length;
  if (pos < input.length && !isSpace(input.charAt(pos))) malformed('the scheme must be followed by a space', pos);

  const params = new Map<string, string>();
  while (true) {
    pos = skipSpace(input, pos);
    if (pos >= input.length) break;
    if (input[pos] === ',') {
      pos += 1;
      continue;
    }
    const name = readToken(input, pos);
    if (name === '') malformed('expected a parameter name', pos);
    pos = skipSpace(input, pos + name.length);
    if (input[pos] !== '=') malformed(`expected "=" after ${name}`, pos);
    pos = skipSpace(input, pos + 1);
    let value: string;
    if (input[pos] === '"') {
      [value, pos] = readQuoted(input, pos);
    } else {
      value = readToken(input, pos);
      if (value === '') malformed(`expected a value for ${name}`, pos);
      pos += value.length;
    }
    const key = name.toLowerCase();
    if (params.has(key)) throw new DigestError(DigestErrorCode.DUPLICATE_PARAM, `Digest parameter ${key} appears twice`);
    params.set(key, value);
    pos = skipSpace(input, pos);
    if (pos < input.length && input[pos] !== ',') malformed('expected "," between parameters', pos);
  }
  return params;
}

function readToken(input: string, start: number): string {
  let end = start;
  while (end < input.length && TOKEN_CHAR.test(input.charAt(end))) end += 1;
  return input.slice(start, end);
}

/** quoted-string starting at the opening DQUOTE; returns the unescaped text and the position after the closing DQUOTE. */
function readQuoted(input: string, start: number): [string, number] {
  let value = '';
  let pos = start + 1;
  while (pos < input.length) {
    const char = input[pos];
    if (char === '"') return [value, pos + 1];
    if (char === '\\') {
      pos += 1;
      if (pos >= input.length) break;
    }
    if (FORBIDDEN_IN_QUOTED.test(input.charAt(pos))) malformed('control character in a quoted string', pos);
    value += input[pos];
    pos += 1;
  }
  return malformed('unterminated quoted string', start);
}

function skipSpace(input: string, pos: number): number {
  while (pos < input.length && isSpace(input.charAt(pos))) pos += 1;
  return pos;
}

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t';
}

function malformed(what: string, pos: number): never {
  throw new DigestError(DigestErrorCode.MALFORMED, `malformed Digest header: ${what} at offset ${pos}`);
}

function missing(name: string): never {
  throw new DigestError(DigestErrorCode.MISSING_PARAM, `Digest parameter ${name} is missing`);
}

function required(params: Map<string, string>, name: string): string {
  return params.get(name) ?? missing(name);
}

function copyOptional<K extends string>(params: Map<string, string>, target: Partial<Record<K, string>>, names: K[]): void {
  for (const name of names) {
    const value = params.get(name);
    if (value !== undefined) target[name] = value;
  }
}

function quote(value: string): string {
  if (FORBIDDEN_IN_QUOTED.test(value)) {
    throw new DigestError(DigestErrorCode.INVALID_PARAM, 'a Digest parameter value cannot hold control characters');
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function token(name: string, value: string): string {
  if (!TOKEN.test(value)) throw new DigestError(DigestErrorCode.INVALID_PARAM, `Digest ${name} must be a token, got "${value}"`);
  return value;
}
