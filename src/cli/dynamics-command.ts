/**
 * `callpane dynamics check|setup|users`: the Dynamics side of an installation from the command
 * line, over the Web API as the configured application user (src/dynamics/setup/ does the work;
 * this file parses, connects and prints). Nothing here needs the server to run.
 */
import { parseArgs } from 'node:util';
import type { DynamicsConnection } from '../config/dynamics-config.ts';
import type { Config } from '../config/load-config.ts';
import { EXTENSION_NUMBER } from '../crm/numbers/extension-number.ts';
import { allRows } from '../dynamics/setup/all-rows.ts';
import {
  applyChannelProvider,
  callpaneChannelUrl,
  channelUrlProblem,
  DEFAULT_CHANNEL_LABEL,
  manualSteps,
  type ChannelProviderSettings,
} from '../dynamics/setup/channel-provider-record.ts';
import { checkDynamics, type CheckLine } from '../dynamics/setup/dynamics-check.ts';
import { odataString } from '../dynamics/setup/odata-string.ts';
import { proposeExtensions, roleMembers } from '../dynamics/setup/role-members.ts';
import { DynamicsSetupError, roleNotFound } from '../dynamics/setup/dynamics-setup-error.ts';
import { DEFAULT_RETRY_POLICY } from '../dynamics/web-api/retry-schedule.ts';
import type { TokenSource } from '../dynamics/web-api/token-source.ts';
import { createWebApiClient, type WebApiClient, type WebApiClientOptions } from '../dynamics/web-api/web-api-client.ts';
import { WebApiError } from '../dynamics/web-api/web-api-error.ts';
import { tokenSourceFor } from '../dynamics/web-api/web-api-connection.ts';
import type { StructuredLogger } from '../logging/structured-logger.ts';
import type { Database } from '../store/database.ts';
import { createExtensionRepository, type Extension } from '../store/extension-repository.ts';
import { csvField } from './csv-records.ts';

const SYNOPSIS: Record<DynamicsSubcommand, string> = { check: 'check', setup: 'setup [--channel-url <url>]', users: 'users --role <name>' };

/** The help of one subcommand: its own synopsis first, then what the three share. */
export function dynamicsUsage(subcommand: DynamicsSubcommand): string {
  return `Usage: callpane dynamics ${SYNOPSIS[subcommand]} [options]\n\n${DYNAMICS_HELP}`;
}

const DYNAMICS_HELP = `Callpane's own connection to Dynamics 365 (the dynamics section of the configuration), checked
and put to use as its application user:

  check     the token, the org (WhoAmI), the application user and its roles, every extension's
            Dynamics user (by e-mail) and the channel provider record: one line each, ok or what
            to fix; exit code 1 when something is to fix
  setup     create or update the channel provider record (msdyn_ciprovider) that puts Callpane's
            panel into Dynamics, and print how to do the same by hand
              --channel-url <url>  {Callpane}/dyncrm?base={org URL} (default: from http.publicUrl)
              --label <text>       the panel's title (default ${DEFAULT_CHANNEL_LABEL})
              --order <n>          Channel Order, lowest first (default 1)
              --role <name>        a security role whose users see the panel (repeat for more;
                                   none: System Administrators only)
              --manual             only print the steps by hand; write nothing
  users     propose extensions for the Dynamics users holding a security role, as the CSV
            callpane ext import reads (number,name,email) on standard output
              --role <name>        the security role (required)
              --start <number>     the first extension number to give (default 2000); numbers in
                                   use are skipped, users who have an extension are left out

Options:
  --config <file>   configuration file (default: $CALLPANE_CONFIG, else ./callpane.json)
  -h, --help        show this help

Exit codes: 0 done, 1 refused or something to fix (the message says what), 2 wrong arguments.
`;

export type DynamicsSubcommand = 'check' | 'setup' | 'users';

export interface DynamicsCommandIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  loadConfig: (configPath: string | undefined) => Config;
  openDatabase: (config: Config) => Database;
  /** The org to use (default: the configured dynamics connection; bin/callpane.ts adds the demo's sandbox). */
  connection?: (config: Config) => DynamicsConnection | undefined;
  /** This Callpane's URL as Dynamics frames it (default: http.publicUrl). */
  paneUrl?: (config: Config) => string | undefined;
  /** For tests: the client's waits and jitter. */
  clientOptions?: Partial<WebApiClientOptions>;
}

