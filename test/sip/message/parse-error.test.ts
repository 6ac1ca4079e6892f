import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { SipParseErrorCode } from '../../../src/sip/sip-errors.ts';

test('every code is a distinct SIP_PARSE_ constant named after its key', () => {
  const codes = Object.entries(SipParseErrorCode);
  for (const [key, code] of codes) assert.equal(code, `SIP_PARSE_${key}`);
  assert.equal(new Set(codes.map(([, code]) => code)).size, codes.length);
});

test('defaults the status a server answers with from the code', () => {
  assert.equal(new SipParseError(SipParseErrorCode.BAD_HEADER, 'x').status, 400);
  assert.equal(new SipParseError(SipParseErrorCode.BAD_VERSION, 'x').status, 505);
  assert.equal(new SipParseError(SipParseErrorCode.TOO_LARGE, 'x').status, 513);
  assert.equal(new SipParseError(SipParseErrorCode.BAD_URI, 'x', { status: null }).status, undefined);
  assert.equal(new SipParseError(SipParseErrorCode.BAD_URI, 'x', { status: 416 }).status, 416);
});

test('is an Error with a name, a message and the partial message it was given', () => {
  const partial = { isRequest: true, method: 'INVITE', headers: [{ name: 'Call-ID', value: 'a' }] };
  const err = new SipParseError(SipParseErrorCode.MISSING_HEADER, 'no To', { partial });
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'SipParseError');
  assert.equal(err.message, 'no To');
  assert.equal(err.code, 'SIP_PARSE_MISSING_HEADER');
  assert.deepEqual(err.partial, partial);
});
