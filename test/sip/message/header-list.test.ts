import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addHeader, getHeader, getHeaders, removeHeader, setHeader } from '../../../src/sip/message/header-list.ts';
import type { Header } from '../../../src/sip/message/types.ts';

function msg(headers: Header[]): { headers: Header[] } {
  return { headers: headers.map((h) => ({ ...h })) };
}

const sample = (): { headers: Header[] } =>
  msg([
    { name: 'Via', value: 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1' },
    { name: 'v', value: 'SIP/2.0/UDP b.example.com;branch=z9hG4bK2' },
    { name: 'From', value: '<sip:a@example.com>;tag=1' },
    { name: 'x-custom', value: 'one' },
    { name: 'VIA', value: 'SIP/2.0/UDP c.example.com;branch=z9hG4bK3' },
  ]);

test('getHeader returns the first value, matching case-insensitively and through compact forms', () => {
  const m = sample();
  assert.equal(getHeader(m, 'via'), 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1');
  assert.equal(getHeader(m, 'f'), '<sip:a@example.com>;tag=1');
  assert.equal(getHeader(m, 'X-Custom'), 'one');
  assert.equal(getHeader(m, 'To'), undefined);
});

test('getHeaders returns every value in message order', () => {
  assert.deepEqual(getHeaders(sample(), 'V'), [
    'SIP/2.0/UDP a.example.com;branch=z9hG4bK1',
    'SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
    'SIP/2.0/UDP c.example.com;branch=z9hG4bK3',
  ]);
  assert.deepEqual(getHeaders(sample(), 'Contact'), []);
});

test('setHeader replaces all occurrences where the first one stood, with the canonical name', () => {
  const m = sample();
  const array = m.headers;
  setHeader(m, 'v', 'SIP/2.0/TCP only.example.com;branch=z9hG4bKx');
  assert.equal(m.headers, array, 'the array is edited in place');
  assert.deepEqual(m.headers, [
    { name: 'Via', value: 'SIP/2.0/TCP only.example.com;branch=z9hG4bKx' },
    { name: 'From', value: '<sip:a@example.com>;tag=1' },
    { name: 'x-custom', value: 'one' },
  ]);
  setHeader(m, 'Max-Forwards', '70');
  assert.deepEqual(m.headers.at(-1), { name: 'Max-Forwards', value: '70' });
});

test('addHeader puts the header first or last', () => {
  const m = sample();
  addHeader(m, 'v', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp', 'first');
  addHeader(m, 'route', '<sip:p.example.com;lr>');
  assert.deepEqual(m.headers[0], { name: 'Via', value: 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp' });
  assert.deepEqual(m.headers.at(-1), { name: 'Route', value: '<sip:p.example.com;lr>' });
});

test('removeHeader removes every occurrence and says how many', () => {
  const m = sample();
  assert.equal(removeHeader(m, 'Via'), 3);
  assert.deepEqual(
    m.headers.map((h) => h.name),
    ['From', 'x-custom'],
  );
  assert.equal(removeHeader(m, 'Via'), 0);
  assert.equal(removeHeader(m, 'X-CUSTOM'), 1);
});
