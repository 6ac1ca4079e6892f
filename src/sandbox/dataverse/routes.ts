/**
 * The Dataverse Web API subset over HTTP at `/api/data/v9.2/`, on a fastify instance the caller
 * owns (the sandbox's own server), with the OAuth 2.0 token endpoint server-side callers get
 * their tokens from (token-routes.ts). Responses carry `OData-Version: 4.0` and
 * `application/json; odata.metadata=minimal`, `@odata.context` and `@odata.etag`; errors are
 * `{"error":{"code","message"}}` with Dataverse's status and code.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors
 *
 * Every request is checked in this order: cross-site browser requests are refused (403); the
 * caller must be the sandbox's own pages or present a bearer token from the token endpoint
 * (401 otherwise; api-access.ts explains the choice); the caller's requests are counted against
 * the throttle when `dataverse.throttle(…)` turned it on (429 with Retry-After); then
 * `options.authorize` runs. No CORS headers are ever sent.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawServerBase, RawReplyDefaultExpression, RawRequestDefaultExpression } from 'fastify';
import { challenge, identifyCaller, ownOrigin, refuseCrossSite, type Caller } from './api-access.ts';
import { withApplicationUsers } from './application-users.ts';
import { collectionBody } from './collection-body.ts';
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';
import type { Dataverse } from './dataverse.ts';
import type { ExpandItem } from './expand-option.ts';
import { registerFaults, type FaultHook } from './fault-hook.ts';
import { parsePrefer, wantsLookupAnnotations } from './prefer-header.ts';
import type { QueryParams } from './query-options.ts';
import { checkPrivileges } from './privilege-check.ts';
import { parseResourcePath, type ResourcePath } from './resource-path.ts';
import { SEED } from './seed-data.ts';
import { TokenIssuer, type OAuthOptions } from './token-issuer.ts';
import { tokenRoutes } from './token-routes.ts';
import { SANDBOX_ORGANIZATION_ID } from './organization-id.ts';

export const DATAVERSE_API_PREFIX = '/api/data/v9.2';

export interface DataverseRouteOptions {
  /** Runs after the built-in checks on every request; throw a DataverseError to refuse it. */
  authorize?: (request: FastifyRequest, reply: FastifyReply) => void | Promise<void>;
  /** Browser origins besides the sandbox's own that may call the API (default: none). */
  allowedOrigins?: readonly string[];
  /** The user the sandbox's pages act as, and WhoAmI reports for them (default: the seed's English-speaking agent). */
  currentUserId?: () => string;
  /**
   * Applications that may get tokens for server-side calls, and the tenant and lifetime of those
   * tokens. A client without a userId acts as the application user of its client id, which the
   * organization gains with the Callpane Integration role if it has none (application-users.ts).
   */
  oauth?: OAuthOptions;
  /** For tests: delays, 429s and 503s chosen per request (fault-hook.ts). */
  faults?: FaultHook;
}

const BUSINESS_UNIT_ID = 'b0000000-0000-4000-8000-000000000001';
const JSON_TYPE = 'application/json; odata.metadata=minimal';

type AnyFastify<S extends RawServerBase, L extends FastifyBaseLogger> = FastifyInstance<S, RawRequestDefaultExpression<S>, RawReplyDefaultExpression<S>, L>;

