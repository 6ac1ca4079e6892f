/**
 * The sandbox's stand-in for Microsoft Entra ID's token endpoint, for server-side writers
 * (docs/dataverse.md §1: OAuth 2.0 client credentials against Entra ID, scope `https://{org}/.default`,
 * with an application user"): RFC 6749 §4.4 client credentials with a client secret in the form
 * body, as https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * describes, answered `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,
 * "access_token":"…"}`.
 *
 * Differences from Entra, on purpose: tokens are 32 random bytes (base64url), not JWTs — a client
 * must treat access tokens as opaque anyway — and the sandbox keeps only their SHA-256 with the
 * client, the audience and the expiry, so a leaked database or heap dump holds no usable token.
 * Client secrets are compared as SHA-256 digests in constant time. An app registered with a
 * certificate may instead sign a client assertion (RFC 7523, Entra's certificate credential:
 * client-assertion.ts checks it). The resource is the sandbox itself: the scope must be
 * `{the origin the request came to}/.default`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { checkClientAssertion, registerCertificate, type RegisteredCertificate } from './client-assertion.ts';
import {
  applicationNotFound,
  invalidClientSecret,
  invalidScope,
  missingClientSecret,
  missingParameter,
  resourceNotFound,
  EntraError,
  tenantNotFound,
  unsupportedGrantType,
} from './entra-error.ts';

export interface OAuthClient {
  /** The application (client) id, as registered in Entra ID. */
  clientId: string;
  /** Absent for an app that proves itself with its certificate only. */
  clientSecret?: string;
  /** A PEM certificate registered with the app: client assertions signed by its key are taken. */
  certificate?: string;
  /** The application user's systemuserid (what WhoAmI reports for this client's tokens). */
  userId?: string;
}

export interface OAuthOptions {
  /** Applications that may ask for tokens (default: none, so no server-side caller gets in). */
  clients?: readonly OAuthClient[];
  /** The directory (tenant) id in `/{tenant}/oauth2/v2.0/token` (default SANDBOX_TENANT_ID). */
  tenantId?: string;
  /** Access token lifetime (default 3599 s, what Entra ID reports for its one-hour tokens). */
  tokenLifetimeSeconds?: number;
}

export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

/** What a valid access token stands for. */
export interface TokenGrant {
  clientId: string;
  userId: string;
  /** The origin the token is for. */
  audience: string;
  expiresAt: number;
}

export const SANDBOX_TENANT_ID = '7e7a0000-0000-4000-8000-000000000001';
/**
 * The application user WhoAmI reports for a client configured without a userId. The seed has no
 * systemuser row for it: application users are not interactive, and the sandbox's user picker
 * lists the systemusers table.
 */
export const SANDBOX_APPLICATION_USER_ID = 'a9900000-0000-4000-8000-000000000001';

const DEFAULT_LIFETIME_SECONDS = 3599;
const TOKEN_BYTES = 32;
const DEFAULT_SCOPE_SUFFIX = '/.default';
const TOKEN_PATH = '/oauth2/v2.0/token';

interface RegisteredClient {
  secretDigest: Buffer | undefined;
  certificate: RegisteredCertificate | undefined;
  userId: string;
}

export class TokenIssuer {
  readonly tenantId: string;
  private readonly clients: Map<string, RegisteredClient>;
  private readonly lifetimeSeconds: number;
  private readonly now: () => Date;
  private readonly grants = new Map<string, TokenGrant>();

  constructor(options: OAuthOptions, now: () => Date) {
    this.tenantId = (options.tenantId ?? SANDBOX_TENANT_ID).toLowerCase();
    this.lifetimeSeconds = options.tokenLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
    if (!Number.isInteger(this.lifetimeSeconds) || this.lifetimeSeconds < 1) throw new RangeError('oauth: tokenLifetimeSeconds must be a positive integer');
    this.now = now;
    this.clients = new Map(
      (options.clients ?? []).map((client) => {
        if (client.clientSecret === '' || (client.clientSecret === undefined && client.certificate === undefined)) {
          throw new RangeError(`oauth: client ${client.clientId} needs a non-empty secret or a certificate`);
        }
        const registered: RegisteredClient = {
          secretDigest: client.clientSecret === undefined ? undefined : digest(client.clientSecret),
          certificate: client.certificate === undefined ? undefined : registerCertificate(client.certificate),
          userId: client.userId ?? SANDBOX_APPLICATION_USER_ID,
        };
        return [client.clientId.toLowerCase(), registered];
      }),
    );
  }