/**
 * A command waits out service protection, but not for minutes: an administrator at a terminal
 * would rather run it again.
 */
const CLI_RETRY = { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: 30_000 };

const SILENT: StructuredLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => SILENT };

export async function runDynamicsCommand(subcommand: DynamicsSubcommand, args: string[], io: DynamicsCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        'channel-url': { type: 'string' },
        label: { type: 'string' },
        order: { type: 'string' },
        role: { type: 'string', multiple: true },
        manual: { type: 'boolean' },
        start: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    });
    if (parsed.values.help) {
      io.stdout(dynamicsUsage(subcommand).trimEnd());
      return 0;
    }
    const allowed: Record<DynamicsSubcommand, readonly string[]> = {
      check: ['config'],
      setup: ['config', 'channel-url', 'label', 'order', 'role', 'manual'],
      users: ['config', 'role', 'start'],
    };
    for (const name of Object.keys(parsed.values)) if (!allowed[subcommand].includes(name)) throw new Error(`--${name} does not go with dynamics ${subcommand}`);
  } catch (error) {
    io.stderr(`callpane dynamics ${subcommand}: ${(error as Error).message}\n\n${dynamicsUsage(subcommand).trimEnd()}`);
    return 2;
  }
  const config = io.loadConfig(parsed.values.config);
  const connection = (io.connection ?? ((loaded: Config) => loaded.dynamics.connection))(config);
  if (connection === undefined) {
    io.stderr(
      `callpane dynamics ${subcommand}: no Dynamics org is configured: set dynamics.url, dynamics.tenantId, dynamics.clientId and a credential (see the README)` +
        (config.sandbox.enabled ? '; in the demo, start Callpane once first: its sandbox is then the org' : ''),
    );
    return 1;
  }
  const tokens = await tokenSourceFor(connection, config.dynamics);
  const client = createWebApiClient({
    orgUrl: connection.url,
    tokens,
    maxConcurrentRequests: config.dynamics.maxConcurrentRequests,
    requestTimeoutMs: config.dynamics.requestTimeoutSeconds * 1000,
    logger: SILENT,
    retry: CLI_RETRY,
    ...io.clientOptions,
  });
  try {
    if (subcommand === 'check') return await check(io, config, connection, tokens, client);
    if (subcommand === 'setup') return await setup(io, config, connection, client, parsed.values);
    return await users(io, config, connection, client, parsed.values);
  } catch (error) {
    io.stderr(`callpane dynamics ${subcommand}: ${(error as Error).message}`);
    return error instanceof DynamicsSetupError || error instanceof WebApiError ? 1 : 2;
  } finally {
    client.close();
  }
}

function paneUrlOf(config: Config): string | undefined {
  return config.http.publicUrl;
}

/** The extensions as they are now; the database is closed again before Dataverse is asked anything. */
function listExtensions(io: DynamicsCommandIo, config: Config): Extension[] {
  const db = io.openDatabase(config);
  try {
    return createExtensionRepository(db).list();
  } finally {
    db.close();
  }
}

const MARK: Record<CheckLine['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FIX ' };

async function check(io: DynamicsCommandIo, config: Config, connection: DynamicsConnection, tokens: TokenSource, client: WebApiClient): Promise<number> {
  const extensions = listExtensions(io, config);
  io.stdout(`Dynamics 365 org ${connection.url}, tenant ${connection.tenantId}, app ${connection.clientId} (${connection.credential.kind})`);
  const lines = await checkDynamics({ connection, tokens, client, extensions, paneUrl: (io.paneUrl ?? paneUrlOf)(config) });
  const width = Math.max(...lines.map((line) => line.subject.length));
  for (const line of lines) io.stdout(`  ${MARK[line.status]}  ${line.subject.padEnd(width)}  ${line.detail}`);
  const count = (status: CheckLine['status']) => lines.filter((line) => line.status === status).length;
  const fails = count('fail');
  io.stdout(`${count('ok')} ok, ${count('warn')} warning${count('warn') === 1 ? '' : 's'}, ${fails} to fix.`);
  return fails > 0 ? 1 : 0;
}

interface SetupOptions {
  'channel-url'?: string;
  label?: string;
  order?: string;
  role?: string[];
  manual?: boolean;
}

