/**
 * Many extensions from one CSV file (`callpane ext import`): every line checked with the rules of
 * `ext add` (src/store/extension-repository.ts) and against the database and the rest of the file
 * before anything is written, then all of them created in one transaction, or none.
 */
import { generateSecret, hashGeneratedSecret } from '../security/password-hash.ts';
import { GENERATED_PASSWORD_BYTES, GENERATED_SIP_SECRET_BYTES } from '../server/extension-admin.ts';
import { inTransaction, type Database } from '../store/database.ts';
import { ExtensionError } from '../store/extension-error.ts';
import { NO_PASSWORD_HASH, validateEmail, validateExtensionNumber, validateName, type ExtensionRepository } from '../store/extension-repository.ts';
import { parseCsv } from './csv-records.ts';

export interface ImportRow {
  /** The line of the CSV file it came from. */
  line: number;
  number: string;
  displayName: string;
  email: string | null;
}

export interface ImportPlan {
  rows: ImportRow[];
  /** `line N: …`, in line order; the import writes nothing when there is any. */
  errors: string[];
}

export interface ImportedExtension extends ImportRow {
  /** Absent for single sign-on only extensions. */
  password?: string;
  sipSecret: string;
}

const COLUMNS = ['number', 'name', 'email'] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Reads `text` (decoded, without a byte order mark) and checks every line. `requireEmail`: single
 * sign-on finds an agent's extension by e-mail address, so an agent without a password needs one.
 */
export function planImport(text: string, extensions: ExtensionRepository, requireEmail: boolean): ImportPlan {
  const { records, errors } = parseCsv(text);
  const [header, ...lines] = records;
  if (header === undefined) return { rows: [], errors: [...errors, 'line 1: the file is empty; the first line names the columns: number,name,email'] };
  const columns = readHeader(header.fields, header.line);
  if (typeof columns === 'string') return { rows: [], errors: [columns, ...errors] };

  const rows: ImportRow[] = [];
  const lineOfNumber = new Map<string, number>();
  const lineOfEmail = new Map<string, number>();
  for (const { line, fields } of lines) {
    if (fields.length !== columns.count) {
      errors.push(`line ${line}: ${fields.length} field${fields.length === 1 ? '' : 's'}, but the header names ${columns.count} columns`);
      continue;
    }
    // The row has every column (checked above): no `?? ''` below is ever taken.
    const number = (fields[columns.number] ?? '').trim();
    const rawEmail = columns.email === undefined ? '' : (fields[columns.email] ?? '');
    let row: ImportRow;
    try {
      row = {
        line,
        number: validateExtensionNumber(number),
        displayName: validateName(fields[columns.name] ?? ''),
        email: validateEmail(rawEmail.trim() === '' ? null : rawEmail),
      };
    } catch (error) {
      if (!(error instanceof ExtensionError)) throw error;
      errors.push(`line ${line}: ${error.message}`);
      continue;
    }
    const problems: string[] = [];
    const earlier = lineOfNumber.get(row.number);
    if (earlier !== undefined) problems.push(`extension ${row.number} is also on line ${earlier}`);
    else if (extensions.exists(row.number)) problems.push(`extension ${row.number} already exists`);
    if (row.email === null) {
      if (requireEmail) problems.push(`extension ${row.number} has no e-mail address, which single sign-on needs to find it (--no-password)`);
    } else {
      // The column compares without regard to ASCII case (COLLATE NOCASE): so does this.
      const key = row.email.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
      const earlierEmail = lineOfEmail.get(key);
      const owner = earlierEmail === undefined ? extensions.getByEmail(row.email) : undefined;
      if (earlierEmail !== undefined) problems.push(`e-mail address ${row.email} is also on line ${earlierEmail}`);
      else if (owner !== undefined) problems.push(`e-mail address ${row.email} belongs to extension ${owner.number}`);
      lineOfEmail.set(key, lineOfEmail.get(key) ?? line);
    }
    lineOfNumber.set(row.number, lineOfNumber.get(row.number) ?? line);
    for (const problem of problems) errors.push(`line ${line}: ${problem}`);
    if (problems.length === 0) rows.push(row);
  }
  if (errors.length === 0 && rows.length === 0) errors.push(`line ${header.line + 1}: no extensions after the header line`);
  errors.sort((a, b) => lineNumber(a) - lineNumber(b));
  return { rows, errors };
}

