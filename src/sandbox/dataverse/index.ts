/**
 * Public surface of the sandbox Dataverse (the Dataverse Web API subset of the local Dynamics 365
 * sandbox): the core `Dataverse` class, the fastify routes (Web API and token endpoint), errors,
 * throttling and OAuth options, and the named seed records.
 */
export { Dataverse, type DataverseOptions } from './dataverse.ts';
export { DATAVERSE_API_PREFIX, registerDataverseRoutes, type DataverseRouteOptions } from './routes.ts';
export { SANDBOX_ORGANIZATION_ID } from './organization-id.ts';
export { DataverseError, DataverseErrorCode, type ODataErrorBody } from './dataverse-error.ts';
export { parseQueryString, type QueryParams } from './query-options.ts';
export type { QueryResult, ReadOptions, RetrieveResult } from './record-reader.ts';
export type { UpsertOptions, WriteOptions, WriteResult } from './record-writer.ts';
export type { Dialect } from './write-payload.ts';
export type { EntityRecord } from './record-format.ts';
export type { Admission, ThrottleLimits } from './request-throttle.ts';
export { QUICK_FIND_COLUMNS } from './quick-find.ts';
export { SEED } from './seed-data.ts';
export { CALLPANE_INTEGRATION, SALESPERSON, SYSTEM_ADMINISTRATOR, type RoleDefinition } from './security-roles.ts';
export { applicationUserId } from './application-users.ts';
export type { Fault, FaultHook, FaultRequest } from './fault-hook.ts';
export { SANDBOX_APPLICATION_USER_ID, SANDBOX_TENANT_ID, type OAuthClient, type OAuthOptions, type TokenResponse } from './token-issuer.ts';
export { TOKEN_PATH } from './token-routes.ts';
