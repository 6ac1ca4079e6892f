import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, NODE, cleanEnvironment, scratchDirectory, type CliResult } from './cli-fixture.ts';
import { itemAt } from '../support/item-at.ts';

const TIMEOUT_MS = 20_000;

const MATCH_SECRET = 'match-secret-7f3a';
const OUTBOUND_SECRET = 'outbound-secret-91c2';

const scratch = scratchDirectory('callpane-cli-trunks');

type Result = CliResult;

function configCheck(configFile: string): Promise<Result> {
  const env = cleanEnvironment();
  const child = spawn(NODE, [CLI, 'config', 'check', '--config', configFile], {
    cwd: scratch(),
    env: { ...env, CALLPANE_DATA_DIR: join(scratch(), 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`config check did not finish: ${stdout}${stderr}`));
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function writeConfig(name: string, value: unknown): string {
  const path = join(scratch(), name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const trunks = [
  {
    name: 'carrier',
    host: 'sip.carrier.example',
    match: { addresses: ['203.0.113.0/24'] },
    outbound: { username: 'acct-4711', password: OUTBOUND_SECRET, callerId: '+493012345600' },
    country: 'DE',
  },
  { name: 'office-pbx', transport: 'tcp', match: { username: 'office-pbx', password: MATCH_SECRET } },
];

test('config check prints trunks and routes with every trunk password redacted', async () => {
  const file = writeConfig('good.json', {
    trunks,
    routes: { inbound: [{ did: '+493012345600', extension: '1001' }], outbound: [{ pattern: '_0.', trunk: 'carrier', strip: 1, prepend: '+49' }] },
  });
  const result = await configCheck(file);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /configuration OK\n$/);
  const printed = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'), result.stdout.lastIndexOf('}') + 1));
  assert.equal(printed.trunks[0].outbound.password, '[redacted]');
  assert.equal(printed.trunks[0].outbound.username, 'acct-4711');
  assert.equal(printed.trunks[1].match.password, '[redacted]');
  assert.equal(printed.trunks[1].match.username, 'office-pbx');
  assert.equal(printed.trunks[0].port, 5060);
  assert.deepEqual(printed.routes.inbound, [{ did: '+493012345600', extension: '1001' }]);
  assert.ok(!result.stdout.includes(MATCH_SECRET) && !result.stdout.includes(OUTBOUND_SECRET));
  assert.ok(!result.stderr.includes(MATCH_SECRET) && !result.stderr.includes(OUTBOUND_SECRET));
});

test('config check refusing a trunk configuration shows no password either', async () => {
  const broken = [{ ...trunks[0], name: 'Carrier!', outbound: { ...itemAt(trunks, 0).outbound, pasword: OUTBOUND_SECRET } }, trunks[1], trunks[1]];
  const result = await configCheck(writeConfig('bad.json', { trunks: broken, routes: { outbound: [{ pattern: '_0.', trunk: 'nowhere' }] } }));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /trunks\[0\]\.name = "Carrier!"/);
  assert.match(result.stderr, /trunks\[0\]\.outbound\.pasword = "\[redacted\]": unknown key/);
  assert.ok(!result.stdout.includes(MATCH_SECRET) && !result.stdout.includes(OUTBOUND_SECRET));
  assert.ok(!result.stderr.includes(MATCH_SECRET) && !result.stderr.includes(OUTBOUND_SECRET), result.stderr);
});
