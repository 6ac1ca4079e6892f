/**
 * Setup latency the media relay adds: the same call load (bench/call-load-generator.ts: INVITE
 * with an SDP offer → 407 → INVITE with credentials → 180 → 200 with the SDP answer → ACK → BYE)
 * against two bench Callpanes running side by side, one with media.relay `never` (the SDP goes
 * through untouched) and one with `always` (managed rtpengine: ng `offer` on the INVITE, `answer`
 * on the 200, `query` and `delete` on the BYE). Open loop at a modest rate, so the figures are
 * latency without queueing; the two servers take turns, round after round, so that load from
 * elsewhere on the machine falls on both alike.
 *
 * Runs in a loopback-only network namespace when root. bench/run.ts imports it; run alone:
 * `node bench/media-setup-bench.ts [--rate 50] [--seconds 10] [--rounds 2]`.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freeUdpTcpPort } from '../test/support/ports.ts';
import { FIRST_BENCH_EXTENSION } from './bench-users.ts';
import { startBenchServer, type BenchServer } from './bench-server.ts';
import { openCallLoad, type CallLoad, type CallLoadResult, type LoadUser } from './call-load-generator.ts';
import { runIsolated } from './isolated-bench.ts';
import { processCpuSeconds } from './proc-cpu.ts';

export interface MediaSetupOptions {
  /** Call setups per second, open loop; 50 when omitted. */
  ratePerSecond?: number;
  /** Length of one round per server; 10 s when omitted. */
  seconds?: number;
  /** Rounds per server, taken in turns; 2 when omitted. */
  rounds?: number;
}

export interface MediaSetupResult {
  ratePerSecond: number;
  seconds: number;
  /** Per round: the run without relay and the run through rtpengine. */
  rounds: Array<{ never: CallLoadResult; always: CallLoadResult }>;
  /** CPU milliseconds per completed call over all rounds: each Callpane, and the managed rtpengine. */
  cpuMsPerCall: { never: number; always: number; rtpengine: number };
  loadAverage: number[];
}

const PAIRS = 200;

function users(): { callers: LoadUser[]; callees: LoadUser[] } {
  const user = (i: number): LoadUser => ({ user: String(FIRST_BENCH_EXTENSION + i), password: `pw-${i}` });
  return { callers: Array.from({ length: PAIRS }, (_, i) => user(i)), callees: Array.from({ length: PAIRS }, (_, i) => user(PAIRS + i)) };
}

async function openLoad(server: BenchServer): Promise<CallLoad> {
  const load = await openCallLoad({ target: { host: '127.0.0.1', port: server.port }, ...users() });
  const registration = await load.registerCallees();
  if (registration.registered !== PAIRS) throw new Error(`only ${registration.registered} of ${PAIRS} callees registered: ${registration.failures.join('; ')}`);
  // Warm-up: JIT on both sides, every pair's first call, rtpengine's first sessions.
  await load.run({ pacing: { concurrency: 20 }, count: PAIRS });
  return load;
}

