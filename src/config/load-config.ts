/**
 * Loads the configuration: schema defaults, then the JSON file, then `CALLPANE_*` variables,
 * each overriding the one before. All problems are collected and thrown together as one
 * ConfigError so an operator fixes them in one go. The result is fully resolved: paths are
 * absolute and derived values (advertised host, SIP domain, transports) are filled in.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { defaultAdvertisedHost, type InterfaceTable } from './advertised-host.ts';
import { ConfigError, showValue } from './config-error.ts';
import { CONFIG_FILE_ENV, envNameFor, objectKeysAt, readEnvOverrides, schemaAt, type Environment } from './environment.ts';
import { allowedValues, configSchema, type ConfigInput, type DigestAlgorithmName, type LogLevel, type SipTransportName } from './schema.ts';

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
    /** Digest challenges offered, most preferred first (one WWW-Authenticate each). */
    digestAlgorithms: DigestAlgorithmName[];
  };
  /** Set when HTTP is HTTPS/WSS and SIP over TLS is possible. */
  tls: TlsFiles | undefined;
  registrar: { minExpires: number; maxExpires: number; defaultExpires: number };
  security: { authFailures: { limit: number; windowSeconds: number; banSeconds: number } };
  log: { level: LogLevel; pretty: boolean };
  demo: { seedExtensions: boolean };
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
    if (!isPlainObject(current)) return undefined;
    current = current[part as string];
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
  current[path[path.length - 1]] = value;
}

function allowedAt(path: readonly PropertyKey[]): string | undefined {
  let node: z.ZodType | undefined = schemaAt(path);
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

  add(path: readonly string[], message: string): void {
    const key = path.join('.');
    const raw = this.#envRaw.get(key);
    const value = showValue(raw ?? valueAt(this.#input, path));
    const isLeaf = objectKeysAt(path).length === 0;
    const name = isLeaf && schemaAt(path) ? `${key} (${envNameFor(path)})` : key;
    const line = `${name} = ${value}: ${message}`;
    if (!this.lines.includes(line)) this.lines.push(line);
  }
}

function reportIssues(issues: readonly z.core.$ZodIssue[], problems: ProblemList): void {
  for (const issue of issues) {
    const path = issue.path.filter((part): part is string => typeof part === 'string');
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(path).join(', ');
      for (const key of issue.keys) problems.add([...path, key], `unknown key (allowed here: ${known})`);
      continue;
    }
    const keys = objectKeysAt(path);
    if (keys.length > 0) {
      problems.add(path, `must be an object with the keys ${keys.join(', ')}`);
      continue;
    }
    const allowed = allowedAt(path);
    problems.add(path, allowed ? `must be ${allowed}` : issue.message);
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

function resolveConfig(input: ConfigInput, options: Required<Pick<LoadConfigOptions, 'cwd'>> & LoadConfigOptions, problems: ProblemList): Config {
  const { cwd } = options;
  let tls: TlsFiles | undefined;
  const { cert, key } = input.tls;
  if ((cert === undefined) !== (key === undefined)) {
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
  if (transports.includes('tls') && (cert === undefined || key === undefined)) {
    problems.add(['sip', 'transports'], 'tls needs tls.cert and tls.key');
  }
  if (transports.includes('tls') && input.sip.tlsPort !== 0 && input.sip.tlsPort === input.sip.port) {
    problems.add(['sip', 'tlsPort'], 'must differ from sip.port (both are TCP ports)');
  }

  const { minExpires, maxExpires, defaultExpires } = input.registrar;
  if (minExpires > maxExpires) {
    problems.add(['registrar', 'minExpires'], `must not exceed registrar.maxExpires (${maxExpires})`);
  } else if (defaultExpires < minExpires || defaultExpires > maxExpires) {
    problems.add(['registrar', 'defaultExpires'], `must be from registrar.minExpires (${minExpires}) to registrar.maxExpires (${maxExpires})`);
  }

  const advertisedHost = input.sip.advertisedHost ?? defaultAdvertisedHost(input.sip.host, options.interfaces);
  return {
    dataDir: resolve(cwd, input.dataDir),
    http: { host: input.http.host, port: input.http.port, publicUrl: normalizePublicUrl(input.http.publicUrl) },
    sip: {
      host: input.sip.host,
      port: input.sip.port,
      tlsPort: input.sip.tlsPort,
      advertisedHost,
      domain: input.sip.domain ?? advertisedHost,
      transports,
      wsPath: input.sip.wsPath,
      digestAlgorithms: [...new Set(input.sip.digestAlgorithms)],
    },
    tls,
    registrar: { minExpires, maxExpires, defaultExpires },
    security: { authFailures: { ...input.security.authFailures } },
    log: { level: input.log.level, pretty: input.log.pretty },
    demo: { seedExtensions: input.demo.seedExtensions },
  };
}

/** Reads, merges and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const resolved = { ...options, env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() };
  const input = readConfigFile(locateConfigFile(resolved));
  const envRaw = new Map<string, string>();
  for (const override of readEnvOverrides(resolved.env)) {
    setAt(input, override.leaf.path, override.value);
    envRaw.set(override.leaf.key, override.raw);
  }
  const problems = new ProblemList(input, envRaw);
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    reportIssues(parsed.error.issues, problems);
    throw new ConfigError(problems.lines);
  }
  const config = resolveConfig(parsed.data, resolved, problems);
  if (problems.lines.length > 0) throw new ConfigError(problems.lines);
  return config;
}
