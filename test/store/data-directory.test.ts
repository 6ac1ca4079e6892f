import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirectoryFailure, prepareDataDirectory } from '../../src/store/data-directory.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Migration } from '../../src/store/migrations.ts';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'callpane-data-dir-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

test('a data directory under a file is refused naming dataDir and what is wrong', () => {
  writeFileSync(join(root, 'a-file'), '');
  const dataDir = join(root, 'a-file', 'data');
  assert.throws(() => openDatabase(dataDir), {
    message: `dataDir (CALLPANE_DATA_DIR) = ${JSON.stringify(dataDir)}: cannot create the directory in ${join(root, 'a-file')}: a part of the path is a file, not a directory (ENOTDIR)`,
  });
});

test('the writability check leaves nothing behind in a good directory', () => {
  const dataDir = join(root, 'good');
  prepareDataDirectory(dataDir);
  assert.deepEqual(readdirSync(dataDir), []);
});

// A full disk and a read-only database simulated at the database layer, where SQLite reports them:
// max_page_count makes the next page SQLite needs fail with SQLITE_FULL exactly as a full disk
// does, and query_only makes a write fail with SQLITE_READONLY.
const FULL: Migration = { version: 1, name: 'fills the disk', sql: 'PRAGMA max_page_count = 1; CREATE TABLE filler (x INTEGER) STRICT' };
const READ_ONLY: Migration = { version: 1, name: 'meets a read-only file', sql: 'PRAGMA query_only = 1; CREATE TABLE filler (x INTEGER) STRICT' };

test('SQLite finding the disk full is told as a full data directory, naming dataDir', () => {
  const dataDir = join(root, 'full');
  assert.throws(() => openDatabase(dataDir, [FULL]), {
    message: `dataDir (CALLPANE_DATA_DIR) = ${JSON.stringify(dataDir)}: cannot use it: the disk holding it is full (SQLite: database or disk is full)`,
  });
});

test('SQLite finding its database read-only is told as such, naming dataDir', () => {
  const dataDir = join(root, 'read-only');
  assert.throws(() => openDatabase(dataDir, [READ_ONLY]), {
    message: `dataDir (CALLPANE_DATA_DIR) = ${JSON.stringify(dataDir)}: cannot use it: the database in it is read-only (SQLite: attempt to write a readonly database)`,
  });
});

test('only failures of the data directory are rephrased', () => {
  const dataDir = join(root, 'other');
  const inside = Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC', path: join(dataDir, 'demo-carrier.json') });
  assert.match(
    dataDirectoryFailure(inside, dataDir)?.message ?? '',
    /^dataDir \(CALLPANE_DATA_DIR\) = ".*other": cannot write .*demo-carrier\.json: the disk holding it is full \(ENOSPC\)$/,
  );
  const elsewhere = Object.assign(new Error('EACCES'), { code: 'EACCES', path: '/etc/callpane/cert.pem' });
  assert.equal(dataDirectoryFailure(elsewhere, dataDir), undefined);
  assert.equal(dataDirectoryFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), dataDir), undefined);
  assert.equal(dataDirectoryFailure(Object.assign(new Error('no such table'), { code: 'ERR_SQLITE_ERROR', errcode: 1 }), dataDir), undefined);
  assert.equal(existsSync(dataDir), false);
});
