/**
 * The sandbox as one of Callpane's services (`callpane start` adds it when sandbox.enabled):
 * its Dataverse in `{dataDir}/sandbox.db`, apart from the PBX's database, and its server on
 * sandbox.host:sandbox.port, framing `{pane}/dyncrm?base={sandbox origin}` in its channel panel.
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext, AppService } from '../app.ts';
import { callpaneChannelUrl, DEFAULT_PROVIDER_LABEL, registerChannelProvider } from './channel-provider.ts';
import { Dataverse } from './dataverse/index.ts';
import type { DynamicsConnection } from '../config/dynamics-config.ts';
import { DEMO_DYNAMICS_CLIENT_ID, demoDynamicsApplies, demoDynamicsConnection, demoDynamicsSecret } from './demo-dynamics.ts';
import type { CustomerPhoneSetup } from './customer-phone/customer-phone-config.ts';
import { createSandboxServer } from './sandbox-server.ts';
import { DEMO_CARRIER_DID, findDemoCarrier } from '../server/demo-carrier.ts';
import { localUrl } from '../server/http-server.ts';
import { prepareDataDirectory } from '../store/data-directory.ts';

export const SANDBOX_DATABASE_FILE = 'sandbox.db';

export interface SandboxService extends AppService {
  /** The sandbox's origin, e.g. http://127.0.0.1:8081. */
  readonly url: string;
  /** The Channel URL its panel frames (known once Callpane's own HTTP server listens). */
  channelUrl(): string;
  /** In the demo with no org configured: Callpane's connection to this sandbox as its org (./demo-dynamics.ts). */
  dynamicsConnection(): DynamicsConnection | undefined;
}

export function sandboxDatabasePath(dataDir: string): string {
  return join(dataDir, SANDBOX_DATABASE_FILE);
}

/**
 * The sandbox's database, private like everything else in the data directory: created 0600
 * before SQLite opens it (SQLite gives its journal the database's mode), and tightened when an
 * earlier version left it, or its journal, readable by everyone.
 */
function privateDatabasePath(dataDir: string): string {
  prepareDataDirectory(dataDir);
  const path = sandboxDatabasePath(dataDir);
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return path;
}

export async function startSandboxService(context: AppContext): Promise<SandboxService> {
  const { config, httpServer } = context;
  const dataverse = new Dataverse({ path: privateDatabasePath(config.dataDir) });
  const demoSecret = demoDynamicsApplies(config) ? demoDynamicsSecret(config.dataDir) : undefined;
  const paneUrl = () => {
    if (config.sandbox.paneUrl ?? config.http.publicUrl) return (config.sandbox.paneUrl ?? config.http.publicUrl) as string;
    // The socket's own address: known from the 'listening' event on, before httpServer.address().
    const bound = httpServer.server.address();
    return localUrl(config.http.host, typeof bound === 'object' && bound !== null ? bound.port : config.http.port, httpServer.https);
  };
  const server = createSandboxServer({
    host: config.sandbox.host,
    port: config.sandbox.port,
    dataverse,
    logger: context.logger,
    customerPhone: { did: DEMO_CARRIER_DID, setup: () => demoCarrierSetup(context, paneUrl()) },
    // The demo's app registration: the sandbox seeds its application user (docs/sandbox.md).
    ...(demoSecret === undefined ? {} : { dataverseRoutes: { oauth: { clients: [{ clientId: DEMO_DYNAMICS_CLIENT_ID, clientSecret: demoSecret }] } } }),
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    dataverse.close();
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new Error(
      `the Dynamics 365 sandbox cannot listen on ${config.sandbox.host}:${config.sandbox.port}: ${reason} (set sandbox.port / CALLPANE_SANDBOX_PORT, or sandbox.enabled false)`,
    );
  }
  registerCallpaneProvider(context, dataverse, () => callpaneChannelUrl(paneUrl(), url));
  context.logger.info({ url }, 'Dynamics 365 sandbox started');
  return {
    url,
    channelUrl: () => callpaneChannelUrl(paneUrl(), url),
    dynamicsConnection: () => (demoSecret === undefined ? undefined : demoDynamicsConnection(new URL(url).origin, demoSecret)),
    // The pane accepts the sandbox as a Dynamics 365 origin while it runs (crm.allowedOrigins need not name it).
    crmOrigins: () => [new URL(url).origin],
    async close() {
      await server.close();
      dataverse.close();
    },
  };
}

/**
 * Callpane as the sandbox's channel provider, its record pointing at this Callpane's Channel URL,
 * written once Callpane's HTTP server listens (its port may be chosen then): the step an
 * administrator takes in a real organization (docs/cif-contract.md §8).
 */
function registerCallpaneProvider({ httpServer }: AppContext, dataverse: Dataverse, channelUrl: () => string): void {
  const register = () => registerChannelProvider(dataverse, { label: DEFAULT_PROVIDER_LABEL, landingUrl: channelUrl(), clickToAct: true });
  if (httpServer.server.listening) register();
  else httpServer.server.once('listening', register);
}

/**
 * The demo carrier (server/demo-carrier.ts) as the customer phone connects with it: to /sip on
 * the Callpane the channel panel frames, so the call reaches the same server as the pane's phone.
 */
function demoCarrierSetup({ config }: AppContext, paneUrl: string): CustomerPhoneSetup | undefined {
  const trunk = findDemoCarrier(config);
  if (!trunk?.match.username || !trunk.match.password || !config.sip.transports.includes('ws')) return undefined;
  const pane = new URL(paneUrl);
  const wsUrl = `${pane.protocol === 'https:' ? 'wss' : 'ws'}://${pane.host}${config.sip.wsPath}`;
  return { wsUrl, domain: config.sip.domain, username: trunk.match.username, password: trunk.match.password, did: DEMO_CARRIER_DID };
}

export interface SandboxResetSummary {
  contacts: number;
  accounts: number;
  leads: number;
  phonecalls: number;
}

/** `callpane sandbox reset`: every record made since is gone, every seed record is back as it was. */
export function resetSandboxData(dataDir: string): SandboxResetSummary {
  const dataverse = new Dataverse({ path: privateDatabasePath(dataDir), seed: false });
  try {
    dataverse.reset();
    const count = (set: string) => dataverse.retrieveMultiple(set, '?$count=true&$top=1').count ?? 0;
    return { contacts: count('contacts'), accounts: count('accounts'), leads: count('leads'), phonecalls: count('phonecalls') };
  } finally {
    dataverse.close();
  }
}