  /**
   * Handles a token request: `params` is the form body, `tenant` the path's tenant (undefined on
   * the tenant-less path), `origin` the sandbox origin the request came to. Throws EntraError.
   */
  issue(params: Readonly<Record<string, string>>, tenant: string | undefined, origin: string): TokenResponse {
    if (tenant !== undefined && tenant.toLowerCase() !== this.tenantId) throw tenantNotFound(tenant);
    const grantType = params.grant_type;
    if (grantType === undefined) throw missingParameter('grant_type');
    if (grantType !== 'client_credentials') throw unsupportedGrantType(grantType);
    const clientId = params.client_id;
    if (clientId === undefined) throw missingParameter('client_id');
    const scope = params.scope;
    if (scope === undefined) throw missingParameter('scope');
    const client = this.clients.get(clientId.toLowerCase());
    if (!client) throw applicationNotFound(clientId, this.tenantId);
    const now = this.now().getTime();
    const secret = params.client_secret;
    const assertion = params.client_assertion;
    if (assertion !== undefined && secret !== undefined)
      throw new EntraError('invalid_request', 9002313, 'Invalid request. Request is malformed or invalid: send either client_secret or client_assertion, not both.');
    if (assertion !== undefined) {
      const tokenUrl = `${new URL(origin).origin}${tenant === undefined ? '' : `/${tenant.toLowerCase()}`}${TOKEN_PATH}`;
      checkClientAssertion({
        assertionType: params.client_assertion_type,
        assertion,
        clientId,
        certificate: client.certificate,
        audience: tokenUrl,
        nowSeconds: Math.floor(now / 1000),
      });
    } else {
      if (secret === undefined || secret === '') throw missingClientSecret();
      if (client.secretDigest === undefined || !timingSafeEqual(digest(secret), client.secretDigest)) throw invalidClientSecret(clientId);
    }
    const audience = this.resourceOf(scope, origin);

    this.forgetExpired(now);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    this.grants.set(hashToken(token), { clientId: clientId.toLowerCase(), userId: client.userId, audience, expiresAt: now + this.lifetimeSeconds * 1000 });
    return { token_type: 'Bearer', expires_in: this.lifetimeSeconds, ext_expires_in: this.lifetimeSeconds, access_token: token };
  }

  /** The grant behind a token presented to `audience`, or undefined when unknown, expired or for another resource. */
  verify(token: string, audience: string): TokenGrant | undefined {
    const grant = this.grants.get(hashToken(token));
    if (!grant) return undefined;
    if (grant.expiresAt <= this.now().getTime()) {
      this.grants.delete(hashToken(token));
      return undefined;
    }
    return grant.audience === new URL(audience).origin ? grant : undefined;
  }

  /** `{origin}/.default` (Entra also takes `{origin}//.default`) → the origin; anything else is refused as Entra refuses it. */
  private resourceOf(scope: string, origin: string): string {
    const scopes = scope.trim().split(/\s+/);
    const resources = scopes.filter((s) => s.endsWith(DEFAULT_SCOPE_SUFFIX)).map((s) => s.slice(0, -DEFAULT_SCOPE_SUFFIX.length).replace(/\/$/, ''));
    const [resource] = resources;
    if (scopes.length !== 1 || resources.length !== 1 || resource === undefined) throw invalidScope(scope);
    let resourceOrigin: string | undefined;
    try {
      const url = new URL(resource);
      resourceOrigin = url.pathname === '/' && url.search === '' ? url.origin : undefined;
    } catch {
      resourceOrigin = undefined;
    }
    // Compared as URL origins, so http://host:80 and http://host are one resource.
    if (resourceOrigin !== new URL(origin).origin) throw resourceNotFound(resource, this.tenantId);
    return resourceOrigin;
  }

  private forgetExpired(now: number): void {
    for (const [hash, grant] of this.grants) if (grant.expiresAt <= now) this.grants.delete(hash);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
