/**
 * Composition of a running Callpane: store, demo data, metrics, HTTP server, call tracking (the
 * call bus, the call recorder, the /api routes and the /api/events channel), the pane at /dyncrm
 * (which accepts as `base` the configured Dynamics origins and those of running services that
 * stand in for Dynamics, such as the sandbox: `AppService.crmOrigins`), and the services
 * passed in by the caller (the SIP transports and the registrar are wired through
 * `extraServices`). Services start after the HTTP server is created but before it listens, so
 * they can add routes and attach to its `upgrade` event before the first request arrives;
 * they are closed in reverse order, before the HTTP server and the database. In a demo with the
 * sandbox, the services see the configuration with the demo carrier merged in (server/demo-carrier.ts).
 */
import { readFileSync } from 'node:fs';
import type { Config } from './config/load-config.ts';
import { mediaHealth, startMediaService, type MediaService, type MediaServiceTuning } from './media/media-service.ts';
import { CallBus } from './pbx/calls/call-bus.ts';
import { CallRecorder } from './pbx/calls/call-recorder.ts';
import { libphonenumberReader } from './crm/numbers/phone-number.ts';
import type { DynamicsConnection } from './config/dynamics-config.ts';
import { journalGraceSeconds, startDynamicsService, type DynamicsService } from './dynamics/dynamics-service.ts';
import { demoDynamicsApplies } from './sandbox/demo-dynamics.ts';
import { PaneCredentials } from './security/pane-credentials.ts';
import { PaneIceServers } from './security/turn-credentials.ts';
import { registerApi } from './server/api/api-routes.ts';
import { readUserSettings } from './server/api/user-settings.ts';
import { EventChannel } from './server/api/event-channel.ts';
import { createSiteOrigin, type SiteOrigin } from './server/api/site-origin.ts';
import { demoCarrierApplies, demoCarrierPassword, withDemoCarrier } from './server/demo-carrier.ts';
import { currentDemoCredentials, demoLeftoverWarning, leftoverDemoExtensions, seedDemoExtensions, type DemoCredentialView } from './server/demo-extensions.ts';
import { createHttpServer, type HttpServer, type TlsMaterial } from './server/http-server.ts';
import type { Logger } from './server/logger.ts';
import { createMetrics, type Metrics } from './server/metrics.ts';
import { createAllowedCrmOrigins } from './server/pane/allowed-crm-origins.ts';
import type { PaneSources } from './server/pane/pane-bundle.ts';
import { registerPaneRoutes } from './server/pane/pane-routes.ts';
import { SessionService } from './server/sessions/session-service.ts';
import { SsoHandoffs } from './server/sso/sso-handoffs.ts';
import { registerSsoRoutes } from './server/sso/sso-routes.ts';
import { createCallRecordRepository, type CallRecordRepository, type CallRecordRepositoryOptions } from './store/call-record-repository.ts';
import { dataDirectoryFailure } from './store/data-directory.ts';
import { openDatabase, type Database } from './store/database.ts';
import { createExtensionRepository, type ExtensionRepository } from './store/extension-repository.ts';
import { createMetaRepository, type MetaRepository } from './store/meta-repository.ts';
import { createRegistrationRepository, type RegistrationRepository } from './store/registration-repository.ts';
import { createSessionRepository, type SessionRepository } from './store/session-repository.ts';
import { createSettingsRepository, type SettingsRepository } from './store/settings-repository.ts';

export interface AppRepositories {
  extensions: ExtensionRepository;
  registrations: RegistrationRepository;
  meta: MetaRepository;
  calls: CallRecordRepository;
  sessions: SessionRepository;
  settings: SettingsRepository;
}

/** Everything a service needs from the running application. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Database;
  repositories: AppRepositories;
  metrics: Metrics;
  /** Call events: the SIP service publishes, the call recorder and the pane's event channel listen. */
  calls: CallBus;
  /** Web-login sessions (bearer tokens for /api and the event channel). */
  sessions: SessionService;
  /** Not yet listening while services start: add routes and `upgrade` handlers then. */
  httpServer: HttpServer;
  /** Certificate and key read from config.tls, for HTTPS and SIP over TLS. */
  tls: TlsMaterial | undefined;
  /** The origin browsers reach this server at, per request (Host header, TLS, http.publicUrl). */
  site: SiteOrigin;
  /** The media relay, started before the services: the SIP service takes `media.relay`. */
  media: MediaService;
}

