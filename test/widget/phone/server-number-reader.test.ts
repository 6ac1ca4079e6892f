import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { libphonenumberReader } from '../../../src/crm/numbers/phone-number.ts';
import { phoneFacts } from '../../../src/server/api/phone-routes.ts';
import { paneReplacements } from '../../../src/server/pane/pane-bundle.ts';
import { NORMALIZE_BATCH, ServerNumberReader, type AskServer } from '../../../src/widget/phone/server-number-reader.ts';

/** A server that reads as the phone route does, and counts what it was asked. */
function server(reachable = true): { ask: AskServer; asked: string[][] } {
  const asked: string[][] = [];
  const ask: AskServer = async (numbers, region) => {
    asked.push([...numbers]);
    return reachable ? numbers.map((number) => phoneFacts(libphonenumberReader, number, region)) : undefined;
  };
  return { ask, asked };
}

describe('the pane’s number reader', () => {
  test('asks the server only about numbers it has not read in that region, each once, in batches the server accepts', async () => {
    const { ask, asked } = server();
    const reader = new ServerNumberReader(ask);
    await reader.readerFor(['+1 415 555 0100', '+1 415 555 0100', '1002'], 'US');
    await reader.readerFor(['+1 415 555 0100'], 'US');
    await reader.readerFor(['+1 415 555 0100'], 'DE');
    assert.deepEqual(asked, [['+1 415 555 0100', '1002'], ['+1 415 555 0100']]);
    const many = Array.from({ length: NORMALIZE_BATCH + 1 }, (_, index) => `+1 628 555 ${String(index).padStart(4, '0')}`);
    await reader.readerFor(many, 'US');
    assert.deepEqual(
      asked.slice(2).map((batch) => batch.length),
      [NORMALIZE_BATCH, 1],
    );
  });

  test('reads a number the server has not read as no number, so nothing is popped or written from a guess', async () => {
    const reader = new ServerNumberReader(server(false).ask);
    const numbers = await reader.readerFor(['+1 415 555 0100'], 'US');
    assert.deepEqual(numbers.read('+1 415 555 0100', 'US'), { kind: 'none', digits: '14155550100' });
    assert.equal(reader.readSoFar().read('(415) 555-0100', 'US').kind, 'none');
  });

  test('shows what the server answered to another request (a caller’s lookup) without asking again', () => {
    const reader = new ServerNumberReader(server(false).ask);
    reader.learn([phoneFacts(libphonenumberReader, '(415) 555-0100', 'US')], 'US');
    const numbers = reader.readSoFar();
    assert.equal(numbers.international(numbers.read('(415) 555-0100', 'US')), '+1 415 555 0100');
  });
});

describe('the pane’s bundle', () => {
  test('carries neither the numbering-plan data, the server’s number reader nor the debug package, with no module swapped for numbers', async () => {
    const entry = fileURLToPath(new URL('../../../src/widget/main.ts', import.meta.url));
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      logLevel: 'silent',
      plugins: [paneReplacements()],
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.deepEqual(
      inputs.filter((input) => /libphonenumber-js|node_modules\/debug\/|src\/crm\/phone-number\.ts/.test(input)),
      [],
    );
    assert.ok(inputs.some((input) => input.endsWith('src/widget/phone/server-number-reader.ts')));
    assert.ok(inputs.some((input) => input.includes('node_modules/jssip/')));
  });
});