export function registerDataverseRoutes<S extends RawServerBase, L extends FastifyBaseLogger>(
  app: AnyFastify<S, L>,
  dataverse: Dataverse,
  options: DataverseRouteOptions = {},
): void {
  const tokens = new TokenIssuer(withApplicationUsers(dataverse, options.oauth), () => dataverse.now());
  const currentUserId = () => options.currentUserId?.() ?? SEED.agentEnglish;
  const callers = new WeakMap<FastifyRequest, Caller>();
  app.register(tokenRoutes(tokens));
  app.register(
    async (api) => {
      api.setErrorHandler((error, request, reply) => sendError(request, reply, error));
      // fastify rewrites a JSON content type on send (quoting the parameter, adding a charset);
      // restore Dataverse's exact header last.
      api.addHook('onSend', async (_request, reply, payload) => {
        if (String(reply.getHeader('content-type') ?? '').startsWith('application/json; odata.metadata')) reply.header('content-type', JSON_TYPE);
        return payload;
      });
      if (options.faults) registerFaults(api as unknown as FastifyInstance, DATAVERSE_API_PREFIX, options.faults);
      api.addHook('onRequest', async (request, reply) => {
        refuseCrossSite(request, options.allowedOrigins ?? []);
        const caller = identifyCaller(request, tokens, currentUserId);
        if (!caller) return challenge(request, reply, tokens.tenantId);
        callers.set(request, caller);
        const admission = dataverse.admitRequest(caller.userId);
        // Dataverse's debugging header (api-limits: "HTTP Response headers").
        if (admission) reply.header('x-ms-ratelimit-burst-remaining-xrm-requests', String(admission.remaining));
        await options.authorize?.(request, reply);
      });
      // An application user may do only what its security roles grant (privilege-check.ts).
      api.addHook('preHandler', async (request) => {
        const caller = callers.get(request);
        if (caller?.kind !== 'application') return;
        const wildcard = (request.params as Record<string, string | undefined>)['*'] ?? '';
        checkPrivileges(dataverse, caller.userId, request.method, parseResourcePath(wildcard), request.body, request.query as QueryParams, {
          ifMatch: header(request, 'if-match'),
          ifNoneMatch: header(request, 'if-none-match'),
        });
      });
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        const wildcard = (request.params as Record<string, string | undefined>)['*'] ?? '';
        return handle(dataverse, callers.get(request)?.userId ?? currentUserId(), parseResourcePath(wildcard), request, reply);
      };
      api.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/', handler });
      api.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/*', handler });
    },
    { prefix: DATAVERSE_API_PREFIX },
  );
}

async function handle(dataverse: Dataverse, userId: string, path: ResourcePath, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const method = request.method;
  const base = serviceRoot(request);
  const query = request.query as QueryParams;
  const prefer = parsePrefer(request.headers.prefer);
  const annotations = wantsLookupAnnotations(prefer);
  reply.header('OData-Version', '4.0');
  if (annotations && prefer.includeAnnotations !== undefined) reply.header('Preference-Applied', `odata.include-annotations="${prefer.includeAnnotations}"`);

  if (path.kind === 'service') {
    if (method !== 'GET') throw methodNotAllowed(method);
    return json(reply, 200, {
      '@odata.context': `${base}$metadata`,
      value: dataverse.entitySets.map((name) => ({ name, kind: 'EntitySet', url: name })),
    });
  }
  if (path.kind === 'whoami') {
    if (method !== 'GET') throw methodNotAllowed(method);
    return json(reply, 200, {
      '@odata.context': `${base}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: BUSINESS_UNIT_ID,
      UserId: userId,
      OrganizationId: SANDBOX_ORGANIZATION_ID,
    });
  }
  dataverse.entity(path.set); // an unknown set is 404 whatever the method
  if (path.kind === 'collection') {
    if (method === 'GET') {
      const result = dataverse.retrieveMultiple(path.set, query, { annotations, maxPageSize: prefer.maxPageSize, trackChanges: prefer.trackChanges });
      // One Preference-Applied line per preference honoured, as Dataverse answers (count-rows).
      const applied = [reply.getHeader('Preference-Applied'), ...result.preferenceApplied].filter((value) => typeof value === 'string');
      if (applied.length > 0) reply.header('Preference-Applied', applied);
      return json(reply, 200, collectionBody(base, path.set, `${base}$metadata#${path.set}${selectSuffix(result.select, result.expand)}`, result));
    }
    if (method === 'POST') {
      const { id } = dataverse.create(path.set, request.body, { callerId: userId });
      if (!prefer.returnRepresentation) return empty(reply.header('OData-EntityId', `${base}${path.set}(${id})`));
      const result = dataverse.retrieve(path.set, id, query, { annotations });
      reply.header('Preference-Applied', 'return=representation');
      return json(reply, 201, { '@odata.context': `${base}$metadata#${path.set}${selectSuffix(result.select, result.expand)}/$entity`, ...result.record });
    }
    throw methodNotAllowed(method);
  }
  if (path.kind === 'related') {
    if (method !== 'GET') throw methodNotAllowed(method);
    const result = dataverse.retrieveRelated(path.set, path.key, path.navigation, query, { annotations });
    const body: Record<string, unknown> = { '@odata.context': `${base}$metadata#${result.entity.setName}${selectSuffix(result.select, result.expand)}` };
    if (result.count !== undefined) body['@odata.count'] = result.count;
    body.value = result.records;
    return json(reply, 200, body);
  }

  switch (method) {
    case 'GET': {
      const result = dataverse.retrieve(path.set, path.key, query, { annotations });
      reply.header('ETag', result.etag);
      if (request.headers['if-none-match'] === result.etag) return empty(reply, 304);
      return json(reply, 200, { '@odata.context': `${base}$metadata#${path.set}${selectSuffix(result.select, result.expand)}/$entity`, ...result.record });
    }
    case 'PATCH': {
      const { id, created } = dataverse.upsert(path.set, path.key, request.body, {
        callerId: userId,
        ifMatch: header(request, 'if-match'),
        ifNoneMatch: header(request, 'if-none-match'),
      });
      reply.header('OData-EntityId', `${base}${path.set}(${id})`);
      if (!prefer.returnRepresentation) return empty(reply);
      const result = dataverse.retrieve(path.set, id, query, { annotations });
      reply.header('Preference-Applied', 'return=representation');
      return json(reply, created ? 201 : 200, { '@odata.context': `${base}$metadata#${path.set}${selectSuffix(result.select, result.expand)}/$entity`, ...result.record });
    }
    case 'DELETE':
      dataverse.delete(path.set, path.key, { ifMatch: header(request, 'if-match') });
      return empty(reply);
    default:
      throw methodNotAllowed(method);
  }
}

/** `(a,b,nav(c))` after the set name in @odata.context, as Dataverse writes it. */
function selectSuffix(select: readonly string[] | undefined, expand: readonly ExpandItem[]): string {
  const items = [...(select ?? [])];
  for (const item of expand) items.push(item.select ? `${item.navigation}(${item.select.join(',')})` : `${item.navigation}()`);
  return items.length === 0 ? '' : `(${items.join(',')})`;
}

function serviceRoot(request: FastifyRequest): string {
  return `${ownOrigin(request)}${DATAVERSE_API_PREFIX}/`;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function json(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify(body));
}

function empty(reply: FastifyReply, status = 204): FastifyReply {
  return reply.code(status).send();
}

function methodNotAllowed(method: string): DataverseError {
  return new DataverseError(405, DataverseErrorCode.None, `The requested resource does not support http method '${method}'.`);
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  reply.header('OData-Version', '4.0');
  if (error instanceof DataverseError) {
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    return json(reply, error.status, error.toBody());
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Body-level problems (malformed JSON, wrong content type) as Dataverse's payload errors.
    const code = fastifyError.code?.startsWith('FST_ERR_CTP') ? DataverseErrorCode.QueryOrPayload : DataverseErrorCode.None;
    return json(reply, status, { error: { code, message: fastifyError.message ?? 'Bad Request' } });
  }
  request.log.error({ err: error }, 'sandbox dataverse request failed');
  return json(reply, 500, { error: { code: DataverseErrorCode.None, message: 'An unexpected error occurred.' } });
}
