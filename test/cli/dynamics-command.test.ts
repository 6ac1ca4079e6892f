import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runDynamicsCommand, type DynamicsCommandIo, type DynamicsSubcommand } from '../../src/cli/dynamics-command.ts';
import { planImport } from '../../src/cli/extension-import.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/dataverse/index.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { APP, startSandboxOrg, type SandboxOrg } from '../dynamics/web-api/sandbox-org.ts';
import { cleanEnvironment, CLI, NODE, scratchDirectory } from './cli-fixture.ts';

const PANE = 'https://pbx.example.com';
const scratch = scratchDirectory('callpane-dynamics-cli');
let org: SandboxOrg;
let configPath: string;

before(async () => {
  org = await startSandboxOrg();
  configPath = join(scratch(), 'callpane.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      dataDir: join(scratch(), 'data'),
      http: { publicUrl: PANE },
      sandbox: { enabled: false },
      dynamics: { url: org.origin, authority: org.origin, tenantId: SANDBOX_TENANT_ID, clientId: APP.clientId, clientSecretEnv: 'DYNAMICS_SECRET', requestTimeoutSeconds: 5 },
    }),
  );
  const db = openDatabase(join(scratch(), 'data'));
  const extensions = createExtensionRepository(db);
  extensions.add({ number: '1001', displayName: 'Alex Agent', email: 'alex.agent@sandbox.example', passwordHash: 'x', sipSecret: 's'.repeat(24) });
  extensions.add({ number: '1003', displayName: '李娜', email: 'li.na@sandbox.example', passwordHash: 'x', sipSecret: 's'.repeat(24) });
  db.close();
});
after(() => org.close());
beforeEach(() => {
  for (const row of org.dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_ciproviderid').records)
    org.dataverse.delete('msdyn_ciproviders', String(row.msdyn_ciproviderid));
});

async function run(subcommand: DynamicsSubcommand, args: string[] = []): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: DynamicsCommandIo = {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    loadConfig: (path) => loadConfig({ argvConfigPath: path ?? configPath, env: { DYNAMICS_SECRET: APP.clientSecret }, cwd: scratch(), interfaces: {} }),
    openDatabase: (config) => openDatabase(config.dataDir),
    clientOptions: { sleep: async () => {} },
  };
  const code = await runDynamicsCommand(subcommand, args, io);
  return { code, stdout, stderr };
}

