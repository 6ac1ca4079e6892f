import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { ExtensionError } from '../../src/store/extension-error.ts';
import type { ExtensionErrorCode } from '../../src/store/store-errors.ts';
import { createExtensionRepository, type ExtensionRepository, type NewExtension } from '../../src/store/extension-repository.ts';

let dir: string;
let db: Database;
let repo: ExtensionRepository;
let clock: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-ext-'));
  db = openDatabase(dir);
  clock = 1_000;
  repo = createExtensionRepository(db, () => clock);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const alice: NewExtension = { number: '1001', displayName: 'Alice Agent', email: 'alice@callpane.test', passwordHash: 'scrypt$h1', sipSecret: 's1' };

function refuses(code: ExtensionErrorCode, action: () => unknown): void {
  assert.throws(action, (error) => error instanceof ExtensionError && error.code === code);
}

test('an added extension reads back by number and by e-mail in any case', () => {
  const added = repo.add(alice);
  assert.deepEqual(added, { ...alice, createdAt: 1_000, updatedAt: 1_000 });
  assert.deepEqual(repo.get('1001'), added);
  assert.deepEqual(repo.getByEmail('ALICE@Callpane.Test'), added);
  assert.equal(repo.exists('1001'), true);
  assert.equal(repo.exists('1002'), false);
  assert.equal(repo.get('1002'), undefined);
});

test('the e-mail address is optional, and several extensions may have none', () => {
  repo.add({ ...alice, email: undefined });
  repo.add({ ...alice, number: '1002', email: null });
  assert.equal(repo.get('1001')?.email, null);
  assert.equal(repo.list().length, 2);
});

test('the list comes in numeric order', () => {
  for (const number of ['1001', '99', '200', '10']) repo.add({ ...alice, number, email: null });
  assert.deepEqual(
    repo.list().map((e) => e.number),
    ['10', '99', '200', '1001'],
  );
});

test('a second extension with the same number is refused', () => {
  repo.add(alice);
  refuses('EXTENSION_EXISTS', () => repo.add({ ...alice, email: 'other@callpane.test' }));
});

test('an e-mail address taken by another extension is refused whatever its case', () => {
  repo.add(alice);
  refuses('EXTENSION_EMAIL_TAKEN', () => repo.add({ ...alice, number: '1002', email: 'Alice@CALLPANE.test' }));
  assert.equal(repo.exists('1002'), false);
});

test("an extension's e-mail address can be set, changed and cleared, but not to one another extension has", () => {
  repo.add({ ...alice, email: null });
  repo.add({ ...alice, number: '1002', email: 'bob@callpane.test' });
  repo.setEmail('1001', ' alice@callpane.test ');
  assert.equal(repo.getByEmail('ALICE@callpane.test')?.number, '1001');
  refuses('EXTENSION_EMAIL_TAKEN', () => repo.setEmail('1001', 'Bob@callpane.test'));
  refuses('EXTENSION_INVALID_EMAIL', () => repo.setEmail('1001', 'bob'));
  refuses('EXTENSION_NOT_FOUND', () => repo.setEmail('1099', 'carol@callpane.test'));
  assert.equal(repo.get('1001')?.email, 'alice@callpane.test', 'a refused change changes nothing');
  repo.setEmail('1001', null);
  assert.equal(repo.getByEmail('alice@callpane.test'), undefined);
});

test('numbers must be 2 to 10 digits', () => {
  for (const number of ['1', '12345678901', '10a1', '', ' 1001', '+1001']) {
    refuses('EXTENSION_INVALID_NUMBER', () => repo.add({ ...alice, number }));
  }
  repo.add({ ...alice, number: '12', email: null });
  repo.add({ ...alice, number: '1234567890', email: null });
});

test('names must be 1 to 64 printable characters and are trimmed', () => {
  refuses('EXTENSION_INVALID_NAME', () => repo.add({ ...alice, displayName: '   ' }));
  refuses('EXTENSION_INVALID_NAME', () => repo.add({ ...alice, displayName: 'x'.repeat(65) }));
  refuses('EXTENSION_INVALID_NAME', () => repo.add({ ...alice, displayName: 'Bell\u0007' }));
  assert.equal(repo.add({ ...alice, displayName: '  周 Agent  ' }).displayName, '周 Agent');
});

test('malformed e-mail addresses are refused', () => {
  for (const email of ['alice', 'alice@', '@callpane.test', 'a b@callpane.test', 'alice@localhost', 'alice@-x.test']) {
    refuses('EXTENSION_INVALID_EMAIL', () => repo.add({ ...alice, email }));
  }
});

test('password hash and SIP secret can be replaced, and the change is timestamped', () => {
  repo.add(alice);
  clock = 2_000;
  repo.setPasswordHash('1001', 'scrypt$h2');
  repo.setSipSecret('1001', 's2');
  assert.deepEqual(repo.get('1001'), { ...alice, passwordHash: 'scrypt$h2', sipSecret: 's2', createdAt: 1_000, updatedAt: 2_000 });
});

test('changing or removing an unknown extension is refused', () => {
  refuses('EXTENSION_NOT_FOUND', () => repo.setPasswordHash('1009', 'x'));
  refuses('EXTENSION_NOT_FOUND', () => repo.setSipSecret('1009', 'x'));
  refuses('EXTENSION_NOT_FOUND', () => repo.remove('1009'));
});

test('a removed extension is gone', () => {
  repo.add(alice);
  repo.remove('1001');
  assert.equal(repo.get('1001'), undefined);
  assert.deepEqual(repo.list(), []);
});
