import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeRegistrationReport } from '../../src/pbx/trunk-registration/registration-report.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createMetaRepository } from '../../src/store/meta-repository.ts';
import { cleanEnvironment, CLI, NODE, scratchDirectory } from './cli-fixture.ts';

/** Beyond any pid_max (2^22): no process has it. */
const GONE_PID = 99_999_999;

const scratch = scratchDirectory('callpane-trunks-status');

function trunksStatus(dataDir: string): { status: number | null; stdout: string; stderr: string } {
  const env = cleanEnvironment();
  const result = spawnSync(NODE, [CLI, 'trunks', 'status'], { cwd: scratch(), env: { ...env, CALLPANE_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function store(dataDir: string, pid: number, now: number): void {
  const db = openDatabase(dataDir);
  try {
    writeRegistrationReport(createMetaRepository(db), {
      pid,
      writtenAt: now - 5_000,
      trunks: [
        { trunk: 'carrier', state: 'registered', since: now - 600_000, expiresAt: now + 240_000, nextAttemptAt: now + 180_000, failures: 0, expires: 300 },
        { trunk: 'office-pbx', state: 'failed', reason: '403 Forbidden', since: now - 90_000, nextAttemptAt: now + 40_000, failures: 3, expires: 600 },
      ],
    });
  } finally {
    db.close();
  }
}

test('trunks status prints each registering trunk as the running server last stored it', () => {
  const dataDir = join(scratch(), 'running');
  store(dataDir, process.pid, Date.now());
  const { status, stdout } = trunksStatus(dataDir);
  assert.equal(status, 0);
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], `Trunk registrations (Callpane running, pid ${process.pid}):`);
  assert.match(lines[1] ?? '', /^ {2}carrier: registered 10 min ago; binding expires in 4 min; next REGISTER in 3 min; asks 300 s$/);
  assert.match(lines[2] ?? '', /^ {2}office-pbx: failed 9\d s ago; reason: 403 Forbidden; 3 failed attempts in a row; next REGISTER in [34]\d s; asks 600 s$/);
});

test('trunks status says when the server that stored the status is no longer running, and shows no next attempt', () => {
  const dataDir = join(scratch(), 'stopped');
  store(dataDir, GONE_PID, Date.now());
  const { status, stdout } = trunksStatus(dataDir);
  assert.equal(status, 0);
  assert.match(stdout, new RegExp(`^Trunk registrations as Callpane \\(pid ${GONE_PID}\\) left them \\d+ s ago: it is not running now\\.\n`));
  assert.doesNotMatch(stdout, /next REGISTER/);
});

test('trunks status says plainly when no trunk registers', () => {
  const { status, stdout } = trunksStatus(join(scratch(), 'empty'));
  assert.deepEqual([status, stdout.trim()], [0, 'No trunk registers (no trunk has a register block), or Callpane has not run with one yet.']);
});
