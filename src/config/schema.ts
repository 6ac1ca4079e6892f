/**
 * The configuration schema: every key, its type, its default and, for error messages, a
 * sentence saying what it allows. The file and the `CALLPANE_*` environment variables are both
 * validated against this one schema (see ./environment.ts for how variable names are derived).
 * Objects are strict so that a misspelt key is an error instead of a silently ignored setting.
 * Later sections (crm, sso, sandbox) are added as further top-level objects.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** What a leaf accepts, in words: the end of "… must be {allowed}". */
export const allowedValues = z.registry<{ allowed: string }>();

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function isHost(value: string): boolean {
  return isIP(value) !== 0 || HOST_NAME.test(value);
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
}

function integer(min: number, max: number, note = '') {
  return z.number().int().min(min).max(max).register(allowedValues, { allowed: `an integer from ${min} to ${max}${note}` });
}

function port() {
  return integer(0, 65535, ' (0 picks a free port)');
}

function host(what: string) {
  return z.string().refine(isHost).register(allowedValues, { allowed: what });
}

function filePath() {
  return z.string().min(1).register(allowedValues, { allowed: 'a file path' });
}

function flag() {
  return z.boolean().register(allowedValues, { allowed: 'true or false (1 or 0 in the environment)' });
}

export const SIP_TRANSPORTS = ['udp', 'tcp', 'ws', 'tls'] as const;
export type SipTransportName = (typeof SIP_TRANSPORTS)[number];

/** Digest algorithms a registrar may offer (RFC 8760); the first is the most preferred. */
export const DIGEST_ALGORITHMS = ['MD5', 'SHA-256'] as const;
export type DigestAlgorithmName = (typeof DIGEST_ALGORITHMS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).register(allowedValues, { allowed: 'a directory path' }).default('./data'),
  http: z
    .strictObject({
      host: host('an IP address or host name to listen on').default('0.0.0.0'),
      port: port().default(8080),
      publicUrl: z
        .string()
        .refine(isHttpUrl)
        .register(allowedValues, { allowed: 'an absolute http:// or https:// URL without query or fragment' })
        .optional(),
    })
    .prefault({}),
  sip: z
    .strictObject({
      host: host('an IP address or host name to listen on').default('0.0.0.0'),
      port: port().default(5060),
      tlsPort: port().default(5061),
      advertisedHost: host('an IP address or host name, without a port').optional(),
      domain: host('a host name or IP address').optional(),
      transports: z
        .array(z.enum(SIP_TRANSPORTS))
        .min(1)
        .register(allowedValues, { allowed: `a non-empty list of ${SIP_TRANSPORTS.join(', ')}` })
        .optional(),
      wsPath: z
        .string()
        .regex(/^\/[^\s?#]*$/)
        .register(allowedValues, { allowed: 'a path starting with "/" (no spaces, query or fragment)' })
        .default('/sip'),
      // MD5 alone by default: baresip 1.0 (libre) fails with ENOSYS when any challenge names
      // another algorithm, and JsSIP answers only the first challenge and knows only MD5.
      digestAlgorithms: z
        .array(z.enum(DIGEST_ALGORITHMS))
        .min(1)
        .register(allowedValues, { allowed: `a non-empty list of ${DIGEST_ALGORITHMS.join(', ')} (most preferred first)` })
        .default(['MD5']),
    })
    .prefault({}),
  tls: z
    .strictObject({
      cert: filePath().optional(),
      key: filePath().optional(),
    })
    .prefault({}),
  registrar: z
    .strictObject({
      minExpires: integer(1, 86400).default(60),
      maxExpires: integer(1, 86400).default(3600),
      defaultExpires: integer(1, 86400).default(600),
    })
    .prefault({}),
  security: z
    .strictObject({
      authFailures: z
        .strictObject({
          limit: integer(1, 1000).default(5),
          windowSeconds: integer(1, 86400).default(60),
          banSeconds: integer(1, 604800).default(300),
        })
        .prefault({}),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z
        .enum(LOG_LEVELS)
        .register(allowedValues, { allowed: `one of ${LOG_LEVELS.join(', ')}` })
        .default('info'),
      pretty: flag().default(false),
    })
    .prefault({}),
  demo: z
    .strictObject({
      seedExtensions: flag().default(true),
    })
    .prefault({}),
});

/** The schema's output: what the file and environment said, before derived values are filled in. */
export type ConfigInput = z.output<typeof configSchema>;
