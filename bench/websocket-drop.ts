/**
 * Thousands of SIP-over-WebSocket user agents register with a running Callpane on loopback and
 * then lose their connections together (their process is killed, so the kernel closes every
 * socket at once, as a network blip or a proxy restart would). Measured: the time to register
 * all, the server's resident memory holding them, the time until every binding is gone, and
 * the worst /healthz latency while that happens: how long SIP and HTTP were held up.
 *
 * Three processes, so that no measurement shares an event loop with what it measures: the
 * server (callpane-registrar-server.ts), the agents (websocket-register-clients.ts) and this one,
 * which asks /healthz one request after another and the server for its binding count. As root
 * with `unshare`, everything runs in a fresh network namespace that has only loopback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { freeUdpTcpPort } from '../test/support/ports.ts';
import type { WebSocketRegistrations } from './websocket-register-clients.ts';

export interface WebSocketDropResult {
  connections: number;
  registration: WebSocketRegistrations;
  /** The server's resident set size with every agent registered. */
  serverRssBytes: number;
  /** From the kill until the server's location service held no binding. */
  dropMs: number;
  /** The slowest /healthz answer among those asked while the connections closed. */
  healthzWorstMs: number;
  healthzRequests: number;
}

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Lines a child writes on stdout, one at a time. */
function lines(child: ChildProcess): Interface {
  if (!child.stdout) throw new Error('the child has no stdout');
  return createInterface({ input: child.stdout });
}

async function lineStartingWith(reader: Interface, prefix: string, child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      if (!line.startsWith(prefix)) return;
      reader.off('line', onLine);
      child.off('exit', onExit);
      resolve(line.slice(prefix.length));
    };
    const onExit = (code: number | null): void => reject(new Error(`${what} exited with ${code} before printing "${prefix}"`));
    reader.on('line', onLine);
    child.once('exit', onExit);
  });
}

export async function measureWebSocketDrop(connections: number): Promise<WebSocketDropResult> {
  const port = await freeUdpTcpPort();
  const server = spawn(process.execPath, [`${BENCH_DIR}callpane-registrar-server.ts`, '--port', String(port), '--users', String(connections), '--transports', 'udp,ws'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const serverLines = lines(server);
  let agents: ChildProcess | undefined;
  try {
    const httpUrl = await lineStartingWith(serverLines, 'ready ', server, 'the bench server');
    const stats = async (): Promise<{ bindings: number; rssBytes: number }> => {
      const answer = lineStartingWith(serverLines, 'stats ', server, 'the bench server');
      server.stdin?.write('stats\n');
      return JSON.parse(await answer) as { bindings: number; rssBytes: number };
    };

    const wsUrl = `${httpUrl.replace(/^http/, 'ws')}/sip`;
    agents = spawn(process.execPath, [`${BENCH_DIR}websocket-register-clients.ts`, '--url', wsUrl, '--count', String(connections), '--concurrency', '200'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const registration = JSON.parse(await lineStartingWith(lines(agents), 'registered ', agents, 'the WebSocket agents')) as WebSocketRegistrations;
    const held = await stats();
    if (held.bindings !== registration.registered) throw new Error(`the server holds ${held.bindings} bindings for ${registration.registered} registered agents`);

    // /healthz one request after another, from a little before the drop until a little after.
    const latencies: Array<{ sentAt: number; ms: number }> = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const sentAt = performance.now();
        const response = await fetch(`${httpUrl}/healthz`);
        await response.arrayBuffer();
        latencies.push({ sentAt, ms: performance.now() - sentAt });
        await delay(2);
      }
    })();
    await delay(300);

    const killedAt = performance.now();
    agents.kill('SIGKILL');
    let remaining = held.bindings;
    while (remaining > 0) {
      if (performance.now() - killedAt > 120_000) throw new Error(`${remaining} bindings left 120 s after the agents' connections closed`);
      await delay(5);
      remaining = (await stats()).bindings;
    }
    const dropMs = performance.now() - killedAt;
    await delay(300);
    probing = false;
    await prober;
    // A request sent before the kill that was still waiting when it happened counts too.
    const during = latencies.filter(({ sentAt, ms }) => sentAt + ms >= killedAt && sentAt <= killedAt + dropMs);
    return {
      connections,
      registration,
      serverRssBytes: held.rssBytes,
      dropMs,
      healthzWorstMs: Math.max(0, ...during.map(({ ms }) => ms)),
      healthzRequests: during.length,
    };
  } finally {
    agents?.kill('SIGKILL');
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  }
}

/**
 * Measures in a child process: as root with `unshare`, inside a fresh network namespace that has
 * only loopback; otherwise on this machine's network, everything still bound to 127.0.0.1.
 */
export async function runWebSocketDropBench(connections: number): Promise<WebSocketDropResult & { isolated: boolean }> {
  const script = fileURLToPath(import.meta.url);
  const isolated = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v unshare && command -v ip'], { stdio: 'ignore' }).status === 0;
  const command = isolated ? 'unshare' : process.execPath;
  const args = isolated
    ? ['--net', 'sh', '-c', `ip link set lo up && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)} ${connections}`]
    : [script, String(connections)];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const last = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`the WebSocket drop bench exited with ${code}: ${output.slice(-500)}`);
  return { ...(JSON.parse(last) as WebSocketDropResult), isolated };
}

export function formatWebSocketDrop(result: WebSocketDropResult): string {
  const { registration } = result;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return (
    `SIP over WebSocket, ${result.connections.toLocaleString('en')} agents each on its own connection: all registered (digest) in ${s(registration.elapsedMs)}` +
    `${registration.failed > 0 ? ` (${registration.failed} failed: ${registration.firstErrors.join('; ')})` : ''}, server RSS ${Math.round(result.serverRssBytes / 2 ** 20)} MiB; ` +
    `all connections closed at once: every binding gone in ${result.dropMs.toFixed(0)} ms, /healthz worst ${result.healthzWorstMs.toFixed(1)} ms meanwhile (${result.healthzRequests} requests)`
  );
}

if (import.meta.main) {
  const connections = Number(process.argv[2] ?? 10_000);
  console.log(JSON.stringify(await measureWebSocketDrop(connections)));
}
