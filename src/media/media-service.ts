/**
 * The media relay as the rest of Callpane sees it: started before the SIP service, which gets
 * `relay` (src/pbx/ uses only the MediaRelay contract), and reported in the banner, /healthz and
 * /metrics. One of four modes:
 * - managed (the default): Callpane runs rtpengine itself (rtpengine-process.ts);
 * - external: `media.rtpengine.engines` names rtpengines run elsewhere, one ng client each;
 * - disabled: `media.relay` is `never`, media goes end to end as before the relay existed;
 * - unavailable: managed, but no rtpengine can be run here. Callpane starts anyway: calls between
 *   browsers on one network still work end to end, and the banner and /healthz say how to
 *   install rtpengine.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { availableParallelism, networkInterfaces } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Registry } from 'prom-client';
import type { MediaConfig } from '../config/media-config.ts';
import type { StructuredLogger } from '../logging/structured-logger.ts';
import { registerMediaMetrics } from './media-metrics.ts';
import type { MediaRelay } from './media-relay.ts';
import { MeteredNgClient } from './metered-ng-client.ts';
import { formatNgAddress, type NgAddress } from './ng-address.ts';
import { NgClient } from './ng/ng-client.ts';
import { RtpengineProcess, rtpengineArgs, type EngineState } from './rtpengine-process.ts';
import { RtpengineRelay } from './rtpengine-relay.ts';
import { ENGINE_PIDFILE, stopStaleEngine } from './stale-engine.ts';

export type MediaMode = 'managed' | 'external' | 'disabled' | 'unavailable';

export interface EngineHealth {
  /** The engine's ng address. */
  engine: string;
  up: boolean;
  /** Why it is down. */
  reason?: string;
}

export interface ManagedEngineStatus {
  state: EngineState;
  restarts: number;
  pid: number | undefined;
  binary: string;
  /** The address rtpengine binds for RTP. */
  address: string;
  /** The address it writes into SDP instead, behind 1:1 NAT. */
  publicAddress: string | undefined;
  portMin: number;
  portMax: number;
  /** Its ng control address, on loopback. */
  ng: string;
}

export interface MediaStatus {
  mode: MediaMode;
  /** Calls can be relayed now: an engine answers ng ping. */
  ready: boolean;
  /** Why not, in words an operator can act on. */
  reason: string | undefined;
  /** The managed engine, in managed mode. */
  managed: ManagedEngineStatus | undefined;
  /** Every engine and whether it answers (one in managed mode). */
  engines: EngineHealth[];
}

export interface MediaService {
  /** Undefined when media goes end to end (disabled, unavailable). */
  readonly relay: MediaRelay | undefined;
  status(): MediaStatus;
  close(): Promise<void>;
}

/** Tests shorten these; production uses the defaults. */
export interface MediaServiceTuning {
  /** Seconds a deleted call stays in the managed engine (late retransmissions); 5 by default. */
  deleteDelaySeconds?: number;
  /** Between health pings; 2000 ms by default. */
  pingIntervalMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  startTimeoutMs?: number;
}

export interface MediaServiceInputs {
  media: MediaConfig;
  logger: StructuredLogger;
  metrics: { registry: Registry };
  /** Holds the managed engine's pidfile, so an engine a killed Callpane left behind is stopped at the next start. */
  dataDir?: string;
  /** Builds the relay over the engines' ng clients: an RtpengineRelay unless a test says otherwise. */
  createRelay?: (clients: readonly NgClient[], logger: StructuredLogger) => MediaRelay;
  tuning?: MediaServiceTuning;
}

export const INSTALL_HINT = 'install rtpengine-daemon (apt-get install rtpengine-daemon)';
export const UNAVAILABLE_MEANING = 'calls work only between browsers on one network';

/** Where Debian and source builds put rtpengine, for service managers whose PATH lacks them. */
const BINARY_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];
/** ng requests of calls: retransmitted twice, 500 ms apart (UDP loses datagrams). */
const RELAY_CLIENT = { timeoutMs: 500, retries: 2 };
/** Health pings: one try, so a hung engine is noticed within a few intervals. */
const HEALTH_CLIENT = { timeoutMs: 500, retries: 0 };

function executableProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a file';
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : (code ?? (error as Error).message);
  }
}