export interface AppService {
  close(): Promise<void>;
  /** The SIP URIs this service answers on, read once everything listens (for the banner). */
  sipUris?(): string[];
  /**
   * Origins of Dynamics 365 stand-ins this service runs (the sandbox): the pane accepts them as
   * `base` besides crm.allowedOrigins, for as long as the service runs.
   */
  crmOrigins?(): string[];
  /** The Dynamics org this service stands in for (the demo's sandbox), when no org is configured. */
  dynamicsConnection?(): DynamicsConnection | undefined;
}

export type ServiceFactory = (context: AppContext) => Promise<AppService>;

export interface StartOptions {
  config: Config;
  logger: Logger;
  extraServices?: readonly ServiceFactory[];
  /** The pane's sources; the real widget unless a test points elsewhere. */
  paneSources?: PaneSources;
  /** Tests shorten the media relay's timings (e.g. no delete delay). */
  mediaTuning?: MediaServiceTuning;
}

export interface RunningCallpane {
  /** The bound HTTP(S) URL on this machine (the real port when 0 was configured). */
  httpUrl: string;
  /** http.publicUrl when configured, otherwise httpUrl. */
  publicUrl: string;
  sipUris: string[];
  /** The demo extensions whose generated credentials are still the ones in use. */
  demoExtensions: DemoCredentialView[];
  /** With the demo off: the warning about demo extensions that still have their generated credentials. */
  demoWarning?: string;
  context: AppContext;
  /** Stops services, HTTP and the database; safe to call more than once. */
  close(): Promise<void>;
}

/** In the demo the org is the sandbox, connected once it runs: the outbox is on from the start. */
function journalOptions(config: Config): CallRecordRepositoryOptions {
  const graceSeconds = journalGraceSeconds(config.dynamics, config.dynamics.connection !== undefined || demoDynamicsApplies(config));
  return graceSeconds === undefined ? {} : { journal: { graceSeconds } };
}

