import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { negotiateContentCoding, precompress } from '../../src/server/content-coding.ts';

test('precompressing gives Brotli and gzip bodies that decode to the original bytes, and smaller ones for text', async () => {
  const body = Buffer.from('export const greeting = "Hello from the pane";\n'.repeat(200));
  const encoded = await precompress(body);
  assert.equal(encoded.identity, body);
  assert.deepEqual(brotliDecompressSync(encoded.br), body);
  assert.deepEqual(gunzipSync(encoded.gzip), body);
  assert.ok(encoded.br.length < encoded.gzip.length && encoded.gzip.length < body.length / 10, `${encoded.br.length} ${encoded.gzip.length}`);
});

test('Accept-Encoding picks the coding with the highest q-value, Brotli first among equals (RFC 9110 §12.5.3)', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br, gzip', 'br'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=1.0, gzip;q=0.999', 'br'],
    ['gzip;q=0.8, br;q=0.9', 'br'],
    ['br;q=0, gzip;q=0.1', 'gzip'],
    ['br ; q=0 , gzip ; q=0', 'identity'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity;q=1, *;q=0.5', 'identity'],
    ['*;q=0, identity;q=0.1', 'identity'],
    // Nothing acceptable: sent uncoded all the same (§12.1 allows it instead of a 406).
    ['*;q=0', 'identity'],
    ['identity;q=0', 'identity'],
    ['identity;q=0, gzip;q=0.2', 'gzip'],
    // A malformed weight drops its element only.
    ['br;q=2, gzip', 'gzip'],
    ['br;q=high, gzip;q=0.1', 'gzip'],
    ['br;q=0.1234, gzip;q=0.5', 'gzip'],
    [',, ;q=1, gzip', 'gzip'],
  ];
  for (const [header, expected] of cases) assert.equal(negotiateContentCoding(header), expected, JSON.stringify(header));
});
