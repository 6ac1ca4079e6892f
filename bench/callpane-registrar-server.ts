/**
 * A Callpane for the REGISTER benchmarks, run as its own process so that the load generator
 * never shares its event loop: a fresh data directory with `--users` extensions (numbers from
 * 100000, SIP secret `pw-{i}`), SIP on 127.0.0.1:`--port` over `--transports` (default `udp`;
 * `udp,ws` adds SIP over WebSocket on the HTTP server), logging off. `--media-relay always|never`
 * sets media.relay (never unless given: the signalling benchmarks measure SIP alone) and
 * `--rtpengine-engines host:port,…` media.rtpengine.engines (left out: a managed rtpengine), and
 * the SIP service gets the relay as bin/callpane.ts gives it. Prints `ready {HTTP URL}` once it listens,
 * answers each `stats` line on stdin with `stats {json}` (live bindings, resident memory, its own
 * and the managed rtpengine's process ids), and stops on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startCallpane, type AppContext } from '../src/app.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { startSipService, type SipService } from '../src/pbx/sip-service.ts';
import { hashPassword } from '../src/security/password-hash.ts';
import { createLogger } from '../src/server/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { createExtensionRepository } from '../src/store/extension-repository.ts';
import { FIRST_BENCH_EXTENSION } from './bench-users.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, users: { type: 'string' }, transports: { type: 'string' }, 'media-relay': { type: 'string' }, 'rtpengine-engines': { type: 'string' } },
});
const port = Number(values.port);
const users = Number(values.users ?? 2000);
const dataDir = mkdtempSync(join(tmpdir(), 'callpane-bench-'));

const db = openDatabase(dataDir);
const extensions = createExtensionRepository(db);
// One web-password hash for all: scrypt per extension would dominate the set-up, and the
// benchmark never signs in on the web.
const passwordHash = await hashPassword('bench-web-password');
db.exec('BEGIN');
for (let i = 0; i < users; i++) {
  extensions.add({ number: String(FIRST_BENCH_EXTENSION + i), displayName: `Bench ${i}`, passwordHash, sipSecret: `pw-${i}` });
}
db.exec('COMMIT');
db.close();

const config = loadConfig({
  env: {
    CALLPANE_DATA_DIR: dataDir,
    CALLPANE_HTTP_HOST: '127.0.0.1',
    CALLPANE_HTTP_PORT: '0',
    CALLPANE_SIP_HOST: '127.0.0.1',
    CALLPANE_SIP_PORT: String(port),
    CALLPANE_SIP_TRANSPORTS: values.transports ?? 'udp',
    CALLPANE_DEMO_SEED_EXTENSIONS: 'false',
    CALLPANE_MEDIA_RELAY: values['media-relay'] ?? 'never',
    ...(values['rtpengine-engines'] === undefined ? {} : { CALLPANE_MEDIA_RTPENGINE_ENGINES: values['rtpengine-engines'] }),
  },
  cwd: dataDir,
  interfaces: {},
});
let sip: SipService | undefined;
let media: AppContext['media'] | undefined;
const startSip = async (context: AppContext): Promise<SipService> => {
  media = context.media;
  sip = await startSipService(context, { media: context.media.relay });
  return sip;
};
const running = await startCallpane({ config, logger: createLogger({ level: 'silent', pretty: false }), extraServices: [startSip] });
process.stdout.write(`ready ${running.httpUrl}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'stats') return;
  const status = media?.status();
  const stats = { bindings: sip?.location.size ?? 0, rssBytes: process.memoryUsage.rss(), pid: process.pid, mediaMode: status?.mode, rtpenginePid: status?.managed?.pid };
  process.stdout.write(`stats ${JSON.stringify(stats)}\n`);
});
process.once('SIGTERM', () => {
  void running.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
