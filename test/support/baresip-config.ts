/**
 * The configuration folder of a baresip 1.0.0 test agent (Debian 12 `baresip-core`): its
 * `config` file and its account line. Every address is on loopback: 127.0.0.1 unless another
 * 127.x.y.z is asked for (a carrier a trunk tells apart by address).
 *
 * What baresip 1.0.0 needs here, found by running it:
 * - `net_interface lo` fails ("net: lo: could not get IPv4 address"); `net_interface 127.0.0.1`
 *   binds and advertises loopback only.
 * - stdio.so is left out: with stdin on /dev/null it fails to load (epoll refuses the fd), and
 *   with stdin on a pipe it spins at 100% CPU once the pipe reaches EOF. ctrl_tcp is the only UI.
 * - ausine only produces 48 kHz stereo (`ausrc_srate 48000`, `ausrc_channels 2`; baresip
 *   resamples for G.711), else starting the audio source fails and the call never establishes.
 *   1.0.0's aufile module has no player, so no player is configured: received audio is decoded
 *   and dropped.
 * - `sip_listen 127.0.0.1:P` binds UDP and TCP on P and a TLS listener on TCP P+1.
 * - libre opens its DNS client sockets on the wildcard address whatever the config says; no
 *   query is made as long as every URI names an IP address.
 * - DTLS-SRTP (`mediaenc dtls_srtp`) works on loopback; ICE does not (see `medianat`).
 */

export const BARESIP_MODULE_PATH = '/usr/lib/baresip/modules';
/** Ports in each agent's `rtp_ports` range. */
export const RTP_PORT_COUNT = 20;

export type SipTransportName = 'udp' | 'tcp';

export interface BaresipAccount {
  user: string;
  /** Digest password (`auth_pass`); none when omitted. */
  password?: string;
  /** Digest username (`auth_user`) when it differs from the AOR user, as for a trunk. */
  authUser?: string;
  /** Where to register, e.g. `sip:127.0.0.1:5060`; the account's domain is its host and port. */
  registrar: string;
  transport?: SipTransportName;
  /** Registration interval in seconds; 0 does not register. 60 when omitted. */
  regint?: number;
  answermode?: 'manual' | 'auto' | 'early';
  displayName?: string;
}

export interface BaresipMediaOptions {
  /** More modules to load, by name ("opus" or "opus.so"), from /usr/lib/baresip/modules. */
  extraModules?: readonly string[];
  /** Account media encryption (`srtp`, `srtp-mand`, `dtls_srtp`, …); loads its module. */
  mediaenc?: string;
  /**
   * Account media NAT traversal (`stun`, `turn`); loads its module. `ice` is refused: 1.0.0's
   * ice module never gathers loopback candidates, so on loopback alone the call fails ("No such
   * file or directory") and elsewhere its media would use the machine's other addresses.
   */
  medianat?: string;
}

export interface BaresipConfigSettings {
  /** The loopback address SIP and RTP bind and advertise; 127.0.0.1 when omitted. */
  address?: string;
  sipPort: number;
  ctrlPort: number;
  /** First port of the `rtp_ports` range of RTP_PORT_COUNT ports. */
  rtpFirst: number;
  modules: readonly string[];
}

const MEDIA_MODULES: Readonly<Record<string, string>> = {
  srtp: 'srtp',
  'srtp-mand': 'srtp',
  'srtp-mandf': 'srtp',
  dtls_srtp: 'dtls_srtp',
  stun: 'stun',
  turn: 'turn',
};
// What an account line carries unescaped in a user part and an addr-param value.
const SAFE_TOKEN = /^[A-Za-z0-9._~!*+-]+$/;

/** `sip:user@host:port` for a registrar `sip:host:port`. */
export function accountAor(account: BaresipAccount): string {
  const match = /^sip:([^@;>]+)$/.exec(account.registrar);
  if (match === null) throw new Error(`registrar must look like sip:127.0.0.1:5060, got ${account.registrar}`);
  if (!SAFE_TOKEN.test(account.user)) throw new Error(`account user has characters the account line cannot carry: ${account.user}`);
  return `sip:${account.user}@${match[1]}`;
}

/**
 * The account line (see /usr/share/doc/baresip-core/examples/accounts):
 * `"Name" <sip:user@host:port;transport=udp>;auth_pass=…;regint=…;answermode=…`.
 */
export function formatAccountLine(options: { account: BaresipAccount } & Pick<BaresipMediaOptions, 'mediaenc' | 'medianat'>): string {
  const { account } = options;
  const transport = account.transport ?? 'udp';
  const params: string[] = [];
  if (account.password !== undefined) {
    if (!SAFE_TOKEN.test(account.password)) {
      throw new Error('account password has characters the account line cannot carry (use letters, digits, ._~!*+-)');
    }
    params.push(`auth_pass=${account.password}`);
  }
  if (account.authUser !== undefined) {
    if (!SAFE_TOKEN.test(account.authUser)) throw new Error('account authUser has characters the account line cannot carry');
    params.push(`auth_user=${account.authUser}`);
  }
  params.push(`regint=${account.regint ?? 60}`);
  params.push(`answermode=${account.answermode ?? 'manual'}`);
  if (options.mediaenc !== undefined) params.push(`mediaenc=${options.mediaenc}`);
  if (options.medianat !== undefined) params.push(`medianat=${options.medianat}`);
  const name = account.displayName === undefined ? '' : `"${account.displayName.replace(/["\\]/g, '')}" `;
  return `${name}<${accountAor(account)};transport=${transport}>;${params.join(';')}`;
}

/** The modules to load: G.711, the sine source, and what the media options need. */
export function moduleList(options: BaresipMediaOptions): string[] {
  if (options.medianat === 'ice') throw new Error('medianat ice cannot stay on 127.0.0.1 with baresip 1.0.0 (see medianat in baresip-config.ts)');
  const wanted = ['g711', 'ausine', ...(options.extraModules ?? [])];
  for (const setting of [options.mediaenc, options.medianat]) {
    if (setting === undefined) continue;
    const module = MEDIA_MODULES[setting];
    if (module === undefined) throw new Error(`unknown mediaenc/medianat ${setting}; known: ${Object.keys(MEDIA_MODULES).join(', ')}`);
    wanted.push(module);
  }
  return [...new Set(wanted.map((m) => (m.endsWith('.so') ? m : `${m}.so`)))];
}

export function formatBaresipConfig(settings: BaresipConfigSettings): string {
  const address = settings.address ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) throw new Error(`a test agent stays on loopback: address must be 127.x.y.z, got ${address}`);
  return [
    '# Written by test/support/baresip-config.ts for one test agent; see that file for why each line.',
    'poll_method epoll',
    `sip_listen ${address}:${settings.sipPort}`,
    `net_interface ${address}`,
    // Names are never resolved here; should one be, the query stays on loopback.
    'dns_server 127.0.0.1:53',
    'call_max_calls 4',
    'audio_source ausine,440',
    'ausrc_srate 48000',
    'ausrc_channels 2',
    `rtp_ports ${settings.rtpFirst}-${settings.rtpFirst + RTP_PORT_COUNT - 1}`,
    'rtcp_mux no',
    // Keeps menu from rewriting a status line many times a second into the log.
    'statmode_default off',
    `ctrl_tcp_listen 127.0.0.1:${settings.ctrlPort}`,
    `module_path ${BARESIP_MODULE_PATH}`,
    ...settings.modules.map((m) => `module ${m}`),
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    '',
  ].join('\n');
}