describe('callpane dynamics setup', () => {
  test('creates the channel provider record from http.publicUrl, then finds it up to date, and prints the steps by hand', async () => {
    const first = await run('setup', ['--role', 'Salesperson', '--order', '2']);
    assert.equal(first.code, 0, first.stderr.join('\n'));
    assert.match(first.stdout[0] ?? '', new RegExp(`^Channel provider record "Callpane for Dynamics 365" created: ${PANE}/dyncrm\\?base=${org.origin} \\(id [0-9a-f-]{36}\\)\\.$`));
    assert.ok(first.stdout.some((line) => line.includes('Select the roles for the channel   Salesperson')));
    const record = org.dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_sortorder,msdyn_roleselector').records;
    assert.equal(record.length, 1);
    assert.equal(record[0]?.msdyn_sortorder, 2);

    const again = await run('setup', ['--role', 'Salesperson', '--order', '2']);
    assert.match(again.stdout[0] ?? '', /already up to date/);
    assert.equal(org.dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_ciproviderid').records.length, 1);
  });

  test("--manual prints the form's fields and writes nothing", async () => {
    const manual = await run('setup', ['--manual', '--channel-url', `https://other.example.com/dyncrm?base=${org.origin}`]);
    assert.equal(manual.code, 0);
    assert.ok(manual.stdout.some((line) => line.includes(`Channel URL                        https://other.example.com/dyncrm?base=${org.origin}`)));
    assert.equal(org.dataverse.retrieveMultiple('msdyn_ciproviders', '?$select=msdyn_ciproviderid').records.length, 0);
  });

  test('refuses a Channel URL for another org or not HTTPS, an unknown role, and options of other commands', async () => {
    const otherOrg = await run('setup', ['--channel-url', `${PANE}/dyncrm?base=https://other.crm.dynamics.com`]);
    assert.equal(otherOrg.code, 2);
    assert.match(otherOrg.stderr[0] ?? '', /is not this org/);
    const role = await run('setup', ['--role', 'Nobody Has This']);
    assert.equal(role.code, 1);
    assert.match(role.stderr[0] ?? '', /no security role is named "Nobody Has This"/);
    const wrong = await run('setup', ['--start', '2000']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr[0] ?? '', /--start does not go with dynamics setup/);
  });
});

describe('callpane dynamics check', () => {
  test('prints one line per check and exits 1 while the channel provider is missing, 0 once it is set up', async () => {
    const before = await run('check');
    assert.equal(before.code, 1);
    assert.match(before.stdout[0] ?? '', new RegExp(`^Dynamics 365 org ${org.origin}, tenant ${SANDBOX_TENANT_ID}, app ${APP.clientId} \\(secret\\)$`));
    assert.match(before.stdout.find((line) => line.includes('channel provider')) ?? '', /^ {2}FIX +channel provider/);
    assert.equal(before.stdout.at(-1), '6 ok, 0 warnings, 1 to fix.');
    await run('setup', ['--role', 'Salesperson']);
    const after = await run('check');
    assert.equal(after.code, 0, after.stdout.join('\n'));
    assert.equal(after.stdout.at(-1), '7 ok, 0 warnings, 0 to fix.');
    assert.ok(
      after.stdout.some((line) => /^ {2}ok {4}extension 1003 {4}李娜 is 李娜/.test(line)),
      after.stdout.join('\n'),
    );
  });
});

describe('callpane dynamics users', () => {
  test("prints the role's users without an extension as CSV that ext import accepts", async () => {
    const result = await run('users', ['--role', 'System Administrator', '--start', '3000']);
    assert.equal(result.code, 0, result.stderr.join('\n'));
    assert.deepEqual(result.stdout, ['number,name,email', '3000,Sam Supervisor,sam.supervisor@sandbox.example']);
    const db = openDatabase(join(scratch(), 'data'));
    try {
      const plan = planImport(result.stdout.join('\r\n'), createExtensionRepository(db), false);
      assert.deepEqual(plan.errors, []);
      assert.deepEqual(
        plan.rows.map((row) => [row.number, row.displayName, row.email]),
        [['3000', 'Sam Supervisor', 'sam.supervisor@sandbox.example']],
      );
    } finally {
      db.close();
    }
  });

  test('says which role members already have an extension, and refuses an unknown role', async () => {
    const result = await run('users', ['--role', 'Salesperson']);
    assert.deepEqual(result.stdout, ['number,name,email']);
    assert.match(result.stderr[0] ?? '', /^2 users hold Salesperson: 0 proposed above, 2 already have an extension, 0 left out\.$/);
    assert.ok(result.stderr.includes('  Alex Agent <alex.agent@sandbox.example> has extension 1001'));
    assert.equal((await run('users', ['--role', 'Nobody'])).code, 1);
    assert.equal((await run('users', [])).code, 2);
  });
});

describe('the dynamics commands in callpane', () => {
  test('are listed in the usage and answer through bin/callpane.ts with their exit codes', async () => {
    const exec = promisify(execFile);
    const help = await exec(NODE, [CLI, 'dynamics', 'check', '--help'], { env: cleanEnvironment(), timeout: 30_000 });
    assert.match(help.stdout, /^Usage: callpane dynamics check \[options\]\n/);
    const usage = await exec(NODE, [CLI, '--help'], { env: cleanEnvironment(), timeout: 30_000 });
    assert.match(usage.stdout, /dynamics users --role <name>/);
    const check = await exec(NODE, [CLI, 'dynamics', 'check', '--config', configPath], { env: { ...cleanEnvironment(), DYNAMICS_SECRET: APP.clientSecret }, timeout: 60_000 }).then(
      (done) => ({ code: 0, stdout: done.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    assert.equal(check.code, 1);
    assert.match(check.stdout, /FIX +channel provider/);
  });
});
