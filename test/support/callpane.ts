/**
 * A Callpane with its embedded PBX, started in this test process on loopback ports in a fresh
 * data directory: the same composition `callpane start` runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCallpane, type RunningCallpane, type ServiceFactory } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/load-config.ts';
import { startSipService, type SipServiceOptions } from '../../src/pbx/sip-service.ts';
import { createLogger } from '../../src/server/logger.ts';
import { freeUdpTcpPort, reservedUdpBlock } from './ports.ts';

export interface TestCallpane {
  running: RunningCallpane;
  config: Config;
  sipPort: number;
  httpUrl: string;
  dataDir: string;
  /** `sip:127.0.0.1:PORT`, the registrar address for user agents. */
  registrar: string;
  /** The SIP secret of a demo extension (1001, 1002). */
  secretOf(number: string): string;
  /** The /metrics text. */
  metrics(): Promise<string>;
  /** Stops Callpane; the data directory stays until `remove()` (restart tests reuse it). */
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export interface TestCallpaneOptions {
  /** Reuse a data directory (and its SIP port), e.g. to test what survives a restart. */
  dataDir?: string;
  sipPort?: number;
  env?: Record<string, string>;
  /** Written as the configuration file (for what only a file can hold: trunks, routes). */
  file?: Record<string, unknown>;
  /** Services started after the SIP service (e.g. the Dynamics 365 sandbox). */
  services?: readonly ServiceFactory[];
  /** Options of the SIP service (e.g. a short session sweep interval). */
  sip?: SipServiceOptions;
}

function configuresMedia(options: TestCallpaneOptions): boolean {
  return options.file?.media !== undefined || Object.keys(options.env ?? {}).some((name) => name.startsWith('CALLPANE_MEDIA_'));
}

/** The managed rtpengine's RTP range, unless the test names one: a block of its own (see reservedUdpBlock). */
async function rtpRange(options: TestCallpaneOptions): Promise<Record<string, string>> {
  const media = options.file?.media as { rtpengine?: { portMin?: unknown; engines?: unknown[] } } | undefined;
  const named = media?.rtpengine?.portMin !== undefined || options.env?.CALLPANE_MEDIA_RTPENGINE_PORT_MIN !== undefined;
  if (!configuresMedia(options) || named) return {};
  const first = await reservedUdpBlock(RTP_PORTS);
  return { CALLPANE_MEDIA_RTPENGINE_PORT_MIN: String(first), CALLPANE_MEDIA_RTPENGINE_PORT_MAX: String(first + RTP_PORTS - 1) };
}
const RTP_PORTS = 200;

export async function startTestCallpane(options: TestCallpaneOptions = {}): Promise<TestCallpane> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'callpane-sip-'));
  const sipPort = options.sipPort ?? (await freeUdpTcpPort());
  let argvConfigPath: string | undefined;
  if (options.file) {
    argvConfigPath = join(dataDir, 'callpane.json');
    writeFileSync(argvConfigPath, JSON.stringify(options.file));
  }
  const config = loadConfig({
    argvConfigPath,
    env: {
      CALLPANE_DATA_DIR: dataDir,
      CALLPANE_HTTP_HOST: '127.0.0.1',
      CALLPANE_HTTP_PORT: '0',
      CALLPANE_SIP_HOST: '127.0.0.1',
      CALLPANE_SIP_PORT: String(sipPort),
      // Media goes end to end unless the test configures the relay (a CALLPANE_MEDIA_* variable
      // or a `media` section): then a managed rtpengine takes a free ng port, tests running side by side.
      ...(configuresMedia(options) ? { CALLPANE_MEDIA_RTPENGINE_NG_PORT: '0' } : { CALLPANE_MEDIA_RELAY: 'never' }),
      ...(await rtpRange(options)),
      ...options.env,
    },
    cwd: dataDir,
    interfaces: {},
  });
  const logger = createLogger({ level: process.env.CALLPANE_TEST_LOG === '1' ? 'debug' : 'silent', pretty: false });
  const running = await startCallpane({
    config,
    logger,
    extraServices: [(context) => startSipService(context, { media: context.media.relay, ...options.sip }), ...(options.services ?? [])],
    // A deleted call leaves rtpengine's `list` at once, so tests can count what is left.
    mediaTuning: { deleteDelaySeconds: 0 },
  });
  const secrets = new Map(running.demoExtensions.map((demo) => [demo.number, demo.sipSecret]));
  return {
    running,
    config,
    sipPort,
    httpUrl: running.httpUrl,
    dataDir,
    registrar: `sip:127.0.0.1:${sipPort}`,
    secretOf(number) {
      const secret = secrets.get(number) ?? running.context.repositories.extensions.get(number)?.sipSecret;
      if (secret === undefined) throw new Error(`no extension ${number}`);
      return secret;
    },
    async metrics() {
      return (await fetch(`${running.httpUrl}/metrics`)).text();
    },
    stop: () => running.close(),
    async remove() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value of one Prometheus sample, e.g. `metricValue(text, 'callpane_sip_register_total{result="ok"}')`. */
export function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (line === undefined) throw new Error(`no sample ${sample} in /metrics`);
  return Number(line.slice(sample.length + 1));
}
