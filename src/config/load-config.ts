/**
 * Loads the configuration: schema defaults, then the JSON file, then `CALLPANE_*` variables,
 * each overriding the one before. All problems are collected and thrown together as one
 * ConfigError so an operator fixes them in one go. The result is fully resolved: paths are
 * absolute and derived values (advertised host, SIP domain, transports) are filled in.
 * Lists and maps of objects (`trunks`, `routes.*`) come from the file only: a variable holding
 * one is refused rather than half-understood. Problem lines never show a secret's value.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { defaultAdvertisedHost, type InterfaceTable } from './advertised-host.ts';
import { ConfigError, showValue } from './config-error.ts';
import { resolveDynamicsConfig, type DynamicsConfig } from './dynamics-config.ts';
import { resolveIceConfig, type IceConfig } from './ice-config.ts';
import { resolveMediaConfig, type MediaConfig } from './media-config.ts';
import { CONFIG_FILE_ENV, envNameFor, objectKeysAt, readEnvOverrides, schemaAt, unwrap, type Environment } from './environment.ts';
import { allowedValues, configSchema, type ConfigInput, type DigestAlgorithmName, type IssueDetail, type LogLevel, type SipTransportName } from './schema.ts';
import { routingProblems } from '../pbx/routing/routing-problems.ts';
import type { Routes } from '../pbx/routing/routes.ts';
import type { Trunk } from '../pbx/routing/trunk.ts';
import { REDACTED, isSecretField, redactSecrets } from '../security/redact.ts';
import { resolveSsoProviders, type SsoProvider } from './sso-providers.ts';
import { validPart } from './valid-part.ts';

export interface TlsFiles {
  /** Absolute path of the PEM certificate (chain). */
  cert: string;
  /** Absolute path of the PEM private key. */
  key: string;
}

export interface Config {
  /** Absolute path of the data directory (database, demo credentials). */
  dataDir: string;
  http: {
    host: string;
    port: number;
    /** The URL people and Dynamics reach Callpane at, without a trailing slash. */
    publicUrl: string | undefined;
    /** Reverse proxies whose X-Forwarded-For is believed (addresses, CIDR blocks); false = none. */
    trustProxy: false | string[];
  };
  sip: {
    host: string;
    /** UDP and TCP. */
    port: number;
    tlsPort: number;
    /** What goes into Via and Record-Route. */
    advertisedHost: string;
    /** The SIP domain and digest realm. */
    domain: string;
    /** The transports that listen; `tls` only when TLS files are configured. */
    transports: SipTransportName[];
    /** Where SIP over WebSocket is accepted on the HTTP server. */
    wsPath: string;
    /** A WebSocket without a SIP request this long after its handshake is closed. */
    wsFirstRequestSeconds: number;
    /** Open SIP WebSockets one client address (IPv6: its /64) may hold. */
    wsMaxConnectionsPerAddress: number;
    /** Digest challenges offered, most preferred first (one WWW-Authenticate each). */
    digestAlgorithms: DigestAlgorithmName[];
  };
  /** Set when HTTP is HTTPS/WSS and SIP over TLS is possible. */
  tls: TlsFiles | undefined;
  /** Where call media goes: rtpengine, managed by Callpane or run elsewhere (./media-config.ts). */
  media: MediaConfig & {
    /** The pane's STUN and TURN servers (./ice-config.ts). */
    ice: IceConfig;
  };
  registrar: { minExpires: number; maxExpires: number; defaultExpires: number };
  security: { authFailures: { limit: number; windowSeconds: number; banSeconds: number } };
  log: { level: LogLevel; pretty: boolean };
  /** Demo extensions 1001 and 1002 are created at the first start: unset, only while the sandbox is on. */
  demo: { seedExtensions: boolean };
  /** Dynamics 365 as the pane sees it. */
  crm: {
    /**
     * Origin patterns (src/server/pane/crm-origin.ts) the Channel URL's `base` must match; the
     * running sandbox's origin is allowed besides these.
     */
    allowedOrigins: string[];
    /** ISO 3166-1 alpha-2: the region national phone numbers are read in. */
    defaultRegion: string;
  };
  /** The local Dynamics 365 sandbox: its own HTTP server on its own site (src/sandbox/). */
  sandbox: {
    enabled: boolean;
    host: string;
    port: number;
    /** The Callpane URL its channel panel frames, without a trailing slash; undefined = this server's own. */
    paneUrl: string | undefined;
  };
  /** Identity providers agents may sign in with (none by default). */
  sso: { providers: SsoProvider[] };
  /** Callpane's own connection to Dynamics 365 (./dynamics-config.ts): none unless configured. */
  dynamics: DynamicsConfig;
  /** SIP peers that bring external calls in and take calls out (docs/pbx-trunks.md). */
  trunks: Trunk[];
  routes: Routes;
}

