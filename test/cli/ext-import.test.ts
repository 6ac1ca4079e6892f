import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../src/cli/csv-records.ts';
import { verifyPassword } from '../../src/security/password-hash.ts';
import { SessionService } from '../../src/server/sessions/session-service.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository, type Extension } from '../../src/store/extension-repository.ts';
import { createSessionRepository } from '../../src/store/session-repository.ts';
import { cleanEnvironment, CLI, NODE, scratchDirectory, type CliResult } from './cli-fixture.ts';
import { itemAt } from '../support/item-at.ts';

/** A call centre's file: generated passwords are hashed at the low cost of generated secrets. */
const AGENTS = 2000;
const TIMEOUT_MS = 120_000;

const scratch = scratchDirectory('callpane-import');

type Result = CliResult;

let cases = 0;
/** A fresh data directory and a folder for the CSV files of one test. */
function workspace(): { dataDir: string; folder: string } {
  const folder = join(scratch(), `case-${++cases}`);
  mkdirSync(folder);
  return { dataDir: join(folder, 'data'), folder };
}

function run(args: string[], dataDir: string): Promise<Result> {
  const env = cleanEnvironment();
  const child = spawn(NODE, [CLI, ...args], { cwd: scratch(), env: { ...env, CALLPANE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
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

function extensionsIn(dataDir: string): Extension[] {
  const db = openDatabase(dataDir);
  try {
    return createExtensionRepository(db).list();
  } finally {
    db.close();
  }
}

/** The passwords file as objects keyed by its header. */
function secretsIn(path: string): Record<string, string | undefined>[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8')).records;
  if (header === undefined) throw new Error(`${path} has no header line`);
  return rows.map((row) => Object.fromEntries(header.fields.map((name, index) => [name, row.fields[index]])));
}

/** A column that the row must have. */
function column(row: Record<string, string | undefined>, name: string): string {
  const value = row[name];
  if (value === undefined) assert.fail(`the row has no ${name}: ${JSON.stringify(row)}`);
  return value;
}

test('a file of 2,000 extensions is imported in one go, in seconds, with a generated password and SIP secret for each', { timeout: TIMEOUT_MS }, async (t) => {
  const { dataDir, folder } = workspace();
  const csv = join(folder, 'agents.csv');
  const lines = Array.from({ length: AGENTS }, (_, index) => `${3000 + index},Agent ${index},agent${index}@example.com`);
  writeFileSync(csv, `number,name,email\n${lines.join('\n')}\n`);
  const started = performance.now();
  const result = await run(['ext', 'import', csv], dataDir);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.diagnostic(`${AGENTS} extensions imported in ${seconds} s; the command said: ${result.stdout.split('\n')[0]}`);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`Imported ${AGENTS} extensions from .*agents\\.csv in [\\d.]+ s`));
  const stored = extensionsIn(dataDir);
  assert.equal(stored.length, AGENTS);
  const last = AGENTS - 1;
  assert.deepEqual(stored[last], { ...stored[last], number: String(3000 + last), displayName: `Agent ${last}`, email: `agent${last}@example.com` });
  const secrets = secretsIn(join(folder, 'agents.passwords.csv'));
  assert.equal(secrets.length, AGENTS);
  assert.equal(new Set(secrets.map((row) => row.web_password)).size, AGENTS, 'every password differs');
});

test('the passwords file is readable by its owner only and holds passwords that work, and is never shown or overwritten', async () => {
  const { dataDir, folder } = workspace();
  const csv = join(folder, 'team.csv');
  writeFileSync(csv, 'number,name,email\n2001,Dana Agent,dana@example.com\n2002,Eli Agent,\n');
  const out = join(folder, 'secret', 'team-secrets.csv');
  mkdirSync(join(folder, 'secret'));
  const result = await run(['ext', 'import', csv, '--passwords-out', out], dataDir);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const secrets = secretsIn(out);
  assert.deepEqual(
    secrets.map((row) => [row.number, row.name, row.email]),
    [
      ['2001', 'Dana Agent', 'dana@example.com'],
      ['2002', 'Eli Agent', ''],
    ],
  );
  const stored = extensionsIn(dataDir);
  assert.equal(await verifyPassword(column(itemAt(secrets, 0), 'web_password'), itemAt(stored, 0).passwordHash), true);
  assert.equal(await verifyPassword(column(itemAt(secrets, 0), 'web_password'), itemAt(stored, 1).passwordHash), false);
  assert.equal(itemAt(stored, 1).sipSecret, itemAt(secrets, 1).sip_secret);
  for (const row of secrets) assert.ok(!result.stdout.includes(column(row, 'web_password')) && !result.stdout.includes(column(row, 'sip_secret')), 'no secret on the terminal');

  writeFileSync(csv, 'number,name\n2003,Fay Agent\n');
  const before = readFileSync(out, 'utf8');
  const again = await run(['ext', 'import', csv, '--passwords-out', out], dataDir);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /team-secrets\.csv exists/);
  assert.equal(readFileSync(out, 'utf8'), before);
  assert.equal(extensionsIn(dataDir).length, 2);
});

test('a file with two bad lines reports both with their line numbers and leaves the database unchanged', async () => {
  const { dataDir, folder } = workspace();
  const csv = join(folder, 'agents.csv');
  writeFileSync(csv, 'number,name,email\n2001,Dana Agent,dana@example.com\n12a,Eli Agent,\n2003,Fay Agent,not-an-address\n2004,Gus Agent,\n');
  const result = await run(['ext', 'import', csv], dataDir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /2 problems; nothing was imported/);
  assert.match(result.stderr, /line 3: extension number "12a" must be 2 to 10 digits/);
  assert.match(result.stderr, /line 4: "not-an-address" is not a valid e-mail address/);
  assert.deepEqual(extensionsIn(dataDir), []);
  assert.equal(existsSync(join(folder, 'agents.passwords.csv')), false);
});

test('duplicates within the file and against the database are refused, each with its line', async () => {
  const { dataDir, folder } = workspace();
  const first = join(folder, 'first.csv');
  writeFileSync(first, 'number,name,email\n2001,Dana Agent,dana@example.com\n');
  assert.equal((await run(['ext', 'import', first], dataDir)).code, 0);
  const second = join(folder, 'second.csv');
  writeFileSync(
    second,
    'number,name,email\n2001,Dana Again,\n2002,Eli Agent,DANA@example.com\n2003,Fay Agent,fay@example.com\n2003,Gus Agent,gus@example.com\n2005,Hal Agent,FAY@example.com\n',
  );
  const result = await run(['ext', 'import', second], dataDir);
  assert.equal(result.code, 1);
  const reported = result.stderr.split('\n').filter((line) => line.startsWith('  line'));
  assert.deepEqual(reported, [
    '  line 2: extension 2001 already exists',
    '  line 3: e-mail address DANA@example.com belongs to extension 2001',
    '  line 5: extension 2003 is also on line 4',
    '  line 6: e-mail address FAY@example.com is also on line 4',
  ]);
  assert.deepEqual(
    extensionsIn(dataDir).map((extension) => extension.number),
    ['2001'],
  );
});

test('--dry-run shows what would be created and writes nothing', async () => {
  const { dataDir, folder } = workspace();
  const csv = join(folder, 'agents.csv');
  writeFileSync(csv, 'number,name,email\n2001,Dana Agent,dana@example.com\n2002,Eli Agent,\n');
  const result = await run(['ext', 'import', csv, '--dry-run'], dataDir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Dry run: 2 extensions .* would be created; nothing was written/);
  assert.match(result.stdout, /2001 +Dana Agent +dana@example\.com/);
  assert.deepEqual(extensionsIn(dataDir), []);
  assert.equal(existsSync(join(folder, 'agents.passwords.csv')), false);
});

test('quoted fields with commas and doubled quotes, a byte order mark, CRLF and columns in any order are read as RFC 4180 writes them', async () => {
  const { dataDir, folder } = workspace();
  const csv = join(folder, 'export.csv');
  writeFileSync(csv, '\uFEFFEmail,Name,Number\r\n"smith@example.com","Smith, Jo ""JJ""",2001\r\n,"Lee, Ann",2002\r\n');
  const result = await run(['ext', 'import', csv], dataDir);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    extensionsIn(dataDir).map((extension) => [extension.number, extension.displayName, extension.email]),
    [
      ['2001', 'Smith, Jo "JJ"', 'smith@example.com'],
      ['2002', 'Lee, Ann', null],
    ],
  );
  assert.deepEqual(
    secretsIn(join(folder, 'export.passwords.csv')).map((row) => row.name),
    ['Smith, Jo "JJ"', 'Lee, Ann'],
  );
});

