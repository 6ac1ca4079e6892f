import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startCallpane } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/load-config.ts';
import { routingProblems } from '../../src/pbx/routing/routing-problems.ts';
import { DEMO_CARRIER_DID, DEMO_CARRIER_FILE, DEMO_CARRIER_TRUNK, demoCarrierPassword, findDemoCarrier, withDemoCarrier } from '../../src/server/demo-carrier.ts';
import { createLogger } from '../../src/server/logger.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-demo-carrier-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration as `callpane start` loads it, from an optional file and variables. */
function load(name: string, env: Record<string, string> = {}, file?: Record<string, unknown>): Config {
  const cwd = join(dir, name);
  const argvConfigPath = file ? join(dir, `${name}.json`) : undefined;
  if (argvConfigPath) writeFileSync(argvConfigPath, JSON.stringify(file));
  return loadConfig({ argvConfigPath, env: { CALLPANE_DATA_DIR: cwd, CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_HTTP_PORT: '0', ...env }, cwd: dir, interfaces: {} });
}

describe('the demo carrier derived from the configuration', () => {
  test('a demo with its sandbox gets a ws trunk with credentials, no host and WebRTC media (the customer phone is a browser), and its DID rings 1001 in the US', () => {
    const config = withDemoCarrier(load('demo'), 'secret-1');
    assert.deepEqual(config.trunks, [
      { name: DEMO_CARRIER_TRUNK, port: 5060, transport: 'ws', match: { username: 'demo-carrier', password: 'secret-1' }, country: 'US', media: 'webrtc' },
    ]);
    assert.deepEqual(config.routes.inbound, [{ did: '+14155550199', extension: '1001' }]);
    assert.equal(findDemoCarrier(config)?.match.password, 'secret-1');
    assert.deepEqual(routingProblems(config.trunks, config.routes), []);
  });

  test('there is none when the demo extensions are off, when the sandbox is off, or both (a production configuration)', () => {
    const productionLike: Array<Record<string, string>> = [
      { CALLPANE_DEMO_SEED_EXTENSIONS: 'false' },
      { CALLPANE_SANDBOX_ENABLED: 'false' },
      { CALLPANE_DEMO_SEED_EXTENSIONS: 'false', CALLPANE_SANDBOX_ENABLED: 'false' },
    ];
    for (const env of productionLike) {
      const loaded = load('off', env);
      const config = withDemoCarrier(loaded, 'secret-1');
      assert.equal(config, loaded, JSON.stringify(env));
      assert.equal(findDemoCarrier(config), undefined);
    }
  });

  test("the file's trunks and routes come first: the demo carrier and its route are added after them", () => {
    const file = {
      trunks: [{ name: 'carrier', host: '192.0.2.1', match: { addresses: ['192.0.2.1'] } }],
      routes: { inbound: [{ did: '+14155550123', extension: '1002' }], outbound: [{ pattern: '_+.', trunk: 'carrier' }] },
    };
    const config = withDemoCarrier(load('merged', {}, file), 'secret-1');
    assert.deepEqual(
      config.trunks.map((trunk) => trunk.name),
      ['carrier', DEMO_CARRIER_TRUNK],
    );
    assert.deepEqual(config.routes.inbound, [
      { did: '+14155550123', extension: '1002' },
      { did: DEMO_CARRIER_DID, extension: '1001' },
    ]);
    assert.deepEqual(config.routes.outbound, file.routes.outbound);
    assert.deepEqual(routingProblems(config.trunks, config.routes), []);
  });

  test('a configured inbound route that already takes the demo DID keeps it: no demo route is added', () => {
    const file = { routes: { inbound: [{ did: '_+1415555XXXX', extension: '1002' }] } };
    const config = withDemoCarrier(load('did-taken', {}, file), 'secret-1');
    assert.ok(findDemoCarrier(config), 'the trunk is still added');
    assert.deepEqual(config.routes.inbound, file.routes.inbound);
    assert.deepEqual(routingProblems(config.trunks, config.routes), []);
  });

  test('a trunk of the file named demo-carrier, or using its username, wins: nothing is added', () => {
    for (const trunk of [
      { name: DEMO_CARRIER_TRUNK, transport: 'ws', match: { username: 'mine', password: 'file-password' } },
      { name: 'other', transport: 'ws', match: { username: DEMO_CARRIER_TRUNK, password: 'file-password' } },
    ]) {
      const loaded = load('taken', {}, { trunks: [trunk] });
      const config = withDemoCarrier(loaded, 'secret-1');
      assert.equal(config, loaded);
      assert.equal(config.trunks.length, 1);
      assert.deepEqual(config.routes.inbound, []);
    }
  });

  test('the password is generated once and kept in a private file of the data directory', () => {
    const dataDir = mkdtempSync(join(dir, 'password-'));
    const first = demoCarrierPassword(dataDir);
    assert.ok(first.length >= 20, 'a long random secret');
    assert.equal(demoCarrierPassword(dataDir), first);
    const path = join(dataDir, DEMO_CARRIER_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { password: string }).password, first);
    assert.notEqual(demoCarrierPassword(mkdtempSync(join(dir, 'password-'))), first, 'each installation has its own');
  });
});

describe('the demo carrier in a running Callpane', () => {
  async function start(name: string, env: Record<string, string> = {}) {
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    const config = load(name, { CALLPANE_SANDBOX_PORT: '0', ...env });
    const running = await startCallpane({ config, logger: createLogger({ level: 'debug', pretty: false, destination }) });
    return { running, lines, config };
  }

  test('a demo start adds it for the services to see, with the kept password, which no log line shows', async () => {
    const { running, lines } = await start('running');
    try {
      const trunk = findDemoCarrier(running.context.config);
      assert.ok(trunk, 'the services see the demo carrier');
      assert.equal(trunk.match.password, demoCarrierPassword(running.context.config.dataDir));
      assert.ok(lines.length > 0, 'something was logged');
      assert.ok(!lines.join('').includes(trunk.match.password as string), 'the password is never logged');
    } finally {
      await running.close();
    }
  });

  test('a start with the sandbox off has no demo carrier and writes no password file', async () => {
    const { running, config } = await start('no-sandbox', { CALLPANE_SANDBOX_ENABLED: 'false' });
    try {
      assert.equal(findDemoCarrier(running.context.config), undefined);
      assert.deepEqual(running.context.config.trunks, []);
      assert.throws(() => statSync(join(config.dataDir, DEMO_CARRIER_FILE)), { code: 'ENOENT' });
    } finally {
      await running.close();
    }
  });
});
