/**
 * src/crm is shared by the pane (browser), the sandbox and the server: it must bundle for the
 * browser with no Node built-in and nothing from the server, the PBX or the SIP stack (the neutral
 * error base in src/errors/ and the pane–server contract in src/contract/ are all it shares with them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CRM = fileURLToPath(new URL('../../src/crm/', import.meta.url));

test('every crm module bundles for the browser from crm, the contract, the error base and libphonenumber-js alone', async () => {
  const entryPoints = readdirSync(CRM, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => CRM + name);
  assert.ok(entryPoints.length >= 10);
  const result = await build({ entryPoints, bundle: true, platform: 'browser', format: 'esm', write: false, outdir: '/bundle', metafile: true, logLevel: 'silent' });
  assert.deepEqual(result.errors, []);
  for (const input of Object.keys(result.metafile.inputs)) {
    assert.match(input, /^(src\/crm\/[\w/-]+\.ts|src\/contract\/[\w-]+\.ts|src\/errors\/coded-error\.ts|node_modules\/libphonenumber-js\/)/, input);
  }
});
