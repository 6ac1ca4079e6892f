/**
 * Call setups through a proxy over UDP loopback (bench/call-load-generator.ts), against
 * Callpane (bench/callpane-registrar-server.ts in its own process) and against Kamailio from
 * Debian as registrar + proxy with the same digest challenge of INVITEs, so that the two figures
 * come from the same load on the same machine. bench/run.ts imports it; run alone
 * (`node bench/call-setup-bench.ts [--callpane-only] [--kamailio-only] [--concurrency N]`) it prints both.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startKamailio } from '../test/support/kamailio.ts';
import { freeUdpTcpPort } from '../test/support/ports.ts';
import { FIRST_BENCH_EXTENSION } from './bench-users.ts';
import { openCallLoad, type CallLoadResult, type LoadUser } from './call-load-generator.ts';

export interface CallBenchOptions {
  /** Caller/callee pairs (twice as many extensions); 1000 when omitted. */
  pairs?: number;
  /** Calls in flight for the maximum rate; 100 when omitted. */
  concurrency?: number;
  /** Length of the maximum-rate run; 5000 ms when omitted. */
  durationMs?: number;
  /** Open-loop rate of the latency run; 100 setups/s when omitted. */
  ratePerSecond?: number;
  /** Length of the latency run; 10,000 ms when omitted. */
  pacedDurationMs?: number;
  /** Callpane only: write a V8 CPU profile of the server into this folder (node --cpu-prof). */
  profileDir?: string;
}

export interface CallBenchResult {
  label: string;
  registered: number;
  registrationFailures: string[];
  /** Closed loop at `concurrency` calls in flight. */
  maximum: CallLoadResult;
  /** Open loop at `ratePerSecond`. */
  paced: CallLoadResult;
}

interface Settings {
  pairs: number;
  concurrency: number;
  durationMs: number;
  ratePerSecond: number;
  pacedDurationMs: number;
}

function settingsOf(options: CallBenchOptions): Settings {
  return {
    pairs: options.pairs ?? 1000,
    concurrency: options.concurrency ?? 100,
    durationMs: options.durationMs ?? 5000,
    ratePerSecond: options.ratePerSecond ?? 100,
    pacedDurationMs: options.pacedDurationMs ?? 10_000,
  };
}

/** The bench users: callers are the first `pairs` extensions, callees the next `pairs`. */
function benchUsers(pairs: number): { callers: LoadUser[]; callees: LoadUser[] } {
  const user = (i: number): LoadUser => ({ user: String(FIRST_BENCH_EXTENSION + i), password: `pw-${i}` });
  return {
    callers: Array.from({ length: pairs }, (_, i) => user(i)),
    callees: Array.from({ length: pairs }, (_, i) => user(pairs + i)),
  };
}

async function measure(label: string, target: { host: string; port: number }, settings: Settings): Promise<CallBenchResult> {
  const load = await openCallLoad({ target, ...benchUsers(settings.pairs) });
  try {
    const registration = await load.registerCallees();
    // Warm-up: JIT on both sides, every pair's first call.
    await load.run({ pacing: { concurrency: settings.concurrency }, count: settings.pairs });
    const maximum = await load.run({ pacing: { concurrency: settings.concurrency }, durationMs: settings.durationMs });
    const paced = await load.run({ pacing: { ratePerSecond: settings.ratePerSecond }, durationMs: settings.pacedDurationMs });
    return { label, registered: registration.registered, registrationFailures: registration.failures.slice(0, 5), maximum, paced };
  } finally {
    load.close();
  }
}

export async function runCallpaneCallBench(options: CallBenchOptions = {}): Promise<CallBenchResult> {
  const settings = settingsOf(options);
  const port = await freeUdpTcpPort();
  const profile = options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
  const server = spawn(
    process.execPath,
    [...profile, new URL('./callpane-registrar-server.ts', import.meta.url).pathname, '--port', String(port), '--users', String(2 * settings.pairs)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`the bench server exited with ${code} before it was ready`)));
      createInterface({ input: server.stdout }).on('line', (line) => {
        if (line.startsWith('ready ')) resolve();
      });
    });
    const label = `Callpane calls over UDP, one event loop: digest MD5 on every INVITE (407), double Record-Route with flow tokens, call events recorded in SQLite, ${settings.pairs} caller/callee pairs`;
    return await measure(label, { host: '127.0.0.1', port }, settings);
  } finally {
    server.kill('SIGTERM');
    // The CPU profile is written as the server exits.
    await exited;
  }
}

