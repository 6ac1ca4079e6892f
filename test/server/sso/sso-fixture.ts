/**
 * Callpane's SSO routes on 127.0.0.1 with a fresh database (1001 Alice, alice@example.com) and
 * a real OpenID Connect provider (oidc-test-provider.ts) configured as an Entra-style provider
 * (`entra`, tenant TENANT) and a Google-style one (`google`, hosted domain example.com) on the
 * same issuer, so the organisation checks run against real ID tokens.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SsoProvider } from '../../../src/config/sso-providers.ts';
import { createSiteOrigin } from '../../../src/server/api/site-origin.ts';
import { createHttpServer, type HttpServer } from '../../../src/server/http-server.ts';
import { createLogger, type Logger } from '../../../src/server/logger.ts';
import { createMetrics } from '../../../src/server/metrics.ts';
import type { LockoutPolicy } from '../../../src/security/failure-lockout.ts';
import { SessionService } from '../../../src/server/sessions/session-service.ts';
import { OidcClients, type OidcClientOptions } from '../../../src/server/sso/oidc-clients.ts';
import { registerSsoApiRoutes } from '../../../src/server/sso/sso-api-routes.ts';
import { handoffOf, SsoHandoffs } from '../../../src/server/sso/sso-handoffs.ts';
import { registerSsoRoutes } from '../../../src/server/sso/sso-routes.ts';
import { sendApiError } from '../../../src/server/api/api-errors.ts';
import { openDatabase, type Database } from '../../../src/store/database.ts';
import { createExtensionRepository } from '../../../src/store/extension-repository.ts';
import { createSessionRepository, type SessionRepository } from '../../../src/store/session-repository.ts';
import { freePort } from '../../support/ports.ts';
import { startTestProvider, type TestProvider, type TestProviderOptions } from './oidc-test-provider.ts';

export const TENANT = '0b1f4e6c-2d3a-4b5c-8d9e-0f1a2b3c4d5e';
export const OTHER_TENANT = '9f8e7d6c-5b4a-4321-8fed-cba987654321';

/** Accounts at the provider: the login typed at its form → claims. */
export const ACCOUNTS: Record<string, Record<string, unknown>> = {
  alice: { email: 'Alice@Example.com', email_verified: true, tid: TENANT, hd: 'example.com', name: 'Alice' },
  outsider: { email: 'alice@example.com', email_verified: true, tid: OTHER_TENANT, hd: 'elsewhere.example', name: 'Not Alice' },
  stranger: { email: 'nobody@example.com', email_verified: true, tid: TENANT, hd: 'example.com', name: 'Nobody' },
};

export interface SsoFixture {
  callpane: string;
  provider: TestProvider;
  sessions: SessionService;
  sessionStore: SessionRepository;
  db: Database;
  /** What a pane does before opening the popup: a secret, and the start URL carrying its handoff. */
  begin(provider: string): { secret: string; startUrl: string };
  /** The pane's claim of the popup's outcome (POST /api/session/sso). */
  claim(secret: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface SsoFixtureOptions {
  clients?: OidcClientOptions;
  logger?: Logger;
  /** Passed to the test provider: a tampered ID token, an opener policy on its pages. */
  providerOptions?: Pick<TestProviderOptions, 'idTokenTampering' | 'openerPolicy'>;
  /** Sign-ins one address may start (default: sso-routes.ts START_POLICY). */
  startPolicy?: LockoutPolicy;
}

export async function createSsoFixture(options: SsoFixtureOptions = {}): Promise<SsoFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callpane-sso-'));
  const db = openDatabase(dataDir);
  const extensions = createExtensionRepository(db);
  extensions.add({ number: '1001', displayName: 'Alice', email: 'alice@example.com', passwordHash: 'unused', sipSecret: 's1' });
  const sessionStore = createSessionRepository(db);
  const sessions = new SessionService({ sessions: sessionStore, extensions });
  const logger = options.logger ?? createLogger({ level: 'silent', pretty: false });
  const http: HttpServer = createHttpServer({ host: '127.0.0.1', port: await freePort(), logger, metrics: createMetrics() });
  const providerPort = await freePort();
  const issuer = `http://127.0.0.1:${providerPort}`;
  const common = { clientSecret: 'test-client-secret-0123456789', issuer, emailClaim: 'email' };
  const providers: SsoProvider[] = [
    { ...common, id: 'entra', kind: 'entra', label: 'Microsoft', clientId: 'callpane-entra', tenantId: TENANT, hostedDomain: undefined },
    { ...common, id: 'google', kind: 'google', label: 'Google', clientId: 'callpane-google', tenantId: undefined, hostedDomain: 'example.com' },
  ];
  const handoffs = new SsoHandoffs();
  registerSsoRoutes(http.app, {
    providers,
    extensions,
    handoffs,
    site: createSiteOrigin({ https: false, publicUrl: undefined }),
    logger,
    clients: new OidcClients(options.clients),
    startPolicy: options.startPolicy,
  });
  http.app.register(
    async (api) => {
      api.setErrorHandler((error, _request, reply) => sendApiError(error, reply));
      registerSsoApiRoutes(api, { providers, handoffs, sessions, extensions });
    },
    { prefix: '/api' },
  );
  const callpane = await http.listen();
  const redirectUri = `${callpane}/dyncrm/login`;
  const provider = await startTestProvider({
    port: providerPort,
    clients: providers.map((entry) => ({ clientId: entry.clientId, clientSecret: entry.clientSecret, redirectUri })),
    accounts: ACCOUNTS,
    ...options.providerOptions,
  });
  return {
    callpane,
    provider,
    sessions,
    sessionStore,
    db,
    begin(providerId) {
      const secret = randomBytes(32).toString('base64url');
      return { secret, startUrl: `${callpane}/dyncrm/sso/start?provider=${providerId}&handoff=${handoffOf(secret)}` };
    },
    claim(secret, headers = { 'x-callpane-client': 'pane' }) {
      return fetch(`${callpane}/api/session/sso`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ handoff: secret }),
        signal: AbortSignal.timeout(5000),
      });
    },
    async close() {
      await provider.close();
      await http.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