test('--no-password agents cannot sign in with any password, and each needs an e-mail address for single sign-on', async () => {
  const { dataDir, folder } = workspace();
  const missing = join(folder, 'missing.csv');
  writeFileSync(missing, 'number,name,email\n2001,Dana Agent,dana@example.com\n2002,Eli Agent,\n');
  const refused = await run(['ext', 'import', missing, '--no-password'], dataDir);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /line 3: extension 2002 has no e-mail address/);

  const csv = join(folder, 'sso.csv');
  writeFileSync(csv, 'number,name,email\n2001,Dana Agent,dana@example.com\n');
  const result = await run(['ext', 'import', csv, '--no-password'], dataDir);
  assert.equal(result.code, 0, result.stderr);
  const secrets = itemAt(secretsIn(join(folder, 'sso.passwords.csv')), 0);
  assert.equal(secrets.web_password, undefined);
  const db = openDatabase(dataDir);
  try {
    const extensions = createExtensionRepository(db);
    const service = new SessionService({ sessions: createSessionRepository(db), extensions });
    const stored = extensions.get('2001');
    assert.equal(stored?.sipSecret, secrets.sip_secret);
    for (const password of ['', '!', stored?.passwordHash ?? '', column(secrets, 'sip_secret')]) {
      const outcome = await service.login('dana@example.com', password, '127.0.0.1');
      assert.deepEqual(outcome, { ok: false, reason: 'wrong-password' }, `password ${JSON.stringify(password)}`);
    }
  } finally {
    db.close();
  }
});

