import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCSeq, parseCSeq } from '../../../src/sip/message/cseq.ts';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { SipParseErrorCode } from '../../../src/sip/sip-errors.ts';

test('reads the number and the method, leading zeros and extra LWS included (RFC 4475 §3.1.1.1)', () => {
  assert.deepEqual(parseCSeq('0009 INVITE'), { seq: 9, method: 'INVITE' });
  assert.deepEqual(parseCSeq('  4711 \t REGISTER '), { seq: 4711, method: 'REGISTER' });
  assert.deepEqual(parseCSeq('4294967295 OPTIONS'), { seq: 4294967295, method: 'OPTIONS' });
  assert.deepEqual(parseCSeq('0 RE%47IST%45R'), { seq: 0, method: 'RE%47IST%45R' });
});

test('rejects a number above 2^32-1 (RFC 4475 §3.1.2.4, §3.1.2.5)', () => {
  for (const text of ['4294967296 INVITE', '36893488147419103232 REGISTER', '9292394834772304023312 OPTIONS']) {
    assert.throws(
      () => parseCSeq(text),
      (err: unknown) => err instanceof SipParseError && err.code === SipParseErrorCode.BAD_CSEQ,
    );
  }
});

test('rejects a missing or non-token method and a non-numeric number', () => {
  for (const text of ['8', '8 ', 'INVITE', '-1 INVITE', '8 INV/ITE', '8 INVITE extra', '']) {
    assert.throws(() => parseCSeq(text), SipParseError, text);
  }
});

test('formats as number SP method', () => {
  assert.equal(formatCSeq({ seq: 9, method: 'INVITE' }), '9 INVITE');
});
