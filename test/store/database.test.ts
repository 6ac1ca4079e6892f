import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, runMigrations, inTransaction } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'callpane-db-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

test('opening creates a private data directory and a WAL database with foreign keys on', () => {
  const dataDir = join(root, 'fresh', 'data');
  const db = openDatabase(dataDir);
  try {
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, 'callpane.db')).mode & 0o777, 0o600);
    assert.deepEqual({ ...db.prepare('PRAGMA journal_mode').get() }, { journal_mode: 'wal' });
    assert.deepEqual({ ...db.prepare('PRAGMA foreign_keys').get() }, { foreign_keys: 1 });
  } finally {
    db.close();
  }
});

test('migrations run once and record their version', () => {
  const dataDir = join(root, 'twice');
  openDatabase(dataDir).close();
  const db = openDatabase(dataDir);
  try {
    assert.deepEqual(runMigrations(db), []);
    const versions = db
      .prepare('SELECT version FROM schema_version ORDER BY version')
      .all()
      .map((row) => row.version);
    assert.deepEqual(
      versions,
      MIGRATIONS.map((m) => m.version),
    );
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name);
    for (const table of ['extensions', 'meta', 'registrations', 'schema_version']) assert.ok(tables.includes(table), table);
  } finally {
    db.close();
  }
});

test('a later migration is applied on top of an existing database', () => {
  const dataDir = join(root, 'grow');
  openDatabase(dataDir).close();
  const next = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY) STRICT' }];
  const db = openDatabase(dataDir, next);
  try {
    assert.deepEqual({ ...db.prepare('SELECT MAX(version) AS v FROM schema_version').get() }, { v: next.length });
    assert.deepEqual(db.prepare('SELECT * FROM notes').all(), []);
  } finally {
    db.close();
  }
});

test('a failing migration leaves neither its tables nor its version behind', () => {
  const dataDir = join(root, 'broken');
  openDatabase(dataDir).close();
  const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (id INTEGER) STRICT; THIS IS NOT SQL' }];
  assert.throws(() => openDatabase(dataDir, broken));
  const db = openDatabase(dataDir);
  try {
    assert.equal(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'half'").get(), undefined);
    assert.deepEqual({ ...db.prepare('SELECT MAX(version) AS v FROM schema_version').get() }, { v: MIGRATIONS.length });
  } finally {
    db.close();
  }
});

test('a database from a newer Callpane is refused', () => {
  const dataDir = join(root, 'newer');
  const db = openDatabase(dataDir);
  db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(99, 'future', 0);
  db.close();
  assert.throws(() => openDatabase(dataDir), /schema is at version 99, newer than this Callpane knows/);
});

test('migrations must be numbered 1, 2, 3 without gaps', () => {
  assert.throws(() => openDatabase(join(root, 'gap'), [{ version: 2, name: 'gap', sql: '' }]), /expected 1/);
});

test('a transaction rolls back when its work throws', () => {
  const db = openDatabase(join(root, 'tx'));
  try {
    assert.throws(
      () =>
        inTransaction(db, () => {
          db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('k', 'v');
          throw new Error('stop');
        }),
      /stop/,
    );
    assert.equal(db.prepare('SELECT * FROM meta').get(), undefined);
    assert.equal(db.isTransaction, false);
  } finally {
    db.close();
  }
});