export interface LoadConfigOptions {
  /** `--config FILE`; wins over CALLPANE_CONFIG. */
  argvConfigPath?: string;
  env?: Environment;
  cwd?: string;
  /** For tests: the network interfaces the default advertised host is chosen from. */
  interfaces?: InterfaceTable;
}

export const DEFAULT_CONFIG_FILE = 'callpane.json';

export interface ConfigFileLocation {
  path: string;
  /** Named by flag or variable: then it must exist. The default file may be absent. */
  explicit: boolean;
}

export function locateConfigFile({ argvConfigPath, env = process.env, cwd = process.cwd() }: LoadConfigOptions): ConfigFileLocation {
  const named = argvConfigPath ?? (env[CONFIG_FILE_ENV]?.trim() || undefined);
  return named ? { path: resolve(cwd, named), explicit: true } : { path: resolve(cwd, DEFAULT_CONFIG_FILE), explicit: false };
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readConfigFile(location: ConfigFileLocation): Json {
  let text: string;
  try {
    text = readFileSync(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !location.explicit) return {};
    throw new ConfigError([`cannot read the configuration file ${location.path}: ${code ?? (error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`the configuration file ${location.path} is not valid JSON: ${(error as Error).message}`]);
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError([`the configuration file ${location.path} must hold a JSON object, found ${showValue(parsed)}`]);
  }
  return parsed;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (Array.isArray(current) && typeof part === 'number') current = current[part];
    else if (isPlainObject(current) && typeof part === 'string') current = current[part];
    else return undefined;
  }
  return current;
}

/** Sets a leaf, creating missing parents; leaves a non-object parent alone for validation to report. */
function setAt(target: Json, path: readonly string[], value: unknown): void {
  let current = target;
  for (const part of path.slice(0, -1)) {
    if (current[part] === undefined) current[part] = {};
    const next = current[part];
    if (!isPlainObject(next)) return;
    current = next;
  }
  const last = path.at(-1);
  if (last !== undefined) current[last] = value;
}

/** The schema node at a path through objects, list items and map values (environment.ts's schemaAt stops at objects). */
function nodeAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType = configSchema;
  for (const part of path) {
    const inner = unwrap(current);
    const def = inner.def as { type: string; element?: z.ZodType; valueType?: z.ZodType };
    let child: z.ZodType | undefined;
    if (def.type === 'object' && typeof part === 'string') child = (inner as z.ZodObject).shape[part] as z.ZodType | undefined;
    else if (def.type === 'array' && typeof part === 'number') child = def.element;
    else if (def.type === 'record' && typeof part === 'string') child = def.valueType;
    if (!child) return undefined;
    current = child;
  }
  return current;
}

function keysAt(path: readonly PropertyKey[]): string[] {
  const node = nodeAt(path);
  const inner = node && unwrap(node);
  return inner?.def.type === 'object' ? Object.keys((inner as z.ZodObject).shape) : [];
}

/** A list of objects or a map: no single variable can carry it. */
function isFileOnly(schema: z.ZodType): boolean {
  const inner = unwrap(schema);
  const def = inner.def as { type: string; element?: z.ZodType };
  return def.type === 'record' || (def.type === 'array' && def.element !== undefined && ['object', 'record'].includes(unwrap(def.element).def.type));
}

/** `trunks[0].match.addresses[1]`, `routes.callerIds["1001"]`: how the operator finds it in the file. */
function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      if (!/^[A-Za-z_$][\w$]*$/.test(part)) return `[${JSON.stringify(part)}]`;
      return index === 0 ? part : `.${part}`;
    })
    .join('');
}

/** Beyond isSecretField: a misspelt secret key (`pasword`, `passwd`) still holds the secret. */
const SECRET_LIKE = /pa?s+w|pwd|secret|token|cred/i;

function shownValue(path: readonly (string | number)[], value: unknown): string {
  const last = path[path.length - 1];
  if (typeof last === 'string' && value !== undefined && (isSecretField(last) || SECRET_LIKE.test(last))) return showValue(REDACTED);
  return showValue(redactSecrets(value));
}

function allowedAt(path: readonly PropertyKey[]): string | undefined {
  let node: z.ZodType | undefined = nodeAt(path);
  while (node) {
    const meta = allowedValues.get(node);
    if (meta) return meta.allowed;
    node = (node.def as { innerType?: z.ZodType }).innerType;
  }
  return undefined;
}

/** Formats problems with the value as the operator wrote it (the raw variable when it came from the environment). */
class ProblemList {
  readonly lines: string[] = [];
  readonly #input: Json;
  readonly #envRaw: Map<string, string>;

  constructor(input: Json, envRaw: Map<string, string>) {
    this.#input = input;
    this.#envRaw = envRaw;
  }

  add(path: readonly (string | number)[], message: string): void {
    const key = formatPath(path);
    const raw = this.#envRaw.get(key);
    const value = raw !== undefined ? showValue(raw) : shownValue(path, valueAt(this.#input, path));
    const isLeaf = objectKeysAt(path).length === 0;
    const leaf = isLeaf ? schemaAt(path) : undefined;
    const name = leaf && !isFileOnly(leaf) ? `${key} (${envNameFor(path as readonly string[])})` : key;
    this.addLine(`${name} = ${value}: ${message}`);
  }

  addLine(line: string): void {
    if (!this.lines.includes(line)) this.lines.push(line);
  }
}

/**
 * The issue's path as reported. An item of a list that a variable can set (`sip.transports`) is
 * reported as the whole list, the way the operator wrote it; items inside file-only lists keep
 * their index (`trunks[1].match.addresses[0]`).
 */
function reportedPath(issuePath: readonly PropertyKey[]): (string | number)[] {
  const path = issuePath.filter((part): part is string | number => typeof part === 'string' || typeof part === 'number');
  const firstIndex = path.findIndex((part) => typeof part === 'number');
  if (firstIndex < 0) return path;
  const list = schemaAt(path.slice(0, firstIndex));
  return list && !isFileOnly(list) ? path.slice(0, firstIndex) : path;
}

function reportIssues(issues: readonly z.core.$ZodIssue[], problems: ProblemList): void {
  for (const issue of issues) {
    const path = reportedPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(path).join(', ');
      for (const key of issue.keys) problems.add([...path, key], `unknown key (allowed here: ${known})`);
      continue;
    }
    if (issue.code === 'invalid_key') {
      const record = nodeAt(path.slice(0, -1));
      const keySchema = record === undefined ? undefined : (unwrap(record).def as { keyType?: z.ZodType }).keyType;
      const allowed = keySchema && allowedValues.get(keySchema)?.allowed;
      problems.add(path, `the key must be ${allowed ?? 'valid'}`);
      continue;
    }
    const keys = keysAt(path);
    if (keys.length > 0) {
      problems.add(path, `must be an object with the keys ${keys.join(', ')}`);
      continue;
    }
    const allowed = allowedAt(path);
    const detail = issue.code === 'custom' ? (issue.params as IssueDetail | undefined)?.detail : undefined;
    problems.add(path, allowed ? `must be ${allowed}${detail ? `: ${detail}` : ''}` : issue.message);
  }
}

function normalizePublicUrl(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new URL(value).href.replace(/\/+$/, '');
}

function isReadableFile(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}

/** Listen addresses that take every interface: a port there is taken on every address too. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

function sameListener(a: string, b: string): boolean {
  return a === b || WILDCARD_HOSTS.has(a) || WILDCARD_HOSTS.has(b);
}

/**
 * `removed`: keys the schema refused (valid-part.ts), standing in with their defaults; the rules
 * that relate keys skip them, since a default is not what the operator wrote.
 */
function resolveConfig(input: ConfigInput, options: Required<Pick<LoadConfigOptions, 'cwd'>> & LoadConfigOptions, problems: ProblemList, removed: readonly string[] = []): Config {
  const { cwd } = options;
  const known = (...keys: string[]) =>
    !keys.some((key) => removed.some((gone) => gone === key || key.startsWith(`${gone}.`) || gone.startsWith(`${key}.`) || gone.startsWith(`${key}[`)));
  let tls: TlsFiles | undefined;
  const { cert, key } = input.tls;
  if (known('tls') && (cert === undefined) !== (key === undefined)) {
    if (cert === undefined) problems.add(['tls', 'cert'], 'must be set together with tls.key');
    else problems.add(['tls', 'key'], 'must be set together with tls.cert');
  } else if (cert !== undefined && key !== undefined) {
    tls = { cert: resolve(cwd, cert), key: resolve(cwd, key) };
    for (const name of ['cert', 'key'] as const) {
      const failure = isReadableFile(tls[name]);
      if (failure) problems.add(['tls', name], `must be a readable file (${tls[name]}: ${failure})`);
    }
  }

  const transports = [...new Set(input.sip.transports ?? (cert !== undefined && key !== undefined ? ['udp', 'tcp', 'ws', 'tls'] : ['udp', 'tcp', 'ws']))] as SipTransportName[];
  if (known('sip.transports', 'tls') && transports.includes('tls') && (cert === undefined || key === undefined)) {
    problems.add(['sip', 'transports'], 'tls needs tls.cert and tls.key');
  }
  if (known('sip.transports', 'sip.tlsPort', 'sip.port') && transports.includes('tls') && input.sip.tlsPort !== 0 && input.sip.tlsPort === input.sip.port) {
    problems.add(['sip', 'tlsPort'], 'must differ from sip.port (both are TCP ports)');
  }
  // SIP over TCP and TLS listen beside the HTTP server (which carries SIP over WebSocket itself).
  const { http } = input;
  for (const [name, port, transport] of [
    ['port', input.sip.port, 'tcp'],
    ['tlsPort', input.sip.tlsPort, 'tls'],
  ] as const) {
    if (!known('sip.transports', `sip.${name}`, 'sip.host', 'http.port', 'http.host') || !transports.includes(transport)) continue;
    if (port !== 0 && port === http.port && sameListener(input.sip.host, http.host)) problems.add(['sip', name], `must differ from http.port (${http.port}): both are TCP ports`);
  }

  const { minExpires, maxExpires, defaultExpires } = input.registrar;
  if (known('registrar') && minExpires > maxExpires) {
    problems.add(['registrar', 'minExpires'], `must not exceed registrar.maxExpires (${maxExpires})`);
  } else if (known('registrar') && (defaultExpires < minExpires || defaultExpires > maxExpires)) {
    problems.add(['registrar', 'defaultExpires'], `must be from registrar.minExpires (${minExpires}) to registrar.maxExpires (${maxExpires})`);
  }

  // RFC 3261 §19.1.2: 5061 is the default port of SIP over TLS, 5060 of the others.
  const trunks: Trunk[] = input.trunks.map((trunk) => ({ ...trunk, port: trunk.port ?? (trunk.transport === 'tls' ? 5061 : 5060) }));
  const routes: Routes = input.routes;
  if (known('trunks', 'routes')) for (const problem of routingProblems(trunks, routes)) problems.add(problem.path, problem.message);
  // A registering trunk's REGISTER leaves, and its calls arrive, over a transport Callpane listens on.
  if (known('trunks', 'sip.transports')) {
    trunks.forEach((trunk, index) => {
      if (trunk.register === undefined || trunk.transport === 'ws' || transports.includes(trunk.transport)) return;
      problems.add(
        ['trunks', index, 'transport'],
        `must be one of sip.transports (${transports.join(', ')}) for a trunk that registers: its REGISTER is sent and its calls arrive over it; add ${trunk.transport} to sip.transports or choose another transport`,
      );
    });
  }

  // Two origins, always (docs/cif-contract.md §9): the sandbox plays Dynamics and must not share the pane's port.
  if (known('sandbox', 'http.port') && input.sandbox.enabled && input.sandbox.port !== 0 && input.sandbox.port === input.http.port) {
    problems.add(['sandbox', 'port'], `must differ from http.port (${input.http.port})`);
  }

  const media = resolveMediaConfig(input, { cwd, interfaces: options.interfaces, known });
  for (const problem of media.problems) problems.add(problem.path, problem.message);
  const ice = resolveIceConfig(input.media.ice, options.env ?? process.env, known);
  for (const problem of ice.problems) problems.add(problem.path, problem.message);

  const sso = resolveSsoProviders(input.sso.providers, options.env ?? process.env);
  for (const problem of sso.problems) problems.add(problem.path, problem.message);
  const dynamics = resolveDynamicsConfig(input.dynamics, options.env ?? process.env, cwd, known);
  for (const problem of dynamics.problems) problems.add(problem.path, problem.message);

  const advertisedHost = input.sip.advertisedHost ?? defaultAdvertisedHost(input.sip.host, options.interfaces);
  return {
    dataDir: resolve(cwd, input.dataDir),
    http: { host: input.http.host, port: input.http.port, publicUrl: normalizePublicUrl(input.http.publicUrl), trustProxy: input.http.trustProxy },
    sip: {
      host: input.sip.host,
      port: input.sip.port,
      tlsPort: input.sip.tlsPort,
      advertisedHost,
      domain: input.sip.domain ?? advertisedHost,
      transports,
      wsPath: input.sip.wsPath,
      wsFirstRequestSeconds: input.sip.wsFirstRequestSeconds,
      wsMaxConnectionsPerAddress: input.sip.wsMaxConnectionsPerAddress,
      digestAlgorithms: [...new Set(input.sip.digestAlgorithms)],
    },
    tls,
    media: { ...media.media, ice: ice.ice },
    registrar: { minExpires, maxExpires, defaultExpires },
    security: { authFailures: { ...input.security.authFailures } },
    log: { level: input.log.level, pretty: input.log.pretty },
    demo: { seedExtensions: input.demo.seedExtensions ?? input.sandbox.enabled },
    crm: { allowedOrigins: [...new Set(input.crm.allowedOrigins)], defaultRegion: input.crm.defaultRegion },
    sandbox: { ...input.sandbox, paneUrl: normalizePublicUrl(input.sandbox.paneUrl) },
    sso: { providers: sso.providers },
    dynamics: dynamics.dynamics,
    trunks,
    routes,
  };
}

/** Reads, merges and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const resolved = { ...options, env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() };
  const input = readConfigFile(locateConfigFile(resolved));
  const envRaw = new Map<string, string>();
  const problems = new ProblemList(input, envRaw);
  for (const override of readEnvOverrides(resolved.env)) {
    if (isFileOnly(override.leaf.schema)) {
      // The value is not shown: a list of trunks holds passwords.
      problems.addLine(`${override.leaf.key} (${override.leaf.envName}) is set: ${override.leaf.key} can be set only in the configuration file`);
      continue;
    }
    setAt(input, override.leaf.path, override.value);
    envRaw.set(override.leaf.key, override.raw);
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    reportIssues(parsed.error.issues, problems);
    // The rules relating keys still run on the valid part: every problem is listed at once.
    const valid = validPart(configSchema, input);
    if (valid) resolveConfig(valid.data, resolved, problems, valid.removed.map(formatPath));
    throw new ConfigError(problems.lines);
  }
  const config = resolveConfig(parsed.data, resolved, problems);
  if (problems.lines.length > 0) throw new ConfigError(problems.lines);
  return config;
}
