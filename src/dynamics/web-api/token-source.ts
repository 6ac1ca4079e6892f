/**
 * Access tokens for the org by the OAuth 2.0 client credentials grant (RFC 6749 §4.4) against
 * Entra ID's v2.0 token endpoint, scope `{org}/.default`, as an application user would get them:
 * https://learn.microsoft.com/power-apps/developer/data-platform/authenticate-oauth#connect-as-an-app
 * The app proves itself with a client secret (`client_secret` in the body) or a certificate
 * (a signed client assertion, ./certificate-credential.ts).
 *
 * Library: openid-client (already a dependency, for single sign-on) rather than @azure/msal-node.
 * openid-client v6 does the grant, private_key_jwt client authentication (RFC 7523 §2.2) and the
 * token response checks; its `modifyAssertion` hook adds what Entra wants of a certificate
 * assertion (the `x5t#S256` header, `aud` = the token URL). MSAL would add a dependency tree of
 * its own, and its authority handling (instance discovery and metadata fetched from
 * login.microsoftonline.com) would have to be bypassed to use the sandbox's token endpoint, while
 * its token cache saves little here: one token for one scope, kept below.
 *
 * The token is cached and renewed before it expires (when less than min(5 minutes, half its
 * lifetime) is left), one renewal at a time however many requests want a token; a token the org
 * answered 401 to is dropped (`invalidate`), so the next caller gets a fresh one. Tokens are never
 * logged.
 */
import * as oidc from 'openid-client';
import { WebApiErrorCode } from '../dynamics-errors.ts';
import type { CertificateCredential } from './certificate-credential.ts';
import { WebApiError } from './web-api-error.ts';

export interface TokenSource {
  /** A token valid for a while yet: the cached one, or a new one. Throws WebApiError (TOKEN_…). */
  token(signal?: AbortSignal): Promise<string>;
  /** The org refused `token` (401): forget it, so the next `token()` asks for a new one. */
  invalidate(token: string): void;
}

export type TokenCredential = { kind: 'secret'; clientSecret: string } | { kind: 'certificate'; certificate: CertificateCredential };

export interface ClientCredentialsOptions {
  /** `{authority}/{tenantId}/oauth2/v2.0/token` */
  tokenUrl: string;
  clientId: string;
  credential: TokenCredential;
  /** The org origin; the scope asked for is `{resource}/.default`. */
  resource: string;
  /** Seconds before the token request is given up (default 30). */
  timeoutSeconds?: number;
  /** Milliseconds since the epoch (default Date.now): when a token counts as expiring. */
  now?: () => number;
}

const MAX_RENEW_AHEAD_MS = 5 * 60_000;
const UNKNOWN_LIFETIME_SECONDS = 300;

interface CachedToken {
  value: string;
  renewAt: number;
}

export function createClientCredentialsTokenSource(options: ClientCredentialsOptions): TokenSource {
  const now = options.now ?? Date.now;
  const configuration = openIdConfiguration(options);
  const scope = `${new URL(options.resource).origin}/.default`;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;

  const fetchToken = async (): Promise<CachedToken> => {
    let response;
    try {
      response = await oidc.clientCredentialsGrant(configuration, { scope });
    } catch (error) {
      throw tokenError(error, options.tokenUrl);
    }
    // expires_in is optional in RFC 6749 §5.1 (Entra always sends it): without it, a short while.
    const lifetimeMs = (response.expires_in ?? UNKNOWN_LIFETIME_SECONDS) * 1000;
    return { value: response.access_token, renewAt: now() + lifetimeMs - Math.min(MAX_RENEW_AHEAD_MS, lifetimeMs / 2) };
  };

  return {
    async token(signal) {
      signal?.throwIfAborted();
      if (cached && now() < cached.renewAt) return cached.value;
      pending ??= fetchToken().then(
        (token) => {
          cached = token;
          pending = undefined;
          return token;
        },
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      // One request for everyone; a caller that gives up stops waiting, the others still get it.
      return (await untilAborted(pending, signal)).value;
    },
    invalidate(token) {
      if (cached?.value === token) cached = undefined;
    },
  };
}

function openIdConfiguration(options: ClientCredentialsOptions): oidc.Configuration {
  const server: oidc.ServerMetadata = { issuer: options.tokenUrl, token_endpoint: options.tokenUrl };
  const { credential } = options;
  const authentication =
    credential.kind === 'secret'
      ? oidc.ClientSecretPost(credential.clientSecret)
      : oidc.PrivateKeyJwt(credential.certificate.privateKey, {
          [oidc.modifyAssertion]: (header, payload) => credential.certificate.completeAssertion(header, payload, options.tokenUrl),
        });
  const configuration = new oidc.Configuration(server, options.clientId, undefined, authentication);
  configuration.timeout = options.timeoutSeconds ?? 30;
  // The configuration allows plain http only for a token endpoint on this machine (the sandbox).
  if (new URL(options.tokenUrl).protocol === 'http:') oidc.allowInsecureRequests(configuration);
  return configuration;
}

/** Entra's refusal (4xx: wrong secret, unknown app …) is final; no answer, 429 or 5xx is worth another try later. */
function tokenError(error: unknown, tokenUrl: string): WebApiError {
  const status = statusOf(error);
  const body = error instanceof oidc.ResponseBodyError ? error : undefined;
  const retryable = status === undefined || status === 429 || status >= 500;
  // Entra's error_description ends with trace and correlation ids on further lines: the first line says it.
  const description = body?.error_description?.split(/\r?\n/)[0];
  const what = body ? `${body.error}${description ? `: ${description}` : ''}` : status !== undefined ? `HTTP ${status}` : (error as Error).message;
  return new WebApiError(
    retryable ? WebApiErrorCode.TOKEN_UNAVAILABLE : WebApiErrorCode.TOKEN_REFUSED,
    `the token endpoint ${tokenUrl} ${retryable ? 'could not issue a token' : 'refused the client credentials'} (${what})`,
    { status: status ?? 0, dataverseCode: body?.error, retryable, cause: error },
  );
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof oidc.ResponseBodyError) return error.status;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Response ? cause.status : undefined;
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
