import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPassword } from '../../src/security/password-hash.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createSessionRepository } from '../../src/store/session-repository.ts';
import { CLI, NODE, cleanEnvironment, scratchDirectory, type CliResult } from './cli-fixture.ts';

const TIMEOUT_MS = 20_000;

const scratch = scratchDirectory('callpane-cli');

type Result = CliResult;

function environment(dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = cleanEnvironment();
  // No media relay: /healthz says `ok` only with a relay that runs or is off (test/cli/callpane-media.test.ts).
  return { ...env, CALLPANE_DATA_DIR: dataDir, CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_SIP_HOST: '127.0.0.1', CALLPANE_MEDIA_RELAY: 'never', ...extra };
}

function launch(args: string[], dataDir: string, extra: Record<string, string> = {}): ChildProcess {
  // stdin is a pipe, never a terminal: `ext passwd` must generate instead of prompting.
  return spawn(NODE, [CLI, ...args], { cwd: scratch(), env: environment(dataDir, extra), stdio: ['pipe', 'pipe', 'pipe'] });
}

function run(args: string[], dataDir: string, extra: Record<string, string> = {}, input = ''): Promise<Result> {
  const child = launch(args, dataDir, extra);
  child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`callpane ${args.join(' ')} did not finish: ${stdout}${stderr}`));
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Starts `callpane start`, waits for the banner, and returns it with a stop function. */
async function startServer(dataDir: string, extra: Record<string, string> = {}): Promise<{ banner: string; stop: () => Promise<Result> }> {
  const child = launch(['start'], dataDir, { CALLPANE_HTTP_PORT: '0', CALLPANE_SIP_PORT: '0', CALLPANE_SANDBOX_PORT: '0', CALLPANE_LOG_LEVEL: 'warn', ...extra });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<Result>((resolvePromise) => child.on('close', (code) => resolvePromise({ code, stdout, stderr })));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const banner = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner: ${stdout}${stderr}`));
    }, TIMEOUT_MS);
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('Stop:')) {
        clearTimeout(timer);
        resolvePromise(stdout);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`exited before the banner: ${stdout}${stderr}`));
    });
  });
  return {
    banner,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function passwordOf(dataDir: string, number: string): string {
  const db = openDatabase(dataDir);
  try {
    return createExtensionRepository(db).get(number)!.passwordHash;
  } finally {
    db.close();
  }
}

test('ext add, list, passwd and rm work as a round trip', async () => {
  const dataDir = join(scratch(), 'round-trip');
  const added = await run(['ext', 'add', '1003', '--name', 'Carol Caller', '--email', 'carol@callpane.test'], dataDir);
  assert.equal(added.code, 0, added.stderr);
  const password = /web password: (\S+)/.exec(added.stdout)?.[1];
  const sipSecret = /SIP secret: +(\S+)/.exec(added.stdout)?.[1];
  assert.ok(password && sipSecret, added.stdout);
  assert.equal(await verifyPassword(password, passwordOf(dataDir, '1003')), true);

  const listed = await run(['ext', 'list'], dataDir);
  assert.equal(listed.code, 0);
  assert.match(listed.stdout, /^NUMBER +NAME +E-MAIL$/m);
  assert.match(listed.stdout, /^1003 +Carol Caller +carol@callpane\.test$/m);
  assert.ok(!listed.stdout.includes(password) && !listed.stdout.includes(sipSecret), 'ext list must not show secrets');

  const db = openDatabase(dataDir);
  createSessionRepository(db).create({ tokenHash: 'a'.repeat(64), extension: '1003', createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
  db.close();
  const generated = await run(['ext', 'passwd', '1003'], dataDir);
  assert.equal(generated.code, 0, generated.stderr);
  assert.match(generated.stdout, /1 web session ended/);
  const check = openDatabase(dataDir);
  assert.equal(createSessionRepository(check).findValid('a'.repeat(64), Date.now()), undefined, 'the old session is gone');
  check.close();
  const newPassword = /web password: (\S+)/.exec(generated.stdout)?.[1];
  assert.ok(newPassword && newPassword !== password);
  assert.equal(await verifyPassword(newPassword, passwordOf(dataDir, '1003')), true);

  const chosen = await run(['ext', 'passwd', '1003', '--password', 'chosen-password'], dataDir);
  assert.equal(chosen.code, 0);
  assert.doesNotMatch(chosen.stdout, /chosen-password/);
  assert.equal(await verifyPassword('chosen-password', passwordOf(dataDir, '1003')), true);

  const removed = await run(['ext', 'rm', '1003'], dataDir);
  assert.equal(removed.code, 0);
  assert.match((await run(['ext', 'list'], dataDir)).stdout, /No extensions/);
});

test('ext email sets, changes and clears the address single sign-on maps to, and refuses one taken or malformed', async () => {
  const dataDir = join(scratch(), 'email');
  for (const number of ['1020', '1021']) assert.equal((await run(['ext', 'add', number, '--name', `Agent ${number}`], dataDir)).code, 0);
  const set = await run(['ext', 'email', '1020', ' dana@callpane.test '], dataDir);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, 'E-mail address of extension 1020 set to dana@callpane.test.\n');
  assert.match((await run(['ext', 'list'], dataDir)).stdout, /^1020 +Agent 1020 +dana@callpane\.test$/m);

  const taken = await run(['ext', 'email', '1021', 'DANA@callpane.test'], dataDir);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /belongs to another extension/);
  const malformed = await run(['ext', 'email', '1021', 'not-an-address'], dataDir);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /not a valid e-mail address/);
  assert.equal((await run(['ext', 'email', '1099', 'x@callpane.test'], dataDir)).code, 1);
  assert.equal((await run(['ext', 'email', '1020'], dataDir)).code, 2, 'an address or --clear is needed');
  assert.equal((await run(['ext', 'email', '1020', 'a@callpane.test', '--clear'], dataDir)).code, 2, 'not both');

  const cleared = await run(['ext', 'email', '1020', '--clear'], dataDir);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match((await run(['ext', 'list'], dataDir)).stdout, /^1020 +Agent 1020 +-$/m);
  assert.equal((await run(['ext', 'email', '1021', 'dana@callpane.test'], dataDir)).code, 0, 'a cleared address is free again');
});

test('sessions revoke ends every web session of one extension and says how many', async () => {
  const dataDir = join(scratch(), 'revoke');
  for (const number of ['1010', '1011']) assert.equal((await run(['ext', 'add', number, '--name', `Agent ${number}`], dataDir)).code, 0);
  const db = openDatabase(dataDir);
  const sessions = createSessionRepository(db);
  const now = Date.now();
  for (const [hash, extension] of [
    ['a', '1010'],
    ['b', '1010'],
    ['c', '1011'],
  ] as const) {
    sessions.create({ tokenHash: hash.repeat(64), extension, createdAt: now, expiresAt: now + 60_000 });
  }
  db.close();

  const revoked = await run(['sessions', 'revoke', '1010'], dataDir);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, '2 web sessions of extension 1010 ended.\n');
  const again = await run(['sessions', 'revoke', '1010'], dataDir);
  assert.equal(again.stdout, '0 web sessions of extension 1010 ended.\n');

  const after = openDatabase(dataDir);
  try {
    const left = createSessionRepository(after);
    assert.equal(left.findValid('a'.repeat(64), now), undefined);
    assert.equal(left.findValid('b'.repeat(64), now), undefined);
    assert.ok(left.findValid('c'.repeat(64), now), 'other extensions keep their sessions');
  } finally {
    after.close();
  }
});

test('secrets given on the command line are used and not echoed', async () => {
  const dataDir = join(scratch(), 'given');
  const added = await run(['ext', 'add', '1004', '--name', 'Dan', '--password', 'dans-password', '--sip-secret', 'dans-sip-secret'], dataDir);
  assert.equal(added.code, 0, added.stderr);
  assert.doesNotMatch(added.stdout, /dans-password|dans-sip-secret|web password|SIP secret/);
  assert.equal(await verifyPassword('dans-password', passwordOf(dataDir, '1004')), true);
});

test('refused operations exit 1 with the reason', async () => {
  const dataDir = join(scratch(), 'refused');
  await run(['ext', 'add', '1005', '--name', 'Eve', '--email', 'eve@callpane.test'], dataDir);
  const cases: Array<[string[], RegExp]> = [
    [['ext', 'add', '1005', '--name', 'Eve again'], /extension 1005 already exists/],
    [['ext', 'add', '1006', '--name', 'Eve', '--email', 'EVE@callpane.test'], /belongs to another extension/],
    [['ext', 'add', '12345678901', '--name', 'Long'], /must be 2 to 10 digits/],
    [['ext', 'add', '1007', '--name', 'Short', '--password', 'short'], /web password must be 8/],
    [['ext', 'rm', '1099'], /extension 1099 does not exist/],
    [['ext', 'passwd', '1099'], /extension 1099 does not exist/],
    [['sessions', 'revoke', '1099'], /^callpane: extension 1099 does not exist\n$/],
  ];
  for (const [args, message] of cases) {
    const result = await run(args, dataDir);
    assert.equal(result.code, 1, args.join(' '));
    assert.match(result.stderr, message);
  }
});

test('wrong arguments print the usage to stderr and exit 2', async () => {
  const dataDir = join(scratch(), 'usage');
  for (const args of [
    [],
    ['frobnicate'],
    ['ext'],
    ['ext', 'add', '1008'],
    ['ext', 'add', '--name', 'X'],
    ['ext', 'list', 'extra'],
    ['ext', 'rm'],
    ['sessions', 'revoke'],
    ['sessions', 'revoke', '1010', 'extra'],
    ['sessions', 'revoke', '--all'],
    ['start', '--bogus'],
    ['config', 'check', '--pretty'],
  ]) {
    const result = await run(args, dataDir);
    assert.equal(result.code, 2, `callpane ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /^callpane: .+\n\nUsage: callpane <command>/);
    assert.equal(result.stdout, '');
  }
});