export async function measureMediaSetup(options: MediaSetupOptions = {}): Promise<MediaSetupResult> {
  const ratePerSecond = options.ratePerSecond ?? 50;
  const seconds = options.seconds ?? 10;
  const rounds = options.rounds ?? 2;
  const servers: BenchServer[] = [];
  const loads: CallLoad[] = [];
  try {
    const never = await startBenchServer({ port: await freeUdpTcpPort(), users: 2 * PAIRS, mediaRelay: 'never' });
    servers.push(never);
    const always = await startBenchServer({ port: await freeUdpTcpPort(), users: 2 * PAIRS, mediaRelay: 'always' });
    servers.push(always);
    const relayed = await always.stats();
    if (relayed.mediaMode !== 'managed' || relayed.rtpenginePid === undefined)
      throw new Error(`the relayed bench server has no running managed rtpengine (media mode ${relayed.mediaMode})`);
    const direct = await openLoad(never);
    loads.push(direct);
    const anchored = await openLoad(always);
    loads.push(anchored);
    const cpu = { never: 0, always: 0, rtpengine: 0 };
    const rtpenginePid = relayed.rtpenginePid;
    const run = async (load: CallLoad, pid: number, mode: 'never' | 'always'): Promise<CallLoadResult> => {
      const before = { server: processCpuSeconds(pid), rtpengine: processCpuSeconds(rtpenginePid) };
      const result = await load.run({ pacing: { ratePerSecond }, durationMs: seconds * 1000 });
      cpu[mode] += processCpuSeconds(pid) - before.server;
      if (mode === 'always') cpu.rtpengine += processCpuSeconds(rtpenginePid) - before.rtpengine;
      return result;
    };
    const results: MediaSetupResult['rounds'] = [];
    const neverPid = (await never.stats()).pid;
    for (let round = 0; round < rounds; round++) results.push({ never: await run(direct, neverPid, 'never'), always: await run(anchored, relayed.pid, 'always') });
    const calls = (mode: 'never' | 'always'): number =>
      Math.max(
        1,
        results.reduce((sum, round) => sum + round[mode].completed, 0),
      );
    const cpuMsPerCall = { never: (1000 * cpu.never) / calls('never'), always: (1000 * cpu.always) / calls('always'), rtpengine: (1000 * cpu.rtpengine) / calls('always') };
    return { ratePerSecond, seconds, rounds: results, cpuMsPerCall, loadAverage: loadavg() };
  } finally {
    for (const load of loads) load.close();
    await Promise.all(servers.map((server) => server.stop()));
  }
}

export async function runMediaSetupBench(options: MediaSetupOptions = {}): Promise<MediaSetupResult & { isolated: boolean }> {
  const args = ['--rate', String(options.ratePerSecond ?? 50), '--seconds', String(options.seconds ?? 10), '--rounds', String(options.rounds ?? 2), '--json'];
  return runIsolated<MediaSetupResult>(fileURLToPath(import.meta.url), args);
}

export function formatMediaSetup(result: MediaSetupResult & { isolated?: boolean }): string {
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  const signed = (value: number): string => `${value < 0 ? '−' : '+'}${ms(Math.abs(value))}`;
  const failures = (run: CallLoadResult): string => (run.errors === 0 ? '' : `, ${run.errors} failed (${run.firstErrors.slice(0, 2).join('; ')})`);
  const lines = [
    `Call setup with and without the media relay: INVITE with SDP → 407 → INVITE → 200 with SDP (then ACK, BYE), ${result.ratePerSecond} setups/s open loop, ` +
      `${result.seconds} s per round, the two servers in turns${result.isolated === false ? ' (not in a loopback-only namespace: run as root for that)' : ''}`,
    '                relay never (SDP untouched)          relay always (managed rtpengine)     added by the relay',
  ];
  result.rounds.forEach(({ never, always }, index) => {
    lines.push(
      `  round ${index + 1}:    p50 ${ms(never.setup.p50Ms)}, p99 ${ms(never.setup.p99Ms)}       p50 ${ms(always.setup.p50Ms)}, p99 ${ms(always.setup.p99Ms)}       ` +
        `p50 ${signed(always.setup.p50Ms - never.setup.p50Ms)}, p99 ${signed(always.setup.p99Ms - never.setup.p99Ms)}` +
        `   (${never.setups}/${always.setups} setups${failures(never)}${failures(always)})`,
    );
  });
  const { cpuMsPerCall } = result;
  lines.push(
    `  CPU per call (set-up and BYE): Callpane ${cpuMsPerCall.never.toFixed(2)} ms without relay, ${cpuMsPerCall.always.toFixed(2)} ms with it, ` +
      `plus rtpengine ${cpuMsPerCall.rtpengine.toFixed(2)} ms (offer, answer, query, delete)`,
  );
  lines.push(`  load average at the end: ${result.loadAverage.map((value) => value.toFixed(2)).join(', ')}`);
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rate: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' } } });
  const options: MediaSetupOptions = {
    ratePerSecond: values.rate === undefined ? undefined : Number(values.rate),
    seconds: values.seconds === undefined ? undefined : Number(values.seconds),
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
  };
  // --json: the isolated child of runMediaSetupBench; otherwise enter the namespace and print.
  if (values.json) console.log(JSON.stringify(await measureMediaSetup(options)));
  else console.log(formatMediaSetup(await runMediaSetupBench(options)));
}
