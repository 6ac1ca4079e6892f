import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha1 } from '../../src/crm/sha1.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);

test('gives the FIPS 180 example digests', () => {
  assert.equal(hex(sha1(utf8('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(hex(sha1(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  assert.equal(hex(sha1(utf8(''))), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  assert.equal(hex(sha1(utf8('a'.repeat(1_000_000)))), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
});

test('agrees with node:crypto at every padding boundary', () => {
  for (let length = 0; length <= 200; length += 1) {
    const message = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
    assert.equal(hex(sha1(message)), createHash('sha1').update(message).digest('hex'), `length ${length}`);
  }
});
