/**
 * The `sso` section: OpenID Connect identity providers agents may sign in with (issue 6 §1).
 * Presets for Microsoft Entra ID (the tenant id names the issuer) and Google Workspace (an
 * allowed hosted domain), plus any issuer with a discovery document. A list of objects, so it
 * comes from the configuration file only; the client secret may instead come from an environment
 * variable the entry names (`clientSecretEnv`), so the file itself need not hold it.
 */
import { z } from 'zod';
import { SSO_PROVIDER_KINDS } from '../contract/sso.ts';

// The kinds are the pane's too (its sign-in buttons), so the contract names them.
export { SSO_PROVIDER_KINDS, type SsoProviderKind } from '../contract/sso.ts';

/** An id goes into `?provider=` and log lines: short and URL-safe. */
const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
/**
 * Entra tenant: the directory (tenant) id, a GUID. Not a domain name: discovery answers with the
 * GUID in the issuer, which would then not match; and never `common`/`organizations`, which
 * have no single issuer and would let any tenant in.
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
 */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const CLAIM_NAME = /^[A-Za-z0-9_:./-]{1,64}$/;

/** An identity provider on this machine (a development or test one) may speak plain HTTP, as loopback redirect URIs may (RFC 8252 §7.3). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isIssuerUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  return secure && url.search === '' && url.hash === '';
}

export interface SsoSchemaHelpers {
  /** The registry the configuration's error messages read "must be …" from. */
  allowed: z.core.$ZodRegistry<{ allowed: string }>;
}

export function ssoSchema({ allowed }: SsoSchemaHelpers) {
  const provider = z.strictObject({
    id: z.string().regex(PROVIDER_ID).register(allowed, { allowed: 'an id of 1 to 32 characters a-z, 0-9 and - (not first), such as entra' }),
    kind: z.enum(SSO_PROVIDER_KINDS).register(allowed, { allowed: `one of ${SSO_PROVIDER_KINDS.join(', ')}` }),
    label: z.string().trim().min(1).max(64).register(allowed, { allowed: 'a button label of 1 to 64 characters' }).optional(),
    clientId: z.string().min(1).max(256).register(allowed, { allowed: 'the client (application) id registered at the identity provider' }),
    clientSecret: z.string().min(1).max(1024).register(allowed, { allowed: 'the client secret (or name a variable in clientSecretEnv)' }).optional(),
    clientSecretEnv: z.string().regex(ENV_NAME).register(allowed, { allowed: 'the name of an environment variable holding the client secret' }).optional(),
    tenantId: z.string().regex(TENANT_ID).register(allowed, { allowed: 'the Entra directory (tenant) id, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47' }).optional(),
    hostedDomain: z.string().regex(DOMAIN).register(allowed, { allowed: 'a Google Workspace domain such as example.com' }).optional(),
    issuer: z
      .string()
      .refine(isIssuerUrl)
      .register(allowed, {
        allowed:
          'the https:// issuer URL, whose /.well-known/openid-configuration is the discovery document (http:// only for an issuer on this machine: localhost, 127.0.0.1, [::1])',
      })
      .optional(),
    emailClaim: z.string().regex(CLAIM_NAME).register(allowed, { allowed: 'the name of the ID token claim holding the e-mail address' }).default('email'),
  });
  return z
    .strictObject({
      providers: z.array(provider).register(allowed, { allowed: 'a list of identity providers {"id", "kind", "clientId", …} (see docs/sso.md)' }).default([]),
    })
    .prefault({});
}

export type SsoProviderInput = z.output<ReturnType<typeof ssoSchema>>['providers'][number];
