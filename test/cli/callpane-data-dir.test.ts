/**
 * `callpane start` on a data directory that cannot be written: a read-only file system and a
 * full disk, made real with a small tmpfs mounted in a private mount namespace (unshare(1); as
 * root directly, otherwise in a user namespace that maps the caller to root).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnvironment, CLI, NODE, scratchDirectory } from './cli-fixture.ts';

const TIMEOUT_MS = 20_000;

const scratch = scratchDirectory('callpane-data-dir-cli');

interface Result {
  code: number | null;
  stderr: string;
}

/** Runs `prepare` (sh, with $MNT an empty directory) in a private mount namespace, then `callpane {command}` with dataDir `dataDir`. */
function startOnMount(name: string, prepare: string, dataDir: (mnt: string) => string, command: readonly string[] = ['start']): Promise<Result> {
  const mnt = join(scratch(), name);
  const env = cleanEnvironment();
  Object.assign(env, {
    MNT: mnt,
    NODE,
    CLI,
    CALLPANE_DATA_DIR: dataDir(mnt),
    CALLPANE_HTTP_HOST: '127.0.0.1',
    CALLPANE_HTTP_PORT: '0',
    CALLPANE_SIP_HOST: '127.0.0.1',
    CALLPANE_SIP_PORT: '0',
    CALLPANE_SANDBOX_PORT: '0',
  });
  const namespace = process.getuid?.() === 0 ? ['--mount'] : ['--map-root-user', '--mount'];
  const script = `set -e; mkdir -p "$MNT"; ${prepare}; exec "$NODE" "$CLI" "$@"`;
  const child = spawn('unshare', [...namespace, 'sh', '-c', script, 'sh', ...command], { cwd: scratch(), env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`callpane start did not stop: ${stderr}`));
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stderr });
    });
  });
}

test('a data directory to be made on a read-only file system is refused naming dataDir and the read-only file system, not ENOENT', async () => {
  const result = await startOnMount('ro-new', 'mount -t tmpfs -o ro,size=64k tmpfs "$MNT"', (mnt) => join(mnt, 'data'));
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    result.stderr,
    `callpane: dataDir (CALLPANE_DATA_DIR) = ${JSON.stringify(join(scratch(), 'ro-new', 'data'))}: cannot create the directory in ${join(scratch(), 'ro-new')}: it is on a read-only file system (EROFS)\n`,
  );
});

test('an existing data directory on a read-only file system is refused before anything is written', async () => {
  const result = await startOnMount('ro-old', 'mount -t tmpfs -o size=64k tmpfs "$MNT"; mkdir "$MNT/data"; mount -o remount,ro "$MNT"', (mnt) => join(mnt, 'data'));
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    result.stderr,
    `callpane: dataDir (CALLPANE_DATA_DIR) = ${JSON.stringify(join(scratch(), 'ro-old', 'data'))}: cannot write a file in it: it is on a read-only file system (EROFS)\n`,
  );
});

test('a data directory on a full disk is refused naming dataDir and the full disk', async () => {
  const fill = 'mount -t tmpfs -o size=64k tmpfs "$MNT"; mkdir "$MNT/data"; head -c 1048576 /dev/zero > "$MNT/filler" 2>/dev/null || true';
  const result = await startOnMount('full', fill, (mnt) => join(mnt, 'data'));
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    result.stderr,
    `callpane: dataDir (CALLPANE_DATA_DIR) = ${JSON.stringify(join(scratch(), 'full', 'data'))}: cannot write a file in it: the disk holding it is full (ENOSPC)\n`,
  );
});

test('a disk that fills up while the database is made is told as a full data directory, not as SQLite\'s "database or disk is full" alone', async () => {
  // Room for the write check and the database's first page, not for its schema.
  const result = await startOnMount('filling', 'mount -t tmpfs -o size=40k tmpfs "$MNT"', (mnt) => mnt);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, new RegExp(`^callpane: dataDir \\(CALLPANE_DATA_DIR\\) = "${join(scratch(), 'filling')}": .*the disk holding it is full`));
});

test('callpane sandbox reset on a read-only data directory names dataDir too', async () => {
  const result = await startOnMount('ro-reset', 'mount -t tmpfs -o ro,size=64k tmpfs "$MNT"', (mnt) => mnt, ['sandbox', 'reset']);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    result.stderr,
    `callpane: dataDir (CALLPANE_DATA_DIR) = ${JSON.stringify(join(scratch(), 'ro-reset'))}: cannot write a file in it: it is on a read-only file system (EROFS)\n`,
  );
});
