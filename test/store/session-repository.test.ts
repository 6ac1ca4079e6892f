import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createExtensionRepository, type ExtensionRepository } from '../../src/store/extension-repository.ts';
import { createSessionRepository, type SessionRepository } from '../../src/store/session-repository.ts';

let dataDir: string;
let db: Database;
let sessions: SessionRepository;
let extensions: ExtensionRepository;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-sessions-'));
  db = openDatabase(dataDir);
  sessions = createSessionRepository(db);
  extensions = createExtensionRepository(db);
  extensions.add({ number: '1001', displayName: 'Alice', passwordHash: 'h', sipSecret: 's' });
  extensions.add({ number: '1002', displayName: 'Bob', passwordHash: 'h', sipSecret: 's' });
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a session is found until it expires', () => {
  const session = { tokenHash: 'a'.repeat(64), extension: '1001', createdAt: 1000, expiresAt: 2000 };
  sessions.create(session);
  assert.deepEqual(sessions.findValid(session.tokenHash, 1999), session);
  assert.equal(sessions.findValid(session.tokenHash, 2000), undefined);
  assert.equal(sessions.findValid('b'.repeat(64), 1500), undefined);
});

test('removing a session ends it once', () => {
  sessions.create({ tokenHash: 'a', extension: '1001', createdAt: 1, expiresAt: 100 });
  assert.equal(sessions.remove('a'), true);
  assert.equal(sessions.remove('a'), false);
  assert.equal(sessions.findValid('a', 2), undefined);
});

test('expired sessions are swept, live ones kept', () => {
  sessions.create({ tokenHash: 'old', extension: '1001', createdAt: 1, expiresAt: 10 });
  sessions.create({ tokenHash: 'new', extension: '1001', createdAt: 1, expiresAt: 100 });
  assert.equal(sessions.removeExpired(50), 1);
  assert.ok(sessions.findValid('new', 50));
});

test("an extension's sessions go with it, and can be ended together", () => {
  sessions.create({ tokenHash: 'a1', extension: '1001', createdAt: 1, expiresAt: 100 });
  sessions.create({ tokenHash: 'a2', extension: '1001', createdAt: 1, expiresAt: 100 });
  sessions.create({ tokenHash: 'b1', extension: '1002', createdAt: 1, expiresAt: 100 });
  assert.equal(sessions.removeForExtension('1001'), 2);
  extensions.remove('1002');
  assert.equal(sessions.findValid('b1', 2), undefined);
});

test('a session for an extension that does not exist is refused', () => {
  assert.throws(() => sessions.create({ tokenHash: 'x', extension: '9999', createdAt: 1, expiresAt: 100 }), /FOREIGN KEY/);
});

test("a live session of an extension is found by a prefix of its hash, an ended, expired or other extension's one is not", () => {
  const hash = `0123456789abcdef${'f'.repeat(48)}`;
  sessions.create({ tokenHash: hash, extension: '1001', createdAt: 1, expiresAt: 100 });
  sessions.create({ tokenHash: `0123456789abcdeg${'0'.repeat(48)}`, extension: '1002', createdAt: 1, expiresAt: 100 });
  assert.equal(sessions.hasLiveWithPrefix('0123456789abcdef', '1001', 99), true);
  assert.equal(sessions.hasLiveWithPrefix(hash, '1001', 99), true);
  assert.equal(sessions.hasLiveWithPrefix('0123456789abcdef', '1001', 100), false);
  assert.equal(sessions.hasLiveWithPrefix('0123456789abcdef', '1002', 99), false);
  assert.equal(sessions.hasLiveWithPrefix('0123456789abcdee', '1001', 99), false);
  assert.equal(sessions.hasLiveWithPrefix('0123456789ABCDEF', '1001', 99), false);
  assert.equal(sessions.hasLiveWithPrefix('%', '1001', 99), false);
  sessions.remove(hash);
  assert.equal(sessions.hasLiveWithPrefix('0123456789abcdef', '1001', 99), false);
});
