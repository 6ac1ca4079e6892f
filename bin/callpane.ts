#!/usr/bin/env node
/**
 * The `callpane` command: start the server, manage extensions and their web sessions, check the
 * configuration, reset the local Dynamics 365 sandbox.
 * Exit codes: 0 done, 1 refused or failed (the message says why), 2 wrong arguments (usage shown).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { startCallpane, shutdownOnSignals, type ServiceFactory } from '../src/app.ts';
import { runExtensionImport } from '../src/cli/ext-import-command.ts';
import { runJournalCommand } from '../src/cli/journal-command.ts';
import { runDynamicsCommand, type DynamicsSubcommand } from '../src/cli/dynamics-command.ts';
import { DEMO_DYNAMICS_FILE, demoDynamicsApplies, demoDynamicsConnection, demoDynamicsSecret } from '../src/sandbox/demo-dynamics.ts';
import { sandboxOrigin } from '../src/sandbox/sandbox-server.ts';
import { localUrl } from '../src/server/http-server.ts';
import { runPhoneMatch } from '../src/cli/phone-match-command.ts';
import { startSipService } from '../src/pbx/sip-service.ts';
import { unknownEnvNames } from '../src/config/environment.ts';
import { loadConfig, locateConfigFile, type Config } from '../src/config/load-config.ts';
import { resetSandboxData, startSandboxService, type SandboxService } from '../src/sandbox/sandbox-service.ts';
import { redactSecrets } from '../src/security/redact.ts';
import { formatBanner } from '../src/server/banner.ts';
import { changePassword, checkPassword, provisionExtension, renewSipSecret } from '../src/server/extension-admin.ts';
import { createLogger } from '../src/server/logger.ts';
import { openDatabase, type Database } from '../src/store/database.ts';
import { formatRegistrationReport, readRegistrationReport } from '../src/pbx/trunk-registration/registration-report.ts';
import { createMetaRepository } from '../src/store/meta-repository.ts';
import { createSessionRepository } from '../src/store/session-repository.ts';
import { ExtensionError } from '../src/store/extension-error.ts';
import { ExtensionErrorCode } from '../src/store/store-errors.ts';
import { createExtensionRepository, type ExtensionRepository } from '../src/store/extension-repository.ts';

const USAGE = `Usage: callpane <command> [options]

Commands:
  start [--pretty]                      start Callpane (HTTP, SIP, Dynamics 365 sandbox) and print where to reach it
  ext add <number> --name <name> [--email <e-mail>] [--password <web password>] [--sip-secret <secret>]
                                        create an extension; omitted secrets are generated and printed
  ext import <file.csv> [--passwords-out <file>] [--no-password] [--dry-run]
                                        create many extensions from CSV (number,name,email) in one transaction;
                                        generated secrets go to a file only you can read (see ext import --help)
  ext list                              list extensions (number, name, e-mail)
  ext passwd <number> [--password <p>] [--sip]
                                        set the web password (asked twice on a terminal, else generated);
                                        --sip also gives it a new generated SIP secret
  ext email <number> <e-mail> | --clear set (or clear) the e-mail address single sign-on maps to the extension
  ext rm <number>                       remove an extension and its registrations
  sessions revoke <number>              end every web session of an extension (it must sign in again)
  config check                          print the effective configuration and validate it
  trunks status                         show each registering trunk's registration as the running server sees it
  sandbox reset                         restore the local Dynamics 365 sandbox's seed data
  phone match [--region CC]             compare numbers read as JSON lines {"incoming","stored"} on stdin
                                        the way the pane matches callers to CRM records
  journal status                        calls whose Phone Call the server still owes Dynamics: pending, parked, done
  journal list [--failed]               the pending entries, or (--failed) those Dataverse refused, with the reason
  journal retry [<call id>...]          make parked entries pending again (all, or those named)
  dynamics check                        the org, the application user and its roles, each extension's Dynamics user
                                        and the channel provider record: ok, or what to fix
  dynamics setup [--channel-url <url>]  create or update the channel provider record (and print the steps by hand)
  dynamics users --role <name>          propose extensions (CSV for ext import) for the Dynamics users holding a role

Options of every command:
  --config <file>                       configuration file (default: $CALLPANE_CONFIG, else ./callpane.json);
                                        CALLPANE_* environment variables override it
  -h, --help                            show this help
`;

class UsageError extends Error {}
/** The user declined or mistyped at a prompt: exit 1 with the reason. */
class Refusal extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** --config and --help, which every command takes. */
const common = { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Parses a command's arguments, which must be exactly the named positionals; undefined when --help was asked. */
function parse<T extends Options, const P extends readonly string[]>(args: string[], options: T, expected?: P) {
  const positionals: readonly string[] = expected ?? [];
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) return undefined;
  if (parsed.positionals.length > positionals.length) throw new UsageError(`unexpected argument ${parsed.positionals[positionals.length]}`);
  if (parsed.positionals.length < positionals.length) throw new UsageError(`missing ${positionals[parsed.positionals.length]}`);
  // One value for each name in `expected`: both counts are checked above.
  return { ...parsed, positionals: parsed.positionals as { -readonly [K in keyof P]: string } };
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function load(configPath: string | undefined): Config {
  const config = loadConfig({ argvConfigPath: configPath });
  for (const name of unknownEnvNames(process.env)) process.stderr.write(`callpane: warning: ${name} is not a configuration variable (ignored)\n`);
  return config;
}

async function withExtensions<T>(configPath: string | undefined, work: (extensions: ExtensionRepository, db: Database) => Promise<T> | T): Promise<T> {
  const db = openDatabase(load(configPath).dataDir);
  try {
    return await work(createExtensionRepository(db), db);
  } finally {
    db.close();
  }
}

/** Reads a line from a terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (result: Error | string) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish(value);
        if (char === '\u0003' || char === '\u0004') return finish(new Refusal('cancelled'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    input.on('data', onData);
  });
}

async function askNewPassword(): Promise<string> {
  const first = checkPassword(await readHidden('New web password: '));
  if ((await readHidden('Repeat it: ')) !== first) throw new Refusal('the two passwords differ; nothing changed');
  return first;
}

async function start(args: string[]): Promise<number> {
  const parsed = parse(args, { ...common, pretty: { type: 'boolean' } });
  if (!parsed) return help();
  const config = load(parsed.values.config);
  if (parsed.values.pretty) config.log.pretty = true;
  const logger = createLogger(config.log);
  const services: ServiceFactory[] = [(context) => startSipService(context, { media: context.media.relay })];
  let sandbox: SandboxService | undefined;
  if (config.sandbox.enabled) services.push(async (context) => (sandbox = await startSandboxService(context)));
  const running = await startCallpane({ config, logger, extraServices: services });
  out(
    formatBanner({
      httpUrl: running.httpUrl,
      publicUrl: config.http.publicUrl,
      sipUris: running.sipUris,
      demo: running.demoExtensions,
      demoWarning: running.demoWarning,
      // Secrets go to a person at a terminal only, never into a service manager's log.
      showSecrets: process.stdout.isTTY === true,
      dataDir: config.dataDir,
      sandbox: sandbox && { url: sandbox.url, channelUrl: sandbox.channelUrl() },
      media: running.context.media.status(),
    }),
  );
  shutdownOnSignals(running, logger);
  return 0;
}

async function extAdd(args: string[]): Promise<number> {
  const parsed = parse(args, { ...common, name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, 'sip-secret': { type: 'string' } }, ['<number>']);
  if (!parsed) return help();
  const { values, positionals } = parsed;
  const displayName = values.name;
  if (displayName === undefined) throw new UsageError('ext add needs --name <name>');
  const result = await withExtensions(values.config, (extensions) =>
    provisionExtension(extensions, { number: positionals[0], displayName, email: values.email, password: values.password, sipSecret: values['sip-secret'] }),
  );
  const { extension } = result;
  out(`Extension ${extension.number} (${extension.displayName}${extension.email ? `, ${extension.email}` : ''}) created.`);
  if (result.generatedPassword) out(`  web password: ${result.generatedPassword}`);
  if (result.generatedSipSecret) out(`  SIP secret:   ${result.generatedSipSecret}`);
  if (result.generatedPassword || result.generatedSipSecret) out('Generated secrets are shown only now.');
  return 0;
}

async function extList(args: string[]): Promise<number> {
  const parsed = parse(args, common);
  if (!parsed) return help();
  const rows = await withExtensions(parsed.values.config, (extensions) => extensions.list().map((e) => [e.number, e.displayName, e.email ?? '-']));
  if (rows.length === 0) {
    out('No extensions. Add one with: callpane ext add <number> --name <name>');
    return 0;
  }
  const header = ['NUMBER', 'NAME', 'E-MAIL'];
  const all = [header, ...rows];
  const width = (cell: string) => [...cell].length;
  const widths = header.map((_, column) => Math.max(...all.map((row) => width(row[column] ?? ''))));
  for (const row of all)
    out(
      row
        .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - width(cell)))
        .join('  ')
        .trimEnd(),
    );
  return 0;
}

async function extPasswd(args: string[]): Promise<number> {
  const parsed = parse(args, { ...common, password: { type: 'string' }, sip: { type: 'boolean' } }, ['<number>']);
  if (!parsed) return help();
  const [number] = parsed.positionals;
  const { generated, sipSecret, ended } = await withExtensions(parsed.values.config, async (extensions, db) => {
    // Refuse an unknown number before asking for a password.
    if (!extensions.exists(number)) throw new ExtensionError(ExtensionErrorCode.EXTENSION_NOT_FOUND, `extension ${number} does not exist`);
    const password = parsed.values.password ?? (process.stdin.isTTY ? await askNewPassword() : undefined);
    const chosen = await changePassword(extensions, number, password);
    // A leaked SIP secret (a demo's, printed into a log by earlier versions) is replaced with it.
    const renewed = parsed.values.sip === true ? renewSipSecret(extensions, number) : undefined;
    // A new password is often a reaction to a leaked one: sessions signed in with the old one end.
    return { generated: chosen, sipSecret: renewed, ended: createSessionRepository(db).removeForExtension(number) };
  });
  out(`Web password${sipSecret ? ' and SIP secret' : ''} of extension ${number} changed; ${ended} web session${ended === 1 ? '' : 's'} ended.`);
  if (generated) out(`  web password: ${generated}`);
  if (sipSecret) out(`  SIP secret:   ${sipSecret}`);
  return 0;
}

async function extEmail(args: string[]): Promise<number> {
  // Either an address or --clear: the positionals expected follow from which.
  const parsed = parse(args, { ...common, clear: { type: 'boolean' } }, args.includes('--clear') ? ['<number>'] : ['<number>', '<e-mail>']);
  if (!parsed) return help();
  const [number, email] = parsed.positionals;
  await withExtensions(parsed.values.config, (extensions) => extensions.setEmail(number, email ?? null));
  out(email === undefined ? `E-mail address of extension ${number} cleared.` : `E-mail address of extension ${number} set to ${email.trim()}.`);
  return 0;
}

/**
 * Ends the extension's web sessions in the database; a running server refuses their tokens at
 * once and closes their event-channel sockets at its next check (a session is looked up per request).
 */
async function sessionsRevoke(args: string[]): Promise<number> {
  const parsed = parse(args, common, ['<number>']);
  if (!parsed) return help();
  const [number] = parsed.positionals;
  const ended = await withExtensions(parsed.values.config, (extensions, db) => {
    if (!extensions.exists(number)) throw new ExtensionError(ExtensionErrorCode.EXTENSION_NOT_FOUND, `extension ${number} does not exist`);
    return createSessionRepository(db).removeForExtension(number);
  });
  out(`${ended} web session${ended === 1 ? '' : 's'} of extension ${number} ended.`);
  return 0;
}

async function extRm(args: string[]): Promise<number> {
  const parsed = parse(args, common, ['<number>']);
  if (!parsed) return help();
  const [number] = parsed.positionals;
  await withExtensions(parsed.values.config, (extensions) => extensions.remove(number));
  out(`Extension ${number} removed.`);
  return 0;
}

/**
 * Reads what the server last stored (src/pbx/trunk-registration/registration-report.ts explains
 * why the database and not an HTTP endpoint); signal 0 to its pid tells whether it still runs.
 */
async function trunksStatus(args: string[]): Promise<number> {
  const parsed = parse(args, common);
  if (!parsed) return help();
  const report = await withExtensions(parsed.values.config, (_extensions, db) => readRegistrationReport(createMetaRepository(db)));
  out(formatRegistrationReport(report, Date.now(), report !== undefined && isRunning(report.pid)));
  return 0;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the service account).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function configCheck(args: string[]): Promise<number> {
  const parsed = parse(args, common);
  if (!parsed) return help();
  const location = locateConfigFile({ argvConfigPath: parsed.values.config });
  const config = load(parsed.values.config);
  out(`Configuration file: ${location.path}${existsSync(location.path) ? '' : ' (not found: defaults and environment only)'}`);
  out(JSON.stringify(redactSecrets(config), (_key, value: unknown) => (value === undefined ? null : value), 2));
  out('configuration OK');
  return 0;
}

async function sandboxReset(args: string[]): Promise<number> {
  const parsed = parse(args, common);
  if (!parsed) return help();
  const config = load(parsed.values.config);
  const restored = resetSandboxData(config.dataDir);
  out(`Sandbox data restored to the seed: ${restored.contacts} contacts, ${restored.accounts} accounts, ${restored.leads} leads, ${restored.phonecalls} phone calls.`);
  return 0;
}

function help(): number {
  out(USAGE);
  return 0;
}

/**
 * The usage of one command (`ext add`) or of a group of them (`ext`): their lines of USAGE, with
 * the options every command takes; undefined when no command is named so.
 */
function usageOf(name: string): string | undefined {
  const lines = USAGE.split('\n');
  const blocks: string[][] = [];
  for (const line of lines.slice(lines.indexOf('Commands:') + 1)) {
    if (line === '') break;
    if (/^ {2}\S/.test(line)) blocks.push([line]);
    else blocks.at(-1)?.push(line);
  }
  const chosen = blocks.filter(([first = '']) => first.slice(2) === name || first.slice(2).startsWith(`${name} `));
  if (chosen.length === 0) return undefined;
  const common = lines.slice(lines.indexOf('Options of every command:')).join('\n');
  return `Usage: callpane ${name}${chosen.length > 1 ? ' <command>' : ''} [options]\n\n${chosen.flat().join('\n')}\n\n${common}`;
}

function commandHelp(name: string): number {
  out(usageOf(name) ?? USAGE);
  return 0;
}

const HELP = new Set(['--help', '-h']);

/** `phone match` without --region uses the server's crm.defaultRegion, when a configuration loads. */
async function phoneMatch(args: string[]): Promise<number> {
  const explicit = args.some((arg) => arg === '--region' || arg.startsWith('--region=') || arg === '-h' || arg === '--help');
  const configIndex = args.indexOf('--config');
  const configPath = configIndex === -1 ? undefined : args[configIndex + 1];
  const rest = configIndex === -1 ? args : args.filter((_, index) => index !== configIndex && index !== configIndex + 1);
  const withRegion = explicit ? rest : ['--region', load(configPath).crm.defaultRegion, ...rest];
  return runPhoneMatch(withRegion, { stdin: process.stdin, stdout: out, stderr: (line) => process.stderr.write(`${line}\n`) });
}

function extImport(args: string[]): Promise<number> {
  return runExtensionImport(args, { stdout: out, stderr: (line) => process.stderr.write(`${line}\n`), openDatabase: (configPath) => openDatabase(load(configPath).dataDir) });
}

function journal(subcommand: 'status' | 'list' | 'retry'): (args: string[]) => Promise<number> {
  return (args) =>
    runJournalCommand(subcommand, args, { stdout: out, stderr: (line) => process.stderr.write(`${line}\n`), openDatabase: (configPath) => openDatabase(load(configPath).dataDir) });
}

/**
 * In the demo (no org configured), the sandbox is the org once the server has started and made the
 * demo client's secret (src/sandbox/demo-dynamics.ts); the panel frames the local web URL then.
 */
function dynamics(subcommand: DynamicsSubcommand): (args: string[]) => Promise<number> {
  const demo = (config: Config) => demoDynamicsApplies(config) && existsSync(join(config.dataDir, DEMO_DYNAMICS_FILE));
  return (args) =>
    runDynamicsCommand(subcommand, args, {
      stdout: out,
      stderr: (line) => process.stderr.write(`${line}\n`),
      loadConfig: load,
      openDatabase: (config) => openDatabase(config.dataDir),
      connection: (config) =>
        config.dynamics.connection ??
        (demo(config) ? demoDynamicsConnection(sandboxOrigin(config.sandbox.host, config.sandbox.port), demoDynamicsSecret(config.dataDir)) : undefined),
      paneUrl: (config) =>
        demo(config) ? (config.sandbox.paneUrl ?? config.http.publicUrl ?? localUrl(config.http.host, config.http.port, config.tls !== undefined)) : config.http.publicUrl,
    });
}

/** Commands that print a longer help of their own for --help. */
const OWN_HELP = new Set(['ext import', 'phone match', 'journal status', 'journal list', 'journal retry', 'dynamics check', 'dynamics setup', 'dynamics users']);

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  start,
  'ext add': extAdd,
  'ext import': extImport,
  'ext list': extList,
  'ext passwd': extPasswd,
  'ext email': extEmail,
  'ext rm': extRm,
  'sessions revoke': sessionsRevoke,
  'config check': configCheck,
  'trunks status': trunksStatus,
  'sandbox reset': sandboxReset,
  'phone match': phoneMatch,
  'journal status': journal('status'),
  'journal list': journal('list'),
  'journal retry': journal('retry'),
  'dynamics check': dynamics('check'),
  'dynamics setup': dynamics('setup'),
  'dynamics users': dynamics('users'),
};

async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing command');
  if (first === '--help' || first === '-h' || first === 'help') return help();
  if (first === 'start') return argv.slice(1).some((arg) => HELP.has(arg)) ? commandHelp('start') : start(argv.slice(1));
  // `callpane ext --help`: the group's commands.
  if ((second === undefined || HELP.has(second)) && usageOf(first) !== undefined) {
    if (second === undefined) throw new UsageError(`${first} needs a command`);
    return commandHelp(first);
  }
  const name = `${first} ${second}`;
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command: ${[first, second].filter(Boolean).join(' ')}`);
  // Commands with a help of their own (phone match, ext import) answer --help themselves.
  if (rest.some((arg) => HELP.has(arg)) && !OWN_HELP.has(name)) return commandHelp(name);
  return command(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`callpane: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    // ConfigError, ExtensionError, Refusal and start-up failures all carry a message meant for people.
    process.stderr.write(`callpane: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
