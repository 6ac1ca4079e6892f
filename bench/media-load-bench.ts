/**
 * Concurrent relayed G.711 calls: calls through a bench Callpane with media.relay `always` are
 * added step by step and kept up, each with RTP flowing both ways at 50 packets/s
 * (bench/rtp-streams.ts), until packet loss or jitter rises. Per step it prints the calls, loss,
 * jitter and one-way delay through the relay, rtpengine's CPU per call, Callpane's and this
 * generator's CPU, and the machine's.
 *
 * Three ramps: with the managed rtpengine (Callpane's child process, as `npm start` runs it) and with
 * the same rtpengine command line started here as an external engine (media.rtpengine.engines),
 * so that a ceiling set by the machine's CPU and one set by Callpane's process can be told apart.
 * Both userspace (`--table=-1`): no kernel module forwards packets. And once with no relay at all
 * (`direct`: the endpoints send to each other), the floor of what this generator can measure on
 * this machine.
 *
 * Why our own RTP endpoints rather than sipp (Debian sip-tester 3.6) or baresip: they know what
 * they sent and when, so loss and jitter are counted from every packet. sipp plays RTP (pcap play,
 * rtp_stream) and echoes it (`-rtp_echo`, one port for all calls) but reports neither loss nor
 * jitter; baresip would cost a process per call on a 2-core machine that also runs the relay.
 *
 * Runs in a loopback-only network namespace when root. bench/run.ts imports it; run alone:
 * `node bench/media-load-bench.ts [--steps 50,100,200] [--seconds 5] [--modes managed,external,direct]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NgClient } from '../src/media/ng/ng-client.ts';
import { rtpengineArgs } from '../src/media/rtpengine-process.ts';
import { freeUdpTcpPort } from '../test/support/ports.ts';
import { FIRST_BENCH_EXTENSION } from './bench-users.ts';
import { startBenchServer, type BenchServer } from './bench-server.ts';
import { HeldCalls } from './held-calls.ts';
import { runIsolated } from './isolated-bench.ts';
import { machineBusySeconds, processCpuSeconds } from './proc-cpu.ts';
import { RtpStreams, type RtpWindowResult } from './rtp-streams.ts';
import { itemAt } from '../test/support/item-at.ts';

/** `direct`: no relay at all, the generator's own floor. */
export type EngineMode = 'managed' | 'external' | 'direct';

const ALL_MODES: readonly EngineMode[] = ['managed', 'external', 'direct'];
const MODE_LABELS: Record<EngineMode, string> = {
  managed: 'managed rtpengine (Callpane’s child process)',
  external: 'external rtpengine (the same command line, started by the bench; media.rtpengine.engines)',
  direct: 'no relay (endpoints send to each other: the generator’s own floor)',
};

export interface MediaLoadOptions {
  /** Concurrent calls at each step, rising; 100,200,400,600,800,1000,1200,1500 when omitted. */
  steps?: number[];
  /** Measurement window per step; 5 s when omitted. */
  seconds?: number;
  /** managed, external and direct when omitted. */
  modes?: EngineMode[];
}

export interface MediaLoadStep extends RtpWindowResult {
  calls: number;
  /** Cores' worth of CPU over the window (1 = one core busy all the time). */
  rtpengineCores: number;
  callpaneCores: number;
  generatorCores: number;
  machineCores: number;
  loadAverage1m: number;
}

export interface MediaLoadRun {
  mode: EngineMode;
  steps: MediaLoadStep[];
  /** Why the ramp stopped before its last step, if it did. */
  stoppedBecause: string | undefined;
  /** BYEs at the end that were not answered 200 (the first few). */
  hangUpFailures: string[];
}

export interface MediaLoadResult {
  cores: number;
  cpu: string;
  seconds: number;
  runs: MediaLoadRun[];
}

const DEFAULT_STEPS = [100, 200, 400, 600, 800, 1000, 1200, 1500];
/**
 * Where the ramp stops: G.711 with packet loss concealment stays usable to about 1 % random loss
 * (ITU-T G.113 Appendix I), and a phone's jitter buffer is typically 20–60 ms, so a mean jitter of
 * 10 ms already eats much of it.
 */
export const LOSS_LIMIT_PERCENT = 1;
export const JITTER_LIMIT_MS = 10;
/** After a step's calls are set up, before its window: rtpengine latches, queues settle. */
const SETTLE_MS = 1000;
const ENGINE_PORTS = { portMin: 20000, portMax: 29999 };

