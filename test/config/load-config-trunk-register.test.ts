import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';

let dir: string;
let count = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-register-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function load(trunk: Record<string, unknown>, sip?: Record<string, unknown>) {
  const path = join(dir, `config-${++count}.json`);
  writeFileSync(path, JSON.stringify({ trunks: [trunk], ...(sip ? { sip } : {}) }));
  return loadConfig({ env: {}, cwd: dir, interfaces: {}, argvConfigPath: path });
}

function problemsOf(trunk: Record<string, unknown>, sip?: Record<string, unknown>): readonly string[] {
  try {
    load(trunk, sip);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('expected the configuration to be refused');
}

const registering = { name: 'carrier', host: 'sip.carrier.example', outbound: { username: 'acct-4711', password: 'carrier-secret' }, register: {} };

describe('a trunk that registers to its carrier', () => {
  test('asks for 300 seconds unless told otherwise, and needs no match: its contact identifies it', () => {
    const [trunk] = load(registering).trunks;
    assert.deepEqual([trunk?.register, trunk?.match], [{ expires: 300 }, {}]);
    assert.deepEqual(load({ ...registering, register: { expires: 3600, user: '+493012345600' } }).trunks[0]?.register, { expires: 3600, user: '+493012345600' });
  });

  test('needs a host to register to and the outbound credentials to register with', () => {
    assert.deepEqual(problemsOf({ name: 'carrier', register: {} }), [
      'trunks[0].host = (not set): is needed with register: the REGISTER is sent to the trunk host',
      'trunks[0].outbound = (not set): is needed with register: outbound.username and outbound.password are the account registered',
    ]);
  });

  test('cannot register over WebSocket, where the peer connects to Callpane', () => {
    const problems = problemsOf({ ...registering, host: undefined, transport: 'ws', match: { username: 'peer', password: 'peer-secret' } });
    assert.ok(problems.includes('trunks[0].register = {}: cannot be used with transport ws: Callpane registers only to a host over udp, tcp or tls'), problems.join('\n'));
  });

  test('needs its transport among sip.transports, naming both keys', () => {
    assert.deepEqual(problemsOf({ ...registering, transport: 'tcp' }, { transports: ['udp'] }), [
      'trunks[0].transport = "tcp": must be one of sip.transports (udp) for a trunk that registers: its REGISTER is sent and its calls arrive over it; add tcp to sip.transports or choose another transport',
    ]);
    assert.equal(load({ ...registering, transport: 'tcp' }, { transports: ['udp', 'tcp'] }).trunks[0]?.transport, 'tcp');
  });

  test('refuses an expiry outside 60 s to a day, and unknown keys', () => {
    assert.deepEqual(problemsOf({ ...registering, register: { expires: 30 } }), ['trunks[0].register.expires = 30: must be an integer from 60 to 86400 seconds (default 300)']);
    assert.match(problemsOf({ ...registering, register: { interval: 60 } })[0] ?? '', /^trunks\[0\]\.register/);
  });
});

describe('docs/pbx-trunks.md', () => {
  test('every configuration it shows loads as written', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/pbx-trunks.md'), 'utf8');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? '');
    assert.ok(blocks.length >= 5, `the example and the recipes, found ${blocks.length}`);
    for (const block of blocks) {
      const path = join(dir, `doc-${++count}.json`);
      writeFileSync(path, block);
      assert.doesNotThrow(() => loadConfig({ env: {}, cwd: dir, interfaces: {}, argvConfigPath: path }), block.slice(0, 200));
    }
  });
});
