/**
 * Opens the SQLite database in the data directory and brings its schema up to date. The data
 * directory is created private (0700): it holds password hashes and SIP secrets. WAL lets the
 * CLI change extensions while a running server reads; busy_timeout makes the two wait for each
 * other instead of failing.
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { dataDirectoryFailure, prepareDataDirectory } from './data-directory.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

export type Database = DatabaseSync;

export const DATABASE_FILE = 'callpane.db';

/** A read-only, full or unusable data directory is refused naming dataDir and what is wrong (data-directory.ts). */
export function openDatabase(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Database {
  prepareDataDirectory(dataDir);
  try {
    return openIn(dataDir, migrations);
  } catch (error) {
    throw dataDirectoryFailure(error, dataDir) ?? error;
  }
}

function openIn(dataDir: string, migrations: readonly Migration[]): Database {
  const path = join(dataDir, DATABASE_FILE);
  // Created private before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
  closeSync(openSync(path, 'a', 0o600));
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    runMigrations(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Runs `work` in one write transaction (taken immediately, so two processes never interleave). */
export function inTransaction<T>(db: Database, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

function currentVersion(db: Database): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Applies the migrations the database has not seen, each in its own transaction together with
 * its schema_version row, so a crash leaves the schema at a whole step. Returns the versions applied.
 */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
  });
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
  const known = migrations.length;
  const found = currentVersion(db);
  if (found > known) {
    throw new Error(`the database schema is at version ${found}, newer than this Callpane knows (${known}); use a newer Callpane`);
  }
  const applied: number[] = [];
  for (const migration of migrations.slice(found)) {
    inTransaction(db, () => {
      // Another process may have migrated between our check and taking the write lock.
      if (currentVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
      applied.push(migration.version);
    });
  }
  return applied;
}
