/**
 * `npm run bench`: prints Callpane's figures next to a baseline measured in the same run on the
 * same machine, so that a slower or faster machine moves both.
 *
 * 1. Parser + serializer throughput over the RFC 4475 valid set (target: 50,000 messages/s).
 * 2. REGISTER transactions per second over UDP loopback, each with its digest challenge round
 *    trip, p50/p99 latency (target: 5,000/s on one core), against Kamailio as a registrar with
 *    digest MD5 on one worker process (one core, like Node's one event loop) and on four.
 * 3. Calls through the proxy over UDP loopback (bench/call-setup-bench.ts): call setups per
 *    second at the maximum (target 1,000 on one core) and setup latency at a fixed 100/s (target
 *    p99 < 20 ms), against Kamailio as registrar + proxy with the same INVITE challenge on one
 *    worker process.
 * 4. SIP over WebSocket (bench/websocket-drop.ts): `--ws-connections` agents (default 10,000),
 *    each on its own connection, register; then every connection closes at once. Time to
 *    register all, server RSS, time until every binding is gone, worst /healthz latency meanwhile.
 * 5. The pane: the bytes of its JavaScript + CSS as a browser receives them over HTTP (aim
 *    ≤ 100 KB), and screen-pop latency — an INVITE sent to the PBX until the Dynamics host (the
 *    sandbox page in Chromium) receives the pane's searchAndOpenRecords — p50/p99 over 100 calls
 *    (aims ≤ 30 ms, ≤ 100 ms).
 * 6. The media relay (issue 12): call setup p50/p99 with media.relay `never` and `always` side by
 *    side (bench/media-setup-bench.ts), and concurrent relayed G.711 calls with RTP flowing, ramped
 *    until loss or jitter rises, with the managed rtpengine and with an external one
 *    (bench/media-load-bench.ts). Each file also runs alone with its own options.
 * 7. The phone index (bench/phone-index-bench.ts): 1,000,000 synthetic records synced from the
 *    sandbox Dataverse (sync time, memory, database size), caller lookup p50/p99 from the index
 *    (aim p99 < 1 ms) next to the same lookup as wildcard OData queries over the same rows.
 * Sections 4, 6 and 7 and the screen pop run in a loopback-only network namespace when root (unshare).
 *
 * Arguments: `npm run bench -- --ws-connections 2000`; `--media-only` runs section 6 alone,
 * `--phone-index-only` section 7.
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { freeUdpTcpPort } from '../test/support/ports.ts';
import { FIRST_BENCH_EXTENSION } from './bench-users.ts';
import { formatCallResult, runCallpaneCallBench, runKamailioCallBench, type CallBenchOptions } from './call-setup-bench.ts';
import { formatLoadResult, runKamailioBaseline } from './kamailio-baseline.ts';
import { formatMediaLoad, runMediaLoadBench } from './media-load-bench.ts';
import { formatMediaSetup, runMediaSetupBench } from './media-setup-bench.ts';
import { formatPhoneIndex, runPhoneIndexBench } from './phone-index-bench.ts';
import { formatScreenPop, runScreenPopBench } from './pane-screen-pop.ts';
import { formatPaneSize, measurePaneSize } from './pane-size.ts';
import { runParserBench } from './parser-bench.ts';
import { runRegisterLoad, type RegisterLoadResult, type RegisterLoadUser } from './sip-load-generator.ts';
import { formatWebSocketDrop, runWebSocketDropBench } from './websocket-drop.ts';

const { values: args } = parseArgs({
  options: { 'ws-connections': { type: 'string', default: '10000' }, 'media-only': { type: 'boolean', default: false }, 'phone-index-only': { type: 'boolean', default: false } },
});
const WS_CONNECTIONS = Number(args['ws-connections']);
if (!Number.isInteger(WS_CONNECTIONS) || WS_CONNECTIONS < 1) throw new RangeError(`--ws-connections must be a positive integer, got ${args['ws-connections']}`);

const USERS = 2000;
const CONCURRENCY = 200;
const DURATION_MS = 5000;
/** Calls: 1,000 caller/callee pairs (2,000 extensions), 50 calls in flight, 100 setups/s for 10 s. */
const CALLS: CallBenchOptions = { pairs: 1000, concurrency: 50, durationMs: DURATION_MS, ratePerSecond: 100, pacedDurationMs: 10_000 };

