/**
 * The Web API client for the configured org (src/config/dynamics-config.ts): its token source
 * with the configured credential, the org's limits. The certificate's files are read here, once;
 * the configuration checked when it loaded that they hold a matching RSA pair.
 */
import { readFileSync } from 'node:fs';
import type { DynamicsConfig, DynamicsConnection } from '../../config/dynamics-config.ts';
import type { StructuredLogger } from '../../logging/structured-logger.ts';
import { loadCertificateCredential } from './certificate-credential.ts';
import { createClientCredentialsTokenSource, type TokenCredential, type TokenSource } from './token-source.ts';
import { createWebApiClient, type WebApiClient, type WebApiClientOptions } from './web-api-client.ts';

export async function tokenSourceFor(connection: DynamicsConnection, settings: Pick<DynamicsConfig, 'requestTimeoutSeconds'>): Promise<TokenSource> {
  const { credential } = connection;
  const tokenCredential: TokenCredential =
    credential.kind === 'secret'
      ? credential
      : { kind: 'certificate', certificate: await loadCertificateCredential(readFileSync(credential.cert, 'utf8'), readFileSync(credential.key, 'utf8')) };
  return createClientCredentialsTokenSource({
    tokenUrl: connection.tokenUrl,
    clientId: connection.clientId,
    credential: tokenCredential,
    resource: connection.url,
    timeoutSeconds: settings.requestTimeoutSeconds,
  });
}

/** `overrides`: for tests (sleep, random, retry policy). */
export async function connectWebApi(
  connection: DynamicsConnection,
  settings: Pick<DynamicsConfig, 'maxConcurrentRequests' | 'requestTimeoutSeconds'>,
  logger: StructuredLogger,
  overrides: Partial<WebApiClientOptions> = {},
): Promise<WebApiClient> {
  return createWebApiClient({
    orgUrl: connection.url,
    tokens: await tokenSourceFor(connection, settings),
    maxConcurrentRequests: settings.maxConcurrentRequests,
    requestTimeoutMs: settings.requestTimeoutSeconds * 1000,
    logger: logger.child({ component: 'dynamics' }),
    ...overrides,
  });
}
