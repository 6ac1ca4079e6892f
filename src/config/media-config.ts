/**
 * The media relay's configuration as Callpane uses it: the schema's `media.relay` and
 * `media.rtpengine` keys with the derived defaults filled in (which address rtpengine binds and
 * which it advertises), and the rules that relate them to each other and to the SIP ports.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { defaultAdvertisedHost, type InterfaceTable } from './advertised-host.ts';
import type { ConfigInput, MediaRelayPolicy } from './schema.ts';
import { parseNgAddress, type NgAddress } from '../media/ng-address.ts';

/**
 * The range the Debian package's own rtpengine service (rtpengine-daemon, /etc/rtpengine/rtpengine.conf)
 * takes where systemd starts it: a managed engine must not fight it for ports.
 */
export const DEBIAN_SERVICE_PORTS = { min: 30000, max: 40000 } as const;

export interface RtpengineConfig {
  /** ng addresses of rtpengines run elsewhere; empty: Callpane runs its own (managed). */
  engines: NgAddress[];
  /** The managed engine's executable: a path, or a name looked up on PATH. */
  binary: string;
  /** The address the managed engine binds for RTP and names in SDP unless publicAddress is set. */
  address: string;
  /** The address written into SDP instead of `address` (a cloud server behind 1:1 NAT). */
  publicAddress: string | undefined;
  portMin: number;
  portMax: number;
  /** The managed engine's ng port on 127.0.0.1; 0 picks a free one at start. */
  ngPort: number;
}

export interface MediaConfig {
  relay: MediaRelayPolicy;
  rtpengine: RtpengineConfig;
}

export interface MediaConfigProblem {
  path: string[];
  message: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * Defaults: rtpengine binds sip.host when that is one IP address, else the machine's first
 * external IPv4 address (as sip.advertisedHost does); it advertises sip.advertisedHost when the
 * operator set that to another IP address, since a server whose SIP is reached at a public
 * address behind 1:1 NAT is reached there for RTP too.
 */
export function resolveMediaConfig(
  input: ConfigInput,
  { cwd, interfaces, known }: { cwd: string; interfaces?: InterfaceTable; known: (...keys: string[]) => boolean },
): { media: MediaConfig; problems: MediaConfigProblem[] } {
  const given = input.media.rtpengine;
  const address = given.address ?? (isIP(input.sip.host) !== 0 && !WILDCARDS.has(input.sip.host) ? input.sip.host : defaultAdvertisedHost('0.0.0.0', interfaces));
  const advertised = input.sip.advertisedHost;
  const publicAddress = given.publicAddress ?? (advertised !== undefined && isIP(advertised) !== 0 && advertised !== address ? advertised : undefined);
  const engines = given.engines.flatMap((text) => parseNgAddress(text).address ?? []);
  const media: MediaConfig = {
    relay: input.media.relay,
    rtpengine: {
      engines,
      binary: given.binary.includes('/') ? resolve(cwd, given.binary) : given.binary,
      address,
      publicAddress,
      portMin: given.portMin,
      portMax: given.portMax,
      ngPort: given.ngPort,
    },
  };
  const problems: MediaConfigProblem[] = [];
  // Only the managed engine uses the ports; external engines have their own configuration.
  if (media.relay === 'never' || engines.length > 0 || !known('media.rtpengine', 'media.relay')) return { media, problems };
  const { portMin, portMax, ngPort } = given;
  const range = `${portMin}–${portMax}`;
  if (portMin >= portMax) {
    problems.push({ path: ['media', 'rtpengine', 'portMin'], message: `must be below media.rtpengine.portMax (${portMax}): RTP takes pairs of ports` });
  } else if (portMin <= DEBIAN_SERVICE_PORTS.max && portMax >= DEBIAN_SERVICE_PORTS.min) {
    const key = portMin >= DEBIAN_SERVICE_PORTS.min ? 'portMin' : 'portMax';
    problems.push({
      path: ['media', 'rtpengine', key],
      message: `the RTP range ${range} overlaps ${DEBIAN_SERVICE_PORTS.min}–${DEBIAN_SERVICE_PORTS.max}, the range of the Debian rtpengine service (rtpengine-daemon): choose a range outside it, such as 20000–29999`,
    });
  } else if (ngPort >= portMin && ngPort <= portMax) {
    problems.push({ path: ['media', 'rtpengine', 'ngPort'], message: `must be outside the RTP range ${range} (both are UDP ports)` });
  } else if (known('sip.port', 'sip.transports') && (input.sip.transports ?? ['udp']).includes('udp') && input.sip.port >= portMin && input.sip.port <= portMax) {
    problems.push({ path: ['media', 'rtpengine', 'portMin'], message: `the RTP range ${range} holds sip.port (${input.sip.port}): both are UDP ports` });
  }
  return { media, problems };
}
