/**
 * The `media.ice` section: the STUN and TURN servers the pane's RTCPeerConnection is given, and
 * whether it may use only relayed candidates. TURN credentials are short-lived and made per
 * extension from a secret shared with the TURN server (coturn's `use-auth-secret`, see
 * src/security/turn-credentials.ts); the secret may come from an environment variable the
 * section names (`secretEnv`), so the file itself need not hold it. Nothing configured: the pane
 * gathers host candidates only, as before.
 */
import { z } from 'zod';
import type { Environment } from './environment.ts';

/** RFC 8839 §5.4 / W3C webrtc-pc §4.2.5: `all` candidates, or only TURN-relayed ones. */
export const ICE_TRANSPORT_POLICIES = ['all', 'relay'] as const;
export type IceTransportPolicy = (typeof ICE_TRANSPORT_POLICIES)[number];

/**
 * A TURN credential must outlive the pane's SIP credential (20 minutes), with which it is renewed,
 * so that the pane always holds one that works; a day at most, as the TURN REST API draft advises
 * (draft-uberti-behave-turn-rest-00 §2.2).
 */
export const TURN_TTL_SECONDS = { min: 1800, max: 86400, default: 3600 } as const;
/** An HMAC key anyone could guess lets anyone relay through the TURN server. */
const MIN_SECRET_LENGTH = 16;

const HOST = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])`;
const PORT = String.raw`(?::\d{1,5})?`;
/** RFC 7064 §3.1: stun:host[:port], stuns:host[:port]. */
const STUN_URI = new RegExp(`^stuns?:${HOST}${PORT}$`);
/** RFC 7065 §3.1: turn:host[:port][?transport=udp|tcp], turns:… */
const TURN_URI = new RegExp(`^turns?:${HOST}${PORT}(?:\\?transport=(?:udp|tcp))?$`);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export interface IceSchemaHelpers {
  /** The registry the configuration's error messages read "must be …" from. */
  allowed: z.core.$ZodRegistry<{ allowed: string }>;
}

export function iceSchema({ allowed }: IceSchemaHelpers) {
  return z
    .strictObject({
      stun: z
        .array(z.string().regex(STUN_URI).register(allowed, { allowed: 'a STUN URI such as stun:stun.example.com:3478 (RFC 7064)' }))
        .register(allowed, { allowed: 'a list of STUN URIs such as ["stun:stun.example.com:3478"]' })
        .default([]),
      turn: z
        .strictObject({
          urls: z
            .array(
              z
                .string()
                .regex(TURN_URI)
                .register(allowed, { allowed: 'a TURN URI such as turn:turn.example.com:3478?transport=udp or turns:turn.example.com:5349?transport=tcp (RFC 7065)' }),
            )
            .min(1)
            .register(allowed, { allowed: 'a non-empty list of TURN URIs such as ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"]' }),
          secret: z
            .string()
            .min(MIN_SECRET_LENGTH)
            .max(256)
            .register(allowed, { allowed: `the TURN server's static-auth-secret, ${MIN_SECRET_LENGTH} to 256 characters (or name a variable in secretEnv)` })
            .optional(),
          secretEnv: z.string().regex(ENV_NAME).register(allowed, { allowed: "the name of an environment variable holding the TURN server's static-auth-secret" }).optional(),
          ttlSeconds: z
            .number()
            .int()
            .min(TURN_TTL_SECONDS.min)
            .max(TURN_TTL_SECONDS.max)
            .register(allowed, {
              allowed: `an integer from ${TURN_TTL_SECONDS.min} to ${TURN_TTL_SECONDS.max} (seconds a TURN credential lasts; longer than the pane's 20-minute SIP credential)`,
            })
            .default(TURN_TTL_SECONDS.default),
        })
        .optional(),
      transportPolicy: z.enum(ICE_TRANSPORT_POLICIES).register(allowed, { allowed: 'all (any candidate) or relay (media only through the TURN server)' }).default('all'),
    })
    .prefault({});
}

export type IceInput = z.output<ReturnType<typeof iceSchema>>;

export interface TurnConfig {
  urls: string[];
  /** The HMAC key shared with the TURN server: never logged, never sent to a browser. */
  secret: string;
  ttlSeconds: number;
}

export interface IceConfig {
  stun: string[];
  turn: TurnConfig | undefined;
  transportPolicy: IceTransportPolicy;
}

export interface IceProblem {
  path: string[];
  message: string;
}

/**
 * The section with the TURN secret read from the file or from the variable it names. `known`
 * says whether keys are as the operator wrote them (not refused and replaced by defaults): the
 * rule that relates two keys is checked only then.
 */
export function resolveIceConfig(input: IceInput, env: Environment, known: (...keys: string[]) => boolean): { ice: IceConfig; problems: IceProblem[] } {
  const problems: IceProblem[] = [];
  const at = (...keys: string[]) => ['media', 'ice', ...keys];
  let turn: TurnConfig | undefined;
  if (input.turn !== undefined && known('media.ice.turn')) {
    const { urls, secret, secretEnv, ttlSeconds } = input.turn;
    let resolved = secret;
    if (secret !== undefined && secretEnv !== undefined) {
      problems.push({ path: at('turn', 'secretEnv'), message: 'is set together with media.ice.turn.secret: keep one' });
    } else if (secretEnv !== undefined) {
      resolved = env[secretEnv] || undefined;
      if (resolved === undefined) problems.push({ path: at('turn', 'secretEnv'), message: `names ${secretEnv}, which is not set or empty` });
      else if (resolved.length < MIN_SECRET_LENGTH)
        problems.push({ path: at('turn', 'secretEnv'), message: `names ${secretEnv}, which holds fewer than ${MIN_SECRET_LENGTH} characters` });
    } else if (secret === undefined) {
      problems.push({
        path: at('turn', 'secret'),
        message: "is required with media.ice.turn: the TURN server's static-auth-secret (or secretEnv naming a variable that holds it)",
      });
    }
    if (resolved !== undefined && resolved.length >= MIN_SECRET_LENGTH) turn = { urls: [...new Set(urls)], secret: resolved, ttlSeconds };
  }
  if (input.transportPolicy === 'relay' && input.turn === undefined && known('media.ice.turn', 'media.ice.transportPolicy')) {
    problems.push({ path: at('transportPolicy'), message: 'needs media.ice.turn: with relay only and no TURN server, no call could carry audio' });
  }
  return { ice: { stun: [...new Set(input.stun)], turn, transportPolicy: input.transportPolicy }, problems };
}
