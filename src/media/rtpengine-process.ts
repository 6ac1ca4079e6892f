/**
 * The managed rtpengine: Callpane runs it as a child process in userspace (`--table=-1`: no
 * kernel module, no root needed), with its ng control socket on loopback and no configuration
 * file (`--config-file=none`: the packaged /etc/rtpengine/rtpengine.conf names the Debian
 * service's ports and fixed CLI ports). It watches the engine with ng `ping`, restarts it with
 * exponential back-off when it exits or stops answering, and stops it on shutdown (SIGTERM,
 * then SIGKILL after a grace period). It never depends on the Debian service (rtpengine-daemon's
 * systemd unit), which may or may not run beside it on its own ports.
 *
 * The engine must not outlive Callpane, also when Callpane dies in a way no handler sees
 * (SIGKILL, the OOM killer): it is started through util-linux's `setpriv --pdeathsig KILL`, which
 * asks the kernel (prctl PR_SET_PDEATHSIG, kept across the exec of the engine) to kill it when
 * Callpane's process ends. Without setpriv it is started plainly, with a warning; the pidfile
 * (stale-engine.ts) then lets the next start stop an engine left behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type { StructuredLogger } from '../logging/structured-logger.ts';
import { removeEnginePidfile, writeEnginePidfile } from './stale-engine.ts';

export type EngineState = 'starting' | 'running' | 'restarting' | 'unavailable' | 'stopped';

export interface EngineStatus {
  state: EngineState;
  /** Why it is not running (the last exit, the unanswered pings, the spawn error). */
  reason: string | undefined;
  /** Times the engine was started again after it exited or stopped answering. */
  restarts: number;
  /** The running child's process id. */
  pid: number | undefined;
  /** While restarting: how long the wait before the next start is. */
  retryDelayMs: number | undefined;
}

export interface RtpengineLaunch {
  address: string;
  publicAddress: string | undefined;
  ngPort: number;
  portMin: number;
  portMax: number;
  /** Seconds a deleted call stays in memory (late retransmissions); tests use 0. */
  deleteDelaySeconds: number;
  threads: number;
}

/** The command line of a managed engine: userspace, loopback ng, logs on stderr. */
export function rtpengineArgs(launch: RtpengineLaunch): string[] {
  // rtpengine's `--interface=LOCAL!PUBLIC`: binds LOCAL, writes PUBLIC into SDP (1:1 NAT).
  const iface = launch.publicAddress ? `${launch.address}!${launch.publicAddress}` : launch.address;
  return [
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--no-log-timestamps',
    '--table=-1',
    `--interface=${iface}`,
    `--listen-ng=127.0.0.1:${launch.ngPort}`,
    `--port-min=${launch.portMin}`,
    `--port-max=${launch.portMax}`,
    `--delete-delay=${launch.deleteDelaySeconds}`,
    `--num-threads=${launch.threads}`,
  ];
}

export interface RtpengineProcessOptions {
  /** The executable, already found (media-service.ts). */
  binary: string;
  args: readonly string[];
  logger: StructuredLogger;
  /** Resolves when the engine answers ng `ping` with `pong` (the NgClient's `ping`). */
  ping(): Promise<void>;
  /** Between health pings while running; 2000 ms by default. */
  pingIntervalMs?: number;
  /** Consecutive unanswered pings after which a running engine counts as hung; 3 by default. */
  pingFailures?: number;
  /** How long a started engine has to answer its first ping; 10 s by default. */
  startTimeoutMs?: number;
  /** The first wait before a restart, doubled at each failure in a row; 500 ms by default. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Running this long wipes the failure count, so the next restart waits backoffInitialMs again; 30 s by default. */
  stableMs?: number;
  /** SIGTERM, then SIGKILL after this long; 3000 ms by default. */
  stopGraceMs?: number;
  /** Where each run's pid, start time and command line are recorded (stale-engine.ts); none when omitted. */
  pidfile?: string;
  /** setpriv's path, found on the usual paths when omitted; null starts the engine without it. */
  setpriv?: string | null;
  onStatus?(status: EngineStatus): void;
}

/** How often the first pong is asked for while the engine starts up. */
const START_POLL_MS = 100;
/** Error and warning lines kept to say why an engine exited. */
const KEPT_PROBLEM_LINES = 3;
// `LEVEL: [subsystem] message`, rtpengine's stderr line with --no-log-timestamps.
const LOG_LINE = /^(?:\[[\d.]+\]\s*)?([A-Z]+):\s*(.*)$/;
const PROBLEM_LEVELS = new Set(['EMERG', 'ALERT', 'CRIT', 'ERR', 'ERROR', 'WARNING', 'WARN']);
/** Where util-linux installs setpriv (Debian: /usr/bin; older layouts: /bin). */
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/local/bin/setpriv'];

