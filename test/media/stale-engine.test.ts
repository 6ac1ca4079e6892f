import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ENGINE_PIDFILE, stopStaleEngine, writeEnginePidfile } from '../../src/media/stale-engine.ts';
import { delay } from '../support/deadline.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function pidfileIn(): string {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-pidfile-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, ENGINE_PIDFILE);
}

/** A long-running process that is not an engine of ours; `argv0` makes its command line look like one. */
async function bystander(argv0?: string): Promise<ChildProcess> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore', ...(argv0 === undefined ? {} : { argv0 }) });
  cleanups.push(() => void child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  // Until sleep is exec'd, /proc shows node's command line: wait for the one the test expects.
  for (let i = 0; i < 100 && !readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').endsWith('30\0'); i++) await delay(10);
  return child;
}

function logged() {
  const lines: { msg: string }[] = [];
  return { lines, logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

describe('an rtpengine pidfile left by an earlier Callpane', () => {
  test('naming a pid that now belongs to another program (another start time) is removed, the program left alone', async () => {
    const path = pidfileIn();
    const other = await bystander('/usr/bin/rtpengine');
    const cmdline = readFileSync(`/proc/${other.pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    // The engine it names started at another moment: the pid was recycled.
    writeFileSync(path, JSON.stringify({ pid: other.pid, startTime: '1', cmdline }), { mode: 0o600 });
    const { lines, logger } = logged();
    await stopStaleEngine(path, logger);
    await delay(100);
    assert.ok(alive(other), 'the other program still runs');
    assert.equal(existsSync(path), false);
    assert.ok(
      lines.some((line) => /names no engine of ours any more/.test(line.msg)),
      JSON.stringify(lines),
    );
  });

  test('naming a live process whose command line is not the engine recorded is left alone', async () => {
    const path = pidfileIn();
    const other = await bystander();
    // Its true pid and start time, but the command line of an engine: not that process.
    writeEnginePidfile(path, other.pid!, ['/usr/bin/rtpengine', '--config-file=none', '--foreground']);
    await stopStaleEngine(path, logged().logger);
    await delay(100);
    assert.ok(alive(other), 'the other program still runs');
    assert.equal(existsSync(path), false);
  });

  test('naming the engine it recorded, still running, stops it', async () => {
    const path = pidfileIn();
    const engine = await bystander('/usr/bin/rtpengine');
    writeEnginePidfile(path, engine.pid!, ['/usr/bin/rtpengine', '30']);
    const exited = new Promise((resolve) => engine.once('exit', (_code, signal) => resolve(signal)));
    await stopStaleEngine(path, logged().logger);
    assert.equal(await exited, 'SIGTERM');
    assert.equal(existsSync(path), false);
  });

  test('that is not a record at all is removed with a warning, and nothing is signalled', async () => {
    const path = pidfileIn();
    writeFileSync(path, 'not json');
    const { lines, logger } = logged();
    await stopStaleEngine(path, logger);
    assert.equal(existsSync(path), false);
    assert.ok(lines.some((line) => /pidfile unreadable/.test(line.msg)));
  });
});
