/** One Via value (RFC 3261 §20.42, §25.1 via-parm; IPv6 per RFC 5118 §4.5). */
import type { ParamValue, Via } from './types.ts';
import { SipParseError, quoteForError } from './parse-error.ts';
import { SipParseErrorCode } from '../sip-errors.ts';
import { formatGenericParams, readGenericParams } from './generic-params.ts';
import { HOST, TOKEN, isChar, isHostnameOrIPv4, isIPv4, isIPv6, isWsp, parseBoundedInt, skipWsp } from './syntax.ts';

function fail(text: string, why: string): never {
  throw new SipParseError(SipParseErrorCode.BAD_VIA, `bad Via ${quoteForError(text)}: ${why}`);
}

function readToken(text: string, pos: number): number {
  while (pos < text.length && isChar(text.charCodeAt(pos), TOKEN)) pos++;
  return pos;
}

/** Expects SLASH = SWS "/" SWS at `pos`; returns the index after it. */
function readSlash(text: string, pos: number): number {
  pos = skipWsp(text, pos);
  if (text.charCodeAt(pos) !== 0x2f) fail(text, 'sent-protocol must be name/version/transport');
  return skipWsp(text, pos + 1);
}

/** sent-protocol with LWS allowed around the slashes; returns the transport and where it ends. */
function readSentProtocol(text: string): { transport: string; end: number } {
  let pos = skipWsp(text, 0);
  let end = readToken(text, pos);
  const name = text.slice(pos, end);
  pos = readSlash(text, end);
  end = readToken(text, pos);
  const version = text.slice(pos, end);
  pos = readSlash(text, end);
  end = readToken(text, pos);
  const transport = text.slice(pos, end).toUpperCase();
  if (name.length === 0 || version.length === 0 || transport.length === 0) fail(text, 'sent-protocol must be name/version/transport');
  const protocol = `${name.toUpperCase()}/${version}`;
  if (protocol !== 'SIP/2.0') fail(text, `protocol ${protocol} is not SIP/2.0`);
  return { transport, end };
}

/** Parses `SIP/2.0/UDP host:port;params`. Only SIP/2.0 is accepted. Throws SipParseError. */
export function parseVia(text: string): Via {
  // The usual spelling skips the general sent-protocol scanner; both give the same result.
  let end = text.startsWith('SIP/2.0/') ? readToken(text, 8) : 8;
  let transport: string;
  if (end > 8) {
    transport = text.slice(8, end).toUpperCase();
  } else {
    ({ transport, end } = readSentProtocol(text));
  }
  if (!isWsp(text.charCodeAt(end))) fail(text, 'LWS must separate sent-protocol and sent-by');
  let pos = skipWsp(text, end);

  let host: string;
  if (text.charCodeAt(pos) === 0x5b) {
    const close = text.indexOf(']', pos);
    if (close < 0 || !isIPv6(text.slice(pos + 1, close))) fail(text, 'bad IPv6 reference in sent-by');
    host = text.slice(pos, close + 1);
    pos = close + 1;
  } else {
    end = pos;
    while (end < text.length && isChar(text.charCodeAt(end), HOST)) end++;
    host = text.slice(pos, end);
    if (!isHostnameOrIPv4(host)) fail(text, 'bad host in sent-by');
    pos = end;
  }
  const via: Via = { protocol: 'SIP/2.0', transport, host, params: new Map<string, ParamValue>() };
  const colon = skipWsp(text, pos);
  if (text.charCodeAt(colon) === 0x3a) {
    const portStart = skipWsp(text, colon + 1);
    end = portStart;
    while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
    const port = parseBoundedInt(text.slice(portStart, end), 65535);
    if (port === undefined) fail(text, 'bad port in sent-by');
    via.port = port;
    pos = end;
  }
  const paramsEnd = readGenericParams(text, pos, via.params);
  if (typeof paramsEnd === 'string') fail(text, paramsEnd);
  if (paramsEnd < text.length) fail(text, `unexpected ${quoteForError(text.slice(paramsEnd))}`);
  checkParams(text, via.params);
  return via;
}

function checkParams(text: string, params: Map<string, ParamValue>): void {
  const branch = params.get('branch');
  if (branch === null) fail(text, 'branch needs a value');
  const received = params.get('received');
  // RFC 3261 writes received without brackets; RFC 5118 §4.5 asks to accept both forms.
  if (received !== undefined && (received === null || !isReceivedAddress(received))) fail(text, 'received must be an IP address');
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && parseBoundedInt(rport, 65535) === undefined) fail(text, 'bad rport'); // RFC 3581
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || parseBoundedInt(ttl, 255) === undefined)) fail(text, 'ttl must be 0..255');
}

function isReceivedAddress(value: string): boolean {
  if (isIPv4(value)) return true;
  if (value.charCodeAt(0) === 0x5b) return value.charCodeAt(value.length - 1) === 0x5d && isIPv6(value.slice(1, -1));
  return isIPv6(value);
}

/** Writes a Via value: `SIP/2.0/UDP host:port;params` (flag params such as rport bare). */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatGenericParams(via.params)}`;
}