interface ColumnIndex {
  count: number;
  number: number;
  name: number;
  email: number | undefined;
}

/** Column positions by header name, in any order; why not, as a `line N: …` message. */
function readHeader(fields: string[], line: number): ColumnIndex | string {
  const index = new Map<Column, number>();
  for (const [position, field] of fields.entries()) {
    const name = field.trim().toLowerCase();
    if (!(COLUMNS as readonly string[]).includes(name)) {
      return `line ${line}: unknown column ${JSON.stringify(field)}; the first line names the columns: number,name,email (email may be left out)`;
    }
    if (index.has(name as Column)) return `line ${line}: column ${name} is named twice`;
    index.set(name as Column, position);
  }
  const number = index.get('number');
  const name = index.get('name');
  if (number === undefined || name === undefined) {
    return `line ${line}: the header must name the columns number and name (and may name email), not ${JSON.stringify(fields.join(','))}`;
  }
  return { count: fields.length, number, name, email: index.get('email') };
}

function lineNumber(error: string): number {
  return Number(/^line (\d+)/.exec(error)?.[1] ?? 0);
}

export interface ImportOptions {
  /** False: single sign-on only, no web password. */
  withPasswords: boolean;
  /**
   * Called inside the transaction with what was created, before it commits: the generated secrets
   * are stored (the passwords file written and flushed) before the hashes are, or neither is.
   */
  keepSecrets: (imported: ImportedExtension[]) => void;
}

export interface ImportTimings {
  hashingMs: number;
  writingMs: number;
}

/**
 * Generates the secrets, hashes the web passwords (concurrently on libuv's thread pool, where
 * node:crypto runs scrypt) and inserts every row in one transaction. The hashing happens before the
 * transaction, so the database is not held locked for it; a row that became a duplicate meanwhile
 * (another `ext add`) fails the whole import with its line.
 */
export async function importExtensions(db: Database, extensions: ExtensionRepository, rows: ImportRow[], options: ImportOptions): Promise<ImportTimings> {
  const hashingStart = performance.now();
  const imported: ImportedExtension[] = rows.map((row) => ({
    ...row,
    ...(options.withPasswords ? { password: spreadsheetSafeSecret(GENERATED_PASSWORD_BYTES) } : {}),
    sipSecret: spreadsheetSafeSecret(GENERATED_SIP_SECRET_BYTES),
  }));
  const hashes = await mapConcurrently(imported, hashConcurrency(), (entry) =>
    entry.password === undefined ? Promise.resolve(NO_PASSWORD_HASH) : hashGeneratedSecret(entry.password),
  );
  const writingStart = performance.now();
  inTransaction(db, () => {
    for (const [index, entry] of imported.entries()) {
      const passwordHash = hashes[index];
      if (passwordHash === undefined) throw new Error(`no password hash for line ${entry.line}`);
      try {
        extensions.add({ number: entry.number, displayName: entry.displayName, email: entry.email, passwordHash, sipSecret: entry.sipSecret });
      } catch (error) {
        if (error instanceof ExtensionError) throw new ExtensionError(error.code, `line ${entry.line}: ${error.message}; nothing was imported`);
        throw error;
      }
    }
    options.keepSecrets(imported);
  });
  return { hashingMs: writingStart - hashingStart, writingMs: performance.now() - writingStart };
}

/**
 * A generated secret that does not start with `-`: a spreadsheet opening the passwords file would
 * read `-abc…` as a formula and show an error instead of the password.
 */
function spreadsheetSafeSecret(bytes: number): string {
  for (;;) {
    const secret = generateSecret(bytes);
    if (!secret.startsWith('-')) return secret;
  }
}

/**
 * As many hashes at once as libuv's thread pool runs (UV_THREADPOOL_SIZE, 4 unless set): more
 * would only queue there, each to hold scrypt's 32 MiB once it runs.
 */
function hashConcurrency(): number {
  return Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);
}

async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [index, item] of queue) results[index] = await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