test('--help prints the usage to stdout and exits 0', async () => {
  const result = await run(['--help'], join(scratch(), 'help'));
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: callpane <command>/);
  assert.match(result.stdout, /ext add <number> --name <name>/);
  assert.match(result.stdout, /sessions revoke <number> +end every web session of an extension/);
});

test('--help after a command or a group prints that help only, exits 0 and changes nothing', async () => {
  const dataDir = join(scratch(), 'command-help');
  const group = await run(['ext', '--help'], dataDir);
  assert.equal(group.code, 0, group.stderr);
  assert.match(group.stdout, /^Usage: callpane ext <command> \[options\]/);
  assert.match(group.stdout, /ext add <number>[\s\S]*ext rm <number>/);
  assert.doesNotMatch(group.stdout, /sessions revoke/);
  const one = await run(['ext', 'add', '--help'], dataDir);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /^Usage: callpane ext add \[options\]\n\n {2}ext add <number> --name <name>/);
  assert.doesNotMatch(one.stdout, /ext list/);
  assert.match(one.stdout, /--config <file>/);
  assert.equal((await run(['config', 'check', '-h'], dataDir)).stdout.split('\n')[0], 'Usage: callpane config check [options]');
  assert.equal(existsSync(join(dataDir, 'callpane.db')), false, 'no command ran');
});

