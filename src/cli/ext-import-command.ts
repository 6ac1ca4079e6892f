/**
 * `callpane ext import <file.csv>`: a call centre's extensions in one go (src/cli/extension-import.ts
 * checks and creates them). The generated secrets go to a file only the administrator can read,
 * never to the terminal, where a scroll-back or a screen share would keep thousands of them.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Database } from '../store/database.ts';
import { createExtensionRepository } from '../store/extension-repository.ts';
import { csvField } from './csv-records.ts';
import { importExtensions, planImport, type ImportedExtension, type ImportRow } from './extension-import.ts';

export const EXT_IMPORT_USAGE = `Usage: callpane ext import <file.csv> [--passwords-out <file>] [--no-password] [--dry-run]

Creates the extensions listed in a CSV file (RFC 4180, UTF-8): a header line naming the columns
number, name and (optionally) email, in any order, then one extension per line, e.g.
  number,name,email
  2001,Dana Agent,dana@example.com
  2002,"Smith, Jo",jo.smith@example.com
Every line is checked as \`ext add\` checks it, against the existing extensions and the rest of the
file; if any line is refused, each refusal is listed with its line number and nothing is created.
Otherwise all are created in one transaction.

Options:
  --passwords-out <file>  where the generated web passwords and SIP secrets go, as CSV readable by
                          you only (mode 0600); an existing file is never overwritten
                          (default: next to the CSV file, <file>.passwords.csv)
  --no-password           agents who sign in with single sign-on only: no web password (each line
                          needs an e-mail address); the file holds their SIP secrets for desk phones
  --dry-run               check the file and show what would be created; write nothing
  --config <file>         configuration file (default: $CALLPANE_CONFIG, else ./callpane.json)
  -h, --help              show this help

Exit codes: 0 imported (or a dry run found nothing wrong), 1 refused, 2 wrong arguments.
`;

export interface ExtImportIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** The database of the configuration (`--config`, else the usual lookup). */
  openDatabase: (configPath: string | undefined) => Database;
}

/** Runs the command; resolves to the exit code. */
export async function runExtensionImport(args: string[], io: ExtImportIo): Promise<number> {
  let parsed;
  let csvPath: string;
  try {
    parsed = parseArgs({
      args,
      options: {
        'passwords-out': { type: 'string' },
        'no-password': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      io.stdout(EXT_IMPORT_USAGE.trimEnd());
      return 0;
    }
    const [first, second] = parsed.positionals;
    if (first === undefined) throw new Error('missing <file.csv>');
    if (second !== undefined) throw new Error(`unexpected argument ${second}`);
    csvPath = first;
  } catch (error) {
    io.stderr(`callpane ext import: ${(error as Error).message}\n\n${EXT_IMPORT_USAGE.trimEnd()}`);
    return 2;
  }
  const started = performance.now();
  const withPasswords = parsed.values['no-password'] !== true;
  const passwordsPath = parsed.values['passwords-out'] ?? join(dirname(csvPath), `${basename(csvPath, extname(csvPath))}.passwords.csv`);

  const text = readCsvText(csvPath);
  const db = io.openDatabase(parsed.values.config);
  try {
    const extensions = createExtensionRepository(db);
    const plan = planImport(text, extensions, !withPasswords);
    if (existsSync(passwordsPath))
      plan.errors.unshift(`${passwordsPath} exists: move it away or name another file with --passwords-out (it may hold the passwords of an earlier import)`);
    if (plan.errors.length > 0) {
      io.stderr(`callpane ext import: ${csvPath}: ${plan.errors.length} problem${plan.errors.length === 1 ? '' : 's'}; nothing was imported:`);
      for (const error of plan.errors) io.stderr(`  ${error}`);
      return 1;
    }
    if (parsed.values['dry-run']) {
      io.stdout(`Dry run: ${count(plan.rows.length)} from ${csvPath} would be created${withPasswords ? '' : ' for single sign-on only (no web password)'}; nothing was written.`);
      for (const line of table(plan.rows)) io.stdout(`  ${line}`);
      io.stdout(`Their ${withPasswords ? 'web passwords and SIP secrets' : 'SIP secrets'} would go to ${passwordsPath}.`);
      return 0;
    }
    // Created now, exclusively and for the owner only, so that nothing is hashed for a file that cannot be written.
    const fd = openSync(passwordsPath, 'wx', 0o600);
    let kept = false;
    // Interrupted while hashing (the transaction itself runs without yielding): nothing was written
    // to the database, so the empty file goes too, or the next attempt would refuse to overwrite it.
    const abandon = (signal: NodeJS.Signals) => {
      closeSync(fd);
      unlinkSync(passwordsPath);
      io.stderr(`callpane ext import: interrupted (${signal}); nothing was imported`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', abandon).once('SIGTERM', abandon);
    try {
      const timings = await importExtensions(db, extensions, plan.rows, {
        withPasswords,
        keepSecrets: (imported) => {
          writeSync(fd, secretsCsv(imported, withPasswords));
          fsyncSync(fd);
        },
      });
      kept = true;
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      io.stdout(
        `Imported ${count(plan.rows.length)} from ${csvPath}${withPasswords ? '' : ' for single sign-on only (no web password)'} in ${seconds(performance.now() - started)} ` +
          `(hashing passwords ${seconds(timings.hashingMs)}, database ${seconds(timings.writingMs)}).`,
      );
      io.stdout(`${withPasswords ? 'Web passwords and SIP secrets' : 'SIP secrets'}: ${passwordsPath} (readable by you only). Hand each agent theirs, then delete the file.`);
      return 0;
    } finally {
      process.off('SIGINT', abandon).off('SIGTERM', abandon);
      closeSync(fd);
      if (!kept) unlinkSync(passwordsPath);
    }
  } finally {
    db.close();
  }
}

/** The file as text; TextDecoder drops a byte order mark and refuses bytes that are not UTF-8. */
function readCsvText(path: string): string {
  const bytes = readFileSync(path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path} is not UTF-8 text: save it as "CSV UTF-8" (a spreadsheet's plain "CSV" may use another encoding)`);
  }
}

function secretsCsv(imported: ImportedExtension[], withPasswords: boolean): string {
  const header = withPasswords ? 'number,name,email,web_password,sip_secret' : 'number,name,email,sip_secret';
  const lines = imported.map((entry) =>
    [entry.number, entry.displayName, entry.email ?? '', ...(withPasswords ? [entry.password ?? ''] : []), entry.sipSecret].map(csvField).join(','),
  );
  return `${[header, ...lines].join('\r\n')}\r\n`;
}

function table(rows: ImportRow[]): string[] {
  const header = ['NUMBER', 'NAME', 'E-MAIL'];
  const all = [header, ...rows.map((row) => [row.number, row.displayName, row.email ?? '-'])];
  const width = (cell: string) => [...cell].length;
  const widths = header.map((_, column) => Math.max(...all.map((row) => width(row[column] ?? ''))));
  return all.map((row) =>
    row
      .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - width(cell)))
      .join('  ')
      .trimEnd(),
  );
}

function count(n: number): string {
  return `${n} extension${n === 1 ? '' : 's'}`;
}
