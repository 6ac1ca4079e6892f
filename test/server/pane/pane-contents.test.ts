/**
 * What the pane ships: the widget, the pure crm/ logic, the contract it shares with the server,
 * the error base and the browser packages it uses — nothing of the server, the store, the PBX or
 * the SIP stack, and no server-side package (zod validates on the server only: in the pane it
 * would weigh about as much as the rest of it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { PANE_SOURCES, paneReplacements } from '../../../src/server/pane/pane-bundle.ts';
import { itemAt } from '../../support/item-at.ts';

/** The browser packages the pane is made of (JsSIP's own dependencies among them). */
const BROWSER_PACKAGES = ['preact', 'jssip', 'libphonenumber-js', 'sdp-transform', 'events'];

async function paneInputs(): Promise<string[]> {
  const result = await build({
    entryPoints: [PANE_SOURCES.entry],
    bundle: true,
    write: false,
    outdir: '/bundle',
    format: 'esm',
    platform: 'browser',
    metafile: true,
    logLevel: 'silent',
    plugins: [paneReplacements()],
  });
  return Object.keys(result.metafile.inputs);
}

test('the pane bundles only the widget, crm/, the contract, the error base and browser packages', async () => {
  const inputs = await paneInputs();
  assert.ok(
    inputs.some((input) => input.startsWith('src/contract/')),
    'the pane uses the contract',
  );
  const own = inputs.filter((input) => input.startsWith('src/'));
  assert.deepEqual(
    own.filter((input) => !/^src\/(widget|crm|contract|errors)\//.test(input)),
    [],
  );
  const packages = new Set(inputs.filter((input) => input.startsWith('node_modules/')).map((input) => itemAt(input.split('/'), 1)));
  assert.deepEqual(
    [...packages].filter((name) => !BROWSER_PACKAGES.includes(name)),
    [],
  );
  assert.deepEqual(
    inputs.filter((input) => !input.startsWith('src/') && !input.startsWith('node_modules/') && !input.startsWith('pane-debug-off:')),
    [],
  );
});
