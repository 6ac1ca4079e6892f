/**
 * The data directory (dataDir): created private (0700) and proven writable before anything is
 * stored in it, and every way it can fail told as the operator fixes it — naming the setting and
 * what is wrong. Without this a read-only file system surfaced as Node's misleading
 * `ENOENT … mkdir` (a recursive mkdir reports the missing parent, not why it could not be made)
 * and a full disk as SQLite's bare "database or disk is full".
 */
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const SETTING = 'dataDir (CALLPANE_DATA_DIR)';

/** SQLite primary result codes (https://sqlite.org/rescode.html); extended codes carry them in the low byte. */
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;

const ERRNO_REASONS: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk holding it is full',
  EDQUOT: 'the disk quota of this user is used up',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it is a file, not a directory',
};

const SQLITE_REASONS: Record<number, string> = {
  [SQLITE_FULL]: 'the disk holding it is full',
  [SQLITE_READONLY]: 'the database in it is read-only',
  [SQLITE_CANTOPEN]: 'the database in it cannot be opened',
  [SQLITE_IOERR]: 'reading or writing the disk failed',
};

function failure(dataDir: string, doing: string, reason: string, cause: unknown): Error {
  return new Error(`${SETTING} = ${JSON.stringify(dataDir)}: ${doing}: ${reason}`, { cause });
}

function errnoReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return undefined;
  const reason = ERRNO_REASONS[code];
  return reason === undefined ? undefined : `${reason} (${code})`;
}

/** The closest ancestor of `path` that exists (the root at worst). */
function nearestExisting(path: string): string {
  let current = dirname(path);
  for (;;) {
    try {
      accessSync(current, constants.F_OK);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * Creates the directory (0700) unless it exists and writes, then removes, a small file in it, so
 * that a directory that cannot take a file is refused before any database or secret is written.
 */
export function prepareDataDirectory(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // A recursive mkdir reports ENOENT for a parent it could not make: ask the parent that exists why.
    const parent = nearestExisting(dataDir);
    let reason = errnoReason(error);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        accessSync(parent, constants.W_OK);
      } catch (parentError) {
        reason = errnoReason(parentError);
      }
    }
    throw failure(dataDir, `cannot create the directory in ${parent}`, reason ?? (error as Error).message, error);
  }
  const probe = join(dataDir, `.callpane-write-test-${process.pid}`);
  try {
    writeFileSync(probe, Buffer.alloc(4096), { mode: 0o600 });
  } catch (error) {
    throw failure(dataDir, 'cannot write a file in it', errnoReason(error) ?? (error as Error).message, error);
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * The data directory's failure that `error` is, when it is one: a file system error on a path in
 * it, or SQLite finding its disk full or its files read-only. Undefined for anything else.
 */
export function dataDirectoryFailure(error: unknown, dataDir: string): Error | undefined {
  const { code, path, errcode } = error as NodeJS.ErrnoException & { errcode?: unknown };
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number') {
    const reason = SQLITE_REASONS[errcode & 0xff];
    return reason === undefined ? undefined : failure(dataDir, 'cannot use it', `${reason} (SQLite: ${(error as Error).message})`, error);
  }
  const reason = errnoReason(error);
  if (reason === undefined || typeof path !== 'string' || !(path === dataDir || path.startsWith(`${dataDir}/`))) return undefined;
  return failure(dataDir, `cannot write ${path}`, reason, error);
}
