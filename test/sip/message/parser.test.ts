import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../src/sip/message/parser.ts';
import { assertRequiredHeaders } from '../../../src/sip/message/required-headers.ts';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { SipParseErrorCode } from '../../../src/sip/sip-errors.ts';
import { getHeader, getHeaders } from '../../../src/sip/message/header-list.ts';
import { formatUri } from '../../../src/sip/message/uri.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message/types.ts';

const BASE = [
  'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
];

function wire(startLine: string, headers: string[], body = '', eol = '\r\n'): Buffer {
  return Buffer.from(`${[startLine, ...headers].join(eol)}${eol}${eol}${body}`);
}

function request(headers: string[] = [], body = '', method = 'OPTIONS'): Buffer {
  return wire(`${method} sip:bob@example.com SIP/2.0`, [...BASE, `CSeq: 1 ${method}`, ...headers], body);
}

function parseRequest(data: Buffer): SipRequest {
  const msg = parseMessage(data);
  assert.equal(msg.type, 'request');
  return msg as SipRequest;
}

function fails(data: Buffer, code: SipParseErrorCode, why?: RegExp): SipParseError {
  let caught: unknown;
  try {
    parseMessage(data);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SipParseError, `expected a SipParseError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (why) assert.match(caught.message, why);
  return caught;
}

test('parses a request: method, Request-URI, headers in order and body', () => {
  const msg = parseRequest(request(['Content-Type: text/plain', 'Content-Length: 5'], 'hello', 'MESSAGE'));
  assert.equal(msg.method, 'MESSAGE');
  assert.equal(formatUri(msg.uri), 'sip:bob@example.com');
  assert.deepEqual(
    msg.headers.map((h) => h.name),
    ['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Content-Type', 'Content-Length'],
  );
  assert.equal(getHeader(msg, 'Call-ID'), 'a84b4c76e66710@pc33.example.com');
  assert.equal(msg.body.toString(), 'hello');
});

test('parses a response: status, reason with spaces, an empty reason, and no reason at all', () => {
  const ok = parseMessage(wire('SIP/2.0 180 Ringing Now', [...BASE, 'CSeq: 1 INVITE'])) as SipResponse;
  assert.equal(ok.type, 'response');
  assert.equal(ok.status, 180);
  assert.equal(ok.reason, 'Ringing Now');
  assert.equal((parseMessage(wire('SIP/2.0 100 ', [...BASE, 'CSeq: 1 INVITE'])) as SipResponse).reason, '');
  assert.equal((parseMessage(wire('SIP/2.0 100', [...BASE, 'CSeq: 1 INVITE'])) as SipResponse).reason, '');
  assert.equal((parseMessage(wire('sip/2.0 200 OK', [...BASE, 'CSeq: 1 INVITE'])) as SipResponse).status, 200);
});

test('undoes line folding with one SP and accepts LWS around the colon', () => {
  const msg = parseRequest(request(['Subject  :  first line', ' \t second line', 'X-Empty:', ' folded-only']));
  assert.equal(getHeader(msg, 'Subject'), 'first line second line');
  assert.equal(getHeader(msg, 'X-Empty'), 'folded-only');
});

test('accepts bare LF line ends and skips CRLFs before the start line (RFC 3261 §7.5)', () => {
  const lf = wire('OPTIONS sip:bob@example.com SIP/2.0', [...BASE, 'CSeq: 1 OPTIONS', 'Content-Length: 2'], 'hi', '\n');
  assert.equal(parseRequest(lf).body.toString(), 'hi');
  const padded = Buffer.concat([Buffer.from('\r\n\r\n'), request()]);
  assert.equal(parseRequest(padded).method, 'OPTIONS');
});

test('accepts a message that ends without the empty line after the headers', () => {
  const text = ['OPTIONS sip:bob@example.com SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS', 'Content-Length: 0'].join('\r\n');
  assert.equal(parseRequest(Buffer.from(`${text}\r\n`)).body.length, 0);
  assert.equal(parseRequest(Buffer.from(text)).body.length, 0);
});

test('makes compact and odd-case names canonical and keeps unknown ones as written', () => {
  const msg = parseRequest(
    wire('OPTIONS sip:bob@example.com SIP/2.0', [
      'v: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1',
      't: sip:bob@example.com',
      'f: sip:alice@example.com;tag=1',
      'i: abc',
      'CSEQ: 1 OPTIONS',
      'MaX-fOrWaRdS: 70',
      'X-MiXed: Value',
      'l: 0',
    ]),
  );
  assert.deepEqual(
    msg.headers.map((h) => h.name),
    ['Via', 'To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards', 'X-MiXed', 'Content-Length'],
  );
});

test('splits list headers into one entry per element, never inside quotes or <>', () => {
  const msg = parseRequest(
    request([
      'Contact: "Doe, John" <sip:a,b@example.com>;q=0.5, <sip:c@example.com>',
      'Supported: replaces,  100rel ,timer',
      'Warning: 301 isi.edu "Incompatible, really", 399 example.com "x"',
      'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
    ]),
  );
  assert.deepEqual(getHeaders(msg, 'Contact'), ['"Doe, John" <sip:a,b@example.com>;q=0.5', '<sip:c@example.com>']);
  assert.deepEqual(getHeaders(msg, 'Supported'), ['replaces', '100rel', 'timer']);
  assert.deepEqual(getHeaders(msg, 'Warning'), ['301 isi.edu "Incompatible, really"', '399 example.com "x"']);
  assert.deepEqual(getHeaders(msg, 'Route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
});

test('never splits authentication headers, Date or unknown headers', () => {
  const auth = 'Digest username="alice", realm="example.com", nonce="x", uri="sip:bob@example.com", response="y"';
  const msg = parseRequest(request([`Authorization: ${auth}`, 'Date: Sat, 13 Nov 2010 23:29:00 GMT', 'X-List: a, b, c', 'UnknownHeaderWithUnusualValue: ;;,,;;,;']));
  assert.equal(getHeader(msg, 'Authorization'), auth);
  assert.equal(getHeader(msg, 'Date'), 'Sat, 13 Nov 2010 23:29:00 GMT');
  assert.deepEqual(getHeaders(msg, 'X-List'), ['a, b, c']);
  assert.equal(getHeader(msg, 'UnknownHeaderWithUnusualValue'), ';;,,;;,;');
});

test('keeps an empty list header as one empty entry', () => {
  assert.deepEqual(getHeaders(parseRequest(request(['Supported:'])), 'Supported'), ['']);
});

test('frames the body by Content-Length and discards octets beyond it (RFC 3261 §18.3)', () => {
  const msg = parseRequest(request(['Content-Length: 3'], 'abcdef'));
  assert.equal(msg.body.toString(), 'abc');
  assert.equal(getHeader(msg, 'Content-Length'), '3');
});

test('takes the rest of the datagram as body without Content-Length, and records its length', () => {
  const msg = parseRequest(request([], 'v=0\r\n'));
  assert.equal(msg.body.toString(), 'v=0\r\n');
  assert.equal(getHeader(msg, 'Content-Length'), '5');
  assert.equal(msg.headers.at(-1)?.name, 'Content-Length');
});

test('normalises a Content-Length with leading zeros to the body length', () => {
  assert.equal(getHeader(parseRequest(request(['Content-Length: 0002'], 'ok')), 'Content-Length'), '2');
});

test('copies the body, so reusing the input buffer does not change the message', () => {
  const data = request(['Content-Length: 2'], 'ok');
  const msg = parseRequest(data);
  data.fill(0x78);
  assert.equal(msg.body.toString(), 'ok');
});

test('keeps binary bodies byte for byte', () => {
  const body = Buffer.from([0, 13, 10, 13, 10, 255, 128, 0]);
  const data = Buffer.concat([request([`Content-Length: ${body.length}`]), body]);
  assert.deepEqual(parseRequest(data).body, body);
});

test('rejects a body shorter than Content-Length, a negative or non-numeric one, and two that disagree', () => {
  fails(request(['Content-Length: 10'], 'short'), SipParseErrorCode.CONTENT_LENGTH, /only 5 octets/);
  fails(request(['Content-Length: -1']), SipParseErrorCode.CONTENT_LENGTH);
  fails(request(['Content-Length: ten']), SipParseErrorCode.CONTENT_LENGTH);
  fails(request(['Content-Length:']), SipParseErrorCode.CONTENT_LENGTH);
  fails(request(['Content-Length: 2', 'l: 3'], 'abc'), SipParseErrorCode.CONTENT_LENGTH, /disagree/);
  fails(request(['Content-Length: 3', 'l: 3'], 'abc'), SipParseErrorCode.DUPLICATE_HEADER);
});

test('rejects a second To, From, Call-ID, CSeq, Max-Forwards, Content-Type or Expires', () => {
  for (const extra of [
    'To: sip:carol@example.com',
    'f: sip:x@example.com;tag=2',
    'i: other',
    'CSeq: 2 OPTIONS',
    'Max-Forwards: 10',
    'Expires: 10\r\nExpires: 10',
    'Content-Type: a/b\r\nc: a/b',
  ]) {
    fails(request([extra]), SipParseErrorCode.DUPLICATE_HEADER, /more than once/);
  }
});

test('rejects a CSeq method other than the request method', () => {
  const data = wire('INVITE sip:bob@example.com SIP/2.0', [...BASE, 'CSeq: 1 OPTIONS']);
  const err = fails(data, SipParseErrorCode.METHOD_MISMATCH);
  assert.equal(err.status, 400);
});

test('rejects out-of-range Max-Forwards, Expires and CSeq, and a Date not in GMT', () => {
  const noMaxForwards = BASE.filter((h) => !h.startsWith('Max-Forwards'));
  fails(wire('OPTIONS sip:bob@example.com SIP/2.0', [...noMaxForwards, 'CSeq: 1 OPTIONS', 'Max-Forwards: 256']), SipParseErrorCode.BAD_HEADER, /Max-Forwards/);
  fails(request(['Expires: 4294967296']), SipParseErrorCode.BAD_HEADER, /Expires/);
  fails(wire('OPTIONS sip:bob@example.com SIP/2.0', [...BASE, 'CSeq: 4294967296 OPTIONS']), SipParseErrorCode.BAD_CSEQ);
  fails(request(['Date: Sat, 13 Nov 2010 23:29:00 PST']), SipParseErrorCode.BAD_HEADER, /GMT/);
});

test('rejects malformed To, From, Contact, Route, Record-Route, Via and Call-ID values', () => {
  fails(request(['Contact: <sip:a@example.com']), SipParseErrorCode.BAD_NAME_ADDR, /^Contact: /);
  fails(request(['Route: sip:p.example.com;lr, <sip:bad host>']), SipParseErrorCode.BAD_URI, /^Route: /);
  fails(request(['Record-Route: "unterminated <sip:p.example.com>']), SipParseErrorCode.BAD_NAME_ADDR);
  fails(request(['Via: SIP/2.0/UDP']), SipParseErrorCode.BAD_VIA, /^Via: /);
  fails(request(['Via: SIP/2.0/UDP a.example.com;;']), SipParseErrorCode.BAD_VIA);
  fails(wire('OPTIONS sip:bob@example.com SIP/2.0', [...BASE.slice(0, 4), 'Call-ID: two words', 'CSeq: 1 OPTIONS']), SipParseErrorCode.BAD_HEADER);
  assert.equal(getHeader(parseRequest(request(['Contact: *'])), 'Contact'), '*');
});

test('rejects empty elements in a list header (RFC 4475 §3.1.2.1)', () => {
  fails(request(['Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK2,,']), SipParseErrorCode.BAD_HEADER, /empty element in the Via list/);
  fails(request(['Supported: a,,b']), SipParseErrorCode.BAD_HEADER);
});

test('rejects header lines without a colon, with a non-token name, or folded onto the start line', () => {
  fails(request(['NoColonHere']), SipParseErrorCode.BAD_HEADER, /colon/);
  fails(request(['Bad Name: x']), SipParseErrorCode.BAD_HEADER, /token/);
  fails(wire('OPTIONS sip:bob@example.com SIP/2.0', [' folded: x', ...BASE, 'CSeq: 1 OPTIONS']), SipParseErrorCode.BAD_HEADER, /whitespace/);
  fails(request(['X-Evil: a\rInjected: b']), SipParseErrorCode.BAD_HEADER, /bare CR/);
});

test('reads the start line strictly', () => {
  const headers = [...BASE, 'CSeq: 1 OPTIONS'];
  fails(wire('OPTIONS  sip:bob@example.com SIP/2.0', headers), SipParseErrorCode.BAD_START_LINE, /one SP/);
  fails(wire('OPTIONS sip:bob@example.com SIP/2.0 ', headers), SipParseErrorCode.BAD_START_LINE, /after the SIP version/);
  fails(wire('OPTIONS sip:bob@example.com', headers), SipParseErrorCode.BAD_START_LINE);
  fails(wire('OPTIONS sip:bob@example.com HTTP/1.1', headers), SipParseErrorCode.BAD_START_LINE);
  fails(wire('OPT(IONS sip:bob@example.com SIP/2.0', headers), SipParseErrorCode.BAD_START_LINE, /token/);
  fails(wire('OPTIONS sip:bob@example.com;\tlr SIP/2.0', headers), SipParseErrorCode.BAD_URI);
  fails(wire('OPTIONS sip:bob@example.com?Subject=x SIP/2.0', headers), SipParseErrorCode.BAD_URI, /escaped headers/);
  fails(wire('SIP/2.0 99 Low', headers), SipParseErrorCode.BAD_START_LINE, /100\.\.699/);
  fails(wire('SIP/2.0 700 High', headers), SipParseErrorCode.BAD_START_LINE, /100\.\.699/);
  fails(wire('SIP/2.0  200 OK', headers), SipParseErrorCode.BAD_START_LINE);
  fails(Buffer.alloc(0), SipParseErrorCode.BAD_START_LINE);
});

test('answers a bad SIP version with status 505 and keeps what it read', () => {
  const err = fails(wire('OPTIONS sip:bob@example.com SIP/3.0', [...BASE, 'CSeq: 1 OPTIONS']), SipParseErrorCode.BAD_VERSION);
  assert.equal(err.status, 505);
  assert.equal(err.partial?.isRequest, true);
  assert.equal(err.partial?.method, 'OPTIONS');
  assert.equal(getHeader(err.partial!, 'Call-ID'), 'a84b4c76e66710@pc33.example.com');
});

test('gives a rejected request status 400 and the headers a 400 needs', () => {
  const err = fails(request(['Max-Forwards: 10']), SipParseErrorCode.DUPLICATE_HEADER);
  assert.equal(err.status, 400);
  assert.ok(err.partial);
  assert.equal(err.partial.isRequest, true);
  assert.equal(err.partial.method, 'OPTIONS');
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) assert.ok(getHeader(err.partial, name), name);
});

test('leaves the status undefined when a response is rejected', () => {
  const err = fails(wire('SIP/2.0 200 OK', [...BASE, 'CSeq: 99999999999 INVITE']), SipParseErrorCode.BAD_CSEQ);
  assert.equal(err.status, undefined);
  assert.equal(err.partial?.isRequest, false);
  assert.equal(err.partial?.method, undefined);
});

test('rejects a request missing Call-ID, From, To, CSeq or Via with 400, naming them all', () => {
  const data = wire('INVITE sip:bob@example.com SIP/2.0', ['CSeq: 1 INVITE', 'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1']);
  const err = fails(data, SipParseErrorCode.MISSING_HEADER, /From, To, Call-ID/);
  assert.equal(err.status, 400);
});

test('accepts a request without Max-Forwards (RFC 2543 peers, RFC 4475 §3.4.1)', () => {
  const data = wire('OPTIONS sip:bob@example.com SIP/2.0', [...BASE.filter((h) => !h.startsWith('Max-Forwards')), 'CSeq: 1 OPTIONS']);
  assert.equal(getHeader(parseRequest(data), 'Max-Forwards'), undefined);
});

test('assertRequiredHeaders passes a complete message and reports a response without status', () => {
  const msg: SipMessage = parseRequest(request());
  assertRequiredHeaders(msg);
  const response: SipMessage = { type: 'response', status: 200, reason: 'OK', headers: [], body: Buffer.alloc(0) };
  assert.throws(
    () => assertRequiredHeaders(response),
    (err: unknown) => err instanceof SipParseError && err.code === SipParseErrorCode.MISSING_HEADER && err.status === undefined && /Via, From, To, Call-ID, CSeq/.test(err.message),
  );
});

test('rejects a message above maxSize with 513 and still offers its headers', () => {
  const big = request(['Content-Length: 70000'], 'x'.repeat(70000));
  const err = fails(big, SipParseErrorCode.TOO_LARGE);
  assert.equal(err.status, 513);
  assert.equal(getHeader(err.partial!, 'Call-ID'), 'a84b4c76e66710@pc33.example.com');
  assert.throws(
    () => parseMessage(request(), { maxSize: 100 }),
    (e: unknown) => e instanceof SipParseError && e.code === SipParseErrorCode.TOO_LARGE,
  );
  assert.equal((parseMessage(big, { maxSize: 100_000 }) as SipRequest).body.length, 70000);
});
