import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHeaderName, isListHeader } from '../../../src/sip/message/header-names.ts';

test('expands every compact form to its long name', () => {
  const expected: Record<string, string> = {
    i: 'Call-ID',
    m: 'Contact',
    e: 'Content-Encoding',
    l: 'Content-Length',
    c: 'Content-Type',
    f: 'From',
    s: 'Subject',
    k: 'Supported',
    t: 'To',
    v: 'Via',
    o: 'Event',
    r: 'Refer-To',
    b: 'Referred-By',
    u: 'Allow-Events',
    x: 'Session-Expires',
    y: 'Identity',
    a: 'Accept-Contact',
    j: 'Reject-Contact',
    d: 'Request-Disposition',
  };
  for (const [short, long] of Object.entries(expected)) {
    assert.equal(canonicalHeaderName(short), long);
    assert.equal(canonicalHeaderName(short.toUpperCase()), long);
  }
});

test('writes known headers in their canonical case', () => {
  assert.equal(canonicalHeaderName('MaX-fOrWaRdS'), 'Max-Forwards');
  assert.equal(canonicalHeaderName('call-id'), 'Call-ID');
  assert.equal(canonicalHeaderName('CSEQ'), 'CSeq');
  assert.equal(canonicalHeaderName('www-authenticate'), 'WWW-Authenticate');
  assert.equal(canonicalHeaderName('ViA'), 'Via');
  assert.equal(canonicalHeaderName('ViA'), 'Via');
});

test('keeps unknown headers as written, even ones that look escaped (RFC 4475 §3.1.1.5)', () => {
  assert.equal(canonicalHeaderName('NewFangledHeader'), 'NewFangledHeader');
  assert.equal(canonicalHeaderName('C%6Fntact'), 'C%6Fntact');
  assert.equal(canonicalHeaderName('z'), 'z');
});

test('marks comma-separated list headers as splittable', () => {
  for (const name of [
    'Via',
    'Contact',
    'Route',
    'Record-Route',
    'Path',
    'Service-Route',
    'Allow',
    'Supported',
    'Require',
    'Proxy-Require',
    'Unsupported',
    'Accept',
    'Accept-Encoding',
    'Accept-Language',
    'Content-Encoding',
    'Allow-Events',
    'Warning',
    'In-Reply-To',
    'Call-Info',
    'Alert-Info',
    'Error-Info',
  ]) {
    assert.equal(isListHeader(name), true, name);
  }
});

test('never splits authentication headers, Date, singletons or unknown headers', () => {
  for (const name of [
    'WWW-Authenticate',
    'Authorization',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Authentication-Info',
    'Date',
    'To',
    'From',
    'CSeq',
    'Call-ID',
    'Subject',
    'NewFangledHeader',
    'X-List',
  ]) {
    assert.equal(isListHeader(name), false, name);
  }
});