/** The first setpriv that knows --pdeathsig (util-linux 2.33 and later), or null. */
function findSetpriv(): string | null {
  for (const path of SETPRIV_PATHS) {
    const help = spawnSync(path, ['--help'], { encoding: 'utf8', timeout: 2000 });
    if (help.error === undefined && help.stdout.includes('--pdeathsig')) return path;
  }
  return null;
}

export class RtpengineProcess {
  readonly #options: RtpengineProcessOptions;
  readonly #log: StructuredLogger;
  #child: ChildProcess | undefined;
  #status: EngineStatus = { state: 'stopped', reason: undefined, restarts: 0, pid: undefined, retryDelayMs: undefined };
  #failuresInARow = 0;
  #problemLines: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #firstStart: { resolve(): void } | undefined;
  #generation = 0;
  readonly #setpriv: string | null;
  readonly #killOnExit = () => this.#child?.kill('SIGKILL');

  constructor(options: RtpengineProcessOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'rtpengine' });
    this.#setpriv = options.setpriv === undefined ? findSetpriv() : options.setpriv;
  }

  /** Starts the engine; resolves once it answers or its first start failed (it keeps retrying). */
  start(): Promise<void> {
    // A crash of Callpane must not leave an engine holding the ng port the next start needs.
    process.once('exit', this.#killOnExit);
    if (this.#setpriv === null) {
      this.#log.warn(
        { pidfile: this.#options.pidfile },
        'setpriv (util-linux, with --pdeathsig) not found: if Callpane is killed (SIGKILL, out of memory), rtpengine keeps running until the next start stops it',
      );
    }
    return new Promise((resolve) => {
      this.#firstStart = { resolve };
      this.#launch('starting');
    });
  }

  status(): EngineStatus {
    return { ...this.#status };
  }

  /** Stops the engine and any pending restart; safe to call twice. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    process.off('exit', this.#killOnExit);
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), this.#options.stopGraceMs ?? 3000);
      await exited;
      clearTimeout(grace);
    }
    if (this.#options.pidfile !== undefined && child?.pid !== undefined) removeEnginePidfile(this.#options.pidfile, child.pid);
    this.#setStatus({ state: 'stopped', reason: undefined, pid: undefined, retryDelayMs: undefined });
    this.#releaseFirstStart();
  }

  #setStatus(change: Partial<EngineStatus>): void {
    this.#status = { ...this.#status, ...change };
    this.#options.onStatus?.(this.status());
  }

  #releaseFirstStart(): void {
    this.#firstStart?.resolve();
    this.#firstStart = undefined;
  }

  #launch(state: 'starting' | 'restarting'): void {
    if (this.#stopping) return;
    const generation = ++this.#generation;
    this.#problemLines = [];
    const { binary, args, pidfile } = this.#options;
    const [command, commandArgs] = this.#setpriv === null ? [binary, args] : [this.#setpriv, ['--pdeathsig', 'KILL', binary, ...args]];
    let child: ChildProcess;
    try {
      // Checked here, as setpriv would otherwise report a missing engine only as its exit code.
      accessSync(binary, constants.X_OK);
      // Its own process group: Ctrl+C at the terminal signals Callpane's group, and Callpane stops
      // the engine itself after the calls' services; a child that died first would be restarted.
      child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      this.#failed(generation, `cannot run ${binary}: ${code ?? message}`, 'unavailable');
      return;
    }
    this.#child = child;
    if (pidfile !== undefined && child.pid !== undefined) {
      try {
        writeEnginePidfile(pidfile, child.pid, [binary, ...args]);
      } catch (error) {
        this.#log.warn({ pidfile, err: (error as Error).message }, 'cannot write the rtpengine pidfile: an engine left by a crash would not be found at the next start');
      }
    }
    this.#setStatus({ state, pid: child.pid, retryDelayMs: undefined });
    this.#log.debug({ enginePid: child.pid, args: this.#options.args }, 'rtpengine started');
    for (const stream of [child.stdout, child.stderr]) this.#readLines(stream);
    child.once('error', (error: NodeJS.ErrnoException) => {
      // ENOENT, EACCES: the binary went away or lost its execute bit (an upgrade in progress).
      this.#failed(generation, `cannot run ${command}: ${error.code ?? error.message}`, 'unavailable');
    });
    child.once('exit', (code, signal) => {
      const problem = this.#problemLines.length > 0 ? `: ${this.#problemLines.join(' / ')}` : '';
      this.#failed(generation, `rtpengine exited (${signal ? `killed by ${signal}` : `code ${code}`})${problem}`, 'restarting');
    });
    const startedAt = Date.now();
    const awaitPong = () => {
      if (generation !== this.#generation || this.#stopping) return;
      this.#options.ping().then(
        () => {
          if (generation !== this.#generation || this.#stopping) return;
          this.#setStatus({ state: 'running', reason: undefined });
          this.#log.info({ enginePid: child.pid }, 'rtpengine is running');
          this.#releaseFirstStart();
          this.#watch(generation, Date.now());
        },
        (error: Error) => {
          if (generation !== this.#generation || this.#stopping) return;
          if (Date.now() - startedAt < (this.#options.startTimeoutMs ?? 10_000)) {
            this.#timer = setTimeout(awaitPong, START_POLL_MS);
            return;
          }
          this.#hung(generation, `rtpengine did not answer ng ping within ${this.#options.startTimeoutMs ?? 10_000} ms (${error.message})`);
        },
      );
    };
    awaitPong();
  }

  /** Health pings while running; a run that lasts stableMs wipes the failure count. */
  #watch(generation: number, runningSince: number): void {
    let unanswered = 0;
    const tick = () => {
      if (generation !== this.#generation || this.#stopping) return;
      if (Date.now() - runningSince >= (this.#options.stableMs ?? 30_000)) this.#failuresInARow = 0;
      this.#options.ping().then(
        () => {
          unanswered = 0;
          if (generation === this.#generation && !this.#stopping) this.#timer = setTimeout(tick, this.#options.pingIntervalMs ?? 2000);
        },
        (error: Error) => {
          if (generation !== this.#generation || this.#stopping) return;
          unanswered += 1;
          const limit = this.#options.pingFailures ?? 3;
          this.#log.warn({ unanswered, limit, err: error.message }, 'rtpengine did not answer ng ping');
          if (unanswered >= limit) this.#hung(generation, `rtpengine stopped answering ng ping (${unanswered} in a row: ${error.message})`);
          else this.#timer = setTimeout(tick, this.#options.pingIntervalMs ?? 2000);
        },
      );
    };
    this.#timer = setTimeout(tick, this.#options.pingIntervalMs ?? 2000);
  }

  /** A hung engine is killed; its exit then restarts it, with this reason rather than the signal. */
  #hung(generation: number, reason: string): void {
    const child = this.#child;
    this.#failed(generation, reason, 'restarting');
    child?.kill('SIGKILL');
  }

  /** The current run is over: schedule the next start after the back-off. */
  #failed(generation: number, reason: string, state: 'restarting' | 'unavailable'): void {
    if (generation !== this.#generation || this.#stopping) return;
    // Later events of this run (the exit after an error or a kill) are not failures of their own.
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#failuresInARow += 1;
    const initial = this.#options.backoffInitialMs ?? 500;
    const delay = Math.min(initial * 2 ** (this.#failuresInARow - 1), this.#options.backoffMaxMs ?? 30_000);
    this.#log.warn({ reason, retryInMs: delay, restarts: this.#status.restarts }, 'rtpengine is down: restarting it');
    this.#setStatus({ state, reason, pid: undefined, retryDelayMs: delay });
    this.#releaseFirstStart();
    this.#timer = setTimeout(() => {
      // Counted here, announced with the new run's pid by #launch.
      this.#status.restarts += 1;
      this.#launch('restarting');
    }, delay);
  }

  #readLines(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#logLine(line.trimEnd());
    });
    stream.on('end', () => {
      if (partial) this.#logLine(partial.trimEnd());
    });
  }

  #logLine(line: string): void {
    if (line === '') return;
    const [, level = '', message = line] = LOG_LINE.exec(line) ?? [];
    if (PROBLEM_LEVELS.has(level)) {
      this.#problemLines = [...this.#problemLines, message].slice(-KEPT_PROBLEM_LINES);
      this.#log.warn({ engineLevel: level }, `rtpengine: ${message}`);
    } else {
      this.#log.debug({ engineLevel: level }, `rtpengine: ${message}`);
    }
  }
}
