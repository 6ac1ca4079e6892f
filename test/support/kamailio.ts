/**
 * Kamailio (Debian `kamailio`, 5.6 on Debian 12) as an independent SIP registrar and proxy on
 * 127.0.0.1: the second SIP server of the interop tests (it proves the harness before
 * Callpane's registrar exists) and the baseline of the REGISTER benchmarks.
 *
 * The generated config is minimal: `save("location")` for REGISTER into an in-memory usrloc,
 * `lookup("location")` + `t_relay()` for everything else, loose routing for in-dialog requests.
 * Digest authentication is optional and needs no database: the passwords sit in an htable
 * filled at start-up and `pv_www_authenticate` checks REGISTERs against them (auth_db would
 * need a DB). Only REGISTER is challenged unless `auth.challengeInvites` asks for INVITEs too
 * (407 with `pv_proxy_authenticate`, the From user must be the authenticated one, as Callpane's
 * proxy demands); otherwise calls are relayed as they come.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay } from './deadline.ts';
import { ManagedProcess, type LineWaitOptions } from './managed-process.ts';
import { freeUdpTcpPort } from './ports.ts';

export const KAMAILIO_BINARY = '/usr/sbin/kamailio';
export const KAMAILIO_MODULE_PATH = '/usr/lib/x86_64-linux-gnu/kamailio/modules/';

export type KamailioTransport = 'udp' | 'tcp';

export interface KamailioUser {
  user: string;
  password: string;
}

export interface KamailioAuth {
  users: readonly KamailioUser[];
  /** Realm of the challenges; `127.0.0.1` when omitted. */
  realm?: string;
  /** Digest algorithm of the challenges (RFC 8760); MD5 when omitted. */
  algorithm?: 'MD5' | 'SHA-256';
  /**
   * Also challenge out-of-dialog INVITEs (407, qop=auth) and refuse with 403 one whose From user
   * is not the authenticated user; false when omitted.
   */
  challengeInvites?: boolean;
}

export interface KamailioOptions {
  /** Port on 127.0.0.1 for every transport; a free one when omitted. */
  port?: number;
  /** Both when omitted. */
  transports?: readonly KamailioTransport[];
  /** Challenge REGISTERs with Digest (qop=auth) against these users; no auth when omitted. */
  auth?: KamailioAuth;
  /** Worker processes per listener (`children`, `tcp_children`); 4 when omitted. */
  children?: number;
  /**
   * Logs each saved REGISTER as `registrar: saved <To URI> contact=<Contact> expires=<Expires>`
   * (for `waitForLog`); off when omitted, as it slows benchmarks.
   */
  logRegistrations?: boolean;
  /**
   * Numbers that belong to a registered account, as a carrier's DIDs do: a request for one is
   * sent to the account's registered contacts (its Request-URI user becomes the account before
   * the location lookup; To keeps the number dialled). None when omitted.
   */
  dids?: Readonly<Record<string, string>>;
  /** Bound on start-up until it answers; 10 s when omitted. */
  startTimeoutMs?: number;
  /**
   * Shared memory pool in MiB (`-m`); Kamailio's default (64) when omitted. Call benchmarks need
   * more: every transaction stays in it for tm's wait timer (5 s) after it completed.
   */
  sharedMemoryMb?: number;
}

export interface KamailioServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly transports: readonly KamailioTransport[];
  /** `sip:127.0.0.1:PORT`, the registrar URI for agents. */
  readonly uri: string;
  readonly dir: string;
  recentLog(lines?: number): string[];
  waitForLog(pattern: RegExp, timeoutMs: number, options?: LineWaitOptions): Promise<RegExpMatchArray>;
  /** SIGTERM, SIGKILL of the whole process group after `graceMs` (3 s), removes the folder. */
  stop(graceMs?: number): Promise<void>;
}

const SAFE_VALUE = /^[A-Za-z0-9._~!*+-]+$/;

