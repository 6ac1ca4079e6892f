/**
 * `npm run fuzz -- --count N --seed S`: a longer mutation-fuzzing campaign than the one in
 * `npm test`, against a Callpane running as its own process (so a crash is seen as the process
 * ending, with its last words), inside a loopback-only network namespace. Messages go in batches
 * over UDP, TCP and SIP over WebSocket; after each batch Callpane must still be running and answer
 * OPTIONS on all three. Exit 0 when it survived everything, 1 when it did not (the seed and batch
 * say how to find the message again).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fuzz, optionsAnswers, type FuzzTarget } from '../test/support/sip-fuzz-driver.ts';
import { freePort, freeUdpTcpPort } from '../test/support/ports.ts';
import { enterLoopbackNamespace } from './loopback-namespace.ts';

const BATCH = 10_000;

enterLoopbackNamespace('fuzz');

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, seed: { type: 'string' } } });
const count = Number(values.count);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(count) || count <= 0) throw new Error(`--count must be a positive integer, got ${values.count}`);
if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);

const dataDir = mkdtempSync(join(tmpdir(), 'callpane-fuzz-'));
const [sipPort, httpPort] = [await freeUdpTcpPort(), await freePort()];
const child = spawn(process.execPath, ['bin/callpane.ts', 'start'], {
  env: {
    ...process.env,
    CALLPANE_DATA_DIR: dataDir,
    CALLPANE_HTTP_HOST: '127.0.0.1',
    CALLPANE_HTTP_PORT: String(httpPort),
    CALLPANE_SIP_HOST: '127.0.0.1',
    CALLPANE_SIP_PORT: String(sipPort),
    CALLPANE_SANDBOX_ENABLED: 'false',
    CALLPANE_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let lastWords = '';
child.stderr.on('data', (chunk: Buffer) => {
  lastWords = (lastWords + chunk.toString()).slice(-4000);
});
let exited: string | undefined;
child.on('exit', (code, signal) => {
  exited = `exited with ${signal ?? `code ${code}`}`;
});

const httpUrl = `http://127.0.0.1:${httpPort}`;
const target: FuzzTarget = { udpPort: sipPort, tcpPort: sipPort, wsUrl: `ws://127.0.0.1:${httpPort}/sip` };
let failure: string | undefined;
const started = Date.now();
let sent = 0;
try {
  await waitForHealth();
  console.log(`fuzz: seed ${seed}, ${count} messages over UDP, TCP and WebSocket, Callpane pid ${child.pid}`);
  for (let batch = 0; sent < count && failure === undefined; batch++) {
    const size = Math.min(BATCH, count - sent);
    // Each batch has a seed of its own, so one can be replayed alone: --seed (seed + batch) --count size.
    const report = await fuzz(target, { count: size, seed: seed + batch });
    sent += size;
    if (exited !== undefined) {
      failure = `Callpane ${exited} during batch ${batch} (replay: --seed ${seed + batch} --count ${size})`;
      break;
    }
    const answers = await optionsAnswers(target).catch((err: Error) => err.message);
    const healthy = typeof answers !== 'string' && Object.values(answers).every((line) => line === 'SIP/2.0 200 OK');
    if (!healthy) failure = `after batch ${batch} OPTIONS got ${JSON.stringify(answers)} (replay: --seed ${seed + batch} --count ${size})`;
    console.log(`fuzz: ${sent} sent, ${report.reconnects.TCP} TCP and ${report.reconnects.WS} WebSocket streams closed by Callpane in this batch`);
  }
  const receiveFailures = (await (await fetch(`${httpUrl}/metrics`).catch(() => undefined))?.text()) ?? '';
  const caught = receiveFailures.split('\n').filter((line) => line.startsWith('callpane_sip_receive_failures_total{') && !line.endsWith(' 0'));
  if (failure === undefined && caught.length > 0) failure = `handling bytes failed (caught, the connection closed): ${caught.join(', ')}`;
} catch (err) {
  failure = (err as Error).message;
} finally {
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failure === undefined) {
  console.log(`fuzz: Callpane survived ${sent} mutated messages (seed ${seed}) in ${seconds} s and still answers OPTIONS over UDP, TCP and WebSocket`);
} else {
  console.error(`fuzz: FAILED after ${sent} messages (seed ${seed}, ${seconds} s): ${failure}`);
  if (lastWords) console.error(`Callpane's last words:\n${lastWords}`);
  process.exitCode = 1;
}

async function waitForHealth(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`Callpane ${exited} at start:\n${lastWords}`);
    const ok = await fetch(`${httpUrl}/healthz`).then((res) => res.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('Callpane did not become healthy within 30 s');
}
