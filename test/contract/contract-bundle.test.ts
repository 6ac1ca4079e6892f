/**
 * src/contract is what the pane and the server agree on, and the pane ships it: every module must
 * bundle for the browser from the contract alone — no Node built-in, no package (zod validates
 * on the server, src/server/api/), nothing of the server, the store or the PBX.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CONTRACT = fileURLToPath(new URL('../../src/contract/', import.meta.url));

test('every contract module bundles for the browser from the contract alone', async () => {
  const entryPoints = readdirSync(CONTRACT)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => CONTRACT + name);
  assert.ok(entryPoints.length >= 5);
  const result = await build({ entryPoints, bundle: true, platform: 'browser', format: 'esm', write: false, outdir: '/bundle', metafile: true, logLevel: 'silent' });
  assert.deepEqual(result.errors, []);
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.length >= entryPoints.length);
  for (const input of inputs) assert.match(input, /^src\/contract\/[\w-]+\.ts$/, input);
});
