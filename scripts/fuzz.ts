/**
 * `npm run fuzz -- --count N --seed S`: a longer mutation-fuzzing campaign than the one in
 * `npm test`, against a Callpane running as its own process (so a crash is seen as the process
 * ending, with its last words), inside a loopback-only network namespace. Messages go in batches
 * over UDP, TCP and SIP over WebSocket; after each batch Callpane must still be running and answer
 * OPTIONS on all three. Exit 0 when it survived everything, 1 when it did not (the seed and batch
 * say how to find the message again).
 */
import { parseArgs } from 'node:util';
import { startCallpaneProcess } from '../test/support/callpane-process.ts';
import { fuzz, optionsAnswers, type FuzzTarget } from '../test/support/sip-fuzz-driver.ts';
import { enterLoopbackNamespace } from './loopback-namespace.ts';

const BATCH = 10_000;

enterLoopbackNamespace('fuzz');

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, seed: { type: 'string' } } });
const count = Number(values.count);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(count) || count <= 0) throw new Error(`--count must be a positive integer, got ${values.count}`);
if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);

const callpane = await startCallpaneProcess();
const httpUrl = callpane.httpUrl;
// Ctrl+C or a kill ends the campaign, not the Callpane it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void callpane.stop().finally(() => process.exit(130)));
}
const target: FuzzTarget = { udpPort: callpane.sipPort, tcpPort: callpane.sipPort, wsUrl: `${httpUrl.replace(/^http/, 'ws')}/sip` };
let failure: string | undefined;
const started = Date.now();
let sent = 0;
try {
  console.log(`fuzz: seed ${seed}, ${count} messages over UDP, TCP and WebSocket (and a mutated WebSocket handshake every tenth)`);
  for (let batch = 0; sent < count && failure === undefined; batch++) {
    const size = Math.min(BATCH, count - sent);
    // Each batch has a seed of its own, so one can be replayed alone: --seed (seed + batch) --count size.
    const report = await fuzz(target, { count: size, seed: seed + batch });
    sent += size;
    if (callpane.exited() !== undefined) {
      failure = `Callpane ended (${callpane.exited()}) during batch ${batch} (replay: --seed ${seed + batch} --count ${size})`;
      break;
    }
    const answers = await optionsAnswers(target).catch((err: Error) => err.message);
    const healthy = typeof answers !== 'string' && Object.values(answers).every((line) => line === 'SIP/2.0 200 OK');
    if (!healthy) failure = `after batch ${batch} OPTIONS got ${JSON.stringify(answers)} (replay: --seed ${seed + batch} --count ${size})`;
    console.log(`fuzz: ${sent} sent, ${report.reconnects.TCP} TCP and ${report.reconnects.WS} WebSocket streams closed by Callpane in this batch`);
  }
  const receiveFailures = await callpane.metrics().catch(() => '');
  const caught = receiveFailures.split('\n').filter((line) => line.startsWith('callpane_sip_receive_failures_total{') && !line.endsWith(' 0'));
  if (failure === undefined && caught.length > 0) failure = `handling bytes failed (caught, the connection closed): ${caught.join(', ')}`;
} catch (err) {
  failure = (err as Error).message;
} finally {
  await callpane.stop();
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failure === undefined) {
  console.log(`fuzz: Callpane survived ${sent} mutated messages (seed ${seed}) in ${seconds} s and still answers OPTIONS over UDP, TCP and WebSocket`);
} else {
  console.error(`fuzz: FAILED after ${sent} messages (seed ${seed}, ${seconds} s): ${failure}`);
  if (callpane.lastWords()) console.error(`Callpane's last words:\n${callpane.lastWords()}`);
  process.exitCode = 1;
}