export async function startKamailio(options: KamailioOptions = {}): Promise<KamailioServer> {
  const transports = options.transports ?? ['udp', 'tcp'];
  if (transports.length === 0) throw new Error('startKamailio: name at least one transport');
  if (options.sharedMemoryMb !== undefined && !(Number.isInteger(options.sharedMemoryMb) && options.sharedMemoryMb >= 1)) {
    throw new RangeError(`kamailio sharedMemoryMb must be a positive integer, got ${options.sharedMemoryMb}`);
  }
  const port = options.port ?? (await freeUdpTcpPort());
  const dir = await mkdtemp(join(tmpdir(), 'callpane-kamailio-'));
  const configFile = join(dir, 'kamailio.cfg');
  await writeFile(
    configFile,
    formatKamailioConfig({ port, transports, auth: options.auth, children: options.children ?? 4, logRegistrations: options.logRegistrations ?? false, dids: options.dids }),
  );
  const child = await ManagedProcess.start({
    name: `kamailio :${port}`,
    command: KAMAILIO_BINARY,
    // -DD: stay in the foreground (workers are still forked); -E: log to stderr; -Y/-P: keep
    // the runtime folder and pid file out of /run.
    args: ['-f', configFile, '-DD', '-E', '-Y', dir, '-P', join(dir, 'kamailio.pid'), ...(options.sharedMemoryMb === undefined ? [] : ['-m', String(options.sharedMemoryMb)])],
    processGroup: true,
  });
  let stopped: Promise<void> | undefined;
  const server: KamailioServer = {
    host: '127.0.0.1',
    port,
    transports,
    uri: `sip:127.0.0.1:${port}`,
    dir,
    recentLog: (lines) => child.recentLines(lines),
    waitForLog: (pattern, timeoutMs, waitOptions) => child.waitForLine(pattern, timeoutMs, waitOptions),
    stop: (graceMs = 3000) => {
      stopped ??= child.stop({ graceMs }).then(() => rm(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
  try {
    await waitUntilAnswering(child, port, transports, options.startTimeoutMs ?? 10_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Kamailio binds before it forks its workers, so a reply to OPTIONS means it is serving. */
async function waitUntilAnswering(child: ManagedProcess, port: number, transports: readonly KamailioTransport[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ready = { udp: !transports.includes('udp'), tcp: !transports.includes('tcp') };
  while (!(ready.udp && ready.tcp)) {
    if (child.exitStatus !== undefined) throw child.error('exited during start-up');
    if (Date.now() > deadline) throw child.error(`not answering on 127.0.0.1:${port} within ${timeoutMs} ms`);
    if (!ready.udp) ready.udp = await answersOptionsOverUdp(port, 200);
    if (!ready.tcp) ready.tcp = await acceptsTcp(port, 200);
    if (!(ready.udp && ready.tcp)) await delay(50);
  }
}

function answersOptionsOverUdp(port: number, waitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const finish = (answered: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('error', () => finish(false));
    socket.on('message', (message) => finish(message.toString('latin1').startsWith('SIP/2.0 ')));
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address().port;
      const branch = `z9hG4bK-probe-${Date.now().toString(36)}`;
      const request = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1:${local}>;tag=probe`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: ${branch}@127.0.0.1`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(request, port, '127.0.0.1');
    });
  });
}

function acceptsTcp(port: number, waitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (accepted: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(accepted);
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export function formatKamailioConfig(settings: {
  port: number;
  transports: readonly KamailioTransport[];
  auth?: KamailioAuth;
  children: number;
  logRegistrations: boolean;
  dids?: Readonly<Record<string, string>>;
}): string {
  const { port, transports, auth } = settings;
  if (!Number.isInteger(settings.children) || settings.children < 1 || settings.children > 64) {
    throw new RangeError(`kamailio children must be 1..64, got ${settings.children}`);
  }
  const realm = auth?.realm ?? '127.0.0.1';
  const dids = Object.entries(settings.dids ?? {});
  for (const value of [realm, ...(auth?.users ?? []).flatMap((u) => [u.user, u.password]), ...dids.flat()]) {
    if (!SAFE_VALUE.test(value)) throw new Error(`kamailio config: ${JSON.stringify(value)} has characters the config cannot carry (use letters, digits, ._~!*+-)`);
  }
  const lines = [
    '#!KAMAILIO',
    '# Written by test/support/kamailio.ts: a minimal registrar and proxy on loopback.',
    'debug=2',
    'log_stderror=yes',
    'fork=yes',
    `children=${settings.children}`,
    `tcp_children=${settings.children}`,
    ...transports.map((t) => `listen=${t}:127.0.0.1:${port}`),
    transports.includes('tcp') ? 'disable_tcp=no' : 'disable_tcp=yes',
    'auto_aliases=no',
    `alias="127.0.0.1:${port}"`,
    // Nothing here has a name to resolve; no lookups leave the machine.
    'dns=no',
    'rev_dns=no',
    'use_dns_cache=no',
    `mpath="${KAMAILIO_MODULE_PATH}"`,
    ...['tm', 'sl', 'rr', 'maxfwd', 'usrloc', 'registrar', 'textops', 'siputils', 'pv'].map((m) => `loadmodule "${m}.so"`),
    ...(auth === undefined ? [] : ['loadmodule "auth.so"', 'loadmodule "htable.so"']),
    ...(settings.logRegistrations ? ['loadmodule "xlog.so"'] : []),
    'modparam("usrloc", "db_mode", 0)',
    ...(auth === undefined
      ? []
      : [
          `modparam("auth", "algorithm", "${auth.algorithm ?? 'MD5'}")`,
          'modparam("htable", "htable", "passwords=>size=10;")',
          'event_route[htable:mod-init] {',
          ...auth.users.map((u) => `  $sht(passwords=>${u.user}) = "${u.password}";`),
          '}',
        ]),
    'request_route {',
    '  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }',
    // Answered here so that a probe tells whether the server is up.
    '  if (is_method("OPTIONS") && uri == myself && $rU == $null) { sl_send_reply("200", "OK"); exit; }',
    '  if (has_totag()) {',
    '    if (loose_route()) { t_relay(); exit; }',
    '    if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }',
    '    sl_send_reply("404", "Not Here"); exit;',
    '  }',
    '  if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }',
    '  if (is_method("REGISTER")) {',
    ...(auth === undefined
      ? []
      : [
          `    if (!is_present_hf("Authorization")) { www_challenge("${realm}", "1"); exit; }`,
          `    if (!pv_www_authenticate("${realm}", "$sht(passwords=>$au)", "0")) { www_challenge("${realm}", "1"); exit; }`,
          '    if ($au != $tU) { sl_send_reply("403", "Forbidden"); exit; }',
          '    consume_credentials();',
        ]),
    '    if (!save("location")) { sl_reply_error(); exit; }',
    ...(settings.logRegistrations ? ['    xlog("L_INFO", "registrar: saved $tu contact=$ct expires=$hdr(Expires)\\n");'] : []),
    '    exit;',
    '  }',
    ...(auth?.challengeInvites
      ? [
          '  if (is_method("INVITE")) {',
          `    if (!is_present_hf("Proxy-Authorization")) { proxy_challenge("${realm}", "1"); exit; }`,
          `    if (!pv_proxy_authenticate("${realm}", "$sht(passwords=>$au)", "0")) { proxy_challenge("${realm}", "1"); exit; }`,
          '    if ($au != $fU) { sl_send_reply("403", "Forbidden"); exit; }',
          '    consume_credentials();',
          '  }',
        ]
      : []),
    '  if (is_method("INVITE|SUBSCRIBE")) { record_route(); }',
    ...dids.map(([did, account]) => `  if ($rU == "${did}") { $rU = "${account}"; }`),
    '  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }',
    '  t_relay();',
    '}',
    '',
  ];
  return lines.join('\n');
}