async function callpaneRegisterLoad(): Promise<{ throughput: RegisterLoadResult; oneAtATime: RegisterLoadResult }> {
  const port = await freeUdpTcpPort();
  const server = spawn(process.execPath, [new URL('./callpane-registrar-server.ts', import.meta.url).pathname, '--port', String(port), '--users', String(USERS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`the bench server exited with ${code} before it was ready`)));
      createInterface({ input: server.stdout }).on('line', (line) => {
        if (line.startsWith('ready ')) resolve();
      });
    });
    const users: RegisterLoadUser[] = Array.from({ length: USERS }, (_, i) => ({ user: String(FIRST_BENCH_EXTENSION + i), password: `pw-${i}` }));
    const target = { host: '127.0.0.1', port };
    // Warm-up: JIT, SQLite pages, the first binding of every user.
    await runRegisterLoad({ target, users, count: USERS, concurrency: CONCURRENCY, digest: true });
    const throughput = await runRegisterLoad({ target, users, durationMs: DURATION_MS, concurrency: CONCURRENCY, digest: true });
    // Latency without queueing: one registration in flight at a time.
    const oneAtATime = await runRegisterLoad({ target, users, count: 3000, concurrency: 1, digest: true });
    return { throughput, oneAtATime };
  } finally {
    server.kill('SIGTERM');
  }
}

function ratio(ours: number, theirs: number): string {
  return theirs > 0 ? `${(ours / theirs).toFixed(2)}×` : 'n/a';
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);

async function mediaRelayBenches(): Promise<void> {
  console.log(`\n${formatMediaSetup(await runMediaSetupBench())}`);
  console.log(`\n${formatMediaLoad(await runMediaLoadBench())}`);
}
if (args['media-only']) {
  await mediaRelayBenches();
  process.exit(0);
}
if (args['phone-index-only']) {
  console.log(formatPhoneIndex(await runPhoneIndexBench()));
  process.exit(0);
}

const parser = runParserBench(3000);
console.log(
  `Parser + serializer over the RFC 4475 valid set: ${parser.messagesPerSecond.toLocaleString('en')} messages/s (${parser.messages} in ${parser.durationMs} ms; target 50,000)\n`,
);

const { throughput: callpane, oneAtATime } = await callpaneRegisterLoad();
console.log(formatLoadResult(`Callpane REGISTER over UDP, one event loop, digest MD5, bindings stored in SQLite, ${CONCURRENCY} in flight`, callpane));
console.log(`Callpane REGISTER one at a time: p50 ${oneAtATime.p50Ms.toFixed(2)} ms, p99 ${oneAtATime.p99Ms.toFixed(2)} ms (both round trips)`);
const oneWorker = await runKamailioBaseline({ digest: true, children: 1, users: USERS, concurrency: CONCURRENCY, durationMs: DURATION_MS });
console.log(formatLoadResult(oneWorker.label, oneWorker));
const fourWorkers = await runKamailioBaseline({ digest: true, children: 4, users: USERS, concurrency: CONCURRENCY, durationMs: DURATION_MS });
console.log(formatLoadResult(fourWorkers.label, fourWorkers));
console.log(
  `\nCallpane REGISTER/s: ${callpane.transactionsPerSecond.toFixed(0)} (target 5,000) = ${ratio(callpane.transactionsPerSecond, oneWorker.transactionsPerSecond)} Kamailio on one worker, ${ratio(callpane.transactionsPerSecond, fourWorkers.transactionsPerSecond)} on four`,
);

const callpaneCalls = await runCallpaneCallBench(CALLS);
console.log(`\n${formatCallResult(callpaneCalls, CALLS)}`);
const kamailioCalls = await runKamailioCallBench({ ...CALLS, children: 1 });
console.log(formatCallResult(kamailioCalls, CALLS));
const ms = (value: number): string => `${value.toFixed(1)} ms`;
console.log(
  `\nCallpane call setups/s: ${callpaneCalls.maximum.setupsPerSecond.toFixed(0)} (target 1,000) = ${ratio(callpaneCalls.maximum.setupsPerSecond, kamailioCalls.maximum.setupsPerSecond)} Kamailio on one worker; ` +
    `full calls/s ${callpaneCalls.maximum.callsPerSecond.toFixed(0)} = ${ratio(callpaneCalls.maximum.callsPerSecond, kamailioCalls.maximum.callsPerSecond)}`,
);
console.log(
  `Callpane setup latency at ${CALLS.ratePerSecond}/s: p50 ${ms(callpaneCalls.paced.setup.p50Ms)}, p99 ${ms(callpaneCalls.paced.setup.p99Ms)} (target p99 < 20 ms); ` +
    `Kamailio p50 ${ms(kamailioCalls.paced.setup.p50Ms)}, p99 ${ms(kamailioCalls.paced.setup.p99Ms)}`,
);

const drop = await runWebSocketDropBench(WS_CONNECTIONS);
console.log(`\n${formatWebSocketDrop(drop)}${drop.isolated ? '' : ' (not in a loopback-only namespace: run as root for that)'}`);

console.log(`\n${formatPaneSize(await measurePaneSize())}`);
const screenPop = await runScreenPopBench(100);
console.log(`${formatScreenPop(screenPop)}${screenPop.isolated ? '' : ' (not in a loopback-only namespace: run as root for that)'}`);

await mediaRelayBenches();

console.log(`\n${formatPhoneIndex(await runPhoneIndexBench())}`);