async function setup(io: DynamicsCommandIo, config: Config, connection: DynamicsConnection, client: WebApiClient, options: SetupOptions): Promise<number> {
  const paneUrl = (io.paneUrl ?? paneUrlOf)(config);
  const channelUrl = options['channel-url'] ?? (paneUrl === undefined ? undefined : callpaneChannelUrl(paneUrl, connection.url));
  if (channelUrl === undefined) throw new Error(`--channel-url is needed (or set http.publicUrl): ${callpaneChannelUrl('https://<Callpane host>', connection.url)}`);
  const problem = channelUrlProblem(channelUrl, connection.url);
  if (problem !== undefined) throw new Error(`--channel-url ${channelUrl}: ${problem}`);
  const order = options.order === undefined ? 1 : Number(options.order);
  if (!Number.isInteger(order) || order < 0 || order > 1000) throw new Error(`--order ${options.order}: must be an integer from 0 to 1000`);
  const label = options.label?.trim() || DEFAULT_CHANNEL_LABEL;
  const roleNames = [...new Set(options.role ?? [])];
  const settings = (roleIds: string[]): ChannelProviderSettings => ({ channelUrl, label, order, roleIds });

  if (options.manual) {
    for (const line of manualSteps(settings([]), roleNames)) io.stdout(line);
    return 0;
  }
  const roleIds: string[] = [];
  for (const name of roleNames) {
    const found = await allRows(client, `roles?$select=roleid&$filter=${encodeURIComponent(`name eq ${odataString(name)}`)}`);
    if (found.length === 0) throw roleNotFound(name, connection.url);
    roleIds.push(...found.map((role) => String(role.roleid)));
  }
  let result;
  try {
    result = await applyChannelProvider(client, connection.url, settings(roleIds));
  } catch (error) {
    if (!(error instanceof WebApiError) || error.status !== 403) throw error;
    io.stderr(`callpane dynamics setup: the application user may not write channel provider records (${error.message}).`);
    io.stderr('Give its role Create, Read and Write on Channel Integration Framework v1.0 Provider, or make the record by hand:');
    for (const line of manualSteps(settings(roleIds), roleNames)) io.stderr(`  ${line}`);
    return 1;
  }
  const what = { created: 'created', updated: `updated (${result.changed.join(', ')})`, unchanged: 'already up to date' }[result.action];
  io.stdout(`Channel provider record ${JSON.stringify(label)} ${what}: ${channelUrl} (id ${result.id}).`);
  if (roleNames.length === 0) io.stdout('No --role given: only System Administrators see the panel until roles are chosen.');
  io.stdout('');
  io.stdout('The same by hand, for an org where the app may not write it:');
  for (const line of manualSteps(settings(roleIds), roleNames)) io.stdout(`  ${line}`);
  return 0;
}

async function users(io: DynamicsCommandIo, config: Config, connection: DynamicsConnection, client: WebApiClient, options: { role?: string[]; start?: string }): Promise<number> {
  const [role, ...more] = options.role ?? [];
  if (role === undefined || more.length > 0) throw new Error('dynamics users needs exactly one --role <name>');
  const start = options.start ?? '2000';
  if (!EXTENSION_NUMBER.test(start)) throw new Error(`--start ${start}: must be an extension number (2 to 10 digits)`);
  const found = await roleMembers(client, role);
  if (found.roleIds.length === 0) throw roleNotFound(role, connection.url);
  const extensions = listExtensions(io, config);
  const proposal = proposeExtensions(found.members, extensions, Number(start));
  io.stdout('number,name,email');
  for (const row of proposal.rows) io.stdout([row.number, row.name, row.email].map(csvField).join(','));
  io.stderr(
    `${found.members.length + found.skipped.length} users hold ${role}: ${proposal.rows.length} proposed above, ${proposal.existing.length} already have an extension, ${found.skipped.length} left out.`,
  );
  for (const member of proposal.existing) io.stderr(`  ${member.name} <${member.email}> has extension ${member.number}`);
  for (const skipped of found.skipped) io.stderr(`  ${skipped.name}: ${skipped.reason}`);
  if (proposal.rows.length > 0) io.stderr('Save the CSV (callpane dynamics users --role … > agents.csv), review it, then: callpane ext import agents.csv');
  return 0;
}
