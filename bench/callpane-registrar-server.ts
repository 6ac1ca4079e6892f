/**
 * A Callpane for the REGISTER benchmark, run as its own process so that the load generator
 * never shares its event loop: a fresh data directory with `--users` extensions (numbers from
 * 100000, SIP secret `pw-{i}`), SIP over UDP only on 127.0.0.1:`--port`, logging off. Prints
 * `ready` once it listens and stops on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCallpane } from '../src/app.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { startSipService } from '../src/pbx/sip-service.ts';
import { hashPassword } from '../src/security/password-hash.ts';
import { createLogger } from '../src/server/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { createExtensionRepository } from '../src/store/extension-repository.ts';
import { FIRST_BENCH_EXTENSION } from './bench-users.ts';


const { values } = parseArgs({ options: { port: { type: 'string' }, users: { type: 'string' } } });
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
    CALLPANE_SIP_TRANSPORTS: 'udp',
    CALLPANE_DEMO_SEED_EXTENSIONS: 'false',
  },
  cwd: dataDir,
  interfaces: {},
});
const running = await startCallpane({ config, logger: createLogger({ level: 'silent', pretty: false }), extraServices: [startSipService] });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void running.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