function readTls(config: Config): TlsMaterial | undefined {
  if (!config.tls) return undefined;
  return { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
}

export async function startCallpane({ config: given, logger, extraServices = [], paneSources, mediaTuning }: StartOptions): Promise<RunningCallpane> {
  const tls = readTls(given);
  const db = openDatabase(given.dataDir);
  // What runs: the given configuration, with the demo carrier when the demo and its sandbox are on.
  let config = given;
  const services: AppService[] = [];
  let httpServer: HttpServer | undefined;

  async function stopAll(): Promise<void> {
    for (const service of services.splice(0).reverse()) {
      try {
        await service.close();
      } catch (error) {
        logger.error({ err: error }, 'a service failed to stop');
      }
    }
    await httpServer?.close();
    if (db.isOpen) db.close();
  }

  try {
    const repositories: AppRepositories = {
      extensions: createExtensionRepository(db),
      registrations: createRegistrationRepository(db),
      meta: createMetaRepository(db),
      // With an org configured, a call's end writes its journal outbox row in the same transaction.
      calls: createCallRecordRepository(db, journalOptions(given)),
      sessions: createSessionRepository(db),
      settings: createSettingsRepository(db),
    };
    // RFC 7118 §5: a WebSocket binding cannot outlive its connection, and no connection outlives the process.
    const wiped = repositories.registrations.removeConnectionBound();
    if (wiped > 0) logger.info({ bindings: wiped }, 'removed WebSocket bindings left from the previous run');
    // No call survives the process: a record still open was cut off by a crash or a restart.
    const closedCalls = repositories.calls.closeOpen(Date.now());
    if (closedCalls > 0) logger.warn({ calls: closedCalls }, 'closed call records left open by the previous run as failed');

    if (config.demo.seedExtensions) {
      const created = await seedDemoExtensions({ dataDir: config.dataDir, db, extensions: repositories.extensions, meta: repositories.meta });
      if (created.length > 0) logger.info({ extensions: created.map((c) => c.number) }, 'created the demo extensions');
    }
    if (demoCarrierApplies(config)) config = withDemoCarrier(config, demoCarrierPassword(config.dataDir));

    const metrics = createMetrics();
    metrics.observeRegistrations(() => repositories.registrations.countActive(Date.now()));
    httpServer = createHttpServer({
      host: config.http.host,
      port: config.http.port,
      trustProxy: config.http.trustProxy,
      publicHttps: config.http.publicUrl?.startsWith('https:') ?? false,
      tls,
      logger,
      metrics,
    });

    const callLogger = logger.child({ component: 'calls' });
    const calls = new CallBus(callLogger);
    const recorder = new CallRecorder(repositories.calls, (err, event) => {
      callLogger.error({ err, callId: event.callId, type: event.type }, 'a call event could not be recorded');
    });
    recorder.start(calls);
    services.push({ close: async () => recorder.stop() });
    const sessions = new SessionService({ sessions: repositories.sessions, extensions: repositories.extensions });
    const site = createSiteOrigin({ https: httpServer.https, publicUrl: config.http.publicUrl });
    const ssoHandoffs = new SsoHandoffs();
    // Started after the services (in the demo the org is the sandbox, one of them); the API's
    // caller lookup asks it from then on.
    let dynamics: DynamicsService | undefined;
    registerApi(httpServer.app, {
      sessions,
      calls: repositories.calls,
      extensions: repositories.extensions,
      settings: repositories.settings,
      site,
      sip: {
        domain: config.sip.domain,
        wsPath: config.sip.wsPath,
        webSocket: config.sip.transports.includes('ws'),
        paneCredentials: PaneCredentials.load(config.dataDir),
        ice: new PaneIceServers(config.media.ice),
      },
      sso: { providers: config.sso.providers, handoffs: ssoHandoffs },
      phoneIndex: { lookup: (number, entities, region) => dynamics?.phoneIndex?.lookup(number, entities, region) ?? { state: 'off', matches: [] } },
    });
    // Asked at each check: a service's origin counts only while the service is in the list.
    const crmOrigins = createAllowedCrmOrigins(config.crm.allowedOrigins, () => services.flatMap((service) => service.crmOrigins?.() ?? []));
    registerPaneRoutes(httpServer.app, { origins: crmOrigins, defaultRegion: config.crm.defaultRegion, site, logger, sources: paneSources });
    registerSsoRoutes(httpServer.app, {
      providers: config.sso.providers,
      extensions: repositories.extensions,
      handoffs: ssoHandoffs,
      site,
      logger,
    });
    const events = new EventChannel({ server: httpServer.server, bus: calls, sessions, logger: logger.child({ component: 'events' }) });
    events.start();
    services.push(events);

    // Before the SIP service, which relays call media through it; closed after it.
    const media = await startMediaService({ media: config.media, logger, metrics, dataDir: config.dataDir, tuning: mediaTuning });
    services.push(media);
    httpServer.addHealthCheck('media', () => mediaHealth(media.status()));
    const context: AppContext = { config, logger, db, repositories, metrics, calls, sessions, httpServer, tls, site, media };
    for (const start of extraServices) services.push(await start(context));
    const connection = config.dynamics.connection ?? services.map((service) => service.dynamicsConnection?.()).find((found) => found !== undefined);
    if (connection) {
      dynamics = await startDynamicsService({
        connection,
        settings: config.dynamics,
        db,
        calls: repositories.calls,
        extensions: repositories.extensions,
        settingsOf: (extension) => readUserSettings(repositories.settings.get(extension)?.value),
        numbers: libphonenumberReader,
        defaultRegion: config.crm.defaultRegion,
        metrics,
        logger,
      });
      services.push(dynamics);
    }

    const httpUrl = await httpServer.listen();
    const sipUris = services.flatMap((service) => service.sipUris?.() ?? []);
    const demoExtensions = config.demo.seedExtensions ? await currentDemoCredentials(config.dataDir, repositories.extensions) : [];
    // Earlier versions printed the demo's secrets into the start banner, i.e. into a service log.
    const demoLeftovers = config.demo.seedExtensions ? [] : await leftoverDemoExtensions(config.dataDir, repositories.extensions);
    const demoWarning = demoLeftovers.length > 0 ? demoLeftoverWarning(demoLeftovers) : undefined;
    if (demoWarning) logger.warn({ extensions: demoLeftovers.map((leftover) => leftover.number) }, demoWarning);
    logger.info({ httpUrl, sipUris, dataDir: config.dataDir }, 'Callpane started');

    let closing: Promise<void> | undefined;
    return {
      httpUrl,
      publicUrl: config.http.publicUrl ?? httpUrl,
      sipUris,
      demoExtensions,
      ...(demoWarning ? { demoWarning } : {}),
      context,
      close() {
        closing ??= stopAll().then(() => logger.info('Callpane stopped'));
        return closing;
      },
    };
  } catch (error) {
    await stopAll();
    // A disk that filled up or turned read-only after the database opened (a secret file, sandbox.db).
    throw dataDirectoryFailure(error, given.dataDir) ?? error;
  }
}

/**
 * Stops Callpane on SIGINT, SIGTERM or SIGHUP and exits. A second signal, or a shutdown that takes
 * longer than `graceMs`, exits at once.
 */
export function shutdownOnSignals(running: RunningCallpane, logger: Logger, exit: (code: number) => void = process.exit, graceMs = 10_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took too long: exiting');
      exit(1);
    }, graceMs).unref();
    running.close().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The terminal or SSH session of `npm start` closed: Node's default would exit at once (129),
  // skipping the shutdown that stops rtpengine and unregisters the trunks.
  process.on('SIGHUP', onSignal);
}
