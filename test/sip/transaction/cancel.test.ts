import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCancel } from '../../../src/sip/transaction/index.ts';
import { header, headers, request } from './helpers.ts';

test('builds a CANCEL with the INVITE Request-URI, Call-ID, To, From, CSeq number, top Via and Route (RFC 3261 §9.1)', () => {
  const invite = request({ cseq: 314, routes: ['<sip:p1.test;lr>', '<sip:p2.test;lr>'] });
  invite.headers.unshift(
    { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKours;rport' },
    { name: 'Via', value: 'SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKupstream' },
  );
  const cancel = createCancel(invite);
  assert.equal(cancel.method, 'CANCEL');
  assert.equal(cancel.uri, invite.uri);
  assert.deepEqual(headers(cancel, 'Via'), ['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKours;rport']);
  assert.equal(header(cancel, 'To'), header(invite, 'To'));
  assert.equal(header(cancel, 'From'), header(invite, 'From'));
  assert.equal(header(cancel, 'Call-ID'), header(invite, 'Call-ID'));
  assert.equal(header(cancel, 'CSeq'), '314 CANCEL');
  assert.deepEqual(headers(cancel, 'Route'), ['<sip:p1.test;lr>', '<sip:p2.test;lr>']);
  assert.equal(header(cancel, 'Max-Forwards'), '70');
  assert.equal(header(cancel, 'Contact'), undefined);
  assert.equal(cancel.body.length, 0);
});

test('takes only the first value of a comma-joined Via line', () => {
  const invite = request();
  invite.headers.unshift({ name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa, SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKb' });
  assert.deepEqual(headers(createCancel(invite), 'Via'), ['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa']);
});

test('refuses to cancel anything but an INVITE', () => {
  const bye = request({ method: 'BYE', via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx' });
  assert.throws(() => createCancel(bye), /only INVITE/);
});