test('config check prints the effective configuration, or names the bad key and exits 1', async () => {
  const dataDir = join(scratch(), 'check');
  const good = await run(['config', 'check'], dataDir, { CALLPANE_HTTP_PORT: '9090' });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /"port": 9090/);
  assert.match(good.stdout, /configuration OK\n$/);
  const bad = await run(['config', 'check'], dataDir, { CALLPANE_HTTP_PORT: 'abc', CALLPANE_REGISTRAR_MIN_EXPIRES: '0' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /http\.port \(CALLPANE_HTTP_PORT\) = "abc": must be an integer from 0 to 65535/);
  assert.match(bad.stderr, /registrar\.minExpires \(CALLPANE_REGISTRAR_MIN_EXPIRES\) = "0"/);
  assert.doesNotMatch(bad.stdout, /configuration OK/);
  const missing = await run(['config', 'check', '--config', 'nowhere.json'], dataDir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nowhere\.json: ENOENT/);
});

interface DemoFileEntry {
  number: string;
  password: string;
  sipSecret: string;
}

function demoCredentialFile(dataDir: string): DemoFileEntry[] {
  const path = join(dataDir, 'demo-credentials.json');
  assert.equal(statSync(path).mode & 0o777, 0o600, 'only the owner can read the demo credentials');
  return (JSON.parse(readFileSync(path, 'utf8')) as { extensions: DemoFileEntry[] }).extensions;
}

