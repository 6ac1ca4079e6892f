/**
 * The configuration schema: every key, its type, its default and, for error messages, a
 * sentence saying what it allows. The file and the `CALLPANE_*` environment variables are both
 * validated against this one schema (see ./environment.ts for how variable names are derived).
 * Objects are strict so that a misspelt key is an error instead of a silently ignored setting.
 * Later sections (crm, sso, sandbox) are added as further top-level objects.
 * `trunks` and `routes` are lists and maps of objects: they come from the file only (see
 * load-config.ts); rules that relate one entry to another (unique names, routes naming trunks,
 * shadowed patterns) are checked after this schema, in src/pbx/routing/routing-problems.ts.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { isCountryCode } from '../crm/numbers/phone-number.ts';
import { formatIpAddress, parseCidr } from '../net/cidr.ts';
import { dialPatternProblem } from '../pbx/routing/dial-pattern.ts';
import { DEFAULT_REGISTER_EXPIRES, TRUNK_TRANSPORTS } from '../pbx/routing/trunk.ts';
import { DYNAMICS_ORIGIN_PATTERNS, parseOriginPattern } from '../server/pane/crm-origin.ts';
import { DEFAULT_FIRST_REQUEST_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT } from '../sip/transport/websocket-transport.ts';
import { parseNgAddress } from '../media/ng-address.ts';
import { EXTENSION_NUMBER } from '../crm/numbers/extension-number.ts';
import { iceSchema } from './ice-config.ts';
import { ssoSchema } from './sso-schema.ts';
import { dynamicsSchema } from './dynamics-config.ts';
import { MEDIA_PROFILES } from '../media/media-relay.ts';

/** What a leaf accepts, in words: the end of "… must be {allowed}". */
export const allowedValues = z.registry<{ allowed: string }>();

/** A custom issue's `params`: why this particular value is refused, said after what is allowed. */
export interface IssueDetail {
  detail: string;
}

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
  return z
    .number()
    .int()
    .min(min)
    .max(max)
    .register(allowedValues, { allowed: `an integer from ${min} to ${max}${note}` });
}

function port() {
  return integer(0, 65535, ' (0 picks a free port)');
}

function host(what: string) {
  return z.string().refine(isHost).register(allowedValues, { allowed: what });
}

function ipAddress(what: string) {
  return z
    .string()
    .refine((value) => isIP(value) !== 0 && value !== '0.0.0.0' && value !== '::')
    .register(allowedValues, { allowed: what });
}

function filePath() {
  return z.string().min(1).register(allowedValues, { allowed: 'a file path' });
}

function flag() {
  return z.boolean().register(allowedValues, { allowed: 'true or false (1 or 0 in the environment)' });
}

/** A string schema that also runs `problemOf`, whose answer becomes the issue's detail. */
function explained(schema: z.ZodString, problemOf: (value: string) => string | undefined) {
  return schema.superRefine((value, ctx) => {
    const detail = problemOf(value);
    if (detail !== undefined) ctx.addIssue({ code: 'custom', message: detail, params: { detail } satisfies IssueDetail });
  });
}

