/**
 * coturn (Debian `coturn`) as the TURN server of a test, on 127.0.0.1 only: TURN over UDP and
 * TCP on one port, relay ports from a free block, TURN REST API credentials (`use-auth-secret`
 * with a static secret) as Callpane issues them (src/security/turn-credentials.ts), no TLS, no
 * DTLS, no CLI, its pid file and database in a folder of its own. `--allow-loopback-peers`: the
 * peers of a test's relays are themselves on 127.0.0.1 (coturn refuses loopback peers by default).
 * Ready once it answers a STUN Binding request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay } from './deadline.ts';
import { ManagedProcess } from './managed-process.ts';
import { freePortBlock, freeUdpTcpPort } from './ports.ts';
import { TurnClient } from './turn-client.ts';

export const TURNSERVER_BINARY = '/usr/bin/turnserver';
const RELAY_PORTS = 40;
const START_TIMEOUT_MS = 10_000;
const ATTEMPTS = 3;

export interface CoturnOptions {
  /** coturn's static-auth-secret: what media.ice.turn.secret must name. */
  secret: string;
  /** The realm of its challenges; `callpane.test` when omitted. */
  realm?: string;
}

export interface Coturn {
  readonly host: '127.0.0.1';
  /** UDP and TCP. */
  readonly port: number;
  readonly realm: string;
  /** `turn:127.0.0.1:PORT?transport=udp` and `…tcp`: what media.ice.turn.urls would list. */
  readonly urls: string[];
  recentLog(lines?: number): string[];
  stop(): Promise<void>;
}

export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const realm = options.realm ?? 'callpane.test';
  const dir = await mkdtemp(join(tmpdir(), 'callpane-coturn-'));
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = await freeUdpTcpPort();
    const relayMin = await freePortBlock(RELAY_PORTS, { udp: true });
    const process = await ManagedProcess.start({
      name: 'coturn',
      command: TURNSERVER_BINARY,
      args: [
        '-n',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--min-port=${relayMin}`,
        `--max-port=${relayMin + RELAY_PORTS - 1}`,
        '--use-auth-secret',
        `--static-auth-secret=${options.secret}`,
        `--realm=${realm}`,
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--allow-loopback-peers',
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        `--db=${join(dir, 'turndb')}`,
        '--log-file=stdout',
        '--simple-log',
      ],
    });
    if (await answers(port, process)) {
      return {
        host: '127.0.0.1',
        port,
        realm,
        urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
        recentLog: (lines) => process.recentLines(lines),
        async stop() {
          await process.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    lastError = process.error(`did not answer a STUN Binding request on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms`);
    await process.stop();
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError ?? new Error('coturn did not start');
}

async function answers(port: number, process: ManagedProcess): Promise<boolean> {
  const client = await TurnClient.open('127.0.0.1', port);
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline && process.exitStatus === undefined) {
      if (await client.binding(500)) return true;
      await delay(100);
    }
    return false;
  } finally {
    client.close();
  }
}
