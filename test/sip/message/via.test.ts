import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatVia, parseVia } from '../../../src/sip/message/via.ts';
import { SipParseError } from '../../../src/sip/message/parse-error.ts';
import { SipParseErrorCode } from '../../../src/sip/sip-errors.ts';

function rejects(text: string, why: RegExp): void {
  assert.throws(
    () => parseVia(text),
    (err: unknown) => {
      assert.ok(err instanceof SipParseError);
      assert.equal(err.code, SipParseErrorCode.BAD_VIA);
      assert.match(err.message, why);
      return true;
    },
  );
}

test('reads protocol, transport, sent-by and parameters', () => {
  const via = parseVia('SIP/2.0/udp pc33.example.com:5066;branch=z9hG4bK776asdhds;rport;received=192.0.2.1');
  assert.equal(via.protocol, 'SIP/2.0');
  assert.equal(via.transport, 'UDP');
  assert.equal(via.host, 'pc33.example.com');
  assert.equal(via.port, 5066);
  assert.deepEqual(
    [...via.params],
    [
      ['branch', 'z9hG4bK776asdhds'],
      ['rport', null],
      ['received', '192.0.2.1'],
    ],
  );
});

test('allows LWS around the slashes, before ; and around = (RFC 4475 §3.1.1.1)', () => {
  const a = parseVia('SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw');
  assert.equal(a.transport, 'UDP');
  assert.equal(a.host, '192.0.2.2');
  const b = parseVia('SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8');
  assert.equal(b.host, 'spindle.example.com');
  assert.equal(b.params.get('branch'), 'z9hG4bK9ikj8');
  assert.equal(parseVia('SIP/2.0/UDP host.example.com : 5060').port, 5060);
});

test('keeps % in a branch as a plain token char (RFC 4475 §3.1.1.5)', () => {
  assert.equal(parseVia('SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234').params.get('branch'), 'z9hG4bK209%fzsnel234');
});

test('reads bracketed IPv6 sent-by and received with or without brackets (RFC 5118 §4.5)', () => {
  const via = parseVia('SIP/2.0/UDP [2001:db8::9:1]:6050;received=[2001:db8::9:255];branch=z9hG4bKas3-111');
  assert.equal(via.host, '[2001:db8::9:1]');
  assert.equal(via.port, 6050);
  assert.equal(via.params.get('received'), '[2001:db8::9:255]');
  assert.equal(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255').params.get('received'), '2001:db8::9:255');
});

test('accepts unknown transports (RFC 4475 §3.1.1.10)', () => {
  assert.equal(parseVia('SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en').transport, 'UNKNOWN');
});

test('rejects other protocol versions, missing parts and extra separators', () => {
  rejects('SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw', /not SIP\/2.0/);
  rejects('SIP/2.0 host.example.com', /name\/version\/transport/);
  rejects('SIP/2.0/UDP', /sent-by/);
  rejects('SIP/2.0/UDPhost.example.com', /LWS/);
  rejects('SIP/2.0/UDP 192.0.2.15;;', /empty parameter/);
  rejects('SIP/2.0/UDP 2001:db8::1', /host/);
  rejects('SIP/2.0/UDP host:99999', /port/);
  rejects('SIP/2.0/UDP host;received=example.com', /IP address/);
  rejects('SIP/2.0/UDP host;branch', /branch needs a value/);
  rejects('SIP/2.0/UDP host;rport=x', /rport/);
  rejects('SIP/2.0/UDP host;ttl=256', /ttl/);
  rejects('SIP/2.0/UDP host extra', /unexpected/);
});

test('formats a Via with IPv6, port and the rport flag', () => {
  const via = parseVia('SIP/2.0/TCP [2001:db8::20]:5061;branch=z9hG4bK1;rport');
  assert.equal(formatVia(via), 'SIP/2.0/TCP [2001:db8::20]:5061;branch=z9hG4bK1;rport');
  via.params.set('rport', '50000');
  via.params.set('received', '2001:db8::99');
  assert.equal(formatVia(via), 'SIP/2.0/TCP [2001:db8::20]:5061;branch=z9hG4bK1;rport=50000;received=2001:db8::99');
  assert.deepEqual(parseVia(formatVia(via)), via);
});
