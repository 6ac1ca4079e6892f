import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { runJournalCommand } from '../../src/cli/journal-command.ts';
import { createCallRecordRepository } from '../../src/store/call-record-repository.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createJournalOutboxRepository } from '../../src/store/journal-outbox-repository.ts';
import { cleanEnvironment, CLI, NODE, scratchDirectory } from './cli-fixture.ts';

const scratch = scratchDirectory('callpane-journal-command');
const NOW = Date.UTC(2026, 11, 7, 9, 0, 0);

/** A data directory whose outbox holds: two pending (one due 5 minutes ago), two parked, one done. */
function dataDirWithOutbox(name: string): string {
  const dataDir = join(scratch(), name);
  const db = openDatabase(dataDir);
  try {
    const calls = createCallRecordRepository(db, { journal: { graceSeconds: 120 }, now: () => NOW });
    const outbox = createJournalOutboxRepository(db);
    for (const [id, endedAt] of [
      ['late', NOW - 420_000],
      ['soon', NOW - 60_000],
      ['refused-1', NOW - 900_000],
      ['refused-2', NOW - 800_000],
      ['written', NOW - 700_000],
    ] as const) {
      calls.open({
        id,
        direction: 'inbound',
        from: { number: '+14155550100', name: null },
        to: { number: '1001', name: null },
        trunk: 'carrier',
        startedAt: endedAt - 30_000,
        extensions: ['1001'],
      });
      calls.end(id, { endedAt, disposition: 'missed', talkSeconds: 0, reason: null });
    }
    outbox.claimDue(NOW, 10, 1000);
    outbox.park('refused-1', '0x80060888 Invalid property', NOW - 60_000);
    outbox.park('refused-2', '0x80040220 Principal user is missing prvCreateActivity privilege', NOW - 30_000);
    outbox.complete('written', 'created', NOW - 10_000);
    outbox.reschedule('late', NOW - 1, 'HTTP 503', NOW - 5_000);
  } finally {
    db.close();
  }
  return dataDir;
}

async function journal(subcommand: 'status' | 'list' | 'retry', args: string[], dataDir: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runJournalCommand(subcommand, args, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    openDatabase: () => openDatabase(dataDir),
    now: () => NOW,
  });
  return { code, stdout, stderr };
}

test('journal status counts the entries by state and says how long the oldest pending one has waited', async () => {
  const { code, stdout } = await journal('status', [], dataDirWithOutbox('status'));
  assert.equal(code, 0);
  assert.deepEqual(stdout, ['pending  2 (the oldest has waited 5 min)', 'parked   2 (callpane journal list --failed shows why)', 'done     1']);
});

test("journal list --failed shows each parked entry with Dataverse's reason, the latest first", async () => {
  const { code, stdout } = await journal('list', ['--failed'], dataDirWithOutbox('list-failed'));
  assert.equal(code, 0);
  assert.deepEqual(stdout, [
    'CALL ID    PARKED AT                 ATTEMPTS  REASON',
    'refused-2  2026-12-07T08:59:30.000Z  1         0x80040220 Principal user is missing prvCreateActivity privilege',
    'refused-1  2026-12-07T08:59:00.000Z  1         0x80060888 Invalid property',
  ]);
});

test('journal list shows the pending entries, when each is due and its last error', async () => {
  const { stdout } = await journal('list', [], dataDirWithOutbox('list-pending'));
  assert.deepEqual(stdout, ['CALL ID  DUE       ATTEMPTS  LAST ERROR', 'late     now       1         HTTP 503', 'soon     in 1 min  0']);
});

test('journal retry makes the named parked entries pending again, and says which named call had none', async () => {
  const dataDir = dataDirWithOutbox('retry');
  const named = await journal('retry', ['refused-1', 'written'], dataDir);
  assert.equal(named.code, 1);
  assert.deepEqual(named.stdout, ['1 parked journal entry is pending again; a running server writes it to Dynamics now.']);
  assert.deepEqual(named.stderr, ['callpane journal retry: call written has no parked journal entry']);
  const all = await journal('retry', [], dataDir);
  assert.deepEqual([all.code, all.stdout], [0, ['1 parked journal entry is pending again; a running server writes it to Dynamics now.']]);
  assert.deepEqual((await journal('status', [], dataDir)).stdout.slice(0, 2), ['pending  4 (the oldest has waited 13 min)', 'parked   0']);
});

test('journal refuses --failed where it means nothing, with the usage', async () => {
  const { code, stderr } = await journal('status', ['--failed'], dataDirWithOutbox('usage'));
  assert.equal(code, 2);
  assert.match(stderr.join('\n'), /--failed goes with list, not status\n\nUsage: callpane journal/);
});

test('callpane journal is a command of the CLI, listed in its help', () => {
  const dataDir = dataDirWithOutbox('cli');
  const env = { ...cleanEnvironment(), CALLPANE_DATA_DIR: dataDir };
  const status = spawnSync(NODE, [CLI, 'journal', 'list', '--failed'], { cwd: scratch(), env, encoding: 'utf8', timeout: 20_000 });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /^refused-2 .* 0x80040220 /m);
  const help = spawnSync(NODE, [CLI, '--help'], { cwd: scratch(), env, encoding: 'utf8', timeout: 20_000 });
  assert.match(help.stdout, /^ {2}journal retry \[<call id>\.\.\.\] /m);
});
