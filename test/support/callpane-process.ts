/**
 * Callpane as its own process (`bin/callpane.ts start`) on loopback ports in a fresh data
 * directory, for tests that must see it die: a crash inside the test process would be caught by
 * the test runner and look like a failed assertion at best, a hang at worst.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freeUdpTcpPort } from './ports.ts';

export interface CallpaneProcess {
  /** The Callpane process's own pid, for tests that signal it. */
  pid: number;
  httpUrl: string;
  sipPort: number;
  /** Set once the process ended: how (exit code or signal). */
  exited(): string | undefined;
  /** The last few KiB it wrote to stderr. */
  lastWords(): string;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `dataDir`: run on this data directory, which stop() then leaves in place (a test that restarts
 * Callpane on the same data, and removes it itself); a fresh one, removed at stop(), when omitted.
 */
export async function startCallpaneProcess(env: Record<string, string> = {}, dataDir?: string): Promise<CallpaneProcess> {
  const ownDir = dataDir === undefined;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'callpane-process-'));
  // A SIP port the caller chose (a test restarting Callpane where its phones registered) is kept.
  const [sipPort, httpPort] = [env.CALLPANE_SIP_PORT === undefined ? await freeUdpTcpPort() : Number(env.CALLPANE_SIP_PORT), await freePort()];
  const child = spawn(process.execPath, [new URL('../../bin/callpane.ts', import.meta.url).pathname, 'start'], {
    cwd: dir,
    env: {
      ...process.env,
      CALLPANE_DATA_DIR: dir,
      CALLPANE_HTTP_HOST: '127.0.0.1',
      CALLPANE_HTTP_PORT: String(httpPort),
      CALLPANE_SIP_HOST: '127.0.0.1',
      CALLPANE_SIP_PORT: String(sipPort),
      CALLPANE_SANDBOX_ENABLED: 'false',
      CALLPANE_MEDIA_RELAY: 'never',
      CALLPANE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited: string | undefined;
  const ended = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = signal ?? `code ${code}`;
      resolve();
    }),
  );
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const stop = async (): Promise<void> => {
    if (exited === undefined) child.kill('SIGTERM');
    await ended;
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`Callpane exited (${exited}) at start:\n${stderr}`);
    if (
      await fetch(`${httpUrl}/healthz`).then(
        (res) => res.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('Callpane did not become healthy within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid: child.pid ?? 0,
    httpUrl,
    sipPort,
    exited: () => exited,
    lastWords: () => stderr,
    metrics: async () => (await fetch(`${httpUrl}/metrics`)).text(),
    stop,
  };
}