function originPatternProblem(value: string): string | undefined {
  try {
    parseOriginPattern(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * A reverse proxy whose X-Forwarded-For is believed: an address or CIDR block, written back in the
 * plain form Fastify's proxy-addr reads (an IPv4-mapped `::ffff:a.b.c.d/120` as `a.b.c.d/24`).
 * A block of prefix 0 is every address, which is `true` by another name and refused with it.
 */
function trustedProxyProblem(value: string): string | undefined {
  const { cidr, problem } = parseCidr(value);
  if (problem !== undefined) return `${JSON.stringify(value)} ${problem}`;
  if (cidr.prefix === 0) return `${JSON.stringify(value)} is every address: anyone's X-Forwarded-For would be believed`;
  // Wider than any private range (10.0.0.0/8, fc00::/7): a few such blocks cover everyone too.
  const widest = cidr.bytes.length === 4 ? 8 : 7;
  if (cidr.prefix < widest) return `${JSON.stringify(value)} is wider than /${widest}: list the proxies' own addresses or network`;
  return undefined;
}

function trustedProxy() {
  return explained(z.string(), trustedProxyProblem).transform((value) => {
    const { cidr } = parseCidr(value);
    if (cidr === undefined) return value;
    return cidr.prefix === cidr.bytes.length * 8 ? formatIpAddress(cidr) : `${formatIpAddress(cidr)}/${cidr.prefix}`;
  });
}

function extensionNumber() {
  return z.string().regex(EXTENSION_NUMBER).register(allowedValues, { allowed: 'an extension number (2 to 10 digits)' });
}

/** A number as it goes on the wire: digits, * and #, with an optional leading + (see src/crm/numbers/dial-string.ts). */
function callerId() {
  return z
    .string()
    .regex(/^\+?[0-9*#]{1,32}$/)
    .register(allowedValues, { allowed: 'a number of digits, * and # with an optional leading +, such as +4930123456' });
}

function dialPattern(example: string) {
  return explained(z.string(), dialPatternProblem).register(allowedValues, {
    allowed: `a number such as ${example} or a dial pattern starting with _ (see docs/pbx-trunks.md)`,
  });
}

const TRUNK_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Not all digits: an all-digit digest username is an extension's, and would be ambiguous. */
const TRUNK_USERNAME = /^(?!\d+$)[A-Za-z0-9._@-]{1,64}$/;

function secret() {
  return z.string().min(1).max(256).register(allowedValues, { allowed: 'a non-empty string of at most 256 characters' });
}

const trunkSchema = z.strictObject({
  name: z.string().regex(TRUNK_NAME).register(allowedValues, { allowed: 'a name of 1 to 63 characters a-z, 0-9 and - (not first)' }),
  host: host('an IP address or host name of the peer, without a port').optional(),
  port: integer(1, 65535, ' (default 5060, 5061 for tls)').optional(),
  transport: z
    .enum(TRUNK_TRANSPORTS)
    .register(allowedValues, { allowed: `one of ${TRUNK_TRANSPORTS.join(', ')}` })
    .default('udp'),
  match: z
    .strictObject({
      addresses: z
        .array(
          explained(z.string(), (value) => parseCidr(value).problem).register(allowedValues, {
            allowed: 'an IP address or CIDR block such as 192.0.2.10, 192.0.2.0/24 or 2001:db8::/32',
          }),
        )
        .min(1)
        .register(allowedValues, { allowed: 'a non-empty list of IP addresses or CIDR blocks' })
        .optional(),
      username: z
        .string()
        .regex(TRUNK_USERNAME)
        .register(allowedValues, { allowed: '1 to 64 characters A-Z, a-z, 0-9, ., _, @ and -, not all digits (those are extension numbers)' })
        .optional(),
      password: secret().optional(),
    })
    .default({}),
  outbound: z
    .strictObject({
      username: z.string().min(1).max(128).register(allowedValues, { allowed: 'a non-empty string of at most 128 characters' }),
      password: secret(),
      fromDomain: host('a host name or IP address').optional(),
      callerId: callerId().optional(),
    })
    .optional(),
  country: z.string().refine(isCountryCode).register(allowedValues, { allowed: 'an ISO 3166-1 alpha-2 country code in capitals, such as US or DE' }).optional(),
  maxCalls: integer(1, 100000).optional(),
  media: z.enum(MEDIA_PROFILES).register(allowedValues, { allowed: 'one of rtp (plain RTP, the default), srtp (SDES-SRTP, RFC 4568) or webrtc (ICE and DTLS-SRTP)' }).optional(),
  register: z
    .strictObject({
      expires: integer(60, 86400, ' seconds (default 300)').default(DEFAULT_REGISTER_EXPIRES),
      user: z.string().min(1).max(128).register(allowedValues, { allowed: 'a non-empty string of at most 128 characters' }).optional(),
    })
    .register(allowedValues, { allowed: 'an object {"expires"?, "user"?} (see docs/pbx-trunks.md), {} for the defaults' })
    .optional(),
});

const routesSchema = z.strictObject({
  inbound: z
    .array(z.strictObject({ did: dialPattern('+493012345600'), extension: extensionNumber() }))
    .register(allowedValues, { allowed: 'a list of inbound routes {"did", "extension"}' })
    .default([]),
  outbound: z
    .array(
      z.strictObject({
        pattern: dialPattern('911'),
        trunk: z.string().register(allowedValues, { allowed: 'the name of a configured trunk' }),
        strip: integer(0, 32).optional(),
        prepend: z
          .string()
          .regex(/^\+?[0-9*#]{0,32}$/)
          .register(allowedValues, { allowed: 'digits, * and # with an optional leading +' })
          .optional(),
        callerId: callerId().optional(),
      }),
    )
    .register(allowedValues, { allowed: 'a list of outbound routes {"pattern", "trunk", "strip", "prepend", "callerId"}' })
    .default([]),
  callerIds: z
    .record(extensionNumber(), callerId())
    .register(allowedValues, { allowed: 'an object from extension numbers to caller ids, such as {"1001": "+4930123456"}' })
    .default({}),
});

export const SIP_TRANSPORTS = ['udp', 'tcp', 'ws', 'tls'] as const;
export type SipTransportName = (typeof SIP_TRANSPORTS)[number];

/** Digest algorithms a registrar may offer (RFC 8760); the first is the most preferred. */
export const DIGEST_ALGORITHMS = ['MD5', 'SHA-256'] as const;
export type DigestAlgorithmName = (typeof DIGEST_ALGORITHMS)[number];

/** `always`: every call's media is anchored in rtpengine; `never`: media goes end to end, as before. */
export const MEDIA_RELAY_POLICIES = ['always', 'never'] as const;
export type MediaRelayPolicy = (typeof MEDIA_RELAY_POLICIES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).register(allowedValues, { allowed: 'a directory path' }).default('./data'),
  http: z
    .strictObject({
      host: host('an IP address or host name to listen on').default('0.0.0.0'),
      port: port().default(8080),
      publicUrl: z.string().refine(isHttpUrl).register(allowedValues, { allowed: 'an absolute http:// or https:// URL without query or fragment' }).optional(),
      // The reverse proxies in front of Callpane, so that sign-in limits and audit lines see the
      // client's address (X-Forwarded-For) instead of the proxy's. Never `true` (trust every peer):
      // then any client could write its own X-Forwarded-For, take a fresh address for every
      // attempt and so escape the per-address sign-in limit, and put any address in the audit log.
      trustProxy: z
        .union([z.literal(false), z.array(trustedProxy()).min(1)])
        .register(allowedValues, {
          allowed:
            "false, or a non-empty list of the reverse proxies' IP addresses or CIDR blocks such as 127.0.0.1, 10.0.0.0/8 or fd00::/8 (never true: anyone could then forge X-Forwarded-For)",
        })
        .default(false),
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
      // A WebSocket that has sent no SIP request this long after its handshake is closed, and one
      // address (an IPv6 /64; behind http.trustProxy the client's) holds at most so many: the
      // reasons for both defaults are in src/sip/transport/websocket-transport.ts.
      wsFirstRequestSeconds: integer(1, 300).default(DEFAULT_FIRST_REQUEST_TIMEOUT_MS / 1000),
      wsMaxConnectionsPerAddress: integer(1, 1_000_000).default(DEFAULT_MAX_CONNECTIONS_PER_CLIENT),
      // MD5 alone by default: baresip 1.0 (libre) fails with ENOSYS when any challenge names
      // another algorithm, and JsSIP answers only the first challenge and knows only MD5.
      digestAlgorithms: z
        .array(z.enum(DIGEST_ALGORITHMS))
        .min(1)
        .register(allowedValues, { allowed: `a non-empty list of ${DIGEST_ALGORITHMS.join(', ')} (most preferred first)` })
        .default(['MD5']),
    })
    .prefault({}),
  // Where call media goes (src/media/): through rtpengine, which Callpane runs itself unless
  // media.rtpengine.engines names engines run elsewhere.
  media: z
    .strictObject({
      relay: z
        .enum(MEDIA_RELAY_POLICIES)
        .register(allowedValues, { allowed: "always (every call's media goes through rtpengine) or never (end to end: browser to browser on one network only)" })
        .default('always'),
      rtpengine: z
        .strictObject({
          // Empty: Callpane runs rtpengine itself (managed) with the keys below.
          engines: z
            .array(
              explained(z.string(), (value) => parseNgAddress(value).problem).register(allowedValues, {
                allowed: 'the ng address host:port of an rtpengine, such as 127.0.0.1:2223 or [2001:db8::5]:2223',
              }),
            )
            .register(allowedValues, { allowed: 'a list of ng addresses host:port of rtpengines run elsewhere, such as ["10.0.0.5:2223"] (empty: Callpane runs its own)' })
            .default([]),
          binary: filePath().default('rtpengine'),
          address: ipAddress('an IP address of this machine for RTP, not 0.0.0.0').optional(),
          publicAddress: ipAddress('the public IP address this machine is reached at (1:1 NAT)').optional(),
          portMin: integer(1024, 65535).default(20000),
          portMax: integer(1024, 65535).default(29999),
          // Not 2223-2225: the Debian service's ng, CLI and HTTP ports; rtpengine binds its ng port
          // with SO_REUSEPORT, so two engines on one port would silently share its requests.
          ngPort: port().default(2230),
        })
        .prefault({}),
      // The pane's STUN and TURN servers (./ice-config.ts).
      ice: iceSchema({ allowed: allowedValues }),
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
      // Unset: follows sandbox.enabled (load-config.ts), so a production configuration (sandbox
      // off) never gets extensions 1001 and 1002 with generated secrets.
      seedExtensions: flag().optional(),
    })
    .prefault({}),
  // Dynamics 365 as the pane sees it: which orgs may frame it (the Channel URL's base) and the
  // region national phone numbers are read in.
  crm: z
    .strictObject({
      allowedOrigins: z
        .array(
          explained(z.string(), originPatternProblem).register(allowedValues, {
            allowed: 'an origin pattern such as https://*.crm.dynamics.com or http://127.0.0.1:8081',
          }),
        )
        .min(1)
        .register(allowedValues, {
          allowed: 'a non-empty list of origin patterns such as https://*.crm.dynamics.com (* is one host label) or http://127.0.0.1:8081',
        })
        .default([...DYNAMICS_ORIGIN_PATTERNS]),
      defaultRegion: z.string().refine(isCountryCode).register(allowedValues, { allowed: 'an ISO 3166-1 alpha-2 country code in capitals, such as US or DE' }).default('US'),
    })
    .prefault({}),
  // The local Dynamics 365 stand-in (src/sandbox/): on for the demo, off in production.
  sandbox: z
    .strictObject({
      enabled: flag().default(true),
      host: host('an IP address or host name to listen on').default('127.0.0.1'),
      port: port().default(8081),
      // Where the channel panel finds Callpane (default: http.publicUrl, else the local web URL).
      paneUrl: z.string().refine(isHttpUrl).register(allowedValues, { allowed: 'an absolute http:// or https:// URL without query or fragment' }).optional(),
    })
    .prefault({}),
  // Sign-in with Entra ID, Google Workspace or any OpenID Connect provider (./sso-schema.ts).
  sso: ssoSchema({ allowed: allowedValues }),
  // Callpane's own connection to a Dynamics 365 org's Web API (./dynamics-config.ts).
  dynamics: dynamicsSchema({ allowed: allowedValues }),
  trunks: z.array(trunkSchema).register(allowedValues, { allowed: 'a list of trunks (see docs/pbx-trunks.md)' }).default([]),
  routes: routesSchema.prefault({}),
});

/** The schema's output: what the file and environment said, before derived values are filled in. */
export type ConfigInput = z.output<typeof configSchema>;
