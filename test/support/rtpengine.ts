/**
 * A real rtpengine (Debian `rtpengine-daemon`) for a test: userspace only (`--table=-1`, no
 * kernel module), ng and RTP on 127.0.0.1, its own free ng port and RTP port block, no config
 * file (the packaged one names fixed CLI/HTTP ports that two instances would fight over), and
 * `--delete-delay=0` so a deleted call leaves `list` at once. Ready once it answers ng `ping`.
 */
import { existsSync } from 'node:fs';
import { NgClient } from '../../src/media/ng/ng-client.ts';
import { delay } from './deadline.ts';
import { ManagedProcess } from './managed-process.ts';
import { freePortBlock, reservedUdpBlock } from './ports.ts';

export const RTPENGINE_BINARY = process.env.RTPENGINE_BINARY ?? '/usr/bin/rtpengine';
const HOST = '127.0.0.1';
const START_ATTEMPTS = 4;
const READY_TIMEOUT_MS = 8000;

export interface RtpengineOptions {
  /** Names the process in errors ("rtpengine A"); "rtpengine" when omitted. */
  name?: string;
  /** RTP/RTCP ports it may allocate (two per stream, rtcp-mux aside); 40 when omitted. */
  rtpPorts?: number;
  /** Extra command-line options (e.g. `--log-level=7`). */
  extraArgs?: readonly string[];
}

export interface RunningRtpengine {
  readonly process: ManagedProcess;
  readonly host: string;
  readonly ngPort: number;
  readonly portMin: number;
  readonly portMax: number;
  /** A client for the test's own requests (`list`, `query`); closed by `stop()`. */
  readonly ng: NgClient;
  /** Call-IDs rtpengine holds now (ng `list`). */
  listCalls(): Promise<string[]>;
  /** Stops it (SIGTERM, then SIGKILL) and closes `ng`; safe to call twice. */
  stop(): Promise<void>;
}

export function rtpengineInstalled(): boolean {
  return existsSync(RTPENGINE_BINARY);
}

export async function startRtpengine(options: RtpengineOptions = {}): Promise<RunningRtpengine> {
  if (!rtpengineInstalled()) {
    throw new Error(`rtpengine not found at ${RTPENGINE_BINARY}: apt-get install -y --no-install-recommends rtpengine-daemon`);
  }
  const name = options.name ?? 'rtpengine';
  const rtpPorts = options.rtpPorts ?? 40;
  let lastError: Error | undefined;
  // Probed ports can be taken by someone else before rtpengine binds them: retry with new ones.
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const ngPort = await freePortBlock(1, { udp: true });
    // RTP ports are bound per call, later: they come from a reserved block no port-0 probe hands out.
    const portMin = await reservedUdpBlock(rtpPorts);
    const portMax = portMin + rtpPorts - 1;
    const daemon = await ManagedProcess.start({
      name,
      command: RTPENGINE_BINARY,
      args: [
        '--config-file=none',
        '--foreground',
        '--log-stderr',
        '--table=-1',
        `--interface=${HOST}`,
        `--listen-ng=${HOST}:${ngPort}`,
        `--port-min=${portMin}`,
        `--port-max=${portMax}`,
        '--delete-delay=0',
        '--num-threads=1',
        ...(options.extraArgs ?? []),
      ],
    });
    const ng = new NgClient({ host: HOST, port: ngPort, timeoutMs: 200, retries: 0 });
    try {
      await waitForPong(daemon, ng);
    } catch (error) {
      lastError = error as Error;
      await ng.close();
      await daemon.stop({ graceMs: 1000 });
      continue;
    }
    let stopped: Promise<void> | undefined;
    return {
      process: daemon,
      host: HOST,
      ngPort,
      portMin,
      portMax,
      ng,
      async listCalls() {
        const reply = await ng.request('list');
        const calls = reply.calls;
        return Array.isArray(calls) ? calls.map((id) => (Buffer.isBuffer(id) ? id.toString('utf8') : String(id))) : [];
      },
      stop() {
        stopped ??= (async () => {
          await ng.close();
          await daemon.stop({ graceMs: 2000 });
        })();
        return stopped;
      },
    };
  }
  throw lastError ?? new Error(`${name}: no free ng port / RTP port block after ${START_ATTEMPTS} attempts`);
}

async function waitForPong(daemon: ManagedProcess, ng: NgClient): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (daemon.exitStatus !== undefined) throw daemon.error('exited before answering ng ping');
    try {
      await ng.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw daemon.error(`no ng pong within ${READY_TIMEOUT_MS} ms (${(error as Error).message})`);
      // Before its socket is bound, the kernel answers ECONNREFUSED at once: pace the retries.
      await delay(50);
    }
  }
}
