/**
 * The /api routes and the event channel on a fresh database with two agents (1001 Alice with an
 * e-mail, 1002 Bob), a call bus and a session service whose clock the test may move. The SIP
 * domain is pbx.example.test with SIP over WebSocket at /sip unless the test says otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallBus } from '../../../src/pbx/calls/call-bus.ts';
import { PaneCredentials } from '../../../src/security/pane-credentials.ts';
import { hashPassword } from '../../../src/security/password-hash.ts';
import { registerApi } from '../../../src/server/api/api-routes.ts';
import type { PhoneIndexLookup } from '../../../src/server/api/phone-routes.ts';
import type { SipCredentialSettings } from '../../../src/server/api/sip-credential-routes.ts';
import { SsoHandoffs } from '../../../src/server/sso/sso-handoffs.ts';
import { createSiteOrigin, type SiteOriginOptions } from '../../../src/server/api/site-origin.ts';
import { EventChannel, type EventChannelOptions } from '../../../src/server/api/event-channel.ts';
import { createHttpServer, type HttpServer } from '../../../src/server/http-server.ts';
import { createLogger, type Logger } from '../../../src/server/logger.ts';
import { createMetrics } from '../../../src/server/metrics.ts';
import { SessionService, type SessionServiceOptions } from '../../../src/server/sessions/session-service.ts';
import { createCallRecordRepository, type CallRecordRepository } from '../../../src/store/call-record-repository.ts';
import { openDatabase, type Database } from '../../../src/store/database.ts';
import { createExtensionRepository, type ExtensionRepository } from '../../../src/store/extension-repository.ts';
import { createSessionRepository } from '../../../src/store/session-repository.ts';
import { createSettingsRepository, type SettingsRepository } from '../../../src/store/settings-repository.ts';

export const PASSWORDS = { '1001': 'alice-password-1', '1002': 'bob-password-2' } as const;

export interface ApiFixture {
  db: Database;
  http: HttpServer;
  bus: CallBus;
  calls: CallRecordRepository;
  extensions: ExtensionRepository;
  settings: SettingsRepository;
  sessions: SessionService;
  /** What the SIP side checks the pane's short-lived credentials with (same clock as the sessions). */
  paneCredentials: PaneCredentials;
  /** Moves the session service's clock (and the event channel's) forward. */
  advance(ms: number): void;
  /** The session service's clock. */
  now(): number;
  /** Logs in through the API and returns the token. */
  login(number: keyof typeof PASSWORDS): Promise<string>;
  /** Listens on 127.0.0.1 with an event channel; returns the ws:// base URL. */
  listen(channel?: Partial<EventChannelOptions>): Promise<string>;
  channel: EventChannel | undefined;
  close(): Promise<void>;
}

export interface ApiFixtureOptions {
  sessions?: Partial<SessionServiceOptions>;
  site?: Partial<SiteOriginOptions>;
  sip?: Partial<SipCredentialSettings>;
  /** Silent unless a test reads the log. */
  logger?: Logger;
  /** Stop the clock at creation (moved only by advance()), for tests that compare exact durations. */
  frozenClock?: boolean;
  /** The phone index POST /api/phone/lookup answers from, given the fixture's database; none by default. */
  phoneIndex?: (db: Database) => PhoneIndexLookup;
}

export async function createApiFixture(options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callpane-api-'));
  const db = openDatabase(dataDir);
  const extensions = createExtensionRepository(db);
  extensions.add({ number: '1001', displayName: 'Alice', email: 'alice@example.com', passwordHash: await hashPassword(PASSWORDS['1001']), sipSecret: 's1' });
  extensions.add({ number: '1002', displayName: 'Bob', passwordHash: await hashPassword(PASSWORDS['1002']), sipSecret: 's2' });
  let offset = 0;
  const start = Date.now();
  const now = options.frozenClock ? () => start + offset : () => Date.now() + offset;
  const sessions = new SessionService({ sessions: createSessionRepository(db), extensions, now, ...options.sessions });
  const calls = createCallRecordRepository(db);
  const settings = createSettingsRepository(db);
  const site = createSiteOrigin({ https: false, publicUrl: undefined, ...options.site });
  const bus = new CallBus();
  const logger = options.logger ?? createLogger({ level: 'silent', pretty: false });
  const http = createHttpServer({ host: '127.0.0.1', port: 0, logger, metrics: createMetrics() });
  const paneCredentials = PaneCredentials.load(dataDir, now);
  const sip = { domain: 'pbx.example.test', wsPath: '/sip', webSocket: true, paneCredentials, ...options.sip };
  const phoneIndex = options.phoneIndex?.(db);
  registerApi(http.app, { sessions, calls, extensions, settings, site, sip, sso: { providers: [], handoffs: new SsoHandoffs() }, ...(phoneIndex ? { phoneIndex } : {}) });

  const fixture: ApiFixture = {
    db,
    http,
    bus,
    calls,
    extensions,
    settings,
    sessions,
    paneCredentials,
    channel: undefined,
    advance(ms) {
      offset += ms;
    },
    now,
    async login(number) {
      const response = await http.app.inject({ method: 'POST', url: '/api/session', payload: { login: number, password: PASSWORDS[number] } });
      if (response.statusCode !== 200) throw new Error(`login ${number}: ${response.statusCode} ${response.body}`);
      return response.json().token as string;
    },
    async listen(channelOptions = {}) {
      fixture.channel = new EventChannel({ server: http.server, bus, sessions, now, ...channelOptions });
      fixture.channel.start();
      const url = await http.listen();
      return url.replace(/^http/, 'ws');
    },
    async close() {
      await fixture.channel?.close();
      await http.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
