/**
 * A real OpenID Connect provider (oidc-provider, the certified implementation) on 127.0.0.1 for
 * the SSO tests, with its development login form: the login typed there is the account id, and
 * the account's claims come from `accounts`. Consent is granted up front (loadExistingGrant), so
 * a sign-in is: authorization request → login form → redirect back with a code.
 */
import { createServer, type Server } from 'node:http';
import Provider, { type OidcContext } from 'oidc-provider';

export interface TestProviderOptions {
  port: number;
  clients: { clientId: string; clientSecret: string; redirectUri: string }[];
  /** Account id (the login typed) → its ID token claims besides `sub`. */
  accounts: Record<string, Record<string, unknown>>;
}

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [client.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    async findAccount(_ctx: unknown, sub: string) {
      const claims = options.accounts[sub];
      return claims && { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    // tid (Entra) and hd (Google) travel with the openid scope, as those providers send them.
    claims: { openid: ['sub', 'tid', 'hd'], email: ['email', 'email_verified'], profile: ['name'] },
    // Scope claims in the ID token itself, as Entra and Google put them there.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    // Every lifetime set, so the provider does not warn about its defaults in the test output.
    ttl: { IdToken: 3600, AccessToken: 600, Interaction: 600, Grant: 600, Session: 600 },
    async loadExistingGrant(ctx: OidcContext) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