/** The binary to run: a path as given, or a name looked up on PATH and then where packages put it. */
export function findRtpengine(binary: string, path = process.env.PATH ?? ''): { path: string; problem?: undefined } | { path?: undefined; problem: string } {
  if (binary.includes('/')) {
    const problem = executableProblem(binary);
    return problem ? { problem: `${binary} (media.rtpengine.binary) is ${problem}` } : { path: binary };
  }
  const dirs = [...new Set([...path.split(delimiter).filter((dir) => dir.startsWith('/')), ...BINARY_DIRS])];
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    if (executableProblem(candidate) === undefined) return { path: candidate };
  }
  return { problem: `${binary} (media.rtpengine.binary) was not found on PATH nor in ${BINARY_DIRS.join(', ')}` };
}

/**
 * The managed engine's ng port on loopback, checked free (0: any free one). rtpengine binds it
 * with SO_REUSEPORT, so a second engine on a taken port starts without complaint and the kernel
 * splits the ng requests between the two: an engine left running, or the Debian service, must
 * be found here instead.
 */
function claimLoopbackUdpPort(wanted: number): Promise<{ port: number; problem?: undefined } | { port?: undefined; problem: string }> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve({ problem: `127.0.0.1:${wanted} (media.rtpengine.ngPort) is taken (${error.code ?? error.message}): another rtpengine runs there? Stop it or choose another port` });
    });
    socket.bind(wanted, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve({ port }));
    });
  });
}

export async function startMediaService(inputs: MediaServiceInputs): Promise<MediaService> {
  const { media, tuning = {} } = inputs;
  const log = inputs.logger.child({ component: 'media' });
  if (media.relay === 'never') {
    const reason = `media.relay is never: media goes end to end, so ${UNAVAILABLE_MEANING}`;
    log.info({ mode: 'disabled' }, reason);
    return fixedService({ mode: 'disabled', ready: false, reason, managed: undefined, engines: [] }, inputs);
  }
  if (media.rtpengine.engines.length > 0) return startExternal(inputs, media.rtpengine.engines, log);

  const found = findRtpengine(media.rtpengine.binary);
  if (found.problem !== undefined) {
    const reason = `no media relay: ${found.problem}; ${UNAVAILABLE_MEANING}; ${INSTALL_HINT}`;
    log.warn({ mode: 'unavailable' }, reason);
    return fixedService({ mode: 'unavailable', ready: false, reason, managed: undefined, engines: [] }, inputs);
  }

  // rtpengine starts on an address this machine does not have and fails only at the first call.
  const { address } = media.rtpengine;
  const local = Object.values(networkInterfaces()).flatMap((addresses) => addresses?.map((entry) => entry.address) ?? []);
  if (!local.includes(address)) {
    const reason = `no media relay: media.rtpengine.address ${address} is not an address of this machine (it has ${local.join(', ')}); behind NAT, set it to the private address and media.rtpengine.publicAddress to the public one; ${UNAVAILABLE_MEANING}`;
    log.warn({ mode: 'unavailable' }, reason);
    return fixedService({ mode: 'unavailable', ready: false, reason, managed: undefined, engines: [] }, inputs);
  }
  const pidfile = inputs.dataDir === undefined ? undefined : join(inputs.dataDir, ENGINE_PIDFILE);
  if (pidfile !== undefined) await stopStaleEngine(pidfile, log);
  const claimed = await claimLoopbackUdpPort(media.rtpengine.ngPort);
  if (claimed.problem !== undefined) {
    const reason = `no media relay: ${claimed.problem}; ${UNAVAILABLE_MEANING}`;
    log.warn({ mode: 'unavailable' }, reason);
    return fixedService({ mode: 'unavailable', ready: false, reason, managed: undefined, engines: [] }, inputs);
  }
  const { publicAddress, portMin, portMax } = media.rtpengine;
  const ngPort = claimed.port;
  const ngAddress: NgAddress = { host: '127.0.0.1', port: ngPort };
  const ng = formatNgAddress(ngAddress);
  const health = new NgClient({ ...ngAddress, ...HEALTH_CLIENT });
  const engine = new RtpengineProcess({
    binary: found.path,
    args: rtpengineArgs({
      address,
      publicAddress,
      ngPort,
      portMin,
      portMax,
      deleteDelaySeconds: tuning.deleteDelaySeconds ?? 5,
      // Userspace relaying is CPU work: a few threads, not one per core of a large host.
      threads: Math.max(2, Math.min(4, availableParallelism())),
    }),
    logger: inputs.logger,
    pidfile,
    ping: () => health.ping(),
    pingIntervalMs: tuning.pingIntervalMs,
    backoffInitialMs: tuning.backoffInitialMs,
    backoffMaxMs: tuning.backoffMaxMs,
    startTimeoutMs: tuning.startTimeoutMs,
  });
  const status = (): MediaStatus => {
    const now = engine.status();
    const up = now.state === 'running';
    return {
      mode: 'managed',
      ready: up,
      reason: up ? undefined : now.reason,
      managed: { state: now.state, restarts: now.restarts, pid: now.pid, binary: found.path, address, publicAddress, portMin, portMax, ng },
      engines: [{ engine: ng, up, ...(up || now.reason === undefined ? {} : { reason: now.reason }) }],
    };
  };
  const metrics = registerMediaMetrics(inputs.metrics.registry, { engines: () => status().engines, restarts: () => engine.status().restarts });
  const client = new MeteredNgClient({ ...ngAddress, ...RELAY_CLIENT, logger: log }, metrics);
  await engine.start();
  const started = status();
  if (started.ready) log.info({ ng, address, publicAddress, ports: `${portMin}-${portMax}` }, 'media relay: managed rtpengine running');
  else log.warn({ reason: started.reason }, 'media relay: the managed rtpengine did not start; retrying');
  return {
    relay: (inputs.createRelay ?? rtpengineRelay)([client], log),
    status,
    async close() {
      await engine.stop();
      await Promise.all([client.close(), health.close()]);
    },
  };
}

