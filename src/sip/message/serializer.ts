/** serializeMessage: the message model to wire bytes (RFC 3261 §7). */
import type { SipMessage } from './types.ts';
import { formatUri } from './uri.ts';
import { isToken } from './syntax.ts';
import { isKnownHeaderName } from './header-names.ts';

function isContentLengthName(name: string): boolean {
  return name === 'Content-Length' || name === 'l' || name === 'L' || (name.length === 14 && name.toLowerCase() === 'content-length');
}

const LINE_BREAK = /[\r\n]/;

function assertOneLine(what: string, text: string): void {
  // A CR or LF would end the line early and let the rest pass for headers of its own.
  if (LINE_BREAK.test(text)) throw new Error(`${what} cannot hold CR or LF`);
}

/**
 * Start line, one `Name: value` line per header entry in order, then CRLF and the body.
 * Content-Length is always written, with the body's length, where the first Content-Length
 * stood or else last (RFC 3261 §18.3 requires it on streams; it costs nothing on datagrams).
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head: string;
  if (msg.type === 'request') {
    if (!isToken(msg.method)) throw new Error(`method ${JSON.stringify(msg.method)} is not a token`);
    head = `${msg.method} ${formatUri(msg.uri)} SIP/2.0\r\n`;
  } else {
    if (!Number.isInteger(msg.status) || msg.status < 100 || msg.status > 699) throw new RangeError(`status ${msg.status} is not 100..699`);
    assertOneLine('the reason phrase', msg.reason);
    head = `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  }
  const length = `Content-Length: ${msg.body.length}\r\n`;
  let wroteLength = false;
  for (const { name, value } of msg.headers) {
    if (isContentLengthName(name)) {
      if (!wroteLength) head += length;
      wroteLength = true;
      continue;
    }
    if (!isKnownHeaderName(name) && !isToken(name)) throw new Error(`header name ${JSON.stringify(name)} is not a token`);
    assertOneLine(`header ${name}`, value);
    head += `${name}: ${value}\r\n`;
  }
  if (!wroteLength) head += length;
  head += '\r\n';
  // One native pass encodes the head; byteLength + write would walk the string twice.
  const headBytes = Buffer.from(head, 'utf8');
  if (msg.body.length === 0) return headBytes;
  return Buffer.concat([headBytes, msg.body], headBytes.length + msg.body.length);
}
