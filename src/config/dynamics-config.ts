/**
 * The `dynamics` section: how Callpane itself reaches a Dynamics 365 org's Dataverse Web API
 * (server-to-server, src/dynamics/): the org, the Entra ID tenant and the app registration whose
 * application user it acts as, with a client secret (in the file, or in an environment variable
 * the section names, as sso providers do) or a certificate (a signed client assertion, RFC 7523;
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials). The connection
 * keys go together: all of them or none (no server-side path; the journal and the phone index
 * then stay idle). The limits follow Dataverse's service protection: at most 52 concurrent
 * requests per user (https://learn.microsoft.com/power-apps/developer/data-platform/api-limits)
 * and at most 5000 rows a page.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Environment } from './environment.ts';

/** Dataverse's service protection limit of concurrent requests per user. */
export const MAX_CONCURRENT_REQUESTS = 52;
/** Dataverse returns at most 5000 rows a page (`Prefer: odata.maxpagesize` above it is capped). */
export const MAX_PAGE_SIZE = 5000;
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** A server on this machine (the sandbox, a test double) may speak plain HTTP, as in ./sso-schema.ts. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on loopback; no query or fragment; `originOnly`: no path either. */
function isServiceUrl(value: string, originOnly: boolean): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  const path = url.pathname.replace(/\/+$/, '');
  return secure && url.search === '' && url.hash === '' && url.username === '' && url.password === '' && (!originOnly || path === '');
}

export interface DynamicsSchemaHelpers {
  /** The registry the configuration's error messages read "must be …" from. */
  allowed: z.core.$ZodRegistry<{ allowed: string }>;
}

export function dynamicsSchema({ allowed }: DynamicsSchemaHelpers) {
  const integer = (min: number, max: number, note: string) =>
    z
      .number()
      .int()
      .min(min)
      .max(max)
      .register(allowed, { allowed: `an integer from ${min} to ${max}${note}` });
  const file = () => z.string().min(1).register(allowed, { allowed: 'a file path' });
  const flag = () => z.boolean().register(allowed, { allowed: 'true or false (1 or 0 in the environment)' });
  return z
    .strictObject({
      url: z
        .string()
        .refine((value) => isServiceUrl(value, true))
        .register(allowed, { allowed: 'the org URL such as https://contoso.crm.dynamics.com, without a path (http:// only on this machine: localhost, 127.0.0.1, [::1])' })
        .optional(),
      tenantId: z.string().regex(GUID).register(allowed, { allowed: 'the Entra directory (tenant) id, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47' }).optional(),
      authority: z
        .string()
        .refine((value) => isServiceUrl(value, false))
        .register(allowed, { allowed: 'the https:// Entra ID sign-in host such as https://login.microsoftonline.com (http:// only on this machine)' })
        .default(DEFAULT_AUTHORITY),
      clientId: z.string().regex(GUID).register(allowed, { allowed: "the app registration's application (client) id, a GUID" }).optional(),
      clientSecret: z.string().min(1).max(1024).register(allowed, { allowed: 'the client secret value (or name a variable in clientSecretEnv, or use certificate)' }).optional(),
      clientSecretEnv: z.string().regex(ENV_NAME).register(allowed, { allowed: 'the name of an environment variable holding the client secret' }).optional(),
      certificate: z
        .strictObject({ cert: file(), key: file() })
        .register(allowed, { allowed: 'an object {"cert", "key"}: the PEM certificate registered with the app and its private key' })
        .optional(),
      maxConcurrentRequests: integer(1, MAX_CONCURRENT_REQUESTS, ` (Dataverse allows ${MAX_CONCURRENT_REQUESTS} concurrent requests per user; default 16)`).default(16),
      requestTimeoutSeconds: integer(1, 300, ' (default 30)').default(30),
      journal: z
        .strictObject({
          enabled: flag().default(true),
          graceSeconds: integer(0, 86400, ' (how long a pane has to journal a call itself; default 120)').default(120),
        })
        .prefault({}),
      phoneIndex: z
        .strictObject({
          enabled: flag().default(true),
          syncIntervalSeconds: integer(5, 86400, ' (default 60)').default(60),
          pageSize: integer(1, MAX_PAGE_SIZE, ` (rows a page; Dataverse returns at most ${MAX_PAGE_SIZE}; default ${MAX_PAGE_SIZE})`).default(MAX_PAGE_SIZE),
        })
        .prefault({}),
    })
    .prefault({});
}

export type DynamicsInput = z.output<ReturnType<typeof dynamicsSchema>>;

/** How the app proves who it is to Entra ID: a secret, or a certificate's key signing an assertion. */
export type DynamicsCredential =
  | { kind: 'secret'; clientSecret: string }
  /** Absolute paths of the PEM certificate and its (RSA) private key. */
  | { kind: 'certificate'; cert: string; key: string };

export interface DynamicsConnection {
  /** The org origin, e.g. https://contoso.crm.dynamics.com (no trailing slash). */
  url: string;
  tenantId: string;
  /** `{authority}/{tenantId}/oauth2/v2.0/token` */
  tokenUrl: string;
  clientId: string;
  credential: DynamicsCredential;
}

export interface DynamicsConfig {
  /** Undefined: no org configured (the demo may still connect Callpane to its sandbox). */
  connection: DynamicsConnection | undefined;
  maxConcurrentRequests: number;
  requestTimeoutSeconds: number;
  journal: { enabled: boolean; graceSeconds: number };
  phoneIndex: { enabled: boolean; syncIntervalSeconds: number; pageSize: number };
}

