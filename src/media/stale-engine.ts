/**
 * The managed rtpengine's pidfile (`<dataDir>/rtpengine.pid`), and how an engine an earlier
 * Callpane left running is found and stopped at start. An engine outlives Callpane when Callpane
 * is killed in a way nothing can catch (SIGKILL, the OOM killer) on a machine without setpriv, or
 * in the moment between its spawn and its parent-death signal being armed; it then holds the ng
 * port the next start needs.
 *
 * A pid alone is not an identity: after the engine exited, the kernel may give its pid to any
 * other program. The file therefore also records the process's start time (field 22 of
 * /proc/<pid>/stat, in clock ticks since boot, which a recycled pid cannot share) and the
 * engine's command line; a process is stopped only when both still match. Anything else named
 * there is left alone, and the file, stale, is removed. The file is 0600: it is read back as the
 * user Callpane runs as, and says nothing anyone else needs.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StructuredLogger } from '../logging/structured-logger.ts';

export const ENGINE_PIDFILE = 'rtpengine.pid';

export interface EngineRecord {
  pid: number;
  /** /proc/<pid>/stat field 22: clock ticks after boot at which the process started. */
  startTime: string;
  /** The engine's command line (binary and arguments), as /proc/<pid>/cmdline reads once it runs. */
  cmdline: string[];
}

/** How long a stale engine gets to exit on SIGTERM before SIGKILL, and then to be gone. */
const STOP_GRACE_MS = 2000;
const POLL_MS = 20;

interface ProcessIdentity {
  startTime: string;
  /** A zombie has exited: only its parent's wait is missing. */
  exited: boolean;
}

/** The process's start time and whether it has exited; undefined when there is no such process. */
function identityOf(pid: number): ProcessIdentity | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // proc(5): "pid (comm) state ...": comm may hold spaces and parentheses, so count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  const startTime = fields[19];
  return startTime === undefined ? undefined : { startTime, exited: fields[0] === 'Z' || fields[0] === 'X' };
}

function cmdlineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/**
 * Records a just-spawned engine. Its command line may still be setpriv's for a moment (setpriv
 * execs the engine in the same process), so what is recorded is the engine's own, and a match
 * accepts a command line that ends with it.
 */
export function writeEnginePidfile(path: string, pid: number, cmdline: readonly string[]): void {
  const identity = identityOf(pid);
  if (identity === undefined) return;
  const record: EngineRecord = { pid, startTime: identity.startTime, cmdline: [...cmdline] };
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(partial, path);
}

/** Removes the pidfile when it still names `pid` (a newer run may have replaced it). */
export function removeEnginePidfile(path: string, pid: number): void {
  const record = readRecord(path);
  if (record !== undefined && record !== 'unreadable' && record.pid !== pid) return;
  rmSync(path, { force: true });
}

function readRecord(path: string): EngineRecord | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
  try {
    const parsed = JSON.parse(text) as Partial<EngineRecord>;
    const { pid, startTime, cmdline } = parsed;
    if (Number.isInteger(pid) && (pid as number) > 0 && typeof startTime === 'string' && Array.isArray(cmdline) && cmdline.every((arg) => typeof arg === 'string')) {
      return { pid: pid as number, startTime, cmdline };
    }
  } catch {
    // Reported below like any other malformed file.
  }
  return 'unreadable';
}

function endsWith(actual: readonly string[], expected: readonly string[]): boolean {
  if (expected.length === 0 || actual.length < expected.length) return false;
  const offset = actual.length - expected.length;
  return expected.every((arg, index) => actual[offset + index] === arg);
}

/** Whether the process the record names is still that engine (not a recycled pid). */
function isRecordedEngine(record: EngineRecord): boolean {
  const identity = identityOf(record.pid);
  if (identity === undefined || identity.exited || identity.startTime !== record.startTime) return false;
  const cmdline = cmdlineOf(record.pid);
  return cmdline !== undefined && endsWith(cmdline, record.cmdline);
}

async function gone(pid: number, startTime: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const identity = identityOf(pid);
    if (identity === undefined || identity.exited || identity.startTime !== startTime) return true;
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

/**
 * Stops the engine the pidfile names when it is still running (SIGTERM, SIGKILL after a grace
 * period), logging that it did; leaves any other process alone. The pidfile is gone afterwards.
 */
export async function stopStaleEngine(path: string, logger: StructuredLogger): Promise<void> {
  const record = readRecord(path);
  if (record === undefined) return;
  if (record === 'unreadable') {
    logger.warn({ pidfile: path }, 'rtpengine pidfile unreadable: removed; an engine it named, if any, was not stopped');
    rmSync(path, { force: true });
    return;
  }
  if (!isRecordedEngine(record)) {
    logger.debug({ pidfile: path, pid: record.pid }, 'rtpengine pidfile names no engine of ours any more (exited, or the pid now belongs to another program): left alone');
    rmSync(path, { force: true });
    return;
  }
  logger.warn({ pidfile: path, pid: record.pid }, 'stopping the rtpengine an earlier Callpane left running (it holds the ng port)');
  try {
    process.kill(record.pid, 'SIGTERM');
    if (!(await gone(record.pid, record.startTime, STOP_GRACE_MS))) {
      // Checked again right before the kill: the pid must still be that engine.
      if (isRecordedEngine(record)) process.kill(record.pid, 'SIGKILL');
      await gone(record.pid, record.startTime, STOP_GRACE_MS);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ESRCH: it exited by itself meanwhile. EPERM: another user's process; say so and go on.
    if (code !== 'ESRCH') logger.warn({ pid: record.pid, err: (error as Error).message }, 'cannot stop the rtpengine an earlier Callpane left running');
  }
  rmSync(path, { force: true });
}
