/**
 * The sandbox's own HTTP server, on its own site (e.g. http://127.0.0.1:8081 while the pane is
 * on http://localhost:8080), so cross-origin messaging, frame-ancestors and third-party cookie
 * rules behave as between Dynamics 365 and Callpane (docs/cif-contract.md §9, "Two origins, always"):
 * - /main.aspx: the Unified Interface stand-in (one page; the browser code draws the rest);
 * - /webresources/Widget/msdyn_ciLibrary.js: Microsoft.CIFramework 1.0 for the channel;
 * - /api/data/v9.2/: the Dataverse Web API subset (src/sandbox/dataverse/);
 * - /_sandbox/records, /_sandbox/user: what the page asks of its own server (CIF's record
 *   calls in the Xrm dialect, quick find; the signed-in user), same-origin only;
 * - /customer-phone: a customer calling the company through the demo carrier (customer-phone-routes.ts).
 */
import { isIPv6 } from 'node:net';
import { fastify, LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { channelProviderFor, landingUrlProblem, panelFrameSandbox, registerChannelProvider, trustedOrigins, type ChannelProvider } from './channel-provider.ts';
import { registerCustomerPhoneRoutes } from './customer-phone-routes.ts';
import type { CustomerPhoneSetup } from './customer-phone/customer-phone-config.ts';
import { runRecordCall, RECORD_OPERATIONS, type RecordCall } from './record-calls.ts';
import { DataverseError, registerDataverseRoutes, SEED, type Dataverse, type DataverseRouteOptions, type FaultHook } from './dataverse/index.ts';
import { SANDBOX_ORGANIZATION } from './organization.ts';
import { ASSET_PATHS, renderSandboxPage } from './sandbox-page.ts';
import { loadUiBundle, type UiBundle } from './ui-bundle.ts';
import type { PageConfig, PageEntity, PageUser } from './ui/page-config.ts';
import type { Logger } from '../server/logger.ts';

export const LIBRARY_PATH = '/webresources/Widget/msdyn_ciLibrary.js';
export const RECORDS_PATH = '/_sandbox/records';
export const USER_PATH = '/_sandbox/user';
/** The entities the pages draw forms and lists for. */
const PAGE_ENTITIES = ['contact', 'account', 'lead', 'phonecall', 'systemuser'] as const;
const WILDCARDS = new Set(['0.0.0.0', '::']);

export interface SandboxServerOptions {
  host: string;
  port: number;
  /** Owned by the caller, who closes it after the server. */
  dataverse: Dataverse;
  /**
   * A channel provider record to register once listening (registerChannelProvider), given the
   * sandbox's origin, which the Channel URL names. Without one, the panel shows the records the
   * Dataverse has: none, no panel.
   */
  provider?: (sandboxOrigin: string) => ChannelProvider;
  logger: Logger;
  /** Passed on to the Web API routes (token checks, throttling). */
  dataverseRoutes?: Omit<DataverseRouteOptions, 'currentUserId' | 'faults'>;
  /** Tests only: delays, 429s and 503s for Web API requests, decided per request (never configuration). */
  faults?: FaultHook;
  /** The customer phone's number to call and demo carrier (none: the page says it cannot call). */
  customerPhone?: { did: string; setup(): CustomerPhoneSetup | undefined };
}

export interface SandboxServer {
  readonly app: FastifyInstance;
  /** Resolves with the sandbox origin, e.g. http://127.0.0.1:8081 (the real port when 0 was asked). */
  listen(): Promise<string>;
  /** The origin, once listening. */
  readonly origin: string;
  /** The system user the pages and WhoAmI act as (the user picker changes it). */
  currentUserId: string;
  close(): Promise<void>;
}

export function createSandboxServer(options: SandboxServerOptions): SandboxServer {
  const { dataverse } = options;
  const app = fastify({
    loggerInstance: options.logger.child({ component: 'sandbox' }),
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  let origin: string | undefined;
  let bundle: UiBundle | undefined;
  const server: SandboxServer = {
    app,
    currentUserId: SEED.agentEnglish,
    get origin() {
      if (origin === undefined) throw new Error('the sandbox is not listening yet');
      return origin;
    },
    async listen() {
      bundle = await loadUiBundle();
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('the sandbox has no TCP address');
      origin = sandboxOrigin(options.host, address.port);
      if (options.provider) registerChannelProvider(dataverse, options.provider(origin));
      return origin;
    },
    close: () => app.close(),
  };

  const assets = () => {
    if (!bundle) throw new Error('the sandbox is not listening yet');
    return bundle;
  };
  app.get('/', async (_request, reply) => reply.redirect(`/main.aspx?appid=${SANDBOX_ORGANIZATION.appId}&pagetype=entitylist&etn=contact`));
  app.get('/main.aspx', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      // Like Dynamics: its pages may not be framed by other sites.
      .header('content-security-policy', "frame-ancestors 'self'")
      .send(renderSandboxPage(pageConfig(server, options))),
  );
  app.get(ASSET_PATHS.app, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(assets().appJs));
  app.get(ASSET_PATHS.css, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(assets().css));
  app.get(LIBRARY_PATH, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(assets().libraryJs));

  app.post(RECORDS_PATH, async (request, reply) => {
    sameOrigin(request);
    const call = readRecordCall(request.body);
    try {
      return reply.send({ result: runRecordCall(dataverse, call, server.currentUserId) });
    } catch (error) {
      if (error instanceof DataverseError) return reply.code(error.status).headers(error.headers).send(error.toBody());
      throw error;
    }
  });
  app.post(USER_PATH, async (request, reply) => {
    sameOrigin(request);
    const userId = (request.body as { userId?: unknown } | null)?.userId;
    if (typeof userId !== 'string' || !listUsers(dataverse).some((user) => user.id === userId))
      return reply.code(400).send({ error: { code: 'UnknownUser', message: 'userId must name a system user' } });
    server.currentUserId = userId;
    return reply.code(204).send();
  });

  registerCustomerPhoneRoutes(app, {
    dataverse,
    did: options.customerPhone?.did ?? '',
    script: () => assets().customerPhoneJs,
    setup: () => options.customerPhone?.setup(),
  });
  registerDataverseRoutes(app, dataverse, { ...options.dataverseRoutes, faults: options.faults, currentUserId: () => server.currentUserId });
  return server;
}

/** The origin people open: a wildcard bind is shown as 127.0.0.1, never localhost (the pane's site). */
export function sandboxOrigin(host: string, port: number): string {
  const shown = WILDCARDS.has(host) ? '127.0.0.1' : isIPv6(host) ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

function pageConfig(server: SandboxServer, options: SandboxServerOptions): PageConfig {
  // As Dynamics: the msdyn_ciprovider record the signed-in user's roles select, or no panel.
  const provider = channelProviderFor(options.dataverse, server.currentUserId, SANDBOX_ORGANIZATION.appId);
  const entities: Record<string, PageEntity> = {};
  for (const logicalName of PAGE_ENTITIES) {
    const entity = options.dataverse.entity(options.dataverse.entitySetFor(logicalName));
    entities[logicalName] = {
      logicalName,
      setName: entity.setName,
      primaryKey: entity.primaryKey,
      primaryName: entity.primaryName,
      columns: entity.columns.map((column) => ({ name: column.name, type: column.type, maxLength: column.maxLength, readOnly: column.readOnly })),
      lookups: entity.lookups.map((lookup) => ({ name: lookup.name, navigation: { ...lookup.navigation } })),
    };
  }
  const { appId, appName, orgId, orgUniqueName, orgLcid, crmVersion, cifVersion } = SANDBOX_ORGANIZATION;
  return {
    org: { clientUrl: server.origin, appId, appName, orgId, orgUniqueName, orgLcid, crmVersion, cifVersion },
    provider: provider
      ? {
          label: provider.label,
          landingUrl: provider.landingUrl,
          landingUrlProblem: landingUrlProblem(provider.landingUrl) ?? null,
          trustedOrigins: trustedOrigins(provider),
          clickToAct: provider.clickToAct,
          customParams: provider.customParams ?? null,
          frameSandbox: panelFrameSandbox(provider),
        }
      : null,
    users: listUsers(options.dataverse),
    currentUserId: server.currentUserId,
    entities,
  };
}

function listUsers(dataverse: Dataverse): PageUser[] {
  const languages = new Map(
    dataverse.retrieveMultiple('usersettingscollection', '?$select=systemuserid,uilanguageid').records.map((row) => [row.systemuserid as string, row.uilanguageid as number]),
  );
  return (
    dataverse
      // People sign in; application users (server-to-server callers) do not.
      .retrieveMultiple('systemusers', '?$select=fullname,internalemailaddress&$filter=isdisabled eq false and applicationid eq null&$orderby=fullname')
      .records.map((row) => ({
        id: row.systemuserid as string,
        fullname: (row.fullname as string | null) ?? '',
        email: (row.internalemailaddress as string | null) ?? null,
        lcid: languages.get(row.systemuserid as string) ?? SANDBOX_ORGANIZATION.orgLcid,
      }))
  );
}

/** The page's own calls: a browser sends Origin on every POST; anything else is refused. */
function sameOrigin(request: FastifyRequest): void {
  const own = `${request.protocol}://${request.host}`;
  const fetchSite = request.headers['sec-fetch-site'];
  if (request.headers.origin !== own || (fetchSite !== undefined && fetchSite !== 'same-origin')) {
    throw Object.assign(new Error('only the sandbox page itself may call this'), { statusCode: 403 });
  }
}

function readRecordCall(body: unknown): RecordCall {
  const call = body as Partial<Record<string, unknown>> | null;
  const fail = (message: string) => Object.assign(new Error(message), { statusCode: 400 });
  if (typeof call !== 'object' || call === null) throw fail('the body must be a record call');
  if (!RECORD_OPERATIONS.includes(call.operation as RecordCall['operation'])) throw fail(`operation must be one of ${RECORD_OPERATIONS.join(', ')}`);
  if (typeof call.entity !== 'string') throw fail('entity must be a logical name');
  for (const key of ['id', 'options', 'query', 'text'] as const) if (call[key] !== undefined && typeof call[key] !== 'string') throw fail(`${key} must be a string`);
  if (call.data !== undefined && (typeof call.data !== 'object' || call.data === null || Array.isArray(call.data))) throw fail('data must be an object');
  if (call.attributes !== undefined && (!Array.isArray(call.attributes) || !call.attributes.every((a) => typeof a === 'string'))) throw fail('attributes must be a list of names');
  const needs: Record<RecordCall['operation'], readonly string[]> = {
    createRecord: ['data'],
    retrieveRecord: ['id'],
    updateRecord: ['id', 'data'],
    deleteRecord: ['id'],
    searchRecords: ['query'],
    getEntityMetadata: [],
    quickFind: ['text'],
  };
  for (const key of needs[call.operation as RecordCall['operation']]) if (call[key] === undefined) throw fail(`${key} is missing`);
  return { options: '', query: '', ...call } as unknown as RecordCall;
}
