/**
 * One openid-client Configuration per provider, from its discovery document, made at the first
 * sign-in and kept; a failed discovery is forgotten so the next sign-in tries again.
 * https://github.com/panva/openid-client (v6)
 */
import * as oidc from 'openid-client';
import type { SsoProvider } from '../../config/sso-providers.ts';

export interface OidcClientOptions {
  /** Seconds to add to this machine's clock when judging token times (tests move time with it). */
  clockSkewSeconds?: number;
}

export class OidcClients {
  readonly #clients = new Map<string, Promise<oidc.Configuration>>();
  readonly #options: OidcClientOptions;

  constructor(options: OidcClientOptions = {}) {
    this.#options = options;
  }

  get(provider: SsoProvider): Promise<oidc.Configuration> {
    let client = this.#clients.get(provider.id);
    if (!client) {
      client = this.#discover(provider);
      this.#clients.set(provider.id, client);
      client.catch(() => this.#clients.delete(provider.id));
    }
    return client;
  }

  async #discover(provider: SsoProvider): Promise<oidc.Configuration> {
    // enableNonRepudiationChecks: openid-client skips the ID token's signature when it comes
    // straight from the token endpoint over TLS (OIDC Core §3.1.3.7 rule 6 allows that); we check
    // it anyway against the provider's published keys (jwks_uri), as issue 6 asks. Entra and
    // Google publish theirs.
    // Plain HTTP only for an issuer on this machine: the configuration allows nothing else (sso-schema.ts).
    const local = new URL(provider.issuer).protocol === 'http:';
    const execute = [...(local ? [oidc.allowInsecureRequests] : []), oidc.enableNonRepudiationChecks];
    const metadata: Partial<oidc.ClientMetadata> = { client_id: provider.clientId, [oidc.clockSkew]: this.#options.clockSkewSeconds ?? 0 };
    return oidc.discovery(new URL(provider.issuer), provider.clientId, metadata, oidc.ClientSecretPost(provider.clientSecret), { execute });
  }
}