test('an import interrupted while it hashes writes nothing and leaves no passwords file behind', async () => {
  const { dataDir, folder } = workspace();
  const csv = join(folder, 'agents.csv');
  const passwords = join(folder, 'agents.passwords.csv');
  writeFileSync(csv, `number,name\n${Array.from({ length: 400 }, (_, index) => `${3000 + index},Agent ${index}`).join('\n')}\n`);
  const env = cleanEnvironment();
  const child = spawn(NODE, [CLI, 'ext', 'import', csv], { cwd: scratch(), env: { ...env, CALLPANE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const closed = new Promise<number | null>((resolvePromise) => child.on('close', resolvePromise));
  // The file is created just before hashing starts; 400 hashes take seconds.
  const deadline = Date.now() + 20_000;
  while (!existsSync(passwords) && Date.now() < deadline) await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  assert.ok(existsSync(passwords), 'hashing started');
  child.kill('SIGINT');
  assert.equal(await closed, 130, stderr);
  assert.match(stderr, /interrupted \(SIGINT\); nothing was imported/);
  assert.equal(existsSync(passwords), false);
  assert.deepEqual(extensionsIn(dataDir), []);
});

test('ext import --help prints its help', async () => {
  const { dataDir } = workspace();
  const result = await run(['ext', 'import', '--help'], dataDir);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: callpane ext import <file\.csv>/);
  assert.match(result.stdout, /--no-password/);
});
