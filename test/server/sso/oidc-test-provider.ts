/**
 * A real OpenID Connect provider (oidc-provider, the certified implementation) on 127.0.0.1 for
 * the SSO tests, with its development login form: the login typed there is the account id, and
 * the account's claims come from `accounts`. Consent is granted up front (loadExistingGrant), so
 * a sign-in is: authorization request → login form → redirect back with a code.
 *
 * Two options make it behave like a provider the client must not trust, or like the big ones:
 * `idTokenTampering` has it re-sign the ID token it issues with changed claims (or a key it does
 * not publish), `openerPolicy` has it send Cross-Origin-Opener-Policy on every page.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider, { type OidcContext } from 'oidc-provider';
import { itemsAt } from '../../support/item-at.ts';

/**
 * oidc-provider always issues the ID token for the client that redeems the code, signed by its
 * own key, so a token with another audience or issuer cannot be had from it honestly: the token
 * endpoint's answer is rewritten instead, and re-signed with the provider's own published key
 * (it verifies against the JWKS the client fetches) unless `foreignKey` is set.
 */
export interface IdTokenTampering {
  /** Claims to set in the issued ID token; a claim set to `undefined` is removed. */
  claims?: Record<string, unknown>;
  /** Sign with a key the provider's JWKS does not hold, under the published key's `kid`: a forgery. */
  foreignKey?: boolean;
}

export interface TestProviderOptions {
  port: number;
  clients: { clientId: string; clientSecret: string; redirectUri: string }[];
  /** Account id (the login typed) → its ID token claims besides `sub`. */
  accounts: Record<string, Record<string, unknown>>;
  /** Off by default: the ID token is the one oidc-provider issued. */
  idTokenTampering?: IdTokenTampering;
  /**
   * `Cross-Origin-Opener-Policy` on every response, as Google's and Microsoft's sign-in pages
   * may send (`same-origin` severs `window.opener` of the popup that shows them).
   * https://html.spec.whatwg.org/multipage/browsers.html#cross-origin-opener-policies
   */
  openerPolicy?: string;
}

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

const SIGNING_KID = 'test-signing-key';

/** The Koa surface of a Provider used here (oidc-provider.d.ts declares only what the fixture needs). */
interface KoaContext {
  path: string;
  body: unknown;
  set(field: string, value: string): void;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
/** oidc-provider's `use` puts the middleware before its own routes, so `await next()` runs them. */
const use = (provider: Provider, middleware: Middleware) => (provider as unknown as { use(middleware: Middleware): void }).use(middleware);

/** An RS256 JWS in compact form (RFC 7515 §7.1); RSASSA-PKCS1-v1_5 with SHA-256 is node's default for RSA keys. */
function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function tamper(idToken: string, tampering: IdTokenTampering, key: KeyObject): string {
  const [header, payload] = itemsAt(
    idToken
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>),
    0,
    1,
  );
  const claims: Record<string, unknown> = { ...payload, ...tampering.claims };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return signJwt(header, claims, key);
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const tampering = options.idTokenTampering;
  // Our own signing key when the ID token is to be re-signed, so its private half is at hand.
  const signing = tampering && generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    ...(signing && { jwks: { keys: [{ ...signing.privateKey.export({ format: 'jwk' }), kid: SIGNING_KID, alg: 'RS256', use: 'sig' }] } }),
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
  if (tampering && signing) {
    const key = tampering.foreignKey ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : signing.privateKey;
    // Koa middleware around the provider's own; the token endpoint's body is still an object here.
    use(provider, async (ctx, next) => {
      await next();
      const body = ctx.body as { id_token?: unknown } | undefined;
      if (ctx.path === '/token' && typeof body?.id_token === 'string') body.id_token = tamper(body.id_token, tampering, key);
    });
  }
  const openerPolicy = options.openerPolicy;
  if (openerPolicy !== undefined) {
    use(provider, async (ctx, next) => {
      await next();
      ctx.set('cross-origin-opener-policy', openerPolicy);
    });
  }
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
