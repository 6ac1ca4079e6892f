import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startCallpane } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { Dataverse } from '../../src/sandbox/dataverse/index.ts';
import { resetSandboxData, sandboxDatabasePath, startSandboxService, type SandboxService } from '../../src/sandbox/sandbox-service.ts';
import { formatBanner } from '../../src/server/banner.ts';
import { createLogger } from '../../src/server/logger.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-sandbox-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('Callpane starts the sandbox on its own port, framing its own /dyncrm with the sandbox as base', async () => {
  const dataDir = join(dir, 'start');
  const config = loadConfig({
    env: { CALLPANE_DATA_DIR: dataDir, CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_HTTP_PORT: '0', CALLPANE_SANDBOX_PORT: '0', CALLPANE_DEMO_SEED_EXTENSIONS: 'false' },
    cwd: dir,
    interfaces: {},
  });
  let sandbox: SandboxService | undefined;
  const running = await startCallpane({
    config,
    logger: createLogger({ level: 'silent', pretty: false }),
    extraServices: [async (context) => (sandbox = await startSandboxService(context))],
  });
  try {
    assert.ok(sandbox);
    assert.match(sandbox.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(sandbox.url).port, new URL(running.httpUrl).port);
    assert.equal(sandbox.channelUrl(), `${running.httpUrl}/dyncrm?base=${sandbox.url}`);
    const page = await (await fetch(`${sandbox.url}/main.aspx`)).text();
    assert.ok(page.includes(JSON.stringify(sandbox.channelUrl()).slice(1, -1)), 'the panel frames the Channel URL');
    assert.ok(existsSync(sandboxDatabasePath(dataDir)), 'its data lives in sandbox.db, apart from the PBX database');
    const pane = await fetch(sandbox.channelUrl());
    assert.equal(pane.status, 200, 'the pane takes the running sandbox as its Dynamics 365 base without configuration');
    assert.match(pane.headers.get('content-security-policy') ?? '', new RegExp(`frame-ancestors ${sandbox.url}`));
  } finally {
    await running.close();
  }
  await assert.rejects(fetch(`${sandbox.url}/main.aspx`), 'the sandbox stops with Callpane');
});

test('a taken sandbox port stops the start with a message naming the setting', async () => {
  const taken = createServer();
  await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
  const port = (taken.address() as { port: number }).port;
  try {
    const config = loadConfig({
      env: {
        CALLPANE_DATA_DIR: join(dir, 'taken'),
        CALLPANE_HTTP_HOST: '127.0.0.1',
        CALLPANE_HTTP_PORT: '0',
        CALLPANE_SANDBOX_PORT: String(port),
        CALLPANE_DEMO_SEED_EXTENSIONS: 'false',
      },
      cwd: dir,
      interfaces: {},
    });
    await assert.rejects(
      startCallpane({ config, logger: createLogger({ level: 'silent', pretty: false }), extraServices: [startSandboxService] }),
      /sandbox cannot listen on 127\.0\.0\.1:\d+: the address is already in use \(set sandbox\.port \/ CALLPANE_SANDBOX_PORT/,
    );
  } finally {
    taken.close();
  }
});

test('sandbox.db and its journal are private (0600) like the rest of the data directory, also when a former version left them 0644', async () => {
  const modes = (dataDir: string) =>
    Object.fromEntries(
      readdirSync(dataDir)
        .filter((name) => name.startsWith('sandbox.db'))
        .map((name) => [name, (statSync(join(dataDir, name)).mode & 0o777).toString(8)]),
    );
  const fresh = join(dir, 'private');
  const config = loadConfig({
    env: { CALLPANE_DATA_DIR: fresh, CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_HTTP_PORT: '0', CALLPANE_SANDBOX_PORT: '0', CALLPANE_DEMO_SEED_EXTENSIONS: 'false' },
    cwd: dir,
    interfaces: {},
  });
  const running = await startCallpane({ config, logger: createLogger({ level: 'silent', pretty: false }), extraServices: [startSandboxService] });
  try {
    assert.deepEqual(modes(fresh), { 'sandbox.db': '600' });
  } finally {
    await running.close();
  }

  const former = join(dir, 'former');
  mkdirSync(former);
  for (const name of ['sandbox.db', 'sandbox.db-journal']) writeFileSync(join(former, name), '', { mode: 0o644 });
  resetSandboxData(former);
  assert.equal(modes(former)['sandbox.db'], '600');
  for (const mode of Object.values(modes(former))) assert.equal(mode, '600');
});

test('a reset removes records made since and restores the seed', () => {
  const dataDir = join(dir, 'reset');
  const before = resetSandboxData(dataDir);
  const dataverse = new Dataverse({ path: sandboxDatabasePath(dataDir) });
  const { id } = dataverse.create('contacts', { lastname: 'Temporary' });
  dataverse.close();
  assert.deepEqual(resetSandboxData(dataDir), before);
  const reopened = new Dataverse({ path: sandboxDatabasePath(dataDir) });
  try {
    assert.throws(() => reopened.retrieve('contacts', id), /Does Not Exist/);
  } finally {
    reopened.close();
  }
  assert.ok(before.contacts >= 200 && before.accounts >= 50 && before.leads >= 50 && before.phonecalls > 0, JSON.stringify(before));
});

test('callpane sandbox reset says what it restored', async () => {
  const dataDir = join(dir, 'cli');
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CALLPANE_') || name.startsWith('CALLPANE_TEST_')) env[name] = value;
  const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'bin/callpane.ts'), 'sandbox', 'reset'], {
    cwd: dir,
    env: { ...env, CALLPANE_DATA_DIR: dataDir },
    timeout: 20_000,
  });
  assert.match(stdout, /^Sandbox data restored to the seed: \d+ contacts, \d+ accounts, \d+ leads, \d+ phone calls\.\n$/);
  assert.ok(existsSync(sandboxDatabasePath(dataDir)));
});

test('the banner shows the sandbox and the Channel URL it frames', () => {
  const text = formatBanner({
    httpUrl: 'http://localhost:8080',
    publicUrl: undefined,
    sipUris: [],
    demo: [],
    dataDir: '/srv/data',
    sandbox: { url: 'http://127.0.0.1:8081', channelUrl: 'http://localhost:8080/dyncrm?base=http://127.0.0.1:8081' },
  });
  assert.match(
    text,
    /\n {2}Sandbox {4}http:\/\/127\.0\.0\.1:8081\/ {2}\(Local Dynamics 365 sandbox\)\n {13}Channel URL http:\/\/localhost:8080\/dyncrm\?base=http:\/\/127\.0\.0\.1:8081\n/,
  );
  assert.doesNotMatch(formatBanner({ httpUrl: 'http://localhost:8080', publicUrl: undefined, sipUris: [], demo: [], dataDir: '/d' }), /Sandbox/);
});
