/**
 * A trunk as the configuration describes it (see docs/pbx-trunks.md): a SIP peer that
 * brings external calls in and takes calls out. Plain data, so that the SIP proxy, the tests and
 * `callpane config check` all handle the same object.
 */
import type { MediaProfile } from '../../media/media-relay.ts';

export const TRUNK_TRANSPORTS = ['udp', 'tcp', 'tls', 'ws'] as const;
export type TrunkTransport = (typeof TRUNK_TRANSPORTS)[number];

/** How a request is recognised as coming from this trunk. */
export interface TrunkMatch {
  /** IP literals or CIDR blocks the peer's requests come from. */
  addresses?: string[];
  /**
   * Digest credentials the peer authenticates its requests or registers with (a peer behind NAT,
   * a browser page over WebSocket). With addresses too, both must hold.
   */
  username?: string;
  password?: string;
}

/** Credentials and identity for requests Callpane sends to the trunk. */
export interface TrunkOutbound {
  username: string;
  password: string;
  /** Host part of the From URI (many carriers require their own domain there). */
  fromDomain?: string;
  /** Caller id used on this trunk when neither the extension nor the route names one. */
  callerId?: string;
}

/** Registration seconds asked of a carrier when `register.expires` is not set (RFC 3261 §10.2.1.1). */
export const DEFAULT_REGISTER_EXPIRES = 300;

/**
 * Callpane registers to the trunk's host with `outbound.username`/`password`, so that the carrier
 * (or office PBX) sends calls to Callpane (src/pbx/trunk-registration/).
 */
export interface TrunkRegister {
  /** Seconds asked for in each REGISTER; the carrier may grant fewer, or ask for more (423). */
  expires: number;
  /** User part of the address-of-record registered, when it is not `outbound.username`. */
  user?: string;
}

export interface Trunk {
  /** Unique, `[a-z0-9-]`; outbound routes refer to it. */
  name: string;
  /**
   * Where calls to the trunk are sent. Absent only for a peer that authenticates with
   * credentials: then calls go to where it registered.
   */
  host?: string;
  port: number;
  transport: TrunkTransport;
  match: TrunkMatch;
  outbound?: TrunkOutbound;
  /** ISO 3166-1 alpha-2 country the peer's numbers are in, for E.164 normalisation. */
  country?: string;
  /** Concurrent calls allowed on the trunk; absent means no limit. */
  maxCalls?: number;
  /** How the trunk carries media; absent: trunkMedia() (plain RTP, WebRTC for a `ws` trunk). */
  media?: MediaProfile;
  /** Register to the trunk (a carrier or PBX that only sends calls to registered accounts). */
  register?: TrunkRegister;
}

/**
 * How a trunk carries media when its configuration says nothing: plain RTP, what carriers and
 * office PBXs speak — but a `ws` trunk is a browser (a page playing the carrier), and browsers
 * speak WebRTC only.
 */
export function trunkMedia(trunk: Pick<Trunk, 'media' | 'transport'>): MediaProfile {
  return trunk.media ?? (trunk.transport === 'ws' ? 'webrtc' : 'rtp');
}