export async function runKamailioCallBench(options: CallBenchOptions & { children?: number } = {}): Promise<CallBenchResult> {
  const settings = settingsOf(options);
  const children = options.children ?? 1;
  const { callers, callees } = benchUsers(settings.pairs);
  const kamailio = await startKamailio({
    transports: ['udp'],
    children,
    auth: { users: [...callers, ...callees], algorithm: 'MD5', challengeInvites: true },
    sharedMemoryMb: 1024,
  });
  try {
    const label =
      `Kamailio 5.6 calls over UDP, ${children} worker${children === 1 ? '' : 's'}: digest MD5 on every REGISTER and INVITE (407, From user = authenticated user), ` +
      'record_route (one Record-Route), loose_route, in-memory usrloc, t_relay (stateful), no call records';
    return await measure(label, { host: kamailio.host, port: kamailio.port }, settings);
  } finally {
    await kamailio.stop();
  }
}

export function formatCallResult(result: CallBenchResult, settings: CallBenchOptions = {}): string {
  const { concurrency, ratePerSecond } = settingsOf(settings);
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  const problems = (run: CallLoadResult): string[] => [
    `    failed ${run.errors} (timeouts ${run.timeouts}, skipped ${run.skipped}), retransmissions seen ${run.retransmissionsSeen}, ` +
      `callee: ${run.callee.invites} INVITEs, ${run.callee.missingAcks} ACKs missing, ${run.callee.openDialogs} dialogs left open, ${run.callee.unexpected} unexpected requests`,
    `    responses ${JSON.stringify(run.statuses)}`,
    ...run.firstErrors.map((e) => `    error: ${e}`),
  ];
  const { maximum, paced } = result;
  return [
    result.label,
    `  callees registered: ${result.registered}${result.registrationFailures.map((f) => `\n  registration failed: ${f}`).join('')}`,
    `  maximum, ${concurrency} calls in flight (closed loop, no hold time):`,
    `    call setups/s: ${maximum.setupsPerSecond.toFixed(0)}; full calls/s (INVITE … BYE 200): ${maximum.callsPerSecond.toFixed(0)}`,
    `    setup latency (first INVITE → 200, the 407 round trip included) p50 ${ms(maximum.setup.p50Ms)}, p99 ${ms(maximum.setup.p99Ms)}, max ${ms(maximum.setup.maxMs)}`,
    `    full call p50 ${ms(maximum.fullCall.p50Ms)}, p99 ${ms(maximum.fullCall.p99Ms)}; ${maximum.completed} calls in ${ms(maximum.elapsedMs)}`,
    ...problems(maximum),
    `  paced, ${ratePerSecond} call setups/s (open loop, latency from each call's scheduled instant):`,
    `    setup latency p50 ${ms(paced.setup.p50Ms)}, p99 ${ms(paced.setup.p99Ms)}, max ${ms(paced.setup.maxMs)}; full call p50 ${ms(paced.fullCall.p50Ms)}, p99 ${ms(paced.fullCall.p99Ms)}`,
    `    ${paced.completed} of ${paced.started + paced.skipped} calls completed in ${ms(paced.elapsedMs)} (generator start lag at most ${ms(paced.maxStartLagMs)})`,
    ...problems(paced),
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'callpane-only': { type: 'boolean' },
      'kamailio-only': { type: 'boolean' },
      concurrency: { type: 'string' },
      pairs: { type: 'string' },
      duration: { type: 'string' },
      children: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
  });
  const options: CallBenchOptions = {
    concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency),
    pairs: values.pairs === undefined ? undefined : Number(values.pairs),
    durationMs: values.duration === undefined ? undefined : Number(values.duration),
    profileDir: values['cpu-prof-dir'],
  };
  if (!values['kamailio-only']) console.log(formatCallResult(await runCallpaneCallBench(options), options));
  if (!values['callpane-only'])
    console.log(formatCallResult(await runKamailioCallBench({ ...options, children: values.children === undefined ? 1 : Number(values.children) }), options));
}