function rtpengineRelay(clients: readonly NgClient[], logger: StructuredLogger): MediaRelay {
  return new RtpengineRelay({ engines: clients, logger });
}

/** Disabled or unavailable: nothing runs, the status never changes. */
function fixedService(status: MediaStatus, inputs: MediaServiceInputs): MediaService {
  registerMediaMetrics(inputs.metrics.registry, { engines: () => [], restarts: () => 0 });
  return { relay: undefined, status: () => structuredClone(status), close: async () => undefined };
}

async function startExternal(inputs: MediaServiceInputs, addresses: readonly NgAddress[], log: StructuredLogger): Promise<MediaService> {
  const intervalMs = inputs.tuning?.pingIntervalMs ?? 2000;
  const engines = addresses.map((address) => ({
    health: { engine: formatNgAddress(address), up: false, reason: 'not asked yet' } as EngineHealth,
    pinger: new NgClient({ ...address, ...HEALTH_CLIENT }),
  }));
  const status = (): MediaStatus => {
    const healths = engines.map(({ health }) => ({ ...health }));
    const ready = healths.some((health) => health.up);
    const reason = ready ? undefined : `no rtpengine answers ng ping: ${healths.map((health) => `${health.engine} ${health.reason ?? 'down'}`).join('; ')}`;
    return { mode: 'external', ready, reason, managed: undefined, engines: healths };
  };
  const metrics = registerMediaMetrics(inputs.metrics.registry, { engines: () => status().engines, restarts: () => 0 });
  const clients = addresses.map((address) => new MeteredNgClient({ ...address, ...RELAY_CLIENT, logger: log }, metrics));

  const checkAll = () =>
    Promise.all(
      engines.map(async (entry) => {
        const wasUp = entry.health.up;
        try {
          await entry.pinger.ping();
          entry.health = { engine: entry.health.engine, up: true };
          if (!wasUp) log.info({ engine: entry.health.engine }, 'media relay: external rtpengine answers');
        } catch (error) {
          entry.health = { engine: entry.health.engine, up: false, reason: (error as Error).message };
          if (wasUp) log.warn({ engine: entry.health.engine, reason: entry.health.reason }, 'media relay: external rtpengine stopped answering');
        }
      }),
    );
  await checkAll();
  const down = engines.filter((entry) => !entry.health.up);
  if (down.length > 0) log.warn({ engines: down.map((entry) => entry.health) }, 'media relay: external rtpengines that do not answer ng ping');
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const loop = () => {
    timer = setTimeout(() => void checkAll().then(() => !closed && loop()), intervalMs);
    timer.unref();
  };
  loop();
  return {
    relay: (inputs.createRelay ?? rtpengineRelay)(clients, log),
    status,
    async close() {
      closed = true;
      clearTimeout(timer);
      await Promise.all([...clients, ...engines.map((entry) => entry.pinger)].map((client) => client.close()));
    },
  };
}

/**
 * The media part of /healthz. Degraded when calls cannot be relayed although the relay is on
 * (unavailable, or no engine answers): customers on phones and carriers cannot be heard then,
 * which monitoring must see. A relay turned off (`never`) is the operator's choice, not a fault.
 */
export function mediaHealth(status: MediaStatus): { healthy: boolean; detail: MediaStatus } {
  return { healthy: status.mode === 'disabled' || status.ready, detail: status };
}
