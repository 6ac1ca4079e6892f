import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeMessage } from '../../../src/sip/message/serializer.ts';
import { parseMessage } from '../../../src/sip/message/parser.ts';
import { parseUri } from '../../../src/sip/message/uri.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.ts';

function req(headers: SipRequest['headers'], body = Buffer.alloc(0)): SipRequest {
  return { type: 'request', method: 'MESSAGE', uri: parseUri('sip:bob@example.com;transport=tcp'), headers, body };
}

test('writes the start line, one Name: value line per header, Content-Length, CRLF and the body', () => {
  const out = serializeMessage(
    req(
      [
        { name: 'Via', value: 'SIP/2.0/TCP a.example.com;branch=z9hG4bK1' },
        { name: 'Via', value: 'SIP/2.0/TCP b.example.com;branch=z9hG4bK2' },
        { name: 'Subject', value: '' },
      ],
      Buffer.from('héllo'),
    ),
  );
  assert.equal(
    out.toString(),
    [
      'MESSAGE sip:bob@example.com;transport=tcp SIP/2.0',
      'Via: SIP/2.0/TCP a.example.com;branch=z9hG4bK1',
      'Via: SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
      'Subject: ',
      'Content-Length: 6',
      '',
      'héllo',
    ].join('\r\n'),
  );
});

test('recomputes Content-Length where the first one stood and drops the others', () => {
  const out = serializeMessage(
    req(
      [
        { name: 'l', value: '999' },
        { name: 'Call-ID', value: 'x' },
        { name: 'content-length', value: '1' },
      ],
      Buffer.from('abc'),
    ),
  );
  assert.equal(out.toString(), 'MESSAGE sip:bob@example.com;transport=tcp SIP/2.0\r\nContent-Length: 3\r\nCall-ID: x\r\n\r\nabc');
});

test('writes a response status line, keeping an empty reason after its SP (RFC 4475 §3.1.1.13)', () => {
  const res: SipResponse = { type: 'response', status: 100, reason: '', headers: [], body: Buffer.alloc(0) };
  assert.equal(serializeMessage(res).toString(), 'SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n');
  assert.equal(serializeMessage({ ...res, status: 200, reason: 'OK ✓' }).toString(), 'SIP/2.0 200 OK ✓\r\nContent-Length: 0\r\n\r\n');
});

test('copies binary bodies byte for byte', () => {
  const body = Buffer.from([0, 255, 13, 10, 0x80]);
  const out = serializeMessage(
    req(
      [
        { name: 'Via', value: 'SIP/2.0/TCP a.example.com;branch=z9hG4bK1' },
        { name: 'From', value: '<sip:a@example.com>;tag=1' },
        { name: 'To', value: '<sip:bob@example.com>' },
        { name: 'Call-ID', value: 'c' },
        { name: 'CSeq', value: '1 MESSAGE' },
      ],
      body,
    ),
  );
  assert.deepEqual(out.subarray(out.length - body.length), body);
  assert.deepEqual(parseMessage(Buffer.concat([out, Buffer.from('trailing')])).body, body);
});

test('refuses CR or LF in values and reasons, and non-token names or methods, so nothing can inject a header', () => {
  assert.throws(() => serializeMessage(req([{ name: 'Subject', value: 'a\r\nVia: evil' }])), /CR or LF/);
  assert.throws(() => serializeMessage(req([{ name: 'Subject', value: 'a\nb' }])), /CR or LF/);
  assert.throws(() => serializeMessage(req([{ name: 'Bad: Name', value: 'x' }])), /token/);
  assert.throws(() => serializeMessage({ ...req([]), method: 'BAD METHOD' }), /token/);
  const res: SipResponse = { type: 'response', status: 200, reason: 'OK\r\nX: y', headers: [], body: Buffer.alloc(0) };
  assert.throws(() => serializeMessage(res), /CR or LF/);
  assert.throws(() => serializeMessage({ ...res, reason: 'OK', status: 1000 }), RangeError);
});