test('start prints the URLs and the demo extensions, serves HTTP and stops on SIGTERM; no secret reaches an output that is not a terminal', async () => {
  const dataDir = join(scratch(), 'start');
  const first = await startServer(dataDir, { CALLPANE_LOG_LEVEL: 'debug' });
  let firstRun: Result | undefined;
  try {
    const url = /Web +(http:\/\/127\.0\.0\.1:\d+)/.exec(first.banner)?.[1];
    assert.ok(url, first.banner);
    assert.equal((await (await fetch(`${url}/healthz`)).json()).status, 'ok');
    assert.match(first.banner, /1001 +Alex Agent +alex\.agent@sandbox\.example\n/);
    assert.match(first.banner, /1002 +李娜 +li\.na@sandbox\.example\n/);
    assert.ok(first.banner.includes(`secrets are in ${join(dataDir, 'demo-credentials.json')} (readable by its owner only)`), first.banner);
    assert.match(first.banner, /callpane ext add/);
    firstRun = await first.stop();
    assert.equal(firstRun.code, 0, firstRun.stderr);
  } finally {
    firstRun ??= await first.stop();
  }
  const secrets = demoCredentialFile(dataDir);
  assert.deepEqual(
    secrets.map((entry) => entry.number),
    ['1001', '1002'],
  );
  for (const { password, sipSecret } of secrets) {
    // The banner and every log line (debug level, JSON on stdout) went to pipes, as under a service manager.
    assert.ok(!firstRun.stdout.includes(password) && !firstRun.stderr.includes(password), 'no web password in the output');
    assert.ok(!firstRun.stdout.includes(sipSecret) && !firstRun.stderr.includes(sipSecret), 'no SIP secret in the output');
  }

  assert.equal((await run(['ext', 'passwd', '1001', '--password', 'admin-chose-this'], dataDir)).code, 0);
  const second = await startServer(dataDir);
  await second.stop();
  assert.doesNotMatch(second.banner, /Alex Agent/, 'a demo extension whose password was changed is no longer listed');
  assert.match(second.banner, /1002 +李娜/);
});

