/**
 * A real peer (baresip, Kamailio) run as a child process for a test: its stdout and stderr go
 * into a ring buffer of lines for diagnostics and log waits, it is stopped gracefully then
 * killed, and it never outlives the test process (killed on exit, SIGINT and SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { withDeadline } from './deadline.ts';

export interface ManagedProcessOptions {
  /** Names the process in errors and diagnostics ("baresip alice"). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /**
   * Runs the child in its own process group and signals the whole group, for servers that fork
   * workers (Kamailio); the workers then die with it.
   */
  processGroup?: boolean;
  /** How many recent output lines to keep; 400 when omitted. */
  keepLines?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopOptions {
  /** Asks the process to exit (a quit command, a signal); SIGTERM when omitted. */
  requestExit?: () => void | Promise<void>;
  /** How long to wait for a graceful exit before SIGKILL; 3000 ms when omitted. */
  graceMs?: number;
}

export interface LineWaitOptions {
  /** Only lines from this line number on (see `lineCount`); 0 (every line kept) when omitted. */
  since?: number;
}

// ESC [ ... letter: the colour codes baresip writes around warnings and errors.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what an ANSI colour sequence starts with
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;
const DIAGNOSTIC_LINES = 40;

const live = new Set<ManagedProcess>();
let hooksInstalled = false;

export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  readonly #child: ChildProcess;
  readonly #processGroup: boolean;
  readonly #keepLines: number;
  readonly #lines: string[] = [];
  readonly #lineListeners = new Set<(line: string, lineNumber: number) => void>();
  #lineCount = 0;
  #exit: ProcessExit | undefined;
  #partial = { stdout: '', stderr: '' };

  private constructor(options: ManagedProcessOptions, child: ChildProcess) {
    this.name = options.name;
    this.#child = child;
    this.#processGroup = options.processGroup ?? false;
    this.#keepLines = options.keepLines ?? 400;
    if (child.pid === undefined) throw new Error(`${options.name}: spawn gave no pid`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#flushPartial();
        this.#exit = { code, signal };
        this.#record(`[${this.name} exited: ${signal ?? `code ${code}`}]`);
        live.delete(this);
        resolve(this.#exit);
      });
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#consume('stdout', chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.#consume('stderr', chunk));
  }

  /** Starts the process; rejects when the executable cannot be started at all. */
  static async start(options: ManagedProcessOptions): Promise<ManagedProcess> {
    installExitHooks();
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      // stdin stays /dev/null: nothing here is interactive (see baresip.ts on stdio.so).
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.processGroup ?? false,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`${options.name}: cannot start ${options.command}: ${error.message}`)));
    });
    const managed = new ManagedProcess(options, child);
    live.add(managed);
    return managed;
  }

  /** The exit status once the process has exited, else undefined. */
  get exitStatus(): ProcessExit | undefined {
    return this.#exit;
  }

  /** Number of output lines seen so far (also those dropped from the ring buffer). */
  get lineCount(): number {
    return this.#lineCount;
  }

  recentLines(count = DIAGNOSTIC_LINES): string[] {
    return this.#lines.slice(-count);
  }

  /** An Error whose message ends with the process's last output lines. */
  error(message: string): Error {
    const state = this.#exit === undefined ? `pid ${this.pid}` : `exited: ${this.#exit.signal ?? `code ${this.#exit.code}`}`;
    const lines = this.recentLines();
    return new Error(`${this.name}: ${message}\n--- last ${lines.length} output lines of ${this.name} (${state}) ---\n${lines.join('\n')}`);
  }

  onLine(listener: (line: string, lineNumber: number) => void): () => void {
    this.#lineListeners.add(listener);
    return () => this.#lineListeners.delete(listener);
  }

  /**
   * The first kept line (from `since` on) matching `pattern`, or the next one printed. Rejects
   * after `timeoutMs`, or as soon as the process exits without printing it.
   */
  waitForLine(pattern: RegExp, timeoutMs: number, options: LineWaitOptions = {}): Promise<RegExpMatchArray> {
    const since = options.since ?? 0;
    const firstKept = this.#lineCount - this.#lines.length;
    for (const line of this.#lines.slice(Math.max(0, since - firstKept))) {
      const match = line.match(pattern);
      if (match !== null) return Promise.resolve(match);
    }
    let unsubscribe: () => void = () => undefined;
    const found = new Promise<RegExpMatchArray>((resolve, reject) => {
      unsubscribe = this.onLine((line, lineNumber) => {
        const match = lineNumber >= since ? line.match(pattern) : null;
        if (match !== null) resolve(match);
      });
      void this.exited.then(() => reject(this.error(`exited before printing a line matching ${pattern}`)));
    });
    return withDeadline(found, timeoutMs, () => this.error(`no output line matched ${pattern} within ${timeoutMs} ms`)).finally(() => unsubscribe());
  }

  signal(signal: NodeJS.Signals): void {
    if (this.#exit !== undefined) return;
    try {
      if (this.#processGroup) process.kill(-this.pid, signal);
      else this.#child.kill(signal);
    } catch (error) {
      // ESRCH: it exited between our check and the signal.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /**
   * Asks the process to exit, waits up to `graceMs`, then SIGKILLs it (its whole group with
   * `processGroup`). Resolves once it has exited; never rejects for a process that had to be killed.
   */
  async stop(options: StopOptions = {}): Promise<ProcessExit> {
    if (this.#exit !== undefined) {
      if (this.#processGroup) this.signal('SIGKILL');
      return this.#exit;
    }
    const graceMs = options.graceMs ?? 3000;
    try {
      if (options.requestExit === undefined) this.signal('SIGTERM');
      else await withDeadline(Promise.resolve(options.requestExit()), graceMs, () => new Error('exit request timed out'));
      return await withDeadline(this.exited, graceMs, () => new Error('graceful exit timed out'));
    } catch {
      this.#record(`[${this.name} did not exit within ${graceMs} ms: SIGKILL]`);
      this.signal('SIGKILL');
      return this.exited;
    } finally {
      // Workers of a process group may outlive their parent for a moment.
      if (this.#processGroup) this.#killGroupQuietly();
    }
  }

  #killGroupQuietly(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone, which is the goal.
    }
  }

  #consume(stream: 'stdout' | 'stderr', chunk: string): void {
    // baresip rewrites its status line with \r, so \r ends a line as well.
    const parts = (this.#partial[stream] + chunk).split(/\r\n|\r|\n/);
    this.#partial[stream] = parts.pop() ?? '';
    for (const part of parts) this.#record(part);
  }

  #flushPartial(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partial[stream] !== '') this.#record(this.#partial[stream]);
      this.#partial[stream] = '';
    }
  }

  #record(raw: string): void {
    const line = raw.replace(ANSI_ESCAPE, '').trimEnd();
    if (line === '') return;
    const lineNumber = this.#lineCount++;
    this.#lines.push(line);
    if (this.#lines.length > this.#keepLines) this.#lines.shift();
    for (const listener of this.#lineListeners) listener(line, lineNumber);
  }

  /** Synchronous last resort, for exit hooks. */
  killNow(): void {
    if (this.#processGroup) this.#killGroupQuietly();
    else if (this.#exit === undefined) this.#child.kill('SIGKILL');
  }
}

/** Processes still running; tests can assert that nothing leaked. */
export function liveProcesses(): readonly ManagedProcess[] {
  return [...live];
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = (): void => {
    for (const managed of live) managed.killNow();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      // Die of the same signal, as the default disposition would have.
      process.kill(process.pid, signal);
    });
  }
}
