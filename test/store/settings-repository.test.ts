import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { createExtensionRepository, type ExtensionRepository } from '../../src/store/extension-repository.ts';
import { createSettingsRepository, type SettingsRepository } from '../../src/store/settings-repository.ts';

let dataDir: string;
let db: Database;
let extensions: ExtensionRepository;
let settings: SettingsRepository;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpane-settings-'));
  db = openDatabase(dataDir);
  extensions = createExtensionRepository(db);
  for (const number of ['1001', '1002']) extensions.add({ number, displayName: `Agent ${number}`, passwordHash: 'scrypt$x', sipSecret: 's' });
  settings = createSettingsRepository(db);
});
afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('an extension that never saved settings has none', () => {
  assert.equal(settings.get('1001'), undefined);
});

test('a saved document comes back as saved, and a second save replaces it whole', () => {
  settings.put('1001', { language: 'zh-CN', log: { missedInbound: false } }, 1000);
  assert.deepEqual(settings.get('1001'), { value: { language: 'zh-CN', log: { missedInbound: false } }, updatedAt: 1000 });
  settings.put('1001', { language: 'en' }, 2000);
  assert.deepEqual(settings.get('1001'), { value: { language: 'en' }, updatedAt: 2000 });
  assert.equal(settings.get('1002'), undefined);
});

test('settings belong to an existing extension and go with it', () => {
  assert.throws(() => settings.put('1999', {}, 1000), /FOREIGN KEY/);
  settings.put('1002', { clickToCall: false }, 1000);
  extensions.remove('1002');
  assert.equal(settings.get('1002'), undefined);
});
