import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCallpane, type AppContext, type ServiceFactory } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/load-config.ts';
import { startSipService } from '../../src/pbx/sip-service.ts';
import { createLogger } from '../../src/server/logger.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createRegistrationRepository } from '../../src/store/registration-repository.ts';
import { selfSignedCertificate } from '../sip/transport/helpers.ts';

const logger = createLogger({ level: 'silent', pretty: false });
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-app-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    // No media relay: these tests are about the composition, and /healthz says `ok` only with a
    // relay that runs or is off (test/media/media-service.test.ts covers the relay).
    env: {
      CALLPANE_DATA_DIR: dataDir,
      CALLPANE_HTTP_HOST: '127.0.0.1',
      CALLPANE_HTTP_PORT: '0',
      CALLPANE_SIP_HOST: '127.0.0.1',
      CALLPANE_SIP_PORT: '0',
      CALLPANE_MEDIA_RELAY: 'never',
      ...env,
    },
    cwd: dataDir,
    interfaces: {},
  });
}

test('starts on an ephemeral port, answers /healthz, and stops', async () => {
  const running = await startCallpane({ config: testConfig(), logger });
  try {
    assert.match(running.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(running.httpUrl, 'http://127.0.0.1:0');
    assert.equal(running.publicUrl, running.httpUrl);
    const response = await fetch(`${running.httpUrl}/healthz`);
    assert.equal((await response.json()).status, 'ok');
  } finally {
    await running.close();
  }
  await assert.rejects(fetch(`${running.httpUrl}/healthz`));
  await running.close();
});

test('demo extensions are created on the first start only and shown at every start', async () => {
  const first = await startCallpane({ config: testConfig(), logger });
  await first.close();
  assert.deepEqual(
    first.demoExtensions.map((d) => d.number),
    ['1001', '1002'],
  );
  assert.ok(first.demoExtensions.every((d) => d.password.length >= 16 && d.sipSecret));

  const db = openDatabase(dataDir);
  createExtensionRepository(db).remove('1002');
  db.close();

  const second = await startCallpane({ config: testConfig(), logger });
  await second.close();
  assert.deepEqual(second.demoExtensions, first.demoExtensions.slice(0, 1));
  const check = openDatabase(dataDir);
  assert.equal(createExtensionRepository(check).exists('1002'), false);
  check.close();
});

test('no demo extensions when seeding is turned off', async () => {
  const running = await startCallpane({ config: testConfig({ CALLPANE_DEMO_SEED_EXTENSIONS: 'false' }), logger });
  await running.close();
  assert.deepEqual(running.demoExtensions, []);
  const db = openDatabase(dataDir);
  assert.deepEqual(createExtensionRepository(db).list(), []);
  db.close();
});

test('a production configuration (sandbox off) creates no demo extensions unless demo.seedExtensions asks', async () => {
  const production = await startCallpane({ config: testConfig({ CALLPANE_SANDBOX_ENABLED: 'false' }), logger });
  await production.close();
  assert.deepEqual(production.demoExtensions, []);
  const db = openDatabase(dataDir);
  assert.deepEqual(createExtensionRepository(db).list(), []);
  db.close();

  const asked = await startCallpane({ config: testConfig({ CALLPANE_SANDBOX_ENABLED: 'false', CALLPANE_DEMO_SEED_EXTENSIONS: 'true' }), logger });
  await asked.close();
  assert.deepEqual(
    asked.demoExtensions.map((d) => d.number),
    ['1001', '1002'],
  );
});

test('WebSocket bindings left from a previous run are wiped at start, others survive', async () => {
  const db = openDatabase(dataDir);
  createExtensionRepository(db).add({ number: '2001', displayName: 'Phone', passwordHash: 'h', sipSecret: 's' });
  const registrations = createRegistrationRepository(db);
  const common = { aor: '2001', callId: 'c', cseq: 1, sourceAddress: '127.0.0.1', sourcePort: 5070, expiresAt: Date.now() + 600_000 };
  registrations.upsert({ ...common, contact: '<sip:a@x.invalid;transport=ws>', contactUri: 'sip:a@x.invalid;transport=ws', transport: 'WS', flowId: 'ws:1' });
  registrations.upsert({ ...common, contact: '<sip:b@127.0.0.1:5070>', contactUri: 'sip:b@127.0.0.1:5070', transport: 'UDP' });
  db.close();

  const running = await startCallpane({ config: testConfig(), logger });
  try {
    const left = running.context.repositories.registrations.listAll(Date.now());
    assert.deepEqual(
      left.map((b) => b.contactUri),
      ['sip:b@127.0.0.1:5070'],
    );
    const metrics = await (await fetch(`${running.httpUrl}/metrics`)).text();
    assert.match(metrics, /^callpane_sip_registrations 1$/m);
  } finally {
    await running.close();
  }
});

test('extra services get the context before HTTP listens, report SIP URIs, and stop first', async () => {
  const events: string[] = [];
  let seen: AppContext | undefined;
  const sip: ServiceFactory = async (context) => {
    seen = context;
    events.push(`start listening=${context.httpServer.server.listening}`);
    context.httpServer.app.get('/extra', async () => ({ extra: true }));
    context.httpServer.server.once('close', () => events.push('http closed'));
    return {
      sipUris: () => [`sip:${context.config.sip.advertisedHost}:5060;transport=udp`],
      close: async () => {
        events.push('service closed');
      },
    };
  };
  const running = await startCallpane({ config: testConfig(), logger, extraServices: [sip] });
  try {
    assert.deepEqual(running.sipUris, ['sip:127.0.0.1:5060;transport=udp']);
    assert.deepEqual(await (await fetch(`${running.httpUrl}/extra`)).json(), { extra: true });
    assert.ok(seen?.db.isOpen && seen.repositories.extensions.exists('1001'));
  } finally {
    await running.close();
  }
  assert.deepEqual(events, ['start listening=false', 'service closed', 'http closed']);
  assert.equal(seen?.db.isOpen, false);
});

test('a service that fails to start stops the ones before it and leaves nothing open', async () => {
  const closed: string[] = [];
  const good: ServiceFactory = async () => ({ close: async () => void closed.push('good') });
  const bad: ServiceFactory = async () => {
    throw new Error('SIP port taken');
  };
  let context: AppContext | undefined;
  const spy: ServiceFactory = async (ctx) => {
    context = ctx;
    return { close: async () => void closed.push('spy') };
  };
  await assert.rejects(startCallpane({ config: testConfig(), logger, extraServices: [spy, good, bad] }), /SIP port taken/);
  assert.deepEqual(closed, ['good', 'spy']);
  assert.equal(context?.db.isOpen, false);
});

test('a busy HTTP port stops start-up with a message naming the setting', async () => {
  const first = await startCallpane({ config: testConfig(), logger });
  try {
    const port = new URL(first.httpUrl).port;
    await assert.rejects(startCallpane({ config: testConfig({ CALLPANE_HTTP_PORT: port }), logger }), /already in use \(set http\.port \/ CALLPANE_HTTP_PORT\)/);
  } finally {
    await first.close();
  }
});

test('a SIP port in use stops the start with a message naming sip.port, or sip.tlsPort for TLS', async () => {
  const udp = createSocket('udp4');
  await new Promise<void>((done) => udp.bind(0, '127.0.0.1', done));
  const tcp = createServer();
  await new Promise<void>((done) => tcp.listen(0, '127.0.0.1', done));
  const udpPort = udp.address().port;
  const tcpPort = (tcp.address() as { port: number }).port;
  const { cert, key } = selfSignedCertificate();
  writeFileSync(join(dataDir, 'cert.pem'), cert);
  writeFileSync(join(dataDir, 'key.pem'), key);
  try {
    const start = (env: Record<string, string>) => startCallpane({ config: testConfig(env), logger, extraServices: [startSipService] });
    await assert.rejects(start({ CALLPANE_SIP_PORT: String(udpPort), CALLPANE_SIP_TRANSPORTS: 'udp' }), {
      message: `cannot listen for SIP over UDP on 127.0.0.1:${udpPort}: the address is already in use (set sip.port / CALLPANE_SIP_PORT)`,
    });
    await assert.rejects(start({ CALLPANE_SIP_PORT: String(tcpPort), CALLPANE_SIP_TRANSPORTS: 'tcp' }), {
      message: `cannot listen for SIP over TCP on 127.0.0.1:${tcpPort}: the address is already in use (set sip.port / CALLPANE_SIP_PORT)`,
    });
    const tlsFiles = { CALLPANE_TLS_CERT: join(dataDir, 'cert.pem'), CALLPANE_TLS_KEY: join(dataDir, 'key.pem') };
    await assert.rejects(start({ ...tlsFiles, CALLPANE_SIP_TLS_PORT: String(tcpPort), CALLPANE_SIP_TRANSPORTS: 'udp,tls' }), {
      message: `cannot listen for SIP over TLS on 127.0.0.1:${tcpPort}: the address is already in use (set sip.tlsPort / CALLPANE_SIP_TLS_PORT)`,
    });
  } finally {
    udp.close();
    tcp.close();
  }
});
