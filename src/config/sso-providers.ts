/**
 * Turns the `sso.providers` entries into what the SSO routes use: an issuer for each (from the
 * Entra tenant, Google's fixed issuer, or the configured one), a label, and the client secret
 * read from the file or from the environment variable the entry names. Problems that relate one
 * field to another are reported here, each at the key to fix.
 */
import type { Environment } from './environment.ts';
import type { SsoProviderInput, SsoProviderKind } from './sso-schema.ts';

export interface SsoProvider {
  id: string;
  kind: SsoProviderKind;
  /** The button text: "Sign in with {label}". */
  label: string;
  clientId: string;
  clientSecret: string;
  /** Where discovery starts (`{issuer}/.well-known/openid-configuration`) and what `iss` must be. */
  issuer: string;
  /** Entra: the only tenant (`tid`) whose users may sign in. */
  tenantId: string | undefined;
  /** Google: the only Workspace domain (`hd`) whose users may sign in. */
  hostedDomain: string | undefined;
  /** The ID token claim holding the e-mail address that names the extension. */
  emailClaim: string;
}

/** https://developers.google.com/identity/openid-connect/openid-connect#discovery */
export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference (`iss`, v2.0 tokens) */
export function entraIssuer(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId.toLowerCase()}/v2.0`;
}

const DEFAULT_LABELS: Record<SsoProviderKind, string | undefined> = { entra: 'Microsoft', google: 'Google', oidc: undefined };

export interface SsoProblem {
  path: (string | number)[];
  message: string;
}

export function resolveSsoProviders(inputs: readonly SsoProviderInput[], env: Environment): { providers: SsoProvider[]; problems: SsoProblem[] } {
  const problems: SsoProblem[] = [];
  const providers: SsoProvider[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const at = (key: string) => ['sso', 'providers', index, key];
    const problem = (key: string, message: string) => problems.push({ path: at(key), message });
    if (seen.has(input.id)) problem('id', 'is used by an earlier provider: ids must be unique');
    seen.add(input.id);

    if (input.kind !== 'entra' && input.tenantId !== undefined) problem('tenantId', 'applies only to kind entra');
    if (input.kind !== 'google' && input.hostedDomain !== undefined) problem('hostedDomain', 'applies only to kind google');
    if (input.kind !== 'oidc' && input.issuer !== undefined) problem('issuer', `is fixed for kind ${input.kind}: remove it`);
    let issuer: string | undefined;
    if (input.kind === 'entra') {
      if (input.tenantId === undefined) problem('tenantId', 'is required for kind entra: the directory (tenant) id from the Entra admin center');
      else issuer = entraIssuer(input.tenantId);
    } else if (input.kind === 'google') {
      if (input.hostedDomain === undefined) problem('hostedDomain', 'is required for kind google: the Workspace domain whose users may sign in');
      issuer = GOOGLE_ISSUER;
    } else if (input.issuer === undefined) {
      problem('issuer', 'is required for kind oidc: the issuer URL of the identity provider');
    } else {
      issuer = input.issuer.replace(/\/+$/, '');
    }

    let clientSecret = input.clientSecret;
    if (input.clientSecret !== undefined && input.clientSecretEnv !== undefined) {
      problem('clientSecretEnv', 'is set together with clientSecret: keep one');
    } else if (input.clientSecretEnv !== undefined) {
      clientSecret = env[input.clientSecretEnv] || undefined;
      if (clientSecret === undefined) problem('clientSecretEnv', `names ${input.clientSecretEnv}, which is not set or empty`);
    } else if (input.clientSecret === undefined) {
      problem('clientSecret', 'is required (or clientSecretEnv naming a variable that holds it)');
    }

    if (issuer === undefined || clientSecret === undefined) return;
    providers.push({
      id: input.id,
      kind: input.kind,
      label: input.label ?? DEFAULT_LABELS[input.kind] ?? input.id,
      clientId: input.clientId,
      clientSecret,
      issuer,
      tenantId: input.tenantId?.toLowerCase(),
      hostedDomain: input.hostedDomain?.toLowerCase(),
      emailClaim: input.emailClaim,
    });
  });
  return { providers, problems };
}
