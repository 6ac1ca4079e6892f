/** The sandbox org with a Web API client and token source signed in as APP's application user. */
import type { DynamicsConnection } from '../../../src/config/dynamics-config.ts';
import { createClientCredentialsTokenSource, type TokenSource } from '../../../src/dynamics/web-api/token-source.ts';
import { createWebApiClient, type WebApiClient } from '../../../src/dynamics/web-api/web-api-client.ts';
import { SANDBOX_TENANT_ID } from '../../../src/sandbox/dataverse/index.ts';
import { APP, recordingLogger, startSandboxOrg, type SandboxOrg, type SandboxOrgOptions } from '../web-api/sandbox-org.ts';

export interface SetupFixture {
  org: SandboxOrg;
  connection: DynamicsConnection;
  tokens: TokenSource;
  client: WebApiClient;
  close(): Promise<void>;
}

export async function startSetupFixture(options: SandboxOrgOptions & { clientSecret?: string } = {}): Promise<SetupFixture> {
  const org = await startSandboxOrg(options);
  const connection: DynamicsConnection = {
    url: org.origin,
    tenantId: SANDBOX_TENANT_ID,
    tokenUrl: org.tokenUrl,
    clientId: APP.clientId,
    credential: { kind: 'secret', clientSecret: options.clientSecret ?? APP.clientSecret },
  };
  const clientSecret = options.clientSecret ?? APP.clientSecret;
  const tokens = createClientCredentialsTokenSource({ tokenUrl: org.tokenUrl, clientId: APP.clientId, credential: { kind: 'secret', clientSecret }, resource: org.origin });
  const client = createWebApiClient({ orgUrl: org.origin, tokens, maxConcurrentRequests: 4, requestTimeoutMs: 5000, logger: recordingLogger(), sleep: async () => {} });
  return {
    org,
    connection,
    tokens,
    client,
    async close() {
      client.close();
      await org.close();
    },
  };
}