export interface DynamicsProblem {
  path: string[];
  message: string;
}

/** https://learn.microsoft.com/entra/identity-platform/v2-oauth-client-creds-grant-flow#get-a-token */
export function entraTokenUrl(authority: string, tenantId: string): string {
  return `${authority.replace(/\/+$/, '')}/${tenantId}/oauth2/v2.0/token`;
}

/**
 * The section with the connection put together: the secret read from the file or the variable it
 * names, the certificate's files checked (readable, a PEM certificate and the RSA key that
 * matches it: Entra wants PS256, an RSA signature). `known` as in ./ice-config.ts.
 */
export function resolveDynamicsConfig(
  input: DynamicsInput,
  env: Environment,
  cwd: string,
  known: (...keys: string[]) => boolean,
): { dynamics: DynamicsConfig; problems: DynamicsProblem[] } {
  const problems: DynamicsProblem[] = [];
  const problem = (message: string, ...keys: string[]) => problems.push({ path: ['dynamics', ...keys], message });
  const { url, tenantId, clientId, clientSecret, clientSecretEnv, certificate } = input;
  const settings = {
    maxConcurrentRequests: input.maxConcurrentRequests,
    requestTimeoutSeconds: input.requestTimeoutSeconds,
    journal: { ...input.journal },
    phoneIndex: { ...input.phoneIndex },
  };
  const connectionKeys = ['dynamics.url', 'dynamics.tenantId', 'dynamics.clientId', 'dynamics.clientSecret', 'dynamics.clientSecretEnv', 'dynamics.certificate'];
  const anySet = [url, tenantId, clientId, clientSecret, clientSecretEnv, certificate].some((value) => value !== undefined);
  if (!anySet || !known(...connectionKeys)) return { dynamics: { connection: undefined, ...settings }, problems };

  const first = url !== undefined ? 'dynamics.url' : tenantId !== undefined ? 'dynamics.tenantId' : clientId !== undefined ? 'dynamics.clientId' : 'a credential';
  const need = `is required with ${first}: the connection keys url, tenantId, clientId and a credential (clientSecret, clientSecretEnv or certificate) go together`;
  if (url === undefined) problem(`${need}; the org URL such as https://contoso.crm.dynamics.com`, 'url');
  if (tenantId === undefined) problem(`${need}; the Entra directory (tenant) id`, 'tenantId');
  if (clientId === undefined) problem(`${need}; the app registration's application (client) id`, 'clientId');

  let credential: DynamicsCredential | undefined;
  const secrets = [clientSecret, clientSecretEnv].filter((value) => value !== undefined).length;
  if (secrets === 2) {
    problem('is set together with dynamics.clientSecret: keep one', 'clientSecretEnv');
  } else if (secrets === 1 && certificate !== undefined) {
    problem(`is set together with dynamics.${clientSecret !== undefined ? 'clientSecret' : 'clientSecretEnv'}: keep one credential`, 'certificate');
  } else if (clientSecretEnv !== undefined) {
    const value = env[clientSecretEnv] || undefined;
    if (value === undefined) problem(`names ${clientSecretEnv}, which is not set or empty`, 'clientSecretEnv');
    else credential = { kind: 'secret', clientSecret: value };
  } else if (clientSecret !== undefined) {
    credential = { kind: 'secret', clientSecret };
  } else if (certificate !== undefined) {
    const paths = { cert: resolve(cwd, certificate.cert), key: resolve(cwd, certificate.key) };
    const failure = certificateProblem(paths.cert, paths.key);
    if (failure) problem(failure.message, 'certificate', failure.key);
    else credential = { kind: 'certificate', ...paths };
  } else {
    problem(`${need}; a client secret (or clientSecretEnv naming a variable that holds it, or certificate)`, 'clientSecret');
  }

  if (url === undefined || tenantId === undefined || clientId === undefined || credential === undefined) return { dynamics: { connection: undefined, ...settings }, problems };
  const connection: DynamicsConnection = {
    url: new URL(url).origin,
    tenantId: tenantId.toLowerCase(),
    tokenUrl: entraTokenUrl(input.authority, tenantId.toLowerCase()),
    clientId: clientId.toLowerCase(),
    credential,
  };
  return { dynamics: { connection, ...settings }, problems };
}

/** Why the certificate files cannot sign an assertion Entra accepts, at the key to fix. */
function certificateProblem(certPath: string, keyPath: string): { key: 'cert' | 'key'; message: string } | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      return new Error(`must be a readable file (${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  };
  const certText = read(certPath);
  if (certText instanceof Error) return { key: 'cert', message: certText.message };
  const keyText = read(keyPath);
  if (keyText instanceof Error) return { key: 'key', message: keyText.message };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certText);
  } catch {
    return { key: 'cert', message: `must be a PEM certificate (${certPath} is not one)` };
  }
  let key;
  try {
    key = createPrivateKey(keyText);
  } catch {
    return { key: 'key', message: `must be a PEM private key, not encrypted (${keyPath} is not one)` };
  }
  if (key.asymmetricKeyType !== 'rsa')
    return { key: 'key', message: `must be an RSA key: Entra ID verifies the assertion's PS256 signature (${keyPath} holds a ${key.asymmetricKeyType} key)` };
  if (!certificate.checkPrivateKey(key)) return { key: 'key', message: `must be the private key of dynamics.certificate.cert (${keyPath} does not match ${certPath})` };
  return undefined;
}