test('start with the demo off warns once in the log and in the banner about demo extensions still on their generated credentials, until they are changed or removed', async () => {
  const dataDir = join(scratch(), 'demo-leftover');
  await (await startServer(dataDir)).stop();
  const secrets = demoCredentialFile(dataDir);
  const demoOff = { CALLPANE_DEMO_SEED_EXTENSIONS: 'false' };

  const off = await startServer(dataDir, demoOff);
  const offRun = await off.stop();
  assert.match(
    off.banner,
    /\nWarning: demo extensions 1001 \(web password and SIP secret\), 1002 \(web password and SIP secret\) still have the credentials the demo generated, .* remove them \(callpane ext rm 1001\) or change their secrets \(callpane ext passwd 1001 --sip\)\n/,
  );
  assert.doesNotMatch(off.banner, /Alex Agent|Demo extensions/, 'no demo table while the demo is off');
  const logged = offRun.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; extensions?: string[] })
    .filter((entry) => entry.msg.startsWith('demo extensions'));
  assert.deepEqual(
    logged.map((entry) => [entry.level, entry.extensions]),
    [[40, ['1001', '1002']]],
    'one warning naming them',
  );
  for (const { password, sipSecret } of secrets) {
    assert.ok(!offRun.stdout.includes(password) && !offRun.stdout.includes(sipSecret) && !offRun.stderr.includes(sipSecret), 'no secret in the output');
  }

  const renewed = await run(['ext', 'passwd', '1001', '--password', 'admin-chose-this', '--sip'], dataDir);
  assert.equal(renewed.code, 0, renewed.stderr);
  assert.match(renewed.stdout, /Web password and SIP secret of extension 1001 changed/);
  const newSecret = /SIP secret: +(\S+)/.exec(renewed.stdout)?.[1];
  const db = openDatabase(dataDir);
  try {
    assert.equal(createExtensionRepository(db).get('1001')?.sipSecret, newSecret);
  } finally {
    db.close();
  }
  assert.equal((await run(['ext', 'rm', '1002'], dataDir)).code, 0);
  const cleaned = await startServer(dataDir, demoOff);
  const cleanedRun = await cleaned.stop();
  assert.doesNotMatch(cleaned.banner, /Warning/);
  assert.doesNotMatch(cleanedRun.stdout, /demo extensions? \d/);
});

test('start on a terminal shows the demo extensions with their web passwords and SIP secrets', async () => {
  const dataDir = join(scratch(), 'terminal');
  // script(1) gives `callpane start` a pseudo-terminal as its output, as `npm start` in a shell has.
  const command = [NODE, CLI, 'start'].map((part) => `'${part}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: scratch(),
    env: environment(dataDir, { CALLPANE_HTTP_PORT: '0', CALLPANE_SIP_PORT: '0', CALLPANE_SANDBOX_PORT: '0', CALLPANE_LOG_LEVEL: 'warn' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.on('close', () => done()));
  try {
    await new Promise<void>((done, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), TIMEOUT_MS);
      child.stdout?.on('data', (chunk) => {
        output += chunk;
        if (output.includes('Stop:')) {
          clearTimeout(timer);
          done();
        }
      });
      child.on('close', () => {
        clearTimeout(timer);
        reject(new Error(`exited before the banner: ${output}`));
      });
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  for (const { number, password, sipSecret } of demoCredentialFile(dataDir)) {
    assert.match(output, new RegExp(`${number} +(?:Alex Agent|李娜) +\\S+@sandbox\\.example +${password} +${sipSecret}\\r?\\n`));
  }
});

test('phone match compares numbers as the pane does, in the configured region unless --region says otherwise', async () => {
  const dataDir = join(scratch(), 'phone-match');
  const input = ['{"incoming":"+49 30 1234567","stored":"030 1234567"}', '{"incoming":"1002","stored":"+1 415 555 1002"}', ''].join('\n');
  const inGermany = await run(['phone', 'match'], dataDir, { CALLPANE_CRM_DEFAULT_REGION: 'DE' }, input);
  assert.equal(inGermany.code, 0, inGermany.stderr);
  const [national, extension] = inGermany.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual([national.match, national.reason], [true, 'same-e164']);
  assert.deepEqual([extension.match, extension.reason], [false, 'extension-vs-external']);

  // "(415) 555-0100" is a valid German number too: stored in a German organisation it is not the US one.
  const american = '{"incoming":"+1 415 555 0100","stored":"(415) 555-0100"}\n';
  const fromConfig = await run(['phone', 'match'], dataDir, { CALLPANE_CRM_DEFAULT_REGION: 'DE' }, american);
  assert.equal(JSON.parse(fromConfig.stdout).match, false);
  const overridden = await run(['phone', 'match', '--region', 'US'], dataDir, { CALLPANE_CRM_DEFAULT_REGION: 'DE' }, american);
  assert.equal(JSON.parse(overridden.stdout).match, true);

  const bad = await run(['phone', 'match', '--region', 'XX'], dataDir, {}, input);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--region must be an ISO 3166-1 alpha-2 country code/);
});
