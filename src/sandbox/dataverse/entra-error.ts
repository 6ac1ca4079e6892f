/**
 * Token endpoint errors as Microsoft Entra ID answers them (RFC 6749 §5.2 plus Entra's fields):
 * `{"error":"invalid_client","error_description":"AADSTS7000215: …\r\nTrace ID: …\r\nCorrelation
 * ID: …\r\nTimestamp: …","error_codes":[7000215],"timestamp","trace_id","correlation_id",
 * "error_uri"}`, 401 for client authentication failures and 400 for the rest. The AADSTS codes
 * and wording follow https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
 */
import { randomUUID } from 'node:crypto';
import { CodedError } from '../../errors/coded-error.ts';

export type EntraErrorName = 'invalid_request' | 'invalid_client' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_resource';

export interface EntraErrorBody {
  error: EntraErrorName;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** `code` is Entra's `error` value (RFC 6749 §5.2), kept exactly as Entra spells it. */
export class EntraError extends CodedError<EntraErrorName> {
  override readonly name = 'EntraError';
  readonly status: number;
  /** The AADSTS number. */
  readonly aadsts: number;

  constructor(error: EntraErrorName, aadsts: number, message: string) {
    super(error, `AADSTS${aadsts}: ${message}`);
    this.aadsts = aadsts;
    this.status = error === 'invalid_client' ? 401 : 400;
  }

  toBody(now: Date): EntraErrorBody {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = `${now.toISOString().slice(0, 19).replace('T', ' ')}Z`;
    return {
      error: this.code,
      error_description: `${this.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [this.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.aadsts}`,
    };
  }
}

export const missingParameter = (name: string) => new EntraError('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);

export const duplicatedParameter = (name: string) => new EntraError('invalid_request', 9000411, `The request is not properly formatted. The parameter '${name}' is duplicated.`);

export const unsupportedGrantType = (grantType: string) => new EntraError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);

export const tenantNotFound = (tenant: string) =>
  new EntraError('invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);

export const applicationNotFound = (clientId: string, tenant: string) =>
  new EntraError(
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );

export const missingClientSecret = () => new EntraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");

export const invalidClientSecret = (clientId: string) =>
  new EntraError(
    'invalid_client',
    7000215,
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  );

export const invalidScope = (scope: string) =>
  new EntraError(
    'invalid_scope',
    1002012,
    `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  );

export const resourceNotFound = (resource: string, tenant: string) =>
  new EntraError(
    'invalid_resource',
    500011,
    `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  );