async function startExternalEngine(): Promise<{ address: string; pid: number; stop(): Promise<void> }> {
  const ngPort = await freeUdpTcpPort();
  // The managed engine's very command line (src/media/rtpengine-process.ts), started by us.
  const args = rtpengineArgs({
    address: '127.0.0.1',
    publicAddress: undefined,
    ngPort,
    ...ENGINE_PORTS,
    deleteDelaySeconds: 5,
    threads: Math.max(2, Math.min(4, availableParallelism())),
  });
  const engine: ChildProcess = spawn('rtpengine', args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const ng = new NgClient({ host: '127.0.0.1', port: ngPort, timeoutMs: 200, retries: 0 });
  const stop = async (): Promise<void> => {
    await ng.close();
    if (engine.exitCode !== null || engine.signalCode !== null) return;
    const exited = once(engine, 'exit');
    engine.kill('SIGTERM');
    await exited;
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await ng.ping();
      if (engine.pid === undefined) throw new Error('no pid');
      return { address: `127.0.0.1:${ngPort}`, pid: engine.pid, stop };
    } catch {
      if (engine.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new Error(`the external rtpengine (rtpengine ${args.join(' ')}) did not answer ng ping`);
}

/** What a ramp adds calls to: relayed calls through a bench Callpane, or RTP pairs sending straight to each other. */
interface CallSource {
  active(): number;
  add(count: number): Promise<void>;
  /** The processes whose CPU is reported: rtpengine and Callpane (none for direct pairs). */
  rtpenginePid: number | undefined;
  callpanePid: number | undefined;
  hangUp(): Promise<string[]>;
  close(): Promise<void>;
}

async function relayedCalls(mode: 'managed' | 'external', maxCalls: number, streams: RtpStreams): Promise<CallSource> {
  const external = mode === 'external' ? await startExternalEngine() : undefined;
  let server: BenchServer | undefined;
  let calls: HeldCalls | undefined;
  const close = async (): Promise<void> => {
    calls?.close();
    await server?.stop();
    await external?.stop();
  };
  try {
    server = await startBenchServer({ port: await freeUdpTcpPort(), users: 2 * maxCalls, mediaRelay: 'always', rtpengineEngines: external?.address });
    const stats = await server.stats();
    const rtpenginePid = external?.pid ?? stats.rtpenginePid;
    if (stats.mediaMode !== mode || rtpenginePid === undefined) throw new Error(`the bench server's media is ${stats.mediaMode}, not ${mode} with a running rtpengine`);
    const user = (i: number) => ({ user: String(FIRST_BENCH_EXTENSION + i), password: `pw-${i}` });
    const held = await HeldCalls.open(
      { host: '127.0.0.1', port: server.port },
      Array.from({ length: maxCalls }, (_, i) => user(maxCalls + i)),
      streams,
    );
    calls = held;
    await held.registerCallees();
    return {
      active: () => held.active,
      add: (count) => held.add(count, user, (i) => String(FIRST_BENCH_EXTENSION + maxCalls + i)),
      rtpenginePid,
      callpanePid: stats.pid,
      hangUp: () => held.hangUp(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The generator alone: pairs of endpoints sending to each other, what it measures without any relay. */
function directPairs(streams: RtpStreams): CallSource {
  let active = 0;
  return {
    active: () => active,
    async add(count) {
      for (let i = 0; i < count; i++) {
        const [a, b] = await Promise.all([streams.open(), streams.open()]);
        a.sendTo({ host: '127.0.0.1', port: b.port });
        b.sendTo({ host: '127.0.0.1', port: a.port });
        active++;
      }
    },
    rtpenginePid: undefined,
    callpanePid: undefined,
    hangUp: async () => [],
    close: async () => undefined,
  };
}

async function ramp(mode: EngineMode, steps: readonly number[], seconds: number, report: (line: string) => void): Promise<MediaLoadRun> {
  const streams = new RtpStreams();
  let source: CallSource | undefined;
  try {
    source = mode === 'direct' ? directPairs(streams) : await relayedCalls(mode, steps.at(-1) ?? 0, streams);
    const cpuOf = (pid: number | undefined): number => (pid === undefined ? 0 : processCpuSeconds(pid));
    streams.start();
    const result: MediaLoadRun = { mode, steps: [], stoppedBecause: undefined, hangUpFailures: [] };
    for (const target of steps) {
      try {
        await source.add(target - source.active());
      } catch (error) {
        result.stoppedBecause = `a call could not be set up on the way to ${target} calls (${source.active()} up): ${(error as Error).message}`;
        report(`${mode}: ${result.stoppedBecause}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const before = {
        rtpengine: cpuOf(source.rtpenginePid),
        callpane: cpuOf(source.callpanePid),
        generator: process.cpuUsage(),
        machine: machineBusySeconds(),
        at: performance.now(),
      };
      const window = await streams.measure(seconds * 1000);
      const elapsed = (performance.now() - before.at) / 1000;
      const generator = process.cpuUsage(before.generator);
      const step: MediaLoadStep = {
        calls: source.active(),
        ...window,
        rtpengineCores: (cpuOf(source.rtpenginePid) - before.rtpengine) / elapsed,
        callpaneCores: (cpuOf(source.callpanePid) - before.callpane) / elapsed,
        generatorCores: (generator.user + generator.system) / 1e6 / elapsed,
        machineCores: (machineBusySeconds() - before.machine) / elapsed,
        loadAverage1m: itemAt(loadavg(), 0),
      };
      result.steps.push(step);
      report(`${mode}: ${formatStep(step, mode)}`);
      if (step.lossPercent >= LOSS_LIMIT_PERCENT) result.stoppedBecause = `loss ${step.lossPercent.toFixed(2)} % ≥ ${LOSS_LIMIT_PERCENT} %`;
      else if (step.jitterMeanMs >= JITTER_LIMIT_MS) result.stoppedBecause = `mean jitter ${step.jitterMeanMs.toFixed(1)} ms ≥ ${JITTER_LIMIT_MS} ms`;
      else if (step.skipped > 0) result.stoppedBecause = `the generator fell over 100 ms behind and skipped ${step.skipped} packets: beyond this it measures itself`;
      if (result.stoppedBecause !== undefined) break;
    }
    result.hangUpFailures = (await source.hangUp()).slice(0, 3);
    return result;
  } finally {
    streams.close();
    await source?.close();
  }
}

export async function measureMediaLoad(options: MediaLoadOptions = {}, report: (line: string) => void = () => undefined): Promise<MediaLoadResult> {
  const steps = options.steps ?? DEFAULT_STEPS;
  const seconds = options.seconds ?? 5;
  const runs: MediaLoadRun[] = [];
  for (const mode of options.modes ?? ALL_MODES) runs.push(await ramp(mode, steps, seconds, report));
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown CPU', seconds, runs };
}

export async function runMediaLoadBench(options: MediaLoadOptions = {}): Promise<MediaLoadResult & { isolated: boolean }> {
  const args = ['--json', '--steps', (options.steps ?? DEFAULT_STEPS).join(','), '--seconds', String(options.seconds ?? 5)];
  args.push('--modes', (options.modes ?? ALL_MODES).join(','));
  return runIsolated<MediaLoadResult>(fileURLToPath(import.meta.url), args);
}

function formatStep(step: MediaLoadStep, mode: EngineMode): string {
  const perCall = step.calls === 0 ? 0 : (100 * step.rtpengineCores) / step.calls;
  const relay =
    mode === 'direct'
      ? ''
      : `rtpengine ${(100 * step.rtpengineCores).toFixed(1)} % of a core = ${perCall.toFixed(3)} % per call, Callpane ${(100 * step.callpaneCores).toFixed(1)} %, `;
  return (
    `${String(step.calls).padStart(4)} calls: loss ${step.lossPercent.toFixed(2)} %, jitter mean ${step.jitterMeanMs.toFixed(2)} ms (p99 ${step.jitterP99Ms.toFixed(2)}), ` +
    `delay p50 ${step.delayP50Ms.toFixed(2)} / p99 ${step.delayP99Ms.toFixed(2)} / max ${step.delayMaxMs.toFixed(1)} ms; ${relay}` +
    `generator ${(100 * step.generatorCores).toFixed(1)} % (send lag p99 ${step.sendLagP99Ms.toFixed(1)} ms${step.skipped > 0 ? `, ${step.skipped} packets skipped` : ''}), machine ${step.machineCores.toFixed(2)} of ${availableParallelism()} cores busy, load ${step.loadAverage1m.toFixed(2)}`
  );
}

export function formatMediaLoad(result: MediaLoadResult & { isolated?: boolean }): string {
  const lines = [
    `Relayed G.711 calls held up, RTP both ways at 50 packets/s per leg (PCMU, 20 ms), rtpengine in userspace, ${result.seconds} s window per step, ` +
      `on ${result.cores} × ${result.cpu}${result.isolated === false ? ' (not in a loopback-only namespace: run as root for that)' : ''}; ` +
      `the ramp stops at ${LOSS_LIMIT_PERCENT} % loss or ${JITTER_LIMIT_MS} ms mean jitter`,
  ];
  for (const run of result.runs) {
    lines.push(`  ${MODE_LABELS[run.mode]}:`);
    for (const step of run.steps) lines.push(`    ${formatStep(step, run.mode)}`);
    lines.push(`    ${run.stoppedBecause === undefined ? 'no step reached the limits' : `stopped: ${run.stoppedBecause}`}`);
    if (run.hangUpFailures.length > 0) lines.push(`    hanging up: ${run.hangUpFailures.join('; ')}`);
  }
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { steps: { type: 'string' }, seconds: { type: 'string' }, modes: { type: 'string' }, json: { type: 'boolean' } },
  });
  const steps = values.steps?.split(',').map(Number);
  if (steps !== undefined && (steps.length === 0 || steps.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n <= itemAt(steps, i - 1))))) {
    throw new RangeError(`--steps must be rising positive integers such as 50,100,200, got ${values.steps}`);
  }
  const modes = values.modes?.split(',') as EngineMode[] | undefined;
  if (modes !== undefined && (modes.length === 0 || modes.some((mode) => !ALL_MODES.includes(mode))))
    throw new RangeError(`--modes must list some of ${ALL_MODES.join(', ')}, got ${values.modes}`);
  const options: MediaLoadOptions = { steps, seconds: values.seconds === undefined ? undefined : Number(values.seconds), modes };
  // --json: the isolated child of runMediaLoadBench (progress lines, then the result as JSON).
  if (values.json) console.log(JSON.stringify(await measureMediaLoad(options, (line) => console.log(line))));
  else console.log(formatMediaLoad(await runMediaLoadBench(options)));
}
